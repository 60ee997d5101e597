/* SPDX-License-Identifier: MIT */
/*
 * core/swap-source FS FS2: an active swap file is refused with ETXTBSY as a source, as the
 * kernel refuses it (generic_copy_file_checks: IS_SWAPFILE), on every path: the first copy,
 * the quick plan after a copy has taught the library the filesystems, the file positions, each
 * flag, and splice_direct_file(). Nothing is written to the destination. As a destination too,
 * before the range's own errors (a wrapping range: ETXTBSY, not EOVERFLOW). Where both files are
 * on one filesystem, the kernel's own copy_file_range answers first and must agree. Needs root
 * and mkswap; the swap file is active only while signals are blocked, and swapoff'd before the
 * filesystems are unmounted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include "t.h"

#define SIZE (1u << 20)

static const char *swap_path;
static int swap_on;

static void off(void)
{
	if (swap_on && swapoff(swap_path) == 0)
		swap_on = 0;
}

/* A swap file btrfs, xfs and ext4 all take: no holes, no copy-on-write, mkswap'd. */
static int make_swap(const char *path)
{
	static char zeros[SIZE];
	char cmd[512];
	int fd = t_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), attr = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &attr) == 0) {
		attr |= FS_NOCOW_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &attr); /* btrfs only; others refuse or ignore */
	}
	if (pwrite(fd, zeros, SIZE, 0) != SIZE || fsync(fd) < 0)
		t_broken("write %s: %s", path, strerror(errno));
	snprintf(cmd, sizeof(cmd), "mkswap -q '%s' >/dev/null 2>&1", path);
	if (system(cmd) != 0)
		t_skip(NULL, "mkswap failed (util-linux's mkswap needed)");
	return fd;
}

static void refused(const char *what, int in, int out, int by_position, unsigned int flags)
{
	struct stat st;
	loff_t i = 0, o = 0;
	ssize_t r;
	int e;

	if (by_position && (lseek(in, 0, SEEK_SET) < 0 || lseek(out, 0, SEEK_SET) < 0))
		t_broken("lseek: %s", strerror(errno));
	errno = 0;
	r = by_position ? splice_direct(in, NULL, out, NULL, SIZE, flags)
			: splice_direct(in, &i, out, &o, SIZE, flags);
	e = r < 0 ? errno : 0;
	T_CHECK(r == -1 && e == ETXTBSY, "%s: returned %zd (%s), want ETXTBSY", what, r,
		e ? strerror(e) : "ok");
	if (fstat(out, &st) < 0)
		t_broken("fstat: %s", strerror(errno));
	T_CHECK(st.st_size == 0, "%s: the destination has %lld bytes", what, (long long)st.st_size);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int flags;
	} flags[] = {{"plain", 0},
		     {"NOCLONE", SPLICE_F_NOCLONE},
		     {"NOCACHE", SPLICE_F_NOCACHE},
		     {"DIRECT", SPLICE_F_DIRECT}};
	const char *din, *dout;
	sigset_t all, old;

	t_require_root();
	if (system("command -v mkswap >/dev/null") != 0)
		t_skip(NULL, "mkswap not installed");
	t_mount_args(argc, argv, &din, &dout);
	if (t_arg_fs_in() == T_TMPFS)
		t_skip(NULL, "tmpfs holds no swap file");
	swap_path = t_path(din, "swap");
	int in = make_swap(swap_path);
	int plain = t_make_file(t_path(din, "plain"), 64 << 10, 0);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int other = t_make_file(t_path(dout, "other"), 64 << 10, 0);
	loff_t i = 0, o = 0;

	/* a first copy between these filesystems: what follows may take the quick plan */
	if (splice_direct(plain, &i, out, &o, 64 << 10, 0) != 64 << 10 || ftruncate(out, 0) < 0)
		t_broken("first copy: %s", strerror(errno));

	atexit(off); /* before t_mount's own cleanup, which runs later */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (swapon(swap_path, 0) < 0) {
		int e = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		t_skip(NULL, "swapon on %s: %s", t_fs_name(t_arg_fs_in()), strerror(e));
	}
	swap_on = 1;

	i = 0, o = 0;
	if (t_arg_same_fs())
		t_same_as_kernel("kernel", in, &i, out, &o, SIZE, 0, ETXTBSY);
	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		char what[64];

		for (int round = 0; round < 2; round++) {
			snprintf(what, sizeof(what), "%s, call %d", flags[f].name, round + 1);
			refused(what, in, out, 0, flags[f].flags);
		}
		snprintf(what, sizeof(what), "%s, by position", flags[f].name);
		refused(what, in, out, 1, flags[f].flags);
	}
	{
		struct stat st;
		char *dst = t_path(dout, "file-dst");
		int r = splice_direct_file(swap_path, dst, 0, NULL), e = r < 0 ? errno : 0;

		T_CHECK(r == -1 && e == ETXTBSY,
			"splice_direct_file: returned %d (%s), want ETXTBSY", r,
			e ? strerror(e) : "ok");
		T_CHECK(stat(dst, &st) < 0 && errno == ENOENT, "splice_direct_file left %s", dst);
	}
	{
		/* as the destination, from the other filesystem: the kernel checks it before the
		 * range, so a range that wraps still gives ETXTBSY (the write would say so too,
		 * but only the check gives it first) */
		loff_t wi = 0, wo = 4096;
		ssize_t r;
		int e;

		if (t_arg_same_fs())
			t_same_as_kernel("destination, wrapping range", other, &wi, in, &wo,
					 SIZE_MAX, 0, ETXTBSY);
		errno = 0;
		r = splice_direct(other, &wi, in, &wo, SIZE_MAX, 0);
		e = r < 0 ? errno : 0;
		T_CHECK(r == -1 && e == ETXTBSY,
			"destination, wrapping range: returned %zd (%s), want ETXTBSY", r,
			e ? strerror(e) : "ok");
	}
	off();
	sigprocmask(SIG_SETMASK, &old, NULL);
	T_CHECK(!swap_on, "swapoff %s: %s", swap_path, strerror(errno));
	t_done();
}
