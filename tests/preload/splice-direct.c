// SPDX-License-Identifier: MIT
/*
 * splice-direct.c - the seed's call, splice(SPLICE_F_DIRECT) between two regular files, from a
 * program that knows nothing of the library. Without the shim every kernel answers EINVAL;
 * with it the copy happens with copy_file_range's rules for offsets and file positions.
 *
 * Usage: splice-direct native|shim DIR
 */
#include "pt.h"

#define SIZE (300 * 1024 + 17)

static const char *dir;
static int shim;

/* Both offsets given: used and advanced, file positions left alone; pipe flags ignored. */
static void both_offsets(void)
{
	int in = pt_make(dir, "a-in", SIZE, 1, O_RDONLY);
	int out = pt_make(dir, "a-out", 0, 0, PT_RDWR);
	loff_t off_in = 4096, off_out = 100;
	ssize_t n;

	errno = EDOM;
	n = splice(in, &off_in, out, &off_out, 100000,
		   SPLICE_F_DIRECT | SPLICE_F_MORE | SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (!shim) {
		PT_CHECK(n == -1 && errno == EINVAL, "n=%zd errno=%s, want EINVAL", n,
			 strerror(errno));
		goto out;
	}
	PT_CHECK(n == 100000, "n=%zd (%s)", n, strerror(errno));
	PT_CHECK(errno == EDOM, "errno on success changed to %s", strerror(errno));
	PT_CHECK(off_in == 104096 && off_out == 100100, "offsets %lld %lld", (long long)off_in,
		 (long long)off_out);
	PT_CHECK(lseek(in, 0, SEEK_CUR) == 0 && lseek(out, 0, SEEK_CUR) == 0,
		 "file positions moved");
	PT_CHECK(pt_same(in, 4096, out, 100, 100000), "bytes differ");
out:
	close(in);
	close(out);
}

/* NULL offsets: the file positions are used and advanced; a long len stops at end of input. */
static void file_positions(void)
{
	int in = pt_make(dir, "b-in", SIZE, 2, O_RDONLY);
	int out = pt_make(dir, "b-out", 0, 0, PT_RDWR);
	ssize_t n;

	if (lseek(in, 10, SEEK_SET) != 10 || lseek(out, 3, SEEK_SET) != 3)
		PT_BROKEN("lseek");
	n = splice(in, NULL, out, NULL, SIZE * 2, SPLICE_F_DIRECT);
	if (!shim) {
		PT_CHECK(n == -1 && errno == EINVAL, "n=%zd errno=%s, want EINVAL", n,
			 strerror(errno));
		goto out;
	}
	/* the library completes the range: the kernel's copy_file_range might stop short */
	PT_CHECK(n == SIZE - 10, "n=%zd (%s), want %d", n, strerror(errno), SIZE - 10);
	PT_CHECK(lseek(in, 0, SEEK_CUR) == SIZE && lseek(out, 0, SEEK_CUR) == SIZE - 7,
		 "file positions %lld %lld", (long long)lseek(in, 0, SEEK_CUR),
		 (long long)lseek(out, 0, SEEK_CUR));
	PT_CHECK(pt_same(in, 10, out, 3, SIZE - 10), "bytes differ");
	n = splice(in, NULL, out, NULL, 4096, SPLICE_F_DIRECT);
	PT_CHECK(n == 0, "at end of input n=%zd (%s), want 0", n, strerror(errno));
out:
	close(in);
	close(out);
}

/* No flag at all: two regular files are the other case the shim takes (EINVAL without it). */
static void no_flag(void)
{
	int in = pt_make(dir, "c-in", 65536, 3, O_RDONLY);
	int out = pt_make(dir, "c-out", 0, 0, PT_RDWR);
	loff_t off_in = 0, off_out = 0;
	ssize_t n = splice(in, &off_in, out, &off_out, 65536, 0);

	if (!shim)
		PT_CHECK(n == -1 && errno == EINVAL, "n=%zd errno=%s", n, strerror(errno));
	else
		PT_CHECK(n == 65536 && pt_same(in, 0, out, 0, 65536), "n=%zd (%s)", n,
			 strerror(errno));
	close(in);
	close(out);
}

/*
 * Bad input gets copy_file_range's errno under the shim; without it the unknown flag is
 * refused first (EINVAL).
 */
static void bad_input(void)
{
	int in = pt_make(dir, "d-in", 4096, 4, O_RDONLY);
	int ro = pt_make(dir, "d-ro", 0, 0, O_RDONLY);
	int app = pt_make(dir, "d-app", 0, 0, O_WRONLY | O_APPEND);
	int want = shim ? EBADF : EINVAL;
	ssize_t n;

	n = splice(in, NULL, ro, NULL, 4096, SPLICE_F_DIRECT);
	PT_CHECK(n == -1 && errno == want, "read-only output: n=%zd errno=%s", n, strerror(errno));
	n = splice(in, NULL, app, NULL, 4096, SPLICE_F_DIRECT);
	PT_CHECK(n == -1 && errno == want, "O_APPEND output: n=%zd errno=%s", n, strerror(errno));
	n = splice(in, NULL, in, NULL, 4096, SPLICE_F_DIRECT | 0x100000);
	PT_CHECK(n == -1 && errno == EINVAL, "unknown flag: n=%zd errno=%s", n, strerror(errno));
	close(in);
	close(ro);
	close(app);
}

int main(int argc, char **argv)
{
	shim = pt_mode(argc, argv, 2);
	dir = argv[2];
	both_offsets();
	file_positions();
	no_flag();
	bad_input();
	return pt_done();
}
