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
#include "internal.h"
#include "sys.h"

static ssize_t offload_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	loff_t i = (loff_t)off_in, o = (loff_t)off_out;
	ssize_t r;

	r = sd_sys_copy_file_range(c->in.fd, &i, c->out.fd, &o, sd_min(len, SD_MAX_RW), 0);
	if (r >= 0)
		return r;
	/* EINVAL: the arguments were checked; this file cannot be served (overlayfs, FUSE) */
	return sd_refusal(c, r, SD_NOT_NOW);
}

const struct sd_method sd_method_offload = {
	.name = "offload",
	.id = SPLICE_DIRECT_OFFLOAD,
	.props = SD_SHARES_EXTENTS | SD_PAGE_CACHE,
	.copy = offload_copy,
};
