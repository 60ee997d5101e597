#!/bin/sh
# SPDX-License-Identifier: MIT
# Balance on a skewed tree (issue 9): one large file and many small ones, as the issue's
# 4 GiB file and 20,000 files, scaled down (64 MiB in 1 MiB chunks, 2,000 files of 4 KiB in
# 20 folders: the same share of small-file bytes). With 2 and 4 ranks, --stats must show every
# rank within 15% of the mean bytes: a rank that steals the large file must not end up with
# all of it while another copies the small files.
. "$(dirname "$0")/lib.sh"

t_mount_or_skip M tmpfs tmpfs 300M
mkdir -p "$M/src/tree" || exit 99
head -c 409600 /dev/urandom >"$T/blob" || exit 99
for d in $(seq -w 0 19); do
	mkdir "$M/src/tree/d$d" && split -b 4096 -a 3 "$T/blob" "$M/src/tree/d$d/f" || exit 99
done
head -c 67108864 /dev/urandom >"$M/src/big" || exit 99

# within15 STATS: every "rank N:" line's bytes within 15% of their mean
within15() {
	grep -E ': rank [0-9]+: ' "$1" | sed -E 's/.* ([0-9]+) bytes .*/\1/' | awk '
		{ b[NR] = $1; sum += $1 }
		END {
			if (NR < 2) exit 1
			mean = sum / NR
			for (i = 1; i <= NR; i++) {
				d = (b[i] - mean) / mean * 100
				printf "rank %d: %d bytes, %+.1f%% of the mean\n", i - 1, b[i], d
				if (d > 15 || d < -15) bad = 1
			}
			exit bad
		}'
}

balanced() {
	rm -rf "$M/out$1"
	mpi "$1" -r --stats --chunk-size=1M "$M/src" "$M/out$1" >"$T/stats$1" || return 1
	within15 "$T/stats$1" >"$T/within$1"
	r=$?
	cat "$T/within$1"
	[ $r = 0 ] && diff -r "$M/src" "$M/out$1"
}
# 4 ranks share 2 CPUs here: a rank the scheduler leaves out for a while takes fewer chunks
# (seen once in some tens of CI runs: +19%). A second run is allowed; an unfair hand-out
# fails both.
balanced_twice() {
	balanced "$1" || { echo "again:" && balanced "$1"; }
}
ok '2 ranks: each within 15% of the mean bytes' balanced 2
ok '4 ranks: each within 15% of the mean bytes' balanced_twice 4
cat "$T/within2" "$T/within4" 2>/dev/null
t_done
