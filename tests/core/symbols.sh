#!/bin/sh
# core/symbols LIBRARY: the shared library exports exactly the public functions.
set -u
lib=$1
want='splice_direct
splice_direct_ex
splice_direct_file
splice_direct_method_name
splice_direct_statx'
command -v nm >/dev/null || { echo "skip: nm not installed"; exit 77; }
# Drop the version nodes (absolute symbols) and the @VERSION suffix newer nm prints.
got=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort)
if [ "$got" != "$want" ]; then
	echo "FAIL: exported symbols differ"
	echo "want:"; echo "$want"
	echo "got:"; echo "$got"
	exit 1
fi
echo ok
