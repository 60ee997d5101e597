// SPDX-License-Identifier: MIT
/*
 * sd_clone DIR - on a file system that can clone (btrfs, xfs), SPLICE_F_DIRECT of a
 * block-aligned range shares the extents instead of writing data: FIEMAP shows the
 * destination's extents at the source's physical addresses, flagged SHARED. An unaligned
 * range cannot be cloned and must still be copied correctly.
 */
#include "sdtest.h"

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#define SIZE   (4u * 1024 * 1024)
#define MAXEXT 256

struct map {
	struct fiemap fm;
	struct fiemap_extent fe[MAXEXT];
};

static int get_map(int fd, struct map *m)
{
	memset(m, 0, sizeof(*m));
	m->fm.fm_length = FIEMAP_MAX_OFFSET;
	m->fm.fm_flags = FIEMAP_FLAG_SYNC;
	m->fm.fm_extent_count = MAXEXT;
	return ioctl(fd, FS_IOC_FIEMAP, &m->fm);
}

/* The physical address of logical offset off, or -1 if it is not mapped. */
static int64_t phys(const struct map *m, uint64_t off, int *shared)
{
	for (unsigned int i = 0; i < m->fm.fm_mapped_extents; i++) {
		const struct fiemap_extent *e = &m->fe[i];

		if (off >= e->fe_logical && off < e->fe_logical + e->fe_length) {
			*shared = !!(e->fe_flags & FIEMAP_EXTENT_SHARED);
			return e->fe_physical + (off - e->fe_logical);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	struct map ms, md;
	loff_t oi = 0, oo = 0;
	int src, dst, shared_src = 0, shared_dst = 0, bad = 0;
	ssize_t r;

	sd_prog = "clone";
	src = sd_make(sd_path(dir, "clone-src"), 5, SIZE);
	dst = sd_make(sd_path(dir, "clone-dst"), 6, 0);
	if (fsync(src) || get_map(src, &ms))
		broken("FIEMAP of the source");

	r = sd_splice(src, &oi, dst, &oo, SIZE, SPLICE_F_DIRECT);
	if (r != SIZE || sd_cmp(src, 0, dst, 0, SIZE) != -1) {
		fail("aligned-range-copied", "%s", sd_ret(r, errno));
	} else {
		pass("aligned-range-copied");
		if (fsync(dst) || get_map(dst, &md) || get_map(src, &ms))
			broken("FIEMAP");
		for (uint64_t off = 0; off < SIZE; off += 4096) {
			int64_t a = phys(&ms, off, &shared_src), b = phys(&md, off, &shared_dst);

			if (a < 0 || a != b || !shared_src || !shared_dst) {
				bad = 1;
				fail("extents-shared",
				     "offset %llu: source at %lld%s, copy at %lld%s",
				     (unsigned long long)off, (long long)a,
				     shared_src ? " shared" : "", (long long)b,
				     shared_dst ? " shared" : "");
				break;
			}
		}
		if (!bad)
			pass("extents-shared");
	}

	/* 1000 bytes in the middle of a block: no file system clones that; it is copied. */
	oi = 4096 + 10;
	oo = SIZE + 20;
	r = sd_splice(src, &oi, dst, &oo, 1000, SPLICE_F_DIRECT);
	if (r != 1000 || sd_diff(dst, SIZE + 20, 5, 4096 + 10, 1000) != -1)
		fail("unaligned-range-copied", "%s", sd_ret(r, errno));
	else
		pass("unaligned-range-copied");

	unlink(sd_path(dir, "clone-src"));
	unlink(sd_path(dir, "clone-dst"));
	return sd_exit();
}
