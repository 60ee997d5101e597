// SPDX-License-Identifier: MIT
/*
 * entry.c - splice_direct(): the descriptors, the offsets or file positions, the checks, the
 * plan, the copy; and the one place where -errno becomes -1 and errno.
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

/* The refusals after which a quick copy is not tried again from this input's mount. */
static int quick_refusal(ssize_t r)
{
	return r == -EXDEV || r == -EOPNOTSUPP || r == -ENOTTY || r == -ENOSYS || r == -EPERM ||
	       r == -EINVAL;
}

/*
 * copy_file_range from pos_in to pos_out until *done reaches ask or the kernel answers 0 (the
 * end of the input). Returns the last answer. With ask 0 it still calls once: the kernel then
 * checks the descriptors and the range, and a 0 says all is well.
 */
static ssize_t offload(int fd_in, uint64_t pos_in, int fd_out, uint64_t pos_out, uint64_t ask,
		       uint64_t *done)
{
	ssize_t r;

	do {
		loff_t i = (loff_t)(pos_in + *done), o = (loff_t)(pos_out + *done);

		r = sd_sys_copy_file_range(fd_in, &i, fd_out, &o, sd_min(ask - *done, SD_MAX_RW),
					   0);
		if (r > 0)
			*done += (uint64_t)r;
	} while (r > 0 && *done < ask);
	return r;
}

/*
 * The quick path, for the many small files of a tree: one statx of the input (none when the
 * caller gave us its own), then the method the plan would start with, at once. The kernel
 * checks the descriptors, the output and the range itself; only when it refuses do we run our
 * own checks (copy() above, from the start), so every errno still comes from them, in the
 * kernel's order. Copies at given offsets only, without flags but SPLICE_F_NOCLONE, of a file
 * without holes (sd_plan_quick() says where). Returns the bytes copied, and *ret_whole: 1 if
 * that is the whole request, as copy() would have copied it; 0 if the planned path must copy
 * the rest (or all) of it.
 *
 * A size from our own statx bounds the copy, as the kernel's own check does. A caller's
 * (stx_in) may be stale, or of another file: it only picks the method and a clone's length,
 * and the end of the input is what copy_file_range finds (it answers 0 there on the local
 * filesystems sd_plan_quick() allows). So a file that grew is copied to its new end and one
 * that shrank to its real end, never past it; a wrong type or length is refused by the kernel
 * and sends the call down the planned path, which stats the input itself.
 */
static ssize_t quick(struct sd_copy *c, int fd_in, const struct statx *stx_in, loff_t *off_in,
		     int fd_out, loff_t *off_out, size_t len, int *ret_whole)
{
	const int own = !stx_in ||
			(stx_in->stx_mask & SPLICE_DIRECT_STATX_MASK) != SPLICE_DIRECT_STATX_MASK;
	const struct sd_method *m;
	uint64_t pos_in, pos_out, want, done = 0, cloned = 0;
	ssize_t r = 0;

	*ret_whole = 0;
	if (!off_in || !off_out || (c->flags & ~SPLICE_F_NOCLONE) || *off_in < 0 || *off_out < 0)
		return 0;
	pos_in = (uint64_t)*off_in, pos_out = (uint64_t)*off_out;
	/* the kernel sees the caller's len wrap (EOVERFLOW) before it shortens it: so must we */
	if (pos_in + len < pos_in || pos_out + len < pos_out)
		return 0;
	if (!own)
		sd_file_set(&c->in, fd_in, stx_in);
	else if (sd_file_stat(&c->in, fd_in))
		return 0;
	if (!S_ISREG(c->in.mode) || c->in.blocks * 512 < c->in.size)
		return 0;
	m = sd_plan_quick(c, pos_in, pos_out);
	if (!m)
		return 0;
	want = pos_in >= c->in.size ? 0 : sd_min(len, c->in.size - pos_in);
	/* FICLONERANGE clones a partial last block only at the end of the input */
	if (m == &sd_method_clone && want % c->in.fs_bsize && pos_in + want != c->in.size)
		return 0;
	if (m == &sd_method_clone && want) {
		r = sd_clone_range(fd_in, pos_in, fd_out, pos_out, want);
		if (r == 0)
			cloned = done = want;
	}
	/*
	 * copy_file_range copies where the filesystem cannot clone; with nothing to copy it has
	 * the kernel check all; after a clone of a caller's length it finds the input's end.
	 */
	if (r == 0 && (m == &sd_method_offload || !want || (!own && done < len)))
		r = offload(fd_in, pos_in, fd_out, pos_out, own ? want : len, &done);
	if (r < 0 && done == 0) {
		/* an EINVAL may come from a caller's stale statx: it says nothing of the mount */
		if (quick_refusal(r) && (own || r != -EINVAL))
			sd_plan_quick_refused(c);
		return 0;
	}
	if (c->stats) {
		c->stats->bytes[SPLICE_DIRECT_CLONE] += cloned;
		c->stats->bytes[SPLICE_DIRECT_OFFLOAD] += done - cloned;
	}
	*off_in = (loff_t)(pos_in + done);
	*off_out = (loff_t)(pos_out + done);
	*ret_whole = own ? done == want : done == len || r == 0;
	return (ssize_t)done;
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

	q = quick(&c, fd_in, stx_in, off_in, fd_out, off_out, len, &whole);
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
