#!/bin/sh
# SPDX-License-Identifier: MIT
# A rename is durable only once its folder is synced: sdcp --atomic and the library's
# SPLICE_F_ATOMIC (through the Python binding) fsync the destination's folder after the rename,
# so that once they have returned a crash cannot bring the old file back (the crash bed,
# kernel/crash, saw ext4 do that before). Seen with strace -y: an fsync of each destination
# folder after the last rename into it, one per folder, not one per file.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || t_skip "strace not installed"
if ldd "$SDCP" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan'; then
	t_skip "sanitized build: strace's view is the sanitizer's too"
fi
cd "$T" || exit 99
mkdir -p src/a src/b dst/a dst/b || exit 99
for f in 1 2 3 4 5; do
	echo "new $f" >"src/a/f$f" && echo "new b$f" >"src/b/f$f" || exit 99
	echo "old $f" >"dst/a/f$f" && echo "old b$f" >"dst/b/f$f" || exit 99
done

# synced_after TRACE FOLDER: an fsync of FOLDER ($T/FOLDER) comes after the last rename into
# it (named through the folder's descriptor, or by its path from the current one).
synced_after() {
	awk -v dir="$T/$2" -v rel="\"$2/" '
		/renameat2?\(|rename\(/ && (index($0, "<" dir ">,") || index($0, rel)) { last = NR }
		/fsync\([0-9]+</ && index($0, "<" dir ">") { synced = NR }
		END { exit !(last && synced > last) }' "$1"
}
# fsyncs TRACE FOLDER: how many fsyncs of FOLDER.
fsyncs() {
	grep -c "fsync([0-9]*<$2>[) ]" "$1"
}

one_file() {
	strace -f -y -e trace=rename,renameat,renameat2,fsync -o one.tr \
		"$SDCP" --atomic src/a/f1 dst/a/f1 || return 1
	cmp src/a/f1 dst/a/f1 && synced_after one.tr dst/a
}
ok 'sdcp --atomic FILE: the folder is synced after the rename' one_file

tree() {
	strace -f -y -e trace=rename,renameat,renameat2,fsync -o tree.tr \
		"$SDCP" -a --atomic -T src dst || return 1
	diff -r src dst && synced_after tree.tr dst/a && synced_after tree.tr dst/b &&
		[ "$(fsyncs tree.tr "$T/dst/a")" = 1 ] && [ "$(fsyncs tree.tr "$T/dst/b")" = 1 ]
}
ok 'sdcp -a --atomic: each folder synced once, after its renames' tree

library() {
	[ -n "${SPLICEDIRECT_LIBRARY:-}" ] && command -v python3 >/dev/null || return 0
	echo old >dst/lib && echo new >src/lib || return 99
	strace -f -y -e trace=rename,renameat,renameat2,fsync -o lib.tr python3 -c '
import sys, splicedirect
splicedirect.copyfile(sys.argv[1], sys.argv[2], atomic=True)' src/lib dst/lib || return 1
	cmp src/lib dst/lib && synced_after lib.tr dst
}
ok 'splice_direct_file(SPLICE_F_ATOMIC): the folder is synced after the rename' library
t_done
