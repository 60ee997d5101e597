/* SPDX-License-Identifier: MIT */
/*
 * node.c - what the walk makes besides folders and file copies: hard links (-l), symbolic
 * links (-s), and copies of symlinks, fifos, sockets and device nodes (with hard links among
 * them kept under --preserve=links). Like cp, -l and -s replace an existing name only with
 * -f, --remove-destination or a backup (-l also after a "yes" to -i); -n, -u and a "no" to -i
 * leave it silently, as for a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdcp.h"
/* KEEP: the name stays, the link or node fails with EEXIST, as cp's does. REPLACE_FAILED: the
 * name could not be replaced (errno): cp's link to a temporary name and rename failed so */
enum { KEEP = -2, REPLACE_FAILED = -3 };

/*
 * Deal with what stands at dname before a symlink, node or link is made there: cp's checks,
 * then a backup or a removal. cp removes it (and -v says so) for a source that is not a
 * regular file and is not followed, or a name of several under --preserve=links; otherwise
 * only where replace allows (-f for links), else the new entry fails with EEXIST (KEEP).
 */
static int make_room(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		     int top, char **backup, int replace, int *quietly)
{
	struct stat dst;
	int gone = 0, r = dest_existing(d, sname, dname, st, top, &dst, &gone, backup), rule;

	if (r == DEST_SELF) /* "-bf a a": make it at the backup name, *backup */
		return unlinkat(d->dfd, *backup, 0) && errno != ENOENT ? -1 : DEST_SELF;
	if (r != DEST_GO || gone)
		return r;
	rule = dest_unlinks(&dst, st, top);
	if (!rule && !replace)
		return KEEP;
	if (unlinkat(d->dfd, dname, 0) && errno != ENOENT) {
		char *p;

		if (!rule) /* -f replaces: the new entry's error, as cp's force_linkat says */
			return REPLACE_FAILED;
		p = path_join(d->dpath, dname);

		fail(errno, "cannot remove %s", quote(p));
		free(p);
		return -1;
	}
	if (rule)
		dest_removed(d, dname);
	else if (quietly) /* replaced: cp says "removed" after the new entry's line */
		*quietly = 1;
	return DEST_GO;
}

static void said(struct dir *d, const char *sname, const char *dname, const char *backup)
{
	char *s = path_join(d->spath, sname), *t = path_join(d->dpath, dname);

	report_verbose(s, t, backup);
	free(s);
	free(t);
}

/* -s --preserve=links: another name of a source already linked to is a hard link to that
 * symlink, as cp's remember_copied makes it (the name, per thread, for link_at's make) */
static __thread const char *first_link;

/*
 * A name exists where -l or -s is to make one. Returns DEST_GO when it was removed (try
 * again), DEST_SELF when the link is to be made at *backup instead ("-bfl a a"), DEST_SKIP
 * when cp would leave it silently (or the error was said), and KEEP when the link must fail
 * with EEXIST, as cp's does. cp's checks (same file, -u, -n, -i, an earlier operand's file)
 * come first in every case. A link to first_link replaces what is there, and *replaced says
 * so: -v says "removed" after the link's line (cp's create_hard_link).
 */
static int link_room(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		     int top, char **backup, int hard, int *replaced)
{
	/* cp's checks, a backup or --remove-destination, then its own removals (a source not
	 * followed that is no regular file, a name of several under --preserve=links); what
	 * is left is replaced only by -f (or a "yes" to -i for -l) */
	int r = make_room(d, sname, dname, st, top, backup,
			  arg_force || (hard && arg_clobber == CLOBBER_ASK) || first_link,
			  first_link ? replaced : NULL);

	return r == DEST_GO || r == DEST_SELF || r == KEEP || r == REPLACE_FAILED ? r : DEST_SKIP;
}

/* cp -s -p: the symlink gets the source's times (its owner and mode stay) */
static void sym_link_times(struct dir *d, const char *dname, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (utimensat(d->dfd, dname, ts, AT_SYMLINK_NOFOLLOW)) {
		char *t = path_join(d->dpath, dname);

		fail(errno, "preserving times for %s", quote(t));
		free(t);
	}
}

/*
 * Make a link with make(): an existing name is dealt with first (left, removed, or kept for
 * an EEXIST), then -v speaks, as cp's order is; a failure is said, and a backup made for the
 * link takes its name back. Returns make()'s answer: 0 made.
 */
static int link_at(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		   int top, int hard, int (*make)(struct dir *, const char *, const char *, int))
{
	char *backup = NULL, *self = NULL;
	int r = make(d, sname, dname, top), e = errno, skipped = 0, replaced = 0;

	if (r && e != EEXIST && dest_unseen(d, dname))
		return r; /* cp's look at the name failed: said, no -v line */
	if (r && e == EEXIST) {
		int room = link_room(d, sname, dname, st, top, &backup, hard, &replaced);

		if (room == REPLACE_FAILED)
			e = errno;
		skipped = room == DEST_SKIP;
		if (room == DEST_SELF) {
			dname = self = backup;
			backup = NULL;
		}
		if (room == DEST_GO || room == DEST_SELF)
			r = 1; /* make it again below */
	}
	if (!skipped && arg_verbose)
		said(d, sname, dname, backup);
	if (r == 1) {
		r = make(d, sname, dname, top), e = errno;
		/* "dangling/": the name is there for the link but not for a look at it. cp's -f
		 * links to a temporary name and renames it over dname, which fails so */
		if (r && e == EEXIST && arg_force && dname[0] && dname[strlen(dname) - 1] == '/')
			e = ENOTDIR;
	}
	if (!r && top)
		seen_made(-1, d->dfd, dname);
	if (!r && !hard && arg_keep_times)
		sym_link_times(d, dname, st);
	if (!r && replaced)
		dest_removed(d, dname);
	if (r && !skipped) {
		char *s = path_join(d->spath, sname), *t = path_join(d->dpath, dname);

		fail(e, "cannot create %s %s to %s", hard ? "hard link" : "symbolic link",
		     quote_n(0, t), quote_n(1, first_link ? first_link : s));
		free(s);
		free(t);
		if (backup)
			dest_unbackup(d, dname, backup);
	}
	free(backup);
	free(self);
	return r;
}

static int hard_link(struct dir *d, const char *sname, const char *dname, int top)
{
	return linkat(d->sfd, sname, d->dfd, dname, walk_follows(top) ? AT_SYMLINK_FOLLOW : 0);
}

/* -l: a hard link to the source instead of a copy. */
void node_hard_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		    int top)
{
	link_at(d, sname, dname, st, top, 1, hard_link);
}

static int link_first(struct dir *d, const char *sname, const char *dname, int top)
{
	(void)sname;
	/* as cp's create_hard_link: through the symlink where sources are followed */
	return linkat(AT_FDCWD, first_link, d->dfd, dname,
		      walk_follows(top) ? AT_SYMLINK_FOLLOW : 0);
}

static int sym_link(struct dir *d, const char *sname, const char *dname, int top)
{
	char *s = path_join(d->spath, sname);
	int r = symlinkat(s, d->dfd, dname), e = errno;

	(void)top;
	free(s);
	errno = e;
	return r;
}

/*
 * Is the entry path in the current folder, where a relative symlink still leads to its
 * source? cp's test: its folder is "." or the same folder as "."; a folder it cannot stat
 * passes (the symlink's own error says more).
 */
static int in_current_dir(const char *path)
{
	char *dir = xstrdup(path), *slash;
	struct stat dot, st;
	int r;

	while ((slash = strrchr(dir, '/')) && slash > dir && !slash[1])
		*slash = '\0'; /* "x/" is x */
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		return 1;
	}
	slash[slash == dir] = '\0'; /* "/x" is in "/" */
	r = !strcmp(dir, ".") || stat(".", &dot) || stat(dir, &st) || dest_same(&dot, &st);
	free(dir);
	return r;
}

/* -s --preserve=links: the first name of a source is a symlink, its other names links to it */
static void sym_link_kept(struct dir *d, const char *sname, const char *dname,
			  const struct stat *st, int top)
{
	char *t = path_join(d->dpath, dname), *first = NULL;
	int r = links_find(st, t, &first);

	if (r == 1) {
		first_link = first;
		link_at(d, sname, dname, st, top, 1, link_first);
		first_link = NULL;
	} else {
		links_done(st, !link_at(d, sname, dname, st, top, 0, sym_link));
	}
	free(first);
	free(t);
}

/* -s: a symbolic link to the source, named as it was given. */
void node_sym_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		   int top)
{
	char *s = path_join(d->spath, sname), *t = path_join(d->dpath, dname);

	if (s[0] != '/' && !in_current_dir(t)) {
		/* cp looks at an existing name first (same file, -n, -u, -i, a backup), then
		 * refuses, and puts the backup back */
		struct stat dst;
		char *backup = NULL;
		int gone = 0, r = DEST_GO,
		    there = !fstatat(d->dfd, dname, &dst, AT_SYMLINK_NOFOLLOW);

		if (!arg_remove_dest && there)
			r = dest_existing(d, sname, dname, st, top, &dst, &gone, &backup);
		if (r == DEST_GO) {
			/* what cp removes before it makes a link, it has removed by then
			 * (--remove-destination; other names kept by --preserve=links) */
			if (there && !gone && !S_ISDIR(dst.st_mode) &&
			    (arg_remove_dest || dest_unlinks(&dst, st, top)) &&
			    !unlinkat(d->dfd, dname, 0))
				dest_removed(d, dname);
			if (arg_verbose)
				said(d, sname, dname, backup);
			fail(0, "%s: can make relative symbolic links only in current directory",
			     quote_maybe(t));
			if (backup)
				dest_unbackup(d, dname, backup);
		}
		free(backup);
	} else if (links_wanted(st, top)) {
		sym_link_kept(d, sname, dname, st, top);
	} else {
		link_at(d, sname, dname, st, top, 0, sym_link);
	}
	free(s);
	free(t);
}

/* A copy of a symlink, a fifo, a socket or a device node; hard links among them are kept. */
void node_make(struct dir *d, const char *sname, const char *dname, const struct stat *st, int top)
{
	char *t = path_join(d->dpath, dname), *target = NULL, *backup = NULL, *first = NULL;
	char *self = NULL;
	int linked = 0, r = 0, is_link = S_ISLNK(st->st_mode), tracked = 0, replaced = 0;
	mode_t mode = st->st_mode & 07777 & ~(arg_keep_owner ? 077 : 0);
	struct meta_ctx m = {.fd = -1,
			     .dirfd = d->dfd,
			     .name = dname,
			     .path = t,
			     .created = 1,
			     .is_link = is_link,
			     .new_gid = d->new_gid};

	if (is_link) {
		size_t size = st->st_size > 0 ? (size_t)st->st_size + 1 : PATH_MAX;
		ssize_t n;

		target = xmalloc(size);
		n = readlinkat(d->sfd, sname, target, size);
		if (n < 0 || (size_t)n >= size) {
			char *s = path_join(d->spath, sname);

			fail(n < 0 ? errno : ENAMETOOLONG, "cannot read symbolic link %s",
			     quote(s));
			free(s);
			goto out;
		}
		target[n] = '\0';
	}
	if (links_wanted(st, top)) {
		r = links_find(st, t, &first);
		tracked = r == 0;
		linked = r == 1;
	}
	for (int tries = 0;; tries++) {
		if (linked)
			r = linkat(AT_FDCWD, first, d->dfd, dname, 0);
		else if (is_link)
			r = symlinkat(target, d->dfd, dname);
		else
			r = mknodat(d->dfd, dname, (st->st_mode & S_IFMT) | mode, st->st_rdev);
		if (!r)
			break;
		if (errno == EEXIST && !tries) {
			/* a name of a copy made already replaces what is there, as cp's
			 * create_hard_link does */
			r = make_room(d, sname, dname, st, top, &backup,
				      (is_link && arg_force) || linked, &replaced);
			if (r == DEST_SELF) { /* "-bdf l l": the copy goes to the backup name */
				free(t);
				dname = m.name = self = backup;
				t = path_join(d->dpath, dname);
				m.path = t;
				backup = NULL;
				continue;
			}
			if (r == DEST_GO)
				continue;
			if (r != KEEP && r != REPLACE_FAILED) {
				r = -1;
				goto out;
			}
			if (r == KEEP)
				errno = EEXIST;
		} else if (errno != EEXIST && dest_unseen(d, dname)) {
			r = -1; /* cp's look at the name failed first: no -v line */
			goto out;
		}
		if (arg_verbose) { /* cp's line comes before its symlink or mknod fails */
			int e = errno;

			said(d, sname, dname, backup);
			errno = e;
		}
		if (linked)
			fail(errno, "cannot create hard link %s to %s", quote_n(0, t),
			     quote_n(1, first));
		else if (is_link)
			fail(errno, "cannot create symbolic link %s", quote(t));
		else if (S_ISFIFO(st->st_mode))
			fail(errno, "cannot create fifo %s", quote(t));
		else
			fail(errno, "cannot create special file %s", quote(t));
		if (backup)
			dest_unbackup(d, dname, backup);
		r = -1;
		goto out;
	}
	if (!linked) {
		m.made_mode = mode & ~cur_umask;
		meta_apply(&m, st, -1, d->sfd, sname);
	}
	if (top)
		seen_made(-1, d->dfd, dname);
	atomic_fetch_add(is_link ? &totals.links : &totals.others, 1);
	if (arg_verbose)
		said(d, sname, dname, backup);
	if (replaced && linked)
		dest_removed(d, dname);
out:
	if (tracked)
		links_done(st, r == 0);
	free(first);
	free(backup);
	free(self);
	free(target);
	free(t);
}
