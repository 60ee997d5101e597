// SPDX-License-Identifier: MIT
/*
 * file.c - splice_direct_file(): copy a path to a path, as libuv's uv_fs_copyfile and
 * macOS copyfile(3) do for their users: content, holes, permission bits.
 *
 * The destination is created with mode 0600 and given the source's permission bits last, so
 * a private file is never readable by others while it is being written. With SPLICE_F_ATOMIC
 * the copy goes to ".NAME.XXXXXX" beside the destination, is synced, renamed over it
 * (RENAME_NOREPLACE with SPLICE_F_EXCL), and the folder is synced: once the call returns, a
 * power cut leaves the new file.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

#define FILE_FLAGS (SD_COPY_FLAGS | SPLICE_F_EXCL | SPLICE_F_ATOMIC)

/*
 * Copy all of fd_in over fd_out, which is empty or a file to be replaced. The statx of the
 * source goes with each call, so a small file costs no statx in the library.
 */
static int copy_all(int fd_in, int fd_out, const struct statx *st, unsigned int flags,
		    struct splice_direct_stats *stats)
{
	loff_t off_in = 0, off_out = 0;
	ssize_t n;

	do {
		/*
		 * First the size the statx saw: given a statx, the library learns the end from
		 * the kernel, and a longer first request would cost a call that answers 0. Then
		 * on to the end (it may have grown), with the largest length that cannot make
		 * the kernel's checks overflow (EOVERFLOW).
		 */
		size_t len = (size_t)(INT64_MAX - off_in);

		if ((uint64_t)off_in < st->stx_size)
			len = (size_t)(st->stx_size - (uint64_t)off_in);
		n = sd_splice_statx(fd_in, st, &off_in, fd_out, &off_out, len,
				    flags & SD_COPY_FLAGS, stats);
	} while (n > 0 || n == -EINTR);
	if (n < 0)
		return (int)n;
	/* the source may have shrunk since it was opened: cut what it no longer has */
	if (ftruncate(fd_out, off_out) < 0)
		return -errno;
	if (fchmod(fd_out, st->stx_mode & 07777) < 0)
		return -errno;
	return 0;
}

/* Split path into its folder (an open fd) and a temporary name beside it. */
static int temp_beside(const char *path, char *ret_tmp, size_t size)
{
	char *copy = strdup(path), *base;
	int n;

	if (!copy)
		return -ENOMEM;
	base = basename(copy);
	n = snprintf(ret_tmp, size, "%.*s.%s.XXXXXX", (int)(base - copy), path, base);
	free(copy);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Make a rename in path's folder durable: a rename is on disk only once its folder is (fsync of
 * the folder, as POSIX has it). Without it ext4 brought the old file back for seconds after
 * the call returned (the crash bed, kernel/crash).
 */
static int sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char folder[PATH_MAX];
	int fd, r = 0;

	if (!slash)
		snprintf(folder, sizeof(folder), ".");
	else if (slash == path)
		snprintf(folder, sizeof(folder), "/");
	else
		snprintf(folder, sizeof(folder), "%.*s", (int)(slash - path), path);
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	(void)close(fd);
	return r;
}

static int open_temp(char *tmp)
{
	int fd = mkostemp(tmp, O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int same_file(const struct statx *a, int fd)
{
	struct stat b;

	return fstat(fd, &b) == 0 && makedev(a->stx_dev_major, a->stx_dev_minor) == b.st_dev &&
	       a->stx_ino == b.st_ino;
}

static int copy_atomic(int fd_in, const struct statx *st, const char *dst, unsigned int flags,
		       struct splice_direct_stats *stats)
{
	char tmp[PATH_MAX];
	int fd, r, old;

	old = open(dst, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (old >= 0) {
		r = same_file(st, old) ? -EINVAL : (flags & SPLICE_F_EXCL) ? -EEXIST : 0;
		(void)close(old);
		if (r)
			return r;
	}
	r = temp_beside(dst, tmp, sizeof(tmp));
	if (r)
		return r;
	fd = open_temp(tmp);
	if (fd < 0)
		return fd;
	r = copy_all(fd_in, fd, st, flags, stats);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		if (flags & SPLICE_F_EXCL)
			r = renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE);
		else
			r = rename(tmp, dst);
		/* the new file is in place: an error now says its rename may not last */
		if (r == 0)
			return sync_folder(dst);
		r = -errno;
	}
	(void)unlink(tmp);
	return r;
}

static int copy_in_place(int fd_in, const struct statx *st, const char *dst, unsigned int flags,
			 struct splice_direct_stats *stats)
{
	int fd, r, created = 1;

	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && !(flags & SPLICE_F_EXCL)) {
		created = 0;
		fd = open(dst, O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (!created) {
		/* never truncate the source through another name of it */
		r = same_file(st, fd) ? -EINVAL : ftruncate(fd, 0) < 0 ? -errno : 0;
		if (r) {
			(void)close(fd);
			return r;
		}
	}
	r = copy_all(fd_in, fd, st, flags, stats);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r && created)
		(void)unlink(dst);
	return r;
}

SPLICEDIRECT_API int splice_direct_file(const char *src, const char *dst, unsigned int flags,
					struct splice_direct_stats *stats)
{
	const unsigned int want = STATX_TYPE | STATX_MODE | STATX_INO | SPLICE_DIRECT_STATX_MASK;
	unsigned int copy_flags = flags & SD_COPY_FLAGS;
	struct statx st;
	int fd_in, r;

	if ((flags & ~FILE_FLAGS) || sd_check_flags(copy_flags)) {
		errno = EINVAL;
		return -1;
	}
	fd_in = open(src, O_RDONLY | O_CLOEXEC);
	if (fd_in < 0)
		return -1;
	if (statx(fd_in, "", AT_EMPTY_PATH, want, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.stx_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.stx_mode))
		r = -EINVAL;
	else if (flags & SPLICE_F_ATOMIC)
		r = copy_atomic(fd_in, &st, dst, flags, stats);
	else
		r = copy_in_place(fd_in, &st, dst, flags, stats);
	(void)close(fd_in);
	if (r) {
		errno = -r;
		return -1;
	}
	return 0;
}
