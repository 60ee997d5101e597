/* SPDX-License-Identifier: MIT */
/*
 * mkdata - make the benchmark's input data, the same bytes on every run.
 *
 *   mkdata file   PATH SIZE [SEED]                  one file of pseudo-random bytes
 *   mkdata sparse PATH SIZE DATA [CHUNK]            SIZE bytes, DATA of them written in CHUNK
 *                                                   pieces spread evenly, the rest holes
 *   mkdata tree   DIR FILES DIRS MAXSIZE [SEED]     FILES files of 0..MAXSIZE bytes in DIRS
 *                                                   folders; prints the total size in bytes
 *
 * Sizes take a K, M or G suffix (powers of 1024). The bytes are random rather than zeroes so
 * that no filesystem or tool can take a short cut on them; a fixed seed keeps runs comparable.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)

static const char *prog = "mkdata";
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static unsigned char buf[BUF_SIZE];

/* xorshift64*: fast and good enough to defeat compression and zero detection. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void fill(size_t len)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v = rng();
		memcpy(buf + i, &v, 8);
	}
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s '%s': %s\n", prog, what, path, strerror(errno));
	exit(1);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;

	switch (*end) {
	case 'G':
		mul <<= 10;
		/* fall through */
	case 'M':
		mul <<= 10;
		/* fall through */
	case 'K':
		mul <<= 10;
		end++;
		break;
	}
	if (errno || end == s || *end) {
		fprintf(stderr, "%s: invalid size '%s'\n", prog, s);
		exit(2);
	}
	return v * mul;
}

static void write_at(int fd, const char *path, uint64_t off, uint64_t len)
{
	while (len > 0) {
		size_t n = len < BUF_SIZE ? len : BUF_SIZE;
		fill(n);
		ssize_t w = pwrite(fd, buf, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("cannot write", path);
		}
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
}

static void make_file(const char *path, uint64_t size, uint64_t sparse_data, uint64_t chunk)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("cannot create", path);
	if (sparse_data == 0) {
		write_at(fd, path, 0, size);
	} else {
		uint64_t pieces = sparse_data / chunk;
		uint64_t stride = pieces ? size / pieces : size;
		for (uint64_t i = 0; i < pieces; i++)
			write_at(fd, path, i * stride, chunk);
		if (ftruncate(fd, (off_t)size) < 0)
			die("cannot truncate", path);
	}
	if (close(fd) < 0)
		die("cannot close", path);
}

/*
 * File sizes follow max * u^3.4 for uniform u: many small files, a few near the maximum, and a
 * mean of about 0.23 * max (14 KB for 60 KiB), which gives the 20,000 files in ~280 MB.
 */
static uint64_t tree_size(uint64_t max)
{
	double u = (double)(rng() >> 11) / 9007199254740992.0;
	return (uint64_t)((double)(max + 1) * pow(u, 3.4));
}

static void make_tree(const char *dir, unsigned long files, unsigned long dirs, uint64_t max)
{
	/* Two levels: sqrt(dirs)-ish top folders, the rest below them, DIRS folders in all. */
	unsigned long top = (unsigned long)sqrt((double)dirs / 2.0);
	char path[4096];
	uint64_t total = 0;

	if (top < 1)
		top = 1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create directory", dir);
	for (unsigned long d = 0; d < dirs; d++) {
		if (d < top)
			snprintf(path, sizeof(path), "%s/d%03lu", dir, d);
		else
			snprintf(path, sizeof(path), "%s/d%03lu/s%04lu", dir, d % top, d);
		if (mkdir(path, 0755) < 0)
			die("cannot create directory", path);
	}
	for (unsigned long f = 0; f < files; f++) {
		unsigned long d = f % dirs;
		uint64_t size = tree_size(max);
		if (d < top)
			snprintf(path, sizeof(path), "%s/d%03lu/f%05lu", dir, d, f);
		else
			snprintf(path, sizeof(path), "%s/d%03lu/s%04lu/f%05lu", dir, d % top, d, f);
		make_file(path, size, 0, 0);
		total += size;
	}
	printf("%llu\n", (unsigned long long)total);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s file PATH SIZE [SEED]\n"
		"       %s sparse PATH SIZE DATA [CHUNK]\n"
		"       %s tree DIR FILES DIRS MAXSIZE [SEED]\n",
		prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		usage();
	if (!strcmp(argv[1], "file") && argc <= 5) {
		if (argc == 5)
			rng_state ^= parse_size(argv[4]);
		make_file(argv[2], parse_size(argv[3]), 0, 0);
	} else if (!strcmp(argv[1], "sparse") && argc >= 5 && argc <= 6) {
		uint64_t chunk = argc == 6 ? parse_size(argv[5]) : (1u << 20);
		if (chunk == 0)
			usage();
		make_file(argv[2], parse_size(argv[3]), parse_size(argv[4]), chunk);
	} else if (!strcmp(argv[1], "tree") && argc >= 6 && argc <= 7) {
		unsigned long dirs = (unsigned long)parse_size(argv[4]);
		if (argc == 7)
			rng_state ^= parse_size(argv[6]);
		if (dirs == 0)
			usage();
		make_tree(argv[2], (unsigned long)parse_size(argv[3]), dirs, parse_size(argv[5]));
	} else {
		usage();
	}
	return 0;
}
