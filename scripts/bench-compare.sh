#!/usr/bin/env bash
# bench-compare.sh: Tracflow beside the load kit's reference servers, in one
# run of its compare.sh (wrk, 32 connections; see its README).
#
#   scripts/bench-compare.sh [path/to/bench]      # default ../shared/bench
#   ONLY="limit-sqlite third" SECS=30 scripts/bench-compare.sh
#   PREPARE=/tmp/tf-bench scripts/bench-compare.sh # only build and prepare
#                        # /tmp/tf-bench/{tracflow,data}, e.g. to profile
#   DB=postgres://... PREPARE=DIR scripts/bench-compare.sh # the same workload
#                        # set up in PostgreSQL (see scripts/bench-pg.sh)
#
# Builds tracflow and prepares a data folder (SQLite, the defaults) with the
# kit's workload: source "s1" and a rule on "purchase" events running
# start → increment the purchase counter → make sure the total exists
# (increment by 0) → calculator (add the price to the total) → answer the
# counter. Then compare.sh starts `tracflow serve` on that folder
# as its third contestant. Every acknowledged event is committed to disk,
# as for limit-sqlite.
set -euo pipefail

KIT="$(cd "${1:-$(dirname "$0")/../../shared/bench}" && pwd)"
ADDR="${ADDR:-127.0.0.1:18687}"
cd "$(dirname "$0")/.."
pid=""
if [ -n "${PREPARE:-}" ]; then
	work="$PREPARE"
	rm -rf "$work/data"
	mkdir -p "$work"
	trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null' EXIT
else
	work="$(mktemp -d)"
	trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fi
go build -o "$work/tracflow" ./cmd/tracflow
export TRACFLOW_ADMIN_PASSWORD="bench-compare password"
db=()
[ -n "${DB:-}" ] && db=(--db "$DB")
"$work/tracflow" serve --addr "$ADDR" --data "$work/data" "${db[@]}" --no-demo --log-level warn >"$work/setup.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
	curl -fs -o /dev/null "http://$ADDR/healthz" 2>/dev/null && break
	sleep 0.1
done
token="$(curl -fs "http://$ADDR/user/token" -d username=admin@localhost --data-urlencode "password=$TRACFLOW_ADMIN_PASSWORD" |
	sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
api() { curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "http://$ADDR$1" -d "$2"; }
m=tracardi.process_engine.action.v1
api /event-source '{"id":"s1","name":"Load kit","type":["rest"],"enabled":true}'
api /flow/production '{"id":"purchases","name":"Count purchases","flowGraph":{"nodes":[
 {"id":"start","data":{"spec":{"module":"'$m'.flow.start.start_action"}}},
 {"id":"count","data":{"spec":{"module":"'$m'.increment_action","init":{"field":"profile@stats.counters.purchases","increment":1}}}},
 {"id":"zero","data":{"spec":{"module":"'$m'.increment_action","init":{"field":"profile@stats.counters.total","increment":0}}}},
 {"id":"sum","data":{"spec":{"module":"'$m'.calculator_action","init":{"calc_dsl":"profile@stats.counters.total = profile@stats.counters.total + event@properties.price"}}}},
 {"id":"answer","data":{"spec":{"module":"'$m'.internal.add_response.plugin","init":{"key":"counter","body":"{\"value\":\"profile@stats.counters.purchases\"}"}}}}],
 "edges":[{"id":"e1","source":"start","sourceHandle":"payload","target":"count","targetHandle":"payload"},
          {"id":"e2","source":"count","sourceHandle":"payload","target":"zero","targetHandle":"payload"},
          {"id":"e3","source":"zero","sourceHandle":"payload","target":"sum","targetHandle":"payload"},
          {"id":"e4","source":"sum","sourceHandle":"payload","target":"answer","targetHandle":"payload"}]}}'
api /rule '{"id":"purchases","name":"Purchases","event_type":{"id":"purchase"},"source":{"id":"s1"},"flow":{"id":"purchases"},"enabled":true}'
# Check the workload once, then stop: compare.sh starts its own server.
answer="$(curl -fs "http://$ADDR/track" -d '{"source":{"id":"s1"},"profile":{"id":"p-check"},"session":{"id":"s-check"},"events":[{"type":"purchase","properties":{"price":12.5,"sku":"A1"}}]}')"
case "$answer" in *'"counter":{"value":1}'*) ;; *) echo "bench-compare: unexpected answer: $answer" >&2; exit 1 ;; esac
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
if [ -n "${PREPARE:-}" ]; then
	echo "prepared: $work/tracflow serve --data $work/data --no-demo"
	exit 0
fi

port="${ADDR##*:}"
"$KIT/compare.sh" "exec $work/tracflow serve --addr 127.0.0.1:$port --data $work/data --no-demo --log-level warn" "http://127.0.0.1:$port/track"
