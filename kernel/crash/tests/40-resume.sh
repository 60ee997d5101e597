# shellcheck shell=bash disable=SC2034,SC2154 # sourced by /sd/init, after /sd/lib.sh
# 40-resume: sdcp -a WITHOUT --atomic of a tree onto an older copy of it, cut by a power cut at
# every point; then "sdcp -a" again from that state, as sdcp(1) says to resume such a copy. The
# resume must end with a copy equal to the source. Counted apart, before the resume: files
# that look complete (the source's size and modification time) but hold other bytes, and
# files that "sdcp -a -u" would leave as they are (as new as the source or newer, by time) but
# hold other bytes: why sdcp(1) says -u is a resume for --atomic copies only.
test=resume

resume_setup() { cp -a "$SRC/old" dst && sync; }
# Beside the copy, another program fsyncs a file of its own every 50 ms, as on a busy machine:
# each fsync commits the journal, so the copy's metadata (sizes, times) reaches the disk in many
# steps, whether its data has or not. That makes the crash points worth checking.
resume_work() {
	local busy r
	while :; do
		date >busy && sync busy
		sleep 0.05
	done &
	busy=$!
	sdcp -a -T "$SRC/tree" dst
	r=$?
	kill "$busy"
	wait "$busy" 2>/dev/null
	return $r
}

resume_check() {
	local p=$1 f bad=0 s d
	while read -r f; do
		d=$CHECK/dst/$f s=$SRC/tree/$f
		if [ ! -e "$d" ] || same "$d" "$s"; then continue; fi
		if [ "$(stat -c '%s %Y' "$d")" = "$(stat -c '%s %Y' "$s")" ]; then
			looks=$((looks + 1))
			echo "point $p: $f looks complete (size, time) but holds other bytes"
		fi
		if [ "$(stat -c %Y "$d")" -ge "$(stat -c %Y "$s")" ]; then
			update_misses=$((update_misses + 1))
			echo "point $p: -u would keep $f ($(stat -c '%s bytes, time %Y' "$d")), which holds other bytes"
		fi
	done < <(tree_files)
	if ! sdcp -a -T "$SRC/tree" "$CHECK/dst" 2>/tmp/resume.err; then
		echo "point $p: the resume failed: $(head -n 2 /tmp/resume.err | tr '\n' ' ')"
		return 1
	fi
	while read -r f; do
		same "$CHECK/dst/$f" "$SRC/tree/$f" && continue
		echo "point $p: after the resume, $f differs from the source ($(stat -c '%s %Y' "$CHECK/dst/$f"))"
		bad=1
	done < <(tree_files)
	return $bad
}

if ! make_trees; then
	fail trees "cannot make the trees in $SRC"
else
	for fs in "${filesystems[@]}"; do
		workload "$fs" resume_setup resume_work || continue
		looks=0 update_misses=0
		each_point "$fs" resume_check >"/tmp/resume.$fs.points" 2>&1
		note "$fs: $points crash points, $violations violations after the resume; before it, $looks files looked complete and $update_misses were as new as the source, and were not"
		point_verdict "$fs" 'after the resume\|failed'
	done
fi
