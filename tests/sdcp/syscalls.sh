#!/bin/sh
# SPDX-License-Identifier: MIT
# System calls per small file, measured with strace -c -f on a tree of 1000 files: sdcp's
# total (its own and the library's) must stay below GNU cp's. Prints both figures.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || t_skip "strace not installed"
if ldd "$SDCP" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	t_skip "sanitized build: its system calls are not the program's"
fi
cd "$T" || exit 99
mkdir -p src || exit 99
for d in 0 1 2 3 4 5 6 7 8 9; do
	mkdir "src/$d"
	for f in $(seq 0 99); do
		echo "$d$f" >"src/$d/$f"
	done
done

# calls CMD...: total system calls; $T/count keeps strace's table
calls() {
	ASAN_OPTIONS=detect_leaks=0 strace -c -f -o "$T/count" "$@" >/dev/null 2>&1 || return 1
	awk '$NF == "total" { print $4 }' "$T/count"
}

# the library's share of the last count: what splice_direct_ex() itself calls
lib_calls() {
	awk '$NF ~ /^(fcntl|statx|copy_file_range|ioctl|fstatfs|lseek|splice|sendfile|pipe2|pread64|pwrite64|fadvise64|cachestat|sync_file_range)$/ { n += $4 } END { print n + 0 }' "$T/count"
}

tenths() {
	echo "$(($1 / 1000)).$(($1 % 1000 / 100))"
}

per_file() {
	base=$(calls "$SDCP" --version) || return 99
	s=$(calls "$SDCP" -r -j 1 src s1) || return 1
	lib=$(lib_calls)
	g=$(calls "$GNU_CP" -r src g1) || return 99
	sa=$(calls "$SDCP" -a -j 1 src s2) || return 1
	liba=$(lib_calls)
	ga=$(calls "$GNU_CP" -a src g2) || return 99
	own=$((s - base - lib))
	owna=$((sa - base - liba))
	echo "per file: sdcp -r $(tenths $((s - base))) (own $(tenths $own), library $(tenths $lib)), cp -r $(tenths "$g")"
	echo "per file: sdcp -a $(tenths $((sa - base))) (own $(tenths $owna), library $(tenths $liba)), cp -a $(tenths "$ga")"
	diff -r src s1 && [ "$s" -lt "$g" ] && [ "$sa" -lt "$ga" ] && [ "$own" -le 6000 ]
}
ok 'fewer system calls per file than cp; sdcp itself at most 6' per_file
cat "$T/check.log"
t_done
