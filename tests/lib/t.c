/* SPDX-License-Identifier: MIT */
/* t.c - reporting, random numbers, files and comparisons for the tests. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "t.h"

static int failures;
int t_compare_drops_cache = 1;

/* Whether SD_TEST_REQUIRE lists the word: then a missing prerequisite is a failure. */
static int required(const char *need)
{
	const char *req = getenv("SD_TEST_REQUIRE");
	size_t n;

	if (!need || !req)
		return 0;
	n = strlen(need);
	for (const char *p = req; (p = strstr(p, need)); p += n) {
		int start = p == req || p[-1] == ' ' || p[-1] == ',';
		int end = p[n] == '\0' || p[n] == ' ' || p[n] == ',';

		if (start && end)
			return 1;
	}
	return 0;
}

void t_skip(const char *need, const char *fmt, ...)
{
	va_list ap;
	int req = required(need);

	printf(req ? "FAIL (required by SD_TEST_REQUIRE): " : "skip: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(req ? T_FAIL : T_SKIP);
}

void t_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(T_FAIL);
}

void t_broken(const char *fmt, ...)
{
	va_list ap;

	printf("BROKEN: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(T_BROKEN);
}

void t_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void t_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	failures++;
	printf("FAIL %s:%d: %s: ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int t_failures(void)
{
	return failures;
}

void t_done(void)
{
	if (failures) {
		printf("%d check(s) failed\n", failures);
		exit(T_FAIL);
	}
	printf("ok\n");
	exit(T_PASS);
}

void t_require_root(void)
{
	if (geteuid() != 0)
		t_skip("root", "needs root (mount, losetup)");
}

static const char *const fs_names[] = {"ext4", "btrfs", "xfs", "tmpfs"};

enum t_fs t_fs_parse(const char *name)
{
	for (int i = 0; i < T_NFS_TYPES; i++)
		if (name && !strcmp(name, fs_names[i]))
			return (enum t_fs)i;
	t_broken("unknown filesystem '%s'", name ? name : "(none)");
}

const char *t_fs_name(enum t_fs fs)
{
	return fs < T_NFS_TYPES ? fs_names[fs] : "?";
}

/* xorshift64*: small, fast, and the same sequence everywhere for a given seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

uint64_t t_seed(void)
{
	static int done;
	static uint64_t seed;
	const char *env = getenv("SD_TEST_SEED");

	if (done)
		return seed;
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_state = seed ? seed : 1;
	done = 1;
	t_log("seed %" PRIu64 " (SD_TEST_SEED=%" PRIu64 " reproduces this run)", seed, seed);
	return seed;
}

uint64_t t_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

uint64_t t_rand_below(uint64_t n)
{
	return n ? t_rand() % n : 0;
}

void t_fill_random(int fd, uint64_t off, uint64_t len)
{
	static __thread unsigned char buf[1 << 16];
	static __thread uint64_t x = 0x1234567;

	/* Each thread has its own generator, so that threads never race on rng_state. */
	x ^= (uint64_t)(uintptr_t)&x + off;
	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		ssize_t w;

		for (size_t i = 0; i < n; i += 8) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			uint64_t v = x * 0x2545f4914f6cdd1dull;
			memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
		}
		w = pwrite(fd, buf, n, (off_t)off);
		if (w <= 0)
			t_broken("pwrite at %" PRIu64 ": %s", off, w < 0 ? strerror(errno) : "0");
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
}

int t_open(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	if (fd < 0)
		t_broken("cannot open '%s': %s", path, strerror(errno));
	return fd;
}

/* Every path made stays on this list: reachable, so that LeakSanitizer stays quiet. */
struct path_node {
	struct path_node *next;
	char s[];
};
static struct path_node *paths;
static pthread_mutex_t paths_lock = PTHREAD_MUTEX_INITIALIZER;

char *t_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	struct path_node *p = malloc(sizeof(*p) + n);

	if (!p)
		t_broken("out of memory");
	snprintf(p->s, n, "%s/%s", dir, name);
	pthread_mutex_lock(&paths_lock);
	p->next = paths;
	paths = p;
	pthread_mutex_unlock(&paths_lock);
	return p->s;
}

int t_make_file(const char *path, uint64_t size, int holes)
{
	const uint64_t seg = 64 << 10;
	int fd = t_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (ftruncate(fd, (off_t)size) < 0)
		t_broken("ftruncate '%s': %s", path, strerror(errno));
	for (uint64_t off = 0, i = 0; off < size; off += seg, i++) {
		if (holes && i % 3 == 1)
			continue; /* every third 64 KiB segment is a hole */
		t_fill_random(fd, off, size - off < seg ? size - off : seg);
	}
	return fd;
}

static int cmp_bufs(const unsigned char *a, const unsigned char *b, size_t n, uint64_t base,
		    const char *what)
{
	if (!memcmp(a, b, n))
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i]) {
			t_log("%s: first difference at +%" PRIu64 ": %02x != %02x", what, base + i,
			      a[i], b[i]);
			break;
		}
	}
	return 0;
}

static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (r < 0)
			t_broken("pread: %s", strerror(errno));
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Where the next data starts, relative to base; UINT64_MAX if none; done if unknown. */
static uint64_t next_data(int fd, uint64_t base, uint64_t done)
{
	off_t cur = lseek(fd, 0, SEEK_CUR);
	off_t d = lseek(fd, (off_t)(base + done), SEEK_DATA);
	int e = errno;

	/* lseek moves the file position, which the tests check: put it back. */
	if (cur >= 0)
		(void)lseek(fd, cur, SEEK_SET);
	errno = e;
	if (d < 0)
		return errno == ENXIO ? UINT64_MAX : done;
	return (uint64_t)d - base;
}

int t_same_bytes(int a, uint64_t off_a, int b, uint64_t off_b, uint64_t len)
{
	const size_t bs = 1 << 20;
	unsigned char *x = malloc(bs), *y = malloc(bs);
	int same = 1;

	if (!x || !y)
		t_broken("out of memory");
	for (uint64_t done = 0; done < len && same;) {
		size_t n = len - done < bs ? (size_t)(len - done) : bs;
		ssize_t ra, rb;

		/* Skip ranges that are holes in both: a 4 GiB sparse file compares in no time. */
		uint64_t na = next_data(a, off_a, done), nb = next_data(b, off_b, done);
		uint64_t skip = na < nb ? na : nb;
		if (skip == UINT64_MAX)
			break; /* no data left in either: both read as zeros */
		if (skip > done + bs) {
			done = skip & ~(uint64_t)4095;
			continue;
		}
		ra = pread_full(a, x, n, off_a + done);
		rb = pread_full(b, y, n, off_b + done);
		/* Reading a hole can leave clean page-cache pages over unwritten extents (xfs
		 * preallocation), which SEEK_DATA then reports as data: drop what we read, so
		 * that a later hole-map check sees what the copy left, not what we read. */
		if (t_compare_drops_cache) {
			(void)posix_fadvise(a, (off_t)(off_a + done), (off_t)n,
					    POSIX_FADV_DONTNEED);
			(void)posix_fadvise(b, (off_t)(off_b + done), (off_t)n,
					    POSIX_FADV_DONTNEED);
		}
		if (ra != rb) {
			t_log("length differs near +%" PRIu64 ": %zd != %zd", done, ra, rb);
			same = 0;
		} else {
			same = cmp_bufs(x, y, (size_t)ra, done, "bytes");
		}
		if (ra < (ssize_t)n)
			break;
		done += n;
	}
	free(x);
	free(y);
	return same;
}

uint64_t t_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		t_broken("fstat: %s", strerror(errno));
	return (uint64_t)st.st_size;
}

uint64_t t_alloc_bytes(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		t_broken("fstat: %s", strerror(errno));
	return (uint64_t)st.st_blocks * 512;
}

int t_same_file(int a, int b)
{
	uint64_t sa = t_size(a), sb = t_size(b);

	if (sa != sb) {
		t_log("sizes differ: %" PRIu64 " != %" PRIu64, sa, sb);
		return 0;
	}
	return t_same_bytes(a, 0, b, 0, sa);
}

int t_zeros(int fd, uint64_t off, uint64_t len)
{
	static const unsigned char zero[1 << 16];
	unsigned char *buf = malloc(sizeof(zero));
	int ok = 1;

	if (!buf)
		t_broken("out of memory");
	for (uint64_t done = 0; done < len && ok;) {
		size_t n = len - done < sizeof(zero) ? (size_t)(len - done) : sizeof(zero);
		ssize_t r = pread_full(fd, buf, n, off + done);

		if (r == 0)
			break;
		ok = cmp_bufs(buf, zero, (size_t)r, off + done, "zeros");
		done += (uint64_t)r;
	}
	free(buf);
	return ok;
}

uint64_t t_free_bytes(const char *dir)
{
	struct statvfs sv;
	int fd = t_open(dir, O_RDONLY | O_DIRECTORY, 0);

	/* btrfs and xfs account delayed allocation late: write everything back first. */
	if (syncfs(fd) < 0)
		t_broken("syncfs '%s': %s", dir, strerror(errno));
	close(fd);
	if (statvfs(dir, &sv) < 0)
		t_broken("statvfs '%s': %s", dir, strerror(errno));
	return (uint64_t)sv.f_bfree * sv.f_frsize;
}

uint64_t t_stats_total(const struct splice_direct_stats *s)
{
	uint64_t t = 0;

	for (int i = 0; i < SPLICE_DIRECT_METHODS; i++)
		t += s->bytes[i];
	return t;
}

void t_stats_print(const char *what, const struct splice_direct_stats *s)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s:", what);

	for (unsigned int i = 0; i < SPLICE_DIRECT_METHODS && n < (int)sizeof(line) - 40; i++) {
		if (!s->bytes[i])
			continue;
		const char *name = splice_direct_method_name(i);
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%" PRIu64, name ? name : "?",
			      s->bytes[i]);
	}
	snprintf(line + n, sizeof(line) - (size_t)n, " holes=%" PRIu64, s->holes);
	t_log("%s", line);
}

int t_same_as_kernel(const char *what, int fd_in, const loff_t *off_in, int fd_out,
		     const loff_t *off_out, size_t len, unsigned int flags, int expect_errno)
{
	return t_same_as_kernel_on(what, fd_in, fd_out, fd_in, fd_out, off_in, off_out, len, flags,
				   expect_errno);
}

int t_same_as_kernel_on(const char *what, int fd_in, int fd_out, int lib_in, int lib_out,
			const loff_t *off_in, const loff_t *off_out, size_t len, unsigned int flags,
			int expect_errno)
{
	loff_t ki = off_in ? *off_in : 0, ko = off_out ? *off_out : 0;
	loff_t li = ki, lo = ko;
	ssize_t kr, lr;
	int ke, le;

	errno = 0;
	kr = copy_file_range(fd_in, off_in ? &ki : NULL, fd_out, off_out ? &ko : NULL, len, flags);
	ke = kr < 0 ? errno : 0;
	errno = 0;
	lr = splice_direct(lib_in, off_in ? &li : NULL, lib_out, off_out ? &lo : NULL, len, flags);
	le = lr < 0 ? errno : 0;
	if (ke != expect_errno)
		t_log("note: %s: kernel gives %zd (%s), expected %s", what, kr,
		      ke ? strerror(ke) : "success",
		      expect_errno ? strerror(expect_errno) : "success");
	if (kr != lr || ke != le || ki != li || ko != lo) {
		t_log("FAIL %s: kernel %zd (%s) offsets %lld %lld; splice_direct %zd (%s) offsets "
		      "%lld %lld",
		      what, kr, ke ? strerror(ke) : "ok", (long long)ki, (long long)ko, lr,
		      le ? strerror(le) : "ok", (long long)li, (long long)lo);
		failures++;
		return 0;
	}
	return 1;
}
