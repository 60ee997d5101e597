# shellcheck shell=bash disable=SC2034,SC2154 # sourced by /sd/init, after /sd/lib.sh
# 10-replay: the replay tool (sdreplay) on the log of a known workload. Writes with O_DIRECT
# straight to the log-writes device, flushes (fsync of the device: REQ_PREFLUSH), a write with
# O_DSYNC (REQ_FUA), a write left unflushed, and a discard, with a mark after each step; the
# same steps on a file give the expected state at each mark. Replaying the log up to each mark
# onto a zeroed device must give exactly that state: a write appears only once a flush that
# followed it completed (the unflushed one is missing at its mark), a FUA write at once, a
# discard as zeros.
test=replay

# put OFFSET LENGTH CHAR [DD-FLAG]: LENGTH bytes of CHAR at OFFSET on the device (O_DIRECT,
# plus the flag), and in the expected state unless DD-FLAG is "later" (a write not yet flushed:
# the next flush puts it in the expected state).
put() {
	local flag=direct
	case ${4:-} in later | "") ;; *) flag=direct,$4 ;; esac
	yes "$3" | tr -d '\n' | head -c "$2" >/tmp/replay.chunk
	dd if=/tmp/replay.chunk of="$lw" bs="$2" seek="$1" oflag="seek_bytes,$flag" \
		conv=notrunc status=none || return 1
	if [ "${4:-}" = later ]; then
		echo "$1 $2 $3" >>/tmp/replay.later
	else
		state "$1" "$2" "$3"
	fi
}
# state OFFSET LENGTH CHAR: the same bytes in the expected state.
state() {
	yes "$3" | tr -d '\n' | head -c "$2" >/tmp/replay.chunk
	dd if=/tmp/replay.chunk of=/tmp/replay.state bs="$2" seek="$1" oflag=seek_bytes \
		conv=notrunc status=none
}
# flush: REQ_PREFLUSH, through fsync of the device; the writes made before it are durable.
flush() {
	local o l c
	sync "$lw" || return 1
	while read -r o l c; do state "$o" "$l" "$c"; done </tmp/replay.later
	: >/tmp/replay.later
}
# expect NAME: keep the expected state at mark NAME.
expect() {
	mark "$1"
	cp /tmp/replay.state "/tmp/replay.$1"
}

replay_workload() {
	local sectors
	sectors=$(blockdev --getsz "$DATA")
	dd if=/dev/zero of="$DATA" bs=1M count=16 conv=fsync status=none || return 1
	dd if=/dev/zero of="$LOG" bs=64K count=1 conv=fsync status=none || return 1
	head -c 16M /dev/zero >/tmp/replay.state
	: >/tmp/replay.later
	dm create sdlog --table "0 $sectors log-writes $DATA $LOG" || return 1
	lw=$(dm_dev sdlog) || return 1
	expect m0
	put 0 8192 A && flush && expect m1 &&
		put $((1 << 20)) 65536 B dsync && expect m2 &&
		put $((2 << 20)) 4096 C later && expect m3 &&
		flush && expect m4 &&
		put 4096 4096 D && flush && expect m5
	local r=$?
	# a discard, if the disk takes one: replayed as zeros
	if [ $r = 0 ] && blkdiscard -o $((1 << 20)) -l 65536 "$lw" 2>/dev/null; then
		head -c 65536 /dev/zero | dd of=/tmp/replay.state bs=65536 seek=$((1 << 20)) \
			oflag=seek_bytes conv=notrunc status=none
		flush && expect m6
	else
		note "the data disk takes no discard: that step is left out"
	fi
	dm remove sdlog
	return $r
}

if ! replay_workload; then
	fail workload "the known workload did not run through log-writes"
else
	# C was written before m3 but flushed only after it: the log must agree
	sdreplay "$LOG" | awk '$2 == "M" && $5 ~ /^m[0-9]$/ { print $5 }' >/tmp/replay.marks
	while read -r m; do
		dd if=/dev/zero of="$REPLAY" bs=1M count=16 conv=fsync status=none
		sdreplay "$LOG" replay "$REPLAY" 0 "$(sdreplay "$LOG" mark "$m")"
		if cmp -s -n $((16 << 20)) "$REPLAY" "/tmp/replay.$m"; then
			pass "state-at-$m"
		else
			fail "state-at-$m" "the replay differs from the expected state at $(cmp -n $((16 << 20)) "$REPLAY" "/tmp/replay.$m" | sed 's/.*differ: //')"
		fi
	done </tmp/replay.marks
	n=$(sdreplay "$LOG" points | wc -l)
	if [ "$n" -ge 5 ]; then
		pass points
	else
		fail points "$n crash points, where 5 flushes and FUA writes or more were made"
	fi
	note "the log: $(sdreplay "$LOG" | awk '{ print $2 }' | sort | uniq -c | tr '\n' ' ')"
fi
