/* SPDX-License-Identifier: MIT */
/*
 * method/clone-shared FS default|clone: within btrfs or xfs, the default copy and
 * SPLICE_F_CLONE share every extent (FIEMAP_EXTENT_SHARED) and free space does not drop.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir;
	const uint64_t size = 8 << 20;
	struct splice_direct_stats st = {0};
	unsigned int flags = argc > 2 && !strcmp(argv[2], "clone") ? SPLICE_F_CLONE : 0;

	if (argc < 2)
		t_broken("usage: %s FS default|clone", argv[0]);
	dir = t_mount(t_fs_parse(argv[1]), NULL);
	t_require_reflink(dir);
	int in = t_make_file(t_path(dir, "src"), size, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	fsync(in);
	uint64_t before = t_free_bytes(dir);

	loff_t oi = 0, oo = 0;
	ssize_t r = splice_direct_ex(in, &oi, out, &oo, size, flags, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)size, "returned %zd", r);
	T_CHECK(t_same_file(in, out), "content differs");
	/* a kernel with SPLICE_F_DIRECT clones through the native call (FIEMAP below proves it) */
	unsigned int want =
		!flags && t_kernel_native() ? SPLICE_DIRECT_NATIVE : SPLICE_DIRECT_CLONE;

	T_CHECK(st.bytes[want] == size, "%s moved %" PRIu64 " bytes",
		splice_direct_method_name(want), st.bytes[want]);
	T_CHECK(t_extents_shared(out) == T_SHARED_ALL, "destination extents not all shared (%d)",
		t_extents_shared(out));
	T_CHECK(t_extents_shared(in) == T_SHARED_ALL, "source extents not all shared");
	uint64_t after = t_free_bytes(dir);
	t_log("free before %" PRIu64 " after %" PRIu64, before, after);
	T_CHECK(after + size / 4 > before, "free space dropped by %" PRIu64 " for a clone",
		before - after);
	t_done();
}
