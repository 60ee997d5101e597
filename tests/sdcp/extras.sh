#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp's own options: --verify, --stats (text and json), --progress (silent off a terminal),
# --nocache, -j and --chunk-size checks.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
mkdir -p src/d && head -c 300000 /dev/urandom >src/d/f && echo x >src/g && ln -s g src/l &&
	truncate -s 1M src/d/sparse && echo end >>src/d/sparse || exit 99

verify() {
	rm -rf dst && "$SDCP" -r --verify src dst && diff -r src dst
}
ok '--verify on a good copy' verify

stats() {
	rm -rf dst && "$SDCP" -r --stats src dst >out || return 1
	cat out
	grep -q "^$SDCP: 3 files, 2 directories, 1 symlinks, 0 other files: " out &&
		grep -q "^$SDCP: bytes cloned [0-9]*, offloaded [0-9]*, spliced [0-9]*, copied [0-9]*; holes kept [0-9]*; 0 errors" out
}
ok '--stats' stats

stats_text() {
	rm -rf dst && "$SDCP" -r --stats=text src dst >out || return 1
	cat out
	[ "$(wc -l <out)" = 2 ] && grep -q "^$SDCP: 3 files, 2 directories, 1 symlinks, " out &&
		grep -q "^$SDCP: bytes cloned [0-9]*, .*; 0 errors" out
}
ok '--stats=text is --stats' stats_text

# json_check FILE FILES DIRS ERRORS: FILE is one line, one JSON object with every count, whose
# bytes (each method's, and the holes) add up to the size of the regular files under src
json_check() {
	command -v python3 >/dev/null || { echo "python3 is missing"; return 1; }
	[ "$(wc -l <"$1")" = 1 ] || { echo "not one line"; return 1; }
	size=$(find src -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
size, files, dirs, errors = map(int, sys.argv[2:])
m = o["bytes_by_method"]
assert sorted(m) == sorted(["native", "clone", "offload", "pipe", "sendfile", "rw",
                            "directio"]), sorted(m)
assert all(type(v) is int and v >= 0 for v in m.values()), m
assert sum(m.values()) + o["holes"] == o["bytes"] == size, (o, size)
assert (o["files"], o["directories"], o["symlinks"], o["other_files"], o["errors"]) == \
    (files, dirs, 1, 0, errors), o
assert type(o["elapsed_seconds"]) is float and 0 <= o["elapsed_seconds"] < 600, o
' "$1" "$size" "$2" "$3" "$4"
}

stats_json() {
	rm -rf dst && "$SDCP" -r --stats=json src dst >out || return 1
	cat out
	json_check out 3 2 0 && diff -r src dst
}
ok '--stats=json: one object, its bytes add up to the files copied' stats_json

stats_json_chunks() {
	rm -rf dst && "$SDCP" -r -j 3 --chunk-size=64K --stats=json src dst >out || return 1
	cat out
	json_check out 3 2 0 && diff -r src dst
}
ok '--stats=json with files copied in chunks by 3 workers' stats_json_chunks

stats_json_errors() {
	rm -rf dst && mkdir dst || return 1
	"$SDCP" -r --stats=json src src/none dst >out 2>err
	[ $? = 1 ] || return 1
	cat out err
	grep -q "cannot stat 'src/none'" err && json_check out 3 2 1
}
ok '--stats=json counts an error, on stdout alone' stats_json_errors

stats_json_verbose() {
	rm -rf dst && "$SDCP" -rv --stats=json src dst >out || return 1
	grep -q "^'src' -> 'dst'$" out && tail -n 1 out >last && json_check last 3 2 0
}
ok '--stats=json with -v: the object is the last line' stats_json_verbose

stats_bad() {
	rm -rf dst
	"$SDCP" -r --stats=xml src dst 2>err >out
	[ $? = 1 ] && [ ! -e dst ] && [ ! -s out ] &&
		grep -q "^$SDCP: invalid argument .xml. for .--stats.$" err && grep -q "^  - .json.$" err
}
ok '--stats=xml is refused, before anything is copied' stats_bad

progress_quiet() {
	rm -rf dst && "$SDCP" -r --progress src dst 2>err >out && [ ! -s err ] && [ ! -s out ]
}
ok '--progress says nothing off a terminal' progress_quiet

progress_tty() {
	command -v script >/dev/null || return 0
	rm -rf dst
	script -qec "\"$SDCP\" -r --progress src dst" /dev/null >out 2>&1 || return 1
	diff -r src dst
}
ok '--progress on a terminal copies too' progress_tty

nocache() {
	rm -rf dst && "$SDCP" -r --nocache src dst && diff -r src dst
}
ok '--nocache' nocache

bad_jobs() {
	"$SDCP" -j 0 src dst 2>err
	[ $? = 1 ] && grep -q "invalid number of jobs: '0'" err
}
ok '-j 0 is refused' bad_jobs

bad_chunk() {
	"$SDCP" --chunk-size=x src dst 2>err
	[ $? = 1 ] && grep -q "invalid size: 'x'" err
}
ok '--chunk-size=x is refused' bad_chunk

debug_implies_v() {
	rm -rf dst && "$SDCP" --debug src/g dst >out || return 1
	[ "$(head -1 out)" = "'src/g' -> 'dst'" ] && grep -q '^method: .*; cloned ' out
}
ok '--debug implies -v' debug_implies_v
t_done
