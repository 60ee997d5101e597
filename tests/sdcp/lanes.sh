#!/bin/sh
# SPDX-License-Identifier: MIT
# The pool's lanes (work.c): many folders of few files, and one folder of more files than the
# queue holds (4096), are copied whole with several workers, and the folders waiting for a worker
# stay few: each keeps two fds open, and the copy must fit in a low limit of open files.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/src/many" "$T/src/wide" || exit 99
cd "$T/src/many" || exit 99
seq 1 300 | sed 's/^/d/' | xargs mkdir && seq 1 300 | sed 's|.*|d&/f|' | xargs touch || exit 99
echo data >d1/f && cd "$T/src/wide" || exit 99
seq 1 4500 | sed 's/^/f/' | xargs touch && echo data >f1 && cd "$T" || exit 99

# type, size (of files: a folder's own size is the filesystem's business) and name
listing() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf 'd %p\n' \) -o -printf '%y %s %p\n' |
		sort)
}

same_tree() {
	rm -rf "$T/dst"
	"$SDCP" -r -j "$1" "$T/src" "$T/dst" || return 1
	listing "$T/src" >"$T/src.tree" && listing "$T/dst" >"$T/dst.tree" || return 1
	diff -u "$T/src.tree" "$T/dst.tree"
}
ok '-j 3: 300 folders of one file and a folder of 4500 files, whole' same_tree 3
# 300 folders queued at once would need 600 fds; the walk runs jobs itself before that
few_fds() {
	ulimit -n 200 || return 1
	same_tree 2
}
ok '-j 2 copies them within 200 open files' few_fds
t_done
