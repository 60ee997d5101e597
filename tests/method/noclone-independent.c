/* SPDX-License-Identifier: MIT */
/*
 * method/noclone-independent FS: SPLICE_F_NOCLONE within btrfs or xfs makes a physical copy:
 * no extent of either file is shared, and free space drops by about the file's size, although
 * copy_file_range itself would clone there.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir;
	const uint64_t size = 8 << 20;
	struct splice_direct_stats st = {0};

	if (argc < 2)
		t_broken("usage: %s FS", argv[0]);
	dir = t_mount(t_fs_parse(argv[1]), NULL);
	t_require_reflink(dir);
	int in = t_make_file(t_path(dir, "src"), size, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	fsync(in);
	uint64_t before = t_free_bytes(dir);

	ssize_t r = splice_direct_ex(in, NULL, out, NULL, size, SPLICE_F_NOCLONE, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)size, "returned %zd", r);
	T_CHECK(t_same_file(in, out), "content differs");
	T_CHECK(st.bytes[SPLICE_DIRECT_CLONE] == 0, "clone counted %" PRIu64 " bytes",
		st.bytes[SPLICE_DIRECT_CLONE]);
	T_CHECK(t_stats_total(&st) == size, "moved %" PRIu64, t_stats_total(&st));
	T_CHECK(t_extents_shared(out) == T_SHARED_NONE, "destination shares extents (%d)",
		t_extents_shared(out));
	T_CHECK(t_extents_shared(in) == T_SHARED_NONE, "source shares extents");
	uint64_t after = t_free_bytes(dir);
	t_log("free before %" PRIu64 " after %" PRIu64 " (dropped %" PRId64 ")", before, after,
	      (int64_t)(before - after));
	T_CHECK(before > after && before - after >= size * 9 / 10 && before - after <= size * 2,
		"free space dropped by %" PRId64 ", want about %" PRIu64, (int64_t)(before - after),
		size);
	t_done();
}
