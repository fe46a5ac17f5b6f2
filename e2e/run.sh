#!/usr/bin/env bash
# Checks the web GUI: installs what is missing (npm packages of web/ and
# e2e/, Debian's chromium), rebuilds web/dist and fails when it differs from
# the committed build, runs ESLint over web/src (any finding fails), the
# GUI's unit tests, then the real-browser story
# against a freshly built `tracflow serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

need_ci() { # $1: folder; true when node_modules is missing or older than the lock file
  [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]
}
for d in web e2e; do
  if need_ci "$d"; then
    echo "== npm ci in $d/"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "== installing chromium"
  if [ "$(id -u)" -eq 0 ]; then
    scripts/apt-install.sh chromium fonts-dejavu-core >/dev/null
  else
    sudo scripts/apt-install.sh chromium fonts-dejavu-core >/dev/null
  fi
fi

echo "== ESLint of web/src"
(cd web && npm run --silent lint)

echo "== rebuilding web/dist"
(cd web && npm run --silent build -- --logLevel warn)
if ! git diff --quiet -- web/dist || [ -n "$(git ls-files --others --exclude-standard -- web/dist)" ]; then
  echo "web/dist differs from the sources: run 'npm run build' in web/ and commit web/dist." >&2
  git status --short -- web/dist >&2
  exit 1
fi

echo "== GUI unit tests and the real-browser story"
node --test --test-concurrency=1 --test-timeout=900000 web/test/ e2e/*.test.mjs
