/* SPDX-License-Identifier: MIT */
/*
 * core/range-edges FS: a range starting at or past EOF returns 0 and changes nothing; len 0
 * returns 0; len SIZE_MAX from offset 0 copies to EOF (and wraps, EOVERFLOW, from any other
 * offset, as the kernel does); a range running past EOF is shortened to EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *din, *dout;
	const uint64_t size = (1 << 20) + 4321;

	t_mount_args(argc, argv, &din, &dout);
	int in = t_make_file(t_path(din, "src"), size, 1);
	int out = t_open(t_path(din, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t eof = (loff_t)size, past = (loff_t)size + 1000000, zero = 0, mid = 4096;

	t_same_as_kernel("at EOF", in, &eof, out, &zero, 4096, 0, 0);
	t_same_as_kernel("past EOF", in, &past, out, &zero, 4096, 0, 0);
	t_same_as_kernel("past EOF, SIZE_MAX", in, &past, out, &zero, SIZE_MAX / 2, 0, 0);
	t_same_as_kernel("len 0", in, &zero, out, &zero, 0, 0, 0);
	t_same_as_kernel("len 0 past EOF", in, &past, out, &mid, 0, 0, 0);
	t_same_as_kernel("len 0, NULL offsets", in, NULL, out, NULL, 0, 0, 0);
	T_CHECK(t_size(out) == 0, "destination grew to %llu", (unsigned long long)t_size(out));
	T_CHECK(lseek(in, 0, SEEK_CUR) == 0 && lseek(out, 0, SEEK_CUR) == 0, "positions moved");

	/* The whole file in one call with len SIZE_MAX. */
	loff_t oi = 0, oo = 0;
	ssize_t r = splice_direct(in, &oi, out, &oo, SIZE_MAX, 0);
	T_CHECK(r == (ssize_t)size, "SIZE_MAX: %zd (%m)", r);
	T_CHECK(oi == (loff_t)size && oo == (loff_t)size, "offsets %lld %lld", (long long)oi,
		(long long)oo);
	T_CHECK(t_same_file(in, out), "content differs");
	T_CHECK(t_same_data_map(in, out), "holes differ");
	/* Through the file positions. */
	int out2 = t_open(t_path(dout, "dst2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	r = splice_direct(in, NULL, out2, NULL, SIZE_MAX, 0);
	T_CHECK(r == (ssize_t)size, "SIZE_MAX, NULL offsets: %zd (%m)", r);
	T_CHECK(t_same_file(in, out2), "content differs (NULL offsets)");
	/* At EOF now (SIZE_MAX from here would wrap: EOVERFLOW, as in the kernel). */
	r = splice_direct(in, NULL, out2, NULL, 1 << 20, 0);
	T_CHECK(r == 0, "second call at EOF: %zd (%m)", r);
	T_CHECK(lseek(in, 0, SEEK_CUR) == (off_t)size, "position after EOF call moved");
	/* len past EOF is shortened. */
	int out3 = t_open(t_path(dout, "dst3"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	oi = 1000, oo = 0;
	r = splice_direct(in, &oi, out3, &oo, 100 << 20, 0);
	T_CHECK(r == (ssize_t)size - 1000, "len past EOF: %zd", r);
	T_CHECK(t_same_bytes(in, 1000, out3, 0, size - 1000) && t_size(out3) == size - 1000,
		"len past EOF: content");
	/* EOVERFLOW with SIZE_MAX from a non-zero offset: compared with the kernel. */
	loff_t one = 1;
	t_same_as_kernel("SIZE_MAX from offset 1", in, &one, out, &zero, SIZE_MAX, 0, EOVERFLOW);
	t_done();
}
