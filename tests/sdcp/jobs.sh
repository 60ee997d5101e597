#!/bin/sh
# SPDX-License-Identifier: MIT
# -j 1 and -j 4 make the same tree, also when large files are split into chunk jobs.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/src" && cd "$T/src" || exit 99
for d in 1 2 3 4 5 6; do
	mkdir -p "d$d/e$d"
	for f in $(seq 1 40); do
		head -c $((f * 97 + d)) /dev/urandom >"d$d/f$f"
	done
	echo "$d" >"d$d/e$d/deep"
	ln -s "f1" "d$d/link"
done
head -c 3000000 /dev/urandom >big
truncate -s 5M sparse-big
printf 'tail' >>sparse-big
ln big big-again
cd "$T" || exit 99

copies_equal() {
	rm -rf "$T/j1" "$T/j4"
	"$SDCP" -a -j 1 --chunk-size=256K "$T/src" "$T/j1" || return 1
	"$SDCP" -a -j 4 --chunk-size=256K "$T/src" "$T/j4" || return 1
	t_tree_full "$T/src" >"$T/src.tree" || return 1
	t_tree_full "$T/j1" >"$T/j1.tree" && t_tree_full "$T/j4" >"$T/j4.tree" || return 1
	diff -u "$T/src.tree" "$T/j1.tree" && diff -u "$T/j1.tree" "$T/j4.tree"
}
ok '-j 1 and -j 4 make the same tree as the source' copies_equal

chunked_holes() {
	cmp "$T/src/sparse-big" "$T/j4/sparse-big" &&
		[ "$(stat -c %b "$T/j4/sparse-big")" -lt 1000 ]
}
ok 'a chunked sparse file keeps its holes' chunked_holes

big_chunks() {
	rm -rf "$T/jb"
	"$SDCP" -j 3 --chunk-size=64K --stats "$T/src/big" "$T/jb" >"$T/stats" || return 1
	cmp "$T/src/big" "$T/jb" && grep -q "1 files" "$T/stats"
}
ok 'a file in 46 chunks on 3 workers' big_chunks

# Without --chunk-size a file goes into a local filesystem through one worker, however
# large: its writes would take turns on the copy's inode lock. Seen in the calls that move
# its bytes (the library's first call from offset 0 asks for the whole file, or for one
# chunk of 256 MiB when it is split); 512 MiB of zeros, not sparse, on a tmpfs.
first_len() {
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=splice,copy_file_range,sendfile \
		-o "$T/calls" "$SDCP" -j 2 "$@" || return 1
	sed -n 's/.*([0-9]*, \[0\], [0-9]*, \[0\], \([0-9]*\),.*/\1/p' "$T/calls" | head -n 1
}
one_worker() {
	t_mount_or_skip B tmpfs big 1200M
	head -c 512M /dev/zero >"$B/zeros" || return 99
	n=$(first_len "$B/zeros" "$B/one") || return 1
	echo "default: $n"
	[ "$n" = 536870912 ] && cmp "$B/zeros" "$B/one" && rm "$B/one" || return 1
	n=$(first_len --chunk-size=256M "$B/zeros" "$B/two") || return 1
	echo "--chunk-size=256M: $n"
	[ "$n" = 268435456 ] && cmp "$B/zeros" "$B/two"
}
if command -v strace >/dev/null; then
	ok 'a large file into a local filesystem: one worker, unless --chunk-size' one_worker
else
	echo "# skip: strace not installed: one worker per large file not checked"
fi

verbose_order() {
	rm -rf "$T/v1" "$T/v2"
	(cd "$T" && "$SDCP" -rv src v1 >"$T/v1.out") || return 1
	(cd "$T" && "$GNU_CP" -rv src v2 | sed 's/v2/v1/' >"$T/v2.out") || return 1
	diff -u "$T/v2.out" "$T/v1.out"
}
ok '-v keeps cp order (one worker unless -j)' verbose_order
t_done
