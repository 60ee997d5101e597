// SPDX-License-Identifier: MIT
/*
 * sd_pseudo SRCDIR DSTDIR - files whose size says nothing: a SPLICE_F_DIRECT copy from a file
 * of procfs, sysfs, tracefs or debugfs (i_size 0, content on read) onto DSTDIR copies what
 * read(2) returns, from the start and from the middle, or fails as sendfile(2) fails (same
 * errno, nothing written); it never returns 0 while read(2) has bytes. An empty regular file,
 * and a regular file read at its end, on SRCDIR still give 0, with no offset moved.
 */
#include "sdtest.h"

#include <sys/sendfile.h>
#include <sys/stat.h>

/* Files of each kind: some that splice can read, some (no ->splice_read) that it cannot. */
static const struct {
	const char *name, *path;
} pseudo[] = {
	{"procfs", "/proc/version"},
	{"sysfs", "/sys/devices/system/cpu/online"},
	{"tracefs", "/sys/kernel/tracing/trace"},
	{"tracefs-readme", "/sys/kernel/tracing/README"},
	{"debugfs", "/sys/kernel/debug/x86/tlb_single_page_flush_ceiling"},
};

/*
 * Copy path onto a new file of dir, from its start or from its middle; compare with what
 * read(2) gives.
 */
static void one(const char *name, const char *path, const char *dir, int middle)
{
	static char want[65536], got[65536];
	char *dst = sd_path(dir, "pseudo.out");
	ssize_t n, r, s;
	loff_t start = 0, oi, oo = 0, pos;
	struct stat st;
	int in, out, err;

	in = open(path, O_RDONLY);
	if (in < 0) {
		skip(name, "%s: %s", path, strerror(errno));
		return;
	}
	if (fstat(in, &st))
		broken("fstat %s", path);
	n = pread(in, want, sizeof(want), 0);
	if (middle && n > 1) {
		start = n / 2;
		n = pread(in, want, sizeof(want), start);
	}
	oi = pos = start;
	out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (n <= 0 || out < 0)
		broken("read %s or create %s", path, dst);
	r = sd_splice(in, &oi, out, &oo, sizeof(want), SPLICE_F_DIRECT);
	err = errno;
	printf("note pseudo: %s (size %lld) from %lld onto %s: read %zd, splice %zd%s%s\n", path,
	       (long long)st.st_size, (long long)start, dir, n, r, r < 0 ? " " : "",
	       r < 0 ? strerror(err) : "");
	if (r == 0) {
		fail(name, "returned 0 where read(2) returned %zd bytes", n);
	} else if (r < 0) {
		s = sendfile(out, in, &pos, sizeof(want));
		if (s >= 0 || errno != err)
			fail(name, "%s, where sendfile(2) returned %zd (%s)", strerror(err), s,
			     s < 0 ? strerror(errno) : "-");
		else if (oi != start || oo != 0 || sd_size(out) != 0)
			fail(name, "refused but offsets moved or bytes written");
		else
			pass(name);
	} else if (r != n || oi != start + n || oo != n || pread(out, got, sizeof(got), 0) != n ||
		   memcmp(want, got, (size_t)n)) {
		fail(name, "returned %zd, offsets %lld/%lld, for %zd bytes of read(2)", r,
		     (long long)oi, (long long)oo, n);
	} else if ((r = sd_splice(in, &oi, out, &oo, 100, SPLICE_F_DIRECT)) != 0) {
		fail(name, "at EOF returned %zd, not 0", r);
	} else {
		pass(name);
	}
	close(in);
	close(out);
	unlink(dst);
}

static void empty(const char *src, const char *dst_dir)
{
	char *a = sd_path(src, "empty.in"), *b = sd_path(dst_dir, "empty.out");
	int in = sd_make(a, 1, 0), out = sd_make(b, 2, 0);
	loff_t oi = 0, oo = 0;
	ssize_t r = sd_splice(in, &oi, out, &oo, 4096, SPLICE_F_DIRECT);

	if (r != 0 || oi != 0 || oo != 0)
		fail("empty-file-gives-0", "returned %zd (%s), offsets %lld/%lld", r,
		     r < 0 ? strerror(errno) : "-", (long long)oi, (long long)oo);
	else
		pass("empty-file-gives-0");
	close(in);
	/* A regular file read at its end: 0 too, however the copy is made. */
	in = sd_make(a, 3, 5000);
	oi = 5000;
	r = sd_splice(in, &oi, out, &oo, 4096, SPLICE_F_DIRECT);
	if (r != 0 || oi != 5000 || oo != 0)
		fail("at-eof-gives-0", "returned %zd (%s), offsets %lld/%lld", r,
		     r < 0 ? strerror(errno) : "-", (long long)oi, (long long)oo);
	else
		pass("at-eof-gives-0");
	close(in);
	close(out);
	unlink(a);
	unlink(b);
}

int main(int argc, char **argv)
{
	char name[64];

	sd_prog = "pseudo";
	if (argc != 3) {
		fprintf(stderr, "usage: sd_pseudo SRCDIR DSTDIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++) {
		snprintf(name, sizeof(name), "%s-whole", pseudo[i].name);
		one(name, pseudo[i].path, argv[2], 0);
		snprintf(name, sizeof(name), "%s-from-middle", pseudo[i].name);
		one(name, pseudo[i].path, argv[2], 1);
	}
	empty(argv[1], argv[2]);
	return sd_exit();
}
