#!/usr/bin/env bash
# rabbitmq.sh - private RabbitMQ for cinder-operator tests, on 127.0.0.1 only.
#
# Usage: rabbitmq.sh start|stop|status|env
#
# Runs its own epmd (127.0.0.1:$CINDER_TEST_EPMD_PORT, default 34369) and a
# RabbitMQ node (AMQP on 127.0.0.1:$CINDER_TEST_AMQP_PORT, default 35672),
# with state under $CINDER_TESTENV_DIR/rabbitmq. User cinder/cinder, vhost /,
# loopback_users = none. Both processes run detached and are stopped by the
# PIDs recorded at start.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=rabbitmq
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

RMQ_DIR=$TESTENV_DIR/rabbitmq
RMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
RMQ_DIAG=/usr/lib/rabbitmq/bin/rabbitmq-diagnostics
NODE_NAME=cinder_testenv_${AMQP_PORT}@localhost
DIST_PORT=$((AMQP_PORT + 1))
CTL_DIST_MIN=$((AMQP_PORT + 10))
CTL_DIST_MAX=$((AMQP_PORT + 20))
EPMD_PID_FILE=$RMQ_DIR/epmd.pid
PID_FILE=$RMQ_DIR/rabbitmq-server.pid
LOG_FILE=$RMQ_DIR/rabbitmq-server.out
MATCH_RMQ=$RMQ_SERVER
MATCH_EPMD="-port $EPMD_PORT"

# Environment shared by the server and the CLI tools (same HOME = same
# Erlang cookie, same epmd, same node name).
rmq_env() {
  export HOME=$RMQ_DIR/home
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT=$EPMD_PORT
  export RABBITMQ_NODENAME=$NODE_NAME
  export RABBITMQ_CONF_ENV_FILE=$RMQ_DIR/rabbitmq-env.conf
  export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$RMQ_DIR/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
  export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia
  export RABBITMQ_LOG_BASE=$RMQ_DIR/log
  export RABBITMQ_PID_FILE=$RMQ_DIR/beam.pid
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export RABBITMQ_DIST_PORT=$DIST_PORT
  export RABBITMQ_CTL_DIST_PORT_MIN=$CTL_DIST_MIN
  export RABBITMQ_CTL_DIST_PORT_MAX=$CTL_DIST_MAX
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

write_config() {
  mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  echo '[].' >"$RMQ_DIR/enabled_plugins"
  echo '[].' >"$RMQ_DIR/advanced.config"
  cat >"$RMQ_DIR/rabbitmq.conf" <<CONF
# written by rabbitmq.sh (cinder-operator test environment)
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
default_user = $AMQP_USER
default_pass = $AMQP_PASSWORD
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
log.file.level = info
log.console = false
CONF
}

# amqp_login: true when an AMQP connection with user/password succeeds.
amqp_login() {
  /usr/bin/python3 - "$AMQP_HOST" "$AMQP_PORT" "$AMQP_USER" "$AMQP_PASSWORD" <<'PY' >/dev/null 2>&1
import sys
import amqp
host, port, user, password = sys.argv[1:5]
c = amqp.Connection(host="%s:%s" % (host, port), userid=user,
                    password=password, virtual_host="/", connect_timeout=2)
c.connect()
c.close()
PY
}

have_amqp_client() { /usr/bin/python3 -c 'import amqp' >/dev/null 2>&1; }

do_start() {
  local t0 i pid epid
  [ -x "$RMQ_SERVER" ] || tdie "$RMQ_SERVER not found (run install.sh)"
  if pid_running "$PID_FILE" "$MATCH_RMQ"; then
    tlog "already running (pid $(read_pid "$PID_FILE"), AMQP port $AMQP_PORT)"
    return 0
  fi
  port_free_or_die "$AMQP_HOST" "$AMQP_PORT" "rabbitmq (AMQP)"
  port_free_or_die 127.0.0.1 "$DIST_PORT" "rabbitmq (distribution)"
  write_config
  rmq_env
  t0=$(now_ms)

  if ! pid_running "$EPMD_PID_FILE" "$MATCH_EPMD"; then
    port_free_or_die 127.0.0.1 "$EPMD_PORT" "epmd"
    start_detached "$EPMD_PID_FILE" "$RMQ_DIR/epmd.log" epmd -address 127.0.0.1 -port "$EPMD_PORT"
    epid=$(read_pid "$EPMD_PID_FILE")
    for ((i = 0; i < 50; i++)); do
      port_open 127.0.0.1 "$EPMD_PORT" && break
      pid_alive "$epid" || tdie "epmd exited (log: $RMQ_DIR/epmd.log)"
      sleep 0.1
    done
    port_open 127.0.0.1 "$EPMD_PORT" || tdie "epmd did not listen on $EPMD_PORT"
    tlog "epmd pid $epid on 127.0.0.1:$EPMD_PORT"
  fi

  rm -f "$RABBITMQ_PID_FILE"
  start_detached "$PID_FILE" "$LOG_FILE" "$RMQ_SERVER"
  pid=$(read_pid "$PID_FILE")
  for ((i = 0; i < 600; i++)); do
    if ! pid_alive "$pid"; then
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      tdie "rabbitmq-server exited during start-up (logs: $LOG_FILE, $RABBITMQ_LOG_BASE)"
    fi
    if port_open "$AMQP_HOST" "$AMQP_PORT"; then
      if have_amqp_client; then
        amqp_login && break
      else
        "$RMQ_DIAG" -q ping >/dev/null 2>&1 && break
      fi
    fi
    sleep 0.1
  done
  if have_amqp_client; then
    amqp_login || tdie "AMQP login as $AMQP_USER failed after 60 s (logs: $LOG_FILE, $RABBITMQ_LOG_BASE)"
  else
    "$RMQ_DIAG" -q ping >/dev/null 2>&1 || tdie "rabbitmq did not answer ping after 60 s"
  fi
  tlog "rabbitmq-server pid $pid (node $NODE_NAME) ready in $(($(now_ms) - t0)) ms, AMQP login ok on $AMQP_HOST:$AMQP_PORT"
}

do_stop() {
  # The wrapper script forwards SIGTERM to the Erlang VM and waits for it.
  stop_pid "$PID_FILE" "$MATCH_RMQ" "rabbitmq-server" 60
  stop_pid "$EPMD_PID_FILE" "$MATCH_EPMD" "epmd" 10
}

do_status() {
  local rc=0
  if pid_running "$PID_FILE" "$MATCH_RMQ"; then
    echo "rabbitmq: running (pid $(read_pid "$PID_FILE"), node $NODE_NAME, AMQP $AMQP_HOST:$AMQP_PORT)"
    rmq_env
    if "$RMQ_DIAG" -q ping >/dev/null 2>&1; then
      echo "rabbitmq: node answers ping"
    else
      echo "rabbitmq: node does not answer ping"
      rc=1
    fi
  else
    echo "rabbitmq: stopped"
    rc=3
  fi
  if pid_running "$EPMD_PID_FILE" "$MATCH_EPMD"; then
    echo "epmd: running (pid $(read_pid "$EPMD_PID_FILE"), 127.0.0.1:$EPMD_PORT)"
  else
    echo "epmd: stopped"
  fi
  return "$rc"
}

do_env() {
  cat <<ENV
export CINDER_TEST_AMQP_HOST=$AMQP_HOST
export CINDER_TEST_AMQP_PORT=$AMQP_PORT
export CINDER_TEST_AMQP_USER=$AMQP_USER
export CINDER_TEST_AMQP_PASSWORD=$AMQP_PASSWORD
export CINDER_TEST_TRANSPORT_URL=rabbit://$AMQP_USER:$AMQP_PASSWORD@$AMQP_HOST:$AMQP_PORT/
ENV
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  env) do_env ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
