#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp's options and messages under sdcp-mpi: usage errors said once (by rank 0), -v lines
# and --debug lines as sdcp prints them (in another order), --stats=json, --atomic, --sparse,
# --verify, -L loops, --progress, operands that are files (a large one split into chunks), -t.
. "$(dirname "$0")/lib.sh"

t_mount_or_skip M tmpfs tmpfs 400M
t_fixture "$M/src" || exit 99
cd "$M" || exit 99

usage_once() {
	mpi 4 >"$T/out" 2>"$T/err.all"
	[ $? = 1 ] || return 1
	cat "$T/err.all"
	# not ours: Open MPI's event loop sometimes warns ("[warn] Epoll MOD(1) on fd 27 failed")
	grep -v '^\[warn\] ' "$T/err.all" >"$T/err"
	[ "$(wc -l <"$T/err")" = 2 ] && grep -q "sdcp-mpi: missing file operand" "$T/err" &&
		[ "$(mpi 2 --help | grep -c '^Usage: ')" = 1 ]
}
ok 'usage errors and --help: once, from rank 0' usage_once

verbose_as_sdcp() {
	"$SDCP" -rv --chunk-size=1M src v1 | sed 's/v1/X/g' | sort >"$T/s.v" || return 1
	mpi 4 -rv --chunk-size=1M src v2 | sed 's/v2/X/g' | sort >"$T/m.v" || return 1
	diff -u "$T/s.v" "$T/m.v"
}
ok '-v: the lines sdcp prints' verbose_as_sdcp

debug_lines() {
	mpi 2 --debug --chunk-size=1M --reflink=never src/big big.d >"$T/d" || return 1
	cat "$T/d"
	grep -qx "'src/big' -> 'big.d'" "$T/d" &&
		grep -q '^method: .*offloaded 5242880, spliced 0, copied 0, holes 0$' "$T/d" && cmp src/big big.d
}
ok '--debug: the method line of a file split over ranks' debug_lines

stats_json() {
	mpi 3 -r --stats=json --chunk-size=1M src sj >"$T/sj" || return 1
	cat "$T/sj"
	size=$(find src -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	[ "$(wc -l <"$T/sj")" = 1 ] &&
		python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert sum(o["bytes_by_method"].values()) + o["holes"] == o["bytes"] == int(sys.argv[2]), o
assert o["files"] == int(sys.argv[3]) and o["errors"] == 0, o
' "$T/sj" "$size" "$(find src -type f | wc -l)" && diff -r --no-dereference -x fifo src sj
}
ok '--stats=json: the totals of all ranks, one object, no line per rank' stats_json

atomic() {
	echo old >at.big && echo old >at.small || return 99
	mpi 4 --atomic --chunk-size=1M src/big at.big && mpi 2 --atomic src/a/h1 at.small || return 1
	cmp src/big at.big && cmp src/a/h1 at.small || return 1
	mpi 4 -r --atomic --chunk-size=1M src at.tree && diff -r --no-dereference -x fifo src at.tree || return 1
	[ -z "$(find . -name '*.sdcp-*')" ]
}
ok '--atomic: whole files, no temporary left' atomic

sparse_never() {
	mpi 2 --sparse=never --chunk-size=1M src/sparse sp.never && cmp src/sparse sp.never || return 1
	# every block written
	[ "$(stat -c %b sp.never)" -ge "$((8388608 / 512))" ]
}
ok '--sparse=never: the holes written out' sparse_never

sparse_always_verify() {
	head -c 4194304 /dev/zero >zeros && printf 'x' >>zeros || return 99
	mpi 2 --sparse=always --verify --chunk-size=1M zeros z.always || return 1
	cmp zeros z.always && [ "$(stat -c %b z.always)" -le 64 ]
}
ok '--sparse=always and --verify, chunk by chunk' sparse_always_verify

cycle() {
	mkdir -p cyc/d && echo x >cyc/d/f && ln -s .. cyc/d/loop || return 99
	"$SDCP" -rL cyc c1 2>"$T/e1"
	mpi 2 -rL cyc c2 2>"$T/e2"
	[ $? = 1 ] || return 1
	sed 's/^[^:]*: //' "$T/e1" >"$T/e1s" && sed 's/^[^:]*: //' "$T/e2" >"$T/e2s"
	diff -u "$T/e1s" "$T/e2s" && diff -r c1 c2
}
ok '-L: a cyclic symlink said as sdcp says it' cycle

progress() {
	mpi 2 -r --progress --chunk-size=1M src pr 2>"$T/p" && diff -r --no-dereference -x fifo src pr
}
ok '--progress: the copy still right' progress

operands() {
	mkdir -p into && mpi 4 --chunk-size=1M src/big src/a/h1 "src/odd name/p 1" into/ || return 1
	cmp src/big into/big && cmp src/a/h1 into/h1 && cmp "src/odd name/p 1" "into/p 1" || return 1
	mkdir -p t && mpi 2 -t t -r src/a src/big && diff -r --no-dereference -x fifo src/a t/a && cmp src/big t/big
}
ok 'files as operands, a large one split; -t' operands

itself() {
	mpi 2 -r src src/in 2>"$T/e"
	[ $? = 1 ] && grep -q "cannot copy a directory, 'src', into itself, 'src/in'" "$T/e" &&
		[ ! -e src/in ]
}
ok 'a folder into itself is refused' itself
t_done
