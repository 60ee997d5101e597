// SPDX-License-Identifier: MIT
/*
 * extents.c - walk the source's data and holes (SEEK_DATA / SEEK_HOLE): data goes to the
 * methods, holes stay holes.
 *
 * A hole of the source becomes a hole of the destination: where the destination has no
 * bytes yet, nothing is written (the file is extended at the end); where it has, they are
 * punched out (FALLOC_FL_PUNCH_HOLE) or, where punching is not supported, overwritten with
 * zeros. The destination then reads exactly as after copy_file_range, which writes zeros.
 * The walk costs two lseek calls per extent, so it only runs on a source whose allocated
 * blocks are fewer than its size: a fully allocated file is one data range. SEEK_DATA moves
 * the file position, which copy_file_range never does with an offset given: it is put back.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static ssize_t write_zeros(struct sd_copy *c, uint64_t off, uint64_t len)
{
	static const char zeros[65536];
	uint64_t done = 0;
	ssize_t w;

	while (done < len) {
		w = pwrite(c->out.fd, zeros, sd_min(len - done, sizeof(zeros)),
			   (off_t)(off + done));
		if (w < 0)
			return -errno;
		done += (uint64_t)w;
	}
	return 0;
}

/* Make [off, off + len) of the destination read as zeros without writing data if it can. */
static int make_hole(struct sd_copy *c, uint64_t off, uint64_t len)
{
	if (off >= c->out.size)
		return 0; /* past the end: extended by ftruncate once the copy is done */
	len = sd_min(len, c->out.size - off);
	if (fallocate(c->out.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return -errno;
	return (int)write_zeros(c, off, len);
}

/*
 * Where the data at or after pos ends: *data is the next data offset (end if none), the
 * return value the end of that data range. -errno on error; a filesystem without
 * SEEK_DATA reports the whole file as data, as lseek(2) documents.
 */
static int64_t next_data(struct sd_copy *c, uint64_t pos, uint64_t end, uint64_t *data)
{
	off_t d, h;

	d = lseek(c->in.fd, (off_t)pos, SEEK_DATA);
	if (d < 0) {
		if (errno != ENXIO)
			return -errno;
		*data = end; /* only a hole left before the end of the file */
		return (int64_t)end;
	}
	if ((uint64_t)d >= end) {
		*data = end; /* a hole up to the end: the data found lies past the range */
		return (int64_t)end;
	}
	*data = (uint64_t)d;
	/*
	 * The end of a file that reaches 2^63 (a copy within one file, to the largest
	 * offset) is returned as a negative off_t: only -1 is an error.
	 */
	h = lseek(c->in.fd, d, SEEK_HOLE);
	if (h == -1)
		return -errno;
	return (int64_t)sd_min((uint64_t)h, end);
}

/*
 * A copy that ended in a hole has written nothing there: give the output its size. Only ever
 * grow it, against its size now: another call may be writing a later range of the same file
 * (sdcp's chunks of one large file), and a size read when this call started would cut that.
 * Returns r, or -errno if r was no error.
 */
static ssize_t extend(struct sd_copy *c, uint64_t size, ssize_t r)
{
	struct stat st;

	if (fstat(c->out.fd, &st) < 0 ||
	    ((uint64_t)st.st_size < size && ftruncate(c->out.fd, (off_t)size) < 0))
		return r >= 0 ? -errno : r;
	c->out.size = size;
	return r;
}

ssize_t sd_copy_range(struct sd_copy *c, uint64_t off_in, uint64_t off_out, uint64_t len)
{
	uint64_t end = off_in + len, pos = off_in, data, data_end, ask;
	/* SPLICE_F_CLONE shares holes as they are, and must not touch the output if it fails */
	int sparse = !c->stream && !(c->flags & SPLICE_F_CLONE) && c->in.blocks * 512 < c->in.size;
	off_t saved = sparse ? lseek(c->in.fd, 0, SEEK_CUR) : -1;
	ssize_t r = 0;

	if (sparse && saved < 0)
		return -errno;

	while (pos < end) {
		data = pos, data_end = end;
		if (sparse) {
			int64_t e = next_data(c, pos, end, &data);

			if (e < 0) {
				r = e;
				break;
			}
			data_end = (uint64_t)e;
		}
		if (data > pos) {
			r = make_hole(c, off_out + (pos - off_in), data - pos);
			if (r < 0)
				break;
			if (c->stats)
				c->stats->holes += data - pos;
			c->done += data - pos;
			pos = data;
			continue;
		}
		ask = sd_min(data_end - pos, SIZE_MAX);
		r = sd_run(c, pos, off_out + (pos - off_in), ask);
		if (r <= 0) {
			c->eof = r == 0;
			break;
		}
		pos += (uint64_t)r;
		c->done += (uint64_t)r;
		/* a write the kernel shortened at RLIMIT_FSIZE: the next one would raise SIGXFSZ */
		if ((uint64_t)r < ask && off_out + (pos - off_in) >= sd_fsize_limit(c))
			break;
	}

	if (sparse)
		(void)lseek(c->in.fd, saved, SEEK_SET);

	if (pos > off_in && off_out + (pos - off_in) > c->out.size)
		r = extend(c, off_out + (pos - off_in), r);
	if (pos > off_in)
		return (ssize_t)(pos - off_in);
	return r;
}
