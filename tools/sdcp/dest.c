/* SPDX-License-Identifier: MIT */
/*
 * dest.c - what to do when the destination exists: cp's checks, in cp's order (same file,
 * directory, --update, -n, -i, a file an earlier operand made), then a backup or a removal
 * when asked.
 *
 * Below the operands, a symlink found in the destination is looked at, never through: a copy
 * into a tree someone else can write must not be steered elsewhere by a planted link. Only
 * the destination named on the command line is followed, as cp does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdcp.h"

int dest_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The highest N of the existing "name.~N~" backups, 0 if none. */
static long last_backup(int dirfd, const char *dname)
{
	const char *slash = strrchr(dname, '/'), *base = slash ? slash + 1 : dname;
	size_t blen = strlen(base);
	long max = 0;
	int fd;
	DIR *dir;
	struct dirent *e;

	if (slash) {
		char *dpart = strndup(dname, slash - dname + 1);

		fd = dpart ? openat(dirfd, dpart, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		free(dpart);
	} else {
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(dir))) {
		char *end;
		long n;

		if (strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".~", 2))
			continue;
		n = strtol(e->d_name + blen + 2, &end, 10);
		if (n > max && end[0] == '~' && end[1] == '\0' && e->d_name[blen + 2] != '0')
			max = n;
	}
	closedir(dir);
	return max;
}

static char *backup_name(int dirfd, const char *dname)
{
	long n = arg_backup == BACKUP_SIMPLE ? 0 : last_backup(dirfd, dname);
	char *name;
	int r;

	if (arg_backup == BACKUP_SIMPLE || (arg_backup == BACKUP_EXISTING && n == 0))
		r = asprintf(&name, "%s%s", dname, arg_suffix);
	else
		r = asprintf(&name, "%s.~%ld~", dname, n + 1);
	return r < 0 ? NULL : name;
}

/* cp's guard against "cp a/f b/f dir" losing a/f's copy (a numbered backup keeps it) */
int dest_just_made(struct dir *d, const char *sname, const char *dname, const struct stat *dst)
{
	char *spath, *dpath;

	if (S_ISDIR(dst->st_mode) || arg_backup == BACKUP_NUMBERED || !seen_made_before(dst))
		return 0;
	spath = path_join(d->spath, sname);
	dpath = path_join(d->dpath, dname);
	fail(0, "will not overwrite just-created %s with %s", quote_n(0, dpath), quote_n(1, spath));
	free(spath);
	free(dpath);
	return 1;
}

int dest_existing(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		  int top, struct stat *ret_dst, int *ret_gone, char **ret_backup)
{
	char *spath = path_join(d->spath, sname), *dpath = path_join(d->dpath, dname);
	struct stat dst;
	int r = -1;

	*ret_gone = 0;
	if (fstatat(d->dfd, dname, &dst, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT) { /* gone meanwhile: fine */
			*ret_gone = 1;
			r = DEST_GO;
		} else {
			fail(errno, "cannot stat %s", quote(dpath));
		}
		goto out;
	}
	/* a backup moves the link itself away, as --remove-destination removes it */
	if (top && S_ISLNK(dst.st_mode) && !S_ISLNK(sst->st_mode) && !arg_remove_dest &&
	    arg_backup == BACKUP_NONE && !arg_atomic && !arg_hard_link && !arg_symbolic_link &&
	    S_ISREG(sst->st_mode)) {
		struct stat through;

		if (fstatat(d->dfd, dname, &through, 0) == 0) {
			dst = through;
		} else if (errno == ENOENT) {
			/* cp says -v before it finds out */
			if (arg_verbose)
				report_verbose(spath, dpath, NULL);
			fail(0, "not writing through dangling symlink %s", quote(dpath));
			goto out;
		}
	}
	/* with -n, cp skips without looking whether it is the same file */
	if (arg_clobber != CLOBBER_NO && dest_same(sst, &dst) &&
	    !(arg_hard_link && !S_ISDIR(dst.st_mode))) {
		/* cp's special case: "cp -bf a a" copies a to its backup name */
		if (arg_force && arg_backup != BACKUP_NONE && S_ISREG(dst.st_mode) &&
		    !strcmp(spath, dpath) && !arg_hard_link && !arg_symbolic_link) {
			*ret_backup = backup_name(d->dfd, dname);
			r = *ret_backup ? DEST_SELF : -1;
			goto out;
		}
		fail(0, "%s and %s are the same file", quote_n(0, spath), quote_n(1, dpath));
		goto out;
	}
	switch (arg_update) {
	case UPDATE_NONE:
		r = DEST_SKIP;
		goto out;
	case UPDATE_NONE_FAIL:
		fail(0, "not replacing %s", quote(dpath));
		goto out;
	case UPDATE_OLDER:
		if (!newer(&sst->st_mtim, &dst.st_mtim)) {
			r = DEST_SKIP;
			goto out;
		}
		break;
	}
	if (arg_clobber == CLOBBER_NO) {
		r = DEST_SKIP;
		goto out;
	}
	if (arg_clobber == CLOBBER_ASK) {
		fflush(stdout);
		fprintf(stderr, "%s: overwrite %s? ", program_name, quote(dpath));
		fflush(stderr);
		if (!yes()) {
			r = DEST_SKIP;
			goto out;
		}
	}
	/* after -u, -n and -i, as in cp */
	if (S_ISDIR(dst.st_mode) && !S_ISDIR(sst->st_mode)) {
		fail(0, "cannot overwrite directory %s with non-directory", quote(dpath));
		goto out;
	}
	if (top && dest_just_made(d, sname, dname, &dst))
		goto out;
	if (arg_backup != BACKUP_NONE && !S_ISDIR(dst.st_mode)) {
		char *name = backup_name(d->dfd, dname);

		if (!name || renameat(d->dfd, dname, d->dfd, name)) {
			fail(name ? errno : ENOMEM, "cannot backup %s", quote(dpath));
			free(name);
			goto out;
		}
		*ret_backup = path_join(d->dpath, name);
		free(name);
		*ret_gone = 1;
	} else if (arg_remove_dest && !S_ISDIR(dst.st_mode)) {
		if (unlinkat(d->dfd, dname, 0) && errno != ENOENT) {
			fail(errno, "cannot remove %s", quote(dpath));
			goto out;
		}
		if (arg_verbose)
			out("removed %s\n", quote(dpath));
		*ret_gone = 1;
	}
	*ret_dst = dst;
	r = DEST_GO;
out:
	free(spath);
	free(dpath);
	return r;
}
