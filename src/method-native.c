// SPDX-License-Identifier: MIT
/*
 * method-native.c - splice(fd_in, &off_in, fd_out, &off_out, len, SPLICE_F_DIRECT): the seed's
 * call, in a kernel that has it (kernel/patches/ of this project). The kernel then runs the
 * whole chain itself: the filesystem's own copy, a clone, the in-kernel copy, across
 * filesystems too.
 *
 * The first call is the probe: every kernel without the series answers EINVAL to the flag
 * (SPLICE_F_ALL is 0x0f), and that refusal is kept for the process (SD_NOT_EVER), so an
 * unpatched kernel costs one failed splice per process. It is used for plain copies only:
 * the kernel may clone (not for SPLICE_F_NOCLONE), may not (not for SPLICE_F_CLONE), and goes
 * through the page cache (not for SPLICE_F_NOCACHE).
 */
#include "internal.h"
#include "sys.h"

static ssize_t native_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	loff_t i = (loff_t)off_in, o = (loff_t)off_out;
	ssize_t r;

	r = sd_sys_splice(c->in.fd, &i, c->out.fd, &o, sd_min(len, SD_MAX_RW), SPLICE_F_DIRECT);
	if (r >= 0)
		return r;
	/* EINVAL: the arguments were checked already; this kernel has no SPLICE_F_DIRECT */
	return sd_refusal(c, r, SD_NOT_EVER);
}

const struct sd_method sd_method_native = {
	.name = "native",
	.id = SPLICE_DIRECT_NATIVE,
	.props = SD_PLAIN_ONLY | SD_MAY_SHARE | SD_PAGE_CACHE,
	.copy = native_copy,
};
