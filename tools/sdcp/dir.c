/* SPDX-License-Identifier: MIT */
/*
 * dir.c - a folder of the copy, held by references: the walk holds it while it reads it, each
 * job inside and each subfolder hold it until they are done. Whoever lets go last applies the
 * folder's metadata, that is after every file inside was written: only then are its times
 * final and may its mode be narrowed. The walk (walk.c), the jobs (job.c) and sdcp-mpi all
 * hold folders, so the counting lives apart from all three.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "sdcp.h"

/* the operands' pseudo-directory: never freed, and no metadata of its own */
static struct dir root = {.refs = 1, .sfd = AT_FDCWD, .dfd = AT_FDCWD};

struct dir *dir_root(void)
{
	return &root;
}

struct dir *dir_get(struct dir *d)
{
	atomic_fetch_add(&d->refs, 1);
	return d;
}

static void dir_meta(struct dir *d)
{
	struct meta_ctx m = {
		.fd = d->dfd,
		.dirfd = -1,
		.path = d->dpath,
		.created = d->fresh,
		.made_mode = d->made_mode,
		.new_gid = d->new_gid,
	};

	meta_apply(&m, &d->st, d->sfd, -1, NULL);
}

void dir_put(struct dir *d)
{
	while (d && d != &root && atomic_fetch_sub(&d->refs, 1) == 1) {
		struct dir *parent = d->parent;

		if (d->meta) {
			struct ticket *prev = order_enter(d->end);

			dir_meta(d);
			order_leave(prev);
		}
		order_done(d->end);
		close(d->sfd);
		close(d->dfd);
		free(d->spath);
		free(d->dpath);
		free(d);
		d = parent;
	}
}
