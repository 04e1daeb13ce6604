#!/usr/bin/env bash
# down.sh - stop everything the test environment scripts started: every
# Cinder service started through cinder.sh (pid directories are recorded in
# $CINDER_TESTENV_DIR/cinder-piddirs), then RabbitMQ (and its epmd), then
# MariaDB. Processes are stopped by their recorded PIDs only. State
# directories are kept; delete $CINDER_TESTENV_DIR to start from scratch.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=down
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

t0=$(now_ms)
registry=$TESTENV_DIR/cinder-piddirs
pids=()
if [ -f "$registry" ]; then
  while IFS= read -r piddir; do
    [ -n "$piddir" ] || continue
    for binary in cinder-volume cinder-backup cinder-scheduler; do
      if [ -f "$piddir/$binary.pid" ]; then
        # Graceful shutdown takes several seconds each: stop in parallel.
        "$HERE/cinder.sh" stop "$piddir" "$binary" &
        pids+=("$!")
      fi
    done
  done <"$registry"
fi
rc=0
for p in "${pids[@]}"; do
  wait "$p" || rc=1
done
[ "$rc" -eq 0 ] && rm -f "$registry"
t1=$(now_ms)
"$HERE/rabbitmq.sh" stop || rc=1
"$HERE/mariadb.sh" stop || rc=1
tlog "cinder services $((t1 - t0)) ms, total $(($(now_ms) - t0)) ms"
exit "$rc"
