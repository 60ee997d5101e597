/* SPDX-License-Identifier: MIT */
/* t-proof.c - what the filesystem says about a file: shared extents, data and holes. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "t.h"

void t_require_reflink(const char *dir)
{
	char *a = t_path(dir, ".reflink-probe-a"), *b = t_path(dir, ".reflink-probe-b");
	int fa = t_open(a, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int fb = t_open(b, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct file_clone_range r = {.src_fd = fa, .src_length = 64 << 10};
	int rc;

	t_fill_random(fa, 0, 64 << 10);
	rc = ioctl(fb, FICLONERANGE, &r);
	int e = errno;
	close(fa);
	close(fb);
	unlink(a);
	unlink(b);
	if (rc < 0)
		t_skip("reflink", "no reflink in '%s': %s", dir, strerror(e));
}

void t_fiemap_each(int fd, uint64_t off, uint64_t len, unsigned int flags,
		   void (*fn)(const struct fiemap_extent *e, void *arg), void *arg)
{
	enum { N = 256 };
	struct fiemap *fm = calloc(1, sizeof(*fm) + N * sizeof(struct fiemap_extent));
	uint64_t pos = off, end = len > UINT64_MAX - off ? UINT64_MAX : off + len;

	if (!fm)
		t_broken("out of memory");
	while (pos < end) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = pos;
		fm->fm_length = end - pos;
		fm->fm_flags = flags;
		fm->fm_extent_count = N;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0)
			t_broken("FIEMAP: %s", strerror(errno));
		if (fm->fm_mapped_extents == 0)
			break;
		for (unsigned int i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];

			fn(e, arg);
			pos = e->fe_logical + e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				pos = end;
		}
	}
	free(fm);
}

struct sharing {
	unsigned long shared, total;
};

static void count_shared(const struct fiemap_extent *e, void *arg)
{
	struct sharing *s = arg;

	if (!(e->fe_flags & FIEMAP_EXTENT_UNWRITTEN)) {
		s->total++;
		s->shared += !!(e->fe_flags & FIEMAP_EXTENT_SHARED);
	}
}

int t_extents_shared_range(int fd, uint64_t off, uint64_t len)
{
	struct sharing s = {0};

	/* SYNC: delayed allocation has no extents to show before write-back. */
	t_fiemap_each(fd, off, len, FIEMAP_FLAG_SYNC, count_shared, &s);
	if (s.shared == s.total)
		return T_SHARED_ALL;
	return s.shared ? T_SHARED_SOME : T_SHARED_NONE;
}

int t_extents_shared(int fd)
{
	return t_extents_shared_range(fd, 0, UINT64_MAX);
}

static int seek_segment(int fd, uint64_t pos, uint64_t *start, uint64_t *end)
{
	off_t d = lseek(fd, (off_t)pos, SEEK_DATA), h;

	if (d < 0) {
		if (errno == ENXIO)
			return -1;
		t_broken("SEEK_DATA: %s", strerror(errno));
	}
	h = lseek(fd, d, SEEK_HOLE);
	if (h < 0)
		t_broken("SEEK_HOLE: %s", strerror(errno));
	*start = (uint64_t)d;
	*end = (uint64_t)h;
	return 0;
}

/* The next data segment at or after pos: returns 0 and [*start, *end), or -1 if none. */
static int next_segment(int fd, uint64_t pos, uint64_t *start, uint64_t *end)
{
	/* lseek moves the file position, which the tests check: put it back. */
	off_t cur = lseek(fd, 0, SEEK_CUR);
	int rc = seek_segment(fd, pos, start, end);

	if (cur >= 0)
		(void)lseek(fd, cur, SEEK_SET);
	return rc;
}

int t_same_data_map_range(int a, uint64_t off_a, int b, uint64_t off_b, uint64_t len)
{
	uint64_t pa = off_a, pb = off_b;

	if (len == UINT64_MAX) {
		uint64_t ra = t_size(a) - (t_size(a) > off_a ? off_a : t_size(a));
		uint64_t rb = t_size(b) - (t_size(b) > off_b ? off_b : t_size(b));
		len = ra > rb ? ra : rb;
	}
	for (;;) {
		uint64_t sa = 0, ea = 0, sb = 0, eb = 0;
		int na = next_segment(a, pa, &sa, &ea) < 0 || sa >= off_a + len;
		int nb = next_segment(b, pb, &sb, &eb) < 0 || sb >= off_b + len;

		if (na && nb)
			return 1;
		/* Relative to the range, clipped to it. */
		sa -= off_a, sb -= off_b;
		ea = (ea - off_a < len ? ea - off_a : len);
		eb = (eb - off_b < len ? eb - off_b : len);
		if (sa < pa - off_a)
			sa = pa - off_a;
		if (sb < pb - off_b)
			sb = pb - off_b;
		if (na != nb || sa != sb || ea != eb) {
			t_log("data maps differ: a has %s [%" PRIu64 ", %" PRIu64
			      "), b has %s [%" PRIu64 ", %" PRIu64 ")",
			      na ? "no more data" : "data", na ? 0 : sa, na ? 0 : ea,
			      nb ? "no more data" : "data", nb ? 0 : sb, nb ? 0 : eb);
			return 0;
		}
		if (ea >= len)
			return 1;
		pa = off_a + ea;
		pb = off_b + eb;
	}
}

int t_same_data_map(int fd_a, int fd_b)
{
	return t_same_data_map_range(fd_a, 0, fd_b, 0, UINT64_MAX);
}

uint64_t t_data_bytes(int fd)
{
	uint64_t pos = 0, start, end, total = 0, size = t_size(fd);

	while (pos < size && next_segment(fd, pos, &start, &end) == 0) {
		if (end > size)
			end = size;
		total += end - start;
		pos = end;
	}
	return total;
}
