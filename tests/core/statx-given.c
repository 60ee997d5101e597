/* SPDX-License-Identifier: MIT */
/*
 * core/statx-given FS [FS2]: splice_direct_statx() with the caller's statx of the input gives
 * what splice_direct_ex() gives on the same files: return value, errno, offsets, the bytes
 * written, and (for a statx of the input as it is) the same methods. Also when the statx is
 * stale (the input grew or shrank since) or of another file (bigger, smaller, sparse, a
 * folder, a fifo, the output, garbage): it may only change the method, never the result. The
 * bad arguments of errno-*.c, with a statx that looks fine, give splice_direct_ex()'s errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

static const char *din, *dout;
static int ncase;

static struct statx stat_of(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | SPLICE_DIRECT_STATX_MASK, &stx) < 0)
		t_broken("statx: %s", strerror(errno));
	if ((stx.stx_mask & SPLICE_DIRECT_STATX_MASK) != SPLICE_DIRECT_STATX_MASK)
		t_skip(NULL, "statx has no STATX_MNT_ID_UNIQUE (Linux 6.8+)");
	return stx;
}

static int same_stats(const struct splice_direct_stats *a, const struct splice_direct_stats *b)
{
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		if (a->bytes[m] != b->bytes[m])
			return 0;
	return a->holes == b->holes;
}

/*
 * splice_direct_ex() from in to out_ex, then splice_direct_statx() with stx from in to out_sx
 * (NULL offsets: the file positions, set alike first). fresh: stx is in's statx now, so the
 * stats must match too.
 */
static void same_on(const char *what, int in, const struct statx *stx, int out_ex, int out_sx,
		    const loff_t *off_in, const loff_t *off_out, size_t len, unsigned int flags,
		    int fresh)
{
	struct splice_direct_stats se = {0}, ss = {0};
	loff_t ei = off_in ? *off_in : 0, eo = off_out ? *off_out : 0, si = ei, so = eo;
	off_t pos_in = lseek(in, 0, SEEK_CUR), pos_sx = lseek(out_sx, 0, SEEK_CUR);
	ssize_t re, rs;
	int ee, es;

	errno = 0;
	re = splice_direct_ex(in, off_in ? &ei : NULL, out_ex, off_out ? &eo : NULL, len, flags,
			      &se);
	ee = re < 0 ? errno : 0;
	off_t end_in = lseek(in, 0, SEEK_CUR), end_ex = lseek(out_ex, 0, SEEK_CUR);
	if (pos_in >= 0)
		(void)lseek(in, pos_in, SEEK_SET);
	errno = 0;
	rs = splice_direct_statx(in, stx, off_in ? &si : NULL, out_sx, off_out ? &so : NULL, len,
				 flags, &ss);
	es = rs < 0 ? errno : 0;
	ncase++;
	T_CHECK(re == rs && ee == es, "%s: splice_direct_ex %zd (%s), splice_direct_statx %zd (%s)",
		what, re, ee ? strerror(ee) : "ok", rs, es ? strerror(es) : "ok");
	T_CHECK(ei == si && eo == so, "%s: offsets %lld %lld, with statx %lld %lld", what,
		(long long)ei, (long long)eo, (long long)si, (long long)so);
	T_CHECK(lseek(in, 0, SEEK_CUR) == end_in, "%s: input position %lld, want %lld", what,
		(long long)lseek(in, 0, SEEK_CUR), (long long)end_in);
	if (out_sx != out_ex && pos_sx >= 0)
		T_CHECK(lseek(out_sx, 0, SEEK_CUR) == end_ex, "%s: output position %lld, want %lld",
			what, (long long)lseek(out_sx, 0, SEEK_CUR), (long long)end_ex);
	if (out_sx != out_ex)
		T_CHECK(t_same_file(out_ex, out_sx), "%s: the outputs differ", what);
	if (fresh && !same_stats(&se, &ss)) {
		t_stats_print("splice_direct_ex", &se);
		t_stats_print("splice_direct_statx", &ss);
		T_CHECK(0, "%s: methods differ with a fresh statx", what);
	}
}

/* Two new, empty outputs. */
static void outputs(int *ret_ex, int *ret_sx)
{
	char name[32];

	snprintf(name, sizeof(name), "ex%d", ncase);
	*ret_ex = t_open(t_path(dout, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
	snprintf(name, sizeof(name), "sx%d", ncase);
	*ret_sx = t_open(t_path(dout, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
}

/* A copy at offsets into two new outputs. */
static void copy(const char *what, int in, const struct statx *stx, loff_t off_in, loff_t off_out,
		 size_t len, unsigned int flags, int fresh)
{
	int a, b;

	outputs(&a, &b);
	same_on(what, in, stx, a, b, &off_in, &off_out, len, flags, fresh);
	close(a);
	close(b);
}

/* What is refused, with the same output for both (nothing is written). */
static void refused(const char *what, int in, const struct statx *stx, int out, loff_t off_in,
		    loff_t off_out, size_t len, unsigned int flags, int want_errno)
{
	char both[128];
	loff_t oi = off_in, oo = off_out;

	same_on(what, in, stx, out, out, &oi, &oo, len, flags, 1);
	snprintf(both, sizeof(both), "%s, NULL offsets", what);
	same_on(both, in, stx, out, out, NULL, NULL, len, flags, 1);
	/* the reference is splice_direct_ex(); say so when it is not what the case is about */
	errno = 0;
	if (splice_direct_ex(in, &oi, out, &oo, len, flags, NULL) >= 0 || errno != want_errno)
		t_log("note: %s: splice_direct_ex gives %s, the case expects %s", what,
		      strerror(errno), strerror(want_errno));
}

/* Copy until the end with the same statx on every call, as a loop over a stale one would. */
static void loop_to_end(const char *what, int in, const struct statx *stx)
{
	int a, b;
	loff_t ei = 0, eo = 0, si = 0, so = 0;
	ssize_t n;

	outputs(&a, &b);
	while ((n = splice_direct_ex(in, &ei, a, &eo, SSIZE_MAX, 0, NULL)) > 0)
		;
	T_CHECK(n == 0, "%s: splice_direct_ex: %s", what, strerror(errno));
	while ((n = splice_direct_statx(in, stx, &si, b, &so, SSIZE_MAX, 0, NULL)) > 0)
		;
	T_CHECK(n == 0, "%s: splice_direct_statx: %s", what, strerror(errno));
	T_CHECK(si == ei && so == eo && (uint64_t)si == t_size(in),
		"%s: ended at %lld, splice_direct_ex at %lld, the input has %" PRIu64, what,
		(long long)si, (long long)ei, t_size(in));
	T_CHECK(t_same_file(a, b), "%s: the outputs differ", what);
	close(a);
	close(b);
}

int main(int argc, char **argv)
{
	const uint64_t size = 200 * 1024 + 123;

	t_mount_args(argc, argv, &din, &dout);
	char *src = t_path(din, "src");
	int in = t_make_file(src, size, 0);
	struct statx sx = stat_of(in);
	int first = t_open(t_path(dout, "first"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t z1 = 0, z2 = 0;

	/* the first copy teaches the library the filesystems: the quick path is open after it */
	if (splice_direct_ex(in, &z1, first, &z2, SSIZE_MAX, 0, NULL) != (ssize_t)size)
		t_broken("first copy: %s", strerror(errno));

	/* a statx of the input as it is */
	copy("whole", in, &sx, 0, 0, SSIZE_MAX, 0, 1);
	copy("exactly its size", in, &sx, 0, 0, size, 0, 1);
	copy("aligned offsets, short len", in, &sx, 8192, 65536, 12288, 0, 1);
	copy("unaligned offsets", in, &sx, 100, 5000, 70000, 0, 1);
	copy("to the end from 64 KiB", in, &sx, 65536, 0, SSIZE_MAX, 0, 1);
	copy("at the end", in, &sx, (loff_t)size, 0, 4096, 0, 1);
	copy("past the end", in, &sx, (loff_t)size + 8192, 0, 4096, 0, 1);
	copy("len 0", in, &sx, 0, 0, 0, 0, 1);
	copy("SPLICE_F_NOCLONE", in, &sx, 0, 0, SSIZE_MAX, SPLICE_F_NOCLONE, 1);
	copy("SPLICE_F_DIRECT", in, &sx, 0, 0, SSIZE_MAX, SPLICE_F_DIRECT, 1);
	copy("SPLICE_F_NOCACHE", in, &sx, 4096, 0, 100000, SPLICE_F_NOCACHE, 1);
	{
		int a, b;

		outputs(&a, &b);
		(void)lseek(in, 1000, SEEK_SET);
		same_on("NULL offsets", in, &sx, a, b, NULL, NULL, 50000, 0, 1);
		(void)lseek(in, 0, SEEK_SET);
	}
	loop_to_end("a loop to the end", in, &sx);

	int out = t_open(t_path(dout, "out"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int dir_in = t_open(din, O_RDONLY | O_DIRECTORY, 0);
	int dir_out = t_open(dout, O_RDONLY | O_DIRECTORY, 0);
	int pipefd[2];

	if (pipe(pipefd) < 0)
		t_broken("pipe: %s", strerror(errno));

	/* stale: the input grew since its statx, then shrank */
	int grow = t_make_file(t_path(din, "grow"), 64 * 1024, 0);
	struct statx old = stat_of(grow);
	t_fill_random(grow, 64 * 1024, 100 * 1024 + 7);
	copy("grew: whole", grow, &old, 0, 0, SSIZE_MAX, 0, 0);
	copy("grew: the old size", grow, &old, 0, 0, 64 * 1024, 0, 0);
	copy("grew: from the old end", grow, &old, 64 * 1024, 0, SSIZE_MAX, 0, 0);
	loop_to_end("grew: a loop to the end", grow, &old);
	int grow2 = t_make_file(t_path(din, "grow2"), 10000, 0);
	struct statx old2 = stat_of(grow2);
	t_fill_random(grow2, 10000, 70000);
	copy("grew from an unaligned size: whole", grow2, &old2, 0, 0, SSIZE_MAX, 0, 0);
	copy("grew from an unaligned size: the old size", grow2, &old2, 0, 0, 10000, 0, 0);
	loop_to_end("grew from an unaligned size: a loop", grow2, &old2);
	struct statx big = stat_of(grow);
	if (ftruncate(grow, 50 * 1024 + 123) < 0)
		t_broken("ftruncate: %s", strerror(errno));
	copy("shrank: whole", grow, &big, 0, 0, SSIZE_MAX, 0, 0);
	copy("shrank: the old size", grow, &big, 0, 0, (size_t)big.stx_size, 0, 0);
	copy("shrank: past the new end", grow, &big, 64 * 1024, 0, SSIZE_MAX, 0, 0);
	loop_to_end("shrank: a loop", grow, &big);
	if (ftruncate(grow, 0) < 0)
		t_broken("ftruncate: %s", strerror(errno));
	copy("shrank to nothing", grow, &big, 0, 0, SSIZE_MAX, 0, 0);

	/* the statx of another file */
	int small = t_make_file(t_path(din, "small"), 5000, 0);
	int sparse = t_make_file(t_path(din, "sparse"), 1 << 20, 1);
	int fifo_fd;
	struct statx st_small = stat_of(small), st_sparse = stat_of(sparse), st_in = sx;
	struct statx st_dir = stat_of(dir_in), st_out = stat_of(out), st_fifo;

	if (mkfifo(t_path(din, "fifo"), 0600) < 0)
		t_broken("mkfifo: %s", strerror(errno));
	fifo_fd = t_open(t_path(din, "fifo"), O_RDWR, 0);
	st_fifo = stat_of(fifo_fd);
	copy("a smaller file's", in, &st_small, 0, 0, SSIZE_MAX, 0, 0);
	copy("a smaller file's, its size", in, &st_small, 0, 0, 5000, 0, 0);
	copy("a bigger file's", small, &st_in, 0, 0, SSIZE_MAX, 0, 0);
	copy("a bigger file's, its size", small, &st_in, 0, 0, size, 0, 0);
	copy("a sparse file's", in, &st_sparse, 0, 0, SSIZE_MAX, 0, 0);
	copy("a dense file's, for a sparse one", sparse, &st_in, 0, 0, SSIZE_MAX, 0, 0);
	copy("a folder's", in, &st_dir, 0, 0, SSIZE_MAX, 0, 0);
	copy("a fifo's", in, &st_fifo, 0, 0, SSIZE_MAX, 0, 0);
	copy("the output's", in, &st_out, 0, 0, SSIZE_MAX, 0, 0);
	refused("a regular file's, for a folder", dir_in, &st_small, out, 0, 0, 4096, 0, EISDIR);
	refused("a regular file's, for a pipe", pipefd[0], &st_small, out, 0, 0, 4096, 0, EINVAL);

	/* garbage in the fields the library reads */
	struct statx junk = sx;
	junk.stx_size = UINT64_MAX - 4095;
	junk.stx_blocks = UINT64_MAX;
	copy("a huge size", in, &junk, 0, 0, SSIZE_MAX, 0, 0);
	junk = sx;
	junk.stx_size = 0;
	junk.stx_blocks = 0;
	copy("size 0", in, &junk, 0, 0, SSIZE_MAX, 0, 0);
	junk = sx;
	junk.stx_mnt_id ^= 0x5a5a5a;
	junk.stx_dev_minor ^= 0x55;
	copy("another mount and device", in, &junk, 0, 0, SSIZE_MAX, 0, 0);
	junk = sx;
	junk.stx_mask &= ~(unsigned int)STATX_SIZE;
	junk.stx_size = 1;
	copy("no STATX_SIZE in stx_mask", in, &junk, 0, 0, SSIZE_MAX, 0, 1);

	/*
	 * Bad arguments with a statx that looks right: the errno of splice_direct_ex(). Last:
	 * some (a pipe or an overlap as the output) make splice_direct_ex() take the planned
	 * path from then on, and the cases above are for the quick one.
	 */
	refused("fd_in -1", -1, &sx, out, 0, 0, 4096, 0, EBADF);
	int closed = t_open(src, O_RDONLY, 0);

	close(closed); /* just before: the next open would take its number */
	refused("fd_in closed", closed, &sx, out, 0, 0, 4096, 0, EBADF);
	refused("fd_out -1", in, &sx, -1, 0, 0, 4096, 0, EBADF);
	refused("fd_in O_PATH", t_open(src, O_PATH, 0), &sx, out, 0, 0, 4096, 0, EBADF);
	refused("fd_out O_PATH", in, &sx, t_open(t_path(dout, "out"), O_PATH, 0), 0, 0, 4096, 0,
		EBADF);
	refused("fd_in O_WRONLY", t_open(src, O_WRONLY, 0), &sx, out, 0, 0, 4096, 0, EBADF);
	refused("fd_out O_RDONLY", in, &sx, t_open(t_path(dout, "out"), O_RDONLY, 0), 0, 0, 4096, 0,
		EBADF);
	refused("fd_out O_APPEND", in, &sx, t_open(t_path(dout, "out"), O_WRONLY | O_APPEND, 0), 0,
		0, 4096, 0, EBADF);
	refused("fd_in a folder", dir_in, &sx, out, 0, 0, 4096, 0, EISDIR);
	refused("fd_out a folder", in, &sx, dir_out, 0, 0, 4096, 0, EISDIR);
	refused("fd_in a pipe", pipefd[0], &sx, out, 0, 0, 4096, 0, EINVAL);
	refused("fd_out a pipe", in, &sx, pipefd[1], 0, 0, 4096, 0, EINVAL);
	refused("a splice(2) flag", in, &sx, out, 0, 0, 4096, 0x1, EINVAL);
	refused("CLONE with NOCLONE", in, &sx, out, 0, 0, 4096, SPLICE_F_CLONE | SPLICE_F_NOCLONE,
		EINVAL);
	refused("negative off_in", in, &sx, out, -8192, 0, 4096, 0, EINVAL);
	refused("negative off_out", in, &sx, out, 0, -8192, 4096, 0, EINVAL);
	refused("len reaches a negative off_in", in, &sx, out, -4096, 0, 4096, 0, EOVERFLOW);
	refused("len wraps off_out", in, &sx, out, 0, INT64_MAX - 10, SIZE_MAX - 4, 0, EOVERFLOW);
	refused("off_out at the largest offset", in, &sx, out, 0, INT64_MAX, 4096, 0, EFBIG);
	refused("overlap in one file", in, &sx, in, 0, 4096, 8192, 0, EINVAL);

	/* after all that, a fresh statx still takes the same methods as splice_direct_ex */
	copy("whole, at the end", in, &sx, 0, 0, SSIZE_MAX, 0, 1);
	t_log("%d cases", ncase);
	t_done();
}
