# shellcheck shell=bash disable=SC2154 # sourced by /sd/init, after /sd/lib.sh
# Within one mount, the copy happens in the server: splice_direct(), splice_direct_file() and
# the seed's splice(SPLICE_F_DIRECT) on NFS 4.2 and SMB 3.1.1 over ext4, btrfs and xfs exports.
# Each copy is counted on the wire (the loopback's bytes) and by the protocol's own counters;
# a copy whose data crossed the wire fails, whatever the library's statistics say.

size_mb=32
size=$((size_mb * 1048576))
limit=$((size / 100)) # "no data on the wire": under 1% of the file

# server_shared FILE: how many extents of FILE (a path on the server's disk) are shared.
server_shared() {
	filefrag -v "$1" 2>/dev/null | grep -c shared || true
}

# method BYTES-LINE NAME: the bytes sdnet's line gives for method NAME.
method() {
	echo "$1" | awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) print $(i + 1) }'
}

# offload PROTO FS MODE FLAGS: one copy of src to a new name, with its proofs.
offload() {
	local proto=$1 fs=$2 mode=$3 flags=$4 dir out a=/tmp/a b=/tmp/b name wire data ops
	local srv=/srv/$fs/offload-$proto mnt
	[ "$proto" = nfs ] && mnt=$nfs/$fs/offload-$proto || mnt=$smb/$fs/offload-$proto
	name="$proto-$fs/$mode-${flags//,/+}"
	dir=$mode-${flags//,/+}
	rm -f "$srv/$dir"
	settle
	snap $a
	out=$(sdnet "$mode" "$flags" "$mnt/src" "$mnt/$dir" 2>&1)
	settle
	snap $b
	wire=$(delta $a $b wire)
	if [ "$proto" = nfs ]; then
		data=$(($(delta $a $b nfs.read) + $(delta $a $b nfs.write)))
		ops="COPY $(delta $a $b nfs.COPY) CLONE $(delta $a $b nfs.CLONE) server COPY $(delta $a $b nfsd.COPY) CLONE $(delta $a $b nfsd.CLONE) READ $(delta $a $b nfsd.READ) WRITE $(delta $a $b nfsd.WRITE)"
	else
		data=$(($(delta $a $b smb.read) + $(delta $a $b smb.write)))
		ops="IOCTLs $(delta $a $b smb.IOCTLs) Reads $(delta $a $b smb.Reads) Writes $(delta $a $b smb.Writes)"
	fi
	note "$name: $out; wire $wire bytes, data $data bytes; $ops"
	case "$out" in copied*) ;; *)
		last_out=$out
		return 1
		;;
	esac
	last_out=$out last_wire=$wire last_data=$data last_ops=" $ops "
	check "$name/same" "the copy differs from the source" cmp -s "$srv/src" "$srv/$dir"
	return 0
}

# on_server NAME: the copy's bytes stayed in the server (wire and protocol data under 1%).
on_server() {
	check "$1/wire" "$last_wire bytes crossed the loopback for $size" [ "$last_wire" -lt "$limit" ]
	check "$1/data" "$last_data bytes of READ/WRITE data for $size" [ "$last_data" -lt "$limit" ]
}

# op COUNTS-NAME: the count of operation NAME in the last copy's counters.
op() {
	echo "$last_ops" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

with_smb || smb_off smb
for proto in $protos; do
	for fs in ext4 btrfs xfs; do
		srv=/srv/$fs/offload-$proto
		mkdir -p "$srv"
		mkfile "$srv/src" "$size_mb"
		can_clone=1
		[ "$fs" = ext4 ] && can_clone=0

		# The library, default flags: native (series) or clone/offload (base), in the server.
		for mode in range file; do
			if offload "$proto" "$fs" "$mode" -; then
				on_server "$proto-$fs/$mode"
				if [ "$kernel" = series ]; then
					check "$proto-$fs/$mode/native" "not the native method: $last_out" \
						[ "$(method "$last_out" native)" = "$size" ]
				fi
				if [ "$proto" = nfs ]; then
					check "$proto-$fs/$mode/offloaded" "neither COPY nor CLONE:$last_ops" \
						[ $(($(op COPY) + $(op CLONE))) -gt 0 ]
				else
					check "$proto-$fs/$mode/offloaded" "no IOCTL:$last_ops" [ "$(op IOCTLs)" -gt 0 ]
				fi
			else
				fail "$proto-$fs/$mode" "$last_out"
			fi
		done

		# SPLICE_F_CLONE: shared extents on btrfs and xfs, no data at all; EOPNOTSUPP on ext4.
		if offload "$proto" "$fs" range clone; then
			if [ $can_clone = 1 ]; then
				on_server "$proto-$fs/clone"
				check "$proto-$fs/clone/cloned" "not under clone: $last_out" \
					[ "$(method "$last_out" clone)" = "$size" ]
				check "$proto-$fs/clone/shared" "no shared extent on the server" \
					[ "$(server_shared "$srv/range-clone")" -gt 0 ]
				if [ "$proto" = nfs ]; then
					check "$proto-$fs/clone/CLONE" "no CLONE, or a COPY:$last_ops" \
						[ "$(op CLONE)" -gt 0 -a "$(op COPY)" = 0 ]
				fi
			else
				fail "$proto-$fs/clone" "ext4 cannot clone, yet: $last_out"
			fi
		elif [ $can_clone = 0 ]; then
			check "$proto-$fs/clone/refused" "not EOPNOTSUPP: $last_out" \
				[ "${last_out%% (*}" = "error EOPNOTSUPP" ]
		else
			fail "$proto-$fs/clone" "$last_out"
		fi

		# SPLICE_F_NOCLONE: no clone, and no extent shared on the server. The server's own copy
		# (NFS COPY, SMB copychunk) clones on btrfs and xfs (nfsd and ksmbd call
		# vfs_copy_file_range), so an independent copy takes the client's path.
		if offload "$proto" "$fs" range noclone; then
			check "$proto-$fs/noclone/not-shared" "an extent is shared on the server" \
				[ "$(server_shared "$srv/range-noclone")" = 0 ]
			check "$proto-$fs/noclone/no-clone" "cloned: $last_out" \
				[ "$(method "$last_out" clone)" = 0 ]
			if [ "$proto" = nfs ]; then
				check "$proto-$fs/noclone/CLONE" "a CLONE or COPY went out:$last_ops" \
					[ "$(op CLONE)" = 0 -a "$(op COPY)" = 0 ]
			fi
		else
			fail "$proto-$fs/noclone" "$last_out"
		fi

		# The seed's own call: COPY on the wire with the series, EINVAL without it.
		if offload "$proto" "$fs" seed -; then
			on_server "$proto-$fs/seed"
			[ "$kernel" = base ] && fail "$proto-$fs/seed" "a kernel without the series copied"
		elif [ "$kernel" = base ]; then
			check "$proto-$fs/seed/einval" "not EINVAL: $last_out" \
				[ "${last_out%% (*}" = "error EINVAL" ]
		else
			fail "$proto-$fs/seed" "$last_out"
		fi
	done
done

# The server's copy across its own kind of storage: copy_file_range(2) itself (xfs_io) on an
# NFS mount of btrfs makes the server clone; this is why SPLICE_F_NOCLONE avoids it above.
srv=/srv/btrfs/offload-nfs
rm -f "$srv/cfr"
xfs_io -f -c "copy_range $nfs/btrfs/offload-nfs/src" "$nfs/btrfs/offload-nfs/cfr" 2>/dev/null ||
	: >"$srv/cfr"
settle
note "copy_file_range(2) on NFS over btrfs: $(server_shared "$srv/cfr") shared extents on the server"
