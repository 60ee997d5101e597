// SPDX-License-Identifier: MIT
/*
 * sd_errno DIR - every error case of splice(SPLICE_F_DIRECT), and that each one is the errno
 * copy_file_range(2) gives for the same files (except EXDEV, which the flag never gives).
 */
#include "sdtest.h"

#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* Expect splice(in, off_in, out, off_out, len, flags) to fail with want. */
static void expect(const char *name, int in, loff_t *oi, int out, loff_t *oo, size_t len,
		   unsigned int flags, int want)
{
	loff_t si = oi ? *oi : 0, so = oo ? *oo : 0;
	ssize_t r = sd_splice(in, oi, out, oo, len, flags);
	int err = errno;

	if (r != -1 || err != want) {
		fail(name, "%s, want errno %s", sd_ret(r, err), strerrorname_np(want));
		return;
	}
	if ((oi && *oi != si) || (oo && *oo != so)) {
		fail(name, "a failed call moved an offset");
		return;
	}
	pass(name);
}

/* The same case through copy_file_range(2), for the errno comparison. */
static void expect_cfr(const char *name, int in, loff_t *oi, int out, loff_t *oo, size_t len,
		       int want)
{
	ssize_t r = sd_cfr(in, oi, out, oo, len);
	int err = errno;

	if (r != -1 || err != want)
		fail(name, "copy_file_range %s, splice gave %s", sd_ret(r, err),
		     strerrorname_np(want));
	else
		pass(name);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	loff_t o1 = 0, o2 = 0;
	int src, dst, ro, wo, app, dfd, p[2], sv[2], nul;

	sd_prog = "errno";
	src = sd_make(sd_path(dir, "errno-src"), 1, 100000);
	dst = sd_make(sd_path(dir, "errno-dst"), 2, 0);
	ro = open(sd_path(dir, "errno-src"), O_RDONLY);
	wo = open(sd_path(dir, "errno-dst"), O_WRONLY);
	app = open(sd_path(dir, "errno-dst"), O_WRONLY | O_APPEND);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	nul = open("/dev/null", O_RDWR);
	if (ro < 0 || wo < 0 || app < 0 || dfd < 0 || nul < 0 || pipe(p) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		broken("setting up descriptors");

	/* The flag itself: unknown bits and the old behaviour without it. */
	expect("no-flag-two-files-EINVAL", src, &o1, dst, &o2, 10, 0, EINVAL);
	expect("no-flag-null-offsets-EINVAL", src, NULL, dst, NULL, 10, 0, EINVAL);
	expect("unknown-flag-0x20-EINVAL", src, &o1, dst, &o2, 10, SPLICE_F_DIRECT | 0x20, EINVAL);

	/* Descriptors. */
	expect("bad-fd-in-EBADF", 12345, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EBADF);
	expect("bad-fd-out-EBADF", src, &o1, -1, &o2, 10, SPLICE_F_DIRECT, EBADF);
	expect("in-write-only-EBADF", wo, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EBADF);
	expect("out-read-only-EBADF", src, &o1, ro, &o2, 10, SPLICE_F_DIRECT, EBADF);
	expect("out-append-EBADF", src, &o1, app, &o2, 10, SPLICE_F_DIRECT, EBADF);
	expect_cfr("out-append-same-as-cfr", src, &o1, app, &o2, 10, EBADF);
	expect("in-directory-EISDIR", dfd, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EISDIR);
	expect_cfr("in-directory-same-as-cfr", dfd, &o1, dst, &o2, 10, EISDIR);
	expect("in-pipe-EINVAL", p[0], NULL, dst, &o2, 10, SPLICE_F_DIRECT, EINVAL);
	expect("out-pipe-EINVAL", src, &o1, p[1], NULL, 10, SPLICE_F_DIRECT, EINVAL);
	expect("in-socket-EINVAL", sv[0], NULL, dst, &o2, 10, SPLICE_F_DIRECT, EINVAL);
	expect("out-socket-EINVAL", src, &o1, sv[1], NULL, 10, SPLICE_F_DIRECT, EINVAL);
	expect("in-chardev-EINVAL", nul, NULL, dst, &o2, 10, SPLICE_F_DIRECT, EINVAL);
	expect_cfr("in-chardev-same-as-cfr", nul, NULL, dst, &o2, 10, EINVAL);

	/* Offsets and lengths. */
	/* A negative offset wraps in the unsigned overflow check: EOVERFLOW, as copy_file_range. */
	o1 = -1;
	expect("negative-offset-EOVERFLOW", src, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EOVERFLOW);
	expect_cfr("negative-offset-same-as-cfr", src, &o1, dst, &o2, 10, EOVERFLOW);
	o1 = 0;
	{
		ssize_t r = sd_splice(src, (loff_t *)8, dst, &o2, 10, SPLICE_F_DIRECT);

		if (r != -1 || errno != EFAULT)
			fail("bad-offset-pointer-EFAULT", "%s", sd_ret(r, errno));
		else
			pass("bad-offset-pointer-EFAULT");
	}
	o1 = 1;
	expect("offset-wraps-EOVERFLOW", src, &o1, dst, &o2, SIZE_MAX, SPLICE_F_DIRECT, EOVERFLOW);
	expect_cfr("offset-wraps-same-as-cfr", src, &o1, dst, &o2, SIZE_MAX, EOVERFLOW);

	/* Overlapping ranges of one file; disjoint ones are fine. */
	o1 = 0;
	o2 = 50000;
	expect("overlap-same-file-EINVAL", src, &o1, src, &o2, 60000, SPLICE_F_DIRECT, EINVAL);
	o2 = 0;
	expect("same-offset-same-file-EINVAL", src, NULL, src, NULL, 10, SPLICE_F_DIRECT, EINVAL);
	o1 = 0;
	o2 = 60000;
	{
		ssize_t r = sd_splice(src, &o1, src, &o2, 40000, SPLICE_F_DIRECT);

		if (r != 40000 || sd_diff(src, 60000, 1, 0, 40000) != -1)
			fail("disjoint-same-file-copies", "%s", sd_ret(r, errno));
		else
			pass("disjoint-same-file-copies");
	}

	/* File size limits: RLIMIT_FSIZE gives EFBIG (and SIGXFSZ, ignored here). */
	{
		struct rlimit rl = {4096, 4096};
		struct rlimit old;

		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &old);
		o1 = 0;
		o2 = 8192;
		if (setrlimit(RLIMIT_FSIZE, &rl))
			broken("setrlimit");
		expect("past-rlimit-fsize-EFBIG", src, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EFBIG);
		expect_cfr("past-rlimit-fsize-same-as-cfr", src, &o1, dst, &o2, 10, EFBIG);
		setrlimit(RLIMIT_FSIZE, &old);
		o2 = LLONG_MAX; /* at or past s_maxbytes of every file system */
		expect("past-max-file-size-EFBIG", src, &o1, dst, &o2, 10, SPLICE_F_DIRECT, EFBIG);
		expect_cfr("past-max-file-size-same-as-cfr", src, &o1, dst, &o2, 10, EFBIG);
		if (ftruncate(dst, 0))
			broken("ftruncate");
	}

	/* An immutable destination (a descriptor opened before the flag was set): EPERM. */
	{
		int imm = sd_make(sd_path(dir, "errno-imm"), 3, 0), attr = 0, on;

		if (ioctl(imm, FS_IOC_GETFLAGS, &attr) ||
		    (on = attr | FS_IMMUTABLE_FL, ioctl(imm, FS_IOC_SETFLAGS, &on))) {
			skip("immutable-out-EPERM", "no FS_IMMUTABLE_FL here: %s", strerror(errno));
		} else {
			o1 = 0;
			o2 = 0;
			expect("immutable-out-EPERM", src, &o1, imm, &o2, 10, SPLICE_F_DIRECT,
			       EPERM);
			expect_cfr("immutable-out-same-as-cfr", src, &o1, imm, &o2, 10, EPERM);
			if (ioctl(imm, FS_IOC_SETFLAGS, &attr))
				broken("clearing FS_IMMUTABLE_FL");
		}
		close(imm);
		unlink(sd_path(dir, "errno-imm"));
	}

	/* Not errors: a zero length, and reading at or past the end of the input. */
	o1 = 0;
	o2 = 0;
	if (sd_splice(src, &o1, dst, &o2, 0, SPLICE_F_DIRECT) != 0)
		fail("zero-length-returns-0", "%s", sd_ret(-1, errno));
	else
		pass("zero-length-returns-0");
	o1 = 100000;
	if (sd_splice(src, &o1, dst, &o2, 10, SPLICE_F_DIRECT) != 0 || o1 != 100000)
		fail("at-eof-returns-0", "%s", sd_ret(-1, errno));
	else
		pass("at-eof-returns-0");
	o1 = 1 << 30;
	{
		ssize_t r = sd_splice(src, &o1, dst, &o2, 10, SPLICE_F_DIRECT);

		if (r != 0 || sd_size(dst) != 0)
			fail("past-eof-returns-0", "%s, size %lld", sd_ret(r, errno),
			     (long long)sd_size(dst));
		else
			pass("past-eof-returns-0");
	}

	/* The probe the library uses: an empty memfd onto itself returns 0, not EINVAL. */
	{
		int m = memfd_create("sd-probe", 0);
		loff_t a = 0, b = 0;

		if (m < 0)
			broken("memfd_create");
		if (sd_splice(m, &a, m, &b, 1, SPLICE_F_DIRECT) != 0)
			fail("probe-empty-memfd-returns-0", "%s", sd_ret(-1, errno));
		else
			pass("probe-empty-memfd-returns-0");
		close(m);
	}

	unlink(sd_path(dir, "errno-src"));
	unlink(sd_path(dir, "errno-dst"));
	return sd_exit();
}
