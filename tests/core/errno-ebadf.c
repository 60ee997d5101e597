/* SPDX-License-Identifier: MIT */
/*
 * core/errno-ebadf FS: every EBADF case of copy_file_range(2) gives what the kernel gives on
 * the same files: bad and closed fds, O_PATH, an input not open for reading, an output not
 * open for writing, an O_APPEND output, also when O_APPEND is set later with fcntl.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "t.h"

static void both(const char *what, int in, int out)
{
	loff_t zero = 0;

	t_same_as_kernel(what, in, NULL, out, NULL, 4096, 0, EBADF);
	t_same_as_kernel(what, in, &zero, out, &zero, 4096, 0, EBADF);
}

int main(int argc, char **argv)
{
	const char *dir, *dout;

	t_mount_args(argc, argv, &dir, &dout);
	char *src = t_path(dir, "src"), *dst = t_path(dir, "dst");
	int in = t_make_file(src, 64 << 10, 0);
	int out = t_open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int closed = t_open(src, O_RDONLY, 0);
	close(closed);

	both("fd_in -1", -1, out);
	both("fd_out -1", in, -1);
	both("fd_in closed", closed, out);
	both("fd_out closed", in, closed);
	both("fd_in O_PATH", t_open(src, O_PATH, 0), out);
	both("fd_out O_PATH", in, t_open(dst, O_PATH, 0));
	both("fd_in O_WRONLY", t_open(src, O_WRONLY, 0), out);
	both("fd_out O_RDONLY", in, t_open(dst, O_RDONLY, 0));
	both("fd_out O_APPEND", in, t_open(dst, O_WRONLY | O_APPEND, 0));
	both("fd_out O_RDWR|O_APPEND", in, t_open(dst, O_RDWR | O_APPEND, 0));

	/* O_APPEND set after open: the flags must be read at call time, not cached. */
	loff_t zero = 0;
	ssize_t r = splice_direct(in, &zero, out, NULL, 4096, 0);
	T_CHECK(r == 4096, "plain copy before fcntl returned %zd", r);
	if (fcntl(out, F_SETFL, O_APPEND) < 0)
		t_broken("fcntl(F_SETFL, O_APPEND)");
	both("fd_out O_APPEND by fcntl", in, out);
	t_done();
}
