#!/bin/sh
# SPDX-License-Identifier: MIT
# A file copied over an existing one on a full filesystem. sdcp checks for room (fallocate)
# before the old data goes; where there is none:
#   - within btrfs or xfs a clone needs no room for data, so the copy is made (as cp's is),
#     and shares the source's extents;
#   - on ext4 the old file is left as it was: its bytes, its times, and no blocks kept past
#     its end by the failed fallocate (ext4 keeps them: the next file would find no room);
#   - the message is cp's: "error copying A to B" within one filesystem (cp 9.1 uses
#     copy_file_range there), "error writing B" otherwise.
. "$(dirname "$0")/lib.sh"

t_mount_or_skip btrfs btrfs room-btrfs 300M
t_mount_or_skip xfs xfs room-xfs 300M
t_mount_or_skip ext4 ext4 room-ext4 64M

# fill M: no room left for data
fill() {
	dd if=/dev/zero of="$1/fill" bs=1M 2>/dev/null
	dd if=/dev/zero of="$1/fill2" bs=4k 2>/dev/null
	sync
}

# clone_over M: an existing small file, a full filesystem, a 40 MiB source beside it
clone_over() {
	m=$1
	rm -f "$m"/[!l]* && head -c 40M /dev/urandom >"$m/src" && echo old >"$m/x" || return 99
	echo old >"$m/y" && sync && fill "$m" || return 99
	"$GNU_CP" "$m/src" "$m/y" || return 99 # cp's clone makes it
	"$SDCP" --debug "$m/src" "$m/x" >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
	cmp "$m/src" "$m/x" && grep -q "^method: clone; cloned 41943040," "$T/out" || return 1
	command -v filefrag >/dev/null || return 0
	filefrag -v "$m/x" | grep -q shared
}
ok 'btrfs: no room, the copy over an existing file is a clone' clone_over "$btrfs"
ok 'xfs: no room, the copy over an existing file is a clone' clone_over "$xfs"

# The same with --reflink=never: no clone, and the old file stays.
no_clone() {
	m=$1
	rm -f "$m"/[!l]* && head -c 40M /dev/urandom >"$m/src" && echo old >"$m/x" || return 99
	sync && fill "$m" || return 99
	"$SDCP" --reflink=never "$m/src" "$m/x" 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$m/x")" = old ] &&
		grep -qx "$SDCP: error writing '$m/x': No space left on device" "$T/err"
}
ok 'btrfs --reflink=never: no room, the old file stays' no_clone "$btrfs"

kept_whole() {
	m=$ext4
	rm -f "$m"/[!l]* && head -c 20M /dev/urandom >"$m/src" && echo old >"$m/x" || return 99
	touch -d '2001-02-03 04:05:06' "$m/x" && sync && fill "$m" || return 99
	truncate -s -1M "$m/fill" && sync # a little room: more than the next file needs
	"$SDCP" "$m/src" "$m/x" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && [ "$(cat "$m/x")" = old ] || { echo "status $rc"; return 1; }
	[ "$(stat -c %Y "$m/x")" = "$(date -d '2001-02-03 04:05:06' +%s)" ] || {
		echo "times changed"
		return 1
	}
	grep -qx "$SDCP: error copying '$m/src' to '$m/x': No space left on device" "$T/err" || {
		cat "$T/err"
		return 1
	}
	# the room is still there for a small file
	head -c 8k /dev/urandom >"$T/small" && "$SDCP" "$T/small" "$m/next" &&
		cmp "$T/small" "$m/next"
}
ok 'ext4: no room, the old file stays whole, its room given back' kept_whole

# --reflink=always where no clone can be made: cp's clone fails first, so its message is the
# clone's, not ENOSPC's; the old file stays
no_room_no_clone() {
	m=$ext4
	rm -f "$m"/[!l]* && head -c 20M /dev/urandom >"$m/src" && echo old >"$m/x" || return 99
	sync && fill "$m" || return 99
	"$SDCP" --reflink=always "$m/src" "$m/x" 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$m/x")" = old ] &&
		grep -qx "$SDCP: failed to clone '$m/x' from '$m/src': Operation not supported" "$T/err"
}
ok 'ext4 --reflink=always: no room, the clone'"'"'s error, the old file stays' no_room_no_clone

# A new file within one filesystem: cp's message names both files.
new_within() {
	m=$ext4
	rm -f "$m"/[!l]* && head -c 20M /dev/urandom >"$m/src" && sync && fill "$m" || return 99
	"$SDCP" "$m/src" "$m/new" 2>"$T/err"
	[ $? = 1 ] && [ ! -e "$m/new" ] &&
		grep -qx "$SDCP: error copying '$m/src' to '$m/new': No space left on device" "$T/err"
}
ok 'ext4: a new file that does not fit, cp'"'"'s message' new_within
t_done
