/* SPDX-License-Identifier: MIT */
/*
 * method/clone-unaligned-edges FS: offsets that are not block aligned but congruent modulo the
 * block size (btrfs/xfs): the aligned middle is cloned (shared), the edges are copied, and
 * the data is identical.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir;
	const uint64_t size = 4 << 20;
	struct splice_direct_stats st = {0};
	struct statfs sf;

	if (argc < 2)
		t_broken("usage: %s FS", argv[0]);
	dir = t_mount(t_fs_parse(argv[1]), NULL);
	t_require_reflink(dir);
	if (statfs(dir, &sf) < 0)
		t_broken("statfs");
	const uint64_t bs = (uint64_t)sf.f_bsize;
	int in = t_make_file(t_path(dir, "src"), size, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	/* The destination already has data before its range, so that its offset is reachable. */
	t_fill_random(out, 0, 3 * bs + 100);
	fsync(out);

	/* in: [bs + 100, size - 1000), out at 3 * bs + 100: congruent modulo bs. */
	loff_t oi = (loff_t)bs + 100, oo = 3 * (loff_t)bs + 100;
	const uint64_t len = size - 1000 - (bs + 100);
	ssize_t r = splice_direct_ex(in, &oi, out, &oo, len, 0, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)len, "returned %zd, want %" PRIu64, r, len);
	T_CHECK(oi == (loff_t)(bs + 100 + len) && oo == (loff_t)(3 * bs + 100 + len),
		"offsets %lld %lld", (long long)oi, (long long)oo);
	T_CHECK(t_same_bytes(in, bs + 100, out, 3 * bs + 100, len), "data differs");
	T_CHECK(t_size(out) == 3 * bs + 100 + len, "size %" PRIu64, t_size(out));
	/* The first whole block of the destination's range and the last. */
	uint64_t mid = 4 * bs, mid_end = (3 * bs + 100 + len) / bs * bs;
	T_CHECK(t_extents_shared_range(out, mid, mid_end - mid) == T_SHARED_ALL,
		"aligned middle [%" PRIu64 ", %" PRIu64 ") not all shared (%d)", mid, mid_end,
		t_extents_shared_range(out, mid, mid_end - mid));
	T_CHECK(st.bytes[SPLICE_DIRECT_CLONE] >= mid_end - mid,
		"cloned %" PRIu64 " < middle %" PRIu64, st.bytes[SPLICE_DIRECT_CLONE],
		mid_end - mid);
	T_CHECK(t_stats_total(&st) == len, "moved %" PRIu64, t_stats_total(&st));
	T_CHECK(st.bytes[SPLICE_DIRECT_CLONE] < len, "the unaligned edges were counted as cloned");
	t_done();
}
