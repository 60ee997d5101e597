// SPDX-License-Identifier: MIT
/*
 * entry.c - splice_direct(): the descriptors, the offsets or file positions, the checks, the
 * plan, the copy; and the one place where -errno becomes -1 and errno.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

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
		if (pos_out >= (loff_t)c->out.maxbytes)
			return -EFBIG;
		len = sd_min(len, sd_min(INT64_MAX - (uint64_t)pos_in,
					 c->out.maxbytes - (uint64_t)pos_out));
	} else {
		r = sd_check_range(c, pos_in, pos_out, &len);
		if (r)
			return r;
	}
	if (len == 0)
		return 0;
	r = sd_plan(c);
	if (r)
		return r;

	r = sd_copy_range(c, (uint64_t)pos_in, (uint64_t)pos_out, len);
	if (r > 0) {
		/* the bytes are copied: a failure to move a position cannot undo that */
		(void)advance(fd_in, off_in, pos_in, (size_t)r);
		(void)advance(fd_out, off_out, pos_out, (size_t)r);
	}
	return r;
}

ssize_t sd_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
		  unsigned int flags, struct splice_direct_stats *stats)
{
	struct sd_copy c = {
		.flags = flags & ~SPLICE_F_DIRECT,
		.stats = stats,
	};
	ssize_t r;

	r = copy(&c, fd_in, off_in, fd_out, off_out, len);
	sd_cache_close(&c);
	sd_plan_close(&c);
	return r;
}

SPLICEDIRECT_API ssize_t splice_direct_ex(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
					  size_t len, unsigned int flags,
					  struct splice_direct_stats *stats)
{
	ssize_t r = sd_splice(fd_in, off_in, fd_out, off_out, len, flags, stats);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

SPLICEDIRECT_API ssize_t splice_direct(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
				       size_t len, unsigned int flags)
{
	return splice_direct_ex(fd_in, off_in, fd_out, off_out, len, flags, NULL);
}

SPLICEDIRECT_API const char *splice_direct_method_name(unsigned int method)
{
	static const char *const names[] = {
		[SPLICE_DIRECT_NATIVE] = "native",     [SPLICE_DIRECT_CLONE] = "clone",
		[SPLICE_DIRECT_OFFLOAD] = "offload",   [SPLICE_DIRECT_PIPE] = "pipe",
		[SPLICE_DIRECT_SENDFILE] = "sendfile", [SPLICE_DIRECT_RW] = "rw",
		[SPLICE_DIRECT_DIRECTIO] = "directio",
	};

	if (method >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[method];
}
