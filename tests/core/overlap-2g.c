/* SPDX-License-Identifier: MIT */
/*
 * core/overlap-2g FS: a copy within one file whose ranges overlap only past the first
 * 2 GiB (MAX_RW_COUNT, one call's worth) is refused with EINVAL, as the kernel refuses it:
 * the kernel checks the whole range before it copies a call's worth, so the quick plan must
 * not hand it the first 2 GiB alone. The 5 GiB file is fallocated (allocated, so the quick
 * plan may take it; read as zeros), so nothing is written either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const loff_t size = 5ll << 30;
	const char *dir;

	if (argc < 2)
		t_broken("usage: %s FS", argv[0]);
	dir = t_mount(t_fs_parse(argv[1]), "6G");
	int f = t_open(t_path(dir, "big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int small = t_make_file(t_path(dir, "small"), 8192, 0);
	int out = t_open(t_path(dir, "out"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t i = 0, o = 0;

	if (fallocate(f, 0, 0, size) < 0)
		t_skip(NULL, "fallocate 5 GiB: %s", strerror(errno));
	/* a first copy teaches the library the filesystem: the next may take the quick plan */
	if (splice_direct(small, &i, out, &o, 8192, 0) != 8192)
		t_broken("first copy: %s", strerror(errno));

	/* [0, 5G) onto [3G, 8G): overlapping, but not within the first 2 GiB of either */
	i = 0, o = 3ll << 30;
	t_same_as_kernel("overlap past 2 GiB", f, &i, f, &o, 4ull << 30, 0, EINVAL);
	t_same_as_kernel("overlap past 2 GiB, NOCLONE", f, &i, f, &o, 4ull << 30, SPLICE_F_NOCLONE,
			 EINVAL);
	t_done();
}
