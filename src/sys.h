/* SPDX-License-Identifier: MIT */
/*
 * sys.h - one-line system call wrappers that return -errno.
 *
 * splice and copy_file_range go through syscall(2), not libc: the LD_PRELOAD shim interposes
 * those two names, and the library inside the shim must reach the kernel, never itself.
 */
#ifndef SD_SYS_H
#define SD_SYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline long sd_ret(long r)
{
	return r < 0 ? -errno : r;
}

static inline ssize_t sd_sys_copy_file_range(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
					     size_t len, unsigned int flags)
{
	return sd_ret(syscall(SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, flags));
}

static inline ssize_t sd_sys_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
				    size_t len, unsigned int flags)
{
	return sd_ret(syscall(SYS_splice, fd_in, off_in, fd_out, off_out, len, flags));
}

#endif /* SD_SYS_H */
