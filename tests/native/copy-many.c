// SPDX-License-Identifier: MIT
/*
 * copy-many DIR N: copy N files within DIR with splice_direct_ex and print the bytes per
 * method, for native-probe.sh to hold against what strace saw.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	struct splice_direct_stats st = {0};
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc != 3)
		t_broken("usage: copy-many DIR N");
	for (int i = 0; i < n; i++) {
		char src[32], dst[32];
		loff_t off_in = 0, off_out = 0;
		int in, out;

		snprintf(src, sizeof(src), "src-%d", i);
		snprintf(dst, sizeof(dst), "dst-%d", i);
		in = t_make_file(t_path(argv[1], src), 100000 + (uint64_t)i, 0);
		out = t_open(t_path(argv[1], dst), O_RDWR | O_CREAT | O_TRUNC, 0644);
		T_CHECK(splice_direct_ex(in, &off_in, out, &off_out, SIZE_MAX, 0, &st) ==
				100000 + i,
			"copy %d", i);
		T_CHECK(t_same_file(in, out), "copy %d differs", i);
		close(in);
		close(out);
	}
	for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		if (st.bytes[m])
			printf("%s %llu\n", splice_direct_method_name(m),
			       (unsigned long long)st.bytes[m]);
	t_done();
}
