#!/bin/bash
# SPDX-License-Identifier: MIT
# cp-tree.sh - GNU cp, unmodified, under the shim: a tree with a sparse file, an empty file,
# odd sizes and a symlink, copied from tmpfs to ext4 (where cp's copy_file_range meets EXDEV
# and the shim completes it) and then within ext4 (where the kernel copies). The copies must
# equal the source, keep the holes, and the library must have done the cross-filesystem work.
source "$(dirname "$0")/lib.sh"

command -v cp >/dev/null || skip cp "cp not installed"
command -v strace >/dev/null || skip strace "strace not installed"
two_filesystems "$@"

tree=$A/tree
mkdir -p "$tree/sub/deeper" || broken "mkdir"
: >"$tree/empty"
printf 'small\n' >"$tree/sub/small"
head -c 4097 /dev/urandom >"$tree/sub/odd" || broken "odd"
head -c $((2 * 1024 * 1024 + 1)) /dev/urandom >"$tree/sub/deeper/big" || broken "big"
# 16 MiB with three 64 KiB data extents: at 0, at 5 MiB, and at the end
sparse=$tree/sparse
truncate -s 16M "$sparse" || broken "truncate"
for at in 0 80 255; do
	dd if=/dev/urandom of="$sparse" bs=64K seek=$at count=1 conv=notrunc status=none ||
		broken "dd"
done
ln -s sub/odd "$tree/link"

# The library's witness: cp 9.1 itself never calls splice, sendfile or pwrite
# (the dynamic loader calls pread64, so that one says nothing).
library_calls() # LOG
{
	grep -cE '^[0-9]+ +(splice|sendfile|pwrite64)\(' "$1"
}

strace -f -qq -e trace=splice,sendfile,pwrite64 -o "$T/native.log" \
	cp -a "$tree" "$B/native" || fail "cp without the shim failed"
strace -f -qq -e trace=splice,sendfile,pwrite64 -o "$T/shim.log" \
	env LD_PRELOAD="$PRELOAD" cp -a "$tree" "$B/shim" || fail "cp under the shim failed"
shim cp -a "$B/shim" "$B/again" || fail "cp within ext4 under the shim failed"

for copy in native shim again; do
	diff -r --no-dereference "$tree" "$B/$copy" || fail "$copy: the tree differs"
	[[ $(readlink "$B/$copy/link") == sub/odd ]] || fail "$copy: the symlink differs"
	blocks=$(stat -c %b "$B/$copy/sparse")
	# three 64 KiB extents are 384 512-byte blocks; allow ext4's metadata a little room
	((blocks <= 384 + 64)) || fail "$copy: sparse file takes $blocks blocks, holes lost"
done
n=$(library_calls "$T/native.log")
((n == 0)) || fail "without the shim cp made $n library-like calls: the witness is unsound"
n=$(library_calls "$T/shim.log")
((n > 0)) || fail "under the shim the library did not copy (no splice, sendfile, pwrite)"
done_testing
