/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the library's files share; never installed.
 *
 * Convention: inside the library every function returns -errno on failure; only the public
 * functions (entry.c, file.c) turn that into -1 and errno, once, at the boundary.
 */
#ifndef SD_INTERNAL_H
#define SD_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "splicedirect.h"

#define SD_COPY_FLAGS (SPLICE_F_DIRECT | SPLICE_F_NOCLONE | SPLICE_F_CLONE | SPLICE_F_NOCACHE)

/*
 * The answers of a method that did not copy, besides real errors:
 *   SD_NOT_EVER  this process cannot use the method at all (ENOSYS: old kernel, seccomp);
 *   SD_NOT_HERE  this pair of filesystems cannot (EXDEV, EOPNOTSUPP): remembered per pair;
 *   SD_NOT_NOW   this call cannot (unaligned range, NOCOW file): try the next method only.
 * The planner remembers the first two and skips the method until the process ends.
 */
#define SD_NOT_EVER (-ENOSYS)
#define SD_NOT_HERE (-EOPNOTSUPP)
#define SD_NOT_NOW  (-ECANCELED)

/* What the library knows of one open file (one statx, one fcntl, the fs from the cache). */
struct sd_file {
	int fd;
	int fl;		 /* fcntl(F_GETFL) */
	mode_t mode;	 /* st_mode */
	uint64_t size;	 /* st_size when the call started */
	uint64_t blocks; /* st_blocks, 512-byte units */
	dev_t dev;	 /* st_dev: same value, same superblock */
	ino_t ino;
	uint64_t mnt;	    /* unique mount id, 0 if the kernel has none */
	int64_t fs_type;    /* statfs f_type */
	uint32_t fs_bsize;  /* statfs f_bsize: the clone alignment */
	uint64_t maxbytes;  /* the filesystem's largest file (s_maxbytes) */
	unsigned int attrs; /* STATX_ATTR_IMMUTABLE, ... */
};

/* One splice_direct() call: on the caller's stack, never shared between threads. */
struct sd_copy {
	struct sd_file in, out; /* out.size grows as the copy extends the output */
	unsigned int flags;
	int stream;	      /* the input says it is empty but may not be: read until EOF */
	int quick;	      /* a plan made before the checks (quick.c): a refusal ends it */
	uint64_t done;	      /* bytes copied by this call so far */
	int eof;	      /* sd_copy_range met the end of the input before the range's */
	uint64_t fsize;	      /* RLIMIT_FSIZE, once asked (sd_fsize_limit); 0 before */
	unsigned int refused; /* methods this pair (or process) refused, bit per id */
	const struct sd_method *plan[8];    /* NULL-terminated, best first */
	void *state[SPLICE_DIRECT_METHODS]; /* each method's own, made on first use */
	struct sd_cache *cache;		    /* SPLICE_F_NOCACHE's, see cache.c */
	struct splice_direct_stats *stats;
};

/*
 * Methods: one file each. What a method can do, for the planner (plan.c):
 *   SD_CLONES          copies only by sharing the source's extents, on filesystems that can:
 *                      SPLICE_F_CLONE keeps these alone, SPLICE_F_NOCLONE drops them;
 *   SD_MAY_SHARE       may share extents where the filesystems can (copy_file_range on btrfs):
 *                      SPLICE_F_NOCLONE drops it there;
 *   SD_SAME_FS_ONLY    only between files of one filesystem;
 *   SD_SAME_TYPE_ONLY  only between filesystems of one type;
 *   SD_PLAIN_ONLY      the kernel's own copy, which knows none of the library's flags: only for
 *                      a plain copy of a file whose size is true;
 *   SD_READS_TO_EOF    finds the end of the input by reading: the one kind for a file whose size
 *                      means nothing (procfs, sysfs...);
 *   SD_BYPASSES_CACHE  O_DIRECT: only for SPLICE_F_NOCACHE, only on disks (not tmpfs, ramfs),
 *                      and before the methods that move data through this machine's page cache;
 *   SD_SERVER_COPY     between files that are not local, a file server copies: not through
 *                      this machine's page cache;
 *   SD_PAGE_CACHE      may leave pages in the page cache: SPLICE_F_NOCACHE runs it in cache.c's
 *                      windows.
 * A method that needs aligned offsets has head(): the planner copies the unaligned start of a
 * range with the next methods of the plan, then asks this one again.
 */
#define SD_CLONES	  0x001u
#define SD_MAY_SHARE	  0x002u
#define SD_SAME_FS_ONLY	  0x004u
#define SD_SAME_TYPE_ONLY 0x008u
#define SD_PLAIN_ONLY	  0x010u
#define SD_READS_TO_EOF	  0x020u
#define SD_BYPASSES_CACHE 0x040u
#define SD_SERVER_COPY	  0x080u
#define SD_PAGE_CACHE	  0x100u

struct sd_method {
	const char *name; /* splice_direct_method_name() */
	unsigned int id;  /* enum splice_direct_method */
	unsigned int props;
	/*
	 * Copy up to len bytes of data at off_in to off_out. Returns the bytes copied (> 0),
	 * 0 at end of input, SD_NOT_EVER / SD_NOT_HERE / SD_NOT_NOW, or another -errno.
	 * A method may copy less than len; the caller loops. It never calls another method:
	 * the planner does, and counts the bytes.
	 */
	ssize_t (*copy)(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len);
	/*
	 * Optional: how many bytes at the start of the range this method cannot copy (an
	 * unaligned head): 0 if it can start here, len or more if it can copy none of it.
	 */
	uint64_t (*head)(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len);
	/* Optional: free what copy() kept in c->state[id]. */
	void (*close)(struct sd_copy *c);
};

extern const struct sd_method sd_method_native, sd_method_clone, sd_method_directio,
	sd_method_offload, sd_method_pipe, sd_method_sendfile, sd_method_rw;

/* check.c: copy_file_range(2)'s validation, in the kernel's order. */
int sd_check_fds(struct sd_copy *c, int fd_in, int fd_out);
int sd_check_flags(unsigned int flags);
int sd_check_files(const struct sd_copy *c);
int sd_check_limits(struct sd_copy *c, loff_t pos_out, uint64_t *count);
int sd_check_range(struct sd_copy *c, loff_t pos_in, loff_t pos_out, size_t *len);

/* fs.c: what an open file is and where it lives (sd_file_set: from a statx already made). */
int sd_file_stat(struct sd_file *f, int fd);
void sd_file_set(struct sd_file *f, int fd, const struct statx *st);
int sd_fs_stat(struct sd_file *f);
uint64_t sd_fs_maxbytes(int64_t fs_type, uint32_t bsize);
int sd_fs_is_pseudo(int64_t fs_type);
int sd_fs_never_shares(int64_t fs_type);
int sd_fs_is_fuse(int64_t fs_type);
int sd_fs_is_local(int64_t fs_type);
int sd_fs_can_clone(int64_t fs_type);
int sd_fs_is_memory(int64_t fs_type);

/* plan.c: which methods, in which order, and what each pair of filesystems has refused. */
int sd_plan_fs(struct sd_copy *c);
void sd_plan(struct sd_copy *c);
/*
 * The planner's first answer for a plain copy, from the input alone (quick.c): fills c->plan
 * and returns 1, or 0 where the checks and the full plan must come first.
 */
int sd_plan_quick(struct sd_copy *c, uint64_t pos_in, uint64_t pos_out, uint64_t want);
/*
 * The refusals every method shares, mapped to SD_NOT_*: ENOSYS (the process), EXDEV /
 * EOPNOTSUPP / ENOTTY (the pair), EPERM before any progress (seccomp; an immutable output
 * was refused earlier); EINVAL becomes einval, which only the method can judge. Any other
 * -errno is returned as it is.
 */
ssize_t sd_refusal(struct sd_copy *c, ssize_t r, ssize_t einval);
/*
 * Copy up to len bytes of one data range with the first method of the plan that can: bytes,
 * 0 at end of input, or -errno. Counts the bytes per method.
 */
ssize_t sd_run(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len);
/* Free what the methods kept for this call. */
void sd_plan_close(struct sd_copy *c);

/* quick.c: the many small files of a tree, before any check; see there. */
ssize_t sd_quick(struct sd_copy *c, int fd_in, const struct statx *stx_in, loff_t *off_in,
		 int fd_out, loff_t *off_out, size_t len, int *ret_whole);

/* check.c: RLIMIT_FSIZE (asked once per call), and active swap files (ETXTBSY). */
uint64_t sd_fsize_limit(struct sd_copy *c);
int sd_check_swap(const struct sd_copy *c);

/*
 * reserve.c: allocate [off, off + len) of the output before a page-cache method writes it,
 * where that is worth it. Returns 1 if that made the output longer: after a short copy,
 * sd_reserve_undo() cuts it back to end (never under its size before the call).
 */
int sd_reserve(const struct sd_copy *c, uint64_t off, uint64_t len);
void sd_reserve_undo(const struct sd_copy *c, uint64_t end);

/* cache.c: SPLICE_F_NOCACHE. Copy with m in windows, leaving the page cache as it was. */
ssize_t sd_cache_copy(struct sd_copy *c, const struct sd_method *m, uint64_t off_in,
		      uint64_t off_out, size_t len);
void sd_cache_close(struct sd_copy *c);

/* extents.c: the data and holes of the source. */
ssize_t sd_copy_range(struct sd_copy *c, uint64_t off_in, uint64_t off_out, uint64_t len);

/* entry.c: the whole copy of an fd pair; used by file.c and the preload shim. */
ssize_t sd_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
		  unsigned int flags, struct splice_direct_stats *stats);
/* The same, with the caller's statx of fd_in (splice_direct_statx), or NULL. */
ssize_t sd_splice_statx(int fd_in, const struct statx *stx_in, loff_t *off_in, int fd_out,
			loff_t *off_out, size_t len, unsigned int flags,
			struct splice_direct_stats *stats);

/* Small helpers. */
static inline uint64_t sd_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The most one read, write, splice, sendfile or copy_file_range moves: MAX_RW_COUNT. */
#define SD_MAX_RW 0x7ffff000u

#endif /* SD_INTERNAL_H */
