#!/usr/bin/env bash
# Builds the root filesystem of the operator image from what this machine has, offline: a Java
# runtime linked with jlink from the build's own JDK (only the modules the operator uses), the
# shared libraries it loads (found with ldd, copied from this Debian system), a passwd entry for
# the image's user and an empty /tmp. Jib puts it on `scratch` with the operator's jar.
#   runtime.sh <root>
set -euo pipefail
root=$1
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jlink=$java_home/bin/jlink
[ -x "$jlink" ] || { echo "runtime.sh: no jlink in $java_home (a JDK is needed, not a JRE)" >&2; exit 1; }

rm -rf "$root"
mkdir -p "$root"
# What `jdeps --print-module-deps` finds in the shaded jar (java.base, java.compiler, java.desktop,
# java.naming, java.net.http, java.rmi, java.scripting, java.security.jgss, java.sql,
# jdk.httpserver, jdk.management, jdk.net, jdk.unsupported), plus what is only loaded as a service
# or by reflection: TLS ciphers (jdk.crypto.ec), DNS (jdk.naming.dns), zip file systems.
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$root/opt/java" >/dev/null

# Shared libraries the runtime loads, with the dynamic loader, at the paths they have here.
copy() {
  local f
  f=$(readlink -f "$1")
  mkdir -p "$root$(dirname "$1")"
  cp "$f" "$root$1"
}
libs=$(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3} /^\s*\/[^ ]*ld-linux/{print $1}' | sort -u)
for l in $libs; do copy "$l"; done
# glibc resolves users and hosts through these at run time
for l in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
         /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$l" ] && copy "$l"
done
mkdir -p "$root/etc" "$root/tmp" "$root/app"
printf 'root:x:0:0:root:/root:/sbin/nologin\noperator:x:65532:65532:cinder-operator:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\noperator:x:65532:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
echo "runtime.sh: $(du -sh "$root" | cut -f1) in $root (modules: $modules)"
