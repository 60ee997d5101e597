# SPDX-License-Identifier: MIT
# lib.sh - what the preload tests share (sourced): skips, the LD_PRELOAD value, a private
# folder, and two private filesystems (tmpfs and a fresh ext4 image) for cross-filesystem copies.
#
# Meson passes SHIM (the shim's path) and SD_SANITIZE (b_sanitize), and SD_ASAN_RUNTIME (the
# compiler's libasan.so) in the environment. Exit codes: 0 pass, 1 fail, 77 skip, 99 broken.

set -u

# skip WORD REASON...: exit 77, or fail when SD_TEST_REQUIRE names WORD.
skip()
{
	local need=$1
	shift
	echo "skip: $*"
	[[ " ${SD_TEST_REQUIRE:-} " == *" $need "* ]] && exit 1
	exit 77
}

broken()
{
	echo "BROKEN: $*"
	exit 99
}

failures=0
fail()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

done_testing()
{
	((failures == 0)) && exit 0
	exit 1
}

[[ -n ${SHIM:-} && -e $SHIM ]] || broken "SHIM is not set to the built libsplicedirect-preload.so"

# PRELOAD: what LD_PRELOAD must hold to load the shim into any program, sanitized build or not.
# An ASan-built shim needs the ASan runtime first in the process (ASan checks the load order),
# so it is preloaded before the shim. Leak reports at the exit of cp or python would be
# theirs, not ours: they are switched off.
PRELOAD=$SHIM
case ${SD_SANITIZE:-none} in
*address*)
	[[ -n ${SD_ASAN_RUNTIME:-} && -e ${SD_ASAN_RUNTIME:-} ]] ||
		skip preload "sanitized build (${SD_SANITIZE}): no ASan runtime found to preload before the shim"
	PRELOAD="$SD_ASAN_RUNTIME $SHIM"
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	;;
*thread* | *memory*)
	skip preload "sanitized build (${SD_SANITIZE}): its runtime cannot be preloaded into other programs"
	;;
esac

# shim CMD...: run CMD with the shim preloaded.
shim()
{
	LD_PRELOAD=$PRELOAD "$@"
}

# private_dir: T, a fresh folder under /var/tmp, removed at exit.
T=
A=
B=
loop=
mounts=()
cleanup()
{
	local rc=$? i busy=0
	trap - EXIT
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		mountpoint -q "${mounts[i]}" && ! umount "${mounts[i]}" && busy=1
	done
	[[ -n $loop ]] && losetup -d "$loop" 2>/dev/null
	# never rm -r into a filesystem that would not unmount
	[[ -n $T ]] && ((busy == 0)) && rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

private_dir()
{
	T=$(mktemp -d /var/tmp/sd-preload.XXXXXX) || broken "mktemp failed"
}

# mount_tmpfs DIR: a small tmpfs of our own on the new folder DIR (call two_filesystems first).
mount_tmpfs()
{
	mkdir "$1" || broken "cannot mkdir $1"
	mounts+=("$1")
	mount -t tmpfs -o size=64m sd-preload "$1" || broken "cannot mount tmpfs on $1"
}

# two_filesystems "$@": A on tmpfs, B on a fresh ext4 image of its own loop device.
# The first call re-runs the script in a private mount namespace: if the test is killed, the
# kernel drops the mounts, and the loop device (detached early, so autoclear) goes with them.
two_filesystems()
{
	[[ $(id -u) == 0 ]] || skip ext4 "not root: cannot mount test filesystems"
	command -v mkfs.ext4 >/dev/null || skip ext4 "mkfs.ext4 not installed"
	command -v losetup >/dev/null || skip ext4 "losetup not installed"
	if [[ -z ${SD_PRELOAD_UNSHARED:-} ]] && command -v unshare >/dev/null; then
		trap - EXIT
		SD_PRELOAD_UNSHARED=1 exec unshare -m --propagation private bash "$0" "$@"
	fi
	private_dir
	A=$T/a
	B=$T/b
	mount_tmpfs "$A"
	mkdir "$B" || broken "mkdir failed"
	truncate -s 64M "$T/ext4.img" || broken "cannot create $T/ext4.img"
	mkfs.ext4 -q -F "$T/ext4.img" || broken "mkfs.ext4 failed"
	loop=$(losetup -f --show "$T/ext4.img") || skip ext4 "no free loop device"
	mounts+=("$B")
	mount -t ext4 "$loop" "$B" || broken "cannot mount ext4 from $loop"
	# detach now: a mounted loop device is then cleared when the mount goes away
	losetup -d "$loop" && loop=
}
