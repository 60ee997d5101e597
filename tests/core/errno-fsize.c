/* SPDX-License-Identifier: MIT */
/*
 * core/errno-fsize FS [FS2]: RLIMIT_FSIZE as the kernel applies it (generic_write_check_limits):
 * a copy that crosses the limit returns the bytes up to it and raises no SIGXFSZ; a copy that
 * starts at or past it fails with EFBIG and raises exactly one. On every path: the first copy
 * (the checks and the full plan), the quick plan after it, the file positions, and the flags.
 * On one filesystem the kernel's own copy_file_range answers first, and must agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "t.h"

#define LIMIT 100000 /* not a multiple of any block size */
#define SIZE  (256u << 10)

static volatile sig_atomic_t signals;

static void on_xfsz(int sig)
{
	(void)sig;
	signals++;
}

static void limit(rlim_t cur)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
		t_broken("getrlimit: %s", strerror(errno));
	rl.rlim_cur = cur;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		t_broken("setrlimit: %s", strerror(errno));
}

/* One copy of SIZE bytes from 0 to off_out (NULL: the file position there) under LIMIT. */
static void one(const char *what, int in, int out, loff_t off_out, int by_position,
		unsigned int flags, ssize_t want, int want_errno)
{
	loff_t i = 0, o = off_out;
	ssize_t r;
	int e;

	if (ftruncate(out, 0) < 0 || lseek(out, off_out, SEEK_SET) < 0)
		t_broken("%s: reset: %s", what, strerror(errno));
	limit(LIMIT);
	signals = 0;
	errno = 0;
	r = splice_direct(in, &i, out, by_position ? NULL : &o, SIZE, flags);
	e = r < 0 ? errno : 0;
	limit(RLIM_INFINITY);
	T_CHECK(r == want && e == want_errno, "%s: returned %zd (%s), want %zd (%s)", what, r,
		e ? strerror(e) : "ok", want, want_errno ? strerror(want_errno) : "ok");
	T_CHECK(signals == (want_errno == EFBIG), "%s: %d SIGXFSZ, want %d", what, (int)signals,
		want_errno == EFBIG);
	if (want > 0)
		T_CHECK(t_same_bytes(in, 0, out, (uint64_t)off_out, (uint64_t)want),
			"%s: content differs", what);
}

/* The kernel's own answer, where it copies between these files at all. */
static void kernel(const char *what, int in, int out, loff_t off_out, ssize_t want, int want_errno)
{
	loff_t i = 0, o = off_out;
	ssize_t r;
	int e;

	limit(LIMIT);
	signals = 0;
	r = copy_file_range(in, &i, out, &o, SIZE, 0);
	e = r < 0 ? errno : 0;
	limit(RLIM_INFINITY);
	/* a clone stops at a block (btrfs, xfs: 98304); the library then copies the rest */
	T_CHECK((want > 0 ? r > 0 && r <= want : r == want) && e == want_errno &&
			signals == (want_errno == EFBIG),
		"kernel, %s: returned %zd (%s) with %d SIGXFSZ, the library's test wants %zd (%s)",
		what, r, e ? strerror(e) : "ok", (int)signals, want,
		want_errno ? strerror(want_errno) : "ok");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int flags;
	} flags[] = {{"plain", 0}, {"NOCLONE", SPLICE_F_NOCLONE}, {"NOCACHE", SPLICE_F_NOCACHE}};
	struct sigaction sa = {.sa_handler = on_xfsz};
	const char *din, *dout;

	t_mount_args(argc, argv, &din, &dout);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXFSZ, &sa, NULL);
	int in = t_make_file(t_path(din, "src"), SIZE, 0);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (t_arg_same_fs()) {
		kernel("crossing", in, out, 0, LIMIT, 0);
		kernel("at the limit", in, out, LIMIT, -1, EFBIG);
	}
	/* twice: the first copy teaches the library the filesystems, the second is quick */
	for (int round = 0; round < 2; round++) {
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			unsigned int fl = flags[f].flags;

			t_log("round %d, %s", round, flags[f].name);
			one("crossing", in, out, 0, 0, fl, LIMIT, 0);
			one("crossing, by position", in, out, 0, 1, fl, LIMIT, 0);
			one("from just below the limit", in, out, LIMIT - 1000, 0, fl, 1000, 0);
			one("at the limit", in, out, LIMIT, 0, fl, -1, EFBIG);
			one("past the limit", in, out, LIMIT + 5000, 0, fl, -1, EFBIG);
			one("past the limit, by position", in, out, LIMIT + 5000, 1, fl, -1, EFBIG);
		}
	}
	t_done();
}
