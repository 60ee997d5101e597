/* SPDX-License-Identifier: MIT */
/*
 * core/range-2g FS [FS2]: one call copies a dense data range of more than 2 GiB (past
 * MAX_RW_COUNT, INT_MAX and one sendfile or splice call) without a clone, and returns its
 * full length. Source and destination live on tmpfs (fallocated tmpfs pages count as
 * holes for SEEK_DATA, so the source is really written: about a second); every MiB carries
 * its index, so a misplaced or lost chunk shows. Suite 'slow': 2 GiB through memory.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const uint64_t len = (2ull << 30) + (64 << 20) + 12345;
	struct splice_direct_stats st = {0};
	const char *src_dir, *dst_dir;

	/* argv: "same" (one tmpfs: offload), or a filesystem type for the destination. */
	if (argc < 2)
		t_broken("usage: %s same|FS", argv[0]);
	if (argv[1][0] == 's') {
		dst_dir = src_dir = t_mount(T_TMPFS, "4600M");
	} else {
		src_dir = t_mount(T_TMPFS, "2300M");
		dst_dir = t_mount(t_fs_parse(argv[1]), "2400M");
	}
	int in = t_open(t_path(src_dir, "src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	static unsigned char buf[1 << 20];
	t_fill_random(in, 0, sizeof(buf));
	if (pread(in, buf, sizeof(buf), 0) != sizeof(buf))
		t_broken("pread");
	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		uint64_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);

		memcpy(buf, &off, n < 8 ? n : 8);
		if (pwrite(in, buf, n, (off_t)off) != (ssize_t)n)
			t_broken("pwrite at %" PRIu64 ": %m", off);
	}
	int out = t_open(t_path(dst_dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	loff_t oi = 0, oo = 0;
	ssize_t r = splice_direct_ex(in, &oi, out, &oo, len + 100, SPLICE_F_NOCLONE, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)len, "returned %zd, want %" PRIu64, r, len);
	T_CHECK(oi == (loff_t)len && oo == (loff_t)len, "offsets %lld %lld", (long long)oi,
		(long long)oo);
	T_CHECK(t_size(out) == len, "size %" PRIu64, t_size(out));
	T_CHECK(st.bytes[SPLICE_DIRECT_CLONE] == 0, "cloned");
	T_CHECK(t_same_file(in, out), "content differs");
	t_done();
}
