#!/usr/bin/env bash
# bench-pg.sh: the load kit's purchase workload (see bench-compare.sh) on
# PostgreSQL, with one and then two `tracflow serve` processes sharing the
# database, and what each event costs PostgreSQL.
#
#   scripts/bench-pg.sh DSN [path/to/bench]   # default ../shared/bench
#   INSTANCES="1 2" SECS=15 CONNS=32 scripts/bench-pg.sh DSN
#
# DSN is an empty database the script may fill (e.g. the one
# scripts/pg-test-server.sh prints; drop and create it again between runs). For the statement counts, PostgreSQL must load pg_stat_statements
# (shared_preload_libraries) and the database must have the extension; without
# it the statements column reads "-". The load (wrk, CONNS connections split
# over the instances, 1,000 profiles) goes to each instance directly, as a
# load balancer without affinity would send it. One line per run:
#   instances, req/s, p99 (worst instance), tracflow CPU µs/event (all
#   instances), PostgreSQL CPU µs/event (all its processes, when it runs on
#   this machine and its data directory, PGDATA, is readable), statements
#   and WAL bytes per event.
set -euo pipefail
DSN="${1:?usage: bench-pg.sh DSN [bench kit]}"
KIT="$(cd "${2:-$(dirname "$0")/../../shared/bench}" && pwd)"
SECS="${SECS:-15}" CONNS="${CONNS:-32}" WARM="${WARM:-3}" INSTANCES="${INSTANCES:-1 2}"
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
export TRACFLOW_SECRET_KEY="${TRACFLOW_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
ADDR="${SETUP_ADDR:-127.0.0.1:18799}" DB="$DSN" PREPARE="$work" scripts/bench-compare.sh "$KIT" >/dev/null ||
	{ tail -3 "$work/setup.log" >&2; exit 1; }

sql() { psql "$DSN" -Atqc "$1"; }
has_pgss=0
sql "select 1 from pg_stat_statements limit 1" >/dev/null 2>&1 && has_pgss=1
# PostgreSQL's processes, when its data directory is local: PGDATA, or what
# the server says (which needs pg_read_all_settings).
pgdata="${PGDATA:-$(sql "show data_directory" 2>/dev/null || true)}"
pg_ticks() {
	local pm t=0 p
	pm="$(head -1 "$pgdata/postmaster.pid" 2>/dev/null)" || { echo -1; return; }
	for p in "$pm" $(ps -o pid= --ppid "$pm"); do
		t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
ticks() { # utime+stime of the given pids, in clock ticks
	local t=0 p
	for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
	echo "$t"
}
snapshot() { # statements, WAL position
	local st=-
	[ "$has_pgss" = 1 ] && st="$(sql "select sum(calls) from pg_stat_statements")"
	echo "$st $(sql "select pg_current_wal_lsn() - '0/0'")"
}
HZ="$(getconf CLK_TCK)"

printf '%-9s %8s %8s %10s %10s %9s %9s\n' instances 'req/s' 'p99_ms' 'tf_us/ev' 'pg_us/ev' 'stmts/ev' 'WAL_B/ev'
for n in $INSTANCES; do
	pids=() urls=()
	for i in $(seq "$n"); do
		port=$((${BASE_PORT:-18710} + i))
		"$work/tracflow" serve --addr "127.0.0.1:$port" --data "$work/data$i" --db "$DSN" --no-demo --log-level warn >"$work/serve$i.log" 2>&1 &
		pids+=($!)
		urls+=("http://127.0.0.1:$port/track")
		for _ in $(seq 300); do
			curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
			sleep 0.1
		done
	done
	per=$((CONNS / n))
	warm=()
	for u in "${urls[@]}"; do
		"$KIT/load.sh" "$u" "$WARM" "$per" >/dev/null &
		warm+=($!)
	done
	for p in "${warm[@]}"; do wait "$p"; done
	sleep 1
	read -r st0 wal0 <<<"$(snapshot)"
	t0="$(ticks "${pids[@]}")" p0="$(pg_ticks)"
	outs=()
	for i in "${!urls[@]}"; do
		"$KIT/load.sh" "${urls[$i]}" "$SECS" "$per" >"$work/load$i.txt" &
		outs+=($!)
	done
	for p in "${outs[@]}"; do wait "$p"; done
	t1="$(ticks "${pids[@]}")" p1="$(pg_ticks)"
	read -r st1 wal1 <<<"$(snapshot)"
	cat "$work"/load*.txt | awk -v n="$n" -v t="$((t1 - t0))" -v p0="$p0" -v p="$((p1 - p0))" -v hz="$HZ" \
		-v st="$([ "$st0" = - ] && echo - || echo $((st1 - st0)))" -v wal="$((wal1 - wal0))" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  rps += v["rps"]; req += v["requests"]; if (v["p99_ms"] > p99) p99 = v["p99_ms"] }
		END {
			pg = (p0 < 0) ? "-" : sprintf("%.0f", p * 1e6 / hz / req)
			s = (st == "-") ? "-" : sprintf("%.1f", st / req)
			printf "%-9d %8.0f %8.1f %10.0f %10s %9s %9.0f\n", n, rps, p99, t * 1e6 / hz / req, pg, s, wal / req
		}'
	rm -f "$work"/load*.txt
	for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
	pids=()
done
if [ "$has_pgss" = 1 ]; then
	echo "# the most frequent statements: calls, mean execution µs (waits included), WAL bytes per call"
	sql "select calls, round((total_exec_time / calls * 1000)::numeric, 1), round(wal_bytes / calls),
		left(regexp_replace(query, '\s+', ' ', 'g'), 90) from pg_stat_statements
		where dbid = (select oid from pg_database where datname = current_database()) order by calls desc limit 8"
fi
