#!/usr/bin/env bash
# service-test-server.sh: throwaway MariaDB, RabbitMQ, Mosquitto and Redis
# servers for the connector and memory tests.
#
#   export TRACFLOW_TEST_MYSQL="$(scripts/service-test-server.sh mysql 55633 /tmp/t-mysql)"
#   export TRACFLOW_TEST_RABBITMQ="$(scripts/service-test-server.sh rabbitmq 55634 /tmp/t-rabbit)"
#   export TRACFLOW_TEST_MQTT="$(scripts/service-test-server.sh mqtt 55635 /tmp/t-mqtt)"
#   export TRACFLOW_TEST_REDIS="$(scripts/service-test-server.sh redis 55636 /tmp/t-redis)"
#   go test ./actions/databases/ ./actions/queues/ ./actions/operations/
#   scripts/service-test-server.sh stop mysql /tmp/t-mysql   # likewise rabbitmq, mqtt, redis
#
# Each server listens on 127.0.0.1:<port> only, keeps its data, sockets and
# logs in <dir> (created; its owner becomes the service's system user when
# run as root), and is stopped by "stop <kind> <dir>". The Debian package
# (mariadb-server, rabbitmq-server, mosquitto, redis-server) is installed
# when missing
# (needs root). The login is tracflow / tracflow; the script prints the
# server's URL on stdout (progress goes to stderr):
#   mysql     tracflow:tracflow@tcp(127.0.0.1:<port>)/tracflow_test
#   rabbitmq  amqp://tracflow:tracflow@127.0.0.1:<port>/
#   mqtt      mqtt://tracflow:tracflow@127.0.0.1:<port>
#   redis     redis://:tracflow@127.0.0.1:<port>/0 (password only)
set -euo pipefail

log() { echo "service-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

# as_user runs a command as a service's system user when we are root.
as_user() {
	local u="$1"
	shift
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$u" -- "$@"
	else
		"$@"
	fi
}

ensure_pkg() { # ensure_pkg <command> <package>
	command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
	[ "$(id -u)" = 0 ] || die "$2 is not installed; run this script as root to install it"
	log "installing $2"
	"$(dirname "$0")/apt-install.sh" "$2" >&2
}

wait_port() { # wait_port <port> <seconds> <log file>
	local i
	for i in $(seq 1 $(($2 * 5))); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	[ -f "$3" ] && tail -n 20 "$3" >&2
	die "nothing listens on 127.0.0.1:$1 after $2 s; see $3"
}

prepare_dir() { # prepare_dir <dir> <user>
	mkdir -p "$1"
	chmod 700 "$1"
	if [ "$(id -u)" = 0 ]; then chown "$2:" "$1"; fi
}

kill_pidfile() {
	local pid
	[ -f "$1" ] || return 0
	pid="$(cat "$1")"
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -9 "$pid" 2>/dev/null || true
}

start_mysql() {
	local port="$1" dir="$2"
	ensure_pkg mariadbd mariadb-server
	prepare_dir "$dir" mysql
	if [ ! -d "$dir/data/mysql" ]; then
		log "creating MariaDB data in $dir/data"
		as_user mysql mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket \
			--skip-test-db >"$dir/install.log" 2>&1 || { tail -n 20 "$dir/install.log" >&2; die "mariadb-install-db failed"; }
	fi
	log "starting MariaDB on 127.0.0.1:$port"
	as_user mysql mariadbd --no-defaults --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
		--socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
		--skip-name-resolve --innodb-buffer-pool-size=32M --performance-schema=OFF >/dev/null 2>&1 &
	wait_port "$port" 60 "$dir/error.log"
	for _ in $(seq 1 50); do [ -S "$dir/mysqld.sock" ] && break; sleep 0.2; done
	mariadb --no-defaults -S "$dir/mysqld.sock" -u root <<'SQL' || die "could not create the tracflow login"
CREATE USER IF NOT EXISTS 'tracflow'@'127.0.0.1' IDENTIFIED BY 'tracflow';
CREATE USER IF NOT EXISTS 'tracflow'@'localhost' IDENTIFIED BY 'tracflow';
CREATE DATABASE IF NOT EXISTS tracflow_test;
GRANT ALL ON tracflow_test.* TO 'tracflow'@'127.0.0.1';
GRANT ALL ON tracflow_test.* TO 'tracflow'@'localhost';
SQL
	echo "tracflow:tracflow@tcp(127.0.0.1:$port)/tracflow_test"
}

start_rabbitmq() {
	local port="$1" dir="$2"
	ensure_pkg rabbitmq-server rabbitmq-server
	prepare_dir "$dir" rabbitmq
	# A private epmd and distribution port, so nothing is shared with
	# another RabbitMQ on this machine.
	export ERL_EPMD_PORT=$((port + 1000)) ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=$((port + 2000))
	export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
	export RABBITMQ_NODENAME="tracflow$port@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port"
	export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
	export RABBITMQ_CONFIG_FILE="$dir/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" HOME="$dir"
	printf '[].\n' >"$dir/enabled_plugins"
	printf 'loopback_users = none\nlisteners.tcp.1 = 127.0.0.1:%s\n' "$port" >"$dir/rabbitmq.conf"
	if [ "$(id -u)" = 0 ]; then chown rabbitmq: "$dir/enabled_plugins" "$dir/rabbitmq.conf"; fi
	log "starting RabbitMQ on 127.0.0.1:$port"
	as_user rabbitmq env HOME="$dir" /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/server.out" 2>&1 &
	as_user rabbitmq env HOME="$dir" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$RABBITMQ_NODENAME" wait --timeout 120 "$dir/rabbitmq.pid" >&2 ||
		{ tail -n 20 "$dir/server.out" >&2; die "RabbitMQ did not start"; }
	as_user rabbitmq env HOME="$dir" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$RABBITMQ_NODENAME" add_user tracflow tracflow >/dev/null 2>&1 || true
	as_user rabbitmq env HOME="$dir" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$RABBITMQ_NODENAME" set_permissions -p / tracflow '.*' '.*' '.*' >&2
	wait_port "$port" 30 "$dir/server.out"
	echo "amqp://tracflow:tracflow@127.0.0.1:$port/"
}

start_mqtt() {
	local port="$1" dir="$2"
	ensure_pkg mosquitto mosquitto
	prepare_dir "$dir" mosquitto
	rm -f "$dir/passwd"
	touch "$dir/passwd"
	mosquitto_passwd -b "$dir/passwd" tracflow tracflow
	chmod 600 "$dir/passwd"
	cat >"$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous false
password_file $dir/passwd
persistence false
pid_file $dir/mosquitto.pid
log_dest file $dir/mosquitto.log
CONF
	if [ "$(id -u)" = 0 ]; then chown mosquitto: "$dir/passwd" "$dir/mosquitto.conf"; fi
	log "starting Mosquitto on 127.0.0.1:$port"
	as_user mosquitto mosquitto -c "$dir/mosquitto.conf" >"$dir/server.out" 2>&1 &
	wait_port "$port" 20 "$dir/server.out"
	echo "mqtt://tracflow:tracflow@127.0.0.1:$port"
}

start_redis() {
	local port="$1" dir="$2"
	ensure_pkg redis-server redis-server
	prepare_dir "$dir" redis
	log "starting Redis on 127.0.0.1:$port"
	as_user redis redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --requirepass tracflow \
		--save "" --appendonly no --daemonize no --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1 &
	wait_port "$port" 20 "$dir/redis.log"
	for _ in $(seq 1 25); do [ -f "$dir/redis.pid" ] && break; sleep 0.2; done
	echo "redis://:tracflow@127.0.0.1:$port/0"
}

stop() {
	local kind="$1" dir="$2"
	case "$kind" in
	mysql) kill_pidfile "$dir/mysqld.pid" ;;
	mqtt) kill_pidfile "$dir/mosquitto.pid" ;;
	redis) kill_pidfile "$dir/redis.pid" ;;
	rabbitmq)
		if [ -f "$dir/rabbitmq.pid" ]; then
			kill_pidfile "$dir/rabbitmq.pid"
		fi
		# The private epmd: its port is in the node's environment file.
		if [ -f "$dir/epmd.port" ]; then
			/usr/lib/erlang/bin/epmd -port "$(cat "$dir/epmd.port")" -kill >/dev/null 2>&1 || true
		fi
		;;
	*) die "unknown server kind $kind" ;;
	esac
}

case "${1:-}" in
stop)
	[ $# = 3 ] || die "usage: $0 stop mysql|rabbitmq|mqtt|redis <dir>"
	stop "$2" "$3"
	;;
mysql | rabbitmq | mqtt | redis)
	[ $# = 3 ] || die "usage: $0 mysql|rabbitmq|mqtt|redis <port> <dir>"
	mkdir -p "$3"
	[ "$1" = rabbitmq ] && echo $(($2 + 1000)) >"$3/epmd.port"
	"start_$1" "$2" "$3"
	;;
*)
	die "usage: $0 mysql|rabbitmq|mqtt|redis <port> <dir>  |  $0 stop <kind> <dir>"
	;;
esac
