#!/bin/bash
# The native method (splice with SPLICE_F_DIRECT) is probed once per process: on a kernel
# without it, 20 copies make exactly one splice call with the flag, and no more; on a kernel
# with it (kernel/run's guest), every copy is native.
set -u
prog=$1
command -v strace >/dev/null || { echo "skip: strace not installed"; exit 77; }
dir=$(mktemp -d /var/tmp/sd-native.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# LeakSanitizer uses ptrace itself and cannot run under strace
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -o "$dir/trace" -e trace=splice "$prog" "$dir" 20 >"$dir/out" || {
	cat "$dir/out"
	echo "FAIL: the copies failed"
	exit 1
}
cat "$dir/out"
flagged=$(grep -c 'splice(.*0x10' "$dir/trace")
refused=$(grep -c 'splice(.*0x10.*EINVAL' "$dir/trace")
if grep -q '^native ' "$dir/out"; then
	# a kernel with SPLICE_F_DIRECT: one native call per file, none refused
	[[ $refused -eq 0 && $flagged -ge 20 ]] && exit 0
	echo "FAIL: native copies, but $flagged flagged splice calls, $refused refused"
	exit 1
fi
if [[ $flagged -ne 1 || $refused -ne 1 ]]; then
	echo "FAIL: $flagged splice calls with SPLICE_F_DIRECT ($refused refused); want exactly 1"
	exit 1
fi
echo "ok: one refused probe for 20 copies"
