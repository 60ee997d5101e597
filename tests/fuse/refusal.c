/* SPDX-License-Identifier: MIT */
/*
 * fuse/refusal MODE: sdfuse's copy_file_range answers MODE (eopnotsupp, exdev, enosys, or
 * short: 64 KiB per call). Every copy still completes with the right bytes, and the counters
 * show who moved them:
 *   short        the server copied everything, in many calls, nothing crossed the client;
 *   eopnotsupp,  the kernel's FUSE client falls back by itself (fs/fuse/file.c splices through
 *   exdev        the server's read and write handlers): the library is never told, so it
 *                cannot remember; the server is asked once per data range, never more;
 *   enosys       the kernel remembers for the whole connection: after the first call the
 *                server is never asked again, the later files go through read/write directly.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf.h"

#define SIZE  (4ull << 20)
#define FILES 3

int main(int argc, char **argv)
{
	struct splice_direct_stats st;
	struct tf_stats s, prev = {0};
	struct tf f;
	const char *mode = argc > 1 ? argv[1] : "";
	int is_short = !strcmp(mode, "short"), enosys = !strcmp(mode, "enosys");

	if (!is_short && !enosys && strcmp(mode, "eopnotsupp") && strcmp(mode, "exdev"))
		t_broken("usage: refusal eopnotsupp|exdev|enosys|short");
	tf_mount(&f, "max_threads=4");
	tf_ctl(&f, "reset\ncfr %s\ncfr_max 65536", mode);

	for (int i = 0; i < FILES; i++) {
		char name[32], copy[32];
		uint64_t sum, total = 0;
		ssize_t n;

		snprintf(name, sizeof(name), "src%d", i);
		snprintf(copy, sizeof(copy), "dst%d", i);
		sum = tf_make(&f, name, SIZE + (uint64_t)i * 4099, 0);
		char *src = tf_mnt(&f, name), *dst = tf_mnt(&f, copy), *bdst = tf_back(&f, copy);
		int in = t_open(src, O_RDONLY, 0), out = t_open(dst, O_WRONLY | O_CREAT, 0644);

		memset(&st, 0, sizeof(st));
		while ((n = splice_direct_ex(in, NULL, out, NULL, SIZE * 2, 0, &st)) > 0)
			total += (uint64_t)n;
		close(in), close(out);
		T_CHECK(n == 0 && total == SIZE + (uint64_t)i * 4099, "file %d: %zd, copied %llu",
			i, n, (unsigned long long)total);
		T_CHECK(tf_sum(bdst, 0, UINT64_MAX) == sum, "file %d: wrong bytes", i);
		t_stats_print(name, &st);
		tf_stats(&f, &s);
		tf_stats_print(name, &s);

		uint64_t calls = s.cfr_calls - prev.cfr_calls, rb = s.read_bytes - prev.read_bytes,
			 wb = s.write_bytes - prev.write_bytes, cb = s.cfr_bytes - prev.cfr_bytes;
		if (is_short) {
			T_CHECK(cb == total && rb == 0 && wb == 0, "file %d: not all by the server",
				i);
			T_CHECK(calls == (total + 65535) / 65536, "file %d: %llu calls", i,
				(unsigned long long)calls);
		} else {
			T_CHECK(cb == 0 && wb == total && rb >= total,
				"file %d: the fallback did not move the bytes", i);
			/* ENOSYS is remembered by the kernel: asked once per connection */
			T_CHECK(calls == (enosys ? (i == 0) : 1u),
				"file %d: server asked %llu times", i, (unsigned long long)calls);
		}
		prev = s;
	}
	t_done();
}
