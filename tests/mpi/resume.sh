#!/bin/sh
# SPDX-License-Identifier: MIT
# After a partial copy, a rerun with --update (-u) copies what is missing or incomplete and
# touches nothing that was complete (same inode, same ctime). A run stopped by a signal leaves
# no partial file (with --atomic, not even after SIGKILL: the name shows only complete copies).
. "$(dirname "$0")/lib.sh"

t_mount_or_skip M ext4 ext4 700M
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
		# shellcheck disable=SC2046 # pids
		kill -TERM $(ranks_of_job $pid) $pid
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

# SIGKILL of a rank (rank 1: on node2 when the ranks run on nodes) in the middle of a file it
# writes.
# SIGKILL lets it remove nothing; mpirun then stops the other ranks with SIGTERM, and they
# remove theirs (sdcp's inflight list, stop.c).

# writes PID DIR: the file below DIR the process has open, if any
writes() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -o "$2/[^ ]*" | head -n 1
}

# kill_writer RANK DIR ARGS...: sdcp-mpi ARGS on 4 ranks; once RANK is caught with a file
# below DIR open, SIGKILL for it. Sets victim, open (that file), locked (1: the rank held a
# flock: it opened an --atomic temporary itself) and rc (mpirun's status). Status 2: RANK
# was never seen writing.
kill_writer() {
	rank=$1 dir=$2
	shift 2
	# the nodes outlive a job: the ranks of the last one may still be ending
	for _ in $(seq 1 50); do
		[ -z "$(ranks_of_job '')" ] && break
		sleep 0.1
	done
	OMPI_MCA_odls_base_sigkill_timeout=1 mpi_exec 4 "$@" 2>"$T/kerr" &
	pid=$!
	# the 4 ranks held as soon as they exist, then let go a moment at a time until RANK is
	# caught writing (its open files are read while it is held: it cannot move on)
	all=
	for _ in $(seq 1 2000); do
		all=$(ranks_of_job $pid)
		[ "$(echo $all | wc -w)" = 4 ] && break
	done
	# shellcheck disable=SC2086 # pids
	kill -STOP $all || return 99
	victim=$(rank_pid "$rank" $pid) || { kill -CONT $all; wait $pid; echo "no rank $rank"; return 99; }
	open=
	for _ in $(seq 1 2000); do
		open=$(writes "$victim" "$dir")
		[ -n "$open" ] && break
		# shellcheck disable=SC2086 # pids
		kill -CONT $all && sleep 0.002 && kill -STOP $all 2>/dev/null
	done
	# locked: RANK opened the temporary, as it holds its flock, or as nobody does yet (the
	# opener creates the file, then locks it: caught between the two, it holds it unlocked,
	# and the chunks that others would open are not dealt yet)
	# shellcheck disable=SC2086 # pids
	holder=$(awk -v all=" $(echo $all) " '$2 == "FLOCK" && index(all, " " $5 " ") { print $5 }' /proc/locks)
	locked=0
	case " $holder " in *" $victim "* | "  ") locked=1 ;; esac
	echo "rank $rank: pid $victim on $(node_of "$victim"), writing ${open:-nothing}, flock held by ${holder:-nobody}"
	kill -KILL "$victim"
	# shellcheck disable=SC2086 # pids
	kill -CONT $all 2>/dev/null
	wait $pid
	rc=$?
	echo "mpirun: status $rc"
	cat "$T/kerr"
	sleep 0.5 # the ranks end after mpirun
	ls -la "$dir"
	# the others may have taken every file before it had one: the caller tries again
	[ -n "$open" ] || { echo "rank $rank was never caught writing"; return 2; }
	[ $rc != 0 ] || { echo "the copy ended before the signal"; return 1; }
}

# kill_rank [--atomic]: 32 files of 3 MiB, each a job of one rank (smaller than a chunk). A
# rank writes one file at a time: what rank 1 leaves is that file, under its name (a part of
# it) or with --atomic as its temporary (the name holds the old content or none). A rerun
# completes the copy: -u --atomic, or without --atomic a plain one (-u would keep a part whose
# time is newer than the source's).
kill_rank() {
	for _ in 1 2 3; do
		rm -rf "$M/kill" && mkdir "$M/kill" || return 99
		kill_writer 1 "$M/kill/many" -a "$@" "$M/src/many" "$M/kill/"
		r=$?
		[ $r = 2 ] || break
	done
	[ $r = 0 ] || return 1
	# every name complete but the one the killed rank wrote
	left=0
	for f in "$M/kill/many/"* "$M/kill/many/".*sdcp-tmp*; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		if [ ! -f "$M/src/many/$b" ] || ! cmp -s "$M/src/many/$b" "$f"; then
			echo "left: $b"
			[ "$f" = "$open" ] || return 1
			left=$((left + 1))
		fi
	done
	[ "$left" -le 1 ] || return 1
	if [ "${1:-}" = --atomic ]; then
		# no name shows a part: what is left is a temporary
		case $left:$open in 1:*sdcp-tmp* | 0:*) ;; *) return 1 ;; esac
		mpi 2 -a -u --atomic "$M/src/many" "$M/kill/" || return 1
		[ -z "$(find "$M/kill" -name '*sdcp-tmp*')" ] || return 1
	else
		mpi 2 -a "$M/src/many" "$M/kill/" || return 1
	fi
	diff -r "$M/src/many" "$M/kill/many"
}

# kill_chunks RANK: huge, 96 chunks of 1 MiB, --atomic, RANK killed. Every rank writes chunks
# into the temporary one rank opened (and holds the flock of): if RANK opened it, the
# temporary is left; if not, its opener removes it on SIGTERM and nothing is left, or, if the
# other ranks did the last chunks before they were stopped, the whole copy (a rank keeps its
# last foreign chunk's fds open: it may be caught with the file open after its last chunk).
kill_chunks() {
	for _ in 1 2 3; do
		rm -rf "$M/kill" && mkdir "$M/kill" || return 99
		kill_writer "$1" "$M/kill" --atomic --chunk-size=1M --reflink=never "$M/src/huge" \
			"$M/kill/huge"
		r=$?
		[ $r = 2 ] || break
	done
	[ $r = 0 ] || return 1
	left=$(cd "$M/kill" && ls -A)
	echo "left: ${left:-nothing}"
	if [ "$locked" = 1 ]; then
		[ "$left" = .huge.sdcp-tmp ] || return 1
	elif [ "$left" = huge ]; then
		cmp "$M/src/huge" "$M/kill/huge" || return 1
	else
		[ -z "$left" ] || return 1
	fi
	mpi 2 -u --atomic --chunk-size=1M "$M/src/huge" "$M/kill/huge" || return 1
	cmp "$M/src/huge" "$M/kill/huge" && [ "$(cd "$M/kill" && ls -A)" = huge ]
}

mkdir "$M/src/many" || exit 99
for i in $(seq -w 1 32); do head -c 3145728 /dev/urandom >"$M/src/many/f$i" || exit 99; done
ok 'SIGKILL of rank 1: at most its one file left, a part; a rerun completes' kill_rank
ok 'SIGKILL of rank 1, --atomic: at most its temporary left; -u --atomic completes' kill_rank --atomic
# rank 0 seeds the operand, so it is the opener unless another rank stole the item first
ok 'SIGKILL of rank 0 amid chunks, --atomic: the temporary left only if it opened it' kill_chunks 0
ok 'SIGKILL of rank 1 amid chunks, --atomic: the temporary left only if it opened it' kill_chunks 1
t_done
