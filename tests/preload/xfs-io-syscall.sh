#!/bin/bash
# SPDX-License-Identifier: MIT
# xfs-io-syscall.sh - xfs_io -c "copy_range ..." from tmpfs to ext4, with and without the shim.
# xfs_io (xfsprogs 6.1) calls copy_file_range through syscall(2), which no LD_PRELOAD library
# sees: the shim must change nothing there (EXDEV both ways). An xfs_io that calls libc's
# copy_file_range instead must get the complete copy under the shim.
source "$(dirname "$0")/lib.sh"

command -v xfs_io >/dev/null || skip xfs "xfs_io not installed"
command -v readelf >/dev/null || skip xfs "readelf not installed"
two_filesystems "$@"
size=$((1024 * 1024 + 77))
head -c $size /dev/urandom >"$A/src" || broken "cannot write $A/src"

copy_range() # DST: xfs_io's output
{
	xfs_io -f -c "copy_range -s 0 -d 0 -l $size $A/src" "$1" 2>&1
}

out=$(copy_range "$B/native")
[[ $out == *"Invalid cross-device link"* ]] || fail "without the shim: '$out', want EXDEV"

out=$(shim copy_range "$B/shim")
if readelf -W --dyn-syms "$(command -v xfs_io)" | grep -qw 'copy_file_range'; then
	echo "xfs_io calls libc's copy_file_range: the shim completes the copy"
	[[ -z $out ]] || fail "with the shim: '$out'"
	cmp "$A/src" "$B/shim" || fail "with the shim: the copy differs"
else
	echo "xfs_io calls copy_file_range through syscall(2): the shim cannot see it"
	[[ $out == *"Invalid cross-device link"* ]] || fail "with the shim: '$out', want EXDEV as without"
fi
done_testing
