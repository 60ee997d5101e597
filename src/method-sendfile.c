// SPDX-License-Identifier: MIT
/*
 * method-sendfile.c - sendfile(2): an in-kernel copy to any file (since 2.6.33), for when
 * splice is blocked (seccomp) but sendfile is not.
 *
 * sendfile writes at the output's file position, not at an offset: the position is moved to
 * off_out for the call and put back after it, so a caller's position is left as it was. That
 * is not atomic against another thread using the same descriptor; neither is the fallback.
 */
#include <sys/sendfile.h>
#include <unistd.h>

#include "internal.h"

static ssize_t sendfile_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	off_t i = (off_t)off_in, pos;
	ssize_t r;

	pos = lseek(c->out.fd, 0, SEEK_CUR);
	if (pos < 0 || lseek(c->out.fd, (off_t)off_out, SEEK_SET) < 0)
		return -errno;
	r = sendfile(c->out.fd, c->in.fd, &i, sd_min(len, SD_MAX_RW));
	if (r < 0)
		r = -errno;
	(void)lseek(c->out.fd, pos, SEEK_SET);
	if (r >= 0)
		return r;
	/* EINVAL: an input without splice_read */
	return sd_refusal(c, r, SD_NOT_HERE);
}

const struct sd_method sd_method_sendfile = {
	.name = "sendfile",
	.id = SPLICE_DIRECT_SENDFILE,
	.props = SD_PAGE_CACHE,
	.copy = sendfile_copy,
};
