/* SPDX-License-Identifier: MIT */
/*
 * core/errno-efbig FS: an output offset past the filesystem's largest file (2^62 is past
 * ext4's 16 TiB) gives what the kernel gives (EFBIG), and so does one just below the limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir, *dout;
	loff_t zero = 0;

	t_mount_args(argc, argv, &dir, &dout);
	int in = t_make_file(t_path(dir, "src"), 64 << 10, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	static const loff_t offs[] = {1ll << 62, (1ll << 62) - 4096, INT64_MAX - 4096, INT64_MAX,
				      1ll << 44, (1ll << 44) - 100,  1ll << 46};
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		char what[64];
		loff_t o = offs[i];

		snprintf(what, sizeof(what), "off_out %lld", (long long)o);
		t_same_as_kernel(what, in, &zero, out, &o, 4096, 0,
				 o >= (1ll << 44) - 4096 ? EFBIG : 0);
	}
	/* Through the file position: lseek there, NULL offset. */
	if (lseek(out, 1ll << 50, SEEK_SET) >= 0) {
		t_same_as_kernel("position 2^50", in, &zero, out, NULL, 4096, 0, EFBIG);
	}
	t_done();
}
