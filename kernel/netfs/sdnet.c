// SPDX-License-Identifier: MIT
/*
 * sdnet - one copy through the library's API or the seed's system call, for the network bed.
 *
 *   sdnet range FLAGS SRC DST   splice_direct_ex() of the whole of SRC into DST (created or
 *                               truncated), given offsets, looped until it returns 0
 *   sdnet file FLAGS SRC DST    splice_direct_file(SRC, DST, FLAGS)
 *   sdnet seed FLAGS SRC DST    splice(in, &off, out, &off, len, SPLICE_F_DIRECT), looped: the
 *                               seed's call itself (a kernel with kernel/patches)
 *
 * FLAGS: "-" or a comma list of clone, noclone, nocache, atomic, excl.
 * Prints one line: "copied N native N clone N offload N pipe N sendfile N rw N directio N", or
 * "error ENAME (message)" and exits 1. Exit 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <splicedirect.h>

static unsigned int parse_flags(const char *s)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} names[] = {
		{"clone", SPLICE_F_CLONE},     {"noclone", SPLICE_F_NOCLONE},
		{"nocache", SPLICE_F_NOCACHE}, {"atomic", SPLICE_F_ATOMIC},
		{"excl", SPLICE_F_EXCL},
	};
	char buf[256], *save = NULL;
	unsigned int flags = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(w, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "sdnet: unknown flag '%s'\n", w);
			exit(2);
		}
		flags |= names[i].flag;
	}
	return flags;
}

static int fail(void)
{
	int e = errno;

	printf("error %s (%s)\n", strerrorname_np(e) ? strerrorname_np(e) : "?", strerror(e));
	return 1;
}

int main(int argc, char **argv)
{
	struct splice_direct_stats st = {0};
	unsigned long long total = 0;
	unsigned int flags;
	int in, out;

	if (argc != 5) {
		fprintf(stderr, "usage: sdnet range|file|seed FLAGS SRC DST\n");
		return 2;
	}
	flags = parse_flags(argv[2]);
	if (strcmp(argv[1], "file") == 0) {
		if (splice_direct_file(argv[3], argv[4], flags, &st) < 0)
			return fail();
		for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
			total += st.bytes[m];
	} else if (strcmp(argv[1], "range") == 0 || strcmp(argv[1], "seed") == 0) {
		loff_t off_in = 0, off_out = 0;
		ssize_t n;

		in = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (in < 0)
			return fail();
		out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			return fail();
		do {
			if (argv[1][0] == 'r')
				n = splice_direct_ex(in, &off_in, out, &off_out, SSIZE_MAX, flags,
						     &st);
			else
				n = splice(in, &off_in, out, &off_out, SSIZE_MAX,
					   SPLICE_F_DIRECT | flags);
			if (n > 0)
				total += (unsigned long long)n;
		} while (n > 0);
		if (n < 0)
			return fail();
		if (close(out) < 0)
			return fail();
		close(in);
	} else {
		fprintf(stderr, "usage: sdnet range|file|seed FLAGS SRC DST\n");
		return 2;
	}
	printf("copied %llu", total);
	for (unsigned int m = SPLICE_DIRECT_NATIVE; m <= SPLICE_DIRECT_DIRECTIO; m++)
		printf(" %s %llu", splice_direct_method_name(m), (unsigned long long)st.bytes[m]);
	printf("\n");
	return 0;
}
