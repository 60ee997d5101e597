# SPDX-License-Identifier: MIT
# bench/lib/fs.sh - one private loop-device filesystem (or tmpfs) per type, each in its own
# mktemp -d folder; the device limit measured with fio before mkfs; always torn down.

declare -A FS_DIR=() FS_LOOP=() FS_MNT=()
FS_MADE=()

fs_create() {
	local fs=$1 dir loop
	dir=$(mktemp -d "/var/tmp/splice-direct-bench-$fs.XXXXXX")
	FS_DIR[$fs]=$dir
	FS_MADE+=("$fs")
	mkdir "$dir/mnt"
	FS_MNT[$fs]=$dir/mnt
	if [[ $fs == tmpfs ]]; then
		mount -t tmpfs -o "size=$TMPFS_SIZE" bench-tmpfs "$dir/mnt"
		return
	fi
	# Allocated up front: other users of the host disk may fill it during the run, and a
	# sparse image would then fail with I/O errors in the middle of a copy.
	fallocate -l "$IMG_SIZE" "$dir/image" ||
		die "cannot allocate a $IMG_SIZE image in /var/tmp ($(df -h --output=avail /var/tmp | tail -n 1) free)"
	# Direct I/O from the loop device to its backing file: the data is cached once, in the
	# filesystem under test, not a second time in the host's cache of the image.
	loop=$(losetup -f --show --direct-io=on "$dir/image")
	FS_LOOP[$fs]=$loop
	[[ $(cat "/sys/block/${loop#/dev/}/loop/dio" 2>/dev/null) == 1 ]] ||
		say "warning: $loop does not use direct I/O: the image is cached twice"
	want fio && fio_device "$fs" "$loop"
	# No discard anywhere: on a loop device it punches holes into the allocated image. ext4
	# initialises inode tables and journal now, not in a background thread during the runs.
	case $fs in
	ext4) mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "$loop" ;;
	btrfs) mkfs.btrfs -q -f -K "$loop" >/dev/null ;;
	xfs) mkfs.xfs -q -f -K "$loop" ;;
	*) die "unknown filesystem '$fs'" ;;
	esac
	fs_mount "$fs"
}

fs_mount() {
	local opts=defaults
	[[ $1 == btrfs ]] && opts=nodiscard # btrfs discards asynchronously by default since 6.2
	mount -o "$opts" "${FS_LOOP[$1]}" "${FS_MNT[$1]}" || die "cannot mount ${FS_LOOP[$1]}"
}

# A cold cache for one filesystem: unmounting drops its data, inodes and metadata buffers, and
# only those, so other users of the machine keep their cache (unlike vm.drop_caches).
fs_remount() {
	local fs=$1
	[[ $fs == tmpfs ]] && return 0
	umount "${FS_MNT[$fs]}" || die "cannot unmount ${FS_MNT[$fs]}"
	fs_mount "$fs"
}

# Free bytes of the filesystem that holds $1 (statfs f_bfree * f_frsize).
fs_free() {
	stat -f -c '%f %S' "$1" | awk '{printf "%.0f\n", $1 * $2}'
}

fs_cleanup_all() {
	local fs mnt
	for fs in "${FS_MADE[@]}"; do
		mnt=${FS_MNT[$fs]}
		for _ in 1 2 3 4 5; do
			mountpoint -q "$mnt" || break
			umount "$mnt" 2>/dev/null && break
			sleep 1
		done
		# Still busy (a copy we started is still running): detach it anyway; the loop
		# device is then released with autoclear when the last user goes.
		mountpoint -q "$mnt" && umount -l "$mnt"
		[[ -n ${FS_LOOP[$fs]:-} ]] && losetup -d "${FS_LOOP[$fs]}"
		rm -rf --one-file-system "${FS_DIR[$fs]}"
	done
	FS_MADE=()
}

# Sequential read and write limit of the raw device: O_DIRECT, io_uring, queue depth 16, 1 MiB.
# FIO_SIZE bytes at the start of the device, over and over for FIO_TIME seconds. Written first,
# so that the read sees real blocks (a fresh image reads as zeroes without touching the disk).
fio_device() {
	local fs=$1 dev=$2 rw bw bytes secs
	for rw in write read; do
		fio --name="$rw" --filename="$dev" --rw="$rw" --bs=1M --direct=1 \
			--ioengine=io_uring --iodepth=16 --size="$FIO_SIZE" --runtime="$FIO_TIME" \
			--time_based --ramp_time=0.5 \
			--output-format=json --output="$WORK/fio.json" >/dev/null ||
			die "fio $rw on $dev failed"
		bw=$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0][sys.argv[2]]
print(j["io_bytes"], j["runtime"] / 1000.0, j["bw_bytes"])' "$WORK/fio.json" "$rw")
		read -r bytes secs bw <<<"$bw"
		say "fio $fs $rw: $((bw / 1000000)) MB/s"
		csv_row "fio-$rw" "$fs" "$fs" 0 "$bytes" fio 1 "$secs" "" "" "" "" "" "" "" "" ok
	done
}
