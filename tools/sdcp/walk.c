/* SPDX-License-Identifier: MIT */
/*
 * walk.c - the tree walk. Every name is opened relative to a directory fd, with O_NOFOLLOW
 * unless a -L/-H rule says this source may be followed; symlinks in the destination are never
 * followed below the operand itself. Regular files become jobs (job.c); directories,
 * symlinks and special files are made here, in the walking thread, because they are cheap
 * and their children need them.
 *
 * A directory the walk opens is held by references (dir.c): its metadata waits for the last.
 *
 * One folder's steps (walk_dir_open, walk_dir_read, walk_kind, walk_node) are also sdcp-mpi's,
 * which hands the entries to other processes instead of recursing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sdcp.h"

static void copy_node(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		      int top);

static int by_ino(const void *a, const void *b)
{
	const struct walk_entry *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * May the walk believe d_type? Not on SMB: the client stores a symbolic link it makes on a
 * share without POSIX extensions as a small file (mount option mfsymlinks), and knows it for a
 * link only once it has read it, so getdents says DT_REG where lstat says a link. There each
 * entry is stat'ed, as cp stats them everywhere (the network bed's SMB tree copies).
 */
static int dtype_trusted(const struct dir *d)
{
	/* asked once per filesystem: statfs on NFS is a round trip to the server */
	static _Thread_local dev_t dev;
	static _Thread_local int known, trusted;
	struct statfs sfs;

	if (known && dev == d->st.st_dev)
		return trusted;
	if (fstatfs(d->sfd, &sfs))
		return 0;
	known = 1;
	dev = d->st.st_dev;
	trusted = (unsigned long)sfs.f_type != CIFS_SUPER_MAGIC &&
		  (unsigned long)sfs.f_type != SMB2_SUPER_MAGIC;
	return trusted;
}

/*
 * Read the whole directory first, then copy in inode order, as cp does: it keeps cp's order of
 * -v lines, and on ext4 and xfs inode order is close to disk order.
 */
struct walk_entry *walk_dir_read(struct dir *d, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	struct walk_entry *e = NULL;
	char *buf = xmalloc(64 << 10);
	int trusted = dtype_trusted(d);
	long got;

	while ((got = syscall(SYS_getdents64, d->sfd, buf, 64 << 10)) > 0) {
		for (long off = 0; off < got;) {
			struct linux_dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				e = realloc(e, cap * sizeof(*e));
				if (!e) {
					say(ENOMEM, "memory exhausted");
					exit(1);
				}
			}
			e[n].ino = de->d_ino;
			e[n].type = trusted ? de->d_type : DT_UNKNOWN;
			e[n].name = xstrdup(de->d_name);
			n++;
		}
	}
	if (got < 0)
		fail(errno, "cannot access %s", quote(d->spath));
	free(buf);
	if (n)
		qsort(e, n, sizeof(*e), by_ino);
	*ret_n = n;
	return e;
}

enum walk_kind walk_kind(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return WALK_DIR;
	if (arg_hard_link || arg_symbolic_link || S_ISLNK(st->st_mode))
		return WALK_NODE;
	/* without -R, cp reads what a fifo or a device gives, as it does with files */
	if (S_ISREG(st->st_mode) || !arg_recursive || (arg_copy_contents && !S_ISSOCK(st->st_mode)))
		return WALK_FILE;
	return WALK_NODE;
}

void walk_node(struct dir *d, const char *sname, const char *dname, const struct stat *st, int top)
{
	if (arg_hard_link)
		node_hard_link(d, sname, dname, st, top);
	else if (arg_symbolic_link)
		node_sym_link(d, sname, dname, st, top);
	else
		node_make(d, sname, dname, st, top);
}

static void read_dir(struct dir *d)
{
	size_t n;
	struct walk_entry *e = walk_dir_read(d, &n);

	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int known = 0;

		/* d_type saves a stat for regular files and directories, the usual case */
		switch (e[i].type) {
		case DT_REG:
			if (!arg_hard_link && !arg_symbolic_link) {
				job_file(d, e[i].name, e[i].name, 0, walk_follows(0), NULL);
				goto next;
			}
			break;
		case DT_DIR:
			st.st_mode = S_IFDIR;
			known = 1;
			break;
		}
		if (!known &&
		    fstatat(d->sfd, e[i].name, &st, walk_follows(0) ? 0 : AT_SYMLINK_NOFOLLOW)) {
			char *p = path_join(d->spath, e[i].name);

			fail(errno, "cannot stat %s", quote(p));
			free(p);
			goto next;
		}
		copy_node(d, e[i].name, e[i].name, known ? NULL : &st, 0);
	next:
		free(e[i].name);
	}
	free(e);
}

/* A source folder we may not read: cp still makes its copy, with the source's mode. */
static void make_unreadable_copy(struct dir *parent, const char *sname, const char *dname,
				 const char *spath, const char *dpath, int e)
{
	struct stat st;
	mode_t mode;

	if (e == EACCES && !fstatat(parent->sfd, sname, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISDIR(st.st_mode) && !mkdirat(parent->dfd, dname, 0700)) {
		mode = (arg_keep_mode ? st.st_mode & 07777 : meta_plain_mode(&st)) & ~cur_umask;
		if (fchmodat(parent->dfd, dname, mode, AT_SYMLINK_NOFOLLOW) < 0) {
			/* best effort: the error reported is the one below */
		}
		if (arg_verbose) /* made, so said, before the error */
			out("%s -> %s\n", quote_n(0, spath), quote_n(1, dpath));
	}
}

/*
 * mkdir found dname there (or failed with e): may the copy go into it, as cp's would? 0, or -1
 * after the error was reported (or with nothing to do).
 */
static int onto_existing(struct dir *parent, const char *sname, const char *dname,
			 const char *spath, const char *dpath, const struct stat *st,
			 struct stat *dst, int top, int note, int e)
{
	if (e != EEXIST) {
		if (note)
			seen_dir(st, dpath);
		if (!dest_unseen(parent, dname)) /* cp's look at it fails first */
			fail(e, "cannot create directory %s", quote(dpath));
		return -1;
	}
	/* a symlink to a folder is not one, not even as an operand's destination:
	 * cp 9.1 has no --keep-directory-symlink */
	if (fstatat(parent->dfd, dname, dst, AT_SYMLINK_NOFOLLOW)) {
		/* "dangling/": cp found nothing there, so mkdir's error is its word */
		if (errno == ENOENT)
			fail(e, "cannot create directory %s", quote(dpath));
		else /* "file/": cp's look at it fails first */
			fail(errno, "cannot stat %s", quote(dpath));
		return -1;
	}
	if (S_ISLNK(dst->st_mode) && !dest_dir_same_ok(parent, sname, dname, st, dst, top)) {
		fail(0, "%s and %s are the same file", quote_n(0, spath), quote_n(1, dpath));
		return -1;
	}
	if (!S_ISDIR(dst->st_mode)) {
		fail(0, "cannot overwrite non-directory %s with directory %s", quote_n(0, dpath),
		     quote_n(1, spath));
		return -1;
	}
	/* a folder onto itself (cp -r d/e d, cp -rb x/.. .): with -n cp skips the check, with
	 * -l it has nothing to do, with -b or --remove-destination it goes in */
	if (dest_same(st, dst)) {
		int ok = dest_dir_same_ok(parent, sname, dname, st, dst, top);

		if (!ok)
			fail(0, "%s and %s are the same file", quote_n(0, spath),
			     quote_n(1, dpath));
		if (ok != 1)
			return -1;
	}
	return 0;
}

struct dir *walk_dir_open(struct dir *parent, const char *sname, const char *dname,
			  const struct stat *given, int top)
{
	char *spath = path_join(parent->spath, sname), *dpath = path_join(parent->dpath, dname);
	struct dir *d = NULL;
	struct stat st, dst;
	int sfd, dfd = -1, fresh, note = 0;
	const char *earlier;
	mode_t mode;

	sfd = openat(parent->sfd, sname,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY |
			     (walk_follows(top) ? 0 : O_NOFOLLOW));
	if (sfd < 0) {
		int e = errno;

		make_unreadable_copy(parent, sname, dname, spath, dpath, e);
		fail(e, "cannot access %s", quote(spath));
		goto out;
	}
	if (given)
		st = *given;
	else if (fstat(sfd, &st)) {
		fail(errno, "cannot stat %s", quote(spath));
		goto out;
	}
	/* -L can make a loop; a directory that is its own ancestor is copied once */
	for (struct dir *a = parent; a && a != dir_root(); a = a->parent) {
		if (a->st.st_dev == st.st_dev && a->st.st_ino == st.st_ino) {
			fail(0, "cannot copy cyclic symbolic link %s", quote(spath));
			goto out;
		}
	}

	/* cp -R a/b a t: a/b, an operand copied to t/b, is not copied again as t/a/b */
	if (top && (walk_follows(top) || !(earlier = seen_dir_before(&st)) ||
		    (!fstatat(parent->dfd, dname, &dst, 0) && dest_same(&st, &dst)))) {
		/* an operand is a folder an earlier one was (cp -r d l/ t, l -> d): a copy
		 * again only where cp follows operands (-H, -L); onto itself, cp's same-file
		 * rules come first: cp notes the folder only once past them */
		note = 1;
	} else if (!walk_follows(0) && (top || (earlier = seen_dir_before(&st)))) {
		/* where every symlink is followed (-L, and -l's default), cp copies it again */
		fail(0, "will not create hard link %s to directory %s", quote_n(0, dpath),
		     quote_n(1, earlier));
		goto out;
	}

	/* As cp makes it: the source's bits (mkdir keeps sticky), no group/other write while we
	 * fill it, none of theirs while the owner is to change; meta.c sets the final mode. */
	mode = st.st_mode & 07777 & ~(arg_keep_owner ? 077 : 022);
	fresh = mkdirat(parent->dfd, dname, mode & 01777) == 0;
	if (!fresh &&
	    onto_existing(parent, sname, dname, spath, dpath, &st, &dst, top, note, errno))
		goto out;
	if (note)
		seen_dir(&st, dpath);
	dfd = openat(parent->dfd, dname,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	/* a folder made without read permission for us (the source's mode): cp gives the owner
	 * rwx by name, then goes in */
	if (dfd < 0 && errno == EACCES && fresh &&
	    !fchmodat(parent->dfd, dname, (mode & 07777) | S_IRWXU, AT_SYMLINK_NOFOLLOW))
		dfd = openat(parent->dfd, dname,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (dfd < 0 || fstat(dfd, &dst)) {
		fail(errno, "cannot access %s", quote(dpath));
		goto out;
	}
	/* u+rwx for us, at once as cp does (it takes an inherited setgid from a non-member
	 * before the files inside take the folder's group) */
	if (fresh && (dst.st_mode & S_IRWXU) != S_IRWXU &&
	    (fchmod(dfd, (dst.st_mode & 07777) | S_IRWXU) || fstat(dfd, &dst))) {
		fail(errno, "setting permissions for %s", quote(dpath));
		goto out;
	}
	if (fresh && arg_verbose)
		out("%s -> %s\n", quote_n(0, spath), quote_n(1, dpath));
	atomic_fetch_add(&totals.dirs, 1);

	d = calloc(1, sizeof(*d));
	if (!d) {
		fail(ENOMEM, "cannot copy %s", quote(spath));
		goto out;
	}
	atomic_init(&d->refs, 1);
	d->parent = dir_get(parent);
	d->sfd = sfd;
	d->dfd = dfd;
	d->spath = spath;
	d->dpath = dpath;
	d->st = st;
	d->top_dev = top ? st.st_dev : parent->top_dev;
	d->new_gid = dst.st_mode & S_ISGID ? dst.st_gid : cur_egid;
	d->made_mode = dst.st_mode & 07777;
	d->fresh = fresh;
	d->meta = fresh || arg_keep_mode || arg_keep_owner || arg_keep_times || arg_keep_xattr;
	/* cp makes the mount point, not what is mounted there */
	d->descend = !arg_one_fs || top || st.st_dev == parent->top_dev;
	return d;
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	free(spath);
	free(dpath);
	return NULL;
}

static void copy_dir(struct dir *parent, const char *sname, const char *dname,
		     const struct stat *given, int top)
{
	struct dir *d = walk_dir_open(parent, sname, dname, given, top);

	if (!d)
		return;
	if (d->descend)
		read_dir(d);
	d->end = order_take(); /* after its contents, before what follows it */
	dir_put(d);
}

static void copy_node(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		      int top)
{
	if (st && S_ISDIR(st->st_mode) && !arg_recursive) {
		char *s = path_join(d->spath, sname);

		fail(0, "-r not specified; omitting directory %s", quote(s));
		free(s);
		return;
	}
	if (!st) { /* a directory, from d_type */
		copy_dir(d, sname, dname, NULL, top);
		return;
	}
	switch (walk_kind(st)) {
	case WALK_DIR:
		copy_dir(d, sname, dname, st, top);
		break;
	case WALK_FILE:
		job_file(d, sname, dname, top, walk_follows(top), st);
		break;
	case WALK_NODE:
		walk_node(d, sname, dname, st, top);
		break;
	}
}

/*
 * --parents: make the directories of src below the target, as cp does: nothing when the
 * destination's folder exists; otherwise each missing one, from the source's (which must be a
 * folder). Those made, and with -p all on the way, get the source's attributes again once the
 * copy is over (walk_parents_settle), since the copy's entries change their times.
 */
struct parent {
	struct parent *next;
	char *path;
	struct stat st;
};
static struct parent *parents;

/* *fresh: dst's folder was not there (cp then takes dst as new, even "x/." that now is) */
static int make_parents(const char *src, const char *dst, size_t base, int *fresh)
{
	char *s = xstrdup(src), *t = xstrdup(dst), *last;
	size_t off = 0, n = strlen(s);
	int ok = 1, keep = arg_keep_owner || arg_keep_mode || arg_keep_times;
	struct stat st, dstst;

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	t[base + n] = '\0';
	last = strrchr(t, '/');
	if (last && last > t + base - 1) {
		*last = '\0';
		if (!stat(t, &dstst)) {
			if (!S_ISDIR(dstst.st_mode)) {
				fail(0, "%s exists but is not a directory", quote(t));
				ok = 0;
			}
			goto out;
		}
		*last = '/';
		*fresh = 1;
	}
	for (char *slash = strchr(s, '/'); slash; slash = strchr(s + off, '/')) {
		size_t at = slash - s;
		int missing;

		off = at + 1;
		if (at == 0 || s[at - 1] == '/')
			continue;
		s[at] = '\0';
		t[base + at] = '\0';
		missing = stat(t, &dstst) != 0;
		if ((missing || keep) && (stat(s, &st) || !S_ISDIR(st.st_mode))) {
			fail(S_ISDIR(st.st_mode) ? errno : ENOTDIR,
			     "failed to get attributes of %s", quote(s));
			ok = 0;
		} else if (missing && !mkdir(t, (st.st_mode & 07777) | S_IRWXU)) {
			struct meta_ctx m = {.fd = -1,
					     .dirfd = AT_FDCWD,
					     .name = t,
					     .path = t,
					     .created = 1,
					     .new_gid = cur_egid};

			if (arg_verbose)
				out("%s -> %s\n", s, t);
			m.made_mode = ((st.st_mode & 07777) | S_IRWXU) & ~cur_umask;
			if (!stat(t, &dstst))
				m.made_mode = dstst.st_mode & 07777;
			meta_apply(&m, &st, -1, AT_FDCWD, s);
		} else if (missing || !S_ISDIR(dstst.st_mode)) {
			if (missing)
				fail(errno, "cannot make directory %s", quote(t));
			else
				fail(0, "%s exists but is not a directory", quote(t));
			ok = 0;
		}
		if (ok && keep) {
			struct parent *p = xmalloc(sizeof(*p));

			p->path = xstrdup(t);
			p->st = st;
			p->next = parents;
			parents = p;
		}
		s[at] = '/';
		t[base + at] = '/';
		if (!ok)
			break;
	}
out:
	free(s);
	free(t);
	return ok;
}

void walk_parents_settle(void)
{
	while (parents) {
		struct parent *p = parents;
		struct meta_ctx m = {.fd = -1, .dirfd = AT_FDCWD, .name = p->path, .path = p->path};
		struct stat now;

		if (!stat(p->path, &now)) {
			m.made_mode = now.st_mode & 07777;
			meta_apply(&m, &p->st, -1, AT_FDCWD, NULL);
		}
		parents = p->next;
		free(p->path);
		free(p);
	}
}

/* A file in the way is the walk's error to report ("cannot overwrite non-directory"). */
static int file_in_the_way(const char *dst)
{
	struct stat st;

	return !lstat(dst, &st) && !S_ISDIR(st.st_mode);
}

/* One operand: src (as given) to dst. base: where src starts in dst, for --parents. */
int walk_top(const char *src, const char *dst, int base)
{
	struct stat st, dst_st;
	int fresh = 0;

	if (arg_parents && !make_parents(src, dst, base, &fresh))
		return -1;
	if ((walk_follows(1) ? stat(src, &st) : lstat(src, &st))) {
		fail(errno, "cannot stat %s", quote(src));
		return -1;
	}
	/* cp --parents x/. t: cp 9.1 makes t/x, then "t/x/." as a new folder, and fails */
	if (fresh && S_ISDIR(st.st_mode) && arg_recursive && !lstat(dst, &dst_st)) {
		char *name = xstrdup(dst); /* named as cp names it: without trailing slashes */

		for (size_t n = strlen(name); n > 1 && name[n - 1] == '/';)
			name[--n] = '\0';
		fail(EEXIST, "cannot create directory %s", quote(name));
		free(name);
		return -1;
	}
	/* a folder onto itself (cp -r x/.. .) is cp's same-file case, which walk_dir_open has */
	if (S_ISDIR(st.st_mode) && arg_recursive && !file_in_the_way(dst) &&
	    (stat(dst, &dst_st) || !dest_same(&st, &dst_st)) && operand_into_itself(src, dst, &st))
		return -1;
	copy_node(dir_root(), src, dst, &st, 1);
	return 0;
}
