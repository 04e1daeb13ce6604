#!/usr/bin/env bash
# install.sh - install the Debian packages the cinder-operator test environment
# needs (MariaDB, RabbitMQ, real Cinder services). Idempotent: packages that
# are already installed are skipped.
#
# Usage: install.sh [--db-only]
#   --db-only   install only mariadb-server and mariadb-client
#
# Needs root and apt-get. Daemons are kept from starting during the install
# with a temporary /usr/sbin/policy-rc.d (exit 101) when none exists.
set -euo pipefail

DB_PACKAGES=(mariadb-server mariadb-client)
# dmidecode: os-brick asks it for the system UUID before any attach; without it every backup of a
# volume dies in the attach step (FileNotFoundError), so backups could not run on this machine.
ALL_PACKAGES=("${DB_PACKAGES[@]}" rabbitmq-server
  cinder-scheduler cinder-volume cinder-backup cinder-api dmidecode)

POLICY_RC=/usr/sbin/policy-rc.d
# Wait for the dpkg/apt lock when another apt-get runs at the same time.
APT_LOCK_TIMEOUT=${CINDER_TESTENV_APT_LOCK_TIMEOUT:-900}
APT_OPTS=(-q -o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT}")

log() { printf '[install] %s\n' "$*"; }

usage() {
  echo "usage: $0 [--db-only]" >&2
  exit 2
}

packages=("${ALL_PACKAGES[@]}")
case "${1:-}" in
  "") ;;
  --db-only) packages=("${DB_PACKAGES[@]}") ;;
  -h | --help) usage ;;
  *) usage ;;
esac

is_installed() {
  # dpkg -s succeeds also for "deinstall"/"config-files" states; check Status.
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${packages[@]}"; do
  if is_installed "$p"; then
    log "already installed: $p"
  else
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "nothing to install"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "not root; cannot install: ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found; cannot install: ${missing[*]}" >&2
  exit 1
fi

created_policy=0
cleanup() {
  if [ "$created_policy" -eq 1 ]; then
    rm -f "$POLICY_RC"
    log "removed temporary $POLICY_RC"
  fi
}
trap cleanup EXIT

if [ ! -e "$POLICY_RC" ]; then
  printf '#!/bin/sh\n# temporary, created by cinder-operator install.sh\nexit 101\n' >"$POLICY_RC"
  chmod 0755 "$POLICY_RC"
  created_policy=1
  log "created temporary $POLICY_RC (daemons will not be started)"
fi

t0=$SECONDS
log "apt-get update"
apt-get "${APT_OPTS[@]}" update
t1=$SECONDS
log "apt-get update took $((t1 - t0)) s"

log "installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"
t2=$SECONDS
log "apt-get install took $((t2 - t1)) s (total $((t2 - t0)) s)"
