#!/usr/bin/env bash
# up.sh - bring up the cinder-operator test environment: install packages
# (unless CINDER_TESTENV_SKIP_INSTALL=1), start the private MariaDB and
# RabbitMQ, then print the `export` lines for tests on stdout (progress goes
# to stderr), e.g.:  eval "$(scripts/testenv/up.sh)"
# The same lines are written to $CINDER_TESTENV_DIR/env.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=up
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

t0=$(now_ms)
if [ "${CINDER_TESTENV_SKIP_INSTALL:-0}" != 1 ]; then
  "$HERE/install.sh" >&2
else
  tlog "CINDER_TESTENV_SKIP_INSTALL=1: not installing" >&2
fi
t1=$(now_ms)
"$HERE/mariadb.sh" start >&2
t2=$(now_ms)
"$HERE/rabbitmq.sh" start >&2
t3=$(now_ms)

mkdir -p "$TESTENV_DIR"
{
  echo "export CINDER_TESTENV_DIR=$TESTENV_DIR"
  "$HERE/mariadb.sh" env
  "$HERE/rabbitmq.sh" env
} >"$TESTENV_DIR/env.sh"
cat "$TESTENV_DIR/env.sh"
tlog "install $((t1 - t0)) ms, mariadb $((t2 - t1)) ms, rabbitmq $((t3 - t2)) ms, total $((t3 - t0)) ms; env in $TESTENV_DIR/env.sh" >&2
