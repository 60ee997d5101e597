# shellcheck shell=bash disable=SC2154 # sourced by /sd/init, after /sd/lib.sh
# Between two mounts: what the client and the server allow, each stated and tested.
# - two exports of one server (NFS ext4 -> xfs, two mounts of 127.0.0.1): the Linux client sends
#   one COPY naming both files (they are on the same server), and nfsd copies across its own
#   filesystems in the kernel: no data on the wire;
# - two shares of one server (SMB ext4 -> xfs, one session): copychunk across the shares, likewise;
# - NFS -> the client's local disk, and local disk -> NFS: no server can copy to or from a disk it
#   cannot see; the data crosses the wire once (READ, or WRITE), never twice;
# - NFS -> SMB: two protocols, the data is read and written once each.

size_mb=16
size=$((size_mb * 1048576))

# between NAME SRC DST: one copy (splice_direct), its counters in /tmp/a and /tmp/b, and its check.
between() {
	rm -f "$(server_path "$3")"
	settle
	# cold: an earlier case read the same source through the same client
	echo 3 >/proc/sys/vm/drop_caches
	snap /tmp/a
	out=$(sdnet range - "$2" "$3" 2>&1)
	settle
	snap /tmp/b
	note "$1: $out; wire $(delta /tmp/a /tmp/b wire) bytes; $(deltas /tmp/a /tmp/b)"
	case "$out" in
	copied*) check "$1/same" "the copy differs" cmp -s "$(server_path "$2")" "$(server_path "$3")" ;;
	*)
		fail "$1" "$out"
		return 1
		;;
	esac
}

# within NAME LOW HIGH: counter NAME grew by LOW to HIGH (the counters in /tmp/a and /tmp/b).
within() {
	local d
	d=$(delta /tmp/a /tmp/b "$1")
	[ "$d" -ge "$2" ] && [ "$d" -le "$3" ]
}

mkdir -p /srv/ext4/between /srv/xfs/between /local/between
mkfile /srv/ext4/between/src "$size_mb"
cp /srv/ext4/between/src /local/between/src

if between nfs-ext4-xfs "$nfs/ext4/between/src" "$nfs/xfs/between/nfs-copy"; then
	check nfs-ext4-xfs/in-server "data crossed the wire: $(deltas /tmp/a /tmp/b)" \
		within wire 0 $((size / 100))
	check nfs-ext4-xfs/COPY "no COPY" [ "$(delta /tmp/a /tmp/b nfsd.COPY)" -gt 0 ]
fi
if ! with_smb; then
	smb_off smb
elif between smb-ext4-xfs "$smb/ext4/between/src" "$smb/xfs/between/smb-copy"; then
	check smb-ext4-xfs/in-server "data crossed the wire: $(deltas /tmp/a /tmp/b)" \
		within wire 0 $((size / 100))
fi
if between nfs-to-local "$nfs/ext4/between/src" /local/between/from-nfs; then
	check nfs-to-local/read-once "not one READ of the file: $(deltas /tmp/a /tmp/b)" \
		within nfs.read "$size" $((size + size / 100))
	check nfs-to-local/no-write "WRITE data: $(deltas /tmp/a /tmp/b)" within nfs.write 0 0
fi
if between local-to-nfs /local/between/src "$nfs/xfs/between/from-local"; then
	check local-to-nfs/write-once "not one WRITE of the file: $(deltas /tmp/a /tmp/b)" \
		within nfs.write "$size" $((size + size / 100))
	check local-to-nfs/no-read "READ data: $(deltas /tmp/a /tmp/b)" within nfs.read 0 0
fi
if with_smb && between nfs-to-smb "$nfs/ext4/between/src" "$smb/btrfs/between-nfs"; then
	check nfs-to-smb/read-once "not one READ of the file: $(deltas /tmp/a /tmp/b)" \
		within nfs.read "$size" $((size + size / 100))
	check nfs-to-smb/write-once "not one SMB write of the file: $(deltas /tmp/a /tmp/b)" \
		within smb.write "$size" $((size + size / 100))
fi
