/* SPDX-License-Identifier: MIT */
/*
 * fuse/offload: within a filesystem whose server copies (sdfuse's copy_file_range), a
 * multi-MB splice_direct, splice_direct_file and an atomic splice_direct_file move no byte
 * through the server's read and write handlers: the library chose offload, and the server's
 * counters prove the data never crossed the client. Holes stay holes (only data is copied).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf.h"

#define SIZE (8ull << 20)

static void check_server_copied(const char *what, const struct tf *f, uint64_t bytes)
{
	struct tf_stats s;

	tf_stats(f, &s);
	tf_stats_print(what, &s);
	T_CHECK(s.read_bytes == 0 && s.write_bytes == 0, "%s: data crossed the client", what);
	T_CHECK(s.cfr_bytes == bytes, "%s: server copied %llu, not %llu", what,
		(unsigned long long)s.cfr_bytes, (unsigned long long)bytes);
	T_CHECK(s.cfr_calls >= 1, "%s: copy_file_range never reached the server", what);
}

static void check_same(const struct tf *f, const char *src, const char *dst)
{
	char *a = tf_back(f, src), *b = tf_back(f, dst);

	T_CHECK(tf_path_size(a) == tf_path_size(b) &&
			tf_sum(a, 0, UINT64_MAX) == tf_sum(b, 0, UINT64_MAX),
		"%s and %s differ on the server", src, dst);
}

int main(void)
{
	struct splice_direct_stats st;
	struct tf f;
	char *src, *dst;
	int in, out;
	ssize_t n;
	uint64_t total = 0;

	tf_mount(&f, "max_threads=4");
	tf_make(&f, "src", SIZE, 0);

	/* splice_direct on two descriptors, file positions (NULL offsets) */
	src = tf_mnt(&f, "src"), dst = tf_mnt(&f, "dst");
	in = t_open(src, O_RDONLY, 0);
	out = t_open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	tf_ctl(&f, "reset");
	memset(&st, 0, sizeof(st));
	while ((n = splice_direct_ex(in, NULL, out, NULL, SIZE, 0, &st)) > 0)
		total += (uint64_t)n;
	T_CHECK(n == 0 && total == SIZE, "splice_direct: %zd, copied %llu", n,
		(unsigned long long)total);
	t_stats_print("splice_direct", &st);
	T_CHECK(st.bytes[SPLICE_DIRECT_OFFLOAD] == SIZE, "not offloaded");
	check_server_copied("splice_direct", &f, SIZE);
	close(in), close(out);
	check_same(&f, "src", "dst");

	/* splice_direct_file, in place and atomic (over an existing file) */
	for (int atomic = 0; atomic < 2; atomic++) {
		unsigned int flags = atomic ? SPLICE_F_ATOMIC : 0;
		const char *what = atomic ? "splice_direct_file ATOMIC" : "splice_direct_file";

		tf_ctl(&f, "reset");
		memset(&st, 0, sizeof(st));
		T_CHECK(splice_direct_file(src, dst, flags, &st) == 0, "%s: %m", what);
		T_CHECK(st.bytes[SPLICE_DIRECT_OFFLOAD] == SIZE, "%s: not offloaded", what);
		check_server_copied(what, &f, SIZE);
		check_same(&f, "src", "dst");
	}

	/* a sparse source: the data is copied by the server, the holes are not copied at all */
	tf_make(&f, "sparse", SIZE, 1);
	char *sparse = tf_mnt(&f, "sparse"), *dst2 = tf_mnt(&f, "dst2");
	tf_ctl(&f, "reset");
	memset(&st, 0, sizeof(st));
	T_CHECK(splice_direct_file(sparse, dst2, 0, &st) == 0, "sparse: %m");
	t_stats_print("sparse", &st);
	check_server_copied("sparse", &f, SIZE / 2);
	T_CHECK(st.holes == SIZE / 2, "holes %llu", (unsigned long long)st.holes);
	check_same(&f, "sparse", "dst2");
	t_done();
}
