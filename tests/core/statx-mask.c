/* SPDX-License-Identifier: MIT */
/*
 * core/statx-mask FS: splice_direct_statx() takes the caller's statx only when its stx_mask
 * has every field of SPLICE_DIRECT_STATX_MASK: then it makes no statx of its own; without one
 * of them (or with NULL) it asks the kernel itself. Seen through a seccomp fault that makes
 * every statx fail with EIO and counts it: a copy that needs no statx still succeeds, one that
 * makes its own fails with EIO, exactly as splice_direct_ex() then does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "t.h"

static unsigned long statx_calls(void)
{
	return t_fault_hits(__NR_statx, 0);
}

int main(int argc, char **argv)
{
	const char *din, *dout;
	const uint64_t size = 100 * 1024 + 123;
	static const struct {
		const char *name;
		unsigned int bit;
	} fields[] = {
		{"STATX_TYPE", STATX_TYPE},
		{"STATX_SIZE", STATX_SIZE},
		{"STATX_BLOCKS", STATX_BLOCKS},
		{"STATX_MNT_ID_UNIQUE", 0x4000},
	};

	t_mount_args(argc, argv, &din, &dout);
	int in = t_make_file(t_path(din, "src"), size, 0);
	int out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct statx stx;
	loff_t i = 0, o = 0;
	ssize_t r;

	if (statx(in, "", AT_EMPTY_PATH, SPLICE_DIRECT_STATX_MASK, &stx) < 0)
		t_broken("statx: %s", strerror(errno));
	if ((stx.stx_mask & SPLICE_DIRECT_STATX_MASK) != SPLICE_DIRECT_STATX_MASK)
		t_skip(NULL, "statx has no STATX_MNT_ID_UNIQUE (Linux 6.8+)");
	/* the first copy teaches the library the filesystem: the quick path is open after it */
	if (splice_direct_ex(in, &i, out, &o, SSIZE_MAX, 0, NULL) != (ssize_t)size)
		t_broken("first copy: %s", strerror(errno));

	t_fault(__NR_statx, EIO);

	unsigned long before = statx_calls();
	int out2 = t_open(t_path(dout, "dst2"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	i = 0, o = 0;
	r = splice_direct_statx(in, &stx, &i, out2, &o, SSIZE_MAX, 0, NULL);
	T_CHECK(r == (ssize_t)size, "all fields: returned %zd (%s), want %llu", r,
		r < 0 ? strerror(errno) : "-", (unsigned long long)size);
	T_CHECK(statx_calls() == before, "all fields: the library made %lu statx of its own",
		statx_calls() - before);
	T_CHECK(t_same_file(in, out2), "all fields: content differs");

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		struct statx part = stx;
		int e;

		part.stx_mask &= ~fields[f].bit;
		before = statx_calls();
		i = 0, o = 0;
		errno = 0;
		r = splice_direct_statx(in, &part, &i, out2, &o, SSIZE_MAX, 0, NULL);
		e = errno;
		T_CHECK(statx_calls() > before, "without %s: the library made no statx",
			fields[f].name);
		T_CHECK(r == -1 && e == EIO, "without %s: returned %zd (%s), want EIO",
			fields[f].name, r, strerror(e));
	}

	/* NULL, and the reference: splice_direct_ex() stats the input itself */
	before = statx_calls();
	i = 0, o = 0;
	errno = 0;
	r = splice_direct_statx(in, NULL, &i, out2, &o, SSIZE_MAX, 0, NULL);
	T_CHECK(r == -1 && errno == EIO && statx_calls() > before,
		"NULL: returned %zd (%s) after %lu statx", r, strerror(errno),
		statx_calls() - before);
	i = 0, o = 0;
	errno = 0;
	r = splice_direct_ex(in, &i, out2, &o, SSIZE_MAX, 0, NULL);
	T_CHECK(r == -1 && errno == EIO, "splice_direct_ex: returned %zd (%s), want EIO", r,
		strerror(errno));
	t_done();
}
