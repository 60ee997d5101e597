/* SPDX-License-Identifier: MIT */
/*
 * method/clone-refused FS [FS2]: SPLICE_F_CLONE shares or fails, as FICLONERANGE does:
 * EOPNOTSUPP within ext4/tmpfs, EXDEV across mounts, EINVAL for unaligned offsets (btrfs/xfs).
 * Nothing is written and the offsets stay where they were: also not the holes of a sparse
 * source over a destination that has data there (the library once punched them before the
 * clone refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static void refused(int in, int out, loff_t oi, loff_t oo, size_t len, int want, const char *what)
{
	loff_t i = oi, o = oo;

	errno = 0;
	ssize_t r = splice_direct(in, &i, out, &o, len, SPLICE_F_CLONE);
	T_CHECK(r == -1 && errno == want, "%s: got %zd (%s), want -1 (%s)", what, r,
		strerror(errno), strerror(want));
	T_CHECK(i == oi && o == oo, "%s: offsets moved to %lld %lld", what, (long long)i,
		(long long)o);
}

int main(int argc, char **argv)
{
	const char *din, *dout;

	t_mount_args(argc, argv, &din, &dout);
	int in = t_make_file(t_path(din, "src"), 1 << 20, 0);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	enum t_fs fs = t_arg_fs_in();

	if (!t_arg_same_fs()) {
		refused(in, out, 0, 0, 1 << 20, EXDEV, "across filesystems");
	} else if (fs == T_EXT4 || fs == T_TMPFS) {
		refused(in, out, 0, 0, 1 << 20, EOPNOTSUPP, "no reflink");

		/* data at [0, 64K) and [192K, 256K), a hole between: the range starts in it */
		int sparse = t_open(t_path(din, "sparse"), O_RDWR | O_CREAT | O_TRUNC, 0644);
		int old = t_make_file(t_path(dout, "old"), 1 << 20, 0);
		char *before = malloc(1 << 20), *after = malloc(1 << 20);

		t_fill_random(sparse, 0, 64 << 10);
		t_fill_random(sparse, 192 << 10, 64 << 10);
		T_CHECK(ftruncate(sparse, 1 << 20) == 0, "ftruncate");
		T_CHECK(pread(old, before, 1 << 20, 0) == 1 << 20, "read old");
		refused(sparse, old, (64 << 10) + 100, (64 << 10) + 100, 256 << 10, EOPNOTSUPP,
			"sparse source from a hole, old destination");
		T_CHECK(pread(old, after, 1 << 20, 0) == 1 << 20 && !memcmp(before, after, 1 << 20),
			"the refused clone changed the destination");
		free(before);
		free(after);
	} else {
		t_require_reflink(din);
		refused(in, out, 100, 0, 64 << 10, EINVAL, "unaligned input offset");
		refused(in, out, 0, 100, 64 << 10, EINVAL, "unaligned output offset");
		refused(in, out, 100, 100, 4096, EINVAL, "congruent but less than a block");
	}
	T_CHECK(t_size(out) == 0, "destination has %llu bytes", (unsigned long long)t_size(out));
	t_done();
}
