/* SPDX-License-Identifier: MIT */
/* core/errno-eoverflow FS: offset + len that wraps gives what the kernel gives (EOVERFLOW). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir, *dout;
	loff_t zero = 0, one = 1, big = INT64_MAX - 10, page = 4096;

	t_mount_args(argc, argv, &dir, &dout);
	int in = t_make_file(t_path(dir, "src"), 64 << 10, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	t_same_as_kernel("off_in 1, len SIZE_MAX", in, &one, out, &zero, SIZE_MAX, 0, EOVERFLOW);
	t_same_as_kernel("off_out 1, len SIZE_MAX", in, &zero, out, &one, SIZE_MAX, 0, EOVERFLOW);
	t_same_as_kernel("off_in 4096, len SIZE_MAX - 100", in, &page, out, &zero, SIZE_MAX - 100,
			 0, EOVERFLOW);
	t_same_as_kernel("off_in INT64_MAX-10, len 4096", in, &big, out, &zero, 4096, 0, 0);
	t_same_as_kernel("off_in INT64_MAX-10, len SIZE_MAX/2+100", in, &big, out, &zero,
			 SIZE_MAX / 2 + 100, 0, EOVERFLOW);
	if (lseek(in, 4096, SEEK_SET) != 4096)
		t_broken("lseek");
	t_same_as_kernel("position 4096, len SIZE_MAX", in, NULL, out, &zero, SIZE_MAX, 0,
			 EOVERFLOW);
	T_CHECK(t_size(out) == 0, "destination written");
	t_done();
}
