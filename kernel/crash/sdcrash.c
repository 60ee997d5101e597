// SPDX-License-Identifier: MIT
/*
 * sdcrash - the crash bed's copies through the library: splice_direct_file(SRC, DST,
 * SPLICE_F_ATOMIC | FLAGS), then the methods that moved the bytes on standard output
 * ("clone 67108864"), for the test to say which path a crash point was taken on.
 *
 *   sdcrash SRC DST [noclone] [nocache] [clone]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "splicedirect.h"

int main(int argc, char **argv)
{
	struct splice_direct_stats st = {0};
	unsigned int flags = SPLICE_F_ATOMIC;

	if (argc < 3) {
		fprintf(stderr, "usage: sdcrash SRC DST [noclone] [nocache] [clone]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "noclone") == 0)
			flags |= SPLICE_F_NOCLONE;
		else if (strcmp(argv[i], "nocache") == 0)
			flags |= SPLICE_F_NOCACHE;
		else if (strcmp(argv[i], "clone") == 0)
			flags |= SPLICE_F_CLONE;
		else {
			fprintf(stderr, "sdcrash: unknown flag '%s'\n", argv[i]);
			return 2;
		}
	}
	if (splice_direct_file(argv[1], argv[2], flags, &st) < 0) {
		fprintf(stderr, "sdcrash: %s -> %s: %s\n", argv[1], argv[2], strerror(errno));
		return 1;
	}
	for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		if (st.bytes[m])
			printf("%s %" PRIu64 "\n", splice_direct_method_name(m), st.bytes[m]);
	return 0;
}
