#!/bin/bash
# SPDX-License-Identifier: MIT
# --progress on a terminal (issue 20, item 4): sdcp -a on a pseudo-terminal, a tree of 30,000
# names (small files, hard links, a sparse file), slowed to take about three seconds. Every
# redraw is parsed (progress.py check): "still counting" only before the total is known, then
# fractions of bytes and files that never go down, stay below 100% and come with an ETA; the
# counted total is what the copy went through; the last line stays (a newline after it), at
# 100%, with the tree's totals. Off a terminal: nothing written, and no count either (as many
# getdents64 as without --progress).
SD_T_TMPFS=1 # the trees on a tmpfs of their own: quick to make, the copy bound by the CPU
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
P=$(cd "$(dirname "$0")" && pwd)/progress.py
cd "$T" || exit 99

read -r files bytes <<EOF
$(python3 "$P" tree src 30000)
EOF
[ -n "$bytes" ] || exit 99
python3 "$P" tree small 1000 >/dev/null || exit 99

# A slow machine, honestly (progress.py run: the copy runs this share of each tenth of a
# second, stopped the rest): about three seconds, from a plain copy's time (which also warms
# the cache)
start=$(date +%s%N)
"$SDCP" -a src warm || exit 99
end=$(date +%s%N)
share=$(awk -v ns=$((end - start)) 'BEGIN { s = ns / 3e9; print (s < 0.02 ? 0.02 : (s > 1 ? 1 : s)) }')
rm -rf warm
echo "# a plain copy: $(((end - start) / 1000000)) ms; slowed to run $share of the time"

on_a_terminal() {
	rm -rf dst
	python3 "$P" run "$T/tty" "$share" "$(basename "$SDCP")" -- "$SDCP" -a --progress src dst || return 1
	python3 "$P" check "$T/tty" "$files" "$bytes" >"$T/lines" || { cat "$T/lines"; return 1; }
	diff -r src dst
}
was=$failed
ok 'on a terminal: still counting, then fractions up to 100% with an ETA; the summary stays' \
	on_a_terminal
[ "$failed" = "$was" ] && sed 's/^/# /' "$T/lines"

off_a_terminal() {
	rm -rf dst
	"$SDCP" -a --progress src dst 2>err >out </dev/null && [ ! -s err ] && [ ! -s out ] &&
		diff -r src dst
}
ok 'off a terminal: nothing' off_a_terminal

# LeakSanitizer cannot run under strace (it ptraces the program itself)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# getdents NAME ARGS...: how many getdents64 sdcp -a ARGS small makes
getdents() {
	rm -rf small-copy
	strace -f -qq -e trace=getdents64 -o "$T/$1.tr" "$SDCP" -a "${@:2}" small small-copy \
		2>"$T/$1.err" </dev/null || return 1
	grep -c 'getdents64(' "$T/$1.tr"
}
no_count() {
	command -v strace >/dev/null || return 0
	plain=$(getdents plain) && progress=$(getdents progress --progress) || return 1
	echo "getdents64: $plain without --progress, $progress with it, off a terminal"
	[ "$plain" = "$progress" ] && [ ! -s "$T/progress.err" ] || return 1
	# on a terminal the count reads every folder once more: the check above would see one
	rm -rf small-copy
	python3 "$P" run "$T/small.tty" 1 - -- strace -f -qq -e trace=getdents64 -o "$T/tty.tr" \
		"$SDCP" -a --progress small small-copy || return 1
	tty=$(grep -c 'getdents64(' "$T/tty.tr")
	echo "getdents64 on a terminal: $tty"
	[ "$tty" -gt "$plain" ]
}
ok 'off a terminal: no count (as many getdents64 as without --progress)' no_count

t_done
