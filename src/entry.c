// SPDX-License-Identifier: MIT
/*
 * entry.c - splice_direct(): the quick plan (quick.c) where it can; else the descriptors, the
 * offsets or file positions, the checks, the plan, the copy; and the one place where -errno
 * becomes -1 and errno.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "sys.h"

/* Where the copy starts on one side: *off, or the file position. */
static int position(int fd, const loff_t *off, loff_t *ret_pos)
{
	if (off) {
		*ret_pos = *off;
		return 0;
	}
	*ret_pos = lseek(fd, 0, SEEK_CUR);
	return *ret_pos < 0 ? -errno : 0;
}

/* Move past what was copied: *off, or the file position. */
static int advance(int fd, loff_t *off, loff_t pos, size_t n)
{
	if (off) {
		*off = pos + (loff_t)n;
		return 0;
	}
	return lseek(fd, pos + (loff_t)n, SEEK_SET) < 0 ? -errno : 0;
}

static ssize_t copy(struct sd_copy *c, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
		    size_t len)
{
	loff_t pos_in, pos_out;
	ssize_t r;

	r = sd_check_fds(c, fd_in, fd_out);
	if (r == 0)
		r = sd_check_flags(c->flags);
	if (r == 0)
		r = sd_file_stat(&c->in, fd_in);
	if (r == 0)
		r = sd_file_stat(&c->out, fd_out);
	if (r == 0)
		r = sd_check_files(c);
	if (r == 0)
		r = position(fd_in, off_in, &pos_in);
	if (r == 0)
		r = position(fd_out, off_out, &pos_out);
	if (r == 0)
		r = sd_plan_fs(c);
	if (r)
		return r;

	/*
	 * A file of procfs, sysfs, FUSE... that says it is empty may still have content: the
	 * kernel's copy_file_range copies nothing (or refuses), we read it until EOF.
	 */
	c->stream = c->in.size == 0 && sd_fs_is_pseudo(c->in.fs_type) && pos_in >= 0 &&
		    pos_out >= 0 && !(c->flags & SPLICE_F_CLONE);
	if (c->stream) {
		uint64_t count = sd_min(len, INT64_MAX - (uint64_t)pos_in);

		r = sd_check_limits(c, pos_out, &count);
		if (r)
			return r;
		len = (size_t)count;
	} else {
		r = sd_check_range(c, pos_in, pos_out, &len);
		if (r)
			return r;
	}
	if (len == 0)
		return 0;
	sd_plan(c);

	r = sd_copy_range(c, (uint64_t)pos_in, (uint64_t)pos_out, len);
	if (r > 0) {
		/* the bytes are copied: a failure to move a position cannot undo that */
		(void)advance(fd_in, off_in, pos_in, (size_t)r);
		(void)advance(fd_out, off_out, pos_out, (size_t)r);
	}
	return r;
}

static ssize_t planned(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
		       unsigned int flags, struct splice_direct_stats *stats)
{
	struct sd_copy c = {
		.flags = flags,
		.stats = stats,
	};
	ssize_t r;

	r = copy(&c, fd_in, off_in, fd_out, off_out, len);
	sd_cache_close(&c);
	sd_plan_close(&c);
	return r;
}

ssize_t sd_splice_statx(int fd_in, const struct statx *stx_in, loff_t *off_in, int fd_out,
			loff_t *off_out, size_t len, unsigned int flags,
			struct splice_direct_stats *stats)
{
	struct sd_copy c = {
		.flags = flags & ~SPLICE_F_DIRECT,
		.stats = stats,
	};
	ssize_t q, r;
	int whole;

	q = sd_quick(&c, fd_in, stx_in, off_in, fd_out, off_out, len, &whole);
	if (whole)
		return q;
	/*
	 * After a short quick copy, the rest as always: its error waits for the next call. The
	 * planned path never takes a caller's statx: it bounds the copy by the input's size,
	 * which must be the size now.
	 */
	r = planned(fd_in, off_in, fd_out, off_out, len - (size_t)q, c.flags, stats);
	if (q == 0)
		return r;
	return r > 0 ? q + r : q;
}

ssize_t sd_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
		  unsigned int flags, struct splice_direct_stats *stats)
{
	return sd_splice_statx(fd_in, NULL, off_in, fd_out, off_out, len, flags, stats);
}

/* The one place where -errno becomes -1 and errno. */
static ssize_t boundary(ssize_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

SPLICEDIRECT_API ssize_t splice_direct_statx(int fd_in, const struct statx *stx_in, loff_t *off_in,
					     int fd_out, loff_t *off_out, size_t len,
					     unsigned int flags, struct splice_direct_stats *stats)
{
	return boundary(sd_splice_statx(fd_in, stx_in, off_in, fd_out, off_out, len, flags, stats));
}

SPLICEDIRECT_API ssize_t splice_direct_ex(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
					  size_t len, unsigned int flags,
					  struct splice_direct_stats *stats)
{
	return boundary(sd_splice(fd_in, off_in, fd_out, off_out, len, flags, stats));
}

SPLICEDIRECT_API ssize_t splice_direct(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
				       size_t len, unsigned int flags)
{
	return splice_direct_ex(fd_in, off_in, fd_out, off_out, len, flags, NULL);
}
