#!/bin/sh
# SPDX-License-Identifier: MIT
# After a partial copy, a rerun with --update (-u) copies what is missing or incomplete and
# touches nothing that was complete (same inode, same ctime). A run stopped by a signal leaves
# no partial file (with --atomic, not even after SIGKILL: the name shows only complete copies).
. "$(dirname "$0")/lib.sh"

t_mount_or_skip M ext4 ext4 400M
mkdir -p "$M/src/d1" "$M/src/d2" || exit 99
for i in $(seq 1 30); do echo "$i" >"$M/src/d1/f$i"; echo "$i" >"$M/src/d2/g$i"; done
head -c 3145728 /dev/urandom >"$M/src/big" || exit 99
head -c 3145728 /dev/urandom >"$M/src/big2" || exit 99
touch -d '2020-01-01' "$M/src/big" "$M/src/big2" "$M/src/d1/f7" || exit 99

# what was complete: everything but the names we redo
listing() {
	(cd "$M/dst" && find . -type f ! -name f7 ! -name big2 -printf '%p %i %Z.%C@\n' | sort)
}

first_run_fails() {
	mkdir -p "$M/dst/src/d1/f7/x" || return 99 # a folder in the way of one file
	mpi 2 -a --chunk-size=1M "$M/src" "$M/dst/" 2>"$T/err"
	[ $? = 1 ] && grep -q "cannot overwrite directory" "$T/err" && [ -f "$M/dst/src/big" ]
}
ok 'a first run with one failure' first_run_fails

rerun_completes() {
	rm -rf "$M/dst/src/d1/f7" || return 99
	# an older, shorter copy (an earlier version) of the second large file
	head -c 1048576 "$M/src/big2" >"$M/dst/src/big2" && touch -d @0 "$M/dst/src/big2" || return 99
	listing >"$T/before"
	mpi 4 -a -u --stats --chunk-size=1M "$M/src" "$M/dst/" >"$T/stats" || return 1
	cat "$T/stats"
	listing >"$T/after"
	diff -u "$T/before" "$T/after" || return 1
	grep -q ': 2 files, ' "$T/stats" || return 1
	diff -r "$M/src" "$M/dst/src"
}
ok 'a rerun with -u copies the rest, redoes nothing complete' rerun_completes

# stop_copy WHOM: copy huge on 4 ranks and send SIGTERM, once the copy has begun, to mpirun
# (as Ctrl-C or kill does) or to every rank at once (as a batch system does). The rank that
# created the file removes it (sdcp's inflight list). mpirun sends SIGKILL to all as soon as
# one rank has died: the three ranks with nothing to remove must wait for the one that has
# (stop.c). mpirun itself only passes SIGTERM on after a 1 s pause, when the copy may be done.
stop_copy() {
	rm -rf "$M/stop" && mkdir "$M/stop" || return 99
	OMPI_MCA_odls_base_sigkill_timeout=1 \
		mpi_exec 4 --chunk-size=1M --reflink=never "$M/src/huge" "$M/stop/huge" 2>/dev/null &
	pid=$!
	for i in $(seq 1 300); do
		[ -e "$M/stop/huge" ] && break
		sleep 0.01
	done
	if [ "$1" = ranks ]; then
		kill -TERM $(pgrep -P $pid) $pid
	else
		kill -TERM $pid
	fi
	wait $pid
	[ $? != 0 ] || echo "the copy ended before the signal"
	sleep 0.5 # the ranks end after mpirun
	[ ! -e "$M/stop/huge" ] || cmp "$M/src/huge" "$M/stop/huge" || return 1
	ls -a "$M/stop"
	mpi 2 -u --chunk-size=1M "$M/src/huge" "$M/stop/huge" && cmp "$M/src/huge" "$M/stop/huge"
}

head -c 100663296 /dev/urandom >"$M/src/huge" || exit 99
ok 'mpirun stopped by SIGTERM: no partial file; -u completes it' stop_copy mpirun
ok 'all ranks stopped by SIGTERM: no partial file; -u completes it' stop_copy ranks
t_done
