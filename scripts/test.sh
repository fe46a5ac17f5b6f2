#!/usr/bin/env bash
# Runs every test of the project: gofmt and vet, the Go tests with the race
# detector (the storage suite against SQLite and a real PostgreSQL server,
# the serve process tests, the example plugin of the developer guide), then
# the web GUI's checks and its real-browser tests (e2e/run.sh).
# PostgreSQL: set TRACFLOW_TEST_PG to a server's URL, or run as root on
# Debian and the script installs and starts a throwaway server itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

if [ -z "${TRACFLOW_TEST_PG:-}" ] && [ -x scripts/pg-test-server.sh ]; then
  TRACFLOW_TEST_PG=$(scripts/pg-test-server.sh | tail -n 1)
  export TRACFLOW_TEST_PG
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race"
go test -race -count=1 ./...
echo "== web GUI"
./e2e/run.sh
