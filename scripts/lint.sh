#!/usr/bin/env bash
# Runs golangci-lint with .golangci.yml and fails on any finding. The
# linter's version is pinned here; it is built once with `go install` from
# the Go module proxy into a cache folder (TRACFLOW_TOOLS, default
# ~/.cache/tracflow-tools) and reused from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

version=v2.15.0
tools="${TRACFLOW_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tracflow-tools}"
bin="$tools/golangci-lint-$version/golangci-lint"
if [ ! -x "$bin" ]; then
  echo "lint.sh: installing golangci-lint $version into $(dirname "$bin")"
  mkdir -p "$(dirname "$bin")"
  (cd / && GOBIN="$(dirname "$bin")" GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version")
fi
"$bin" run ./...
