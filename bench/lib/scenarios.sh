# SPDX-License-Identifier: MIT
# bench/lib/scenarios.sh - the scenarios of issue 3. Each makes its input on the filesystem(s),
# runs every tool on it (run_set), and removes its input again, so that images stay small.

have_fs() { [[ -n ${FS_MNT[$1]:-} ]]; }

# One large file within each filesystem. Cold: the filesystem is remounted before each run.
scenario_file() {
	local temp=$1 fs m
	for fs in "${FS_LIST[@]}"; do
		# tmpfs is the page cache: it has no cold state.
		[[ $temp == cold && $fs == tmpfs ]] && continue
		m=${FS_MNT[$fs]}
		"$MKDATA" file "$m/big" "$FILE_SIZE"
		sync -f "$m"
		run_set "file-$temp" file "$fs" "$fs" "$temp" 1 "$(bytes_of "$FILE_SIZE")" \
			"$m/big" "$m/big.copy" "${TOOLS[@]}"
		rm -f "$m/big"
	done
}

# SPLICE_F_NOCACHE: the large file, cold, copied for real (no clone) within each disk
# filesystem. The cache column is the page-cache growth; issue 6 wants at most 1% of the file,
# and a durable copy (the sync column) no slower than cp's.
scenario_nocache() {
	local fs m
	for fs in "${FS_LIST[@]}"; do
		[[ $fs == tmpfs ]] && continue
		m=${FS_MNT[$fs]}
		"$MKDATA" file "$m/big" "$FILE_SIZE"
		sync -f "$m"
		run_set nocache-cold nocache "$fs" "$fs" cold 1 "$(bytes_of "$FILE_SIZE")" \
			"$m/big" "$m/big.copy" "${TOOLS[@]}"
		rm -f "$m/big"
	done
}

# The same file from one filesystem type to another (copy_file_range answers EXDEV here).
scenario_across() {
	local temp=$1 pair sfs dfs
	for pair in ext4:xfs btrfs:ext4 tmpfs:ext4; do
		sfs=${pair%:*} dfs=${pair#*:}
		if ! have_fs "$sfs" || ! have_fs "$dfs"; then
			continue
		fi
		[[ $temp == cold && $sfs == tmpfs ]] && continue
		"$MKDATA" file "${FS_MNT[$sfs]}/big" "$FILE_SIZE"
		sync -f "${FS_MNT[$sfs]}"
		run_set "across-$temp" file "$sfs" "$dfs" "$temp" 1 "$(bytes_of "$FILE_SIZE")" \
			"${FS_MNT[$sfs]}/big" "${FS_MNT[$dfs]}/big.copy" "${TOOLS[@]}"
		rm -f "${FS_MNT[$sfs]}/big"
	done
}

# Many small files (0 B to 60 KiB) in folders, warm cache.
scenario_tree() {
	local fs m bytes
	for fs in "${FS_LIST[@]}"; do
		m=${FS_MNT[$fs]}
		bytes=$("$MKDATA" tree "$m/tree" "$TREE_FILES" "$TREE_DIRS" 60K)
		sync -f "$m"
		run_set tree tree "$fs" "$fs" warm "$TREE_FILES" "$bytes" "$m/tree" "$m/tree.copy" \
			"${TOOLS[@]}"
		rm -rf --one-file-system "$m/tree"
	done
}

# A real tree: the Linux 6.1 source of Debian's linux-source-6.1, unpacked once into CACHE.
scenario_linux() {
	local fs m files bytes tarball=/usr/src/linux-source-6.1.tar.xz src
	if [[ ! -f $tarball ]]; then
		say "installing linux-source-6.1 (about 140 MB)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			linux-source-6.1 >/dev/null || die "cannot install linux-source-6.1"
	fi
	src=$CACHE/linux-source-6.1
	if [[ ! -f $CACHE/linux-source-6.1.done ]]; then
		say "unpacking $tarball into $CACHE"
		rm -rf "$src"
		mkdir -p "$CACHE"
		tar -xJf "$tarball" -C "$CACHE" || die "cannot unpack $tarball"
		touch "$CACHE/linux-source-6.1.done"
	fi
	files=$(find "$src" -type f | wc -l)
	bytes=$(find "$src" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
	for fs in "${FS_LIST[@]}"; do
		m=${FS_MNT[$fs]}
		cp -a "$src" "$m/linux"
		sync -f "$m"
		run_set linux tree "$fs" "$fs" warm "$files" "$bytes" "$m/linux" "$m/linux.copy" \
			"${TOOLS[@]}"
		rm -rf --one-file-system "$m/linux"
	done
}

# A VM-image shape: a large file that is mostly holes.
scenario_sparse() {
	local fs m
	for fs in "${FS_LIST[@]}"; do
		m=${FS_MNT[$fs]}
		"$MKDATA" sparse "$m/sparse" "$SPARSE_SIZE" "$SPARSE_DATA"
		sync -f "$m"
		run_set sparse sparse "$fs" "$fs" warm 1 "$(bytes_of "$SPARSE_SIZE")" "$m/sparse" \
			"$m/sparse.copy" "${TOOLS[@]}"
		rm -f "$m/sparse"
	done
}

# Half of a file, from the middle, to offsets that are unaligned but congruent modulo the block
# size, on the cloning filesystems. cp cannot copy a range: dd (bytes through user memory) is
# the reference, and xfs_io's copy_range shows what the kernel's copy_file_range does alone.
scenario_range() {
	local fs m size
	if [[ -z $SDCOPY ]]; then
		say "range: skipped, the library is not built (sdcopy needs it)"
		return
	fi
	size=$(bytes_of "$FILE_SIZE")
	# shellcheck disable=SC2034 # read by tool_cmd and same_data (measure.sh)
	RANGE_IN=$((size / 4 + 1234)) RANGE_OUT=$((size / 8 + 1234)) RANGE_LEN=$((size / 2))
	for fs in btrfs xfs; do
		have_fs "$fs" || continue
		m=${FS_MNT[$fs]}
		"$MKDATA" file "$m/big" "$FILE_SIZE"
		sync -f "$m"
		run_set range range "$fs" "$fs" warm 1 "$RANGE_LEN" "$m/big" "$m/range.copy" \
			sdcopy dd xfs_io
		rm -f "$m/big"
	done
}
