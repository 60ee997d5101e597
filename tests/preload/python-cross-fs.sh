#!/bin/bash
# SPDX-License-Identifier: MIT
# python-cross-fs.sh - Python's os.copy_file_range and os.splice, unmodified, across two
# filesystems (tmpfs to ext4): without the shim EXDEV and EINVAL; with it both copies complete.
# Bad input gets the same errno both ways (the kernel checks it before EXDEV).
source "$(dirname "$0")/lib.sh"

py=${PYTHON:-$(command -v python3)} || skip python3 "python3 not installed"
[[ -x $py ]] || skip python3 "python3 not installed"
two_filesystems "$@"
head -c $((3 * 1024 * 1024 + 5)) /dev/urandom >"$A/src" || broken "cannot write $A/src"

check='
import errno, os, sys

mode, a, b = sys.argv[1:]
shim = mode == "shim"
fails = 0


def check(ok, what):
    global fails
    if not ok:
        print("FAIL:", mode + ":", what)
        fails += 1


def errno_of(call):
    try:
        call()
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)
    return "success"


src = os.open(a + "/src", os.O_RDONLY)
size = os.fstat(src).st_size
data = os.pread(src, size, 0)

dst = os.open(b + "/cfr-" + mode, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
try:
    n = os.copy_file_range(src, dst, size, 0, 7)
    check(shim and n == size, "copy_file_range returned %d of %d" % (n, size))
    check(os.pread(dst, size + 7, 0) == bytes(7) + data, "copy_file_range: bytes differ")
except OSError as e:
    check(not shim and e.errno == errno.EXDEV, "copy_file_range: %s" % e)

dst2 = os.open(a + "/splice-" + mode, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
if hasattr(os, "splice"):
    try:
        n = os.splice(dst, dst2, size, 7, 0, 0x10)  # SPLICE_F_DIRECT
        check(shim and n == size, "splice returned %d of %d" % (n, size))
        check(os.pread(dst2, size + 1, 0) == data, "splice: bytes differ")
    except OSError as e:
        check(not shim and e.errno == errno.EINVAL, "splice: %s" % e)

app = os.open(b + "/append", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
folder = os.open(b, os.O_RDONLY)
r, w = os.pipe()
# (what, call, errno without the shim, errno with it)
for what, call, native, with_shim in [
    ("O_APPEND output", lambda: os.copy_file_range(src, app, 10), "EBADF", "EBADF"),
    ("read-only output", lambda: os.copy_file_range(src, src, 10, 0, size), "EBADF", "EBADF"),
    ("folder output", lambda: os.copy_file_range(src, folder, 10), "EISDIR", "EISDIR"),
    ("pipe output", lambda: os.copy_file_range(src, w, 10), "EINVAL", "EINVAL"),
    # EOVERFLOW is what Linux 6.18 answers for a negative offset (measured)
    ("negative offset", lambda: os.copy_file_range(src, dst2, 10, -1, 0), "EOVERFLOW",
     "EOVERFLOW"),
    # across filesystems the kernel stops at EXDEV; the library goes on to check the rest,
    # and answers what the kernel answers for a pair it supports
    ("negative offset across", lambda: os.copy_file_range(src, dst, 10, -1, 0), "EXDEV",
     "EOVERFLOW"),
]:
    got = errno_of(call)
    want = with_shim if shim else native
    check(got == want, "%s: %s, want %s" % (what, got, want))
sys.exit(1 if fails else 0)
'
rc=0
"$py" -c "$check" native "$A" "$B" || rc=1
shim "$py" -c "$check" shim "$A" "$B" || rc=1
exit $rc
