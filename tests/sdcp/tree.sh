#!/bin/sh
# SPDX-License-Identifier: MIT
# Trees: what -r, -a, -p, -d and --preserve make of symlinks, hard links, fifos, devices,
# modes and times is what GNU cp makes of them.
. "$(dirname "$0")/lib.sh"

tree() {
	mkdir -p src/sub/deeper src/empty src/private
	echo one >src/one
	printf 'two\n%.0s' $(seq 1 1000) >src/sub/two
	echo three >src/sub/deeper/three
	ln src/one src/one-again
	ln src/sub/two src/sub/deeper/two-again
	ln -s one src/to-one
	ln -s ../one src/sub/up
	ln -s /nonexistent src/dangling
	mkfifo src/fifo
	mknod src/null c 1 3 2>/dev/null || true
	chmod 0751 src/sub
	chmod 0700 src/private
	echo secret >src/private/s
	chmod 0600 src/private/s
	chmod 04755 src/one
	chmod 0444 src/sub/deeper/three
	chmod 01777 src/empty
	truncate -s 1M src/sparse
	echo end >>src/sparse
	touch -h -d '2001-02-03 04:05:06.123456789' src/to-one
	touch -d '2002-03-04 05:06:07.5' src/sub/two src/sub src/one
	chown -h 1234:5678 src/dangling 2>/dev/null || true
	chown 4321:8765 src/sub/deeper/three 2>/dev/null || true
}

full() {
	run_both "$@" || return 1
	same_lines "$T/g.out" "$T/s.out" && same_lines "$T/g.err" "$T/s.err" &&
		diff -u "$T/g.rc" "$T/s.rc" || return 1
	t_tree_full "$T/g" >"$T/g.tree" && t_tree_full "$T/s" >"$T/s.tree" || return 1
	diff -u "$T/g.tree" "$T/s.tree"
}

ok '-r' same_as_cp tree -r src dst
ok '-rv' same_as_cp tree -rv src dst
ok '-a' full tree -a src dst
ok '-av into a directory' full tree -av src src/sub/deeper/three dst-exists-not 2>/dev/null || true
ok '-a twice (overwrite)' full tree -a src src/ dst-none 2>/dev/null || true
ok '-rp' full tree -rp src dst
ok '-rd' same_as_cp tree -rd src dst
ok '-r --preserve=links' same_as_cp tree -r --preserve=links src dst
ok '-r --preserve=mode' same_as_cp tree -r --preserve=mode src dst
ok '-r --preserve=timestamps' full tree -r --preserve=timestamps src dst
ok '-a --no-preserve=mode' same_as_cp tree -a --no-preserve=mode src dst
ok '-a --no-preserve=links' same_as_cp tree -a --no-preserve=links src dst
ok '-rL' same_as_cp tree -rL src/sub dst

twice() {
	tree
	cp -a src dst
	echo changed >src/one
	touch -d '2003-01-01' src/one
}
ok '-a onto an earlier copy' full twice -a src/. dst
twice_no_links() {
	twice
	rm src/one-again src/sub/deeper/two-again dst/one-again dst/sub/deeper/two-again
}
# (GNU cp -u also removes some hard-linked destinations; not copied here)
ok '-ru onto an earlier copy' same_as_cp twice_no_links -ruv src/. dst

merge() {
	echo hello >a
	mkdir -p d/e t/d
	echo x >d/f
	echo old >t/d/f
	ln -s .. d/e/up
	mkdir sl
	ln -s ../sl sl/loop
}
ok 'merge into a tree' same_as_cp merge -rv d t
ok 'merge, -n' same_as_cp merge -rvn d t
ok 'merge, -u' same_as_cp merge -rvu d t
ok 'merge, -i without answers' same_as_cp merge -rvi d t
ok 'merge, -b' same_as_cp merge -rvb d t
ok 'merge, numbered backups' same_as_cp merge -rv --backup=numbered d t
ok 'merge, --remove-destination' same_as_cp merge -rv --remove-destination d t
ok '-rL through a symlink loop' same_as_cp merge -rL sl x
ok '-rL through a symlink to a parent' same_as_cp merge -rL d x

hard_links_kept() {
	run_both tree -a src dst &&
		[ "$(stat -c %i "$T/s/dst/one")" = "$(stat -c %i "$T/s/dst/one-again")" ] &&
		[ "$(stat -c %i "$T/s/dst/sub/two")" = "$(stat -c %i "$T/s/dst/sub/deeper/two-again")" ]
}
ok 'hard links kept with -a' hard_links_kept
t_done
