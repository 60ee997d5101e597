// SPDX-License-Identifier: MIT
/*
 * fs.c - what an open file is, and what its filesystem can do.
 *
 * One fcntl and one statx per file and call (quick.c: one statx of the input only); the filesystem itself (statfs) is looked up by plan.c once per pair of mounts
 * and cached.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "internal.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000u /* Linux 6.8: a mount id that is never reused */
#endif
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif
#ifndef BCACHEFS_SUPER_MAGIC
#define BCACHEFS_SUPER_MAGIC 0xca451a4e
#endif
#ifndef F2FS_SUPER_MAGIC
#define F2FS_SUPER_MAGIC 0xf2f52010
#endif
#ifndef EFIVARFS_MAGIC
#define EFIVARFS_MAGIC 0xde5e81e4
#endif
#define OCFS2_SUPER_MAGIC 0x7461636f
#define FUSE_SUPER_MAGIC  0x65735546
#define CONFIGFS_MAGIC	  0x62656570

void sd_file_set(struct sd_file *f, int fd, const struct statx *st)
{
	f->fd = fd;
	f->mode = st->stx_mode;
	f->size = st->stx_size;
	f->blocks = st->stx_blocks;
	f->dev = makedev(st->stx_dev_major, st->stx_dev_minor);
	f->ino = st->stx_ino;
	f->mnt = (st->stx_mask & STATX_MNT_ID_UNIQUE) ? st->stx_mnt_id : 0;
	f->attrs = st->stx_attributes & st->stx_attributes_mask;
}

int sd_file_stat(struct sd_file *f, int fd)
{
	struct statx st;
	unsigned int want = STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | STATX_BLOCKS |
			    STATX_MNT_ID_UNIQUE;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, want, &st) < 0) {
		f->fd = fd;
		return -errno;
	}
	sd_file_set(f, fd, &st);
	return 0;
}

int sd_fs_stat(struct sd_file *f)
{
	struct statfs sfs;

	if (fstatfs(f->fd, &sfs) < 0)
		return -errno;
	f->fs_type = (uint32_t)sfs.f_type;
	f->fs_bsize = sfs.f_bsize > 0 ? (uint32_t)sfs.f_bsize : 4096;
	f->maxbytes = sd_fs_maxbytes(f->fs_type, f->fs_bsize);
	return 0;
}

/*
 * The largest file a filesystem takes (the kernel's s_maxbytes), for copy_file_range's EFBIG:
 * ext2/3/4 with extents stop at 2^32 blocks; the others here at MAX_LFS_FILESIZE.
 */
uint64_t sd_fs_maxbytes(int64_t fs_type, uint32_t bsize)
{
	if (fs_type == EXT4_SUPER_MAGIC)
		return (((uint64_t)1 << 32) - 1) * bsize;
	return INT64_MAX;
}

/* Filesystems whose files may report st_size 0 and still have content: read until EOF. */
int sd_fs_is_pseudo(int64_t fs_type)
{
	switch (fs_type) {
	case EXT4_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case F2FS_SUPER_MAGIC:
	case BCACHEFS_SUPER_MAGIC:
	case OCFS2_SUPER_MAGIC:
	case RAMFS_MAGIC:
		return 0;
	default:
		/* procfs, sysfs, debugfs, tracefs, FUSE (direct_io), and whatever we do not know */
		return 1;
	}
}

int sd_fs_is_fuse(int64_t fs_type)
{
	return fs_type == FUSE_SUPER_MAGIC;
}

/* Filesystems that never share extents: the ones without remap_file_range. */
int sd_fs_never_shares(int64_t fs_type)
{
	return fs_type == EXT4_SUPER_MAGIC || fs_type == TMPFS_MAGIC || fs_type == RAMFS_MAGIC ||
	       fs_type == F2FS_SUPER_MAGIC || fs_type == MSDOS_SUPER_MAGIC;
}

/* Local filesystems: two different ones cannot share extents, so offload copies for real. */
int sd_fs_is_local(int64_t fs_type)
{
	return sd_fs_never_shares(fs_type) || fs_type == BTRFS_SUPER_MAGIC ||
	       fs_type == XFS_SUPER_MAGIC || fs_type == BCACHEFS_SUPER_MAGIC;
}

/* Filesystems known to answer FICLONERANGE: worth trying first within one of them. */
int sd_fs_can_clone(int64_t fs_type)
{
	return !sd_fs_never_shares(fs_type) && fs_type != PROC_SUPER_MAGIC &&
	       fs_type != SYSFS_MAGIC && fs_type != DEBUGFS_MAGIC && fs_type != TRACEFS_MAGIC &&
	       fs_type != FUSE_SUPER_MAGIC && fs_type != CONFIGFS_MAGIC &&
	       fs_type != EFIVARFS_MAGIC;
}

/* Filesystems that are page cache: nothing to bypass, nothing to drop. */
int sd_fs_is_memory(int64_t fs_type)
{
	return fs_type == TMPFS_MAGIC || fs_type == RAMFS_MAGIC;
}
