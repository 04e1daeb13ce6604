#!/usr/bin/env bash
# Builds the operator image's base from Debian's archive and writes it as a one-layer image archive
# (`docker save` format) that Jib builds on (`tar://`, see operator/pom.xml, profile `image`):
#
#   Debian bookworm's Essential packages plus openjdk-17-jre-headless and what it depends on, with
#   bookworm-updates and bookworm-security applied (mmdebstrap --variant=essential); no docs, man
#   pages or locales (copyright files kept); /var/lib/dpkg/status kept, so image scanners see every
#   package and version; a `nonroot` user 65532; /dev left empty for the runtime.
#
# Cached in $CINDER_OPERATOR_IMAGE_CACHE (default /var/cache/cinder-operator/image-base) and built
# again only when this script changed or, on a bookworm machine, when its apt lists (refreshed by
# `apt-get update`) offer a newer version of any package in it: a new Debian security update means
# a new base. Elsewhere a cached base is kept for 7 days.
#   base.sh <out.tar>
# Needs root, apt and mmdebstrap (apt-get install mmdebstrap), network to Debian's archive.
set -euo pipefail
out=$1
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
cache=${CINDER_OPERATOR_IMAGE_CACHE:-/var/cache/cinder-operator/image-base}
recipe=$(sha256sum "$0" | cut -c1-16)
say() { echo "base.sh: $*" >&2; }

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9 # one build at a time on this machine; the others then reuse it

# The packages in the cached base as Debian offers them now, "name version" sorted.
offered() {
  # shellcheck disable=SC2046
  apt-cache show --no-all-versions $(cut -d' ' -f1 "$cache/packages") 2>/dev/null |
    awk '/^Package:/ {p = $2} /^Version:/ {print p " " $2}' | sort -u
}

fresh() {
  [ -s "$cache/base-image.tar" ] && [ -s "$cache/packages" ] || return 1
  [ "$(cat "$cache/recipe" 2>/dev/null)" = "$recipe" ] || { say "recipe changed"; return 1; }
  if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = "$suite" ] &&
    command -v apt-cache >/dev/null; then
    if [ "$(offered)" != "$(cat "$cache/packages")" ]; then
      say "Debian has newer packages than the cached base:"
      diff <(cat "$cache/packages") <(offered) | grep '^>' | head -20 >&2 || true
      return 1
    fi
    return 0
  fi
  [ -n "$(find "$cache/base-image.tar" -mtime -7)" ] || { say "cached base older than 7 days"; return 1; }
}

if fresh; then
  say "reusing $cache/base-image.tar ($(wc -l <"$cache/packages") packages, $(du -h "$cache/base-image.tar" | cut -f1))"
else
  [ "$(id -u)" = 0 ] || { say "needs root (mmdebstrap into a directory)"; exit 1; }
  command -v mmdebstrap >/dev/null || { say "needs mmdebstrap: apt-get install mmdebstrap"; exit 1; }
  t0=$(date +%s)
  work=$(mktemp -d "${TMPDIR:-/tmp}/image-base.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # openjdk's postinst registers alternatives for its man pages: their directory must exist.
  mmdebstrap --variant=essential --include=openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='echo "nonroot:x:65532:65532:cinder-operator:/tmp:/usr/sbin/nologin" >>"$1/etc/passwd"' \
    --customize-hook='echo "nonroot:x:65532:" >>"$1/etc/group"' \
    "$suite" "$work/root" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" \
    >"$work/mmdebstrap.log" 2>&1 || { tail -30 "$work/mmdebstrap.log" >&2; say "mmdebstrap failed"; exit 1; }
  t1=$(date +%s)
  [ -x "$work/root/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ] || { say "no java in the root"; exit 1; }
  [ -s "$work/root/etc/ssl/certs/java/cacerts" ] || { say "no Java CA certificates in the root"; exit 1; }
  dpkg-query --admindir="$work/root/var/lib/dpkg" -W -f='${Package} ${Version}\n' | sort -u \
    >"$work/packages"

  # The image archive: one gzip layer, its config (diff_id: the digest of the uncompressed layer).
  mkdir "$work/image"
  # /dev stays empty (a runtime makes its own): left out here, not removed in a hook, because
  # while hooks run mmdebstrap has /dev/pts and /dev/shm mounted there (rm fails: busy)
  tar -C "$work/root" --numeric-owner --sort=name --exclude='./dev/*' -cf "$work/layer.tar" .
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -6 "$work/layer.tar"
  mv "$work/layer.tar.gz" "$work/image/layer.tar.gz"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"User":"65532:65532"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diff_id" >"$work/image/config.json"
  printf '[{"Config":"config.json","RepoTags":["cinder-operator-base:%s"],"Layers":["layer.tar.gz"]}]' \
    "$suite" >"$work/image/manifest.json"
  tar -C "$work/image" -cf "$work/base-image.tar" manifest.json config.json layer.tar.gz
  t2=$(date +%s)

  mv "$work/base-image.tar" "$cache/base-image.tar"
  mv "$work/packages" "$cache/packages"
  echo "$recipe" >"$cache/recipe"
  say "built in $((t2 - t0)) s (mmdebstrap $((t1 - t0)) s, packing $((t2 - t1)) s):" \
    "$(wc -l <"$cache/packages") packages, $(du -sh "$work/root" | cut -f1) unpacked," \
    "$(du -h "$cache/base-image.tar" | cut -f1) compressed"
fi
grep -E '^(openjdk-17-jre-headless|libc6|libssl3) ' "$cache/packages" | sed 's/^/base.sh:   /' >&2
mkdir -p "$(dirname "$out")"
ln -f "$cache/base-image.tar" "$out" 2>/dev/null || cp "$cache/base-image.tar" "$out"
