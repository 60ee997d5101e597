// SPDX-License-Identifier: MIT
/*
 * cache.c - SPLICE_F_NOCACHE for the methods that go through the page cache (offload, pipe,
 * sendfile, rw, and directio, see method-directio.c): leave the cache as it was found, and
 * bounded while the copy runs.
 *
 * The copy runs in windows of 32 MiB (directio's: 256 MiB). Before a window, cachestat(2)
 * (Linux 6.5) tells how many of the input's pages there are cached: none (they are all
 * dropped after the copy), all (all kept), or some, and then mincore(2) on a mapping of the
 * window tells which, so that exactly the pages the copy brought in are dropped. Without
 * cachestat, mincore answers alone. Readahead reaches past a window, so each window's state
 * is taken one window early, before the copy of the previous one could touch it. The
 * output's window is written back asynchronously (sync_file_range) when it is done, and
 * waited for and dropped one window later, so writeback overlaps the copy and at most two
 * windows of output are in memory. posix_fadvise(DONTNEED) does not drop dirty pages: that
 * is why they are written back first.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

#define WINDOW (32u << 20)
#define PAGE   4096u
/*
 * directio leaves (almost) nothing to write back or drop, and each window drains its ring:
 * its windows are larger. (The btrfs pages it leaves are a few per request at most.)
 */
#define DIRECTIO_WINDOW (256u << 20)

struct sd_cache {
	uint64_t pending_off, pending_len; /* output window written, not yet waited for */
	/*
	 * The input's next window, whose residency was taken before the copy of this one
	 * could read ahead into it: without it, readahead pages would look cached "before".
	 */
	uint64_t ahead_off, ahead_len;
	unsigned char *ahead, *before;
	int no_cachestat;
};

#define WINDOW_PAGES (DIRECTIO_WINDOW / PAGE + 1)

struct cachestat_range {
	uint64_t off, len;
};
struct cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static uint64_t page_down(uint64_t x)
{
	return x & ~(uint64_t)(PAGE - 1);
}

static uint64_t page_up(uint64_t x)
{
	return page_down(x + PAGE - 1);
}

/* Cached pages of [off, off + len) of fd, or -errno. */
static int64_t cached(struct sd_cache *k, int fd, uint64_t off, uint64_t len)
{
	struct cachestat_range range = {off, len};
	struct cachestat cs;

	if (k->no_cachestat)
		return -ENOSYS;
	if (syscall(SYS_cachestat, fd, &range, &cs, 0) < 0) {
		if (errno == ENOSYS || errno == EPERM)
			k->no_cachestat = 1;
		return -errno;
	}
	return (int64_t)cs.nr_cache;
}

/*
 * Which of the window / PAGE + 1 pages at off of fd are cached: vec[i] & 1. cachestat answers the
 * common cases (none, all) in one call; mincore on a mapping tells which, otherwise. If
 * neither can tell, every page counts as not cached: the copy then drops them all.
 */
static void residency(struct sd_cache *k, int fd, uint64_t off, uint64_t window, unsigned char *vec)
{
	uint64_t pages = window / PAGE + 1, len = pages * PAGE;
	int64_t n = cached(k, fd, off, len);
	void *map;

	memset(vec, n == (int64_t)pages, pages);
	if (n == 0 || n == (int64_t)pages)
		return;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (map == MAP_FAILED)
		return;
	if (mincore(map, len, vec) < 0)
		memset(vec, 0, pages);
	(void)munmap(map, len);
}

/* Drop the pages of [off, off + len) of the input that vec (from base) says were not cached. */
static void drop_new(int fd, uint64_t base, const unsigned char *vec, uint64_t off, uint64_t len)
{
	uint64_t i = (off - base) / PAGE, end = (off - base + len) / PAGE, j;

	while (i < end) {
		for (; i < end && (vec[i] & 1); i++)
			;
		for (j = i; j < end && !(vec[j] & 1); j++)
			;
		if (j > i)
			(void)posix_fadvise(fd, (off_t)(base + i * PAGE), (off_t)((j - i) * PAGE),
					    POSIX_FADV_DONTNEED);
		i = j;
	}
}

/* Wait for the output window written before this one, and drop it. */
static void settle(struct sd_copy *c)
{
	struct sd_cache *k = c->cache;

	if (!k->pending_len)
		return;
	(void)sync_file_range(c->out.fd, (off_t)k->pending_off, (off_t)k->pending_len,
			      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				      SYNC_FILE_RANGE_WAIT_AFTER);
	(void)posix_fadvise(c->out.fd, (off_t)k->pending_off, (off_t)k->pending_len,
			    POSIX_FADV_DONTNEED);
	k->pending_len = 0;
}

static struct sd_cache *cache_open(struct sd_copy *c)
{
	struct sd_cache *k = c->cache;

	if (k)
		return k;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->ahead = malloc(WINDOW_PAGES);
	k->before = malloc(WINDOW_PAGES);
	if (!k->ahead || !k->before) {
		free(k->ahead);
		free(k->before);
		free(k);
		return NULL;
	}
	k->ahead_off = UINT64_MAX;
	c->cache = k;
	return k;
}

ssize_t sd_cache_copy(struct sd_copy *c, const struct sd_method *m, uint64_t off_in,
		      uint64_t off_out, size_t len)
{
	struct sd_cache *k = cache_open(c);
	uint64_t base, out_off, out_len, win;
	unsigned char *swap;
	ssize_t r;

	if (!k)
		return -ENOMEM;
	win = (m->props & SD_BYPASSES_CACHE) ? DIRECTIO_WINDOW : WINDOW;
	len = sd_min(len, win);
	base = page_down(off_in);
	if (k->ahead_off == base && k->ahead_len >= win) {
		swap = k->before, k->before = k->ahead, k->ahead = swap;
	} else {
		residency(k, c->in.fd, base, win, k->before);
	}
	k->ahead_off = page_down(off_in + len);
	k->ahead_len = win;
	residency(k, c->in.fd, k->ahead_off, win, k->ahead);

	r = m->copy(c, off_in, off_out, len);
	if (r <= 0)
		return r;

	drop_new(c->in.fd, base, k->before, base, page_up(off_in + (uint64_t)r) - base);
	/* start this window's writeback, then finish the previous one's */
	out_off = page_down(off_out);
	out_len = sd_min(page_up(off_out + (uint64_t)r), INT64_MAX) - out_off;
	(void)sync_file_range(c->out.fd, (off_t)out_off, (off_t)out_len, SYNC_FILE_RANGE_WRITE);
	settle(c);
	k->pending_off = out_off;
	k->pending_len = out_len;
	return r;
}

void sd_cache_close(struct sd_copy *c)
{
	struct sd_cache *k = c->cache;

	if (!k)
		return;
	settle(c);
	/* what the last window read ahead past the copy */
	if (k->ahead_off != UINT64_MAX)
		drop_new(c->in.fd, k->ahead_off, k->ahead, k->ahead_off,
			 page_down(k->ahead_len) + PAGE);
	free(k->ahead);
	free(k->before);
	free(k);
	c->cache = NULL;
}
