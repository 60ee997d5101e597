/* SPDX-License-Identifier: MIT */
/*
 * core/differential FS [FS2]: thousands of random cases - offsets (negative, huge, past EOF),
 * lengths (0, SIZE_MAX, ...), open modes, bad fds, flags, holes, same-file ranges, NULL and
 * non-NULL offsets - run through splice_direct() and through the reference, and every
 * observable compared: return value, errno, offsets, file positions, destination content
 * and size.
 *
 * The reference is the kernel's copy_file_range(2), looped until it returns 0 (the kernel
 * may stop short where the library completes). With one filesystem, the kernel works on a
 * twin set of files on it. Across two, where the kernel answers EXDEV, the reference
 * model is the kernel on the destination's filesystem: the twin source is copied there, so
 * the limits that matter (the destination's largest file) are the same and the data moves
 * as a pread/pwrite model would move it.
 *
 * Seeded and reproducible: the seed is printed; SD_TEST_SEED=n reruns it, SD_TEST_CASES=n
 * sets the number of cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

#define NFILES	 3
#define MAX_SIZE (1u << 20)
/* Files grown past this are cut back after the case: the kernel fills holes when it copies,
 * so a large sparse source would fill the filesystem. */
#define MAX_KEEP (8ull << 20)

/* One side of the comparison: the library's files or the kernel's twins. */
struct side {
	char *src[NFILES], *dst[NFILES]; /* equal paths when sources are destinations */
	const char *dir;
};

static struct side lib, ker;
static int cross;

/* The same random content, holes included, for a file of both sides. */
static void regenerate(int idx)
{
	uint64_t size = t_rand_below(MAX_SIZE + 1);
	static unsigned char buf[MAX_SIZE];
	int fl = t_open(lib.src[idx], O_RDWR | O_CREAT | O_TRUNC, 0644);
	int fk = t_open(ker.src[idx], O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (ftruncate(fl, (off_t)size) < 0 || ftruncate(fk, (off_t)size) < 0)
		t_broken("ftruncate");
	for (uint64_t off = 0; off < size;) {
		/* Data and holes of random, sometimes unaligned, lengths. */
		uint64_t n = t_rand_below(200000) + 1;
		int data = t_rand() & 1;

		if (t_rand_below(3) == 0)
			n = (n + 4095) & ~4095ull;
		if (n > size - off)
			n = size - off;
		if (data) {
			for (uint64_t i = 0; i < n; i += 8) {
				uint64_t v = t_rand();
				memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
			}
			if (pwrite(fl, buf, n, (off_t)off) != (ssize_t)n ||
			    pwrite(fk, buf, n, (off_t)off) != (ssize_t)n)
				t_broken("pwrite");
		}
		off += n;
	}
	close(fl);
	close(fk);
}

/* Make the destination twins equal again (cross: destinations are their own files). */
static void reset_dst(int idx)
{
	uint64_t size = t_rand_below(MAX_SIZE / 2);
	int fl = t_open(lib.dst[idx], O_RDWR | O_CREAT | O_TRUNC, 0644);
	int fk = t_open(ker.dst[idx], O_RDWR | O_CREAT | O_TRUNC, 0644);
	static unsigned char buf[MAX_SIZE / 2];

	for (uint64_t i = 0; i < size; i += 8) {
		uint64_t v = t_rand();
		memcpy(buf + i, &v, size - i < 8 ? size - i : 8);
	}
	if (pwrite(fl, buf, size, 0) != (ssize_t)size || pwrite(fk, buf, size, 0) != (ssize_t)size)
		t_broken("pwrite");
	close(fl);
	close(fk);
}

static loff_t pick_offset(uint64_t size, int allow_wild)
{
	uint64_t r = t_rand_below(100);

	if (r < 15)
		return 0;
	if (r < 40)
		return (loff_t)t_rand_below(size + 65536);
	if (r < 55)
		return (loff_t)(t_rand_below(size + 65536) & ~4095ull);
	if (r < 62)
		return (loff_t)size + (loff_t)t_rand_below(9) - 4;
	if (r < 70)
		return (loff_t)t_rand_below(1ull << 33);
	if (!allow_wild || r >= 82)
		return (loff_t)t_rand_below(8192);
	if (r < 75) {
		static const loff_t neg[] = {-1, -4096, INT64_MIN, -(1ll << 40)};
		return t_rand() & 1 ? neg[t_rand_below(4)] : -(loff_t)t_rand_below(1ull << 62);
	}
	static const loff_t huge[] = {1ll << 62, INT64_MAX,	  (1ll << 44) - 4096,
				      1ll << 44, (1ll << 44) + 1, (1ll << 43)};
	return t_rand() & 1 ? huge[t_rand_below(6)] : INT64_MAX - (loff_t)t_rand_below(8192);
}

static size_t pick_len(int wild)
{
	uint64_t r = wild ? t_rand_below(100) : 30 + t_rand_below(70);

	if (r < 10)
		return 0;
	if (r < 20)
		return SIZE_MAX;
	if (r < 25)
		return SIZE_MAX - t_rand_below(10000);
	if (r < 30) {
		static const size_t big[] = {1ull << 63, (1ull << 63) - 1, (1ull << 63) + 1,
					     1ull << 32, 0x7ffff000};
		return big[t_rand_below(5)];
	}
	if (r < 60)
		return t_rand_below(256 << 10);
	if (r < 80)
		return t_rand_below(2 << 20);
	return t_rand_below(8192);
}

/* What kind of fd each side gets. */
enum kind { K_FILE, K_BADFD, K_CLOSED, K_DIR, K_PIPE, K_DEVNULL, K_OPATH };

static enum kind pick_kind(void)
{
	uint64_t r = t_rand_below(100);

	if (r < 94)
		return K_FILE;
	return (enum kind)(1 + t_rand_below(6));
}

/* Mostly usable modes, sometimes one the kernel refuses (O_WRONLY input, O_RDONLY or
 * O_APPEND output). */
static const int in_modes[] = {
	O_RDONLY, O_RDWR, O_RDONLY, O_RDWR, O_RDONLY, O_RDWR, O_RDONLY, O_WRONLY,
};
static const int out_modes[] = {
	O_WRONLY,	   O_RDWR,
	O_WRONLY,	   O_RDWR,
	O_WRONLY,	   O_RDWR,
	O_WRONLY,	   O_RDWR,
	O_RDONLY,	   O_WRONLY | O_APPEND,
	O_RDWR | O_APPEND,
};

struct fdset {
	int in, out;
	int close_in, close_out; /* whether to close them after the case */
	int pipe_in[2], pipe_out[2];
};

static int open_kind(enum kind k, const char *path, const char *dir, int mode, int is_out,
		     int pfd[2], int *closeit)
{
	*closeit = 1;
	switch (k) {
	case K_FILE:
		return t_open(path, mode, 0);
	case K_OPATH:
		return t_open(path, O_PATH, 0);
	case K_BADFD:
		*closeit = 0;
		return -1;
	case K_CLOSED:
		*closeit = 0;
		return 1000 + is_out; /* never opened: the fixture opens far fewer */
	case K_DIR:
		return t_open(dir, O_RDONLY | O_DIRECTORY, 0);
	case K_PIPE:
		if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0)
			t_broken("pipe");
		if (write(pfd[1], "data", 4) != 4)
			t_broken("write pipe");
		*closeit = 0;
		return is_out ? pfd[1] : pfd[0];
	case K_DEVNULL:
		return t_open("/dev/null", O_RDWR, 0);
	}
	return -1;
}

struct result {
	ssize_t ret;
	int err;
	loff_t off_in, off_out;
	off_t pos_in, pos_out;
	int pos_in_err, pos_out_err;
};

static off_t pos_of(int fd, int *err)
{
	errno = 0;
	off_t p = lseek(fd, 0, SEEK_CUR);
	*err = p < 0 ? errno : 0;
	return p;
}

struct kase {
	int in_idx, out_idx, same_fd;
	enum kind kin, kout;
	int in_mode, out_mode;
	int null_in, null_out;
	loff_t off_in, off_out, pos_in, pos_out;
	size_t len;
	unsigned int lib_flags, ker_flags;
};

static void describe(const struct kase *c, long n)
{
	t_log("case %ld: in f%d kind %d mode 0%o %s %lld (pos %lld), out f%d kind %d mode 0%o "
	      "%s %lld (pos %lld)%s, len %zu (0x%zx), flags lib 0x%x kernel 0x%x",
	      n, c->in_idx, c->kin, c->in_mode, c->null_in ? "NULL" : "off", (long long)c->off_in,
	      (long long)c->pos_in, c->out_idx, c->kout, c->out_mode, c->null_out ? "NULL" : "off",
	      (long long)c->off_out, (long long)c->pos_out, c->same_fd ? " same fd" : "", c->len,
	      c->len, c->lib_flags, c->ker_flags);
}

static void run(const struct side *s, const struct kase *c, int is_kernel, struct result *r)
{
	struct fdset f = {0};
	const char *in_path = s->src[c->in_idx], *out_path = s->dst[c->out_idx];
	loff_t oi = c->off_in, oo = c->off_out;

	f.in = open_kind(c->kin, in_path, s->dir, c->in_mode, 0, f.pipe_in, &f.close_in);
	if (c->same_fd) {
		f.out = f.in;
		f.close_out = 0;
	} else {
		f.out = open_kind(c->kout, out_path, s->dir, c->out_mode, 1, f.pipe_out,
				  &f.close_out);
	}
	if (c->kin == K_FILE)
		(void)lseek(f.in, c->pos_in, SEEK_SET);
	if (c->kout == K_FILE && !c->same_fd)
		(void)lseek(f.out, c->pos_out, SEEK_SET);

	errno = 0;
	if (!is_kernel) {
		r->ret = splice_direct(f.in, c->null_in ? NULL : &oi, f.out,
				       c->null_out ? NULL : &oo, c->len, c->lib_flags);
		r->err = r->ret < 0 ? errno : 0;
	} else {
		/*
		 * The kernel may stop short: loop to the end, as the library promises to. The
		 * end is the input's end of file when the call started: within one file, the
		 * copy itself moves the end of file, and the later calls would chase it.
		 */
		size_t left = c->len;
		ssize_t total = 0;
		struct stat st;
		loff_t start = c->null_in ? lseek(f.in, 0, SEEK_CUR) : oi;
		uint64_t eof = fstat(f.in, &st) == 0 ? (uint64_t)st.st_size : 0;

		r->err = 0;
		for (;;) {
			ssize_t k = copy_file_range(f.in, c->null_in ? NULL : &oi, f.out,
						    c->null_out ? NULL : &oo, left, c->ker_flags);
			if (k < 0) {
				if (total == 0) {
					total = -1;
					r->err = errno;
				}
				break;
			}
			if (k == 0)
				break;
			total += k;
			left -= (size_t)k;
			if (start >= 0 && (uint64_t)start + (uint64_t)total >= eof)
				break;
			if (start >= 0 && left > eof - (uint64_t)start - (uint64_t)total)
				left = eof - (uint64_t)start - (uint64_t)total;
			if (!left)
				break;
		}
		r->ret = total;
	}
	r->off_in = oi;
	r->off_out = oo;
	r->pos_in = pos_of(f.in, &r->pos_in_err);
	r->pos_out = pos_of(f.out, &r->pos_out_err);
	if (f.close_in)
		close(f.in);
	if (f.close_out)
		close(f.out);
	if (c->kin == K_PIPE)
		close(f.pipe_in[0]), close(f.pipe_in[1]);
	if (c->kout == K_PIPE && !c->same_fd)
		close(f.pipe_out[0]), close(f.pipe_out[1]);
}

static uint64_t size_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		t_broken("stat '%s'", path);
	return (uint64_t)st.st_size;
}

static int same_content(int idx)
{
	int a = t_open(lib.dst[idx], O_RDONLY, 0), b = t_open(ker.dst[idx], O_RDONLY, 0);
	int same = t_same_file(a, b);

	close(a);
	close(b);
	return same;
}

static int compare(const struct kase *c, const struct result *l, const struct result *k)
{
	int ok = 1;
	/*
	 * Linux 6.12's stable series (6.12.118 here) checks the output's size limit only when the
	 * count was not shortened to nothing: a copy that starts past the input's end returns 0
	 * there, EFBIG on 6.1 and 6.18, whose answer the library gives. Both copy nothing.
	 */
	int efbig_or_nothing = l->ret < 0 && l->err == EFBIG && k->ret == 0;

	if ((l->ret != k->ret || l->err != k->err) && !efbig_or_nothing) {
		t_log("  return: splice_direct %zd (%s), kernel %zd (%s)", l->ret,
		      l->err ? strerror(l->err) : "-", k->ret, k->err ? strerror(k->err) : "-");
		ok = 0;
	}
	if (!c->null_in && l->off_in != k->off_in) {
		t_log("  off_in: %lld, kernel %lld", (long long)l->off_in, (long long)k->off_in);
		ok = 0;
	}
	if (!c->null_out && l->off_out != k->off_out) {
		t_log("  off_out: %lld, kernel %lld", (long long)l->off_out, (long long)k->off_out);
		ok = 0;
	}
	if (l->pos_in != k->pos_in || l->pos_in_err != k->pos_in_err) {
		t_log("  input position: %lld, kernel %lld", (long long)l->pos_in,
		      (long long)k->pos_in);
		ok = 0;
	}
	if (l->pos_out != k->pos_out || l->pos_out_err != k->pos_out_err) {
		t_log("  output position: %lld, kernel %lld", (long long)l->pos_out,
		      (long long)k->pos_out);
		ok = 0;
	}
	if (!same_content(c->out_idx)) {
		t_log("  destination f%d differs", c->out_idx);
		ok = 0;
	}
	return ok;
}

/* What the cases did, so that the log shows the test reached more than one errno. */
static long n_copied, n_zero, n_err[256];

static void tally(const struct result *k)
{
	if (k->ret > 0)
		n_copied++;
	else if (k->ret == 0)
		n_zero++;
	else if (k->err > 0 && k->err < 256)
		n_err[k->err]++;
}

static void summary(void)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "cases: %ld copied, %ld returned 0", n_copied, n_zero);

	for (int e = 1; e < 256 && n < (int)sizeof(line) - 40; e++)
		if (n_err[e])
			n += snprintf(line + n, sizeof(line) - (size_t)n, ", %ld %s", n_err[e],
				      strerrorname_np(e) ? strerrorname_np(e) : "?");
	t_log("%s", line);
}

static void make_case(struct kase *c)
{
	/* Two cases in three are well formed and copy; the rest try the error paths. */
	int wild = t_rand_below(3) == 0;

	memset(c, 0, sizeof(*c));
	c->in_idx = (int)t_rand_below(NFILES);
	c->out_idx = (int)t_rand_below(NFILES);
	/* One filesystem: often the same file, sometimes through one fd. */
	if (!cross && t_rand_below(4) == 0)
		c->out_idx = c->in_idx;
	c->kin = wild ? pick_kind() : K_FILE;
	c->kout = wild ? pick_kind() : K_FILE;
	c->in_mode = in_modes[t_rand_below(wild ? sizeof(in_modes) / sizeof(in_modes[0]) : 2)];
	c->out_mode = out_modes[t_rand_below(wild ? sizeof(out_modes) / sizeof(out_modes[0]) : 2)];
	if (!cross && c->in_idx == c->out_idx && c->kin == K_FILE && c->kout == K_FILE &&
	    t_rand_below(3) == 0) {
		c->same_fd = 1;
		c->in_mode = c->out_mode = O_RDWR;
	}
	uint64_t size = size_of(lib.src[c->in_idx]);
	c->null_in = t_rand_below(3) == 0;
	c->null_out = t_rand_below(3) == 0;
	c->off_in = pick_offset(size, wild);
	c->off_out = pick_offset(size_of(lib.dst[c->out_idx]), wild);
	/* Positions: lseek refuses past the filesystem's largest file; stay below ext4's. */
	c->pos_in = pick_offset(size, 0);
	c->pos_out = c->same_fd ? c->pos_in : pick_offset(size_of(lib.dst[c->out_idx]), 0);
	c->len = pick_len(wild);
	uint64_t r = t_rand_below(wild ? 100 : 94);
	if (r < 76) {
		c->lib_flags = c->ker_flags = 0;
	} else if (r < 94) {
		/* Our accepted flags change nothing that can be seen here; the kernel gets 0. */
		static const unsigned int ok[] = {SPLICE_F_DIRECT, SPLICE_F_NOCACHE,
						  SPLICE_F_NOCLONE,
						  SPLICE_F_DIRECT | SPLICE_F_NOCACHE};
		c->lib_flags = ok[t_rand_below(4)];
	} else {
		/* Refused by both: the kernel's order decides between EBADF and EINVAL. */
		static const unsigned int bad[] = {
			1, 2, 4, 8, 0x400, SPLICE_F_EXCL, SPLICE_F_ATOMIC, 0x80000000u};
		c->lib_flags = c->ker_flags = bad[t_rand_below(8)];
	}
}

int main(int argc, char **argv)
{
	const char *din, *dout;
	const char *env = getenv("SD_TEST_CASES");
	long ncases = env ? strtol(env, NULL, 0) : 1000, bad = 0;

	t_mount_args(argc, argv, &din, &dout);
	cross = !t_arg_same_fs();
	t_compare_drops_cache = 0; /* no hole maps here, and it costs write-back */
	t_seed();
	lib.dir = din;
	ker.dir = dout;
	for (int i = 0; i < NFILES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "lib%d", i);
		lib.src[i] = t_path(din, name);
		snprintf(name, sizeof(name), "ker%d", i);
		ker.src[i] = t_path(dout, name);
		if (cross) {
			snprintf(name, sizeof(name), "libdst%d", i);
			lib.dst[i] = t_path(dout, name);
			snprintf(name, sizeof(name), "kerdst%d", i);
			ker.dst[i] = t_path(dout, name);
			reset_dst(i);
		} else {
			lib.dst[i] = lib.src[i];
			ker.dst[i] = ker.src[i];
		}
		regenerate(i);
	}

	for (long n = 0; n < ncases && bad < 10; n++) {
		struct kase c;
		struct result l, k;

		make_case(&c);
		run(&ker, &c, 1, &k);
		run(&lib, &c, 0, &l);
		tally(&k);
		if (!compare(&c, &l, &k)) {
			describe(&c, n);
			bad++;
			/* Start the files over, so that one difference does not cascade. */
			regenerate(c.in_idx);
			regenerate(c.out_idx);
			if (cross)
				reset_dst(c.out_idx);
			continue;
		}
		/* Keep the files small and varied. */
		for (int i = 0; i < NFILES; i++) {
			if (size_of(lib.dst[i]) <= MAX_KEEP && size_of(ker.dst[i]) <= MAX_KEEP &&
			    (i != c.out_idx || t_rand_below(50)))
				continue;
			if (cross)
				reset_dst(i);
			else
				regenerate(i);
		}
	}
	summary();
	T_CHECK(bad == 0, "%ld case(s) differ (SD_TEST_SEED=%" PRIu64 " reproduces them)", bad,
		t_seed());
	t_done();
}
