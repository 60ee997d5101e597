# SPDX-License-Identifier: MIT
# lib.sh - shared by the sdcp tests (sourced). Shapes after git's test-lib: titled checks,
# one behaviour per script; exit 0 pass, 1 fail, 77 skip, 99 broken fixture.
#
# Each script gets its own folder under /var/tmp ($T), removed on exit. sdcp runs under the
# name "cp" (a symlink in $T/bin) so that its messages can be compared with GNU cp's byte for
# byte; GNU cp itself is /usr/bin/cp (or $GNU_CP).

set -u
: "${SDCP:?SDCP must name the sdcp binary}"
GNU_CP=${GNU_CP:-/usr/bin/cp}
export LC_ALL=C.UTF-8 TZ=UTC
unset VERSION_CONTROL SIMPLE_BACKUP_SUFFIX POSIXLY_CORRECT

T=$(mktemp -d /var/tmp/sdcp-test.XXXXXX) || exit 99
umask 022

# Undo steps, one a line, run last first; kept in a file because t_mount runs in $(...).
t_on_exit() {
	echo "$1" >>"$T/.cleanup"
}
t_cleanup() {
	cd / || :
	# once, and to the end: a second Ctrl-C, or output that is gone, must not cut it short
	trap '' INT TERM HUP PIPE
	trap - EXIT
	if [ -f "$T/.cleanup" ]; then
		tac "$T/.cleanup" >"$T/.cleanup.r"
		while read -r step; do
			eval "$step"
		done <"$T/.cleanup.r"
	fi
	# whatever is still mounted below $T (a mount made but not yet registered, an undo step
	# that failed), deepest first; then the loop devices of its images
	awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r mp; do umount -l "$mp" 2>/dev/null; done
	for img in "$T"/*.img; do
		[ -f "$img" ] || continue
		losetup -j "$img" 2>/dev/null | cut -d: -f1 | while read -r dev; do
			losetup -d "$dev" 2>/dev/null
		done
	done
	case "$T" in /var/tmp/sdcp-test.*) rm -rf "$T" ;; esac
}
# Every way out: exit (t_done, t_skip, a failed fixture), an error of the shell (set -u), and
# the signals that end a test: Ctrl-C, a runner's timeout (TERM), a closed terminal (HUP), a
# reader that went away (PIPE: `... | head`). After a signal, the script dies of it, as its
# caller expects (128 + n in a shell).
t_signal() {
	t_cleanup
	trap - "$1"
	kill "-$1" $$
}
trap 't_cleanup' EXIT
for t_sig in INT TERM HUP PIPE; do
	# shellcheck disable=SC2064 # the name is meant to be fixed now
	trap "t_signal $t_sig" "$t_sig"
done

# SD_T_TMPFS=1, set before this is sourced: $T is a tmpfs of its own, whose inode numbers
# follow the order of creation, so that two fixtures made alike are walked alike by cp and
# by sdcp (both read a folder in inode order; on ext4 a freed number is taken again first).
if [ "${SD_T_TMPFS:-}" = 1 ] && [ "$(id -u)" = 0 ] &&
	mount -t tmpfs -o size=2G,mode=0700 tmpfs "$T"; then
	echo "umount -l '$T'" >"$T/.cleanup"
fi
mkdir -p "$T/bin" "$T/gnu" || exit 99
ln -s "$SDCP" "$T/bin/cp" || exit 99
ln -s "$GNU_CP" "$T/gnu/cp" || exit 99

failed=0
passed=0
t_skip() {
	echo "skip: $*"
	exit 77
}

# t_require WORD: skip, unless SD_TEST_REQUIRE names WORD (then fail).
t_require_fail() {
	case " ${SD_TEST_REQUIRE:-} " in
	*" $1 "*) echo "FAIL: required '$1' is missing: $2"; exit 1 ;;
	esac
	t_skip "$2"
}

# ok TITLE COMMAND...: run a check.
ok() {
	title=$1
	shift
	if ( "$@" ) >"$T/check.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $title"
	else
		failed=$((failed + 1))
		echo "not ok - $title"
		sed 's/^/#   /' "$T/check.log"
	fi
}

t_done() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}

# A listing of a tree: type, mode, size, link count, name, symlink target, content digest.
t_tree() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %s %n %p -> %l\n' | sort) || return 1
	(cd "$1" && find . -type f -exec md5sum {} + | sort -k2) || return 1
}

# Same, plus owner and times (for -a and -p).
t_tree_full() {
	t_tree "$1" || return 1
	(cd "$1" && find . -mindepth 1 -printf '%p %U:%G %T@\n' | sort) || return 1
}

# run_both SETUP ARGS...: run "cp ARGS" with GNU cp in $T/g and with sdcp in $T/s, each after
# SETUP (a shell function run in the folder); then compare output, errors, status and trees.
run_both() {
	setup=$1
	shift
	rm -rf "$T/g" "$T/s"
	mkdir "$T/g" || return 99
	(cd "$T/g" && $setup) || return 99
	# one fixture, copied: same times, and inodes in the same order (cp -v follows it)
	"$GNU_CP" -a "$T/g" "$T/s" || return 99
	(cd "$T/g" && PATH="$T/gnu:$PATH" cp "$@" >"$T/g.out" 2>"$T/g.err" </dev/null; echo $? >"$T/g.rc")
	(cd "$T/s" && PATH="$T/bin:$PATH" cp "$@" >"$T/s.out" 2>"$T/s.err" </dev/null; echo $? >"$T/s.rc")
}

# Output, errors and status only (where sdcp deliberately leaves a different tree).
same_words_as_cp() {
	run_both "$@" || return 1
	same_lines "$T/g.out" "$T/s.out" || return 1
	same_lines "$T/g.err" "$T/s.err" || return 1
	diff -u "$T/g.rc" "$T/s.rc"
}

# Sorted: the order of -v lines follows the source's inode numbers, which differ between the
# two fixtures (jobs.sh checks the order on one source).
same_lines() {
	sort "$1" >"$1.sorted" && sort "$2" >"$2.sorted" && diff -u "$1.sorted" "$2.sorted"
}

same_as_cp() {
	run_both "$@" || return 1
	same_lines "$T/g.out" "$T/s.out" || return 1
	same_lines "$T/g.err" "$T/s.err" || return 1
	diff -u "$T/g.rc" "$T/s.rc" || return 1
	t_tree "$T/g" >"$T/g.tree" && t_tree "$T/s" >"$T/s.tree" || return 1
	diff -u "$T/g.tree" "$T/s.tree"
}

# Mount a fresh filesystem of TYPE (btrfs, ext4, xfs, tmpfs) at $T/mnt/NAME; echoes the path.
# Its image and loop device are its own, and are always detached by t_cleanup.
t_mount() {
	type=$1
	name=$2
	size=${3:-300M}
	mnt="$T/mnt/$name"
	mkdir -p "$mnt" || return 99
	if [ "$type" = tmpfs ]; then
		mount -t tmpfs -o size="$size" tmpfs "$mnt" || return 1
		t_on_exit "umount -l '$mnt' 2>/dev/null"
		echo "$mnt"
		return 0
	fi
	command -v "mkfs.$type" >/dev/null 2>&1 || return 1
	truncate -s "$size" "$T/$name.img" || return 99
	"mkfs.$type" -q "$T/$name.img" >/dev/null 2>&1 || "mkfs.$type" "$T/$name.img" >/dev/null 2>&1 ||
		return 1
	dev=$(losetup -f --show "$T/$name.img") || return 1
	t_on_exit "losetup -d '$dev' 2>/dev/null"
	mount "$dev" "$mnt" || return 1
	# the mount is registered before anything can fail after it
	t_on_exit "umount '$mnt' 2>/dev/null || umount -l '$mnt' 2>/dev/null"
	echo "$mnt"
}

# t_mount_or_skip VAR TYPE NAME [SIZE]
t_mount_or_skip() {
	[ "$(id -u)" = 0 ] || t_require_fail "$2" "mounting needs root"
	m=$(t_mount "$2" "$3" "${4:-300M}") || t_require_fail "$2" "cannot mount $2"
	eval "$1=\$m"
}

sdcp() {
	"$SDCP" "$@"
}
