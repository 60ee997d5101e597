# shellcheck shell=bash disable=SC2034,SC2154 # sourced by /sd/init, after /sd/lib.sh
# 50-flakey: device-mapper's flakey target under the copies that promise durability
# (SPLICE_F_ATOMIC, --atomic): the filesystem on a device whose every write fails with EIO, for a
# 64 MiB copy by each method, then sdcp -r --atomic of a tree. What must hold: the copy fails
# and says so (never a success), the source is unchanged, the destination keeps its old
# content, and no name holds a file that is not complete. And dropped writes (drop_writes: the
# device says yes and keeps nothing, as a power cut right after the call): what
# sdcp -a --atomic returned is there after a remount.
test=flakey

# flaky TABLE-KIND: the device's table: "good" (linear), "errors" (every write fails with EIO)
# or "drop" (every write is dropped).
flaky() {
	local sectors t
	sectors=$(blockdev --getsz "$DATA")
	case $1 in
	good) t="0 $sectors linear $DATA 0" ;;
	errors) t="0 $sectors flakey $DATA 0 0 3600 1 error_writes" ;;
	drop) t="0 $sectors flakey $DATA 0 0 3600 1 drop_writes" ;;
	esac
	dm suspend sdflaky && dm load sdflaky --table "$t" && dm resume sdflaky
}

# fresh FS: a new filesystem on the good device, mounted at $FS.
fresh() {
	local sectors
	umount "$FS" 2>/dev/null
	dm remove sdflaky 2>/dev/null
	fs_mkfs "$1" "$DATA" || return 1
	sectors=$(blockdev --getsz "$DATA")
	dm create sdflaky --table "0 $sectors linear $DATA 0" || return 1
	mount -t "$(fs_type "$1")" -o "$(fs_opts "$1")" "$(dm_dev sdflaky)" "$FS"
}

# remount FS: the good device again, the filesystem unmounted and mounted (journal recovery).
remount() {
	umount "$FS" 2>/dev/null || umount -l "$FS"
	flaky good && mount -t "$(fs_type "$1")" -o "$(fs_check_opts "$1")" "$(dm_dev sdflaky)" "$FS"
}

flakey_method() {
	local fs=$1 name=$2 src=$3 st before
	shift 3
	fresh "$fs" || {
		fail "$fs/$name" "cannot make $fs"
		return
	}
	yes "old content of $name" | head -c 8192 >"$FS/dst" && cp "$SRC/big64" "$FS/src64" && sync
	before=$(md5sum <"$src")
	flaky errors # every write fails from now on
	sdcrash "$src" "$FS/dst" "$@" >/tmp/flakey.out 2>/tmp/flakey.err
	st=$?
	remount "$fs" || {
		fail "$fs/$name" "the filesystem does not mount again"
		return
	}
	if [ "$st" = 0 ]; then
		fail "$fs/$name" "SPLICE_F_ATOMIC reported success while the device failed every write"
	elif [ "$(md5sum <"$src")" != "$before" ]; then
		fail "$fs/$name" "the source changed"
	elif ! same "$FS/dst" <(yes "old content of $name" | head -c 8192); then
		fail "$fs/$name" "the destination is not its old content ($(stat -c %s "$FS/dst") bytes)"
	else
		pass "$fs/$name"
		note "$fs/$name: $(tr '\n' ' ' </tmp/flakey.err)"
	fi
}

# sdcp -r --atomic (which promises each file whole once it has its name) onto a device whose
# writes all fail: it must fail and say so; after the remount, every file that has its name
# is complete.
flakey_tree() {
	local fs=$1 st f bad=
	fresh "$fs" || {
		fail "$fs/sdcp-r" "cannot make $fs"
		return
	}
	flaky errors
	sdcp -r --atomic "$SRC/tree" "$FS/t" 2>/tmp/flakey.tree.err
	st=$?
	remount "$fs" >/dev/null 2>&1
	while read -r f; do
		[ -e "$FS/t/$f" ] && ! same "$FS/t/$f" "$SRC/tree/$f" && bad="$bad $f"
	done < <(tree_files)
	if [ "$st" = 0 ]; then
		fail "$fs/sdcp-r" "sdcp -r --atomic exited 0 while the device failed every write"
	elif ! grep -q 'Input/output error\|Read-only file system' /tmp/flakey.tree.err; then
		fail "$fs/sdcp-r" "exit $st without an I/O error said: $(head -n 2 /tmp/flakey.tree.err | tr '\n' ' ')"
	elif [ -n "$bad" ]; then
		fail "$fs/sdcp-r" "files with their names but not complete:$bad"
	else
		pass "$fs/sdcp-r"
		note "$fs/sdcp-r: exit $st, $(wc -l </tmp/flakey.tree.err) messages, the first: $(head -n 1 /tmp/flakey.tree.err)"
	fi
}

flakey_dropped() {
	local fs=$1 f bad=
	fresh "$fs" || { fail "$fs/dropped" "cannot make $fs"; return; }
	cp -a "$SRC/old" "$FS/t" && sync
	if ! sdcp -a --atomic -T "$SRC/tree" "$FS/t" 2>/tmp/flakey.drop.err; then
		fail "$fs/dropped" "sdcp -a --atomic failed: $(head -n 1 /tmp/flakey.drop.err)"
		return
	fi
	flaky drop                      # from now on the device keeps nothing: a power cut
	touch "$FS/t/a/f1" "$FS/later"  # writes that are lost
	remount "$fs" || { fail "$fs/dropped" "the filesystem does not mount again"; return; }
	while read -r f; do same "$FS/t/$f" "$SRC/tree/$f" || bad="$bad $f"; done < <(tree_files)
	if [ -n "$bad" ]; then
		fail "$fs/dropped" "after sdcp -a --atomic returned and the writes after it were lost, these differ:$bad"
	else
		pass "$fs/dropped"
	fi
}

if ! make_sources || ! make_trees; then
	fail sources "cannot make the sources in $SRC"
fi
for fs in "${filesystems[@]}"; do
	flakey_method "$fs" pipe "$SRC/big64"
	flakey_method "$fs" directio "$SRC/big64" nocache
	flakey_method "$fs" within "$FS/src64"
	flakey_method "$fs" within-noclone "$FS/src64" noclone
	flakey_tree "$fs"
	flakey_dropped "$fs"
	umount "$FS" 2>/dev/null
	dm remove sdflaky 2>/dev/null
done
