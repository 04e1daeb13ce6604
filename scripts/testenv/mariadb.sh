#!/usr/bin/env bash
# mariadb.sh - private MariaDB for cinder-operator tests, on 127.0.0.1 only.
#
# Usage: mariadb.sh start|stop|status|env
#
# State lives under $CINDER_TESTENV_DIR/mariadb (default
# /tmp/cinder-operator-testenv/mariadb); port $CINDER_TEST_DB_PORT (default
# 33306). Users: root/root (also over TCP, with GRANT OPTION) and
# cinder/cinder (all privileges on *.*, enough to CREATE/DROP databases).
# Database `cinder` is created. The server runs detached; it is stopped by
# the PID recorded at start.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=mariadb
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

DB_DIR=$TESTENV_DIR/mariadb
DATA_DIR=$DB_DIR/data
SOCK=$DB_DIR/mariadb.sock
PID_FILE=$DB_DIR/mariadbd.pid
LOG_FILE=$DB_DIR/mariadbd.log
MATCH="--datadir=$DATA_DIR"

# Client as root over the private socket (root gets a password below;
# MYSQL_PWD keeps it off the command line).
client_root() {
  MYSQL_PWD=$DB_ROOT_PASSWORD mariadb --no-defaults --socket="$SOCK" -u"$DB_ROOT_USER" "$@"
}

ping_root() {
  # Before the password is set, root has none; accept either.
  mariadb-admin --no-defaults --socket="$SOCK" -u"$DB_ROOT_USER" ping >/dev/null 2>&1 ||
    MYSQL_PWD=$DB_ROOT_PASSWORD mariadb-admin --no-defaults --socket="$SOCK" \
      -u"$DB_ROOT_USER" ping >/dev/null 2>&1
}

find_bin() {
  local b
  for b in "$@"; do
    if command -v "$b" >/dev/null 2>&1; then
      command -v "$b"
      return 0
    fi
    if [ -x "/usr/sbin/$b" ]; then
      echo "/usr/sbin/$b"
      return 0
    fi
  done
  return 1
}

do_start() {
  local t0 t1 mariadbd install_db i pid
  if pid_running "$PID_FILE" "$MATCH"; then
    tlog "already running (pid $(read_pid "$PID_FILE"), port $DB_PORT)"
    return 0
  fi
  mariadbd=$(find_bin mariadbd mysqld) || tdie "mariadbd not found (run install.sh --db-only)"
  install_db=$(find_bin mariadb-install-db mysql_install_db) || tdie "mariadb-install-db not found"
  port_free_or_die "$DB_HOST" "$DB_PORT" "mariadb"
  mkdir -p "$DB_DIR"
  rm -f "$PID_FILE" "$SOCK"

  t0=$(now_ms)
  if [ ! -d "$DATA_DIR/mysql" ]; then
    tlog "initialising data directory $DATA_DIR"
    "$install_db" --no-defaults --datadir="$DATA_DIR" --user=root \
      --auth-root-authentication-method=normal --skip-test-db \
      >"$DB_DIR/install-db.log" 2>&1 ||
      { cat "$DB_DIR/install-db.log" >&2; tdie "mariadb-install-db failed"; }
    tlog "install-db took $(($(now_ms) - t0)) ms"
  fi

  t1=$(now_ms)
  start_detached "$PID_FILE" "$LOG_FILE" "$mariadbd" --no-defaults \
    --datadir="$DATA_DIR" --user=root --bind-address="$DB_HOST" \
    --port="$DB_PORT" --socket="$SOCK" --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --log-error="$LOG_FILE" --pid-file="$DB_DIR/mariadbd.own.pid" \
    --skip-log-bin --innodb-buffer-pool-size=64M
  pid=$(read_pid "$PID_FILE")
  for ((i = 0; i < 300; i++)); do
    if ! pid_alive "$pid"; then
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      tdie "mariadbd exited during start-up (log: $LOG_FILE)"
    fi
    ping_root && break
    sleep 0.1
  done
  ping_root || tdie "mariadbd did not answer ping within 30 s (log: $LOG_FILE)"
  tlog "mariadbd pid $pid ready in $(($(now_ms) - t1)) ms on $DB_HOST:$DB_PORT"

  setup_users
  tlog "start total $(($(now_ms) - t0)) ms"
}

setup_users() {
  local sql
  # Root over TCP (127.0.0.1) as well as the socket, both with password;
  # the password-less root@<hostname> and root@::1 from install-db go away.
  # cinder gets every privilege on *.* except GRANT OPTION, so tests can
  # create and drop one database per test class.
  sql="
ALTER USER '$DB_ROOT_USER'@'localhost' IDENTIFIED BY '$DB_ROOT_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_ROOT_USER'@'127.0.0.1' IDENTIFIED BY '$DB_ROOT_PASSWORD';
ALTER USER '$DB_ROOT_USER'@'127.0.0.1' IDENTIFIED BY '$DB_ROOT_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_ROOT_USER'@'127.0.0.1' WITH GRANT OPTION;
DELETE FROM mysql.global_priv WHERE User='$DB_ROOT_USER' AND Host NOT IN ('localhost', '127.0.0.1');
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'%';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
CREATE DATABASE IF NOT EXISTS cinder;
FLUSH PRIVILEGES;"
  if mariadb --no-defaults --socket="$SOCK" -u"$DB_ROOT_USER" -e 'SELECT 1' >/dev/null 2>&1; then
    mariadb --no-defaults --socket="$SOCK" -u"$DB_ROOT_USER" -e "$sql"
  else
    client_root -e "$sql"
  fi
  # Check the way tests will connect: TCP with a password.
  MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults --protocol=TCP -h"$DB_HOST" \
    -P"$DB_PORT" -u"$DB_USER" -e 'SELECT 1' cinder >/dev/null ||
    tdie "cannot log in as $DB_USER over TCP"
  MYSQL_PWD=$DB_ROOT_PASSWORD mariadb --no-defaults --protocol=TCP -h"$DB_HOST" \
    -P"$DB_PORT" -u"$DB_ROOT_USER" -e 'SELECT 1' >/dev/null ||
    tdie "cannot log in as $DB_ROOT_USER over TCP"
  tlog "users $DB_ROOT_USER/$DB_ROOT_PASSWORD and $DB_USER/$DB_PASSWORD ready, database cinder exists"
}

do_stop() {
  stop_pid "$PID_FILE" "$MATCH" "mariadbd" 60
  rm -f "$SOCK"
}

do_status() {
  if pid_running "$PID_FILE" "$MATCH"; then
    echo "mariadb: running (pid $(read_pid "$PID_FILE"), $DB_HOST:$DB_PORT, socket $SOCK)"
    return 0
  fi
  echo "mariadb: stopped"
  return 3
}

do_env() {
  cat <<ENV
export CINDER_TEST_DB_HOST=$DB_HOST
export CINDER_TEST_DB_PORT=$DB_PORT
export CINDER_TEST_DB_USER=$DB_USER
export CINDER_TEST_DB_PASSWORD=$DB_PASSWORD
export CINDER_TEST_DB_ROOT_USER=$DB_ROOT_USER
export CINDER_TEST_DB_ROOT_PASSWORD=$DB_ROOT_PASSWORD
export CINDER_TEST_DB_SOCKET=$SOCK
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
