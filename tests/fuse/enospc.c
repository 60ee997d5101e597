/* SPDX-License-Identifier: MIT */
/*
 * fuse/enospc FS: a real filesystem runs out of space in the middle of a copy: a tmpfs of
 * 8 MiB (size=), or a btrfs filled up to its last 6 MiB. A 16 MiB source, from a second
 * tmpfs (the pipe method) and from the full filesystem itself (offload on tmpfs; pipe with
 * SPLICE_F_NOCLONE on btrfs, where a clone would need no space at all):
 *   - splice_direct returns counts, then -1 ENOSPC; the source is untouched; the new
 *     destination holds the source's first bytes up to what was reported and is no longer
 *     than that (a new file: "no garbage" is size <= reported, bytes equal);
 *   - splice_direct_file(SPLICE_F_ATOMIC) fails with ENOSPC and leaves the old destination
 *     and no temporary file; without SPLICE_F_ATOMIC it removes the file it created.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf.h"

#define SIZE (16ull << 20)
#define OLD  (64ull << 10)

static int temp_left(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= !strncmp(e->d_name, ".old.", 5);
	if (d)
		closedir(d);
	return found;
}

static void run(const char *what, const char *src, const char *dir, unsigned int flags)
{
	char *dst = t_path(dir, "new"), *old = t_path(dir, "old");
	uint64_t sum = tf_sum(src, 0, UINT64_MAX), total = 0, old_sum;
	int in = t_open(src, O_RDONLY, 0), out = t_open(dst, O_RDWR | O_CREAT | O_EXCL, 0644);
	ssize_t n;
	int e = 0;

	while ((n = splice_direct(in, NULL, out, NULL, SIZE, flags)) > 0)
		total += (uint64_t)n;
	e = n < 0 ? errno : 0;
	t_log("%s: %llu bytes, then %s", what, (unsigned long long)total, e ? strerror(e) : "end");
	T_CHECK(n < 0 && e == ENOSPC, "%s: expected ENOSPC", what);
	T_CHECK(total < SIZE, "%s: all copied on a full filesystem", what);
	T_CHECK(tf_sum(src, 0, UINT64_MAX) == sum, "%s: the source changed", what);
	T_CHECK(t_size(out) <= total, "%s: %llu bytes in the destination, %llu reported", what,
		(unsigned long long)t_size(out), (unsigned long long)total);
	T_CHECK(t_same_bytes(in, 0, out, 0, t_size(out)), "%s: garbage in the destination", what);
	close(in), close(out);
	unlink(dst);
	syncfs(in);

	/* atomic over an old destination: the old file stays */
	int ofd = t_open(old, O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_fill_random(ofd, 0, OLD);
	close(ofd);
	old_sum = tf_sum(old, 0, UINT64_MAX);
	T_CHECK(splice_direct_file(src, old, flags | SPLICE_F_ATOMIC, NULL) < 0 && errno == ENOSPC,
		"%s: atomic: %m", what);
	T_CHECK(tf_sum(old, 0, UINT64_MAX) == old_sum, "%s: atomic: the old file changed", what);
	T_CHECK(!temp_left(dir), "%s: atomic: a temporary file was left", what);

	/* in place, a new file: removed on failure */
	T_CHECK(splice_direct_file(src, dst, flags, NULL) < 0 && errno == ENOSPC,
		"%s: in place: %m", what);
	T_CHECK(access(dst, F_OK) < 0, "%s: in place: the failed copy was left", what);
	unlink(old);
}

int main(int argc, char **argv)
{
	enum t_fs fs;
	const char *full, *other;

	if (argc != 2)
		t_broken("usage: enospc tmpfs|btrfs");
	fs = t_fs_parse(argv[1]);
	if (fs != T_TMPFS && fs != T_BTRFS)
		t_broken("enospc: tmpfs or btrfs");
	other = t_mount(T_TMPFS, "64M");
	full = t_mount(fs, fs == T_TMPFS ? "24M" : "200M");

	char *src_other = t_path(other, "src"), *src_full = t_path(full, "src");
	int fd = t_open(src_other, O_RDWR | O_CREAT, 0644);
	t_fill_random(fd, 0, SIZE);
	close(fd);
	fd = t_open(src_full, O_RDWR | O_CREAT, 0644);
	t_fill_random(fd, 0, SIZE);
	fsync(fd);
	close(fd);

	/*
	 * Leave about 6 MiB: a filler takes all the space (btrfs's statfs is only an estimate,
	 * so fill until ENOSPC), then gives the last 6 MiB back.
	 */
	char *filler = t_path(full, "filler");
	uint64_t filled = 0;
	fd = t_open(filler, O_RDWR | O_CREAT, 0644);
	for (uint64_t chunk = 4u << 20; chunk >= (256u << 10); chunk /= 2)
		while (fallocate(fd, 0, (off_t)filled, (off_t)chunk) == 0)
			filled += chunk;
	if (filled < (6u << 20) || ftruncate(fd, (off_t)(filled - (6u << 20))) < 0)
		t_broken("filler of %llu bytes: %m", (unsigned long long)filled);
	fsync(fd);
	syncfs(fd);
	close(fd);
	t_log("%s: %llu bytes free", argv[1], (unsigned long long)t_free_bytes(full));

	run("from another tmpfs", src_other, full, 0);
	run("within the full filesystem", src_full, full, fs == T_BTRFS ? SPLICE_F_NOCLONE : 0);
	t_done();
}
