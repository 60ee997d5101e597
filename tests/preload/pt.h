/* SPDX-License-Identifier: MIT */
/*
 * pt.h - the few helpers of the preload test programs. These programs stand for unmodified
 * binaries: they are linked against nothing of ours (not even tests/lib, which links the
 * library), and they learn whether the shim is in from argv[1] ("native" or "shim").
 */
#ifndef PT_H
#define PT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SPLICE_F_DIRECT
#define SPLICE_F_DIRECT 0x10u /* the seed's flag; no libc defines it */
#endif

static int pt_failures;

/* Check a condition; on failure print where and what, and count it. */
#define PT_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: %s:%d: %s: ", __FILE__, __LINE__, #cond);                    \
			printf(__VA_ARGS__);                                                       \
			putchar('\n');                                                             \
			pt_failures++;                                                             \
		}                                                                                  \
	} while (0)

/* The fixture itself failed: exit 99. */
#define PT_BROKEN(what)                                                                            \
	do {                                                                                       \
		printf("BROKEN: %s:%d: %s: %s\n", __FILE__, __LINE__, what, strerror(errno));      \
		exit(99);                                                                          \
	} while (0)

static inline int pt_done(void)
{
	return pt_failures ? 1 : 0;
}

/* argv[1]: 1 under the shim, 0 without; anything else is a broken invocation. */
static inline int pt_mode(int argc, char **argv, int nargs)
{
	if (argc != nargs + 1 || (strcmp(argv[1], "native") && strcmp(argv[1], "shim"))) {
		printf("BROKEN: usage: %s native|shim DIR...\n", argv[0]);
		exit(99);
	}
	return strcmp(argv[1], "shim") == 0;
}

/* pt_make's flags: keep the O_RDWR descriptor it created. */
#define PT_RDWR (-1)

/*
 * A new file dir/name with len bytes of a pattern that depends on seed and position, open
 * O_RDWR (PT_RDWR), or reopened with flags (O_RDONLY, O_WRONLY | O_APPEND, ...).
 */
static inline int pt_make(const char *dir, const char *name, size_t len, unsigned int seed,
			  int flags)
{
	char path[4096], buf[65536];
	size_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		PT_BROKEN(path);
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)((done + i) * 2654435761u >> 13 ^ seed);
		if (pwrite(fd, buf, n, (off_t)done) != (ssize_t)n)
			PT_BROKEN("pwrite");
		done += n;
	}
	if (flags != PT_RDWR) {
		close(fd);
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			PT_BROKEN(path);
	}
	return fd;
}

/* 1 when [off_a, off_a + len) of a holds the same bytes as [off_b, off_b + len) of b. */
static inline int pt_same(int a, off_t off_a, int b, off_t off_b, size_t len)
{
	char x[65536], y[65536];

	while (len) {
		size_t n = len < sizeof(x) ? len : sizeof(x);

		if (pread(a, x, n, off_a) != (ssize_t)n || pread(b, y, n, off_b) != (ssize_t)n)
			return 0;
		if (memcmp(x, y, n))
			return 0;
		len -= n;
		off_a += (off_t)n;
		off_b += (off_t)n;
	}
	return 1;
}

#endif /* PT_H */
