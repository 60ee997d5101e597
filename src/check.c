// SPDX-License-Identifier: MIT
/*
 * check.c - copy_file_range(2)'s validation, in the kernel's order.
 *
 * The kernel checks in this order (fs/read_write.c, checked against Linux 6.18 here): both
 * descriptors (EBADF), the flags (EINVAL), file types (EISDIR, EINVAL), access modes and
 * O_APPEND (EBADF), an immutable output (EPERM), offsets that wrap (EOVERFLOW), then it
 * shortens the count to the input's end, checks the output's size limit (EFBIG), overlapping
 * ranges of one file (EINVAL), and finally negative offsets (EINVAL, or EOVERFLOW). A caller
 * that passes two bad arguments gets the same errno from us as from the kernel.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "internal.h"

int sd_check_fds(struct sd_copy *c, int fd_in, int fd_out)
{
	c->in.fl = fcntl(fd_in, F_GETFL);
	if (c->in.fl < 0 || (c->in.fl & O_PATH))
		return -EBADF;
	c->out.fl = fcntl(fd_out, F_GETFL);
	if (c->out.fl < 0 || (c->out.fl & O_PATH))
		return -EBADF;
	return 0;
}

int sd_check_flags(unsigned int flags)
{
	if (flags & ~SD_COPY_FLAGS)
		return -EINVAL;
	if ((flags & SPLICE_F_CLONE) && (flags & SPLICE_F_NOCLONE))
		return -EINVAL;
	return 0;
}

/* generic_file_rw_checks(): what kind of files, opened how. */
int sd_check_files(const struct sd_copy *c)
{
	const struct sd_file *in = &c->in, *out = &c->out;
	int acc_in = in->fl & O_ACCMODE, acc_out = out->fl & O_ACCMODE;

	if (S_ISDIR(in->mode) || S_ISDIR(out->mode))
		return -EISDIR;
	if (!S_ISREG(in->mode) || !S_ISREG(out->mode))
		return -EINVAL;
	if (acc_in == O_WRONLY || acc_out == O_RDONLY || (out->fl & O_APPEND))
		return -EBADF;
	return 0;
}

/* rw_verify_area(): a negative offset, or one that turns negative. */
static int verify_area(loff_t pos, uint64_t count)
{
	if ((int64_t)count < 0)
		return -EINVAL;
	if (pos < 0)
		return count >= (uint64_t)-pos ? -EOVERFLOW : -EINVAL;
	if ((loff_t)((uint64_t)pos + count) < 0)
		return -EINVAL;
	return 0;
}

/*
 * generic_copy_file_checks() and the rest: shortens *len to what will be copied.
 * Needs the output's filesystem (maxbytes) from the plan.
 */
int sd_check_range(const struct sd_copy *c, loff_t pos_in, loff_t pos_out, size_t *len)
{
	uint64_t count = *len, size_in = c->in.size;
	int r;

	if (c->out.attrs & STATX_ATTR_IMMUTABLE)
		return -EPERM;
	/* The kernel compares as unsigned: a negative offset "wraps" when count reaches it. */
	if ((uint64_t)pos_in + count < (uint64_t)pos_in ||
	    (uint64_t)pos_out + count < (uint64_t)pos_out)
		return -EOVERFLOW;

	if (pos_in >= (loff_t)size_in)
		count = 0;
	else
		count = sd_min(count, size_in - (uint64_t)pos_in);

	/* generic_write_check_limits(), even for a count of 0 (6.12's stable series skips it then) */
	if (pos_out >= (loff_t)c->out.maxbytes)
		return -EFBIG;
	count = sd_min(count, c->out.maxbytes - (uint64_t)pos_out);

	if (c->in.dev == c->out.dev && c->in.ino == c->out.ino &&
	    (uint64_t)pos_out + count > (uint64_t)pos_in &&
	    (uint64_t)pos_out < (uint64_t)pos_in + count)
		return -EINVAL;

	r = verify_area(pos_in, count);
	if (r == 0)
		r = verify_area(pos_out, count);
	if (r)
		return r;
	*len = count;
	return 0;
}
