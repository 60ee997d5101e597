// SPDX-License-Identifier: MIT
/*
 * sd_holes SRCDIR DSTDIR - a sparse source (data, hole, data, trailing hole) copied whole with
 * SPLICE_F_DIRECT reads back identical: holes as zeros, the size including the trailing hole.
 * Whether the copy keeps the holes is the file system's business (a clone does, the
 * in-kernel copy writes zeros, as copy_file_range(2) does); it is reported, not judged.
 */
#include "sdtest.h"

#define MB   (1024 * 1024)
#define SIZE (8 * MB)

int main(int argc, char **argv)
{
	const char *sdir = argc > 1 ? argv[1] : "/tmp";
	const char *ddir = argc > 2 ? argv[2] : sdir;
	char *sp = sd_path(sdir, "holes-src"), *dp = sd_path(ddir, "holes-dst");
	int src = open(sp, O_RDWR | O_CREAT | O_TRUNC, 0644), dst;
	loff_t oi = 0, oo = 0;
	struct stat st;
	ssize_t r;

	sd_prog = "holes";
	if (src < 0)
		broken("open %s", sp);
	sd_fill(src, 7, 0, 64 * 1024);
	sd_fill(src, 7, 3 * MB, 64 * 1024 + 17);
	if (ftruncate(src, SIZE) || fsync(src))
		broken("ftruncate");
	dst = sd_make(dp, 8, 0);

	while ((r = sd_splice(src, &oi, dst, &oo, SIZE, SPLICE_F_DIRECT)) > 0)
		;
	if (r < 0) {
		fail("sparse-copy", "%s", sd_ret(r, errno));
	} else if (sd_size(dst) != SIZE || sd_cmp(src, 0, dst, 0, SIZE) != -1) {
		fail("sparse-copy", "size %lld or data differs", (long long)sd_size(dst));
	} else {
		pass("sparse-copy");
		fsync(dst);
		fstat(dst, &st);
		printf("note holes: %s -> %s: copy allocates %lld KiB of %d KiB\n", sdir, ddir,
		       (long long)st.st_blocks / 2, SIZE / 1024);
	}
	/* Starting inside a hole: zeros, then data. */
	oi = 2 * MB;
	oo = 0;
	if (ftruncate(dst, 0))
		broken("ftruncate");
	r = sd_splice(src, &oi, dst, &oo, 2 * MB, SPLICE_F_DIRECT);
	if (r != 2 * MB || sd_cmp(src, 2 * MB, dst, 0, 2 * MB) != -1)
		fail("from-inside-hole", "%s", sd_ret(r, errno));
	else
		pass("from-inside-hole");
	unlink(sp);
	unlink(dp);
	return sd_exit();
}
