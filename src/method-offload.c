// SPDX-License-Identifier: MIT
/*
 * method-offload.c - copy_file_range(2): the kernel copies, or hands the copy to the file
 * server (NFS 4.2, SMB3, CephFS, FUSE 7.28+): the seed's server-side copy.
 *
 * Refusals: ENOSYS before Linux 4.5 or under a seccomp filter; EXDEV across filesystems (all
 * pairs before 5.3, different types since 5.19); EOPNOTSUPP on filesystems and FUSE servers
 * that decline; EPERM from some seccomp profiles; EINVAL from filesystems that cannot serve
 * this file (the arguments themselves were checked already). On btrfs and xfs it clones within
 * one filesystem, so plan.c keeps it away from SPLICE_F_NOCLONE copies there.
 */
#include <pthread.h>

#include "internal.h"
#include "sys.h"

/*
 * Linux 6.18 first asks a FUSE server for FUSE_COPY_FILE_RANGE_64; a server that does not know
 * it (libfuse before 3.17) answers ENOSYS, and the kernel falls back to the older request for
 * good. Two first calls at once both get that ENOSYS, and the kernel takes the second one's for
 * the older request's: it then never offers the server a copy on that mount again, and copies
 * through the client (seen in tests/fuse, one run in some tens). So the first calls on a FUSE
 * mount run one at a time, until one has gone through.
 */
static pthread_mutex_t fuse_first = PTHREAD_MUTEX_INITIALIZER;
static dev_t fuse_settled[16];
static unsigned int fuse_nsettled;

static ssize_t fuse_copy(struct sd_copy *c, loff_t *i, loff_t *o, size_t len)
{
	ssize_t r = -1;
	int settled = 0;

	pthread_mutex_lock(&fuse_first);
	for (unsigned int k = 0; k < fuse_nsettled && !settled; k++)
		settled = fuse_settled[k] == c->in.dev;
	if (!settled) {
		r = sd_sys_copy_file_range(c->in.fd, i, c->out.fd, o, len, 0);
		if (r >= 0 && fuse_nsettled < sizeof(fuse_settled) / sizeof(fuse_settled[0]))
			fuse_settled[fuse_nsettled++] = c->in.dev;
	}
	pthread_mutex_unlock(&fuse_first);
	return settled ? sd_sys_copy_file_range(c->in.fd, i, c->out.fd, o, len, 0) : r;
}

static ssize_t offload_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	loff_t i = (loff_t)off_in, o = (loff_t)off_out;
	ssize_t r;

	len = sd_min(len, SD_MAX_RW);
	if (sd_fs_is_fuse(c->in.fs_type))
		r = fuse_copy(c, &i, &o, len);
	else
		r = sd_sys_copy_file_range(c->in.fd, &i, c->out.fd, &o, len, 0);
	if (r >= 0)
		return r;
	/* EINVAL: the arguments were checked; this file cannot be served (overlayfs, FUSE) */
	return sd_refusal(c, r, SD_NOT_NOW);
}

const struct sd_method sd_method_offload = {
	.name = "offload",
	.id = SPLICE_DIRECT_OFFLOAD,
	.props = SD_MAY_SHARE | SD_SAME_TYPE_ONLY | SD_SERVER_COPY | SD_PAGE_CACHE,
	.copy = offload_copy,
};
