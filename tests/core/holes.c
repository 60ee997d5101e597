/* SPDX-License-Identifier: MIT */
/*
 * core/holes FS [FS2]: a sparse source keeps its holes (SEEK_HOLE map, st_blocks); where the
 * destination had data and the source has a hole, the destination reads zeros afterwards;
 * and a range that ends in a hole gives the destination the right size.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "t.h"

#define K (1u << 10)

int main(int argc, char **argv)
{
	const char *din, *dout;

	t_mount_args(argc, argv, &din, &dout);
	/* src: data [0, 64K), hole [64K, 192K), data [192K, 256K), hole to 1 MiB (EOF). */
	int in = t_open(t_path(din, "src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_fill_random(in, 0, 64 * K);
	t_fill_random(in, 192 * K, 64 * K);
	if (ftruncate(in, 1024 * K) < 0)
		t_broken("ftruncate");

	/* 1. Into a new file: the same map, about the same allocation. */
	int a = t_open(t_path(dout, "new"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	ssize_t r = splice_direct(in, NULL, a, NULL, SIZE_MAX, 0);
	T_CHECK(r == 1024 * K, "new: %zd", r);
	T_CHECK(t_size(a) == 1024 * K, "new: size %" PRIu64 " (a range ending in a hole)",
		t_size(a));
	T_CHECK(t_same_file(in, a), "new: data");
	T_CHECK(t_same_data_map(in, a), "new: holes");
	T_CHECK(t_alloc_bytes(a) <= t_alloc_bytes(in) + 64 * K,
		"new: %" PRIu64 " allocated, src %" PRIu64, t_alloc_bytes(a), t_alloc_bytes(in));

	/* 2. Over a dense file of random data: the source's holes must read as zeros. */
	int b = t_open(t_path(dout, "dense"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_fill_random(b, 0, 2048 * K);
	loff_t oi = 0, oo = 0;
	r = splice_direct(in, &oi, b, &oo, 1024 * K, 0);
	T_CHECK(r == 1024 * K, "dense: %zd", r);
	T_CHECK(t_same_bytes(in, 0, b, 0, 1024 * K), "dense: old data where the source has holes");
	T_CHECK(t_size(b) == 2048 * K, "dense: size %" PRIu64, t_size(b));

	/* 3. A range that ends inside a hole, into a short destination at an offset. */
	int c = t_open(t_path(dout, "short"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_fill_random(c, 0, 10 * K);
	oi = 32 * K, oo = 100 * K;
	r = splice_direct(in, &oi, c, &oo, 500 * K, 0);
	T_CHECK(r == 500 * K, "ends in hole: %zd", r);
	T_CHECK(t_size(c) == 600 * K, "ends in hole: size %" PRIu64 ", want %u", t_size(c),
		600 * K);
	T_CHECK(t_same_bytes(in, 32 * K, c, 100 * K, 500 * K), "ends in hole: data");
	T_CHECK(t_zeros(c, 10 * K, 90 * K), "ends in hole: gap not zero");

	/* 4. All hole: a file with no data at all copies as a hole of the same size. */
	int e = t_open(t_path(din, "empty"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (ftruncate(e, 300 * K) < 0)
		t_broken("ftruncate");
	int d = t_open(t_path(dout, "fromempty"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	r = splice_direct(e, NULL, d, NULL, 1 << 20, 0);
	T_CHECK(r == 300 * K, "all hole: %zd", r);
	T_CHECK(t_size(d) == 300 * K && t_alloc_bytes(d) == 0,
		"all hole: size %" PRIu64 " allocated %" PRIu64, t_size(d), t_alloc_bytes(d));
	t_done();
}
