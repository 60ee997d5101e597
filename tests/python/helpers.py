# SPDX-License-Identifier: MIT
"""Helpers of the Python tests: data, proofs of sharing (FIEMAP), expected methods."""

import fcntl
import os
import struct

# linux/fiemap.h and linux/fs.h
FS_IOC_FIEMAP = 0xC020660B  # _IOWR('f', 11, struct fiemap)
FIEMAP_FLAG_SYNC = 0x1
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_SHARED = 0x2000
_FIEMAP = struct.Struct("=QQIIII")  # fm_start, fm_length, fm_flags, mapped, count, reserved
_EXTENT = struct.Struct("=QQQQQIIII")  # logical, physical, length, 2 reserved, flags, 3 reserved
SPLICE_F_DIRECT = 0x10


def write_random(path, size, seed=0):
    """A file of size bytes that no two offsets of which repeat a 4 KiB block."""
    data = bytearray()
    block = 0
    while len(data) < size:
        data += struct.pack("=QQ", seed, block) * 256
        block += 1
    with open(path, "wb") as f:
        f.write(data[:size])
    return bytes(data[:size])


def read(path):
    with open(path, "rb") as f:
        return f.read()


def extents(path, most=1024):
    """FIEMAP of path: a list of (logical, physical, length, flags), data synced first."""
    buf = bytearray(_FIEMAP.size + _EXTENT.size * most)
    _FIEMAP.pack_into(buf, 0, 0, (1 << 64) - 1, FIEMAP_FLAG_SYNC, 0, most, 0)
    with open(path, "rb") as f:
        fcntl.ioctl(f.fileno(), FS_IOC_FIEMAP, buf, True)
    mapped = _FIEMAP.unpack_from(buf)[3]
    found = []
    for i in range(mapped):
        e = _EXTENT.unpack_from(buf, _FIEMAP.size + i * _EXTENT.size)
        found.append((e[0], e[1], e[2], e[5]))
    return found


def shares_extents(a, b):
    """Whether every byte of b's data lives in a's blocks, marked shared in both."""
    ea, eb = extents(a), extents(b)
    if not ea or not eb:
        return False
    if any(not flags & FIEMAP_EXTENT_SHARED for *_, flags in ea + eb):
        return False
    blocks_a = {(logical, physical, length) for logical, physical, length, _ in ea}
    return all((logical, physical, length) in blocks_a for logical, physical, length, _ in eb)


def shares_any(a, b):
    """Whether a and b have any physical block in common, or any extent marked shared."""
    ea, eb = extents(a), extents(b)
    if any(flags & FIEMAP_EXTENT_SHARED for *_, flags in ea + eb):
        return True
    ranges = [(p, p + n) for _, p, n, _ in ea]
    return any(p < end and start < p + n for _, p, n, _ in eb for start, end in ranges)


def kernel_native():
    """Whether this kernel has splice(SPLICE_F_DIRECT) (the project's patch series).

    An empty memfd: such a kernel copies nothing and returns 0, others say EINVAL.
    """
    if not hasattr(os, "splice"):
        return False
    fd = os.memfd_create("sdpytest-probe")
    try:
        return os.splice(fd, fd, 1, offset_src=0, offset_dst=0, flags=SPLICE_F_DIRECT) == 0
    except OSError:
        return False
    finally:
        os.close(fd)


def expected_method(fs_in, fs_out):
    """The method the library picks for a plain copy (tests/lib's t_expected_method)."""
    if kernel_native():
        return "native"
    if fs_in != fs_out:
        return "pipe"
    if fs_in in ("btrfs", "xfs"):
        return "clone"
    return "offload"
