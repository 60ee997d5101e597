/* SPDX-License-Identifier: MIT */
/*
 * sdtest.h - helpers shared by the guest tests of the SPLICE_F_DIRECT series.
 *
 * Each guest test is a static program run by the initramfs' init. It prints one line per
 * check: "PASS name", "FAIL name: why" or "SKIP name: why"; kernel/run counts those lines.
 * The exit status is 1 if any check failed, 99 if the fixture broke, else 0.
 */
#ifndef SDTEST_H
#define SDTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SPLICE_F_DIRECT
#define SPLICE_F_DIRECT 0x10u /* what the series adds; glibc does not know it */
#endif

static int sd_failed;
static const char *sd_prog = "test";

static void sd_result(const char *word, const char *name, const char *fmt, va_list ap)
{
	const char *tag = getenv("SD_TAG");

	/* SD_TAG names the file systems under test, so that results of several runs differ. */
	if (tag && *tag)
		printf("%s %s[%s]/%s", word, sd_prog, tag, name);
	else
		printf("%s %s/%s", word, sd_prog, name);
	if (fmt) {
		fputs(": ", stdout);
		vprintf(fmt, ap);
	}
	putchar('\n');
	fflush(stdout);
}

static inline void pass(const char *name)
{
	va_list ap;

	sd_result("PASS", name, NULL, ap);
}

__attribute__((format(printf, 2, 3))) static inline void fail(const char *name, const char *fmt,
							      ...)
{
	va_list ap;

	va_start(ap, fmt);
	sd_result("FAIL", name, fmt, ap);
	va_end(ap);
	sd_failed = 1;
}

__attribute__((format(printf, 2, 3))) static inline void skip(const char *name, const char *fmt,
							      ...)
{
	va_list ap;

	va_start(ap, fmt);
	sd_result("SKIP", name, fmt, ap);
	va_end(ap);
}

/* A broken fixture is not a verdict on the kernel: say so and stop. */
__attribute__((format(printf, 1, 2), noreturn)) static inline void broken(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL %s[%s]/fixture: ", sd_prog, getenv("SD_TAG") ? getenv("SD_TAG") : "");
	vprintf(fmt, ap);
	printf(" (%s)\n", strerror(errno));
	va_end(ap);
	fflush(stdout);
	exit(99);
}

static inline int sd_exit(void)
{
	return sd_failed ? 1 : 0;
}

/* The raw call, so that no libc wrapper rewrites arguments or errno. */
static inline ssize_t sd_splice(int in, loff_t *off_in, int out, loff_t *off_out, size_t len,
				unsigned int flags)
{
	return syscall(SYS_splice, in, off_in, out, off_out, len, flags);
}

static inline ssize_t sd_cfr(int in, loff_t *off_in, int out, loff_t *off_out, size_t len)
{
	return syscall(SYS_copy_file_range, in, off_in, out, off_out, len, 0u);
}

/* Byte i of a pattern that differs per seed and per position, so misplaced data shows. */
static inline unsigned char sd_byte(unsigned int seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32);

	x ^= x >> 29;
	return (unsigned char)(x * 0xbf58476d1ce4e5b9ull >> 56);
}

/* Write the pattern for [off, off + len) at that offset of fd. */
static inline void sd_fill(int fd, unsigned int seed, uint64_t off, uint64_t len)
{
	static unsigned char buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = sd_byte(seed, off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			broken("pwrite");
		off += n;
		len -= n;
	}
}

/* Create (truncate) path and fill it with size bytes of pattern seed; returns an O_RDWR fd. */
static inline int sd_make(const char *path, unsigned int seed, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		broken("open %s", path);
	sd_fill(fd, seed, 0, size);
	return fd;
}

/*
 * Compare len bytes of fd at off with the pattern seed at pat_off. Returns -1 when all match,
 * else the offset (in fd) of the first difference.
 */
static inline int64_t sd_diff(int fd, uint64_t off, unsigned int seed, uint64_t pat_off,
			      uint64_t len)
{
	static unsigned char buf[1 << 16];
	uint64_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t r = pread(fd, buf, n, off + done);

		if (r <= 0)
			return off + done;
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != sd_byte(seed, pat_off + done + i))
				return off + done + i;
		done += r;
	}
	return -1;
}

/* Compare len bytes of two fds at the given offsets. Returns -1 when equal. */
static inline int64_t sd_cmp(int a, uint64_t off_a, int b, uint64_t off_b, uint64_t len)
{
	static unsigned char x[1 << 16], y[1 << 16];
	uint64_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(x) ? len - done : sizeof(x);
		ssize_t ra = pread(a, x, n, off_a + done);
		ssize_t rb = pread(b, y, n, off_b + done);

		if (ra <= 0 || ra != rb)
			return done;
		if (memcmp(x, y, ra)) {
			for (ssize_t i = 0; i < ra; i++)
				if (x[i] != y[i])
					return done + i;
		}
		done += ra;
	}
	return -1;
}

static inline char *sd_path(const char *dir, const char *name)
{
	static char buf[8][4096];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static inline off_t sd_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		broken("fstat");
	return st.st_size;
}

/* "ret -1 errno E" or "ret N" for messages. */
static inline const char *sd_ret(ssize_t ret, int err)
{
	static char bufs[4][128];
	static int next;
	char *buf = bufs[next++ % 4];
	const char *name = strerrorname_np(err);

	if (ret < 0)
		snprintf(buf, sizeof(bufs[0]), "returned -1, errno %s", name ? name : "?");
	else
		snprintf(buf, sizeof(bufs[0]), "returned %zd", ret);
	return buf;
}

#endif
