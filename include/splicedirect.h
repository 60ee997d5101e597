/* SPDX-License-Identifier: MIT */
/*
 * splicedirect.h - copy between files the fastest way the system allows.
 *
 * splice_direct() has the semantics of copy_file_range(2), but it always completes the copy:
 * where the kernel cannot copy between two files (other filesystem types, no clone support,
 * old kernel, seccomp filter) the library picks the next best method per filesystem pair:
 * clone (shared extents), offload (copy_file_range: in-kernel or server-side), splice through
 * a pipe, sendfile, and finally pread/pwrite.
 *
 * Errors: every function returns -1 (or NULL) and sets errno on failure, like a system call.
 * Threads: every function may be called from any thread at any time. The only shared state
 * is a small, locked cache of what each filesystem pair cannot do.
 */
#ifndef SPLICEDIRECT_H
#define SPLICEDIRECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* glibc hides loff_t in strict ISO modes (-std=c11); the kernel's type is 64-bit signed. */
#if defined(__GLIBC__) && !defined(__USE_MISC)
typedef __loff_t loff_t;
#endif

/* Defined by <sys/stat.h> (_GNU_SOURCE) or <linux/stat.h>; only pointed to here. */
struct statx;

#if defined(__GNUC__) && !defined(SPLICEDIRECT_STATIC)
#define SPLICEDIRECT_API __attribute__((visibility("default")))
#else
#define SPLICEDIRECT_API
#endif

/*
 * Flags. The low bits belong to splice(2) (MOVE 1, NONBLOCK 2, MORE 4, GIFT 8) and are refused
 * here with EINVAL, as copy_file_range(2) refuses every flag. SPLICE_F_DIRECT is the 2013
 * proposal's flag: accepted, and implied.
 */
#ifndef SPLICE_F_DIRECT
#define SPLICE_F_DIRECT 0x10u /* file-to-file copy, both offsets allowed (implied) */
#endif
#define SPLICE_F_NOCLONE 0x20u /* an independent physical copy: never share extents */
#define SPLICE_F_CLONE	 0x40u /* share extents or fail; with SPLICE_F_NOCLONE: EINVAL */
#define SPLICE_F_NOCACHE 0x80u /* leave the page cache as it was found */

/* Flags of splice_direct_file() only (EINVAL elsewhere). */
#define SPLICE_F_EXCL	0x100u /* fail with EEXIST if the destination exists */
#define SPLICE_F_ATOMIC 0x200u /* write a temporary file, then rename it over the destination */

/*
 * The statx(2) fields splice_direct_statx() reads: STATX_TYPE | STATX_SIZE | STATX_BLOCKS |
 * STATX_MNT_ID_UNIQUE (0x4000, Linux 6.8). Spelled as a number so that it needs neither
 * <sys/stat.h> nor headers as new as the kernel. Ask for it with the fields you need yourself.
 */
#define SPLICE_DIRECT_STATX_MASK 0x4601u

/*
 * The methods, by number: the index of splice_direct_stats' bytes[]. This is not the order
 * the library tries them in, which is native, clone, offload, pipe, sendfile, rw; with
 * SPLICE_F_NOCACHE (which drops native), directio comes before offload when both files are on
 * local filesystems, and after it otherwise (a file server's copy first).
 */
enum splice_direct_method {
	SPLICE_DIRECT_NATIVE = 0, /* splice(SPLICE_F_DIRECT) of a kernel that has it */
	SPLICE_DIRECT_CLONE,	  /* FICLONERANGE: extents shared, no data written */
	SPLICE_DIRECT_OFFLOAD,	  /* copy_file_range: in the kernel, or by the file server */
	SPLICE_DIRECT_PIPE,	  /* splice() through a private pipe: in the kernel */
	SPLICE_DIRECT_SENDFILE,	  /* sendfile(): in the kernel */
	SPLICE_DIRECT_RW,	  /* pread/pwrite: through user memory */
	SPLICE_DIRECT_DIRECTIO,	  /* O_DIRECT, io_uring: no page cache (SPLICE_F_NOCACHE) */
	SPLICE_DIRECT_METHODS = 16
};

/*
 * How the bytes were moved. splice_direct_ex() and splice_direct_file() add to it, so one
 * struct can sum up many calls; zero it first. bytes[m] counts bytes that method m copied;
 * holes counts bytes of the source's holes that were kept as holes (no data moved at all).
 */
struct splice_direct_stats {
	uint64_t bytes[SPLICE_DIRECT_METHODS];
	uint64_t holes;
	uint64_t reserved[7];
};

/*
 * Copy up to len bytes from fd_in to fd_out, as copy_file_range(2) does: a NULL offset means the
 * file position (used and advanced); otherwise *off is used and advanced and the file position is
 * left alone. Returns the number of bytes copied, 0 at end of input, -1 and errno on error.
 *
 * Unlike the kernel's call it copies the whole range up to the end of the input; a short count
 * only follows a signal or an error after some progress (the next call reports it). Holes in
 * the source stay holes. It never fails with EXDEV, ENOSYS or EOPNOTSUPP for lack of support
 * (except SPLICE_F_CLONE, which asks for exactly that).
 */
SPLICEDIRECT_API ssize_t splice_direct(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
				       size_t len, unsigned int flags);

/* The same, adding to *stats (which may be NULL) how each byte was moved. */
SPLICEDIRECT_API ssize_t splice_direct_ex(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
					  size_t len, unsigned int flags,
					  struct splice_direct_stats *stats);

/*
 * For a caller that has just called statx(2) on fd_in (a tree copy does, to learn the mode and
 * size): pass what it learned, and the library makes no statx of its own where it can copy at
 * once. stx_in must describe fd_in now, as statx(fd_in, "", AT_EMPTY_PATH, mask, stx_in) found
 * it, with mask including SPLICE_DIRECT_STATX_MASK. Where stx_in is NULL or its stx_mask lacks
 * one of those fields, the library asks the kernel itself.
 *
 * The result, the offsets, errno and the bytes copied are splice_direct_ex()'s. stx_in only
 * guides the choice of method: the end of the input is found by the kernel, never taken from
 * stx_size, and every error comes from the library's own checks. A stale statx, or one of
 * another file, may cost speed (a method tried in vain; holes made since may be written as
 * zeros), never correctness.
 */
SPLICEDIRECT_API ssize_t splice_direct_statx(int fd_in, const struct statx *stx_in, loff_t *off_in,
					     int fd_out, loff_t *off_out, size_t len,
					     unsigned int flags, struct splice_direct_stats *stats);

/*
 * Copy the regular file src to dst: content, holes and permission bits. With SPLICE_F_EXCL an
 * existing dst is an error (EEXIST); with SPLICE_F_ATOMIC the copy is written to a temporary
 * file in dst's folder, synced, and renamed over dst, and the folder is synced, so that dst is
 * either the old file or the complete new one, and the new one once the call has returned, also
 * after a crash. Without SPLICE_F_ATOMIC a failed copy removes a dst it created, but an
 * existing dst is already truncated. Copying a file onto itself fails with EINVAL.
 * Returns 0, or -1 and errno.
 */
SPLICEDIRECT_API int splice_direct_file(const char *src, const char *dst, unsigned int flags,
					struct splice_direct_stats *stats);

/*
 * "native", "clone", "offload", "pipe", "sendfile", "rw", "directio"; NULL for an unknown
 * method.
 */
SPLICEDIRECT_API const char *splice_direct_method_name(unsigned int method);

#ifdef __cplusplus
}
#endif

#endif /* SPLICEDIRECT_H */
