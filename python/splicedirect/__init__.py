# SPDX-License-Identifier: MIT
"""Copy files the fastest way Linux allows: Python bindings of libsplicedirect.

    import splicedirect

    st = splicedirect.copyfile("big.img", "copy.img")         # like shutil.copyfile
    print(st.clone, st.offload, st.pipe, st.rw, st.holes)     # bytes by method
    splicedirect.copy2("a.conf", "/etc/app/", atomic=True)     # data and metadata
    total = splicedirect.copytree("photos", "/mnt/usb/photos")

    n, off_in, off_out, st = splicedirect.splice_direct(fd_in, fd_out, 1 << 20, 0, 0)

The functions call the installed shared library libsplicedirect.so.0 through ctypes
(set SPLICEDIRECT_LIBRARY=/path/to/libsplicedirect.so.0 to use another one); importing
the package raises ImportError when the library cannot be loaded. Errors are OSError
with the library's errno, so that FileNotFoundError, IsADirectoryError and the other
subclasses are raised as the os module raises them.
"""

from ._constants import (
    METHODS,
    SPLICE_DIRECT_CLONE,
    SPLICE_DIRECT_DIRECTIO,
    SPLICE_DIRECT_METHODS,
    SPLICE_DIRECT_NATIVE,
    SPLICE_DIRECT_OFFLOAD,
    SPLICE_DIRECT_PIPE,
    SPLICE_DIRECT_RW,
    SPLICE_DIRECT_SENDFILE,
    SPLICE_DIRECT_STATX_MASK,
    SPLICE_F_ATOMIC,
    SPLICE_F_CLONE,
    SPLICE_F_DIRECT,
    SPLICE_F_EXCL,
    SPLICE_F_NOCACHE,
    SPLICE_F_NOCLONE,
)
from ._files import copy2, copyfile, copytree
from ._lib import lib as _lib
from ._splice import SpliceResult, splice_direct
from ._stats import Stats

__all__ = [
    "METHODS",
    "SPLICE_DIRECT_CLONE",
    "SPLICE_DIRECT_DIRECTIO",
    "SPLICE_DIRECT_METHODS",
    "SPLICE_DIRECT_NATIVE",
    "SPLICE_DIRECT_OFFLOAD",
    "SPLICE_DIRECT_PIPE",
    "SPLICE_DIRECT_RW",
    "SPLICE_DIRECT_SENDFILE",
    "SPLICE_DIRECT_STATX_MASK",
    "SPLICE_F_ATOMIC",
    "SPLICE_F_CLONE",
    "SPLICE_F_DIRECT",
    "SPLICE_F_EXCL",
    "SPLICE_F_NOCACHE",
    "SPLICE_F_NOCLONE",
    "SpliceResult",
    "Stats",
    "copy2",
    "copyfile",
    "copytree",
    "method_name",
    "splice_direct",
]


def method_name(method):
    """The library's name of a method number ("clone" for SPLICE_DIRECT_CLONE), or None."""
    if not 0 <= method < SPLICE_DIRECT_METHODS:
        return None
    name = _lib.splice_direct_method_name(method)
    return None if name is None else name.decode()
