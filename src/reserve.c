// SPDX-License-Identifier: MIT
/*
 * reserve.c - give the output its blocks before a long copy through the page cache writes
 * them (fallocate), on ext4 and xfs.
 *
 * ext4 reserves a block per page as the copy dirties it (delayed allocation), and once its free
 * blocks fall under twice the reserved ones, every write waits for a writeback of the whole
 * filesystem (ext4_nonda_switch): a 2 GiB copy into a 6 GiB ext4 then ran 2-3 times slower than
 * into the same filesystem with its blocks allocated first. Allocated blocks (unwritten extents)
 * take no reservation. xfs and ext4 also give a range allocated at once in a few extents.
 * Not btrfs: its writes into preallocated extents are never compressed.
 *
 * Only for ranges of at least RESERVE_MIN: a tree of small files pays no system call for it.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

#define RESERVE_MIN (8u << 20)

int sd_reserve(const struct sd_copy *c, uint64_t off, uint64_t len)
{
	struct rlimit rl;
	uint64_t end = off + len;

	if (len < RESERVE_MIN ||
	    (c->out.fs_type != EXT4_SUPER_MAGIC && c->out.fs_type != XFS_SUPER_MAGIC))
		return 0;
	/* fallocate past RLIMIT_FSIZE would raise SIGXFSZ before a byte is copied */
	if (end > c->out.size && getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && end > rl.rlim_cur)
		return 0;
	if (fallocate(c->out.fd, 0, (off_t)off, (off_t)len) == 0)
		return end > c->out.size;
	/*
	 * ENOSPC, EDQUOT, EOPNOTSUPP...: the copy will tell, or does without. ext4 keeps the
	 * blocks it got before ENOSPC, and the size they reach: cut that back.
	 */
	if (end > c->out.size)
		sd_reserve_undo(c, c->out.size);
	return 0;
}

void sd_reserve_undo(const struct sd_copy *c, uint64_t end)
{
	if (ftruncate(c->out.fd, (off_t)(end > c->out.size ? end : c->out.size)) < 0) {
		/* best effort: the copy's own error, or its success, is what the caller learns */
	}
}
