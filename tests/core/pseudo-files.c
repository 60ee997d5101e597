/* SPDX-License-Identifier: MIT */
/*
 * core/pseudo-files FS: files that report size 0 but have content (/proc/self/status, a
 * /sys file) copy their real content, with NULL offsets and with an offset pointer.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static size_t slurp(const char *path, char *buf, size_t n)
{
	int fd = t_open(path, O_RDONLY, 0);
	size_t got = 0;
	ssize_t r;

	while (got < n && (r = read(fd, buf + got, n - got)) > 0)
		got += (size_t)r;
	close(fd);
	return got;
}

static void one(const char *dir, const char *path, const char *name, int use_offsets)
{
	static char want[65536], got[65536];
	int in = t_open(path, O_RDONLY, 0);
	int out = t_open(t_path(dir, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t oi = 0, oo = 0;

	ssize_t r = use_offsets ? splice_direct(in, &oi, out, &oo, 65536, 0)
				: splice_direct(in, NULL, out, NULL, 65536, 0);
	/* Read the reference afterwards: /proc/self/status changes with our own memory use,
	 * so compare only a line that does not (Name, Pid), and the size roughly. */
	size_t n = slurp(path, want, sizeof(want));
	size_t m = (size_t)pread(out, got, sizeof(got), 0);
	T_CHECK(r > 0 && (size_t)r == m, "%s: returned %zd, file has %zu", path, r, m);
	if (strncmp(path, "/proc", 5) == 0) {
		T_CHECK(m > 100 && !strncmp(got, want, 20), "%s: content '%.20s' vs '%.20s'", path,
			got, want);
		T_CHECK(m + 200 > n && m < n + 200, "%s: %zu bytes, reference %zu", path, m, n);
	} else {
		T_CHECK(m == n && !memcmp(got, want, n), "%s: content differs (%zu vs %zu)", path,
			m, n);
	}
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	const char *din, *dout;
	static const char *const sys[] = {"/sys/kernel/mm/transparent_hugepage/enabled",
					  "/sys/devices/system/cpu/online",
					  "/sys/kernel/osrelease"};
	const char *sysfile = NULL;

	t_mount_args(argc, argv, &din, &dout);
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]) && !sysfile; i++)
		if (access(sys[i], R_OK) == 0)
			sysfile = sys[i];
	one(din, "/proc/self/status", "status", 0);
	one(din, "/proc/self/status", "status2", 1);
	one(din, "/proc/version", "version", 0);
	if (sysfile) {
		one(din, sysfile, "sys", 0);
		one(din, sysfile, "sys2", 1);
	} else {
		t_log("no readable /sys file: only procfs tested");
	}
	t_done();
}
