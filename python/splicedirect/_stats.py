# SPDX-License-Identifier: MIT
"""Stats: how the bytes of one or more copies were moved."""

import dataclasses

from ._constants import METHODS


@dataclasses.dataclass(frozen=True)
class Stats:
    """Bytes moved by each method, and bytes of holes kept as holes.

    Mirrors struct splice_direct_stats: each field but ``holes`` counts the bytes that
    one method copied (see the README's table); ``holes`` counts bytes of the source's
    holes that were kept as holes, with no data moved at all. Stats add up with ``+``,
    so that a tree copy sums the copies of its files.
    """

    native: int = 0  # splice(SPLICE_F_DIRECT) of a kernel that has it
    clone: int = 0  # FICLONERANGE: extents shared, nothing written
    offload: int = 0  # copy_file_range(2): in the kernel or by the file server
    pipe: int = 0  # splice(2) through a private pipe
    sendfile: int = 0  # sendfile(2)
    rw: int = 0  # pread/pwrite, through user memory
    directio: int = 0  # O_DIRECT through io_uring (nocache)
    holes: int = 0  # bytes of holes kept as holes

    @classmethod
    def from_c(cls, c):
        """The Stats of a filled CStats (struct splice_direct_stats)."""
        moved = {name: c.bytes[i] for i, name in enumerate(METHODS)}
        return cls(holes=c.holes, **moved)

    @property
    def copied(self):
        """All bytes of data moved, by whichever method (holes not included)."""
        return sum(getattr(self, name) for name in METHODS)

    def methods(self):
        """{method name: bytes} of the methods that moved anything, in the library's order."""
        moved = ((name, getattr(self, name)) for name in METHODS)
        return {name: n for name, n in moved if n}

    def __add__(self, other):
        if not isinstance(other, Stats):
            return NotImplemented
        return Stats(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                        for f in dataclasses.fields(self)})
