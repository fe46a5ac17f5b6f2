#!/usr/bin/env bash
# Runs every test of the project: gofmt, vet and golangci-lint
# (scripts/lint.sh), the Go tests with the race
# detector (the storage suite against SQLite and a real PostgreSQL server,
# the serve process tests, the example plugin of the developer guide), then
# the web GUI's checks and its real-browser tests (e2e/run.sh).
#
# PostgreSQL: set TRACFLOW_TEST_PG to a server's URL to use that server.
# Otherwise the script starts a throwaway server of its own (installing
# Debian's postgresql package when missing, which needs root) on a free
# private port from 55433 up, with its data and socket in a temporary folder,
# and stops and removes it when it ends. It never uses a server that already
# listens (not 5432, nor any other), and no PostgreSQL test may be skipped.
#
# MariaDB, RabbitMQ, Mosquitto and Redis for the connector and memory tests:
# for each of TRACFLOW_TEST_MYSQL, TRACFLOW_TEST_RABBITMQ, TRACFLOW_TEST_MQTT
# and TRACFLOW_TEST_REDIS that is not set, the script starts a throwaway server (scripts/service-test-server.sh,
# installing the Debian package when missing) on a free port of 127.0.0.1, in
# the background while gofmt and vet run, and stops it when it ends; no
# connector test may be skipped then.
#
# The script leaves the work tree as it found it (screenshots of the browser
# story go to a temporary folder unless TRACFLOW_SCREENSHOTS names one), and
# fails when `git status --porcelain` changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

tree_before="$(git status --porcelain)"

# free_port prints the first port from $1 (default 55433) up that nothing
# listens on.
free_port() {
  local p from="${1:-55433}"
  for p in $(seq "$from" $((from + 100))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "test.sh: no free port in $from-$((from + 100))" >&2
  return 1
}

cleanups=()
cleanup() {
  local c
  for c in "${cleanups[@]}"; do eval "$c" || true; done
}
trap cleanup EXIT

# The connector test servers start in the background now and are waited
# for before go test.
svc_pids=()
for svc in mysql:MYSQL:55633 rabbitmq:RABBITMQ:55733 mqtt:MQTT:55833 redis:REDIS:55933; do
  IFS=: read -r kind var from <<<"$svc"
  envvar="TRACFLOW_TEST_$var"
  if [ -n "${!envvar:-}" ]; then
    echo "== $kind: the server $envvar names"
    continue
  fi
  dir="$(mktemp -d "/tmp/tracflow-test-$kind.XXXXXX")"
  port="$(free_port "$from")"
  echo "== $kind: a throwaway server on 127.0.0.1:$port (data in $dir), starting in the background"
  cleanups+=("scripts/service-test-server.sh stop $kind $dir; rm -rf $dir")
  scripts/service-test-server.sh "$kind" "$port" "$dir" >"$dir.url" 2>"$dir.log" &
  svc_pids+=("$!:$kind:$envvar:$dir")
done

if [ -z "${TRACFLOW_TEST_PG:-}" ]; then
  pg_dir="$(mktemp -d /tmp/tracflow-test-pg.XXXXXX)"
  pg_port="$(free_port)"
  cleanups+=("TRACFLOW_PG_DIR=$pg_dir scripts/pg-test-server.sh stop; rm -rf $pg_dir")
  echo "== PostgreSQL: a throwaway server on 127.0.0.1:$pg_port (socket and data in $pg_dir)"
  TRACFLOW_TEST_PG="$(TRACFLOW_PG_PORT="$pg_port" TRACFLOW_PG_DIR="$pg_dir" scripts/pg-test-server.sh | tail -n 1)"
else
  echo "== PostgreSQL: the server TRACFLOW_TEST_PG names"
fi
export TRACFLOW_TEST_PG
# A PostgreSQL test that would skip fails instead.
export TRACFLOW_TEST_REQUIRE_PG=1

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
echo "== go vet"
go vet ./...
for p in "${svc_pids[@]}"; do
  IFS=: read -r pid kind envvar dir <<<"$p"
  if ! wait "$pid"; then
    cat "$dir.log" >&2
    echo "test.sh: the $kind test server did not start" >&2
    exit 1
  fi
  export "$envvar=$(tail -n 1 "$dir.url")"
  rm -f "$dir.url" "$dir.log"
done
# A connector test that would skip for want of its server fails instead.
export TRACFLOW_TEST_REQUIRE_SERVICES=1
echo "== golangci-lint"
scripts/lint.sh
echo "== go test -race"
go test -race -count=1 ./...
echo "== web GUI"
./e2e/run.sh

echo "== the work tree is as the tests found it"
tree_after="$(git status --porcelain)"
if [ "$tree_after" != "$tree_before" ]; then
  echo "the tests changed the work tree:" >&2
  diff <(printf '%s\n' "$tree_before") <(printf '%s\n' "$tree_after") >&2 || true
  exit 1
fi
echo "== all tests passed"
