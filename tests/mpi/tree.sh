#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp-mpi -a on 1, 2 and 4 ranks gives the tree sdcp -a gives (content, modes, owners,
# times, hard links, symlinks, holes), on one filesystem type ($1: ext4, btrfs, xfs, tmpfs),
# with the large file split into chunks; --stats shows the bytes spread over the ranks. On
# btrfs, --reflink=always shares the chunks' extents (FIEMAP, through filefrag).
. "$(dirname "$0")/lib.sh"

fs=${1:?filesystem type}
t_mount_or_skip M "$fs" "$fs" 300M
t_fixture "$M/src" || exit 99
"$SDCP" -a "$M/src" "$M/ref" || exit 99

copy_as_sdcp() {
	mpi "$1" -a --stats --chunk-size=1M "$M/src" "$M/n$1" >"$T/stats$1" || return 1
	same_tree "$M/ref" "$M/n$1" || return 1
	grep -q ' 0 errors$' "$T/stats$1"
}
ok '1 rank: the tree sdcp -a makes' copy_as_sdcp 1
ok '2 ranks: the tree sdcp -a makes' copy_as_sdcp 2
ok '4 ranks: the tree sdcp -a makes' copy_as_sdcp 4

holes_kept() {
	# sdcp keeps the holes; so must every chunk
	[ "$(stat -c %b "$M/n4/sparse")" -le "$(($(stat -c %b "$M/ref/sparse") + 64))" ]
}
ok 'holes stay holes' holes_kept

spread() {
	# 5 chunks of 1 MiB and a sparse file of 8 chunks: more than one rank moved bytes
	[ "$(ranks_with_bytes "$T/stats4")" -ge 2 ] || return 1
	[ "$(grep -c ': rank [0-9]*: ' "$T/stats4")" = 4 ]
}
ok '--stats: bytes per rank, spread over them' spread

if [ "$fs" = btrfs ]; then
	shared() {
		command -v filefrag >/dev/null || return 0
		mpi 2 --reflink=always --stats --chunk-size=1M "$M/src/big" "$M/clone" >"$T/cl" ||
			return 1
		cmp "$M/src/big" "$M/clone" || return 1
		grep -q 'bytes cloned 5242880,' "$T/cl" || return 1
		sync
		filefrag -v "$M/clone" | grep -q shared
	}
	ok '--reflink=always: every chunk cloned, extents shared' shared
fi
t_done
