#!/bin/sh
# Builds the static tracflow binary: the one the Dockerfile ships and the
# packaging test checks (no cgo, so no C library to load; build paths
# trimmed; version, commit and date stamped with -ldflags). Settings:
#   OUT      output file (default: ./tracflow)
#   VERSION  COMMIT  DATE   what `tracflow version` prints; empty ones are
#            taken from the Go toolchain's VCS stamp when it has one
#   GOOS GOARCH             as for go build
set -eu
cd "$(dirname "$0")/.."
pkg=github.com/tracflow/tracflow/internal/buildinfo
CGO_ENABLED=0 exec go build -trimpath \
  -ldflags "-s -w -X $pkg.Version=${VERSION:-} -X $pkg.Commit=${COMMIT:-} -X $pkg.Date=${DATE:-}" \
  -o "${OUT:-tracflow}" ./cmd/tracflow
