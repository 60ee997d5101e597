# SPDX-License-Identifier: MIT
"""copyfile(), copy2(), copytree(): shutil's functions, with the data moved by the library.

The data goes through splice_direct_file() (clone, offload, splice, ...); metadata is
left to shutil (copystat), and the walk of a tree to shutil.copytree, so that what is
kept and what is raised stays shutil's. Each returns the Stats of the bytes it moved.
"""

import ctypes
import errno
import os
import shutil
import stat

from ._constants import SPLICE_F_ATOMIC, SPLICE_F_CLONE, SPLICE_F_EXCL, SPLICE_F_NOCACHE
from ._constants import SPLICE_F_NOCLONE
from ._lib import CStats, error, lib
from ._stats import Stats

# Errors of opening a name: they belong to the source if it cannot be opened, otherwise
# to the destination. Any other error (ENOSPC, EIO, EOPNOTSUPP of clone=True) names both.
_NAME_ERRORS = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM,
                errno.EEXIST, errno.ELOOP, errno.ENAMETOOLONG, errno.EROFS, errno.ETXTBSY}


def _c_path(path):
    """path (str, bytes or path-like) as the bytes the C call takes."""
    path = os.fsencode(path)  # TypeError for anything but str, bytes and os.PathLike
    if b"\0" in path:
        raise ValueError("embedded null byte")
    return path


def _flags(clone, nocache, atomic, exclusive):
    if clone is None:
        flags = 0
    elif clone is True:
        flags = SPLICE_F_CLONE
    elif clone is False:
        flags = SPLICE_F_NOCLONE
    else:
        raise TypeError(f"clone must be None, True or False, not {clone!r}")
    if nocache:
        flags |= SPLICE_F_NOCACHE
    if atomic:
        flags |= SPLICE_F_ATOMIC
    if exclusive:
        flags |= SPLICE_F_EXCL
    return flags


def _same_file(src, dst):
    try:
        return os.path.samefile(src, dst)
    except OSError:  # one of them does not exist (yet)
        return False


def _check_special(src, dst):
    """shutil.copyfile's refusal of named pipes, and the library's of other special files."""
    for i, path in enumerate((src, dst)):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode):
            raise shutil.SpecialFileError(f"`{os.fsdecode(path)}` is a named pipe")
        if i == 0 and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise shutil.SpecialFileError(f"`{os.fsdecode(path)}` is not a regular file")


def _file_error(err, src, dst):
    """The OSError for a failed splice_direct_file(), naming the file it is about."""
    if err not in _NAME_ERRORS:
        return error(err, src, dst)
    try:
        # O_NONBLOCK: a FIFO put in place since the check must not block here
        fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        return error(err, src if e.errno == err else dst)
    try:
        src_is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    return error(err, src if err == errno.EISDIR and src_is_dir else dst)


def copyfile(src, dst, *, follow_symlinks=True, clone=None, nocache=False, atomic=False,
             exclusive=False):
    """Copy the content of the file src to dst, as shutil.copyfile does; return Stats.

    src and dst are path-like (str, bytes, os.PathLike). Unlike shutil.copyfile, the
    permission bits are copied too (the library does so: a new dst is private until
    it is complete), holes stay holes, and the result is the Stats of the copy rather
    than dst. With follow_symlinks=False and src a symbolic link, a link is made
    instead, and the Stats are all 0.

    clone: None lets the library choose (it shares extents where it can); True shares
        extents or fails (OSError EOPNOTSUPP, EXDEV or EINVAL); False makes an
        independent physical copy, never sharing extents.
    nocache: leave the page cache as it was found (SPLICE_F_NOCACHE).
    atomic: write a temporary file beside dst, sync it and rename it over dst, so
        that dst is either the old file or the whole new one (SPLICE_F_ATOMIC).
    exclusive: fail with FileExistsError if dst exists (SPLICE_F_EXCL).

    Raises what shutil.copyfile raises for the same mistakes: shutil.SameFileError,
    shutil.SpecialFileError for a named pipe, FileNotFoundError, IsADirectoryError,
    PermissionError; any other OSError carries the library's errno. Only regular
    files are copied: a device or socket as src is shutil.SpecialFileError too
    (where shutil.copyfile would read it).
    """
    flags = _flags(clone, nocache, atomic, exclusive)
    c_src, c_dst = _c_path(src), _c_path(dst)
    src, dst = os.fspath(src), os.fspath(dst)
    if _same_file(src, dst):
        raise shutil.SameFileError(f"{src!r} and {dst!r} are the same file")
    _check_special(src, dst)
    if not follow_symlinks and os.path.islink(src):
        os.symlink(os.readlink(src), dst)  # as shutil: FileExistsError if dst exists
        return Stats()
    # Fail before the copy rather than at the rename of a complete temporary file.
    if atomic and os.path.isdir(dst):
        raise error(errno.EISDIR, dst)

    c = CStats()
    if lib.splice_direct_file(c_src, c_dst, flags, ctypes.byref(c)) < 0:
        raise _file_error(ctypes.get_errno(), src, dst)
    return Stats.from_c(c)


def copy2(src, dst, *, follow_symlinks=True, clone=None, nocache=False, atomic=False,
          exclusive=False):
    """Copy data and metadata, as shutil.copy2 does; return Stats.

    dst may be a directory: the copy is then dst/basename(src), as with shutil.copy2
    (which returns that path; this returns the Stats). Times, permission bits, flags
    and extended attributes are shutil.copystat's. The options are copyfile()'s.
    """
    if os.path.isdir(dst):
        dst = os.path.join(dst, os.path.basename(os.fspath(src)))
    stats = copyfile(src, dst, follow_symlinks=follow_symlinks, clone=clone,
                     nocache=nocache, atomic=atomic, exclusive=exclusive)
    shutil.copystat(src, dst, follow_symlinks=follow_symlinks)
    return stats


def copytree(src, dst, symlinks=False, ignore=None, ignore_dangling_symlinks=False,
             dirs_exist_ok=False, *, clone=None, nocache=False, atomic=False):
    """Copy the tree src to dst, as shutil.copytree does with copy2; return the summed Stats.

    The walk, the directories, the symbolic links (symlinks=True keeps them as links),
    ignore, dirs_exist_ok and the errors (shutil.Error listing every file that failed)
    are shutil.copytree's; each file's data is copied by copy2() above with the
    options clone, nocache and atomic. shutil.copytree returns dst; this returns the
    Stats of all the files' data (dst is the argument given).
    """
    _flags(clone, nocache, atomic, False)  # TypeError now, not in the middle of the tree
    os.fspath(src), os.fspath(dst)  # shutil would take an int for a folder's fd
    total = Stats()

    def copy_one(s, d):
        nonlocal total
        total += copy2(s, d, clone=clone, nocache=nocache, atomic=atomic)

    shutil.copytree(src, dst, symlinks=symlinks, ignore=ignore, copy_function=copy_one,
                    ignore_dangling_symlinks=ignore_dangling_symlinks,
                    dirs_exist_ok=dirs_exist_ok)
    return total
