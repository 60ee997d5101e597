// SPDX-License-Identifier: MIT
/*
 * splice-pipe.c - splice calls that involve a pipe behave exactly as without the shim: the same
 * results, the same errno (EAGAIN, ESPIPE, EBADF, EINVAL), errno untouched on success. The
 * expectations are the same in both modes; only the last check tells the modes apart, so that
 * a run that forgot to load the shim cannot pass as "shim".
 *
 * Usage: splice-pipe native|shim DIR
 */
#include "pt.h"

int main(int argc, char **argv)
{
	int shim = pt_mode(argc, argv, 2);
	int file = pt_make(argv[2], "file", 0, 0, PT_RDWR);
	int wronly = pt_make(argv[2], "wronly", 4096, 1, O_WRONLY);
	int p[2], q[2];
	loff_t off = 10;
	char buf[16];
	ssize_t n;

	if (pipe(p) || pipe(q))
		PT_BROKEN("pipe");

	/* An empty pipe with SPLICE_F_NONBLOCK: EAGAIN, not a wait, not a copy. */
	n = splice(p[0], NULL, file, NULL, 4096, SPLICE_F_NONBLOCK);
	PT_CHECK(n == -1 && errno == EAGAIN, "empty pipe: n=%zd errno=%s", n, strerror(errno));

	/* pipe -> file at an offset: data moves, *off advances, errno stays. */
	if (write(p[1], "hello", 5) != 5)
		PT_BROKEN("write");
	errno = EDOM;
	n = splice(p[0], NULL, file, &off, 4096, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	PT_CHECK(n == 5 && off == 15, "pipe to file: n=%zd off=%lld (%s)", n, (long long)off,
		 strerror(errno));
	PT_CHECK(errno == EDOM, "errno changed to %s", strerror(errno));

	/* file -> pipe, and pipe -> pipe. */
	off = 10;
	n = splice(file, &off, q[1], NULL, 5, 0);
	PT_CHECK(n == 5 && off == 15, "file to pipe: n=%zd (%s)", n, strerror(errno));
	n = splice(q[0], NULL, p[1], NULL, 5, 0);
	PT_CHECK(n == 5, "pipe to pipe: n=%zd (%s)", n, strerror(errno));
	n = read(p[0], buf, sizeof(buf));
	PT_CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "read back n=%zd", n);

	/* The kernel's errors, unchanged. */
	off = 0;
	n = splice(p[0], &off, file, NULL, 5, 0);
	PT_CHECK(n == -1 && errno == ESPIPE, "offset on a pipe: n=%zd errno=%s", n,
		 strerror(errno));
	n = splice(-1, NULL, p[1], NULL, 5, 0);
	PT_CHECK(n == -1 && errno == EBADF, "bad fd: n=%zd errno=%s", n, strerror(errno));
	n = splice(wronly, NULL, p[1], NULL, 5, 0);
	PT_CHECK(n == -1 && errno == EBADF, "write-only input: n=%zd errno=%s", n, strerror(errno));
	n = splice(file, NULL, p[1], NULL, 5, 0x100000);
	PT_CHECK(n == -1 && errno == EINVAL, "unknown flag: n=%zd errno=%s", n, strerror(errno));
	n = splice(p[0], NULL, file, NULL, 5, SPLICE_F_NONBLOCK | 0x100000);
	PT_CHECK(n == -1 && errno == EINVAL, "unknown flag, pipe first: n=%zd errno=%s", n,
		 strerror(errno));

	/* The witness: a pipe with SPLICE_F_DIRECT is no file-to-file copy (EINVAL both ways). */
	n = splice(p[0], NULL, file, NULL, 5, SPLICE_F_DIRECT);
	PT_CHECK(n == -1 && errno == EINVAL, "pipe with DIRECT: n=%zd errno=%s", n,
		 strerror(errno));
	off = 0;
	n = splice(file, &off, wronly, NULL, 5, SPLICE_F_DIRECT);
	PT_CHECK(shim ? n == 5 : n == -1 && errno == EINVAL, "file to file: n=%zd errno=%s", n,
		 strerror(errno));
	return pt_done();
}
