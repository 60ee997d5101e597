/* SPDX-License-Identifier: MIT */
/*
 * core/file-errors FS: splice_direct_file's failures: SPLICE_F_EXCL on an existing path gives
 * EEXIST and leaves it alone; a file onto itself (also through another name) gives EINVAL
 * and leaves it alone; a missing source ENOENT; copy-only flags elsewhere EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *din, *dout;

	t_mount_args(argc, argv, &din, &dout);
	char *src = t_path(din, "src"), *dst = t_path(dout, "dst");
	int in = t_make_file(src, 300000, 1);
	int old = t_make_file(dst, 5000, 0);
	int twin = t_open(t_path(din, "twin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t a = 0, b = 0;
	if (copy_file_range(in, &a, twin, &b, 300000, 0) != 300000)
		t_broken("twin");
	int otwin = t_open(t_path(din, "otwin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	a = b = 0;
	if (splice_direct(old, &a, otwin, &b, 5000, 0) != 5000)
		t_broken("otwin");

	errno = 0;
	int rc = splice_direct_file(src, dst, SPLICE_F_EXCL, NULL);
	T_CHECK(rc == -1 && errno == EEXIST, "EXCL: %d (%s)", rc, strerror(errno));
	T_CHECK(t_same_file(old, otwin), "EXCL: existing file changed");
	errno = 0;
	rc = splice_direct_file(src, dst, SPLICE_F_EXCL | SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == -1 && errno == EEXIST, "EXCL|ATOMIC: %d (%s)", rc, strerror(errno));
	T_CHECK(t_same_file(old, otwin), "EXCL|ATOMIC: existing file changed");
	char *fresh = t_path(dout, "fresh");
	rc = splice_direct_file(src, fresh, SPLICE_F_EXCL, NULL);
	T_CHECK(rc == 0, "EXCL, new path: %d (%m)", rc);

	errno = 0;
	rc = splice_direct_file(src, src, 0, NULL);
	T_CHECK(rc == -1 && errno == EINVAL, "onto itself: %d (%s)", rc, strerror(errno));
	char *hard = t_path(din, "hardlink");
	if (link(src, hard) < 0)
		t_broken("link");
	errno = 0;
	rc = splice_direct_file(src, hard, 0, NULL);
	T_CHECK(rc == -1 && errno == EINVAL, "onto a hard link of itself: %d (%s)", rc,
		strerror(errno));
	errno = 0;
	rc = splice_direct_file(src, src, SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == -1 && errno == EINVAL, "onto itself, ATOMIC: %d (%s)", rc, strerror(errno));
	T_CHECK(t_same_file(in, twin), "source changed");

	errno = 0;
	rc = splice_direct_file(t_path(din, "missing"), t_path(dout, "x"), 0, NULL);
	T_CHECK(rc == -1 && errno == ENOENT, "missing source: %d (%s)", rc, strerror(errno));
	T_CHECK(access(t_path(dout, "x"), F_OK) < 0, "missing source: destination created");
	errno = 0;
	rc = splice_direct_file(src, t_path(dout, "y"), 1, NULL);
	T_CHECK(rc == -1 && errno == EINVAL, "flag SPLICE_F_MOVE: %d (%s)", rc, strerror(errno));
	t_done();
}
