#!/bin/sh
# SPDX-License-Identifier: MIT
# System calls per small file, measured with strace -c -f: the calls a tree copy makes for 500
# more files in the same 10 folders (so start-up and folders do not count). sdcp -r (its own
# calls and the library's) makes at most 6 a file: openat, statx, openat(O_CREAT|O_EXCL),
# copy_file_range, close, close. sdcp -r and -a both make fewer than GNU cp -r and -a. Prints
# the figures, and sdcp -r's calls a file by name.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || t_skip "strace not installed"
if ldd "$SDCP" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan'; then
	t_skip "sanitized build: its system calls are not the program's"
fi
cd "$T" || exit 99
files=500
mkdir -p small big || exit 99
for d in 0 1 2 3 4 5 6 7 8 9; do
	mkdir "small/$d" "big/$d" || exit 99
	for f in $(seq 0 99); do
		[ "$f" -lt 50 ] && echo "$d$f" >"small/$d/$f"
		echo "$d$f" >"big/$d/$f"
	done
done

# calls NAME CMD...: total system calls; $T/NAME keeps strace's table
calls() {
	name=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 strace -c -f -o "$T/$name" "$@" >/dev/null 2>&1 || return 1
	awk '$NF == "total" { print $4 }' "$T/$name"
}

# per_file NAME CMD...: the calls of the last two arguments' big tree minus the small one's
per_file() {
	name=$1
	shift
	a=$(calls "$name.small" "$@" small "$name.s") || return 1
	b=$(calls "$name.big" "$@" big "$name.b") || return 1
	echo $((b - a))
}

tenths() {
	echo "$(($1 / files)).$(($1 * 10 / files % 10))"
}

# sdcp -r's calls a file, by name: "openat 2.0 statx 1.0 ..."
by_name() {
	awk -v n=$files '
		NF >= 5 && $NF != "total" && $NF != "syscall" && $NF !~ /^-/ {
			calls[$NF] += (FILENAME ~ /big$/ ? $4 : -$4)
		}
		END {
			for (c in calls)
				if (calls[c] * 10 >= n)
					printf "%s %.1f ", c, calls[c] / n
			print ""
		}' "$T/sdcp-r.small" "$T/sdcp-r.big"
}

check() {
	s=$(per_file sdcp-r "$SDCP" -r -j 1) || return 1
	g=$(per_file cp-r "$GNU_CP" -r) || return 99
	sa=$(per_file sdcp-a "$SDCP" -a -j 1) || return 1
	ga=$(per_file cp-a "$GNU_CP" -a) || return 99
	echo "per file: sdcp -r $(tenths "$s"), cp -r $(tenths "$g"); sdcp -a $(tenths "$sa"), cp -a $(tenths "$ga")"
	echo "sdcp -r per file: $(by_name)"
	diff -r big sdcp-r.b && diff -r big sdcp-a.b || return 1
	[ "$s" -le $((6 * files)) ] && [ "$s" -lt "$g" ] && [ "$sa" -lt "$ga" ]
}
ok 'sdcp -r: at most 6 system calls per small file, fewer than cp -r; sdcp -a fewer than cp -a' check
cat "$T/check.log"
t_done
