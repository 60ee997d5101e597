# shellcheck shell=bash disable=SC2154 # sourced by /sd/init, after /sd/lib.sh
# sdcp -r and sdcp -a of a tree within one NFS mount and within one SMB mount: every file's
# data is copied in the server (--debug names the method of each; the protocol's READ and WRITE
# data counts prove it), and -a gives the metadata that cp -a gives on the same mount.

files=200

# meta DIR: every entry's type and mode, owner, size, mtime, link count and target, by name.
meta() {
	(cd "$1" && find . -printf '%P %y %M %U:%G %s %T@ %n %l\n' | LC_ALL=C sort)
}

with_smb || smb_off smb
for proto in $protos; do
	for fs in ext4 btrfs xfs; do
		srv=/srv/$fs/tree-$proto
		mnt=$nfs/$fs/tree-$proto
		[ "$proto" = smb ] && mnt=$smb/$fs/tree-$proto
		mkdir -p "$srv"
		# On SMB through the client, as files reach a share: ksmbd serves no link made on its
		# own disk, and the client's links are mfsymlinks (lib.sh, smb_mount).
		if [ "$proto" = smb ]; then mktree "$mnt/src" $files; else mktree "$srv/src" $files; fi
		bytes=$(du -sb --apparent-size "$srv/src" | cut -f1)
		for opt in -r -a; do
			name="$proto-$fs/sdcp$opt"
			dst=$mnt/sdcp$opt
			settle
			snap /tmp/a
			sdcp "$opt" --debug "$mnt/src" "$dst" >/tmp/debug 2>&1
			rc=$?
			settle
			snap /tmp/b
			if [ "$proto" = nfs ]; then
				data=$(($(delta /tmp/a /tmp/b nfs.read) + $(delta /tmp/a /tmp/b nfs.write)))
			else
				data=$(($(delta /tmp/a /tmp/b smb.read) + $(delta /tmp/a /tmp/b smb.write)))
			fi
			note "$name: $bytes bytes in $((files + 1)) files, exit $rc, wire $(delta /tmp/a /tmp/b wire) bytes, data $data bytes; $(deltas /tmp/a /tmp/b)"
			check "$name/exit" "exit status $rc: $(grep -v -e '^method:' -e '^copy offload:' -e "^'" /tmp/debug | head -n 3)" [ $rc = 0 ]
			copied=$(grep -c '^method:' /tmp/debug)
			inside=$(grep -c '^method: [a-z+]*; cloned [0-9]*, offloaded [0-9]*, spliced 0, copied 0,' /tmp/debug)
			check "$name/every-file" "$inside of $copied files copied in the server (of $((files + 1)))" \
				[ "$copied" -ge "$files" -a "$inside" = "$copied" ]
			check "$name/data" "$data bytes of READ/WRITE data for $bytes" [ "$data" -lt $((bytes / 100)) ]
			check "$name/same" "the trees differ" diff -r "$srv/src" "$srv/sdcp$opt"
		done
		# -a: the metadata cp -a gives on the same mount.
		cp -a "$mnt/src" "$mnt/cp-a"
		meta "$mnt/cp-a" >/tmp/meta.cp
		meta "$mnt/sdcp-a" >/tmp/meta.sdcp
		check "$proto-$fs/sdcp-a/metadata" "differs from cp -a: $(diff /tmp/meta.cp /tmp/meta.sdcp | head -n 4 | tr '\n' ' ')" \
			cmp -s /tmp/meta.cp /tmp/meta.sdcp
		# No -j on a network mount: at least 8 workers (7 threads besides the walking one),
		# whatever the CPUs, so that more round trips to the server are in flight.
		if [ "$fs" = ext4 ]; then
			strace -f -qq -e trace=clone,clone3 -o /tmp/threads sdcp -r "$mnt/src" "$mnt/workers"
			threads=$(grep -c -E '^[0-9]+ +clone3?\(' /tmp/threads)
			check "$proto-$fs/workers" "$threads threads started on $(nproc) CPUs" [ "$threads" -ge 7 ]
		fi
		rm -rf "$srv"
	done
done
