/* SPDX-License-Identifier: MIT */
/*
 * core/big-sparse FS [FS2]: files over 4 GiB (sparse) copy correctly at high offsets (past
 * 2^32, where a 32-bit offset would wrap), and one call moves a range of more than 2 GiB
 * (past MAX_RW_COUNT and INT_MAX) and returns its full length.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

#define G (1ull << 30)

int main(int argc, char **argv)
{
	const char *din, *dout;
	struct splice_direct_stats st = {0};

	t_mount_args(argc, argv, &din, &dout);
	int in = t_open(t_path(din, "src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	/* Data at 0, just below and above 4 GiB, and a tail at 5 GiB + odd. */
	const uint64_t at[] = {0, 4 * G - 65536, 4 * G + 4096 * 3, 5 * G + 12345};
	for (size_t i = 0; i < 4; i++)
		t_fill_random(in, at[i], 100000);
	const uint64_t size = t_size(in);

	/* High offsets: [4 GiB - 64 KiB, EOF) to 6 GiB + 4 KiB in the destination. */
	loff_t oi = (loff_t)(4 * G - 65536), oo = (loff_t)(6 * G + 4096);
	uint64_t len = size - (uint64_t)oi;
	ssize_t r = splice_direct_ex(in, &oi, out, &oo, len, 0, &st);
	T_CHECK(r == (ssize_t)len, "high offsets: %zd, want %" PRIu64, r, len);
	T_CHECK(t_size(out) == 6 * G + 4096 + len, "size %" PRIu64, t_size(out));
	T_CHECK(t_same_bytes(in, 4 * G - 65536, out, 6 * G + 4096, len), "high: data differs");
	T_CHECK(t_same_data_map_range(in, 4 * G - 65536, out, 6 * G + 4096, len),
		"high: holes differ");
	off_t first = lseek(out, 0, SEEK_DATA);
	T_CHECK(first >= (off_t)(6 * G), "destination has data at %lld, before its range",
		(long long)first);
	T_CHECK(lseek(out, 0, SEEK_SET) == 0, "lseek");

	/* One call, the whole 5 GiB file: more than 2 GiB at once. */
	int out2 = t_open(t_path(dout, "dst2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(&st, 0, sizeof(st));
	r = splice_direct_ex(in, NULL, out2, NULL, size, 0, &st);
	t_stats_print("whole", &st);
	T_CHECK(r == (ssize_t)size, "whole: %zd, want %" PRIu64, r, size);
	T_CHECK(t_same_file(in, out2), "whole: data differs");
	T_CHECK(t_same_data_map(in, out2), "whole: holes differ");
	T_CHECK(t_alloc_bytes(out2) < 16 << 20, "whole: %" PRIu64 " bytes allocated",
		t_alloc_bytes(out2));
	t_done();
}
