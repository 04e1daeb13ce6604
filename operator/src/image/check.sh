#!/usr/bin/env bash
# Proves the image archive Jib wrote runs: unpacks its layers in order into a directory and starts
# the image's entrypoint with `--version` there as a container would (its own mount namespace, /proc
# mounted, the root read-only but for a /tmp, chroot as the image's user), so the JRE, its
# libraries and the jar are all the image's own. Prints what the image contains. Needs root
# (unshare, mount, chroot); without it, says so and fails.
#   check.sh <jib-image.tar>
set -euo pipefail
tar_file=$1
[ "$(id -u)" = 0 ] || { echo "check.sh: needs root (unshare, chroot); the image was not run" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$tar_file" -C "$work"
mkdir "$work/root"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2"; }
for layer in $(json '" ".join(d[0]["Layers"])' "$work/manifest.json"); do
  tar -xzf "$work/$layer" -C "$work/root" 2>/dev/null || tar -xf "$work/$layer" -C "$work/root"
done
config=$work/$(json 'd[0]["Config"]' "$work/manifest.json")
entrypoint=$(json '" ".join(d["config"]["Entrypoint"])' "$config")
user=$(json 'd["config"].get("User","")' "$config")
echo "check.sh: $(json 'd[0]["RepoTags"][0]' "$work/manifest.json"):" \
  "$(json 'len(d[0]["Layers"])' "$work/manifest.json") layers," \
  "$(du -sh "$work/root" | cut -f1) unpacked, $(du -h "$tar_file" | cut -f1) archive"
if [ -s "$work/root/var/lib/dpkg/status" ]; then
  echo "check.sh: $(dpkg-query --admindir="$work/root/var/lib/dpkg" -W | wc -l) Debian packages," \
    "$(dpkg-query --admindir="$work/root/var/lib/dpkg" -W -f='${Package} ${Version}, ' \
      openjdk-17-jre-headless libc6 libssl3)"
fi
echo "check.sh: entrypoint $entrypoint (user $user)"
# shellcheck disable=SC2016,SC2086
out=$(unshare --mount --propagation private --pid --fork /bin/sh -c '
  set -e
  root=$1; user=$2; shift 2
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount -o remount,bind,ro "$root"
  exec chroot --userspec="$user" "$root" "$@"
' check "$work/root" "$user" $entrypoint --version 2>&1) ||
  { echo "$out" >&2; echo "check.sh: the image's entrypoint failed" >&2; exit 1; }
echo "$out"
grep -q "cinder-operator" <<<"$out" || { echo "check.sh: the image did not print its version" >&2; exit 1; }
echo "check.sh: the image runs"
