// SPDX-License-Identifier: MIT
/*
 * sd-demo - copy one file with splice_direct_file() and say how it went: the method that
 * moved the bytes, how many were shared and how many written, the time, and how much the
 * page cache grew (cachestat(2) of both files, or /proc/meminfo where it is missing).
 *
 * usage: sd-demo [--noclone] LABEL SRC DST
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <splicedirect.h>

#ifndef SYS_cachestat
#define SYS_cachestat 451 /* Linux 6.5 */
#endif

struct cs_range {
	uint64_t off, len;
};
struct cs {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* Pages of path in the page cache; -1 if the kernel cannot tell. */
static long long cached_pages(const char *path)
{
	struct cs_range range = {0, 0};
	struct cs st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return 0; /* not there yet: nothing cached */
	r = syscall(SYS_cachestat, fd, &range, &st, 0);
	close(fd);
	return r < 0 ? -1 : (long long)st.nr_cache;
}

/* The "Cached:" line of /proc/meminfo, in KiB. */
static long long meminfo_cached_kib(void)
{
	char line[256];
	long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Cached: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long long cache_kib(const char *a, const char *b)
{
	long long pa = cached_pages(a), pb = cached_pages(b);

	if (pa < 0 || pb < 0)
		return meminfo_cached_kib();
	return (pa + pb) * (sysconf(_SC_PAGESIZE) / 1024);
}

static const char *human(uint64_t n, char *buf, size_t size)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(buf, size, i ? "%.2f %s" : "%.0f %s", v, unit[i]);
	return buf;
}

int main(int argc, char **argv)
{
	struct splice_direct_stats st = {0};
	unsigned int flags = 0;
	struct timespec t0, t1;
	char a[32], b[32], methods[128] = "";
	long long before, after;
	uint64_t written = 0;
	double secs;

	if (argc > 1 && strcmp(argv[1], "--noclone") == 0)
		flags |= SPLICE_F_NOCLONE, argv++, argc--;
	if (argc != 4) {
		fprintf(stderr, "usage: sd-demo [--noclone] LABEL SRC DST\n");
		return 2;
	}
	before = cache_kib(argv[2], argv[3]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (splice_direct_file(argv[2], argv[3], flags, &st) < 0) {
		fprintf(stderr, "sd-demo: cannot copy '%s' to '%s': %s\n", argv[2], argv[3],
			strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	after = cache_kib(argv[2], argv[3]);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++) {
		if (!st.bytes[m])
			continue;
		if (m != SPLICE_DIRECT_CLONE)
			written += st.bytes[m];
		snprintf(methods + strlen(methods), sizeof(methods) - strlen(methods), "%s%s",
			 *methods ? "+" : "", splice_direct_method_name(m));
	}
	printf("%-22s %-10s shared %-11s written %-11s %7.2f s   page cache %+lld MiB\n", argv[1],
	       *methods ? methods : "-", human(st.bytes[SPLICE_DIRECT_CLONE], a, sizeof(a)),
	       human(written, b, sizeof(b)), secs, (after - before) / 1024);
	return 0;
}
