#!/bin/bash
# SPDX-License-Identifier: MIT
# no-recursion.sh - the library inside the shim calls splice and copy_file_range too; those
# calls must reach the kernel, never the shim's own exported names (that would recurse: an
# EXDEV would send the library back into itself).
#  1. The shim has no relocation against splice or copy_file_range: nothing in it can call
#     those names through the dynamic linker, so nothing inside can reach the interposers.
#  2. copy_file_range between two tmpfs mounts under strace. For two filesystems of one type
#     the library tries copy_file_range itself (EXDEV here): the kernel must see the program's
#     call and the library's, both EXDEV, then the library's splices, and the copy completes.
#     Had the library's call reached the shim, it would have started the copy again, forever.
source "$(dirname "$0")/lib.sh"

command -v readelf >/dev/null || skip readelf "readelf not installed"
command -v strace >/dev/null || skip strace "strace not installed"
py=${PYTHON:-$(command -v python3)} || skip python3 "python3 not installed"

two_filesystems "$@"
C=$T/c
mount_tmpfs "$C"

relocs=$(readelf -rW "$SHIM" | grep -wE 'splice|copy_file_range')
[[ -z $relocs ]] || fail "the shim calls its own interposed names through the PLT/GOT:"$'\n'"$relocs"

size=$((4 * 1024 * 1024 + 3))
head -c $size /dev/urandom >"$A/src" || broken "cannot write $A/src"
strace -f -qq -e trace=copy_file_range,splice -o "$T/log" env LD_PRELOAD="$PRELOAD" "$py" -c '
import os, sys
src = os.open(sys.argv[1], os.O_RDONLY)
dst = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT, 0o644)
n = os.copy_file_range(src, dst, int(sys.argv[3]))
sys.exit(0 if n == int(sys.argv[3]) else 1)
' "$A/src" "$C/dst" $size || fail "the copy under the shim failed"
cmp "$A/src" "$C/dst" || fail "the copy differs"

cfr=$(grep -c 'copy_file_range(' "$T/log")
exdev=$(grep -c 'copy_file_range(.*= -1 EXDEV' "$T/log")
splices=$(grep -c 'splice(' "$T/log")
echo "kernel saw: $cfr copy_file_range ($exdev EXDEV), $splices splice"
# the library's own attempt depends on its plan: allow 0 or 1 of them, never more
((cfr >= 1 && cfr <= 2)) || fail "$cfr copy_file_range calls reached the kernel, want the program's and at most one of the library's"
((exdev == cfr)) || fail "a copy_file_range that did not fail with EXDEV across filesystems"
((splices >= 2)) || fail "the library's splices did not reach the kernel"
done_testing
