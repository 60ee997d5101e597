#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp's own options: --verify, --stats, --progress (silent off a terminal), --nocache,
# -j and --chunk-size checks.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
mkdir -p src/d && head -c 300000 /dev/urandom >src/d/f && echo x >src/g && ln -s g src/l ||
	exit 99

verify() {
	rm -rf dst && "$SDCP" -r --verify src dst && diff -r src dst
}
ok '--verify on a good copy' verify

stats() {
	rm -rf dst && "$SDCP" -r --stats src dst >out || return 1
	cat out
	grep -q "^$SDCP: 2 files, 2 directories, 1 symlinks, 0 other files: " out &&
		grep -q "^$SDCP: bytes cloned [0-9]*, offloaded [0-9]*, spliced [0-9]*, copied [0-9]*; holes kept [0-9]*; 0 errors" out
}
ok '--stats' stats

progress_quiet() {
	rm -rf dst && "$SDCP" -r --progress src dst 2>err >out && [ ! -s err ] && [ ! -s out ]
}
ok '--progress says nothing off a terminal' progress_quiet

progress_tty() {
	command -v script >/dev/null || return 0
	rm -rf dst
	script -qec "\"$SDCP\" -r --progress src dst" /dev/null >out 2>&1 || return 1
	diff -r src dst
}
ok '--progress on a terminal copies too' progress_tty

nocache() {
	rm -rf dst && "$SDCP" -r --nocache src dst && diff -r src dst
}
ok '--nocache' nocache

bad_jobs() {
	"$SDCP" -j 0 src dst 2>err
	[ $? = 1 ] && grep -q "invalid number of jobs: '0'" err
}
ok '-j 0 is refused' bad_jobs

bad_chunk() {
	"$SDCP" --chunk-size=x src dst 2>err
	[ $? = 1 ] && grep -q "invalid size: 'x'" err
}
ok '--chunk-size=x is refused' bad_chunk

debug_implies_v() {
	rm -rf dst && "$SDCP" --debug src/g dst >out || return 1
	[ "$(head -1 out)" = "'src/g' -> 'dst'" ] && grep -q '^method: .*; cloned ' out
}
ok '--debug implies -v' debug_implies_v
t_done
