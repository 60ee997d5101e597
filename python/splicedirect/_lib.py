# SPDX-License-Identifier: MIT
"""Loading libsplicedirect.so.0 and declaring its functions for ctypes.

Where the library is looked for, first found wins:

1. $SPLICEDIRECT_LIBRARY, a path (or a name for dlopen); when set, nothing else is tried,
   so that a test run against a build tree never picks up an installed copy.
2. "libsplicedirect.so.0" through the dynamic loader (LD_LIBRARY_PATH, ld.so.cache, ...).
3. The file `meson install` put there (its path is written into _install.py by the build),
   for a prefix the loader does not search or before ldconfig ran.
4. Whatever ctypes.util.find_library("splicedirect") finds.

ctypes releases the GIL for the length of each call, and every call is made with
use_errno=True, so that errno is read from ctypes' private copy taken right after the call.
"""

import ctypes
import ctypes.util
import os

from ._constants import SPLICE_DIRECT_METHODS

ENV = "SPLICEDIRECT_LIBRARY"
SONAME = "libsplicedirect.so.0"

loff_t = ctypes.c_int64


class CStats(ctypes.Structure):
    """struct splice_direct_stats, field for field."""

    _fields_ = [
        ("bytes", ctypes.c_uint64 * SPLICE_DIRECT_METHODS),
        ("holes", ctypes.c_uint64),
        ("reserved", ctypes.c_uint64 * 7),
    ]


def _candidates():
    explicit = os.environ.get(ENV)
    if explicit:
        yield explicit
        return
    yield SONAME
    try:
        from ._install import LIBRARY
    except ImportError:  # the source tree: no build wrote it
        pass
    else:
        yield LIBRARY
    found = ctypes.util.find_library("splicedirect")
    if found:
        yield found


def _open():
    failures = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name, use_errno=True)
        except OSError as e:
            failures.append(str(e))
    if os.environ.get(ENV):
        hint = f"{ENV} names a library that cannot be loaded"
    else:
        hint = (f"install splice-direct (meson install), or set {ENV}="
                f"/path/to/{SONAME}")
    raise ImportError(f"splicedirect: cannot load {SONAME}: {hint} ("
                      + "; ".join(failures) + ")", name="splicedirect")


def _declare(lib):
    try:
        ex = lib.splice_direct_ex
        file = lib.splice_direct_file
        name = lib.splice_direct_method_name
    except AttributeError as e:
        raise ImportError(f"splicedirect: {lib._name} is not libsplicedirect: {e}",
                          name="splicedirect") from None
    ex.argtypes = [ctypes.c_int, ctypes.POINTER(loff_t), ctypes.c_int,
                   ctypes.POINTER(loff_t), ctypes.c_size_t, ctypes.c_uint,
                   ctypes.POINTER(CStats)]
    ex.restype = ctypes.c_ssize_t
    file.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint,
                     ctypes.POINTER(CStats)]
    file.restype = ctypes.c_int
    name.argtypes = [ctypes.c_uint]
    name.restype = ctypes.c_char_p


lib = _open()
_declare(lib)
path = lib._name  # what was loaded, for error messages and tests


def error(err, filename=None, filename2=None):
    """The OSError for errno err; OSError picks the subclass (FileNotFoundError, ...)."""
    return OSError(err, os.strerror(err), filename, None, filename2)
