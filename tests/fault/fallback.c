/* SPDX-License-Identifier: MIT */
/*
 * fault/fallback CALLS ERRNO FS [FS2]: seccomp makes each system call in CALLS (a comma list
 * of clone, copy_file_range, splice, sendfile) fail with ERRNO. The copies still complete,
 * correct, by a later method (stats), the first faulted call was really tried, and when the
 * refusal is a property of the system (ENOSYS, EXDEV, EOPNOTSUPP) it is not tried again on the
 * next calls for the same pair of filesystems.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "t.h"

#define COPIES 5

static const struct {
	const char *name;
	unsigned int method;
} calls[] = {
	{"clone", SPLICE_DIRECT_CLONE},
	{"copy_file_range", SPLICE_DIRECT_OFFLOAD},
	{"splice", SPLICE_DIRECT_PIPE},
	{"sendfile", SPLICE_DIRECT_SENDFILE},
};

static int parse_errno(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} errs[] = {{"ENOSYS", ENOSYS},
		    {"EXDEV", EXDEV},
		    {"EOPNOTSUPP", EOPNOTSUPP},
		    {"EINVAL", EINVAL},
		    {"EPERM", EPERM}};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (!strcmp(s, errs[i].name))
			return errs[i].err;
	t_broken("unknown errno '%s'", s);
}

static void fault(unsigned int method, int err)
{
	switch (method) {
	case SPLICE_DIRECT_CLONE:
		t_fault_ioctl(FICLONERANGE, err);
		t_fault_ioctl(FICLONE, err);
		break;
	case SPLICE_DIRECT_OFFLOAD:
		t_fault(__NR_copy_file_range, err);
		break;
	case SPLICE_DIRECT_PIPE:
		t_fault(__NR_splice, err);
		break;
	case SPLICE_DIRECT_SENDFILE:
		t_fault(__NR_sendfile, err);
		break;
	}
}

static unsigned long hits(unsigned int method)
{
	switch (method) {
	case SPLICE_DIRECT_CLONE:
		return t_fault_hits(__NR_ioctl, FICLONERANGE) + t_fault_hits(__NR_ioctl, FICLONE);
	case SPLICE_DIRECT_OFFLOAD:
		return t_fault_hits(__NR_copy_file_range, 0);
	case SPLICE_DIRECT_PIPE:
		return t_fault_hits(__NR_splice, 0);
	default:
		return t_fault_hits(__NR_sendfile, 0);
	}
}

int main(int argc, char **argv)
{
	const char *din, *dout;
	unsigned int faulted = 0, first = SPLICE_DIRECT_METHODS;
	int in[COPIES], out[COPIES];
	const uint64_t size = 3 * (64 << 10) * 5 + 1000;

	if (argc < 4)
		t_broken("usage: %s CALLS ERRNO FS [FS2]", argv[0]);
	int err = parse_errno(argv[2]);
	t_mount_args(argc - 2, argv + 2, &din, &dout);
	for (int i = 0; i < COPIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "src%d", i);
		in[i] = t_make_file(t_path(din, name), size, 1);
		snprintf(name, sizeof(name), "dst%d", i);
		out[i] = t_open(t_path(dout, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
	}
	uint64_t data = t_data_bytes(in[0]);

	/* Faults last: mkfs and losetup would inherit the filter. */
	char *list = strdup(argv[1]);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t i = 0;

		while (i < sizeof(calls) / sizeof(calls[0]) && strcmp(tok, calls[i].name))
			i++;
		if (i == sizeof(calls) / sizeof(calls[0]))
			t_broken("unknown call '%s'", tok);
		fault(calls[i].method, err);
		faulted |= 1u << calls[i].method;
		if (first == SPLICE_DIRECT_METHODS)
			first = calls[i].method;
	}

	unsigned long after_first = 0;
	for (int i = 0; i < COPIES; i++) {
		struct splice_direct_stats st = {0};
		loff_t oi = 0, oo = 0;
		ssize_t r = i & 1 ? splice_direct_ex(in[i], NULL, out[i], NULL, size, 0, &st)
				  : splice_direct_ex(in[i], &oi, out[i], &oo, SIZE_MAX, 0, &st);
		char what[32];

		snprintf(what, sizeof(what), "copy %d", i);
		t_stats_print(what, &st);
		T_CHECK(r == (ssize_t)size, "%s: returned %zd (%s), want %" PRIu64, what, r,
			r < 0 ? strerror(errno) : "-", size);
		T_CHECK(t_same_file(in[i], out[i]), "%s: content differs", what);
		T_CHECK(t_same_data_map(in[i], out[i]), "%s: holes differ", what);
		T_CHECK(t_stats_total(&st) >= data, "%s: stats count %" PRIu64 " of %" PRIu64, what,
			t_stats_total(&st), data);
		for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++)
			T_CHECK(!(faulted & (1u << m)) || st.bytes[m] == 0,
				"%s: faulted method %s counted %" PRIu64 " bytes", what,
				splice_direct_method_name(m), st.bytes[m]);
		if (i == 0)
			after_first = hits(first);
	}
	unsigned long total = hits(first);
	t_log("%s refused %lu times in the first call, %lu in all %d", argv[1], after_first, total,
	      COPIES);
	T_CHECK(after_first >= 1, "the faulted %s was never tried: the fault proved nothing",
		argv[1]);
	if (err == ENOSYS || err == EXDEV || err == EOPNOTSUPP)
		T_CHECK(total == after_first,
			"refused with %s, yet tried again: %lu times in %d calls after the first",
			argv[2], total - after_first, COPIES - 1);
	t_done();
}
