#!/bin/sh
# SPDX-License-Identifier: MIT
# A folder of the SOURCE tree is swapped with a symlink (to a private folder outside, or to
# /etc) again and again while sdcp copies the tree, and a file with a symlink to a secret
# file: sdcp never copies what lies outside the source through the swapped names (it walks
# with openat and O_NOFOLLOW), and never writes outside the destination.
. "$(dirname "$0")/../sdcp/lib.sh"
: "${RACE:?RACE must name the race helper}"
# fewer rounds under sanitizers (SD_SANITIZE, from Meson): each copy is slower
if [ "${SD_SANITIZE:-none}" != none ]; then
	ROUNDS=${SD_TEST_CASES:-8}
else
	ROUNDS=${SD_TEST_CASES:-20}
fi

[ "$(id -u)" = 0 ] || t_skip "needs root (the /etc canary is read as root)"
m=$(t_mount tmpfs work 256M) || t_require_fail tmpfs "cannot mount tmpfs"

# the secret: outside the source, with a marker no source file holds
mkdir -p "$m/secret/inner" && chmod 700 "$m/secret" || exit 99
for i in 1 2 3; do
	echo "SECRET-$$-$i" >"$m/secret/s$i"
	echo "SECRET-$$-inner$i" >"$m/secret/inner/s$i"
done
chmod 600 "$m/secret/s1"
# the source: d is swapped whole; in e, the file f0 is swapped with a symlink to a secret file
mkdir -p "$m/src/d/sub" "$m/src/e" "$m/src/f" || exit 99
for i in $(seq 1 12); do
	echo "d$i" >"$m/src/d/f$i"
	echo "e$i" >"$m/src/e/f$i"
	echo "f$i" >"$m/src/f/f$i"
done
echo sub >"$m/src/d/sub/x"
echo e0 >"$m/src/e/f0"
ln -s "$m/secret" "$m/src/to-secret"
ln -s /etc "$m/src/to-etc"
ln -s "$m/secret/s1" "$m/src/e/to-s1"

# what must not change: the secret folder, and a few files of /etc
canary() {
	(cd "$m/secret" && find . -printf '%y %m %U %G %s %T@ %p\n' | sort &&
		find . -type f -exec md5sum {} + | sort -k2) || return 1
	for f in /etc/passwd /etc/shadow /etc/hostname; do
		[ -e "$f" ] && stat -c '%a %U %G %s %Y %n' "$f" && md5sum "$f"
	done
	return 0
}
canary >"$T/canary.before" || exit 99

racers=""
stop_racers() {
	for p in $racers; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $racers; do
		wait "$p" 2>/dev/null
	done
	racers=""
}
t_on_exit "stop_racers"

# race_copy TARGET OPTIONS...: ROUNDS copies while d <-> symlink to TARGET and
# e/f0 <-> e/to-s1 are swapped; then the checks.
race_copy() {
	target=$1
	shift
	rm -f "$m/src/swap" && ln -s "$target" "$m/src/swap" || return 99
	"$RACE" exchange "$m/src/d" "$m/src/swap" 2>"$T/race1.log" &
	racers="$!"
	"$RACE" exchange "$m/src/e/f0" "$m/src/e/to-s1" 2>"$T/race2.log" &
	racers="$racers $!"
	bad=0
	for r in $(seq 1 "$ROUNDS"); do
		rm -rf "$m/dst"
		"$SDCP" "$@" "$m/src" "$m/dst" 2>>"$T/sdcp.err"
		# no secret, from a followed symlink (grep -r follows none inside the tree)
		if grep -rl "SECRET-$$" "$m/dst" >"$T/leak" 2>/dev/null; then
			echo "round $r: secret bytes copied in: $(head -n 3 "$T/leak")"
			bad=1
		fi
		# nothing of /etc: it has a passwd, the source has none
		if find "$m/dst" -name passwd -o -name hostname | grep -q .; then
			echo "round $r: files of /etc copied in:"
			find "$m/dst" -name passwd -o -name hostname | head -n 3
			bad=1
		fi
		[ $bad = 0 ] || break
	done
	stop_racers
	# put the swapped names back
	for pair in "d swap" "e/f0 e/to-s1"; do
		set -- $pair
		if [ -L "$m/src/$1" ]; then
			mv -T "$m/src/$1" "$m/src/$1.tmp" && mv -T "$m/src/$2" "$m/src/$1" &&
				mv -T "$m/src/$1.tmp" "$m/src/$2" || return 99
		fi
	done
	cat "$T/race1.log" "$T/race2.log"
	# the swaps did happen, and sdcp did notice some (it says what it could not copy)
	grep -q "race: [1-9][0-9]* swaps" "$T/race1.log" || {
		echo "BROKEN: no swap happened"
		return 1
	}
	echo "sdcp said (first lines):"
	sort "$T/sdcp.err" | uniq -c | sort -rn | head -n 5
	rm -f "$T/sdcp.err"
	canary >"$T/canary.after" || return 1
	diff -u "$T/canary.before" "$T/canary.after" || bad=1
	[ $bad = 0 ]
}

ok "-r, d swapped with a symlink to a folder outside" race_copy "$m/secret" -r
ok "-r, d swapped with a symlink to /etc" race_copy /etc -r
ok "-a -j 4, d swapped with a symlink to a folder outside" race_copy "$m/secret" -a -j 4
ok "-r --atomic, d swapped with a symlink to /etc" race_copy /etc -r --atomic
# -H follows symlinks named on the command line only, never those met in the tree
ok "-rH, d swapped with a symlink to a folder outside" race_copy "$m/secret" -rH
ok "-a --verify -j 2, d swapped with a symlink to /etc" race_copy /etc -a --verify -j 2

# the control: with -L, sdcp is asked to follow them all, and does (the test can fail)
follows_with_L() {
	rm -rf "$m/dst" "$m/src2"
	mkdir "$m/src2" && ln -s "$m/secret" "$m/src2/link" || return 99
	"$SDCP" -rL "$m/src2" "$m/dst" && grep -rlq "SECRET-$$" "$m/dst"
}
ok "control: -L does copy the secret through the symlink" follows_with_L
t_done
