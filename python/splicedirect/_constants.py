# SPDX-License-Identifier: MIT
"""The numbers of include/splicedirect.h, spelled as in the header.

tests/python/test_api.py reads the header and checks every value here against it.
"""

# Flags of splice_direct() and splice_direct_file(). The low bits belong to splice(2)
# (MOVE 1, NONBLOCK 2, MORE 4, GIFT 8): the library refuses them with EINVAL.
SPLICE_F_DIRECT = 0x10  # the 2013 proposal's flag: accepted, and implied
SPLICE_F_NOCLONE = 0x20  # an independent physical copy: never share extents
SPLICE_F_CLONE = 0x40  # share extents or fail; with SPLICE_F_NOCLONE: EINVAL
SPLICE_F_NOCACHE = 0x80  # leave the page cache as it was found

# Flags of splice_direct_file() (copyfile) only; EINVAL for splice_direct().
SPLICE_F_EXCL = 0x100  # fail with EEXIST if the destination exists
SPLICE_F_ATOMIC = 0x200  # write a temporary file, then rename it over the destination

# The statx(2) fields the library reads (splice_direct_statx(); not bound here).
SPLICE_DIRECT_STATX_MASK = 0x4601

# The methods, in the order the library prefers them (enum splice_direct_method).
SPLICE_DIRECT_NATIVE = 0  # splice(SPLICE_F_DIRECT) of a kernel that has it
SPLICE_DIRECT_CLONE = 1  # FICLONERANGE: extents shared, no data written
SPLICE_DIRECT_OFFLOAD = 2  # copy_file_range: in the kernel, or by the file server
SPLICE_DIRECT_PIPE = 3  # splice() through a private pipe: in the kernel
SPLICE_DIRECT_SENDFILE = 4  # sendfile(): in the kernel
SPLICE_DIRECT_RW = 5  # pread/pwrite: through user memory
SPLICE_DIRECT_DIRECTIO = 6  # O_DIRECT, io_uring: no page cache (SPLICE_F_NOCACHE)
SPLICE_DIRECT_METHODS = 16  # the size of struct splice_direct_stats' bytes[]

# The methods' names by number, as splice_direct_method_name() gives them; also the
# names of the fields of Stats.
METHODS = ("native", "clone", "offload", "pipe", "sendfile", "rw", "directio")
