// SPDX-License-Identifier: MIT
/*
 * sd_differ DIR - differential test: within one file system, splice(SPLICE_F_DIRECT) and
 * copy_file_range(2) given the same files and arguments return the same count or errno,
 * leave the same offsets and file positions, and the same destination (size and bytes).
 */
#include "sdtest.h"

#define S 300000
#define D 100000

struct tcase {
	const char *name;
	long long oi, oo; /* -2: NULL, use the file position (set to pi, po) */
	long long pi, po;
	size_t len;
	int same_file;
};

static const struct tcase cases[] = {
	{"whole", 0, 0, 0, 0, S, 0},
	{"past-eof-len", 0, 0, 0, 0, S + 100, 0},
	{"odd-offsets", 1, 3, 0, 0, 1000, 0},
	{"aligned", 4096, 8192, 0, 0, 65536, 0},
	{"near-eof", S - 5, 0, 0, 0, 100, 0},
	{"at-eof", S, 0, 0, 0, 10, 0},
	{"past-eof", S + 100, 0, 0, 0, 10, 0},
	{"extend-with-hole", 0, D + 1000, 0, 0, 5000, 0},
	{"null-offsets", -2, -2, 123, 456, 7777, 0},
	{"null-in", -2, 10, 200, 0, 7777, 0},
	{"null-out", 10, -2, 0, 200, 7777, 0},
	{"negative-in", -1, 0, 0, 0, 10, 0},
	{"negative-out", 0, -5, 0, 0, 10, 0},
	{"huge-len", 0, 0, 0, 0, SIZE_MAX >> 1, 0},
	{"wrapping-len", 10, 0, 0, 0, SIZE_MAX, 0},
	{"same-overlap-fwd", 0, 100, 0, 0, 1000, 1},
	{"same-overlap-back", 1000, 0, 0, 0, 1001, 1},
	{"same-disjoint", 0, 5000, 0, 0, 1000, 1},
	{"same-null-both", -2, -2, 0, 0, 10, 1},
	{"same-extend", 0, S, 0, 0, S, 1},
};

struct outcome {
	ssize_t ret;
	int err;
	loff_t oi, oo, pi, po;
	off_t size;
};

static void one(const char *dir, const struct tcase *c, int native, struct outcome *o, int *out_fd)
{
	int src = sd_make(sd_path(dir, native ? "differ-src-n" : "differ-src-c"), 1, S);
	int dst = c->same_file
			  ? src
			  : sd_make(sd_path(dir, native ? "differ-dst-n" : "differ-dst-c"), 2, D);
	loff_t oi = c->oi, oo = c->oo;
	loff_t *poi = c->oi == -2 ? NULL : &oi, *poo = c->oo == -2 ? NULL : &oo;

	lseek(src, c->pi, SEEK_SET);
	if (!c->same_file)
		lseek(dst, c->po, SEEK_SET);
	errno = 0;
	o->ret = native ? sd_splice(src, poi, dst, poo, c->len, SPLICE_F_DIRECT)
			: sd_cfr(src, poi, dst, poo, c->len);
	o->err = o->ret < 0 ? errno : 0;
	o->oi = oi;
	o->oo = oo;
	o->pi = lseek(src, 0, SEEK_CUR);
	o->po = lseek(dst, 0, SEEK_CUR);
	o->size = sd_size(dst);
	if (!c->same_file)
		close(src);
	*out_fd = dst;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	sd_prog = "differ";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct outcome n, k;
		int fn, fk;

		one(dir, c, 1, &n, &fn);
		one(dir, c, 0, &k, &fk);
		if (n.ret != k.ret || n.err != k.err)
			fail(c->name, "splice %s, copy_file_range %s", sd_ret(n.ret, n.err),
			     sd_ret(k.ret, k.err));
		else if (n.oi != k.oi || n.oo != k.oo || n.pi != k.pi || n.po != k.po)
			fail(c->name, "offsets or positions differ");
		else if (n.size != k.size || sd_cmp(fn, 0, fk, 0, n.size) != -1)
			fail(c->name, "destinations differ (sizes %lld, %lld)", (long long)n.size,
			     (long long)k.size);
		else
			pass(c->name);
		close(fn);
		close(fk);
	}
	unlink(sd_path(dir, "differ-src-n"));
	unlink(sd_path(dir, "differ-src-c"));
	unlink(sd_path(dir, "differ-dst-n"));
	unlink(sd_path(dir, "differ-dst-c"));
	return sd_exit();
}
