/* SPDX-License-Identifier: MIT */
/*
 * method/copy-pair FS [FS2]: a sparse file copied within one filesystem or between two is
 * identical, keeps its holes, and was moved by the method the issue names for that pair:
 * clone within btrfs/xfs, offload (copy_file_range) within ext4/tmpfs, pipe across mounts.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *din, *dout;
	const uint64_t size = 20 * (64 << 10) + 777; /* data, hole, data, ..., odd tail */
	struct splice_direct_stats st = {0};
	unsigned int want;

	t_mount_args(argc, argv, &din, &dout);
	want = t_expected_method();
	int in = t_make_file(t_path(din, "src"), size, 1);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint64_t data = t_data_bytes(in);

	ssize_t r = splice_direct_ex(in, NULL, out, NULL, size, 0, &st);
	t_stats_print("stats", &st);
	T_CHECK(r == (ssize_t)size, "returned %zd, want %" PRIu64, r, size);
	T_CHECK(t_size(out) == size, "size %" PRIu64, t_size(out));
	T_CHECK(t_same_file(in, out), "content differs");
	T_CHECK(t_same_data_map(in, out), "hole map differs");
	uint64_t ai = t_alloc_bytes(in), ao = t_alloc_bytes(out);
	t_log("st_blocks*512: src %" PRIu64 " dst %" PRIu64 " data %" PRIu64, ai, ao, data);
	T_CHECK(ao <= ai + (128 << 10) && ao + (128 << 10) >= data,
		"destination allocates %" PRIu64 " bytes for %" PRIu64 " of data", ao, data);
	T_CHECK(st.bytes[want] >= data, "method %s moved %" PRIu64 " bytes, want >= %" PRIu64,
		splice_direct_method_name(want), st.bytes[want], data);
	T_CHECK(t_stats_total(&st) == st.bytes[want], "other methods moved bytes too");
	T_CHECK(t_stats_total(&st) + st.holes == size,
		"moved %" PRIu64 " + holes %" PRIu64 " != %" PRIu64, t_stats_total(&st), st.holes,
		size);
	T_CHECK(lseek(in, 0, SEEK_CUR) == (off_t)size, "input position not advanced");
	T_CHECK(lseek(out, 0, SEEK_CUR) == (off_t)size, "output position not advanced");
	t_done();
}
