#!/bin/sh
# Starts one container, as a container runtime would, from inside fresh mount, PID, UTS and IPC
# namespaces (unshare --mount --pid --uts --ipc --fork): this shell is PID 1 of the container
# and ends by exec-ing the container's command, which then is PID 1.
#
#   container.sh IMAGE_ROOT DIR HOSTNAME READ_ONLY [MOUNT...] -- COMMAND...
#
# IMAGE_ROOT is never written: the container's root is an overlay with IMAGE_ROOT as its lower
# layer and a tmpfs as its writable layer (where mount points are made), gone with the
# namespace. DIR holds the mount points rootfs/ and layer/, and gets the file "running" once
# everything is set up, right before the command is exec'd. MOUNT is SOURCE:TARGET:rw|ro, a
# bind mount of a directory or file of the pod's volumes at TARGET in the container.
# READ_ONLY=1 remounts the root read-only once everything is mounted (readOnlyRootFilesystem).
# The network is the host's: loopback is shared, as the pods' stand-in for a pod network.
set -eu
image=$1 dir=$2 name=$3 readonly=$4
shift 4

/usr/bin/mount -t tmpfs -o mode=0755 layer "$dir/layer"
/usr/bin/mkdir "$dir/layer/upper" "$dir/layer/work"
/usr/bin/mount -t overlay overlay \
  -o "lowerdir=$image,upperdir=$dir/layer/upper,workdir=$dir/layer/work" "$dir/rootfs"
root=$dir/rootfs

# /proc of this PID namespace; a small /dev as runc makes it; a private /tmp
/usr/bin/mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$root/sys"
/usr/bin/mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
/usr/bin/mount -t tmpfs -o nosuid,mode=0755 dev "$root/dev"
for node in null zero full random urandom tty; do
  /usr/bin/touch "$root/dev/$node"
  /usr/bin/mount --bind "/dev/$node" "$root/dev/$node"
done
/usr/bin/mkdir "$root/dev/shm" "$root/dev/pts" "$root/dev/mqueue"
/usr/bin/mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
/usr/bin/ln -s /proc/self/fd "$root/dev/fd"
/usr/bin/ln -s /proc/self/fd/0 "$root/dev/stdin"
/usr/bin/ln -s /proc/self/fd/1 "$root/dev/stdout"
/usr/bin/ln -s /proc/self/fd/2 "$root/dev/stderr"
/usr/bin/mount -t tmpfs -o nosuid,nodev,mode=1777 tmp "$root/tmp"

while [ "$1" != "--" ]; do
  source=${1%%:*}
  rest=${1#*:}
  target=${rest%:*}
  mode=${rest##*:}
  shift
  if [ -d "$source" ]; then
    /usr/bin/mkdir -p "$root$target"
  else
    /usr/bin/mkdir -p "$root$(/usr/bin/dirname "$target")"
    [ -e "$root$target" ] || /usr/bin/touch "$root$target"
  fi
  /usr/bin/mount --bind "$source" "$root$target"
  if [ "$mode" = ro ]; then
    /usr/bin/mount -o remount,bind,ro "$root$target"
  fi
done
shift

/usr/bin/hostname "$name"
if [ "$readonly" = 1 ]; then
  /usr/bin/mount -o remount,ro "$root"
fi
# set up: from here on signals and exec reach the container's own command
: >"$dir/running"
exec /usr/sbin/chroot "$root" "$@"
