# SPDX-License-Identifier: MIT
"""splice_direct(): the library's call on two file descriptors."""

import ctypes
import errno
import operator
from typing import NamedTuple, Optional

from ._lib import CStats, error, lib, loff_t
from ._stats import Stats

_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_LOFF_MIN, _LOFF_MAX = -(1 << 63), (1 << 63) - 1
_SSIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_ssize_t) - 1)) - 1
_UINT_MAX = (1 << 32) - 1


class SpliceResult(NamedTuple):
    """What splice_direct() returns.

    count: the bytes copied, 0 at the end of the input.
    offset_in, offset_out: each given offset advanced by count; None where the file
        position was used (and advanced) instead.
    stats: how those bytes were moved.
    """

    count: int
    offset_in: Optional[int]
    offset_out: Optional[int]
    stats: Stats


def to_int(value, name, low, high):
    """value as an int in [low, high]: TypeError or OverflowError otherwise, as os does.

    ctypes would silently truncate an int too large for its C type, so the range is
    checked here.
    """
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None
    if not low <= value <= high:
        raise OverflowError(f"{name} {value} does not fit its C type")
    return value


def splice_direct(fd_in, fd_out, count, offset_in=None, offset_out=None, flags=0):
    """Copy up to count bytes from fd_in to fd_out, as copy_file_range(2) does.

    The arguments are os.copy_file_range()'s, with flags added. An offset of None
    means the file's position, which is used and advanced; an int offset is used
    instead, the file position is left alone, and the advanced offset is returned.
    Unlike the kernel's call, the whole range is copied up to the end of the input
    (count=sys.maxsize copies all that is left); a short count only follows an error
    after some progress, which the next call reports. Holes stay holes.

    flags: SPLICE_F_NOCLONE, SPLICE_F_CLONE, SPLICE_F_NOCACHE (SPLICE_F_DIRECT is
    implied). Returns a SpliceResult(count, offset_in, offset_out, stats).

    Raises OSError with the C call's errno (EBADF, EISDIR, EINVAL, EXDEV only with
    SPLICE_F_CLONE, ...), TypeError for an argument that is not an integer,
    ValueError for a negative count, OverflowError for a number too large for C.
    Interrupted by a signal before any progress, the call is retried (PEP 475).
    """
    fd_in = to_int(fd_in, "fd_in", _INT_MIN, _INT_MAX)
    fd_out = to_int(fd_out, "fd_out", _INT_MIN, _INT_MAX)
    count = to_int(count, "count", -_SSIZE_MAX - 1, _SSIZE_MAX)
    if count < 0:
        raise ValueError("count must not be negative")
    flags = to_int(flags, "flags", 0, _UINT_MAX)
    off_in = off_out = None
    if offset_in is not None:
        off_in = loff_t(to_int(offset_in, "offset_in", _LOFF_MIN, _LOFF_MAX))
    if offset_out is not None:
        off_out = loff_t(to_int(offset_out, "offset_out", _LOFF_MIN, _LOFF_MAX))

    c = CStats()
    while True:
        n = lib.splice_direct_ex(fd_in, off_in, fd_out, off_out, count, flags,
                                 ctypes.byref(c))
        if n >= 0:
            break
        err = ctypes.get_errno()
        if err != errno.EINTR:
            raise error(err)
        # A signal before any byte moved: its Python handler runs before the loop
        # goes round again, and ends the copy if it raises (KeyboardInterrupt).

    return SpliceResult(n,
                        None if off_in is None else off_in.value,
                        None if off_out is None else off_out.value,
                        Stats.from_c(c))
