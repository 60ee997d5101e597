// SPDX-License-Identifier: MIT
/*
 * method-clone.c - FICLONERANGE: the destination shares the source's extents; no data moves.
 *
 * Works within one filesystem that has remap_file_range: btrfs, xfs (reflink=1, the default
 * since xfsprogs 5.1), bcachefs, ocfs2, nfs 4.2, cifs, overlayfs on those. Refusals:
 *   EXDEV               two superblocks;
 *   EOPNOTSUPP, ENOTTY  the filesystem cannot (ext4, tmpfs: EOPNOTSUPP; some: ENOTTY);
 *   EINVAL              offsets or length not block-aligned, or inodes that cannot share
 *                       (btrfs: one NODATACOW file and one not), both concern this call only;
 *   ETXTBSY             a swap file.
 * Offsets must be multiples of the block size; the length too, unless the range ends at the
 * source's end of file and at or past the destination's end (fstests generic/518).
 * When off_in and off_out are congruent modulo the block size, the aligned middle is cloned
 * here and the edges are copied by the next methods of the plan (clone_head() tells the
 * planner): neither copy_file_range nor cp shares anything of such a range (seen on btrfs and
 * xfs here).
 */
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "internal.h"

static int clone_range(struct sd_copy *c, uint64_t off_in, uint64_t off_out, uint64_t len)
{
	struct file_clone_range fcr = {
		.src_fd = c->in.fd,
		.src_offset = off_in,
		.src_length = len,
		.dest_offset = off_out,
	};

	if (ioctl(c->out.fd, FICLONERANGE, &fcr) < 0)
		return -errno;
	return 0;
}

/*
 * How much of [off_in, off_in + len) one FICLONERANGE takes: whole blocks, within the source's
 * size as the call found it (a source that grew since is copied past it by the next methods).
 */
static uint64_t clone_length(const struct sd_copy *c, uint64_t off_in, uint64_t off_out,
			     uint64_t len)
{
	uint64_t bs = c->out.fs_bsize;

	if (off_in >= c->in.size)
		return 0;
	len = sd_min(len, c->in.size - off_in);
	if (off_in + len == c->in.size && off_out + len >= c->out.size)
		return len; /* the source's last, partial block may end the destination too */
	return len - len % bs;
}

static uint64_t clone_head(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	uint64_t bs = c->out.fs_bsize, head;

	if (c->flags & SPLICE_F_CLONE)
		return 0; /* all or nothing, with the filesystem's own answer */
	if (off_in % bs != off_out % bs)
		return len;
	head = (bs - off_in % bs) % bs;
	if (head)
		return head;
	return clone_length(c, off_in, off_out, len) ? 0 : len;
}

/* SPLICE_F_CLONE: the whole range or nothing, with FICLONERANGE's own errno. */
static ssize_t clone_all(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	int r = clone_range(c, off_in, off_out, len);

	if (r == -ENOTTY || r == -ENOSYS)
		return -EOPNOTSUPP;
	return r ? r : (ssize_t)len;
}

static ssize_t clone_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	uint64_t n;
	int r;

	if (c->flags & SPLICE_F_CLONE)
		return clone_all(c, off_in, off_out, len);
	n = clone_length(c, off_in, off_out, len);
	r = clone_range(c, off_in, off_out, n);
	if (r == -ETXTBSY) /* a swap file: this file only */
		return SD_NOT_NOW;
	if (r)
		return sd_refusal(c, r, SD_NOT_NOW); /* EINVAL: alignment, or a NOCOW file */
	return (ssize_t)n;
}

const struct sd_method sd_method_clone = {
	.name = "clone",
	.id = SPLICE_DIRECT_CLONE,
	.props = SD_CLONES | SD_SAME_FS_ONLY,
	.copy = clone_copy,
	.head = clone_head,
};
