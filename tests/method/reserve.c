/* SPDX-License-Identifier: MIT */
/*
 * method/reserve FS: a long copy from tmpfs into FS (ext4 or xfs) through the pipe gets its
 * blocks before it writes them: right after the copy, no range of the output waits for delayed
 * allocation (FIEMAP_EXTENT_DELALLOC), which it would without them. When the copy then fails
 * (seccomp makes splice fail with EIO), the output keeps the size and the bytes it had: the
 * blocks reserved past its end are given back.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "t.h"

static void count_delalloc(const struct fiemap_extent *e, void *arg)
{
	if (e->fe_flags & FIEMAP_EXTENT_DELALLOC)
		*(uint64_t *)arg += e->fe_length;
}

int main(int argc, char **argv)
{
	const uint64_t size = (24 << 20) + 4321, old = 4 << 20, at = 2 << 20;
	struct splice_direct_stats st = {0};
	enum t_fs fs;
	const char *din, *dout;

	if (argc != 2)
		t_broken("usage: reserve ext4|xfs");
	fs = t_fs_parse(argv[1]);
	din = t_mount(T_TMPFS, "64M");
	dout = t_mount(fs, "300M");
	int in = t_make_file(t_path(din, "src"), size, 0);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_EXCL, 0644);

	ssize_t r = splice_direct_ex(in, NULL, out, NULL, size, 0, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)size, "returned %zd, want %" PRIu64, r, size);
	T_CHECK(st.bytes[SPLICE_DIRECT_PIPE] == size, "pipe moved %" PRIu64,
		st.bytes[SPLICE_DIRECT_PIPE]);
	uint64_t late = 0;

	/* no FIEMAP_FLAG_SYNC: that would write back, and allocate, first */
	t_fiemap_each(out, 0, size, 0, count_delalloc, &late);
	T_CHECK(late == 0, "%" PRIu64 " bytes wait for delayed allocation", late);
	T_CHECK(t_size(out) == size, "size %" PRIu64, t_size(out));
	T_CHECK(t_same_file(in, out), "content differs");

	/* a file with 4 MiB of its own, written from 2 MiB on by a copy that fails */
	int prev = t_make_file(t_path(dout, "old"), old, 0);
	char *before = malloc(old), *after = malloc(old);
	loff_t oi = 0, oo = (loff_t)at;

	if (!before || !after || pread(prev, before, old, 0) != (ssize_t)old)
		t_broken("cannot read back 'old'");
	t_fault(__NR_splice, EIO);
	r = splice_direct_ex(in, &oi, prev, &oo, size, 0, NULL);
	T_CHECK(r < 0 && errno == EIO, "returned %zd (%s), want EIO", r, strerror(errno));
	T_CHECK(t_fault_hits(__NR_splice, 0) > 0, "splice was not tried");
	T_CHECK(t_size(prev) == old, "size %" PRIu64 " after the failed copy, want %" PRIu64,
		t_size(prev), old);
	T_CHECK(pread(prev, after, old, 0) == (ssize_t)old && !memcmp(before, after, old),
		"the bytes it had changed");
	free(before);
	free(after);
	t_done();
}
