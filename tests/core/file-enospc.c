/* SPDX-License-Identifier: MIT */
/*
 * core/file-enospc: on a small tmpfs the copy runs out of space (ENOSPC). With
 * SPLICE_F_ATOMIC the old destination stays intact and no temporary file is left; without
 * it, a destination the call created is removed. When there is room, ATOMIC replaces it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		t_broken("opendir");
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	const char *big = t_mount(T_TMPFS, "64M"), *small = t_mount(T_TMPFS, "4M");
	char *src = t_path(big, "src"), *dst = t_path(small, "dst");
	int in = t_make_file(src, 8 << 20, 0);
	int old = t_make_file(dst, 1 << 20, 0);
	int twin = t_make_file(t_path(big, "twin"), 0, 0);
	loff_t a = 0, b = 0;
	if (splice_direct(old, &a, twin, &b, 1 << 20, 0) != 1 << 20)
		t_broken("twin");
	close(old);

	errno = 0;
	int rc = splice_direct_file(src, dst, SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == -1 && errno == ENOSPC, "ATOMIC, no room: %d (%s)", rc, strerror(errno));
	old = t_open(dst, O_RDONLY, 0);
	T_CHECK(t_same_file(old, twin), "ATOMIC, no room: old destination changed");
	T_CHECK(entries(small) == 1, "ATOMIC, no room: %d files left in the folder",
		entries(small));
	close(old);

	char *fresh = t_path(small, "fresh");
	errno = 0;
	rc = splice_direct_file(src, fresh, 0, NULL);
	T_CHECK(rc == -1 && errno == ENOSPC, "new path, no room: %d (%s)", rc, strerror(errno));
	T_CHECK(access(fresh, F_OK) < 0, "new path, no room: the partial copy was left");

	/* Room for it: a 3 MiB source replaces the 1 MiB file atomically (4 MiB fs: the old and
	 * the temporary file coexist until the rename, so 3 + 1 fits only just; use 2 MiB). */
	char *src2 = t_path(big, "src2");
	int in2 = t_make_file(src2, 2 << 20, 0);
	rc = splice_direct_file(src2, dst, SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == 0, "ATOMIC with room: %d (%m)", rc);
	int out = t_open(dst, O_RDONLY, 0);
	T_CHECK(t_same_file(in2, out), "ATOMIC with room: content");
	T_CHECK(entries(small) == 1, "ATOMIC with room: %d files", entries(small));
	(void)in;
	t_done();
}
