#!/usr/bin/env bash
# roots.sh - build (or reuse) one root filesystem per current Cinder release
# from Debian's archive: the "images" the real-Cinder tier runs its pods in.
#
#   2026.1 = python3-cinder of Debian testing (forky)
#   2026.2 = python3-cinder of Debian unstable (sid)
#
# Usage: roots.sh [build]   build what is missing, reuse the rest, print what
#                           it did (default)
#        roots.sh list      print the finished roots (series, version, path)
#
# Each root is cached by the exact package version under
# $CINDER_ROOTS_DIR (default /var/cache/cinder-operator/roots), as
# <suite>-<version>/, and counts as finished only when <suite>-<version>.done
# exists: that marker is written last, after the root was built and checked.
# A half-built root (a killed build, a failed install) is never reused; the
# next run deletes it and builds again.
#
# The bookworm keyring cannot verify forky or sid, so trixie's
# debian-archive-keyring is fetched first through a separate apt
# configuration (signed by the host's keyring) and extracted; the host's apt
# state is not touched. Roots of different suites are built at the same time,
# each by its own mmdebstrap with its own apt state (nothing is shared between
# suites).
#
# Needs root, apt-get, mmdebstrap (installed here when missing) and Debian's
# archive. The archive served here may be a snapshot whose Release files
# are past their Valid-Until date: apt is told not to check that date.
set -euo pipefail

ROOTS_DIR=${CINDER_ROOTS_DIR:-/var/cache/cinder-operator/roots}
MIRROR=${CINDER_ROOTS_MIRROR:-http://deb.debian.org/debian}
# suites to build from, oldest release first
read -r -a SUITES <<<"${CINDER_ROOTS_SUITES:-forky sid}"
KEYRING_SUITE=trixie
HOST_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_LOCK_TIMEOUT=${CINDER_TESTENV_APT_LOCK_TIMEOUT:-900}

log() { printf '[roots] %s\n' "$*"; }
die() {
  printf '[roots] ERROR: %s\n' "$*" >&2
  exit 1
}
now_s() { date +%s; }

# Cinder's major version -> OpenStack series: 26 = 2025.1, 27 = 2025.2, ...
# (21 = 2022.2 "zed" by the same rule).
series_of() {
  local major=${1%%.*} n
  n=$((major - 26))
  local year=$((2025 + (n >= 0 ? n / 2 : -((1 - n) / 2))))
  if ((major % 2 == 0)); then echo "$year.1"; else echo "$year.2"; fi
}

# ---- a private apt configuration: never the host's sources, lists or status

APT_DIR=$ROOTS_DIR/.apt
apt_conf() { # apt_conf NAME SOURCES_LINE...
  local name=$1
  shift
  local d=$APT_DIR/$name
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc/preferences.d" \
    "$d/etc/sources.list.d" "$d/etc/apt.conf.d"
  : >"$d/status"
  printf '%s\n' "$@" >"$d/etc/sources.list"
  cat >"$d/apt.conf" <<EOF
Dir::Etc "$d/etc";
Dir::Etc::Parts "$d/etc/apt.conf.d";
Dir::Etc::SourceList "$d/etc/sources.list";
Dir::Etc::SourceParts "$d/etc/sources.list.d";
Dir::Etc::Preferences "$d/etc/preferences";
Dir::Etc::PreferencesParts "$d/etc/preferences.d";
Dir::State "$d";
Dir::State::Lists "$d/lists";
Dir::State::status "$d/status";
Dir::Cache "$d/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
Acquire::Check-Valid-Until "false";
APT::Sandbox::User "root";
EOF
  echo "$d/apt.conf"
}

# trixie's debian-archive-keyring, verified through the host's keyring
keyring() {
  local kr=$ROOTS_DIR/keyring/debian-archive-keyring.gpg
  if [ -s "$kr" ]; then
    echo "$kr"
    return
  fi
  local conf tmp
  conf=$(apt_conf keyring "deb [signed-by=$HOST_KEYRING] $MIRROR $KEYRING_SUITE main")
  APT_CONFIG=$conf apt-get -q -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" update >&2
  tmp=$(mktemp -d "$APT_DIR/keyring.XXXXXX")
  (cd "$tmp" && APT_CONFIG=$conf apt-get -q download debian-archive-keyring >&2)
  dpkg-deb -x "$tmp"/debian-archive-keyring_*.deb "$tmp/x"
  mkdir -p "$(dirname "$kr")"
  cp "$tmp/x/usr/share/keyrings/debian-archive-keyring.gpg" "$kr.new"
  mv "$kr.new" "$kr"
  log "keyring: $(basename "$tmp"/debian-archive-keyring_*.deb) from $KEYRING_SUITE" >&2
  rm -rf "$tmp"
  echo "$kr"
}

# python3-cinder's version in each suite, as "suite version" lines
candidates() {
  local kr=$1 lines=() s conf
  for s in "${SUITES[@]}"; do
    lines+=("deb [signed-by=$kr] $MIRROR $s main")
  done
  conf=$(apt_conf index "${lines[@]}")
  APT_CONFIG=$conf apt-get -q update >&2
  for s in "${SUITES[@]}"; do
    local v
    v=$(APT_CONFIG=$conf apt-cache madison python3-cinder |
      awk -F'|' -v s=" $s/main" 'index($3, s) && !v { gsub(/ /, "", $2); v = $2 } END { print v }')
    [ -n "$v" ] || die "Debian's $s carries no python3-cinder"
    echo "$s $v"
  done
}

# ---- one root

# The "image build": what a Dockerfile for a Debian-based Cinder image does.
#  - python3-cinder and cinder-common (api-paste.ini, rootwrap.conf,
#    rootwrap.d/ and resource_filters.json in /etc/cinder, cinder-manage,
#    cinder-status) from the suite, at exactly the version looked up
#  - the services' console scripts (Debian ships them in the daemon packages,
#    whose postinst expects a running system): the same entry points, written
#    as pip writes them
#  - /var/lib/cinder (the pods mount their own over it)
# Faster than a plain install, with the same result: dpkg runs under
# eatmydata (no fsync), and instead of one py3compile per Python package
# (~250, one after the other), one parallel compileall at the end writes the
# same __pycache__ files (the pods' root is read-only: without them every
# Cinder process would compile its modules at each start).
build_one() {
  local suite=$1 version=$2 kr=$3 target=$4
  local bins=(cinder-api cinder-scheduler cinder-volume cinder-backup)
  mmdebstrap --variant=essential ${MMDEBSTRAP_EXTRA:-} \
    --include="python3-cinder=$version,cinder-common=$version" \
    --keyring="$kr" \
    --aptopt='Acquire::Languages "none"' \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
    --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/bin/py3compile' \
    --customize-hook='chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/bin/py3compile' \
    --customize-hook='chroot "$1" python3 -m compileall -q -j 0 /usr/lib/python3/dist-packages >/dev/null' \
    --customize-hook="for b in ${bins[*]}; do printf '%s\n' '#!/usr/bin/python3' 'import sys' \"from cinder.cmd.\${b#cinder-} import main\" 'sys.exit(main())' > \"\$1/usr/bin/\$b\"; chmod 0755 \"\$1/usr/bin/\$b\"; done" \
    --customize-hook='mkdir -p "$1/var/lib/cinder"' \
    "$suite" "$target" "$MIRROR"
}

# checks that the root runs its Cinder: prints the package's version string
check_one() {
  local target=$1
  chroot "$target" /usr/bin/python3 -W ignore -c \
    'import cinder.version as v; print(v.version_info.version_string())' 2>/dev/null
}

ensure_tools() {
  [ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot)"
  command -v apt-get >/dev/null || die "needs apt-get"
  if ! command -v mmdebstrap >/dev/null; then
    log "installing mmdebstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" mmdebstrap >/dev/null
  fi
}

cmd_build() {
  ensure_tools
  mkdir -p "$ROOTS_DIR"
  local t0 kr
  t0=$(now_s)
  kr=$(keyring)
  local found=() suite version listed
  listed=$(candidates "$kr")
  mapfile -t found <<<"$listed"
  log "Debian's archive carries: $(printf '%s; ' "${found[@]}" | sed 's/; $//')"

  local pids=() names=() started=()
  for line in "${found[@]}"; do
    read -r suite version <<<"$line"
    local upstream=${version#*:}
    upstream=${upstream%-*}
    local name=$suite-${version#*:}
    local root=$ROOTS_DIR/$name
    if [ -f "$root.done" ] && [ -d "$root" ]; then
      log "reused $name: python3-cinder $version = $(series_of "$upstream") at $root"
      continue
    fi
    rm -rf "$root" "$root.partial" "$root.done"
    log "building $name: python3-cinder $version = $(series_of "$upstream") (log: $root.log)"
    (
      s=$(now_s)
      build_one "$suite" "$version" "$kr" "$root.partial" >"$root.log" 2>&1
      got=$(check_one "$root.partial") || got=
      [ "$got" = "$upstream" ] || {
        echo "the built root reports Cinder '$got', expected $upstream" >>"$root.log"
        exit 1
      }
      mv "$root.partial" "$root"
      {
        echo "suite=$suite"
        echo "package_version=$version"
        echo "cinder_version=$upstream"
        echo "series=$(series_of "$upstream")"
        echo "root=$root"
        echo "built_seconds=$(($(now_s) - s))"
        echo "built_at=$(date -u +%FT%TZ)"
      } >"$root.done.new"
      mv "$root.done.new" "$root.done"
    ) &
    pids+=("$!")
    names+=("$name")
    started+=("$(now_s)")
  done

  local failed=0 i
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      log "built ${names[$i]} in $(($(now_s) - started[i])) s ($(du -sh "$ROOTS_DIR/${names[$i]}" | cut -f1))"
    else
      failed=1
      log "FAILED to build ${names[$i]}; last lines of $ROOTS_DIR/${names[$i]}.log:" >&2
      tail -n 20 "$ROOTS_DIR/${names[$i]}.log" >&2 || true
    fi
  done
  rm -rf "$APT_DIR/keyring"
  # what this run selected, for the tests (RealReleases reads it)
  {
    for line in "${found[@]}"; do
      read -r suite version <<<"$line"
      echo "$ROOTS_DIR/$suite-${version#*:}"
    done
  } >"$ROOTS_DIR/selected.new"
  mv "$ROOTS_DIR/selected.new" "$ROOTS_DIR/selected"
  log "done in $(($(now_s) - t0)) s"
  return "$failed"
}

cmd_list() {
  local f
  for f in "$ROOTS_DIR"/*.done; do
    [ -e "$f" ] || continue
    # shellcheck disable=SC1090
    (
      . "$f"
      printf '%s\t%s\t%s\n' "$series" "$package_version" "$root"
    )
  done
}

# sourced (e.g. to measure one build): define the functions only
[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0

case "${1:-build}" in
  build) cmd_build ;;
  list) cmd_list ;;
  -h | --help)
    sed -n '2,30p' "$0"
    ;;
  *)
    echo "usage: $0 [build|list]" >&2
    exit 2
    ;;
esac
