/* SPDX-License-Identifier: MIT */
/*
 * data.c - passes over a finished copy's data: --sparse=never and --sparse=always (the
 * library itself only keeps the source's holes), and --verify. The last two work on a range,
 * so that sdcp-mpi makes them chunk by chunk, on the rank that copied the chunk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdcp.h"

/* --sparse=never: the library keeps holes; write the zeros they stand for. */
int data_fill_holes(int fd, uint64_t size)
{
	static const char zeros[64 << 10];
	off_t hole = 0, data;

	while ((uint64_t)hole < size) {
		hole = lseek(fd, hole, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole >= size)
			break;
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0 || (uint64_t)data > size)
			data = size;
		while (hole < data) {
			size_t n = data - hole < (off_t)sizeof(zeros) ? (size_t)(data - hole)
								      : sizeof(zeros);
			ssize_t w = pwrite(fd, zeros, n, hole);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			hole += w;
		}
	}
	return 0;
}

/*
 * --sparse=always: punch the block-sized runs of zeros the copy wrote in [off, end) (bs: the
 * destination's block size, cp's hole size), and a last short block of zeros at end. Only the
 * blocks wholly inside the range: one that two ranges share is left alone, since another
 * process may still be writing its half.
 */
int data_punch_zeros(int rfd, int fd, uint64_t off, uint64_t end, blksize_t bs)
{
	size_t blk = bs > 0 && bs <= (1 << 20) ? bs : 4096, bufsz = blk * 64;
	char *buf = xmalloc(bufsz);
	struct stat st;
	/* a range that ends the file: its short last block may be cut off and put back */
	int tail = !fstat(fd, &st) && (uint64_t)st.st_size == end, r = 0;

	off += (blk - off % blk) % blk;
	while (off < end) {
		off_t data = lseek(rfd, off, SEEK_DATA);
		ssize_t n;

		if (data < 0)
			break; /* ENXIO: only a hole is left */
		off = data - data % blk;
		if (off >= end)
			break;
		n = pread(rfd, buf, end - off < bufsz ? end - off : bufsz, off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			r = n < 0 ? -errno : 0;
			break;
		}
		for (ssize_t b = 0; b < n; b += blk) {
			/* the last block of the file may be short, as cp's last read is */
			size_t len = n - b < (ssize_t)blk ? (size_t)(n - b) : blk, i = 0;

			if (len < blk && (off + n != end || !tail))
				break;
			while (i < len && !buf[b + i])
				i++;
			if (i < len)
				continue;
			/* a short last block is freed only by cutting it off (cp never wrote it) */
			if (len < blk ? ftruncate(fd, off + b) || ftruncate(fd, end)
				      : fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						  off + b, len)) {
				r = errno == EOPNOTSUPP ? 0 : -errno;
				goto out;
			}
		}
		off += (size_t)n >= blk ? (size_t)n - (size_t)n % blk : (size_t)n;
	}
out:
	free(buf);
	return r;
}

/*
 * --verify: read [off, end) of both and compare; end UINT64_MAX: to the end of a. Where a
 * ends inside the range, the copy must end there too.
 */
int data_verify(int a, int b, uint64_t off, uint64_t end)
{
	size_t sz = 1 << 20;
	char *x = xmalloc(2 * sz), *y = x + sz;
	int r = 0;

	while (off < end) {
		ssize_t n = pread(a, x, end - off < sz ? end - off : sz, off), m;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		for (m = 0; m < n;) {
			ssize_t k = pread(b, y + m, n - m, off + m);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			m += k;
		}
		if (m != n || memcmp(x, y, n)) {
			r = 1;
			break;
		}
		if (n == 0) {
			r = pread(b, y, 1, off) != 0;
			break;
		}
		off += n;
	}
	free(x);
	return r;
}
