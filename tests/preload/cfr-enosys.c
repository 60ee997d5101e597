// SPDX-License-Identifier: MIT
/*
 * cfr-enosys.c - copy_file_range under a seccomp filter that answers ENOSYS, as an old kernel
 * or an old container profile does. Without the shim the program sees ENOSYS; with it the
 * copy completes (the library's own copy_file_range is refused too, and it falls back).
 * Reserved flags stay EINVAL under the shim, as on a kernel that has the call.
 *
 * Usage: cfr-enosys native|shim DIR
 */
#include <seccomp.h>

#include "pt.h"

#define SIZE (200 * 1024 + 3)

static void deny_copy_file_range(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	const char *require = getenv("SD_TEST_REQUIRE");

	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(copy_file_range), 0) ||
	    seccomp_load(ctx)) {
		printf("skip: cannot install a seccomp filter\n");
		exit(require && strstr(require, "seccomp") ? 1 : 77);
	}
	seccomp_release(ctx);
}

int main(int argc, char **argv)
{
	int shim = pt_mode(argc, argv, 2);
	int in = pt_make(argv[2], "in", SIZE, 5, O_RDONLY);
	int out = pt_make(argv[2], "out", 0, 0, PT_RDWR);
	loff_t off_in = 0, off_out = 0;
	ssize_t n;

	deny_copy_file_range();
	errno = EDOM;
	n = copy_file_range(in, &off_in, out, &off_out, SIZE, 0);
	if (shim) {
		PT_CHECK(n == SIZE, "n=%zd (%s)", n, strerror(errno));
		PT_CHECK(errno == EDOM, "errno on success changed to %s", strerror(errno));
		PT_CHECK(off_in == SIZE && off_out == SIZE && pt_same(in, 0, out, 0, SIZE),
			 "offsets %lld %lld or bytes", (long long)off_in, (long long)off_out);
	} else {
		PT_CHECK(n == -1 && errno == ENOSYS, "n=%zd errno=%s, want ENOSYS", n,
			 strerror(errno));
	}
	off_in = 0;
	n = copy_file_range(in, &off_in, out, NULL, SIZE, 1);
	PT_CHECK(n == -1 && errno == (shim ? EINVAL : ENOSYS), "flags 1: n=%zd errno=%s", n,
		 strerror(errno));
	return pt_done();
}
