#!/usr/bin/env bash
# common.sh - shared settings and helpers for the cinder-operator test
# environment scripts. Sourced by mariadb.sh, rabbitmq.sh, cinder.sh, up.sh
# and down.sh; not meant to be run on its own.
#
# Every daemon is started detached (own session, stdin from /dev/null,
# stdout/stderr to a log file), its PID goes into a pid file, and it is
# stopped only through that PID (after checking that the PID still belongs
# to the expected command line).

# shellcheck disable=SC2034  # variables are used by the sourcing scripts
TESTENV_DIR=${CINDER_TESTENV_DIR:-/tmp/cinder-operator-testenv}
DB_HOST=127.0.0.1
DB_PORT=${CINDER_TEST_DB_PORT:-33306}
DB_USER=cinder
DB_PASSWORD=cinder
DB_ROOT_USER=root
DB_ROOT_PASSWORD=root
AMQP_HOST=127.0.0.1
AMQP_PORT=${CINDER_TEST_AMQP_PORT:-35672}
AMQP_USER=cinder
AMQP_PASSWORD=cinder
EPMD_PORT=${CINDER_TEST_EPMD_PORT:-34369}

tlog() { printf '[%s] %s\n' "${TESTENV_TAG:-testenv}" "$*"; }
tdie() {
  printf '[%s] ERROR: %s\n' "${TESTENV_TAG:-testenv}" "$*" >&2
  exit 1
}

# now_ms: milliseconds since the epoch (for timings).
now_ms() { date +%s%3N; }

# read_pid FILE: print the PID stored in FILE (empty if none).
read_pid() {
  local f=$1
  [ -s "$f" ] || return 0
  tr -dc '0-9' <"$f"
}

# pid_alive PID: true if PID exists and is not a zombie (daemons started
# here are reparented to init, which may reap them late).
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ "$state" != Z ]
}

# pid_running PIDFILE PATTERN: true if the PID in PIDFILE is alive and its
# command line contains PATTERN (guards against PID reuse).
pid_running() {
  local pid
  pid=$(read_pid "$1")
  [ -n "$pid" ] || return 1
  pid_alive "$pid" || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# start_detached PIDFILE LOGFILE CMD [ARGS...]: run CMD in its own session,
# not attached to any terminal, and record its PID.
start_detached() {
  local pidfile=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo "$!" >"$pidfile"
}

# stop_pid PIDFILE PATTERN NAME [TIMEOUT_S]: SIGTERM the recorded PID, wait
# up to TIMEOUT_S (default 30) seconds, then SIGKILL. Removes the pid file.
stop_pid() {
  local pidfile=$1 pattern=$2 name=$3 timeout=${4:-30} pid i t0
  pid=$(read_pid "$pidfile")
  if [ -z "$pid" ]; then
    tlog "$name: not started (no pid file)"
    rm -f "$pidfile"
    return 0
  fi
  if ! pid_running "$pidfile" "$pattern"; then
    tlog "$name: pid $pid not running (stale pid file removed)"
    rm -f "$pidfile"
    return 0
  fi
  t0=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    tlog "$name: pid $pid still alive after ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$pidfile"
  tlog "$name: stopped pid $pid in $(($(now_ms) - t0)) ms"
}

# port_open HOST PORT: true if a TCP connection can be opened.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# port_free_or_die HOST PORT WHAT
port_free_or_die() {
  if port_open "$1" "$2"; then
    tdie "$3: port $1:$2 is already in use by another process"
  fi
}
