# shellcheck shell=bash disable=SC2154 # sourced by /sd/init, after /sd/lib.sh
# Figures (kernel/run --bed netfs with SD_NETFS_FIGURES=ROUNDS): a 256 MiB file and a
# 2,000-file tree, within NFS, within SMB, and from the local disk to NFS, on the loopback as it
# is and with netem's 1 ms delay (a LAN), copied by sdcp, GNU cp 9.1 and rsync 3.2.7: wall time
# (to the end of a sync) and the bytes that crossed the loopback. One line per copy:
#   fig SCENARIO DELAY TOOL SECONDS WIRE-BYTES DATA-BYTES
# The order of the tools rotates every round; every copy starts with the client's caches
# emptied (the mounts are mounted again) and a fresh destination.

rounds=$(sed -n 's/.*sdfigures=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ "${rounds:-0}" -gt 0 ]; then

	remount() {
		sync
		umount "$nfs/ext4"
		nfs_mount ext4
		if with_smb; then
			umount "$smb/ext4"
			smb_mount ext4
		fi
	}

	# run SCENARIO DELAY TOOL SRC DST SRV_DST BYTES
	run() {
		local t0 t1 args
		rm -rf "$6"
		remount
		case $3 in
		sdcp) args=(sdcp -a) ;;
		sdcp-j2) args=(sdcp -a -j 2) ;;
		cp) args=(cp -a) ;;
		rsync) args=(rsync -a) ;;
		esac
		snap /tmp/a
		t0=$(date +%s.%N)
		"${args[@]}" "$4" "$5" >/tmp/fig.out 2>&1 || note "$1 $3 failed: $(head -c 200 /tmp/fig.out)"
		sync
		t1=$(date +%s.%N)
		snap /tmp/b
		echo "fig $1 $2 $3 $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(delta /tmp/a /tmp/b wire) $7"
	}

	mkdir -p /srv/ext4/fig /local/fig
	mkfile /srv/ext4/fig/big 256
	mktree /srv/ext4/fig/tree 2000
	cp /srv/ext4/fig/big /local/fig/big
	cp -a /srv/ext4/fig/tree /local/fig/tree
	# SMB's tree: the same, its link made through the client (ksmbd serves none of its disk's).
	if with_smb; then
		cp -a /srv/ext4/fig/tree /srv/ext4/fig/smbtree
		rm /srv/ext4/fig/smbtree/link
		ln -s d0/f0 "$smb/ext4/fig/smbtree/link"
	fi
	big=$((256 * 1048576))
	tree=$(du -sb --apparent-size /srv/ext4/fig/tree | cut -f1)
	# sdcp-j2: one worker per CPU of the guest, sdcp's default before it took 8 on NFS and SMB
	tools=(sdcp cp rsync sdcp-j2)
	# A first copy writes where the disks (sparse images, and QEMU's snapshot overlays) have
	# never been written, which costs more than every later one: one unrecorded copy of each
	# scenario first, so that no tool pays for it.
	for sc in nfs-file:big nfs-tree:tree local-nfs-file:big local-nfs-tree:tree smb-file:big smb-tree:smbtree; do
		from=$nfs/ext4/fig to=$nfs/ext4/fig/out
		case $sc in
		local*) from=/local/fig ;;
		smb*) with_smb || continue; from=$smb/ext4/fig to=$smb/ext4/fig/out ;;
		esac
		run warm-up 0ms cp "$from/${sc#*:}" "$to" /srv/ext4/fig/out 0 >/dev/null
	done
	for ((r = 0; r < rounds; r++)); do
		for delay in 0ms 1ms; do
			tc qdisc del dev lo root 2>/dev/null
			[ $delay = 1ms ] && tc qdisc add dev lo root netem delay 1ms limit 100000
			for ((k = 0; k < ${#tools[@]}; k++)); do
				tool=${tools[$(((k + r) % ${#tools[@]}))]}
				run nfs-file $delay $tool "$nfs/ext4/fig/big" "$nfs/ext4/fig/out" /srv/ext4/fig/out $big
				run nfs-tree $delay $tool "$nfs/ext4/fig/tree" "$nfs/ext4/fig/out" /srv/ext4/fig/out $tree
				if with_smb; then
					run smb-file $delay $tool "$smb/ext4/fig/big" "$smb/ext4/fig/out" /srv/ext4/fig/out $big
					run smb-tree $delay $tool "$smb/ext4/fig/smbtree" "$smb/ext4/fig/out" /srv/ext4/fig/out $tree
				fi
				run local-nfs-file $delay $tool /local/fig/big "$nfs/ext4/fig/out" /srv/ext4/fig/out $big
				run local-nfs-tree $delay $tool /local/fig/tree "$nfs/ext4/fig/out" /srv/ext4/fig/out $tree
			done
		done
	done
	tc qdisc del dev lo root 2>/dev/null
	rm -rf /srv/ext4/fig /local/fig
fi
