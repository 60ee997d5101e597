# shellcheck shell=bash disable=SC2034 # the tests use the names
# /sd/lib.sh - what the crash bed's tests (/sd/tests/*.sh) share: verdict lines, the
# filesystems, and the two halves of every crash test: a workload run on device-mapper's
# log-writes target (logged), then the log replayed to each of its crash points and the
# filesystem checked there (each_point). Sourced by /sd/init; the tests run in its shell.
#
# Verdicts, one line each, read by kernel/run from the console:
#   PASS crash[KERNEL]/TEST/CHECK      FAIL ...: why      SKIP ...: why      note ...: information

kernel=$(sed -n 's/.*sdkernel=\([a-z]*\).*/\1/p' /proc/cmdline)
test=init

pass() { echo "PASS crash[$kernel]/$test/$1"; }
fail() { echo "FAIL crash[$kernel]/$test/$1: $2"; }
skip() { echo "SKIP crash[$kernel]/$test/$1: $2"; }
note() { echo "note crash[$kernel]/$test: $*"; }

# The disks (kernel/crash/bed): the filesystem under test, the log, the replay device, and the
# snapshots' store.
DATA=/dev/vdb LOG=/dev/vdc REPLAY=/dev/vdd COW=/dev/vde
FS=/mnt/fs     # the filesystem under test, through log-writes, while a workload runs
CHECK=/mnt/chk # a snapshot of the replay device at one crash point
SRC=/var/sdsrc # the workloads' sources, on the root's ext4 (not logged)
mkdir -p "$FS" "$CHECK" "$SRC"

# The filesystems, as kernel/run's SD_CRASH_FS may narrow them: ext4 with data=ordered (its
# default), ext4 with data=writeback, xfs, btrfs.
read -r -a filesystems <<<"$(sed -n 's/.*sdfs=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')"
[ ${#filesystems[@]} -gt 0 ] || filesystems=(ext4 ext4wb xfs btrfs)

fs_type() { case $1 in ext4*) echo ext4 ;; *) echo "$1" ;; esac; }
fs_mkfs() {
	case $1 in
	ext4*) mkfs.ext4 -q -F "$2" ;;
	xfs) mkfs.xfs -q -f "$2" ;;
	btrfs) mkfs.btrfs -q -f "$2" >/dev/null ;;
	esac
}
# Mount options: the workload's; a check's adds what a copy of the same filesystem needs
# (xfs: another device with the same UUID has been seen).
fs_opts() {
	case $1 in
	ext4) echo data=ordered ;;
	ext4wb) echo data=writeback ;;
	*) echo defaults ;;
	esac
}
fs_check_opts() {
	case $1 in
	xfs) echo nouuid ;;
	*) fs_opts "$1" ;;
	esac
}

# dm ARGS: dmsetup without udev (the guest runs none; tinyconfig has no System V semaphores for
# its synchronisation either), so /dev/mapper stays empty: dm_dev NAME prints the device's node
# that devtmpfs made, /dev/dm-N.
dm() {
	local r
	dmsetup --noudevrules --noudevsync "$@" 2>/tmp/dm.err
	r=$?
	grep -v 'not configured for semaphores' /tmp/dm.err >&2
	return $r
}
dm_dev() {
	local b
	for b in /sys/block/dm-*; do
		[ "$(cat "$b/dm/name" 2>/dev/null)" = "$1" ] && echo "/dev/${b##*/}" && return 0
	done
	return 1
}

# mark NAME: a mark in the log, between the writes that completed before it and those after.
mark() { dm message sdlog 0 mark "$1"; }

# logged FS SETUP WORKLOAD: a new FS on DATA; SETUP runs in it (the state before); the replay
# device is made equal to DATA; WORKLOAD then runs in the FS mounted through log-writes, whose
# log (every write, flush and FUA, in the order of their completion) goes to LOG. Both run
# with the FS as their working folder. Returns WORKLOAD's status.
logged() {
	local fs=$1 setup=$2 work=$3 type sectors r
	type=$(fs_type "$fs")
	sectors=$(blockdev --getsz "$DATA")
	fs_mkfs "$fs" "$DATA" || return 1
	mount -t "$type" -o "$(fs_opts "$fs")" "$DATA" "$FS" || return 1
	(cd "$FS" && "$setup") || {
		umount "$FS"
		return 1
	}
	umount "$FS" || return 1
	# the replay device starts where the log starts; an old log's super block is gone
	dd if="$DATA" of="$REPLAY" bs=4M conv=fsync status=none || return 1
	dd if=/dev/zero of="$LOG" bs=64K count=1 conv=fsync status=none || return 1
	dm create sdlog --table "0 $sectors log-writes $DATA $LOG" || return 1
	mount -t "$type" -o "$(fs_opts "$fs")" "$(dm_dev sdlog)" "$FS" || {
		dm remove sdlog
		return 1
	}
	mark start
	(cd "$FS" && "$work")
	r=$?
	mark end
	umount "$FS"
	dm remove sdlog
	return $r
}

# each_point FS CHECK: replay the log on the replay device to each crash point (every FLUSH
# and FUA entry; and the state before the first one), mount a snapshot of it (journal recovery
# included, its writes kept in the snapshot) at CHECK and run the function CHECK with the
# entry's index (-1: before the log). CHECK prints why and returns 1 for a violation. Sets
# points and violations.
each_point() {
	local fs=$1 check=$2 type opts sectors prev=0 p
	type=$(fs_type "$fs")
	opts=$(fs_check_opts "$fs")
	sectors=$(blockdev --getsz "$REPLAY")
	points=0 violations=0
	for p in -1 $(sdreplay "$LOG" points); do
		if [ "$p" -ge 0 ]; then
			sdreplay "$LOG" replay "$REPLAY" "$prev" "$p" || return 1
			prev=$((p + 1))
		fi
		dm create sdsnap --table "0 $sectors snapshot $REPLAY $COW N 8" || return 1
		[ "$type" = btrfs ] && btrfs device scan --forget >/dev/null 2>&1
		points=$((points + 1))
		if ! mount -t "$type" -o "$opts" "$(dm_dev sdsnap)" "$CHECK" 2>/tmp/mount.err; then
			echo "point $p: the filesystem does not mount: $(tail -n 1 /tmp/mount.err)"
			violations=$((violations + 1))
		else
			"$check" "$p" || violations=$((violations + 1))
			umount "$CHECK"
		fi
		dm remove sdsnap || return 1
	done
}

# workload FS SETUP WORKLOAD: logged, its output in /tmp/TEST.FS.log, and the verdict
# FS/workload; 1 if it failed.
workload() {
	local log=/tmp/$test.$1.log
	if ! logged "$1" "$2" "$3" >"$log" 2>&1; then
		fail "$1/workload" "$(tail -n 3 "$log" | tr '\n' ' ')"
		return 1
	fi
	pass "$1/workload"
}

# point_verdict FS [PATTERN]: the verdict FS/every-point from each_point's counts, whose lines
# the test kept in /tmp/TEST.FS.points; a failure quotes the first lines matching PATTERN.
point_verdict() {
	local out=/tmp/$test.$1.points
	if [ "$violations" = 0 ] && [ "$points" -gt 1 ]; then
		pass "$1/every-point"
	else
		fail "$1/every-point" "$violations of $points crash points: $(grep -m 3 "${2:-.}" "$out" | tr '\n' ' ')"
		head -n 20 "$out" | sed "s/^/note   /"
	fi
}

# after_mark NAME POINT: does crash point POINT come after the mark NAME in the log?
after_mark() {
	local m
	m=$(sdreplay "$LOG" mark "$1" 2>/dev/null) || return 1
	[ "$2" -gt "$m" ]
}

# same FILE FILE: byte for byte.
same() { cmp -s "$1" "$2"; }

# The files the workloads copy (in $SRC, once): big64 (64 MiB), small (4 KiB).
make_sources() {
	[ -e "$SRC/big64" ] && return 0
	head -c 64M /dev/urandom >"$SRC/big64.tmp" && head -c 4096 /dev/urandom >"$SRC/small" &&
		mv "$SRC/big64.tmp" "$SRC/big64"
}

# The trees the tree workloads copy (in $SRC, once): tree/ the source; old/ an older copy of
# it, with other content (half of the files of the same size, half not), older times, a file
# the source no longer has, and without the source's newest file. Sizes from 1 KiB to 300 KiB,
# and one of 8 MiB.
make_trees() {
	local d f n size
	[ -d "$SRC/tree" ] && return 0
	for d in a b c; do
		mkdir -p "$SRC/tree/$d" "$SRC/old/$d" || return 1
		for f in 1 2 3 4 5 6 7 8; do
			n=$((f * (${#d} + 2) * 37 % 300 + 1))
			head -c "${n}K" /dev/urandom >"$SRC/tree/$d/f$f" || return 1
			size=$n
			[ $((f % 2)) = 0 ] && size=$((n + 3))
			head -c "${size}K" /dev/urandom >"$SRC/old/$d/f$f" || return 1
		done
	done
	head -c 8M /dev/urandom >"$SRC/tree/a/big" && head -c 8M /dev/urandom >"$SRC/old/a/big" &&
		head -c 5000 /dev/urandom >"$SRC/tree/c/new" && echo gone >"$SRC/old/b/gone" || return 1
	find "$SRC/old" -exec touch -d '2020-01-01 00:00' {} + &&
		find "$SRC/tree" -exec touch -d '2024-06-01 12:00' {} +
}

# tree_files: the source tree's files, relative to it.
tree_files() { (cd "$SRC/tree" && find . -type f | sort); }
