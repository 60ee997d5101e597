// SPDX-License-Identifier: MIT
/*
 * method-directio.c - directio: O_DIRECT reads and writes, several in flight through io_uring,
 * for SPLICE_F_NOCACHE copies that must really move data: nothing enters the page cache,
 * and the device, not memory copies, sets the pace.
 *
 * The caller's descriptors are left alone: both files are opened again through
 * /proc/self/fd with O_DIRECT. Offsets must be multiples of the files' direct-I/O alignment
 * (statx STATX_DIOALIGN, Linux 6.1; 4096 where unknown) and off_in, off_out congruent
 * modulo it; the unaligned head (directio_head() tells the planner) and tail are copied by
 * the next methods of the plan. Ranges under 4 MiB go to those methods too: a ring is not
 * worth it.
 * Refusals: EINVAL from open (no O_DIRECT: tmpfs before 6.6, some FUSE) is the pair's;
 * io_uring_setup's ENOSYS / EPERM (old kernel, seccomp, io_uring_disabled), or io_uring_enter's
 * before anything was submitted, only switch to synchronous O_DIRECT pread/pwrite, one
 * buffer at a time. The output is made as long as the range first (grow()), and cut back to
 * what was copied if the copy falls short.
 */
#include <fcntl.h>
#include <linux/magic.h>
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
/*
 * 4 MiB requests, up to 16 buffers (64 MiB) in flight: measured on loop devices over a
 * virtio disk, 1 MiB x 8 reached 60-75% of fio's sequential read rate (1 MiB, depth 16),
 * 4 MiB x 16 77-134% (bench/README.md, nocache). A smaller copy gets fewer buffers.
 */
#define CHUNK	  (4u << 20)
#define MAX_DEPTH 16
#define SPAN	  64 /* chunks from the first one not yet written to the last one read */

struct directio {
	int in, out;	/* O_DIRECT descriptors of the same files */
	uint32_t align; /* offset and length alignment */
	char *bufs;	/* depth * CHUNK, aligned */
	unsigned int depth;
	int failed; /* -errno: the files cannot be opened so */
#ifdef SD_HAVE_URING
	struct io_uring ring;
	int have_ring;
	int fixed;	 /* the buffers are registered: no page pinning per request */
	int async_write; /* writes go straight to io_uring's workers (btrfs, see ring_open) */
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

#ifdef SD_HAVE_URING
static void ring_open(struct directio *d, const struct sd_copy *c)
{
	struct iovec iov = {d->bufs, (size_t)d->depth * CHUNK};

	d->have_ring = io_uring_queue_init(d->depth, &d->ring, 0) == 0;
	/* fails beyond RLIMIT_MEMLOCK (no CAP_IPC_LOCK): then the pages are pinned per request */
	if (d->have_ring)
		d->fixed = io_uring_register_buffers(&d->ring, &iov, 1) == 0;
	/*
	 * btrfs writes O_DIRECT data that has checksums through its page cache (seen on 6.18),
	 * which a non-blocking attempt refuses: each write would be tried inline, refused, then
	 * handed to a worker. Handing it over at once saved a fifth of the time here.
	 */
	d->async_write = c->out.fs_type == BTRFS_SUPER_MAGIC;
}
#endif

static struct directio *directio_open(struct sd_copy *c, uint64_t len)
{
	struct directio *d = c->state[SPLICE_DIRECT_DIRECTIO];
	void *bufs;
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
	d->depth = (unsigned int)sd_min((len + CHUNK - 1) / CHUNK, MAX_DEPTH);
	if (d->align > CHUNK || posix_memalign(&bufs, 4096, (size_t)d->depth * CHUNK)) {
		d->failed = -ENOMEM;
		return d;
	}
	d->bufs = bufs;
#ifdef SD_HAVE_URING
	ring_open(d, c);
#endif
	return d;
}

static void directio_close(struct sd_copy *c)
{
	struct directio *d = c->state[SPLICE_DIRECT_DIRECTIO];

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
static ssize_t copy_sync(struct directio *d, uint64_t off_in, uint64_t off_out, uint64_t len)
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
			w = pwrite(d->out, d->bufs + put, (size_t)(n - put),
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
/* One buffer's request: a read of its chunk, or the write of what is left of it. */
struct req {
	uint64_t off; /* from the start of the range */
	uint32_t len, done;
	int writing;
};

struct ring_copy {
	struct directio *d;
	uint64_t off_in, off_out;
	struct req req[MAX_DEPTH];
	unsigned int free[MAX_DEPTH], nfree, inflight;
	uint64_t next, counted, end; /* next chunk to read, written prefix, end of the range */
	uint64_t written;	     /* bit i: the chunk at counted + i * CHUNK is written */
	int err, submitted;
};

static void queue(struct ring_copy *rc, unsigned int i)
{
	struct directio *d = rc->d;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);
	struct req *q = &rc->req[i];
	char *buf = d->bufs + (size_t)i * CHUNK;

	if (!q->writing) {
		if (d->fixed)
			io_uring_prep_read_fixed(sqe, d->in, buf, q->len, rc->off_in + q->off, 0);
		else
			io_uring_prep_read(sqe, d->in, buf, q->len, rc->off_in + q->off);
	} else {
		if (d->fixed)
			io_uring_prep_write_fixed(sqe, d->out, buf + q->done, q->len - q->done,
						  rc->off_out + q->off + q->done, 0);
		else
			io_uring_prep_write(sqe, d->out, buf + q->done, q->len - q->done,
					    rc->off_out + q->off + q->done);
		if (d->async_write)
			sqe->flags |= IOSQE_ASYNC;
	}
	io_uring_sqe_set_data64(sqe, i);
	rc->inflight++;
}

/* A buffer's request is over: its buffer is free again, and a written chunk is counted. */
static void finish(struct ring_copy *rc, unsigned int i, int written)
{
	struct req *q = &rc->req[i];

	rc->free[rc->nfree++] = i;
	if (written)
		rc->written |= 1ull << ((q->off - rc->counted) / CHUNK);
	while (rc->written & 1) {
		rc->counted = sd_min(rc->counted + CHUNK, rc->end);
		rc->written >>= 1;
	}
}

static void complete(struct ring_copy *rc, unsigned int i, int res)
{
	struct req *q = &rc->req[i];

	rc->inflight--;
	if (res < 0 || (res == 0 && q->writing) || q->off >= rc->end) {
		if (q->off < rc->end) {
			rc->err = rc->err ? rc->err : res < 0 ? res : -EIO;
			rc->end = q->off;
		}
		finish(rc, i, 0);
		return;
	}
	if (!q->writing) {
		if ((uint32_t)res < q->len) { /* end of input moved: stop there */
			q->len = (uint32_t)res - (uint32_t)res % rc->d->align;
			rc->end = q->off + q->len;
		}
		q->len = (uint32_t)sd_min(q->len, rc->end - q->off);
		if (!q->len) {
			finish(rc, i, 0);
			return;
		}
		q->writing = 1;
		q->done = 0;
	} else {
		q->done += (uint32_t)res;
	}
	if (q->done < q->len)
		queue(rc, i);
	else
		finish(rc, i, 1);
}

/*
 * d->depth buffers, each read and then written at once from the same buffer, so that reads
 * and writes are queued at the device together. A buffer is free as soon as its write is done;
 * what is returned is the prefix of the range that is written, and every request is waited
 * for before returning, since the kernel still uses the buffers until then.
 */
static ssize_t copy_ring(struct directio *d, uint64_t off_in, uint64_t off_out, uint64_t len)
{
	struct ring_copy rc = {.d = d, .off_in = off_in, .off_out = off_out, .end = len};
	struct io_uring_cqe *cqe;
	unsigned int i;
	int r;

	for (i = 0; i < d->depth; i++)
		rc.free[rc.nfree++] = d->depth - 1 - i;
	for (;;) {
		while (rc.nfree && !rc.err && rc.next < rc.end &&
		       rc.next - rc.counted < (uint64_t)SPAN * CHUNK) {
			i = rc.free[--rc.nfree];
			rc.req[i] = (struct req){.off = rc.next,
						 .len = (uint32_t)sd_min(rc.end - rc.next, CHUNK)};
			rc.next += rc.req[i].len;
			queue(&rc, i);
		}
		if (!rc.inflight)
			break;
		r = io_uring_submit_and_wait(&d->ring, 1);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
			if (!rc.submitted)
				return SD_NOT_EVER; /* io_uring_enter refused: go synchronous */
			/* requests the kernel may still own: their buffers are not ours to free */
			d->bufs = NULL;
			d->failed = r;
			return rc.counted ? (ssize_t)rc.counted : r;
		}
		if (r > 0)
			rc.submitted = 1;
		while (io_uring_peek_cqe(&d->ring, &cqe) == 0) {
			unsigned int k = (unsigned int)cqe->user_data;
			int res = cqe->res;

			io_uring_cqe_seen(&d->ring, cqe);
			complete(&rc, k, res);
		}
	}
	if (rc.counted)
		return (ssize_t)rc.counted;
	return rc.err ? rc.err : 0;
}
#endif

/*
 * Make the output as long as the copy will make it before writing: an O_DIRECT write that extends
 * a file runs under the inode's exclusive lock and waits for itself on ext4, so writes past
 * the end would go one at a time. fallocate also gives the blocks in one piece. (The range
 * ends within RLIMIT_FSIZE: check.c shortened it, so fallocate does not signal.)
 */
static int grow(struct directio *d, uint64_t size, uint64_t off, uint64_t end)
{
	if (end <= size)
		return 0;
	off = off > size ? off : size;
	return fallocate(d->out, 0, (off_t)off, (off_t)(end - off)) == 0;
}

/* The unaligned head of a range is for the next methods; a range under MIN_BYTES too. */
static uint64_t directio_head(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	struct directio *d;
	uint64_t a;

	if (len < MIN_BYTES)
		return len;
	d = directio_open(c, len);
	if (!d || d->failed)
		return 0; /* directio_copy() says why */
	a = d->align;
	if (off_in % a != off_out % a)
		return len;
	return (a - off_in % a) % a;
}

static ssize_t directio_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	struct directio *d = directio_open(c, len);
	uint64_t body;
	int grown;
	ssize_t r;

	if (!d)
		return -ENOMEM;
	if (d->failed) /* EINVAL: no O_DIRECT on this filesystem */
		return d->failed == -EINVAL ? SD_NOT_HERE : SD_NOT_NOW;
	body = len - len % d->align;
	grown = grow(d, c->out.size, off_out, off_out + body);
	r = SD_NOT_EVER;
#ifdef SD_HAVE_URING
	if (d->have_ring)
		r = copy_ring(d, off_in, off_out, body);
	if (r == SD_NOT_EVER && d->have_ring) {
		io_uring_queue_exit(&d->ring);
		d->have_ring = 0;
	}
#endif
	if (r == SD_NOT_EVER)
		r = copy_sync(d, off_in, off_out, body);
	/* a short copy leaves the output as long as the bytes it copied made it */
	if (grown && (r < 0 || (uint64_t)r < body)) {
		uint64_t end = off_out + (r > 0 ? (uint64_t)r : 0);

		if (ftruncate(d->out, (off_t)(end > c->out.size ? end : c->out.size)) < 0) {
			/* best effort: the copy's own result is what the caller learns */
		}
	}
	if (r == 0 || r == -EINVAL)
		return SD_NOT_NOW; /* let a buffered method find the end, or the reason */
	return r;
}

const struct sd_method sd_method_directio = {
	.name = "directio",
	.id = SPLICE_DIRECT_DIRECTIO,
	/*
	 * O_DIRECT still can leave pages behind: btrfs finishes a short direct read (a
	 * non-blocking one from io_uring, say) through the page cache. So directio runs in
	 * cache.c's windows too, which drop what it brought in (seen here on btrfs under load).
	 */
	.props = SD_BYPASSES_CACHE | SD_PAGE_CACHE,
	.copy = directio_copy,
	.head = directio_head,
	.close = directio_close,
};
