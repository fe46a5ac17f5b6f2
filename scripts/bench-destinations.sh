#!/usr/bin/env bash
# bench-destinations.sh: /track latency with and without webhook
# destinations, at the same offered load.
#
#   scripts/bench-destinations.sh                 # 0 and 3 destinations, 3 runs each
#   DESTS="0 1 3" RUNS=5 RATE=500 SECS=20s scripts/bench-destinations.sh
#   RATE=0 scripts/bench-destinations.sh          # closed loop: capacity instead
#
# Prepares the load kit's purchase workload (scripts/bench-compare.sh
# PREPARE), starts a stand-in receiver (scripts/sink), and for each count of
# destinations starts a fresh server on a copy of the data, adds that many
# webhook destinations on purchase events (the default mapping: the profile
# and the event), and runs `tracflow bench` at RATE requests/s (an open loop;
# latency counted from each request's due time) over PROFILES profiles. It
# prints each run's latency line, the deliveries the receiver got and where
# the CPU went (seconds used during the run by the server's own process, by
# its delivery process and by the receiver, from the start of `tracflow
# bench` to its end, its warm-up included; Linux, from /proc) and what the
# server and its delivery process wrote meanwhile (write calls to files,
# pipes and sockets; most of the delivery process's is its queue's
# database, which shares the store's disk), then the
# median p99 per count of destinations and, with 0 among them, the median of
# each round's ratio to the p99 without destinations.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE="${RATE:-500}"; SECS="${SECS:-20s}"; RUNS="${RUNS:-3}"; DESTS="${DESTS:-0 3}"
PROFILES="${PROFILES:-1000}"
ADDR=127.0.0.1:18688; SINK=127.0.0.1:18900
work="$(mktemp -d)"
pid=""; sink=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$work"' EXIT
PREPARE="$work" scripts/bench-compare.sh >/dev/null
go build -o "$work/sink" ./scripts/sink
# Another receiver on the address would take the deliveries and hide its CPU.
if curl -s -o /dev/null "http://$SINK/"; then
	echo "bench-destinations: $SINK is in use: stop what listens there" >&2
	exit 1
fi
"$work/sink" --addr "$SINK" &
sink=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://$SINK/count" && break; sleep 0.1; done
export TRACFLOW_ADMIN_PASSWORD="bench-compare password"
rate=(); [ "$RATE" != 0 ] && rate=(--rate "$RATE")
hz="$(getconf CLK_TCK)" # the unit of /proc's CPU times
declare -A p99of # the p99 of each count of destinations and round
# median "A B C ...": the middle value (the lower of the two middle ones).
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# usage SERVER CHILD RECEIVER: the CPU ticks (user and system) each has
# used, then the bytes the server and the child have written with write
# calls (files, pipes and sockets); 0 for a process that is gone.
usage() {
	local p v out=()
	for p in "$@"; do
		v="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null)" || v=0
		out+=("${v:-0}")
	done
	for p in "$1" "$2"; do
		v="$(awk '$1 == "wchar:" {print $2}' "/proc/$p/io" 2>/dev/null)" || v=0
		out+=("${v:-0}")
	done
	echo "${out[*]}"
}
for run in $(seq "$RUNS"); do
	for n in $DESTS; do
		rm -rf "$work/run"; cp -r "$work/data" "$work/run"
		"$work/tracflow" serve --addr "$ADDR" --data "$work/run" --no-demo --log-level warn >"$work/serve.log" 2>&1 &
		pid=$!
		for _ in $(seq 300); do curl -fs -o /dev/null "http://$ADDR/healthz" && break; sleep 0.1; done
		token="$(curl -fs "http://$ADDR/user/token" -d username=admin@localhost --data-urlencode "password=$TRACFLOW_ADMIN_PASSWORD" |
			sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
		for i in $(seq 1 "$n"); do
			curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "http://$ADDR/destination" \
				-d '{"id":"d'"$i"'","name":"D'"$i"'","enabled":true,"destination":{"package":"webhook","init":{"url":"http://'"$SINK"'/hook'"$i"'"}},"event_type":{"id":"purchase"}}'
		done
		c0="$(curl -fs "http://$SINK/count")"
		child=""
		for _ in $(seq 50); do # the delivery process starts with the first destination
			[ "$n" = 0 ] && break
			child="$(pgrep -P "$pid" | head -1 || true)"
			[ -n "$child" ] && break
			sleep 0.1
		done
		u0="$(usage "$pid" "${child:-0}" "$sink")"
		out="$("$work/tracflow" bench --url "http://$ADDR" --source s1 --event-type purchase --properties '{"price":12.5,"sku":"A1"}' --duration "$SECS" \
			--concurrency 32 --profiles "$PROFILES" "${rate[@]}" --server-pid "$pid")"
		u1="$(usage "$pid" "${child:-0}" "$sink")"
		sleep 3 # deliveries still on their way
		got=$(($(curl -fs "http://$SINK/count") - c0))
		kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
		line="$(grep '^latency' <<<"$out")"
		split="$(awk -v hz="$hz" -v a="$u0" -v b="$u1" -v got="$got" 'BEGIN {
			split(a, x, " "); split(b, y, " ")
			printf "CPU s: server %.1f, delivery process %.1f, receiver %.1f", (y[1]-x[1])/hz, (y[2]-x[2])/hz, (y[3]-x[3])/hz
			printf "; written: server %.0f MB", (y[4]-x[4])/1e6
			if (got > 0) printf ", delivery process %.0f MB (%.1f KB per delivery)", (y[5]-x[5])/1e6, (y[5]-x[5])/got/1e3 }')"
		echo "run $run, $n destinations: $(grep '^events/s' <<<"$out" | awk '{print $2}') req/s, ${line#latency }, $(grep '^server CPU' <<<"$out" | sed 's/server CPU *//'), $got deliveries received, $split"
		grep '^flow errors' <<<"$out" || true # the workload is not what the flow expects
		p99of[$n,$run]="$(sed -n 's/.*p99 \([0-9.]*\)ms.*/\1/p' <<<"$line")"
	done
done
for n in $DESTS; do
	p99s=""
	for run in $(seq "$RUNS"); do p99s+="${p99of[$n,$run]} "; done
	echo "median p99 with $n destinations: $(median "$p99s") ms"
done
# Each round runs every count back to back: the ratio within a round is
# less exposed to the machine's load drifting between rounds than the
# ratio of the medians.
if [ -n "${p99of[0,1]:-}" ]; then
	for n in $DESTS; do
		[ "$n" = 0 ] && continue
		ratios=""
		for run in $(seq "$RUNS"); do
			ratios+="$(awk -v a="${p99of[$n,$run]}" -v b="${p99of[0,$run]}" 'BEGIN { if (b > 0) printf "%.2f", a / b }') "
		done
		echo "p99 with $n destinations over p99 without, per round: ${ratios% }; median $(median "$ratios")"
	done
fi
