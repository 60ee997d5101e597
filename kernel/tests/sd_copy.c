// SPDX-License-Identifier: MIT
/*
 * sd_copy SRCDIR [DSTDIR] - copies with SPLICE_F_DIRECT within one file system or across two:
 * given offsets are used and advanced while the file positions stay; NULL offsets use and
 * advance the file positions; the copy stops at the end of the input; a whole file copied in
 * a loop is identical; the fsnotify events are those of copy_file_range(2).
 */
#include "sdtest.h"

#include <sys/inotify.h>

#define SIZE (3u * 1024 * 1024 + 4321) /* several chunks, and not a multiple of a block */

static void given_offsets(int src, int dst)
{
	loff_t oi = 4096 + 7, oo = 100;
	ssize_t r;

	lseek(src, 11, SEEK_SET);
	lseek(dst, 13, SEEK_SET);
	r = sd_splice(src, &oi, dst, &oo, 200000, SPLICE_F_DIRECT);
	if (r != 200000)
		return fail("given-offsets", "%s, want 200000", sd_ret(r, errno));
	if (oi != 4096 + 7 + 200000 || oo != 100 + 200000)
		return fail("given-offsets", "offsets now %lld %lld", (long long)oi, (long long)oo);
	if (lseek(src, 0, SEEK_CUR) != 11 || lseek(dst, 0, SEEK_CUR) != 13)
		return fail("given-offsets", "a file position moved");
	if (sd_diff(dst, 100, 1, 4096 + 7, 200000) != -1)
		return fail("given-offsets", "copied data differs");
	pass("given-offsets");
}

static void null_offsets(int src, int dst)
{
	ssize_t r;

	lseek(src, 65536, SEEK_SET);
	lseek(dst, 300000, SEEK_SET);
	r = sd_splice(src, NULL, dst, NULL, 123457, SPLICE_F_DIRECT);
	if (r != 123457)
		return fail("null-offsets", "%s, want 123457", sd_ret(r, errno));
	if (lseek(src, 0, SEEK_CUR) != 65536 + 123457 || lseek(dst, 0, SEEK_CUR) != 300000 + 123457)
		return fail("null-offsets", "file positions not advanced by the count");
	if (sd_diff(dst, 300000, 1, 65536, 123457) != -1)
		return fail("null-offsets", "copied data differs");
	pass("null-offsets");
}

static void mixed_offsets(int src, int dst)
{
	loff_t oo = 5;
	ssize_t r;

	lseek(src, 1000, SEEK_SET);
	r = sd_splice(src, NULL, dst, &oo, 3000, SPLICE_F_DIRECT);
	if (r != 3000 || oo != 3005 || lseek(src, 0, SEEK_CUR) != 4000)
		return fail("mixed-offsets", "%s, offset %lld", sd_ret(r, errno), (long long)oo);
	if (sd_diff(dst, 5, 1, 1000, 3000) != -1)
		return fail("mixed-offsets", "copied data differs");
	pass("mixed-offsets");
}

static void short_at_eof(int src, int dst)
{
	loff_t oi = SIZE - 1000, oo = 0;
	ssize_t r = sd_splice(src, &oi, dst, &oo, 1 << 20, SPLICE_F_DIRECT);

	if (r != 1000 || oi != SIZE)
		return fail("short-at-eof", "%s, want 1000", sd_ret(r, errno));
	r = sd_splice(src, &oi, dst, &oo, 1 << 20, SPLICE_F_DIRECT);
	if (r != 0 || oi != SIZE || oo != 1000)
		return fail("short-at-eof", "at the end %s, want 0", sd_ret(r, errno));
	pass("short-at-eof");
}

static void whole_file(int src, int dst)
{
	loff_t oi = 0, oo = 0;
	ssize_t r;

	if (ftruncate(dst, 0))
		broken("ftruncate");
	while ((r = sd_splice(src, &oi, dst, &oo, SIZE_MAX >> 1, SPLICE_F_DIRECT)) > 0)
		;
	if (r < 0)
		return fail("whole-file", "%s", sd_ret(r, errno));
	if (oi != SIZE || oo != SIZE || sd_size(dst) != SIZE || sd_cmp(src, 0, dst, 0, SIZE) != -1)
		return fail("whole-file", "size %lld, data differs", (long long)sd_size(dst));
	pass("whole-file");
}

/* IN_ACCESS on the source and IN_MODIFY on the destination, as vfs_copy_file_range() sends. */
static void notify(const char *sp, const char *dp, int src, int dst)
{
	char buf[4096] __attribute__((aligned(8)));
	int in = inotify_init1(IN_NONBLOCK), acc = 0, mod = 0;
	loff_t oi = 0, oo = 0;
	ssize_t n;

	if (in < 0 || inotify_add_watch(in, sp, IN_ACCESS | IN_MODIFY) < 0 ||
	    inotify_add_watch(in, dp, IN_ACCESS | IN_MODIFY) < 0)
		broken("inotify");
	if (sd_splice(src, &oi, dst, &oo, 4096, SPLICE_F_DIRECT) != 4096)
		return fail("fsnotify-events", "copy %s", sd_ret(-1, errno));
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			acc += e->wd == 1 && (e->mask & IN_ACCESS);
			mod += e->wd == 2 && (e->mask & IN_MODIFY);
			p += sizeof(*e) + e->len;
		}
	}
	close(in);
	if (!acc || !mod)
		return fail("fsnotify-events",
			    "IN_ACCESS on source %d, IN_MODIFY on destination %d", acc, mod);
	pass("fsnotify-events");
}

int main(int argc, char **argv)
{
	const char *sdir = argc > 1 ? argv[1] : "/tmp";
	const char *ddir = argc > 2 ? argv[2] : sdir;
	char *sp = sd_path(sdir, "copy-src"), *dp = sd_path(ddir, "copy-dst");
	int src, dst;

	sd_prog = argc > 2 ? "cross" : "copy";
	src = sd_make(sp, 1, SIZE);
	dst = sd_make(dp, 2, 0);
	given_offsets(src, dst);
	null_offsets(src, dst);
	mixed_offsets(src, dst);
	short_at_eof(src, dst);
	whole_file(src, dst);
	notify(sp, dp, src, dst);
	if (argc > 2) {
		/* The difference the flag makes: copy_file_range(2) refuses most such pairs. */
		loff_t oi = 0, oo = 0;
		ssize_t r = sd_cfr(src, &oi, dst, &oo, 4096);

		printf("note %s: copy_file_range between %s and %s %s\n", sd_prog, sdir, ddir,
		       sd_ret(r, errno));
	}
	unlink(sp);
	unlink(dp);
	return sd_exit();
}
