/* SPDX-License-Identifier: MIT */
/*
 * dir.c - a folder of the copy, held by references: the walk holds it while it reads it, each
 * job inside and each subfolder hold it until they are done. Whoever lets go last applies the
 * folder's metadata, that is after every file inside was written: only then are its times
 * final and may its mode be narrowed. The walk (walk.c), the jobs (job.c) and sdcp-mpi all
 * hold folders, so the counting lives apart from all three.
 *
 * A rename is durable only once its folder is: --atomic promises that a file it replaced never
 * comes back after a power cut once sdcp has returned (the crash bed, kernel/crash, saw ext4
 * bring old files back for seconds). So a folder that received renamed files is synced once,
 * when its last reference goes, not once per file; an operand's folder at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

/* fsync a folder: what makes the renames in it durable. 0, or an errno (said). */
static int sync_folder(int fd, const char *path)
{
	if (fsync(fd) == 0)
		return 0;
	fail(errno, "cannot sync folder %s", quote(path));
	return errno;
}

int dir_renamed(struct dir *d, const char *dname)
{
	const char *slash;
	char *folder;
	int fd, e;

	if (d != &root) {
		atomic_store(&d->renamed, 1);
		return 0;
	}
	slash = strrchr(dname, '/');
	folder = xstrdup(!slash ? "." : slash == dname ? "/" : dname);
	if (slash > dname)
		folder[slash - dname] = 0;
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		fail(e, "cannot sync folder %s", quote(folder));
	} else {
		e = sync_folder(fd, folder);
		close(fd);
	}
	free(folder);
	return e;
}

void dir_put(struct dir *d)
{
	while (d && d != &root && atomic_fetch_sub(&d->refs, 1) == 1) {
		struct dir *parent = d->parent;

		if (d->meta || atomic_load(&d->renamed)) {
			struct ticket *prev = order_enter(d->end);

			if (d->meta)
				dir_meta(d);
			if (atomic_load(&d->renamed))
				(void)sync_folder(d->dfd, d->dpath);
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
