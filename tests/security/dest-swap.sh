#!/bin/sh
# SPDX-License-Identifier: MIT
# Symlinks planted in the DESTINATION tree while sdcp writes it never make sdcp write, chmod,
# chown or create anything outside the destination:
#   - each new entry (file, folder, fifo, symlink, temporary of --atomic) is replaced by a
#     symlink to a canary folder the moment it appears (inotify), so that any later step done
#     by name instead of by fd would land in the canary;
#   - an existing destination file is swapped with such a symlink, again and again, while
#     sdcp overwrites the tree.
# The canary's listing (types, modes, owners, sizes, times, bytes) must not change.
. "$(dirname "$0")/../sdcp/lib.sh"
: "${RACE:?RACE must name the race helper}"
# fewer rounds under sanitizers (SD_SANITIZE, from Meson): each copy is slower
if [ "${SD_SANITIZE:-none}" != none ]; then
	ROUNDS=${SD_TEST_CASES:-8}
else
	ROUNDS=${SD_TEST_CASES:-20}
fi

[ "$(id -u)" = 0 ] || t_skip "needs root (fifos, ownership)"
m=$(t_mount tmpfs work 256M) || t_require_fail tmpfs "cannot mount tmpfs"

# the source: every kind of entry sdcp makes, in modes a chmod would widen
mkdir -p "$m/src/d1/d2" "$m/src/d3" || exit 99
names=""
for i in 1 2 3 4 5 6 7 8; do
	echo "f$i" >"$m/src/f$i"
	echo "g$i" >"$m/src/d1/g$i"
	echo "h$i" >"$m/src/d1/d2/h$i"
	ln -s "f$i" "$m/src/l$i"
	names="$names f$i g$i h$i l$i"
done
# fifos are made by name (mknodat), then given their mode: many, to widen the window
for i in $(seq 1 24); do
	mkfifo -m 644 "$m/src/p$i" "$m/src/d1/q$i" || exit 99
	names="$names p$i q$i"
done
chmod 755 "$m/src/f1" "$m/src/d1/g1"
chmod 4755 "$m/src/f2"
chmod 2775 "$m/src/d3"
chown -R 65534:65534 "$m/src/d1" "$m/src/f3" "$m/src/p3"
# the canary: a file of each name (0600, root's), and the folders' names as folders; made
# anew for each check, so that one finding does not spill into the next check
fresh_canary() {
	rm -rf "$m/canary" && mkdir -m 700 "$m/canary" || return 99
	for n in $names; do
		echo "canary $n" >"$m/canary/$n" && chmod 600 "$m/canary/$n" || return 99
	done
	mkdir -m 700 "$m/canary/d1" "$m/canary/d2" "$m/canary/d3" || return 99
	canary >"$T/canary.before"
}
canary() {
	(cd "$m/canary" && find . -printf '%y %m %U %G %s %T@ %p\n' | sort &&
		find . -type f -exec md5sum {} + | sort -k2)
}
mkdir "$m/dsts" || exit 99

racer=""
stop_racer() {
	[ -n "$racer" ] || return 0
	kill -TERM "$racer" 2>/dev/null
	wait "$racer" 2>/dev/null
	racer=""
}
t_on_exit "stop_racer"

# planted OPTIONS...: ROUNDS fresh copies into dsts/runN, each new entry replaced at once
wrap=""
rounds=$ROUNDS
planted() {
	fresh_canary || return 99
	rm -rf "$m/dsts" && mkdir "$m/dsts" || return 99
	"$RACE" plant "$m/dsts" "$m/canary" 2>"$T/race.log" &
	racer=$!
	for _ in $(seq 1 100); do
		[ -e "$m/dsts/.race-ready" ] && break
		sleep 0.05
	done
	[ -e "$m/dsts/.race-ready" ] || return 99
	for r in $(seq 1 "$rounds"); do
		$wrap "$SDCP" "$@" "$m/src" "$m/dsts/run$r" 2>>"$T/sdcp.err"
	done
	stop_racer
	cat "$T/race.log"
	grep -q "race: [1-9][0-9]* symlinks planted" "$T/race.log" || {
		echo "BROKEN: no symlink was planted"
		return 1
	}
	sort "$T/sdcp.err" | sed 's/run[0-9]*/runN/' | uniq -c | sort -rn | head -n 5
	rm -f "$T/sdcp.err"
	canary >"$T/canary.after" || return 1
	diff -u "$T/canary.before" "$T/canary.after"
}

ok "-r, new entries replaced by symlinks" planted -r
ok "-a, new entries replaced by symlinks" planted -a
ok "-a -j 4, new entries replaced by symlinks" planted -a -j 4
ok "-a --atomic, new entries replaced by symlinks" planted -a --atomic
ok "-r --preserve=mode, new entries replaced by symlinks" planted -r --preserve=mode

# The same, with the window made wide: strace holds each call that names a destination entry
# and may change what it names (chown, chmod, times, xattrs, links, renames) for 3 ms before
# the kernel sees it, as a slow disk or a busy machine might. The attacker wins every race
# it can win at all.
slow() {
	command -v strace >/dev/null 2>&1 || {
		echo "skip: no strace"
		return 0
	}
	# LeakSanitizer cannot run under ptrace
	wrap="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -qq -o /dev/null
		-e trace=fchownat,fchmodat,utimensat,lsetxattr,setxattr,linkat,renameat,renameat2
		-e inject=fchownat,fchmodat,utimensat,lsetxattr,setxattr,linkat,renameat,renameat2:delay_enter=3000"
	rounds=1
	planted "$@"
	r=$?
	wrap=""
	rounds=$ROUNDS
	return $r
}
ok "-a, slow calls, new entries replaced by symlinks" slow -a
ok "-a -j 4 --atomic, slow calls, new entries replaced by symlinks" slow -a -j 4 --atomic
ok "-r, slow calls, new entries replaced by symlinks" slow -r
ok "-rp -b, slow calls, new entries replaced by symlinks" slow -rp -b

# swapped OPTIONS...: ROUNDS overwrites of one copy while its d1/g1 and f4 are swapped with
# symlinks to canary files
swapped() {
	fresh_canary || return 99
	rm -rf "$m/dsts" && mkdir "$m/dsts" || return 99
	"$SDCP" -a "$m/src" "$m/dsts/run" || return 99
	ln -s "$m/canary/g1" "$m/dsts/run/d1/.evil-g1" &&
		ln -s "$m/canary/f4" "$m/dsts/run/.evil-f4" || return 99
	"$RACE" exchange "$m/dsts/run/d1/g1" "$m/dsts/run/d1/.evil-g1" 2>"$T/race1.log" &
	r1=$!
	"$RACE" exchange "$m/dsts/run/f4" "$m/dsts/run/.evil-f4" 2>"$T/race2.log" &
	r2=$!
	for r in $(seq 1 "$ROUNDS"); do
		"$SDCP" "$@" "$m/src/." "$m/dsts/run" 2>>"$T/sdcp.err"
	done
	kill -TERM $r1 $r2
	wait $r1 $r2
	cat "$T/race1.log" "$T/race2.log"
	grep -q "race: [1-9][0-9]* swaps" "$T/race1.log" || {
		echo "BROKEN: no swap happened"
		return 1
	}
	sort "$T/sdcp.err" | uniq -c | sort -rn | head -n 5
	rm -f "$T/sdcp.err"
	canary >"$T/canary.after" || return 1
	diff -u "$T/canary.before" "$T/canary.after"
}

ok "-r over a copy, files swapped with symlinks" swapped -r
ok "-a over a copy, files swapped with symlinks" swapped -a
ok "-a -f over a copy, files swapped with symlinks" swapped -a -f
ok "-a --atomic over a copy, files swapped with symlinks" swapped -a --atomic
ok "-a -b over a copy, files swapped with symlinks" swapped -a -b
ok "-a --remove-destination over a copy, files swapped" swapped -a --remove-destination

# the control: a copier that chmods by name, following symlinks, is caught
chmod_by_name_is_caught() {
	fresh_canary || return 99
	rm -rf "$m/dsts" && mkdir "$m/dsts" || return 99
	ln -s "$m/canary/f1" "$m/dsts/f1" || return 99
	chmod 644 "$m/dsts/f1"
	canary >"$T/canary.after" || return 99
	! diff -u "$T/canary.before" "$T/canary.after" >/dev/null
}
ok "control: a chmod through a planted symlink changes the canary" chmod_by_name_is_caught
t_done
