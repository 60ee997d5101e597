#!/bin/sh
# SPDX-License-Identifier: MIT
# --atomic: a file appears whole under its name or not at all; no failure changes an existing
# destination. And without --atomic: ENOSPC does not destroy an existing destination, and a
# new file that could not be completed is removed.
. "$(dirname "$0")/lib.sh"

t_mount_or_skip small tmpfs small 1M

head -c 2000000 /dev/urandom >"$T/big" || exit 99
head -c 100000 /dev/urandom >"$T/medium" || exit 99
echo old >"$T/old" || exit 99

atomic_copy() {
	rm -rf "$T/a" && mkdir "$T/a" && echo old >"$T/a/x" || return 99
	ino=$(stat -c %i "$T/a/x")
	"$SDCP" --atomic "$T/medium" "$T/a/x" || return 1
	cmp "$T/medium" "$T/a/x" && [ "$(stat -c %i "$T/a/x")" != "$ino" ] &&
		[ "$(ls -A "$T/a")" = x ]
}
ok '--atomic replaces by rename, no temporary left' atomic_copy

atomic_tree() {
	rm -rf "$T/t"
	"$SDCP" -a --atomic "$(dirname "$0")" "$T/t" || return 1
	diff -r "$(dirname "$0")" "$T/t" && ! find "$T/t" -name '*.sdcp-*' | grep -q .
}
ok '--atomic -a of a tree' atomic_tree

# A crash (SIGKILL here) leaves .NAME.sdcp-tmp: no lock on it, so the next run that copies NAME
# removes it and writes anew; one that another sdcp still writes (locked) stays, and the copy
# takes a random name beside it.
stale_reused() {
	rm -rf "$T/s" && mkdir -p "$T/s/d" && echo old >"$T/s/d/x" || return 99
	head -c 5000 /dev/urandom >"$T/s/d/.x.sdcp-tmp" || return 99
	mkdir -p "$T/s/src" && cp "$T/medium" "$T/s/src/x" || return 99
	"$SDCP" -a -u --atomic -T "$T/s/src" "$T/s/d" || return 1
	cmp "$T/medium" "$T/s/d/x" && [ "$(ls -A "$T/s/d")" = x ]
}
ok '--atomic: a temporary left by a crash is reused, then gone' stale_reused

locked_kept() {
	command -v flock >/dev/null || return 0
	rm -rf "$T/l" && mkdir -p "$T/l" && echo held >"$T/l/.x.sdcp-tmp" || return 99
	flock "$T/l/.x.sdcp-tmp" sh -c "\"$SDCP\" --atomic \"$T/medium\" \"$T/l/x\"" || return 1
	cmp "$T/medium" "$T/l/x" && [ "$(cat "$T/l/.x.sdcp-tmp")" = held ] &&
		[ "$(ls -A "$T/l" | wc -l)" = 2 ]
}
ok '--atomic: a temporary another run holds is left alone' locked_kept

reader_sees_old() {
	rm -rf "$T/r" && mkdir "$T/r" && echo old >"$T/r/x" || return 99
	exec 3<"$T/r/x"
	"$SDCP" --atomic "$T/medium" "$T/r/x" || return 1
	[ "$(cat <&3)" = old ] && cmp "$T/medium" "$T/r/x"
}
ok 'an open reader keeps the old file' reader_sees_old

atomic_enospc() {
	echo old >"$small/x" || return 99
	"$SDCP" --atomic "$T/big" "$small/x" 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$small/x")" = old ] && [ "$(ls -A "$small")" = x ] &&
		grep -q "No space left on device" "$T/err"
}
ok '--atomic: ENOSPC leaves the destination as it was' atomic_enospc

plain_enospc() {
	rm -f "$small"/* && echo old >"$small/x" || return 99
	"$SDCP" "$T/big" "$small/x" 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$small/x")" = old ] &&
		grep -q "error writing '$small/x': No space left on device" "$T/err"
}
ok 'ENOSPC does not destroy an existing destination' plain_enospc

new_removed() {
	rm -f "$small"/*
	"$SDCP" "$T/big" "$small/new" 2>"$T/err"
	[ $? = 1 ] && [ ! -e "$small/new" ] && grep -q "No space left on device" "$T/err"
}
ok 'a new file that did not fit is removed' new_removed

others_copied() {
	rm -rf "$small"/* "$T/mix" && mkdir "$T/mix" || return 99
	cp "$T/big" "$T/mix/b-big" && echo 1 >"$T/mix/a" && echo 2 >"$T/mix/c" || return 99
	"$SDCP" -r -j 1 "$T/mix" "$small/mix" 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$small/mix/a")" = 1 ] && [ "$(cat "$small/mix/c")" = 2 ] &&
		[ ! -e "$small/mix/b-big" ]
}
ok 'the rest of the tree is copied after ENOSPC' others_copied
# With -b, a failed copy or link puts the backup back under the name, and -v says
# "(unbackup)", as cp does: ENOSPC, and a hard link across filesystems (EXDEV).
unbackup() {
	for w in gnu bin; do
		rm -rf "$small"/* && echo old >"$small/x" || return 99
		(cd "$T" && PATH="$T/$w:$PATH" cp "$@" "$small/x") >"$T/$w.out" 2>&1
		echo "status $?" >>"$T/$w.out"
		ls "$small" >>"$T/$w.out" && cat "$small/x" >>"$T/$w.out"
	done
	diff -u "$T/gnu.out" "$T/bin.out" && grep -q "(unbackup)" "$T/bin.out"
}
ok '-bv: ENOSPC puts the backup back (unbackup)' unbackup -bv big
ok '-lbv: a hard link across filesystems puts the backup back' unbackup -lbv old
unbackup_atomic() {
	rm -rf "$small"/* && echo old >"$small/x" || return 99
	"$SDCP" -b --atomic "$T/big" "$small/x" 2>/dev/null
	[ $? = 1 ] && [ "$(ls -A "$small")" = x ] && [ "$(cat "$small/x")" = old ]
}
ok '-b --atomic: ENOSPC puts the backup back' unbackup_atomic

# A fifo keeps sdcp busy while we kill it (SIGTERM: a background job ignores SIGINT).
interrupted() {
	rm -rf "$T/i" && mkdir "$T/i" && mkfifo "$T/i/p" && echo old >"$T/i/existing" || return 99
	"$SDCP" "$@" "$T/i/p" "$T/i/dst" &
	pid=$!
	exec 3<>"$T/i/p" # read-write: never blocks
	echo data >&3
	sleep 0.5
	kill -TERM $pid
	wait $pid
	rc=$?
	exec 3>&-
	[ $rc = 143 ] || { echo "status $rc"; return 1; }
}
int_new() {
	interrupted && [ ! -e "$T/i/dst" ] && [ "$(ls "$T/i")" = "existing
p" ]
}
ok 'SIGTERM removes the file being written' int_new
int_atomic() {
	ln -sf existing "$T/i/x" 2>/dev/null
	rm -rf "$T/i" && mkdir "$T/i" && mkfifo "$T/i/p" && echo old >"$T/i/dst" || return 99
	"$SDCP" --atomic "$T/i/p" "$T/i/dst" &
	pid=$!
	exec 3<>"$T/i/p" # read-write: never blocks
	echo data >&3
	sleep 0.5
	kill -TERM $pid
	wait $pid
	rc=$?
	exec 3>&-
	[ $rc = 143 ] && [ "$(cat "$T/i/dst")" = old ] && [ "$(ls "$T/i")" = "dst
p" ]
}
ok 'SIGTERM with --atomic: no temporary left, the old file kept' int_atomic
t_done
