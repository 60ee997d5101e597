// SPDX-License-Identifier: MIT
/*
 * method-direct.c - directio: O_DIRECT reads and writes, several in flight through io_uring,
 * for SPLICE_F_NOCACHE copies that must really move data: nothing enters the page cache,
 * and the device, not memory copies, sets the pace.
 *
 * The caller's descriptors are left alone: both files are opened again through
 * /proc/self/fd with O_DIRECT. Offsets must be multiples of the files' direct-I/O alignment
 * (statx STATX_DIOALIGN, Linux 6.1; 4096 where unknown) and off_in, off_out congruent
 * modulo it; the unaligned head and tail are copied by the next methods of the plan, in
 * cache.c's windows. Ranges under 4 MiB go to those methods too: a ring is not worth it.
 * Refusals: EINVAL from open (no O_DIRECT: tmpfs before 6.6, some FUSE) is the pair's;
 * io_uring_setup's ENOSYS / EPERM (old kernel, seccomp, io_uring_disabled) only switch to
 * synchronous O_DIRECT pread/pwrite, one buffer at a time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SD_HAVE_URING
#include <liburing.h>
#endif

#include "internal.h"

#define MIN_BYTES (4u << 20)
#define CHUNK	  (1u << 20)
#define DEPTH	  8

struct slot {
	uint64_t off; /* from the start of the range */
	uint32_t len, done;
	int busy; /* 1 reading, 2 writing, 3 written but not yet counted */
};

struct direct {
	int in, out;	/* O_DIRECT descriptors of the same files */
	uint32_t align; /* offset and length alignment */
	void *bufs;	/* DEPTH * CHUNK, aligned */
	int failed;	/* -errno: the files cannot be opened so */
#ifdef SD_HAVE_URING
	struct io_uring ring;
	int have_ring;
#endif
};

static int reopen(int fd, int flags)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = open(path, flags | O_DIRECT | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

static uint32_t dio_align(int fd)
{
	struct statx st;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &st) < 0 ||
	    !(st.stx_mask & STATX_DIOALIGN) || !st.stx_dio_offset_align)
		return 4096;
	return st.stx_dio_offset_align > st.stx_dio_mem_align ? st.stx_dio_offset_align
							      : st.stx_dio_mem_align;
}

static struct direct *direct_open(struct sd_copy *c)
{
	struct direct *d = c->state[SPLICE_DIRECT_DIRECTIO];
	uint32_t a;

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	c->state[SPLICE_DIRECT_DIRECTIO] = d;
	d->in = reopen(c->in.fd, O_RDONLY);
	d->out = d->in < 0 ? -1 : reopen(c->out.fd, O_WRONLY);
	if (d->in < 0 || d->out < 0) {
		d->failed = d->in < 0 ? d->in : d->out;
		return d;
	}
	d->align = dio_align(d->in);
	a = dio_align(d->out);
	if (a > d->align)
		d->align = a;
	if (d->align > CHUNK || posix_memalign(&d->bufs, 4096, (size_t)DEPTH * CHUNK)) {
		d->failed = -ENOMEM;
		return d;
	}
#ifdef SD_HAVE_URING
	d->have_ring = io_uring_queue_init(2 * DEPTH, &d->ring, 0) == 0;
#endif
	return d;
}

static void direct_close(struct sd_copy *c)
{
	struct direct *d = c->state[SPLICE_DIRECT_DIRECTIO];

	if (d->in >= 0)
		(void)close(d->in);
	if (d->out >= 0)
		(void)close(d->out);
#ifdef SD_HAVE_URING
	if (d->have_ring)
		io_uring_queue_exit(&d->ring);
#endif
	free(d->bufs);
	free(d);
	c->state[SPLICE_DIRECT_DIRECTIO] = NULL;
}

/* One buffer at a time: where io_uring cannot be had. */
static ssize_t copy_sync(struct direct *d, uint64_t off_in, uint64_t off_out, uint64_t len)
{
	uint64_t done = 0;
	ssize_t n, w;

	while (done < len) {
		n = pread(d->in, d->bufs, sd_min(len - done, CHUNK), (off_t)(off_in + done));
		if (n <= 0) {
			if (n < 0 && !done)
				return -errno;
			break;
		}
		n -= n % d->align; /* the file shrank: its unaligned end is for the next method */
		for (ssize_t put = 0; put < n; put += w) {
			w = pwrite(d->out, (char *)d->bufs + put, (size_t)(n - put),
				   (off_t)(off_out + done + (uint64_t)put));
			if (w <= 0)
				return done ? (ssize_t)done : w < 0 ? -errno : -EIO;
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return (ssize_t)done;
}

#ifdef SD_HAVE_URING
static void queue(struct direct *d, struct slot *s, unsigned int i, uint64_t off_in,
		  uint64_t off_out)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);
	char *buf = (char *)d->bufs + (size_t)i * CHUNK;

	if (s->busy == 1)
		io_uring_prep_read(sqe, d->in, buf, s->len, off_in + s->off);
	else
		io_uring_prep_write(sqe, d->out, buf + s->done, s->len - s->done,
				    off_out + s->off + s->done);
	io_uring_sqe_set_data64(sqe, i);
}

/*
 * DEPTH chunks in flight, each read and then written from its own buffer. Writes finish in
 * any order; what is returned is the prefix of the range that is written, and every request
 * is waited for before returning, since the kernel still uses the buffers until then.
 */
static ssize_t copy_ring(struct direct *d, uint64_t off_in, uint64_t off_out, uint64_t len)
{
	struct slot slots[DEPTH] = {0};
	uint64_t next = 0, counted = 0, end = len;
	unsigned int inflight = 0, i;
	struct io_uring_cqe *cqe;
	int err = 0, r;

	for (;;) {
		for (i = 0; i < DEPTH && !err && next < end; i++) {
			if (slots[i].busy)
				continue;
			slots[i] = (struct slot){
				.off = next, .len = (uint32_t)sd_min(end - next, CHUNK), .busy = 1};
			next += slots[i].len;
			queue(d, &slots[i], i, off_in, off_out);
			inflight++;
		}
		if (!inflight)
			break;
		r = io_uring_submit_and_wait(&d->ring, 1);
		if (r < 0 && r != -EINTR) {
			err = r;
			break; /* nothing can be waited for: the ring is broken */
		}
		while (io_uring_peek_cqe(&d->ring, &cqe) == 0) {
			struct slot *s = &slots[cqe->user_data];
			int res = cqe->res;

			io_uring_cqe_seen(&d->ring, cqe);
			inflight--;
			if (res < 0 || (res == 0 && s->busy == 2)) {
				err = err ? err : res < 0 ? res : -EIO;
				s->busy = 0;
				end = sd_min(end, s->off);
				continue;
			}
			if (s->busy == 1) {
				if ((uint32_t)res < s->len) { /* end of input moved: stop there */
					s->len = (uint32_t)res - (uint32_t)res % d->align;
					end = sd_min(end, s->off + s->len);
				}
				s->busy = 2;
				s->done = 0;
			} else {
				s->done += (uint32_t)res;
			}
			if (s->busy == 2 && s->done < s->len && s->off < end) {
				queue(d, s, (unsigned int)(s - slots), off_in, off_out);
				inflight++;
			} else {
				s->busy = 3;
			}
		}
		/* count the written prefix, freeing its slots */
		for (int moved = 1; moved;) {
			moved = 0;
			for (i = 0; i < DEPTH; i++) {
				if (slots[i].busy == 3 && slots[i].off == counted) {
					counted += slots[i].len;
					slots[i].busy = 0;
					moved = 1;
				}
			}
		}
		if (err && !inflight)
			break;
	}
	if (counted)
		return (ssize_t)counted;
	return err ? err : 0;
}
#endif

static ssize_t direct_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	struct direct *d;
	uint64_t a, head, body;
	ssize_t r;

	if (len < MIN_BYTES)
		return SD_NOT_NOW;
	d = direct_open(c);
	if (!d)
		return -ENOMEM;
	if (d->failed) /* EINVAL: no O_DIRECT on this filesystem */
		return d->failed == -EINVAL ? SD_NOT_HERE : SD_NOT_NOW;
	a = d->align;
	if (off_in % a != off_out % a)
		return SD_NOT_NOW;
	head = (a - off_in % a) % a;
	if (head)
		return sd_run(c, &sd_method_direct, off_in, off_out, head);
	body = len - len % a;
#ifdef SD_HAVE_URING
	if (d->have_ring)
		r = copy_ring(d, off_in, off_out, body);
	else
#endif
		r = copy_sync(d, off_in, off_out, body);
	if (r > 0 && c->stats)
		c->stats->bytes[SPLICE_DIRECT_DIRECTIO] += (uint64_t)r;
	if (r == 0 || r == -EINVAL)
		return SD_NOT_NOW; /* let a buffered method find the end, or the reason */
	return r;
}

const struct sd_method sd_method_direct = {
	.name = "directio",
	.id = SPLICE_DIRECT_DIRECTIO,
	/*
	 * O_DIRECT still can leave pages behind: btrfs finishes a short direct read (a
	 * non-blocking one from io_uring, say) through the page cache. So directio runs in
	 * cache.c's windows too, which drop what it brought in (seen here on btrfs under load).
	 */
	.props = SD_PAGE_CACHE,
	.copy = direct_copy,
	.close = direct_close,
};
