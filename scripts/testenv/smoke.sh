#!/usr/bin/env bash
# smoke.sh - end-to-end check of the test environment against real Cinder:
# up.sh, db sync into a fresh database, start cinder-scheduler, cinder-volume
# (fake driver) and cinder-backup (posix driver), check their `services`
# rows and versions, SIGHUP one service and check it resets its pins and
# keeps running, then stop everything (down.sh). Prints timings.
# Usage: smoke.sh [database-name]   (default: smoke_<pid>)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_TAG=smoke
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

db=${1:-smoke_$$}
work=$TESTENV_DIR/smoke-$db
expected="cinder-scheduler 3.12 1.39
cinder-volume 3.18 1.39
cinder-backup 2.3 1.39"

cleanup() { "$HERE/down.sh" >&2 || true; }
trap cleanup EXIT

t0=$(now_ms)
"$HERE/up.sh" >/dev/null
t1=$(now_ms)
conf=$(CINDER_TEST_DB_NAME=$db "$HERE/cinder.sh" conf "$work" smokehost)
"$HERE/cinder.sh" dbsync "$conf"
t2=$(now_ms)
for b in cinder-scheduler cinder-volume cinder-backup; do
  "$HERE/cinder.sh" start "$b" "$conf" "$work/run"
done
for b in cinder-scheduler cinder-volume cinder-backup; do
  "$HERE/cinder.sh" wait "$b" "$conf" 90
done
t3=$(now_ms)
"$HERE/cinder.sh" services "$conf"
got=$("$HERE/cinder.sh" query "$conf" \
  "SELECT \`binary\`, rpc_current_version, object_current_version FROM services WHERE deleted=0 ORDER BY FIELD(\`binary\`,'cinder-scheduler','cinder-volume','cinder-backup')" |
  tr '\t' ' ')
if [ "$got" != "$expected" ]; then
  tdie "unexpected versions:
$got"
fi
tlog "versions as expected (scheduler 3.12, volume 3.18, backup 2.3, objects 1.39)"

log=$work/log/cinder-backup.log
before=$(grep -c 'Resetting cached RPC version pins' "$log" || true)
"$HERE/cinder.sh" hup "$work/run" cinder-backup
for ((i = 0; i < 50; i++)); do
  now=$(grep -c 'Resetting cached RPC version pins' "$log" || true)
  [ "$now" -gt "$before" ] && break
  sleep 0.2
done
[ "$now" -gt "$before" ] || tdie "no 'Resetting cached RPC version pins' after SIGHUP"
sleep 2
"$HERE/cinder.sh" status "$work/run" cinder-backup >/dev/null ||
  tdie "cinder-backup died after SIGHUP"
tlog "SIGHUP: pins reset and cinder-backup still running"
t4=$(now_ms)
trap - EXIT
"$HERE/down.sh"
t5=$(now_ms)
tlog "timings: up $((t1 - t0)) ms, conf+dbsync $((t2 - t1)) ms, start 3 services until rows $((t3 - t2)) ms, sighup check $((t4 - t3)) ms, down $((t5 - t4)) ms, total $((t5 - t0)) ms"
