#!/usr/bin/env bash
# memory-check.sh: the collector's memory under anonymous traffic.
#
#   scripts/memory-check.sh                 # 1,000,000 events over 500,000 profiles
#   EVENTS=200000 PROFILES=100000 scripts/memory-check.sh
#
# Builds tracflow, starts `tracflow serve` on a fresh data folder (SQLite,
# the default settings, demo source and flow), and drives it with
# `tracflow bench --no-session`: EVENTS page-view events, without session
# ids, spread over PROFILES profiles in turn. bench samples the server's
# resident memory (VmRSS) every 250 ms and fails when it passes MAX_RSS
# (default 256MB); it prints events/s, latency, the server's CPU per request
# and the peak RSS. Too long for `go test` (about ten minutes on two cores).
set -euo pipefail

EVENTS="${EVENTS:-1000000}"
PROFILES="${PROFILES:-500000}"
MAX_RSS="${MAX_RSS:-256MB}"
ADDR="${ADDR:-127.0.0.1:18686}"

cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/tracflow" ./cmd/tracflow
TRACFLOW_ADMIN_PASSWORD="memory-check password" "$work/tracflow" serve --addr "$ADDR" --data "$work/data" --log-level warn >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
	curl -fs -o /dev/null "http://$ADDR/healthz" 2>/dev/null && break
	sleep 0.1
done
"$work/tracflow" bench --url "http://$ADDR" --source demo-source --no-session \
	--events "$EVENTS" --profiles "$PROFILES" --warmup 0s \
	--server-pid "$pid" --max-rss "$MAX_RSS"
echo "database: $(du -sh "$work/data" | cut -f1)"
