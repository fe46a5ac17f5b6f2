#!/usr/bin/env bash
# apt-install.sh PACKAGE...: installs Debian packages for the test scripts.
#
# The test servers start side by side (scripts/test.sh), and on a fresh
# machine each may need its package at the same moment. apt allows one
# apt-get at a time and fails at once when another holds its lock, so the
# installs take turns here (flock on /tmp/tracflow-apt.lock), and wait up to
# ten minutes for an apt-get started by something else. Packages already
# installed are left alone.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
exec 9>/tmp/tracflow-apt.lock
flock 9
wait=(-o DPkg::Lock::Timeout=600)
apt-get "${wait[@]}" update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" install -y -qq --no-install-recommends "${missing[@]}"
