/* SPDX-License-Identifier: MIT */
/*
 * core/quick FS [FS2]: the quick plan (quick.c), which calls the first method before our own
 * checks once a first copy has taught the library the filesystems. After that first copy:
 * the refusals still give the kernel's errno (the checks run when the kernel refuses), a
 * source with holes keeps them, a copy at offsets and a short len stop where they should,
 * an empty source copies nothing, and the stats name the method the plan would have used.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static void copy_checked(const char *what, int in, int out, uint64_t off_in, uint64_t off_out,
			 size_t len, uint64_t want)
{
	struct splice_direct_stats st = {0};
	loff_t i = (loff_t)off_in, o = (loff_t)off_out;
	unsigned int method = t_expected_method();
	ssize_t r = splice_direct_ex(in, &i, out, &o, len, 0, &st);

	t_stats_print(what, &st);
	T_CHECK(r == (ssize_t)want, "%s: returned %zd (%s), want %" PRIu64, what, r,
		r < 0 ? strerror(errno) : "-", want);
	T_CHECK(i == (loff_t)(off_in + want) && o == (loff_t)(off_out + want),
		"%s: offsets %lld %lld", what, (long long)i, (long long)o);
	T_CHECK(t_same_bytes(in, off_in, out, off_out, want), "%s: content differs", what);
	if (want && !t_kernel_native())
		T_CHECK(st.bytes[method] == want && t_stats_total(&st) == want,
			"%s: %s moved %" PRIu64 " of %" PRIu64, what,
			splice_direct_method_name(method), st.bytes[method], want);
}

int main(int argc, char **argv)
{
	const char *din, *dout;
	const uint64_t size = 100 * 1024 + 123;

	t_mount_args(argc, argv, &din, &dout);
	char *src = t_path(din, "src"), *dst = t_path(dout, "dst");
	int in = t_make_file(src, size, 0);
	int out = t_open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);

	/* the first copy probes and caches; the rest may take the quick path */
	copy_checked("first", in, out, 0, 0, SIZE_MAX - 1, size);
	int out2 = t_open(t_path(dout, "dst2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	copy_checked("second, whole", in, out2, 0, 0, (size_t)INT64_MAX, size);
	copy_checked("aligned offsets, short len", in, out2, 8192, 65536, 12288, 12288);
	copy_checked("past the end", in, out2, size, 0, 4096, 0);

	int empty = t_make_file(t_path(din, "empty"), 0, 0);
	copy_checked("empty source", empty, out2, 0, 0, 4096, 0);

	/* holes: the quick path must leave such a file to extents.c */
	int sparse = t_make_file(t_path(din, "sparse"), 1 << 20, 1);
	int out3 = t_open(t_path(dout, "dst3"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t z1 = 0, z2 = 0;
	ssize_t r = splice_direct(sparse, &z1, out3, &z2, SIZE_MAX - 1, 0);
	T_CHECK(r == 1 << 20, "sparse: returned %zd", r);
	T_CHECK(t_same_file(sparse, out3), "sparse: content differs");
	T_CHECK(t_same_data_map(sparse, out3), "sparse: holes differ");

	/* the refusals, now that the quick path is warm: the kernel's errno, in its order */
	loff_t zero = 0, big = INT64_MAX - 10, neg = -4096;
	int dir = t_open(dout, O_RDONLY | O_DIRECTORY, 0);

	t_same_as_kernel("fd_out O_RDONLY", in, &zero, t_open(dst, O_RDONLY, 0), &zero, 4096, 0,
			 EBADF);
	t_same_as_kernel("fd_out O_APPEND", in, &zero, t_open(dst, O_WRONLY | O_APPEND, 0), &zero,
			 4096, 0, EBADF);
	t_same_as_kernel("empty, fd_out O_APPEND", empty, &zero,
			 t_open(dst, O_WRONLY | O_APPEND, 0), &zero, 4096, 0, EBADF);
	t_same_as_kernel("fd_in O_WRONLY", t_open(src, O_WRONLY, 0), &zero, out, &zero, 4096, 0,
			 EBADF);
	t_same_as_kernel("fd_out a directory", in, &zero, dir, &zero, 4096, 0, EISDIR);
	t_same_as_kernel("flags", in, &zero, out, &zero, 4096, 0x1, EINVAL);
	/* across filesystems the kernel says EXDEV first, which the library never says */
	if (t_arg_same_fs()) {
		loff_t a = 0, b = 4096;

		t_same_as_kernel("len wraps off_out", in, &zero, out, &big, SIZE_MAX - 4, 0,
				 EOVERFLOW);
		t_same_as_kernel("negative off_in", in, &neg, out, &zero, 4096, 0, EINVAL);
		t_same_as_kernel("overlap in one file", in, &a, in, &b, 8192, 0, EINVAL);
	}
	t_done();
}
