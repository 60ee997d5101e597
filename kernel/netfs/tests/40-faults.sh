# shellcheck shell=bash disable=SC2154 # sourced by /sd/init, after /sd/lib.sh
# A real server's faults: its export goes read-only, its disk fills up, it is stopped in the
# middle of a copy and started again. Whatever happens, the source is never changed, a copy
# that fails says so with the server's errno, and no name promised a complete file holds a
# short one: --atomic (and SPLICE_F_ATOMIC) leave the old file, or no file, or the new one whole.

sum() { sha256sum <"$1" | cut -c1-16; }

# names DIR: the names in DIR, on one line (leftover temporary files show here).
names() { (cd "$1" && ls -A | tr '\n' ' '); }

# --- the export goes read-only ---------------------------------------------------------------
readonly_case() { # PROTO MNT SRV ERRNOS
	local proto=$1 mnt=$2 srv=$3 errnos=$4 s o out rc
	s=$(sum "$srv/src") o=$(sum "$srv/old")
	out=$(sdnet range - "$mnt/src" "$mnt/new" 2>&1)
	check "$proto-readonly/splice_direct" "not $errnos: $out" grep -q -E "^error ($errnos)" <<<"$out"
	out=$(sdcp "$mnt/src" "$mnt/new" 2>&1)
	rc=$?
	note "$proto read-only: sdcp says: $out"
	check "$proto-readonly/sdcp" "exit $rc, '$out'" [ $rc = 1 ]
	out=$(sdcp --atomic "$mnt/src" "$mnt/old" 2>&1)
	rc=$?
	check "$proto-readonly/atomic" "exit $rc, '$out'" [ $rc = 1 ]
	check "$proto-readonly/old-kept" "the old file changed" [ "$(sum "$srv/old")" = "$o" ]
	check "$proto-readonly/source-kept" "the source changed" [ "$(sum "$srv/src")" = "$s" ]
	check "$proto-readonly/no-leftovers" "names: $(names "$srv")" [ "$(names "$srv")" = "old src " ]
}

srv=/srv/ext4/readonly
mkdir -p "$srv"
mkfile "$srv/src" 4
mkfile "$srv/old" 1
settle
# NFS: the administrator re-exports the disk read-only; exportfs -r restores /etc/exports.
exportfs -o ro,sync,no_subtree_check,no_root_squash,fsid=1 127.0.0.1:/srv/ext4
readonly_case nfs "$nfs/ext4/readonly" "$srv" 'EROFS|EACCES'
exportfs -r
# SMB: a read-only share of the same disk (ksmbd's "read only = yes": etc/ksmbd/ksmbd.conf)
# refuses every write with ACCESS_DENIED.
if with_smb; then
	mkdir -p "$smb/ext4-ro"
	if smb_mount ext4-ro; then
		readonly_case smb-share "$smb/ext4-ro/readonly" "$srv" EACCES
		umount "$smb/ext4-ro"
	else
		fail smb-share-readonly "mount //127.0.0.1/ext4-ro failed"
	fi
fi
# The server's disk itself goes read-only. ksmbd (6.1 and 6.12) then fails every open, a stat's
# included, with STATUS_UNEXPECTED_IO_ERROR (it has no status for EROFS): EIO, the server's
# word, and still nothing changed.
settle
ro=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	mount -o remount,ro /srv/ext4 2>/dev/null && ro=1 && break
	sleep 1
done
if ! with_smb; then
	smb_off smb-readonly
	[ $ro = 1 ] && mount -o remount,rw /srv/ext4
elif [ $ro = 1 ]; then
	readonly_case smb-disk "$smb/ext4/readonly" "$srv" 'EROFS|EACCES|EIO'
	mount -o remount,rw /srv/ext4
else
	skip smb-readonly "the server's disk stayed busy: cannot remount it read-only"
fi

# --- the share fills up ------------------------------------------------------------------------
# /srv/small is 96 MiB: a 40 MiB source and an 8 MiB old file leave no room for a second copy.
full_case() { # PROTO MNT SRV
	local proto=$1 mnt=$2 srv=$3 s o out rc
	s=$(sum "$srv/src") o=$(sum "$srv/old")
	out=$(sdcp --atomic "$mnt/src" "$mnt/old" 2>&1)
	rc=$?
	note "$proto full: sdcp --atomic says: $out"
	check "$proto-full/atomic-fails" "exit $rc, '$out'" [ $rc = 1 ]
	check "$proto-full/atomic-enospc" "not ENOSPC: '$out'" grep -q 'No space left on device' <<<"$out"
	check "$proto-full/old-kept" "the old file changed" [ "$(sum "$srv/old")" = "$o" ]
	out=$(sdnet file atomic "$mnt/src" "$mnt/old" 2>&1)
	check "$proto-full/file-atomic" "not ENOSPC: $out" grep -q '^error ENOSPC' <<<"$out"
	check "$proto-full/file-old-kept" "the old file changed" [ "$(sum "$srv/old")" = "$o" ]
	check "$proto-full/no-leftovers" "names: $(names "$srv")" [ "$(names "$srv")" = "old src " ]
	out=$(sdcp "$mnt/src" "$mnt/new" 2>&1)
	rc=$?
	note "$proto full: sdcp to a new name says: $out; left: $(names "$srv")"
	check "$proto-full/sdcp-fails" "exit $rc, '$out'" [ $rc = 1 ]
	check "$proto-full/source-kept" "the source changed" [ "$(sum "$srv/src")" = "$s" ]
	rm -f "$srv/new"
}

with_smb || smb_off smb-full
for proto in $protos; do
	srv=/srv/small/full-$proto
	mkdir -p "$srv"
	mkfile "$srv/src" 40
	mkfile "$srv/old" 8
	settle
	[ "$proto" = nfs ] && full_case nfs "$nfs/small/full-nfs" "$srv"
	[ "$proto" = smb ] && full_case smb "$smb/small/full-smb" "$srv"
	rm -rf "$srv"
done

# --- the server stops in the middle of a copy, and comes back ----------------------------------
# stop_case NAME STOP START SRC DST: sdcp --atomic SRC over an old DST; the server is stopped
# once the copy is under way and started 3 s later. NFS is mounted hard: the copy waits and
# completes. Either way the name holds the old file or the whole new one, never a part.
stop_case() {
	local name=$1 stop=$2 start=$3 src=$4 dst=$5 srv_dst=$6 s o pid rc waited=0 running
	s=$(sum "$src") o=$(sum "$srv_dst")
	sdcp --atomic "$src" "$dst" >/tmp/stop.out 2>&1 &
	pid=$!
	sleep 2
	running=0
	kill -0 $pid 2>/dev/null && running=1
	$stop >/dev/null 2>&1
	sleep 3
	$start >/dev/null 2>&1
	while kill -0 $pid 2>/dev/null && [ $waited -lt 300 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		fail "$name/finishes" "the copy still runs 300 s after the server came back"
		kill -9 $pid
	fi
	wait $pid
	rc=$?
	note "$name: exit $rc after the server was back for ${waited} s: $(head -c 300 /tmp/stop.out)"
	[ $running = 1 ] || skip "$name/stopped-during-copy" "the copy ended within 2 s, before the stop"
	check "$name/source-kept" "the source changed" [ "$(sum "$src")" = "$s" ]
	settle
	local now
	now=$(sum "$srv_dst")
	check "$name/old-or-new" "the destination is neither the old file nor the new one" \
		[ "$now" = "$o" -o "$now" = "$s" ]
	check "$name/no-leftovers" "names: $(names "${srv_dst%/*}")" [ "$(names "${srv_dst%/*}")" = "old " ]
	last_rc=$rc
}

nfs_stop() { rpc.nfsd 0; }
nfs_start() { rpc.nfsd 8; }
smb_stop() { unit ksmbd stop; }
smb_start() { unit ksmbd start; }

mkdir -p /local/stop /srv/ext4/stop-nfs /srv/ext4/stop-smb
mkfile /local/stop/src 96
mkfile /srv/ext4/stop-nfs/old 1
mkfile /srv/ext4/stop-smb/old 1
settle
stop_case nfs-stop nfs_stop nfs_start /local/stop/src "$nfs/ext4/stop-nfs/old" /srv/ext4/stop-nfs/old
check nfs-stop/completes "a hard mount must complete the copy: exit $last_rc" [ "$last_rc" = 0 ]
if with_smb; then
	# SMB writes the 96 MiB within the 2 s before the stop on the bare loopback; netem's
	# 100 Mbit/s (a slow LAN) makes it take about 8.
	tc qdisc add dev lo root netem rate 100mbit limit 100000
	stop_case smb-stop smb_stop smb_start /local/stop/src "$smb/ext4/stop-smb/old" /srv/ext4/stop-smb/old
	tc qdisc del dev lo root
else
	smb_off smb-stop
fi
