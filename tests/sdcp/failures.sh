#!/bin/sh
# SPDX-License-Identifier: MIT
# A file that cannot be read or written is reported with its name, the rest is still copied,
# and the status is 1; the messages are GNU cp's. Runs sdcp as an unprivileged user.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || t_skip "needs root to switch to an unprivileged user"
command -v setpriv >/dev/null || t_skip "setpriv not installed"
chmod 755 "$T" "$T/bin" "$T/gnu"

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

fixture() {
	mkdir -p src/sub src/closed
	echo a >src/a
	echo b >src/sub/b
	echo secret >src/unreadable
	chmod 000 src/unreadable
	echo c >src/closed/c
	chmod 000 src/closed
	echo z >src/z
	mkdir out
	chmod 777 . out
	chown -R 65534:65534 src
	chmod 000 src/unreadable
}

# like same_as_cp, but both commands run unprivileged
same_as_cp_nobody() {
	rm -rf "$T/g" "$T/s"
	mkdir "$T/g" && (cd "$T/g" && fixture) || return 99
	"$GNU_CP" -a "$T/g" "$T/s" || return 99
	(cd "$T/g" && as_nobody env PATH="$T/gnu:$PATH" cp "$@" >"$T/g.out" 2>"$T/g.err"; echo $? >"$T/g.rc")
	(cd "$T/s" && as_nobody env PATH="$T/bin:$PATH" cp "$@" >"$T/s.out" 2>"$T/s.err"; echo $? >"$T/s.rc")
	sort "$T/g.err" >"$T/g.err.s" && sort "$T/s.err" >"$T/s.err.s"
	diff -u "$T/g.err.s" "$T/s.err.s" && diff -u "$T/g.rc" "$T/s.rc" || return 1
	t_tree "$T/g/out" >"$T/g.tree" && t_tree "$T/s/out" >"$T/s.tree" || return 1
	diff -u "$T/g.tree" "$T/s.tree"
}

ok 'an unreadable file and folder, the rest copied' same_as_cp_nobody -r src out/

ok 'a file we cannot open' same_as_cp_nobody src/unreadable out/x
ok 'a folder we cannot create in' same_as_cp_nobody src/a src/closed/x

with_jobs() {
	rm -rf "$T/s" && mkdir "$T/s" && (cd "$T/s" && fixture) || return 99
	(cd "$T/s" && as_nobody "$SDCP" -r -j 4 src out/ 2>"$T/s.err"; echo $? >"$T/s.rc")
	[ "$(cat "$T/s.rc")" = 1 ] && [ "$(cat "$T/s/out/src/a")" = a ] &&
		[ "$(cat "$T/s/out/src/z")" = z ] && [ "$(cat "$T/s/out/src/sub/b")" = b ] &&
		grep -q "cannot open 'src/unreadable' for reading: Permission denied" "$T/s.err" &&
		[ ! -e "$T/s/out/src/unreadable" ]
}
ok '-j 4: one failure, the others copied, no partial file' with_jobs

setuid_dropped() {
	rm -rf "$T/u" && mkdir "$T/u" && chmod 777 "$T/u" || return 99
	echo x >"$T/u/suid" && chmod 4755 "$T/u/suid" || return 99
	as_nobody "$SDCP" -p "$T/u/suid" "$T/u/copy" 2>"$T/u.err" || return 1
	[ "$(stat -c %a "$T/u/copy")" = 755 ] && [ "$(stat -c %U "$T/u/copy")" = nobody ] &&
		[ ! -s "$T/u.err" ]
}
ok 'setuid is dropped when ownership cannot be kept' setuid_dropped

# cp 9.1 is as quiet as with -p: only root is told that a chown failed
explicit_owner() {
	as_nobody "$SDCP" --preserve=ownership "$T/u/suid" "$T/u/copy2" 2>"$T/u.err" &&
		[ ! -s "$T/u.err" ] && [ "$(stat -c %a "$T/u/copy2")" = 755 ]
}
ok '--preserve=ownership is as quiet as -p (GNU cp 9.1)' explicit_owner
t_done
