/* SPDX-License-Identifier: MIT */
/*
 * shim.c - libsplicedirect-preload.so: the seed's splice(SPLICE_F_DIRECT) and a copy_file_range()
 * that completes, for programs that were never built against the library (LD_PRELOAD).
 *
 * splice():
 *   - SPLICE_F_DIRECT set: the library copies (both offsets allowed, as in the seed). The pipe
 *     flags MOVE, NONBLOCK, MORE and GIFT mean nothing between files and are dropped.
 *   - otherwise the real splice runs first, unchanged, so pipes keep their exact behaviour and
 *     cost (not even an fstat). Only when it answers EINVAL and both descriptors are regular
 *     files, which is what every kernel answers for two files, does the library copy.
 * copy_file_range():
 *   - the real call runs first; its result stands, short counts and bad-input errors included.
 *   - when it refuses for lack of support (EXDEV, ENOSYS, EOPNOTSUPP) the library copies. The
 *     library validates like the kernel, so errors the kernel checks after EXDEV come out the same.
 *
 * The library's own splice and copy_file_range calls go through syscall(2) (src/sys.h), so they
 * reach the kernel and never come back here; tests/preload/no-recursion.sh proves it.
 * Calls made through syscall(2) by the program itself are not seen at all (xfs_io does that).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* splice(2)'s own flags: about pipe pages and blocking, nothing a file-to-file copy can honour. */
#define PIPE_FLAGS (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

typedef ssize_t (*copy_fn)(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
			   unsigned int flags);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static copy_fn real_splice, real_copy_file_range;

static void resolve(void)
{
	/* every C library has splice (glibc since 2.5, musl): never NULL */
	real_splice = (copy_fn)dlsym(RTLD_NEXT, "splice");
	/* NULL under a glibc older than 2.27: then this shim is the only copy_file_range there is. */
	real_copy_file_range = (copy_fn)dlsym(RTLD_NEXT, "copy_file_range");
}

/*
 * Resolve at load time, so that a signal handler calling splice never runs the resolution;
 * the pthread_once in each call covers calls from constructors that run before this one.
 */
__attribute__((constructor)) static void shim_init(void)
{
	pthread_once(&once, resolve);
}

static int regular_pair(int fd_in, int fd_out)
{
	struct stat a, b;

	return fstat(fd_in, &a) == 0 && S_ISREG(a.st_mode) && fstat(fd_out, &b) == 0 &&
	       S_ISREG(b.st_mode);
}

/* The library's copy, with the system-call convention: -1 and errno, or errno as it was found. */
static ssize_t direct(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
		      unsigned int flags, int saved_errno)
{
	ssize_t ret = sd_splice(fd_in, off_in, fd_out, off_out, len, flags, NULL);

	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	errno = saved_errno;
	return ret;
}

SHIM_EXPORT ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
			   unsigned int flags)
{
	int saved_errno = errno;
	ssize_t ret;

	pthread_once(&once, resolve);
	if (!(flags & SPLICE_F_DIRECT)) {
		ret = real_splice(fd_in, off_in, fd_out, off_out, len, flags);
		if (ret >= 0 || errno != EINVAL)
			return ret;
		if (!regular_pair(fd_in, fd_out)) {
			errno = EINVAL; /* the splice's answer, whatever fstat left behind */
			return -1;
		}
	}
	return direct(fd_in, off_in, fd_out, off_out, len, flags & ~(SPLICE_F_DIRECT | PIPE_FLAGS),
		      saved_errno);
}

/* The refusals that say "not this way", not "bad input": the library has other ways. */
static int unsupported(int err)
{
	return err == EXDEV || err == ENOSYS || err == EOPNOTSUPP;
}

SHIM_EXPORT ssize_t copy_file_range(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
				    size_t len, unsigned int flags)
{
	int saved_errno = errno;
	ssize_t ret = -1;

	pthread_once(&once, resolve);
	if (real_copy_file_range)
		ret = real_copy_file_range(fd_in, off_in, fd_out, off_out, len, flags);
	else
		errno = ENOSYS;
	if (ret >= 0 || !unsupported(errno))
		return ret;
	/*
	 * copy_file_range's flags are reserved: a kernel that has the call answers EINVAL before
	 * anything else. The library's SPLICE_F_* flags must not leak in through this door.
	 */
	if (flags) {
		errno = EINVAL;
		return -1;
	}
	return direct(fd_in, off_in, fd_out, off_out, len, 0, saved_errno);
}
