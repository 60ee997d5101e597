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

/* The last component of a name that may have slashes (an operand). */
static const char *last_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

/* The highest N of the existing "name.~N~" backups, 0 if none. */
static long last_backup(int dirfd, const char *dname)
{
	const char *base = last_name(dname);
	size_t blen = strlen(base);
	long max = 0;
	int fd;
	DIR *dir;
	struct dirent *e;

	if (base != dname) {
		char *dpart = strndup(dname, base - dname);

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

/*
 * Would the backup of dname be the source itself ("cp -b a~ a": moving a to a~ replaces the
 * source)? cp's test: the source's name is the destination's plus the simple suffix, and that
 * name leads to the source. A numbered backup never takes that name.
 */
static int backup_is_source(const char *sname, const struct stat *sst, int dirfd, const char *dname)
{
	const char *sb = last_name(sname), *db = last_name(dname);
	size_t slen, dlen;
	struct stat st;
	char *name;
	int r;

	slen = strlen(sb);
	dlen = strlen(db);
	if (arg_backup == BACKUP_NUMBERED || slen != dlen + strlen(arg_suffix) ||
	    strncmp(sb, db, dlen) || strcmp(sb + dlen, arg_suffix))
		return 0;
	if (asprintf(&name, "%s%s", dname, arg_suffix) < 0)
		return 0;
	r = !fstatat(dirfd, name, &st, 0) && dest_same(&st, sst);
	free(name);
	return r;
}

/*
 * "cp -b l l", l a symlink it follows: cp moves l aside, finds its source gone, and moves it
 * back. The same words and status here, and nothing moves.
 */
static void backup_of_source(struct dir *d, const char *spath, const char *dpath, const char *dname)
{
	char *name = backup_name(d->dfd, dname), *bpath = name ? path_join(d->dpath, name) : NULL;

	if (arg_verbose && bpath) {
		report_verbose(spath, dpath, bpath);
		out("%s -> %s (unbackup)\n", quote_n(0, bpath), quote_n(1, dpath));
	}
	if (arg_hard_link)
		fail(ENOENT, "cannot create hard link %s to %s", quote_n(0, dpath),
		     quote_n(1, spath));
	else
		fail(ENOENT, "cannot open %s for reading", quote(spath));
	free(bpath);
	free(name);
}

/* The folder an entry (dirfd, name) is in; name may have slashes (an operand). */
static int entry_dir(int dirfd, const char *name, struct stat *st)
{
	const char *slash = strrchr(name, '/');
	char *dpart;
	int r;

	if (!slash)
		return fstatat(dirfd, ".", st, 0);
	dpart = strndup(name, slash - name + 1);
	r = dpart ? fstatat(dirfd, dpart, st, 0) : -1;
	free(dpart);
	return r;
}

/* Do source and destination name one directory entry (cp's same_nameat)? */
static int same_entry(struct dir *d, const char *sname, const char *dname)
{
	struct stat a, b;

	return !strcmp(last_name(sname), last_name(dname)) && !entry_dir(d->sfd, sname, &a) &&
	       !entry_dir(d->dfd, dname, &b) && dest_same(&a, &b);
}

/*
 * cp's rules for a destination that is, or leads to, the source (its same_file_ok): 1 go on,
 * 0 refuse ("are the same file"), 2 nothing to do (say nothing). src is the source as the
 * copy sees it (followed or not), dst the destination's lstat, or its stat where a regular
 * file is copied through a symlink. What is allowed is what cannot lose the data: a backup
 * keeps it, a removal before the copy does not truncate the source, links only add names.
 */
static int same_ok(struct dir *d, const char *sname, const char *dname, const struct stat *src,
		   const struct stat *dst, int top)
{
	const int never = !walk_follows(top);
	const struct stat *s = src, *t = dst;
	struct stat sl, dl, sf, df;
	int same = dest_same(src, dst), same_link;

	if (same && arg_hard_link)
		return 2;
	if (never) {
		same_link = same;
		/* two symlinks: fine unless they are one entry */
		if (S_ISLNK(src->st_mode) && S_ISLNK(dst->st_mode)) {
			int sn = same_entry(d, sname, dname);

			if (!sn && arg_backup == BACKUP_NONE && same_link)
				return 2;
			return !sn;
		}
	} else {
		if (!same)
			return 1;
		if (fstatat(d->dfd, dname, &dl, AT_SYMLINK_NOFOLLOW) ||
		    fstatat(d->sfd, sname, &sl, AT_SYMLINK_NOFOLLOW))
			return 1;
		s = &sl;
		t = &dl;
		same_link = dest_same(s, t);
		if (S_ISLNK(s->st_mode) && S_ISLNK(t->st_mode) && arg_remove_dest)
			return 1;
	}
	if (arg_backup != BACKUP_NONE) {
		/* moving a file aside that a followed symlink leads to would lose the source */
		if (!same_link)
			return never || !S_ISLNK(s->st_mode) || S_ISLNK(t->st_mode);
		return !same_entry(d, sname, dname);
	}
	if (arg_remove_dest) {
		if (S_ISLNK(t->st_mode))
			return 1;
		if (same_link && t->st_nlink > 1 && !same_entry(d, sname, dname))
			return 1;
	}
	if (!S_ISLNK(s->st_mode) && !S_ISLNK(t->st_mode)) {
		if (!dest_same(s, t))
			return 1;
		if (arg_hard_link)
			return 2;
	}
	if (arg_symbolic_link && S_ISLNK(t->st_mode))
		return 1;
	if (never) {
		if (!S_ISLNK(s->st_mode))
			sf = *s;
		else if (fstatat(d->sfd, sname, &sf, 0))
			return 1;
		if (!S_ISLNK(t->st_mode))
			df = *t;
		else if (fstatat(d->dfd, dname, &df, 0))
			return 1;
		if (!dest_same(&sf, &df))
			return 1;
		/* linking to the same file again is fine, replacing a symlink with it too */
		if (arg_hard_link)
			return S_ISLNK(t->st_mode) ? 1 : 2;
	}
	return 0;
}

/*
 * A folder onto an existing destination that leads to it: a symlink to it (cp -a d/l/ d, l ->
 * e), or the folder itself (cp -r x/.. .). cp's same-file rules, as same_ok answers; -n (and
 * newer cp's --update=none) skip them.
 */
int dest_dir_same_ok(struct dir *d, const char *sname, const char *dname, const struct stat *src,
		     const struct stat *dst, int top)
{
	if (arg_clobber == CLOBBER_NO || arg_update == UPDATE_NONE ||
	    arg_update == UPDATE_NONE_FAIL)
		return 1;
	return same_ok(d, sname, dname, src, dst, top);
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

/* An operand's destination is a symlink an earlier operand made: cp never writes through it
 * (without a backup, which moves it away). Said, returns 1. */
static int through_new_link(struct dir *d, const char *sname, const char *dname,
			    const struct stat *lst)
{
	char *spath, *dpath;

	if (!S_ISLNK(lst->st_mode) || arg_backup != BACKUP_NONE || !seen_made_before(lst))
		return 0;
	spath = path_join(d->spath, sname);
	dpath = path_join(d->dpath, dname);
	fail(0, "will not copy %s through just-created symlink %s", quote_n(0, spath),
	     quote_n(1, dpath));
	free(spath);
	free(dpath);
	return 1;
}

/* A destination left as it is (-n, -u, -i): cp 9's --debug says so. DEST_SKIP. */
static int skipped(const char *dpath)
{
	if (arg_debug)
		out("skipped %s\n", quote(dpath));
	return DEST_SKIP;
}

/* -i's question, in cp's words: a file we may not write is named with its mode. */
static void ask_overwrite(struct dir *d, const char *dname, const char *dpath,
			  const struct stat *dst)
{
	static const char rwx[] = "rwxrwxrwx";
	mode_t m = dst->st_mode;
	char perms[10];

	if (S_ISLNK(m) || cur_euid == 0 || !faccessat(d->dfd, dname, W_OK, AT_EACCESS)) {
		fprintf(stderr, "%s: overwrite %s? ", program_name, quote(dpath));
		return;
	}
	for (int i = 0; i < 9; i++)
		perms[i] = m & (0400 >> i) ? rwx[i] : '-';
	perms[9] = '\0';
	if (m & S_ISUID)
		perms[2] = m & S_IXUSR ? 's' : 'S';
	if (m & S_ISGID)
		perms[5] = m & S_IXGRP ? 's' : 'S';
	if (m & S_ISVTX)
		perms[8] = m & S_IXOTH ? 't' : 'T';
	fprintf(stderr,
		arg_force || arg_remove_dest ? "%s: replace %s, overriding mode %04o (%s)? "
					     : "%s: unwritable %s (mode %04o, %s); try anyway? ",
		program_name, quote(dpath), (unsigned int)(m & 07777), perms);
}

/*
 * An operand's destination is a symlink (and the source a regular file): cp writes through
 * it. Returns 0 to go on with *dst (the link's target, where there is one), DEST_GO when the
 * copy makes the dangling link's target (POSIXLY_CORRECT, *ret_dst set), or -1 after the
 * error was reported.
 */
static int through_top_link(struct dir *d, const char *sname, const char *dname, const char *spath,
			    const char *dpath, struct stat *dst, const struct stat *lst,
			    struct stat *ret_dst)
{
	struct stat through;

	if (fstatat(d->dfd, dname, &through, 0) == 0) {
		*dst = through;
	} else if (errno == ENOENT) {
		if (through_new_link(d, sname, dname, lst))
			return -1;
		if (getenv("POSIXLY_CORRECT")) {
			/* cp's historical way, asked for: the copy makes the link's
			 * target, as a new file (no checks against what is not there) */
			dst->st_mode = S_IFREG | 0600;
			dst->st_nlink = 1;
			*ret_dst = *dst;
			return DEST_GO;
		}
		/* cp says -v before it finds out */
		if (arg_verbose)
			report_verbose(spath, dpath, NULL);
		fail(0, "not writing through dangling symlink %s", quote(dpath));
		return -1;
	} else if (errno != ELOOP || !arg_force) {
		/* a link that leads nowhere is replaced only with -f, as in cp */
		fail(errno, "cannot stat %s", quote(dpath));
		return -1;
	}
	return 0;
}

/*
 * Out of the copy's way before it replaces dst: -b renames it to its backup name (*ret_backup),
 * --remove-destination removes it; either sets *ret_gone. 0, or -1 after the error was reported.
 */
static int move_aside(struct dir *d, const char *sname, const char *dname, const char *spath,
		      const char *dpath, const struct stat *sst, const struct stat *dst,
		      char **ret_backup, int *ret_gone)
{
	if (arg_backup != BACKUP_NONE && !S_ISDIR(dst->st_mode)) {
		char *name;

		if (!arg_symbolic_link && same_entry(d, sname, dname)) {
			backup_of_source(d, spath, dpath, dname);
			return -1;
		}
		if (backup_is_source(sname, sst, d->dfd, dname)) {
			fail(0, "backing up %s might destroy source;  %s not copied",
			     quote_n(0, dpath), quote_n(1, spath));
			return -1;
		}
		name = backup_name(d->dfd, dname);

		if (!name || renameat(d->dfd, dname, d->dfd, name)) {
			fail(name ? errno : ENOMEM, "cannot backup %s", quote(dpath));
			free(name);
			return -1;
		}
		*ret_backup = path_join(d->dpath, name);
		free(name);
		*ret_gone = 1;
	} else if (arg_remove_dest && !S_ISDIR(dst->st_mode)) {
		if (unlinkat(d->dfd, dname, 0) && errno != ENOENT) {
			fail(errno, "cannot remove %s", quote(dpath));
			return -1;
		}
		if (arg_verbose)
			out("removed %s\n", quote(dpath));
		*ret_gone = 1;
	}
	return 0;
}

/* linking: dname is to become another name of a copy already made (--preserve=links) */
static int existing(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		    int top, struct stat *ret_dst, int *ret_gone, char **ret_backup, int linking)
{
	char *spath = path_join(d->spath, sname), *dpath = path_join(d->dpath, dname);
	struct stat dst, through, lst;
	int r = -1, nothing_to_do = 0;

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
	lst = dst;
	/* a backup moves the link itself away, as --remove-destination removes it */
	if (top && S_ISLNK(dst.st_mode) && !S_ISLNK(sst->st_mode) && !arg_remove_dest &&
	    arg_backup == BACKUP_NONE && !arg_atomic && !arg_hard_link && !arg_symbolic_link &&
	    S_ISREG(sst->st_mode)) {
		int k = through_top_link(d, sname, dname, spath, dpath, &dst, &lst, ret_dst);

		if (k) {
			r = k;
			goto out;
		}
	}
	/* cp's special case, before any other: "cp -bf a a" copies a to its backup name */
	if (top && arg_force && arg_backup != BACKUP_NONE && !strcmp(spath, dpath) &&
	    !fstatat(d->dfd, dname, &through, 0) && S_ISREG(through.st_mode)) {
		*ret_backup = backup_name(d->dfd, dname);
		r = *ret_backup ? DEST_SELF : -1;
		goto out;
	}
	/* with -n (and newer cp's --update=none[-fail]) cp skips without looking whether it is
	 * the same file */
	if (arg_clobber != CLOBBER_NO && arg_update != UPDATE_NONE &&
	    arg_update != UPDATE_NONE_FAIL) {
		int ok = same_ok(d, sname, dname, sst, &dst, top);

		if (!ok) {
			fail(0, "%s and %s are the same file", quote_n(0, spath),
			     quote_n(1, dpath));
			goto out;
		}
		/* nothing to do, but cp still looks at -u and asks -i's question first */
		nothing_to_do = ok == 2;
	}
	switch (arg_update) {
	case UPDATE_NONE:
		r = skipped(dpath);
		goto out;
	case UPDATE_NONE_FAIL:
		fail(0, "not replacing %s", quote(dpath));
		goto out;
	case UPDATE_OLDER:
		if (!newer(&sst->st_mtim, &dst.st_mtim)) {
			/*
			 * cp keeps the newer file, but as the copy of its source: the source's
			 * other names link to it, and one that has a copy already replaces it
			 */
			r = linking ? DEST_GO : skipped(dpath);
			*ret_dst = dst;
			if (!linking && links_wanted(sst, top))
				links_done(sst, 1);
			goto out;
		}
		break;
	}
	if (arg_clobber == CLOBBER_NO) {
		r = skipped(dpath);
		goto out;
	}
	if (arg_clobber == CLOBBER_ASK) {
		fflush(stdout);
		ask_overwrite(d, dname, dpath, &dst);
		fflush(stderr);
		if (!yes()) {
			r = skipped(dpath);
			goto out;
		}
	}
	if (nothing_to_do) {
		r = DEST_SKIP;
		goto out;
	}
	/* after -u, -n and -i, as in cp */
	if (S_ISDIR(dst.st_mode) && !S_ISDIR(sst->st_mode)) {
		fail(0, "cannot overwrite directory %s with non-directory", quote(dpath));
		goto out;
	}
	if (top && dest_just_made(d, sname, dname, &dst))
		goto out;
	if (move_aside(d, sname, dname, spath, dpath, sst, &dst, ret_backup, ret_gone))
		goto out;
	if (!*ret_gone && top && through_new_link(d, sname, dname, &lst))
		goto out;
	*ret_dst = dst;
	r = DEST_GO;
out:
	free(spath);
	free(dpath);
	return r;
}

/*
 * cp's "unbackup": the entry that was to take dname's place failed, so the backup that
 * dest_existing made (bpath, joined to d->dpath as dname's path is) takes the name back.
 */
void dest_unbackup(struct dir *d, const char *dname, const char *bpath)
{
	char *t = path_join(d->dpath, dname);
	const char *rel = bpath + (strlen(t) - strlen(dname));

	if (renameat(d->dfd, rel, d->dfd, dname))
		fail(errno, "cannot un-backup %s", quote(t));
	else if (arg_verbose)
		out("%s -> %s (unbackup)\n", quote_n(0, bpath), quote_n(1, t));
	free(t);
}

int dest_existing(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		  int top, struct stat *ret_dst, int *ret_gone, char **ret_backup)
{
	return existing(d, sname, dname, sst, top, ret_dst, ret_gone, ret_backup, 0);
}

int dest_existing_link(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		       int top, struct stat *ret_dst, int *ret_gone, char **ret_backup)
{
	return existing(d, sname, dname, sst, top, ret_dst, ret_gone, ret_backup, 1);
}

int dest_unlinks(const struct stat *dst, const struct stat *src, int top)
{
	/* --attributes-only copies no data: the old entry, and its data, stay */
	return !S_ISDIR(dst->st_mode) && !arg_attributes_only &&
	       ((arg_keep_links && dst->st_nlink > 1) ||
		(!walk_follows(top) && !S_ISREG(src->st_mode)));
}

void dest_removed(struct dir *d, const char *dname)
{
	char *dpath;

	if (!arg_verbose)
		return;
	dpath = path_join(d->dpath, dname);
	out("removed %s\n", quote(dpath));
	free(dpath);
}

int dest_unseen(struct dir *d, const char *dname)
{
	struct stat st;
	char *dpath;
	int e = errno;

	if (!fstatat(d->dfd, dname, &st, AT_SYMLINK_NOFOLLOW) || errno == ENOENT) {
		errno = e; /* the caller's error is still the one to say */
		return 0;
	}
	dpath = path_join(d->dpath, dname);
	fail(errno, "cannot stat %s", quote(dpath));
	free(dpath);
	return 1;
}
