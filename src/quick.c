// SPDX-License-Identifier: MIT
/*
 * quick.c - the many small files of a tree: a copy planned from the input alone, run before
 * any check.
 *
 * One statx of the input (none when the caller gave us its own), then the planner's quick plan
 * (sd_plan_quick: clone then offload, or offload) runs at once through the one engine
 * (sd_copy_range, sd_run). The kernel checks the descriptors, the output and the range itself;
 * only when it refuses do we run our own checks (entry.c, from the start), so every errno still
 * comes from them, in the kernel's order. In sdcp a small file costs openat, statx, openat,
 * copy_file_range, close and close (tests/sdcp/syscalls.sh). Copies at given offsets only,
 * without flags but SPLICE_F_NOCLONE, of a file without holes.
 *
 * A size from our own statx bounds the copy, as the kernel's own check does. A caller's
 * (stx_in) may be stale, or of another file: it only picks the plan and a clone's length, and
 * the end of the input is what copy_file_range finds (it answers 0 there on the local
 * filesystems sd_plan_quick() allows). So a file that grew is copied to its new end and one
 * that shrank to its real end, never past it; a wrong type or length is refused by the kernel
 * and sends the call down the checked path, which stats the input itself.
 */
#include <sys/stat.h>

#include "internal.h"

/*
 * Returns the bytes copied, and *ret_whole: 1 if that is the whole answer, as the checked path
 * would have given it; 0 if the checked path must copy the rest (or all) of the request.
 */
ssize_t sd_quick(struct sd_copy *c, int fd_in, const struct statx *stx_in, loff_t *off_in,
		 int fd_out, loff_t *off_out, size_t len, int *ret_whole)
{
	const int own = !stx_in ||
			(stx_in->stx_mask & SPLICE_DIRECT_STATX_MASK) != SPLICE_DIRECT_STATX_MASK;
	uint64_t pos_in, pos_out, want, ask;
	ssize_t r;

	*ret_whole = 0;
	if (!off_in || !off_out || (c->flags & ~SPLICE_F_NOCLONE) || *off_in < 0 || *off_out < 0)
		return 0;
	pos_in = (uint64_t)*off_in, pos_out = (uint64_t)*off_out;
	/* the kernel sees the caller's len wrap (EOVERFLOW) before it shortens it: so must we */
	if (pos_in + len < pos_in || pos_out + len < pos_out)
		return 0;
	if (!own)
		sd_file_set(&c->in, fd_in, stx_in);
	else if (sd_file_stat(&c->in, fd_in))
		return 0;
	want = pos_in >= c->in.size ? 0 : sd_min(len, c->in.size - pos_in);
	if (!S_ISREG(c->in.mode) || c->in.blocks * 512 < c->in.size ||
	    !sd_plan_quick(c, pos_in, pos_out, want))
		return 0;
	c->out.fd = fd_out; /* and its size taken as 0: a new file */

	/* our own size bounds the copy; past a caller's, copy_file_range finds the end */
	ask = own ? want : len;
	if (ask)
		r = sd_copy_range(c, pos_in, pos_out, ask);
	else
		r = sd_run(c, pos_in, pos_out, 0); /* has the kernel check it all: 0 if well */
	sd_plan_close(c);
	if (r <= 0) {
		/* the size limits are the kernel's last word (and SIGXFSZ is sent once) */
		*ret_whole = r == 0 || r == -EFBIG;
		return r == -EFBIG ? r : 0;
	}
	*off_in = (loff_t)(pos_in + (uint64_t)r);
	*off_out = (loff_t)(pos_out + (uint64_t)r);
	*ret_whole = (uint64_t)r == ask || (!own && c->eof) ||
		     pos_out + (uint64_t)r >= sd_fsize_limit(c);
	return r;
}
