#!/usr/bin/env bash
# Proves the image tarball Jib wrote runs: unpacks its layers into a directory and starts the
# operator's `--version` in it with chroot (as the image's user), so the JRE, its libraries and the
# jar are all the image's own. Needs root (chroot); without it, says so and fails.
#   check.sh <jib-image.tar>
set -euo pipefail
tar_file=$1
[ "$(id -u)" = 0 ] || { echo "check.sh: needs root for chroot; the image was not run" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$tar_file" -C "$work"
mkdir "$work/root"
manifest=$(cat "$work/manifest.json")
for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)[0]["Layers"]))' <<<"$manifest"); do
  tar -xzf "$work/$layer" -C "$work/root" 2>/dev/null || tar -xf "$work/$layer" -C "$work/root"
done
config=$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"])' <<<"$manifest")
entrypoint=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print(" ".join(c["Entrypoint"]))' "$work/$config")
user=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"].get("User",""))' "$work/$config")
echo "image entrypoint: $entrypoint (user $user)"
# shellcheck disable=SC2086
out=$(chroot --userspec="$user" "$work/root" $entrypoint --version 2>&1)
echo "$out"
grep -q "cinder-operator" <<<"$out" || { echo "check.sh: the image did not print its version" >&2; exit 1; }
echo "check.sh: the image runs"
