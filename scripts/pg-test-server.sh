#!/usr/bin/env bash
# pg-test-server.sh: a throwaway PostgreSQL server for the storage tests.
#
#   export TRACFLOW_TEST_PG="$(scripts/pg-test-server.sh)"
#   go test -race ./internal/store/...
#   scripts/pg-test-server.sh stop
#
# Makes sure Debian's postgresql package is installed (installs it only when
# missing; needs root), creates a cluster in $TRACFLOW_PG_DIR (default
# /tmp/tracflow-pg) listening on 127.0.0.1:$TRACFLOW_PG_PORT (default 5432)
# with fsync on, starts it, creates the role tracflow (password tracflow) and
# the database tracflow_test, and prints the DSN on stdout (progress goes to
# stderr). Idempotent: when the DSN already connects it only prints it. When
# another PostgreSQL server already listens on the port, the role and the
# database are created there (through its local socket, as user postgres).
set -euo pipefail

PORT="${TRACFLOW_PG_PORT:-5432}"
DIR="${TRACFLOW_PG_DIR:-/tmp/tracflow-pg}"
DSN="postgres://tracflow:tracflow@127.0.0.1:${PORT}/tracflow_test?sslmode=disable"

log() { echo "pg-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

pgbin() {
	local d
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
	[ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# as_pg runs a command as the postgres user when we are root, else as ourselves.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

dsn_works() {
	command -v psql >/dev/null 2>&1 && psql "$DSN" -Atqc 'select 1' >/dev/null 2>&1
}

if [ "${1:-}" = stop ]; then
	BIN="$(pgbin)" || die "postgresql is not installed"
	if [ -f "$DIR/data/postmaster.pid" ]; then
		as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
	else
		log "no server running in $DIR"
	fi
	exit 0
fi

if dsn_works; then
	echo "$DSN"
	exit 0
fi

BIN="$(pgbin || true)"
if [ -z "$BIN" ]; then
	[ "$(id -u)" = 0 ] || die "postgresql is not installed; run this script as root to install it"
	log "installing postgresql"
	"$(dirname "$0")/apt-install.sh" postgresql >&2
	BIN="$(pgbin)" || die "postgresql installed but no initdb found under /usr/lib/postgresql"
fi

SOCKETS=()
if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
	# Someone else's server (e.g. the Debian cluster) holds the port: use it.
	log "a server already listens on 127.0.0.1:$PORT; adding role and database to it"
	SOCKETS=("$DIR" /var/run/postgresql)
else
	if [ ! -f "$DIR/data/PG_VERSION" ]; then
		log "creating cluster in $DIR/data"
		mkdir -p "$DIR"
		[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
		chmod 700 "$DIR"
		as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
			--encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
		cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 300
fsync = on
synchronous_commit = on
CONF
	fi
	log "starting server on 127.0.0.1:$PORT"
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
		die "server did not start; see $DIR/server.log"
	SOCKETS=("$DIR")
fi

SQL="
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tracflow') THEN
    CREATE ROLE tracflow LOGIN PASSWORD 'tracflow';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE tracflow_test OWNER tracflow'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tracflow_test') \\gexec
"
done_sql=""
for s in "${SOCKETS[@]}"; do
	if [ -S "$s/.s.PGSQL.$PORT" ] && printf '%s\n' "$SQL" | as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$s" -p "$PORT" -U postgres -d postgres >/dev/null; then
		done_sql=1
		break
	fi
done
[ -n "$done_sql" ] || die "could not reach the server on port $PORT as user postgres to create the role and database"

PGBIN="$BIN"
if ! PGCONNECT_TIMEOUT=5 "$PGBIN/psql" "$DSN" -Atqc 'select 1' >/dev/null 2>&1; then
	die "the server is up but $DSN does not connect"
fi
echo "$DSN"
