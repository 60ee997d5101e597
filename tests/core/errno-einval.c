/* SPDX-License-Identifier: MIT */
/*
 * core/errno-einval FS: EINVAL as the kernel gives it: splice's own flag bits and unknown
 * bits, pipes, sockets and character devices on either side, overlapping ranges of one file,
 * negative offsets. The library's own flags are accepted; the whole-file flags are not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir, *dout;
	static const unsigned int bad_flags[] = {
		1, 2, 4, 8, SPLICE_F_EXCL, SPLICE_F_ATOMIC, 0x400, 0x10000, 0x80000000u};
	loff_t zero = 0;

	t_mount_args(argc, argv, &dir, &dout);
	int in = t_make_file(t_path(dir, "src"), 256 << 10, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		char what[64];

		/* The kernel refuses every flag: the reference for bits we do not define. */
		snprintf(what, sizeof(what), "flags 0x%x", bad_flags[i]);
		t_same_as_kernel(what, in, &zero, out, &zero, 4096, bad_flags[i], EINVAL);
		snprintf(what, sizeof(what), "flags 0x%x|DIRECT", bad_flags[i]);
		errno = 0;
		ssize_t r =
			splice_direct(in, &zero, out, &zero, 4096, bad_flags[i] | SPLICE_F_DIRECT);
		T_CHECK(r == -1 && errno == EINVAL, "%s: %zd (%m)", what, r);
	}
	/* Our flags are accepted (CLONE is tested where clone works). */
	static const unsigned int good[] = {SPLICE_F_DIRECT, SPLICE_F_NOCLONE, SPLICE_F_NOCACHE,
					    SPLICE_F_DIRECT | SPLICE_F_NOCLONE | SPLICE_F_NOCACHE};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		loff_t a = 0, b = 0;
		ssize_t r = splice_direct(in, &a, out, &b, 4096, good[i]);
		T_CHECK(r == 4096, "flags 0x%x: %zd (%m)", good[i], r);
	}

	int p[2], s[2];
	if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		t_broken("pipe/socketpair");
	if (write(p[1], "x", 1) != 1 || write(s[1], "x", 1) != 1)
		t_broken("write");
	t_same_as_kernel("pipe in", p[0], NULL, out, NULL, 1, 0, EINVAL);
	t_same_as_kernel("pipe out", in, NULL, p[1], NULL, 1, 0, EINVAL);
	t_same_as_kernel("socket in", s[0], NULL, out, NULL, 1, 0, EINVAL);
	t_same_as_kernel("socket out", in, NULL, s[1], NULL, 1, 0, EINVAL);
	t_same_as_kernel("pipe in, offset", p[0], &zero, out, &zero, 1, 0, EINVAL);
	int zdev = t_open("/dev/zero", O_RDONLY, 0), ndev = t_open("/dev/null", O_WRONLY, 0);
	t_same_as_kernel("/dev/zero in", zdev, NULL, out, NULL, 4096, 0, EINVAL);
	t_same_as_kernel("/dev/null out", in, NULL, ndev, NULL, 4096, 0, EINVAL);

	/* One file: overlapping ranges are refused, in both directions and when equal. */
	loff_t a = 0, b = 4096, c = 8192;
	t_same_as_kernel("overlap forward", in, &a, in, &b, 8192, 0, EINVAL);
	t_same_as_kernel("overlap backward", in, &b, in, &a, 8192, 0, EINVAL);
	t_same_as_kernel("same range", in, &b, in, &b, 4096, 0, EINVAL);
	t_same_as_kernel("overlap by one byte", in, &a, in, &b, 4097, 0, EINVAL);
	t_same_as_kernel("overlap, NULL offsets", in, NULL, in, NULL, 4096, 0, EINVAL);
	/* Overlap only counts the part before EOF: a range shortened to EOF does not overlap. */
	int in2 = t_open(t_path(dir, "src2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t e1 = (256 << 10) - 4096, e2 = 256 << 10, z1 = 0, z2 = 0;
	if (copy_file_range(in, &z1, in2, &z2, 256 << 10, 0) != 256 << 10)
		t_broken("copy_file_range of the twin file");
	t_same_as_kernel_on("overlap past EOF only", in, in, in2, in2, &e1, &e2, 1 << 20, 0, 0);
	T_CHECK(t_same_file(in, in2), "the kernel and the library left different files");

	/* Negative offsets: this kernel (6.18) answers EOVERFLOW (pos + len wraps as unsigned)
	 * where the man page says EINVAL; the kernel is the reference. */
	loff_t neg = -1, neg2 = -4096;
	t_same_as_kernel("off_in -1", in, &neg, out, &zero, 4096, 0, EOVERFLOW);
	t_same_as_kernel("off_out -4096", in, &zero, out, &neg2, 4096, 0, EOVERFLOW);
	loff_t min = INT64_MIN;
	t_same_as_kernel("off_in INT64_MIN", in, &min, out, &zero, 4096, 0, EOVERFLOW);
	(void)c;
	t_done();
}
