/* SPDX-License-Identifier: MIT */
/* core/errno-eisdir FS: a directory on either side gives what the kernel gives (EISDIR). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
	const char *dir, *dout;
	loff_t zero = 0;

	t_mount_args(argc, argv, &dir, &dout);
	int in = t_make_file(t_path(dir, "src"), 64 << 10, 0);
	int out = t_open(t_path(dir, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *sub = t_path(dir, "sub");
	if (mkdir(sub, 0755) < 0)
		t_broken("mkdir");
	int d = t_open(sub, O_RDONLY | O_DIRECTORY, 0);

	t_same_as_kernel("dir in", d, NULL, out, NULL, 4096, 0, EISDIR);
	t_same_as_kernel("dir in, offsets", d, &zero, out, &zero, 4096, 0, EISDIR);
	t_same_as_kernel("dir out", in, NULL, d, NULL, 4096, 0, EISDIR);
	t_same_as_kernel("dir both", d, &zero, d, &zero, 4096, 0, EISDIR);
	t_done();
}
