/* SPDX-License-Identifier: MIT */
/*
 * sdcopy - the benchmark's own small driver over libsplicedirect, for use until sdcp exists
 * (and for range copies, which cp-like commands cannot express).
 *
 *   sdcopy [-n] [-s STATS] SRC DST                  copy one regular file (splice_direct_file)
 *   sdcopy [-n] [-s STATS] -r SRC DST               copy a tree: folders, files, symbolic links
 *   sdcopy [-n] [-s STATS] -R OFF_IN OFF_OUT LEN SRC DST
 *                                                   copy LEN bytes of SRC at OFF_IN over DST
 *                                                   at OFF_OUT (splice_direct_ex with offsets)
 *
 * -n asks for SPLICE_F_NOCLONE, -c for SPLICE_F_NOCACHE. -s writes how the bytes were moved ("clone", "offload+pipe",
 * ...) to STATS, for the benchmark's "method" column. Like `cp -r`, it copies content and
 * permission bits, not owners or times. One thread: it measures the library, not a scheduler.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "splicedirect.h"

static struct splice_direct_stats stats;
static unsigned int copy_flags;
static int failed;

static void complain(const char *what, const char *path)
{
	fprintf(stderr, "sdcopy: %s '%s': %s\n", what, path, strerror(errno));
	failed = 1;
}

static int copy_tree(const char *src, const char *dst);

static void copy_entry(const char *src, const char *dst, unsigned char type)
{
	struct stat st;

	if (type == DT_UNKNOWN) {
		if (lstat(src, &st) < 0) {
			complain("cannot stat", src);
			return;
		}
		type = S_ISDIR(st.st_mode)   ? DT_DIR
		       : S_ISREG(st.st_mode) ? DT_REG
		       : S_ISLNK(st.st_mode) ? DT_LNK
					     : DT_UNKNOWN;
	}
	if (type == DT_DIR) {
		copy_tree(src, dst);
	} else if (type == DT_REG) {
		if (splice_direct_file(src, dst, copy_flags | SPLICE_F_EXCL, &stats) < 0)
			complain("cannot copy", src);
	} else if (type == DT_LNK) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof(target) - 1);
		if (n < 0) {
			complain("cannot read link", src);
			return;
		}
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			complain("cannot create link", dst);
	} else {
		fprintf(stderr, "sdcopy: skipping '%s': not a file, folder or link\n", src);
	}
}

static int copy_tree(const char *src, const char *dst)
{
	struct stat st;
	char s[4096], d[4096];
	struct dirent *e;
	DIR *dir;

	if (stat(src, &st) < 0) {
		complain("cannot stat", src);
		return -1;
	}
	/* Owner-writable while we fill it; the real mode is set once the folder is complete. */
	if (mkdir(dst, (st.st_mode & 07777) | 0700) < 0) {
		complain("cannot create directory", dst);
		return -1;
	}
	dir = opendir(src);
	if (!dir) {
		complain("cannot open directory", src);
		return -1;
	}
	while ((errno = 0, e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= sizeof(s) ||
		    (size_t)snprintf(d, sizeof(d), "%s/%s", dst, e->d_name) >= sizeof(d)) {
			errno = ENAMETOOLONG;
			complain("cannot copy", src);
			continue;
		}
		copy_entry(s, d, e->d_type);
	}
	if (errno)
		complain("cannot read directory", src);
	closedir(dir);
	if (chmod(dst, st.st_mode & 07777) < 0)
		complain("cannot set permissions of", dst);
	return 0;
}

static long long parse_off(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "sdcopy: invalid number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void copy_range(const char *src, const char *dst, loff_t off_in, loff_t off_out, size_t len)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		complain("cannot open", src);
		return;
	}
	int out = open(dst, O_WRONLY | O_CLOEXEC);
	if (out < 0) {
		complain("cannot open", dst);
		close(in);
		return;
	}
	while (len > 0) {
		ssize_t n = splice_direct_ex(in, &off_in, out, &off_out, len, copy_flags, &stats);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			complain("cannot copy", src);
			break;
		}
		if (n == 0)
			break; /* end of the source */
		len -= (size_t)n;
	}
	close(in);
	if (close(out) < 0)
		complain("cannot close", dst);
}

/* "clone", "offload+pipe", "holes" ...: the methods that moved bytes, most bytes first. */
static void write_stats(const char *path)
{
	int done[SPLICE_DIRECT_METHODS] = {0};
	const char *sep = "";
	FILE *f = fopen(path, "we");

	if (!f) {
		complain("cannot create", path);
		return;
	}
	for (;;) {
		int best = -1;
		for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
			if (!done[m] && stats.bytes[m] &&
			    (best < 0 || stats.bytes[m] > stats.bytes[best]))
				best = m;
		if (best < 0)
			break;
		done[best] = 1;
		const char *name = splice_direct_method_name((unsigned int)best);
		fprintf(f, "%s%s", sep, name ? name : "?");
		sep = "+";
	}
	if (stats.holes)
		fprintf(f, "%sholes", sep);
	fprintf(f, "\n");
	if (fclose(f) != 0)
		complain("cannot write", path);
}

static void usage(void)
{
	fprintf(stderr, "usage: sdcopy [-n] [-s STATS] [-r] SRC DST\n"
			"       sdcopy [-n] [-s STATS] -R OFF_IN OFF_OUT LEN SRC DST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *stats_path = NULL;
	int tree = 0, range = 0, opt;

	while ((opt = getopt(argc, argv, "cnrRs:")) != -1) {
		switch (opt) {
		case 'c':
			copy_flags |= SPLICE_F_NOCACHE;
			break;
		case 'n':
			copy_flags |= SPLICE_F_NOCLONE;
			break;
		case 'r':
			tree = 1;
			break;
		case 'R':
			range = 1;
			break;
		case 's':
			stats_path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (range) {
		if (argc != 5 || tree)
			usage();
		copy_range(argv[3], argv[4], parse_off(argv[0]), parse_off(argv[1]),
			   (size_t)parse_off(argv[2]));
	} else if (argc != 2) {
		usage();
	} else if (tree) {
		copy_tree(argv[0], argv[1]);
	} else if (splice_direct_file(argv[0], argv[1], copy_flags, &stats) < 0) {
		complain("cannot copy", argv[0]);
	}
	if (stats_path)
		write_stats(stats_path);
	return failed;
}
