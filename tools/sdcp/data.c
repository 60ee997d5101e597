/* SPDX-License-Identifier: MIT */
/*
 * data.c - passes over a finished copy's data: --sparse=never and --sparse=always (the
 * library itself only keeps the source's holes), and --verify.
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

/* --sparse=always: punch the block-sized runs of zeros the copy wrote. */
int data_punch_zeros(int fd, uint64_t size, blksize_t bs)
{
	size_t blk = bs > 0 && bs <= (1 << 20) ? bs : 4096, bufsz = blk * 64;
	char *buf = xmalloc(bufsz);
	uint64_t off = 0;
	int r = 0;

	while (off < size) {
		off_t data = lseek(fd, off, SEEK_DATA);
		ssize_t n;

		if (data < 0)
			break; /* ENXIO: only a hole is left */
		off = data - data % blk;
		n = pread(fd, buf, bufsz, off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			r = n < 0 ? -errno : 0;
			break;
		}
		for (ssize_t b = 0; b + (ssize_t)blk <= n; b += blk) {
			size_t i = 0;

			while (i < blk && !buf[b + i])
				i++;
			if (i == blk && fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						  off + b, blk)) {
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

/* --verify: read both and compare. */
int data_verify(int a, int b)
{
	size_t sz = 1 << 20;
	char *x = xmalloc(2 * sz), *y = x + sz;
	off_t off = 0;
	int r = 0;

	for (;;) {
		ssize_t n = pread(a, x, sz, off), m;

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
			/* the copy must end where the source does */
			r = pread(b, y, 1, off) != 0;
			break;
		}
		off += n;
	}
	free(x);
	return r;
}
