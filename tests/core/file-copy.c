/* SPDX-License-Identifier: MIT */
/*
 * core/file-copy FS [FS2]: splice_direct_file copies content, holes and permission bits, into
 * a new path and over an existing, longer file; stats add up.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *din, *dout;
	struct splice_direct_stats st = {0};
	struct stat s;
	const uint64_t size = 2 * 1024 * 1024 + 99;

	t_mount_args(argc, argv, &din, &dout);
	char *src = t_path(din, "src"), *dst = t_path(dout, "dst");
	int in = t_make_file(src, size, 1);
	if (fchmod(in, 0640) < 0)
		t_broken("fchmod");

	int rc = splice_direct_file(src, dst, 0, &st);
	t_stats_print("stats", &st);
	T_CHECK(rc == 0, "splice_direct_file: %d (%m)", rc);
	int out = t_open(dst, O_RDONLY, 0);
	T_CHECK(t_same_file(in, out), "content differs");
	T_CHECK(t_same_data_map(in, out), "holes differ");
	T_CHECK(fstat(out, &s) == 0 && (s.st_mode & 07777) == 0640, "mode %o", s.st_mode & 07777);
	T_CHECK(t_stats_total(&st) + st.holes == size, "stats: %" PRIu64 " + %" PRIu64,
		t_stats_total(&st), st.holes);
	close(out);

	/* Over an existing, longer file with other data and mode: replaced, truncated. */
	char *old = t_path(dout, "old");
	int o = t_make_file(old, 3 * size, 0);
	fchmod(o, 0600);
	close(o);
	rc = splice_direct_file(src, old, 0, NULL);
	T_CHECK(rc == 0, "over existing: %d (%m)", rc);
	out = t_open(old, O_RDONLY, 0);
	T_CHECK(t_same_file(in, out), "over existing: content differs");
	T_CHECK(t_same_data_map(in, out), "over existing: holes differ");
	close(out);

	/* ATOMIC into a new path, and over an existing one. */
	char *dst2 = t_path(dout, "atomic");
	rc = splice_direct_file(src, dst2, SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == 0, "atomic new: %d (%m)", rc);
	rc = splice_direct_file(src, old, SPLICE_F_ATOMIC, NULL);
	T_CHECK(rc == 0, "atomic over existing: %d (%m)", rc);
	out = t_open(old, O_RDONLY, 0);
	T_CHECK(t_same_file(in, out) && t_same_data_map(in, out), "atomic: content differs");
	T_CHECK(fstat(out, &s) == 0 && (s.st_mode & 07777) == 0640, "atomic: mode %o",
		s.st_mode & 07777);
	t_done();
}
