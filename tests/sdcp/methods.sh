#!/bin/sh
# SPDX-License-Identifier: MIT
# --debug names the method that moved each file's bytes, from the library's own count:
# cloned on btrfs, offloaded within ext4, spliced from tmpfs to ext4; and --reflink maps to
# SPLICE_F_CLONE / SPLICE_F_NOCLONE.
. "$(dirname "$0")/lib.sh"

t_mount_or_skip btrfs btrfs btrfs 200M
t_mount_or_skip ext4 ext4 ext4 64M
t_mount_or_skip tmp tmpfs tmp 64M

for m in "$btrfs" "$ext4" "$tmp"; do
	head -c 1048576 /dev/urandom >"$m/src" || exit 99
done

debug_says() {
	src=$1 dst=$2 want=$3
	shift 3
	"$SDCP" --debug "$@" "$src" "$dst" >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
	cat "$T/out"
	cmp "$src" "$dst" && grep -q "^method: $want; " "$T/out"
}

ok 'btrfs: cloned' debug_says "$btrfs/src" "$btrfs/c1" clone
ok 'btrfs: cloned 1048576 bytes' grep -q "cloned 1048576, offloaded 0, spliced 0, copied 0" "$T/out"
ok 'btrfs --reflink=always: cloned' debug_says "$btrfs/src" "$btrfs/c2" clone --reflink=always
never_not_clone() {
	debug_says "$btrfs/src" "$btrfs/c3" '[a-z+]*' --reflink=never &&
		grep -q "cloned 0," "$T/out"
}
ok 'btrfs --reflink=never: not cloned' never_not_clone
ok 'ext4: offloaded' debug_says "$ext4/src" "$ext4/c1" offload
ok 'tmpfs to ext4: spliced' debug_says "$tmp/src" "$ext4/c2" pipe

clone_refused() {
	"$SDCP" --reflink=always "$ext4/src" "$ext4/c3" 2>"$T/err"
	[ $? = 1 ] && grep -q "failed to clone '$ext4/c3' from '$ext4/src'" "$T/err" &&
		[ ! -e "$ext4/c3" ]
}
ok 'ext4 --reflink=always fails and leaves nothing' clone_refused

tree_debug() {
	mkdir -p "$btrfs/tree/a" && echo x >"$btrfs/tree/a/f" && echo y >"$btrfs/tree/g" || return 99
	"$SDCP" -r --debug "$btrfs/tree" "$btrfs/tree2" >"$T/out" || return 1
	[ "$(grep -c '^method: ' "$T/out")" = 2 ]
}
ok 'one --debug line per file in a tree' tree_debug
one_fs() {
	mkdir -p "$ext4/xsrc/m" && echo x >"$ext4/xsrc/f" || return 99
	mount --bind "$tmp" "$ext4/xsrc/m" || return 99
	t_on_exit "umount '$ext4/xsrc/m' 2>/dev/null"
	"$SDCP" -rx "$ext4/xsrc" "$T/xdst" && "$GNU_CP" -rx "$ext4/xsrc" "$T/xgnu" || return 1
	umount "$ext4/xsrc/m"
	[ -d "$T/xdst/m" ] && [ -z "$(ls -A "$T/xdst/m")" ] && [ "$(cat "$T/xdst/f")" = x ] &&
		diff -r "$T/xgnu" "$T/xdst"
}
ok '-x makes the mount point, not what is mounted there' one_fs
t_done
