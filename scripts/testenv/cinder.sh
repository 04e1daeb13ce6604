#!/usr/bin/env bash
# cinder.sh - helpers to run real Cinder services (Debian's packages) against
# the private MariaDB and RabbitMQ of the cinder-operator test environment.
#
# Usage:
#   cinder.sh conf <dir> <host> [extra ini lines...]
#       Write <dir>/cinder.conf for a test service host. Extra lines are
#       appended after a fresh [DEFAULT] header; a line like "[section]"
#       switches section (oslo.config merges repeated sections, later
#       values win). Database name: $CINDER_TEST_DB_NAME (default cinder).
#   cinder.sh dbsync <conf>          create the database if needed, db sync
#   cinder.sh start <binary> <conf> <piddir>
#       Start cinder-scheduler|cinder-volume|cinder-backup detached (no
#       terminal, so SIGHUP resets version pins instead of killing it);
#       output goes to <piddir>/<binary>.out, PID to <piddir>/<binary>.pid.
#   cinder.sh wait <binary> <conf> [timeout_s]
#       Wait until the service has its row in `services` (default 60 s).
#   cinder.sh hup <piddir> <binary>   send SIGHUP to the recorded PID
#   cinder.sh stop <piddir> <binary>  SIGTERM the recorded PID (graceful)
#   cinder.sh status <piddir> <binary>
#   cinder.sh services <conf>         list the services table
#   cinder.sh sql <conf> <statement>  run SQL in the conf's database (table)
#   cinder.sh query <conf> <statement> same, tab-separated, no header
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=cinder
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

DB_NAME_DEFAULT=${CINDER_TEST_DB_NAME:-cinder}
REPORT_INTERVAL=${CINDER_TEST_REPORT_INTERVAL:-1}
SERVICE_DOWN_TIME=${CINDER_TEST_SERVICE_DOWN_TIME:-10}
BINARIES="cinder-scheduler cinder-volume cinder-backup"
PIDDIR_REGISTRY=$TESTENV_DIR/cinder-piddirs

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

check_binary() {
  case " $BINARIES " in
    *" $1 "*) ;;
    *) tdie "unknown binary '$1' (expected one of: $BINARIES)" ;;
  esac
}

# conf_value CONF KEY: first "KEY = value" in CONF (any section).
conf_value() {
  sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | head -n 1
}

# conf_db CONF: database name from [database] connection.
conf_db() {
  local url
  url=$(conf_value "$1" connection)
  [ -n "$url" ] || tdie "no database connection in $1"
  url=${url##*/}
  echo "${url%%\?*}"
}

sql_as_cinder() {
  MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults --protocol=TCP -h"$DB_HOST" \
    -P"$DB_PORT" -u"$DB_USER" "$@"
}

cmd_conf() {
  [ $# -ge 2 ] || usage
  local dir=$1 host=$2 conf line
  shift 2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$dir/state" "$dir/lock" "$dir/log" "$dir/backups"
  conf=$dir/cinder.conf
  cat >"$conf" <<CONF
# Written by cinder.sh (cinder-operator test environment).
[DEFAULT]
host = $host
transport_url = rabbit://$AMQP_USER:$AMQP_PASSWORD@$AMQP_HOST:$AMQP_PORT/
state_path = $dir/state
auth_strategy = noauth
debug = false
use_stderr = false
# One log file per binary: $dir/log/<binary>.log
log_dir = $dir/log
report_interval = $REPORT_INTERVAL
service_down_time = $SERVICE_DOWN_TIME
periodic_interval = 5
periodic_fuzzy_delay = 0
graceful_shutdown_timeout = 30
scheduler_driver_init_wait_time = 3
enabled_backends = fake
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $dir/backups

[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake

[database]
connection = mysql+pymysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME_DEFAULT

[oslo_concurrency]
lock_path = $dir/lock
CONF
  if [ $# -gt 0 ]; then
    printf '\n# extra lines\n[DEFAULT]\n' >>"$conf"
    for line in "$@"; do
      printf '%s\n' "$line" >>"$conf"
    done
  fi
  echo "$conf"
}

cmd_dbsync() {
  [ $# -eq 1 ] || usage
  local conf=$1 db t0
  [ -f "$conf" ] || tdie "no such file: $conf"
  db=$(conf_db "$conf")
  sql_as_cinder -e "CREATE DATABASE IF NOT EXISTS \`$db\`"
  t0=$(now_ms)
  cinder-manage --config-file "$conf" --nodebug db sync
  tlog "db sync of '$db' took $(($(now_ms) - t0)) ms (alembic version $(sql_as_cinder -N -B "$db" -e 'SELECT version_num FROM alembic_version'))"
}

cmd_start() {
  [ $# -eq 3 ] || usage
  local binary=$1 conf=$2 piddir=$3 bin pidfile
  check_binary "$binary"
  [ -f "$conf" ] || tdie "no such file: $conf"
  conf=$(cd "$(dirname "$conf")" && pwd)/$(basename "$conf")
  bin=$(command -v "$binary") || tdie "$binary not installed (run install.sh)"
  mkdir -p "$piddir"
  pidfile=$piddir/$binary.pid
  if [ -s "$pidfile" ] && pid_running "$pidfile" "$binary --config-file"; then
    tlog "$binary already running (pid $(read_pid "$pidfile"))"
    return 0
  fi
  piddir=$(cd "$piddir" && pwd)
  pidfile=$piddir/$binary.pid
  # Remember the pid directory so that down.sh can stop this service.
  mkdir -p "$TESTENV_DIR"
  touch "$PIDDIR_REGISTRY"
  grep -qxF "$piddir" "$PIDDIR_REGISTRY" || echo "$piddir" >>"$PIDDIR_REGISTRY"
  start_detached "$pidfile" "$piddir/$binary.out" "$bin" --config-file "$conf"
  echo "$conf" >"$piddir/$binary.conf"
  sleep 0.2
  if ! pid_alive "$(read_pid "$pidfile")"; then
    tail -n 20 "$piddir/$binary.out" >&2 || true
    tdie "$binary exited right after start"
  fi
  tlog "$binary started, pid $(read_pid "$pidfile") (output: $piddir/$binary.out)"
}

cmd_wait() {
  [ $# -ge 2 ] || usage
  local binary=$1 conf=$2 timeout=${3:-60} host db i n t0
  check_binary "$binary"
  host=$(conf_value "$conf" host)
  db=$(conf_db "$conf")
  t0=$(now_ms)
  for ((i = 0; i < timeout * 5; i++)); do
    n=$(sql_as_cinder -N -B "$db" -e "SELECT COUNT(*) FROM services WHERE \`binary\`='$binary' AND (host='$host' OR host LIKE '$host@%') AND deleted=0 AND rpc_current_version IS NOT NULL" 2>/dev/null || echo 0)
    if [ "${n:-0}" -gt 0 ]; then
      tlog "$binary on $host has its services row after $(($(now_ms) - t0)) ms"
      return 0
    fi
    sleep 0.2
  done
  tdie "$binary on $host: no services row after ${timeout}s"
}

cmd_hup() {
  [ $# -eq 2 ] || usage
  local piddir=$1 binary=$2 pidfile
  pidfile=$piddir/$binary.pid
  pid_running "$pidfile" "$binary --config-file" || tdie "$binary not running"
  kill -HUP "$(read_pid "$pidfile")"
  tlog "sent SIGHUP to $binary pid $(read_pid "$pidfile")"
}

cmd_stop() {
  [ $# -eq 2 ] || usage
  local piddir=$1 binary=$2 pidfile pid
  check_binary "$binary"
  pidfile=$piddir/$binary.pid
  pid=$(read_pid "$pidfile")
  stop_pid "$pidfile" "$binary --config-file" "$binary" 90
  # The process was started in its own session (pgid = pid); reap any
  # child worker left behind (oslo.service ProcessLauncher children).
  if [ -n "$pid" ] && pgrep -g "$pid" >/dev/null 2>&1; then
    tlog "$binary: killing leftover processes of process group $pid"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$piddir/$binary.conf"
}

cmd_status() {
  [ $# -eq 2 ] || usage
  local pidfile=$1/$2.pid
  if pid_running "$pidfile" "$2 --config-file"; then
    echo "$2: running (pid $(read_pid "$pidfile"))"
  else
    echo "$2: stopped"
    return 3
  fi
}

cmd_services() {
  [ $# -eq 1 ] || usage
  sql_as_cinder -t "$(conf_db "$1")" -e "SELECT id, host, \`binary\`, disabled, report_count, rpc_current_version AS rpc, object_current_version AS obj, updated_at, deleted FROM services ORDER BY id"
}

cmd_sql() {
  [ $# -eq 2 ] || usage
  sql_as_cinder -t "$(conf_db "$1")" -e "$2"
}

cmd_query() {
  [ $# -eq 2 ] || usage
  sql_as_cinder -N -B "$(conf_db "$1")" -e "$2"
}

sub=${1:-}
[ -n "$sub" ] || usage
shift
case "$sub" in
  conf) cmd_conf "$@" ;;
  dbsync) cmd_dbsync "$@" ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  hup) cmd_hup "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  services) cmd_services "$@" ;;
  sql) cmd_sql "$@" ;;
  query) cmd_query "$@" ;;
  *) usage ;;
esac
