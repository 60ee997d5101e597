/* SPDX-License-Identifier: MIT */
/*
 * run.c - what a work item does on the rank that runs it.
 *
 * A directory item makes the destination folder (as sdcp's walk does), reads the source
 * folder, and turns each entry into an item: folders and files go to the deque, where any
 * rank may steal them; symlinks and special files are cheap and made at once, by sdcp's
 * node.c. The folder becomes a record that waits for its items; its
 * metadata (times last) is applied by sdcp's dir_put() when the last one is done.
 *
 * A file item is sdcp's job_file(), run inline, in a struct dir for its parent: the record's
 * own when the folder was read on this rank, else one opened by its path (and kept for the
 * next item from the same folder, as stolen items come in runs).
 *
 * Hard links: sdcp matches them in a table per process, so every file (and node) with more
 * than one link is sent to the rank its (st_dev, st_ino) hashes to, where it is pinned.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sdmpi.h"

int follows_at(int top)
{
	return walk_follows(top);
}

/* --- folders read on this rank --- */
struct dir_rec {
	struct record rec; /* first */
	struct dir *d;
};

static void dir_finish(struct record *r)
{
	struct dir_rec *dr = (struct dir_rec *)r;

	dir_put(dr->d); /* the last reference: sdcp applies the folder's metadata */
	free(dr);
}

/* The parent folder of a (stolen or pinned) item, opened by its paths; one is kept. */
static struct dir *cached;
static int cached_owner = -1;
static uint64_t cached_id;

static struct dir *open_dir(const struct item *it)
{
	const char *sdir = item_sdir(it), *ddir = item_ddir(it);
	struct dir *d;
	struct stat dst;
	int sfd, dfd;

	sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (sfd < 0) {
		fail(errno, "cannot access %s", quote(sdir));
		return NULL;
	}
	dfd = open(ddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (dfd < 0 || fstat(dfd, &dst)) {
		fail(errno, "cannot access %s", quote(ddir));
		close(sfd);
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	atomic_init(&d->refs, 1);
	d->sfd = sfd;
	d->dfd = dfd;
	d->spath = xstrdup(sdir);
	d->dpath = xstrdup(ddir);
	(void)fstat(sfd, &d->st);
	d->top_dev = it->top_dev;
	d->new_gid = dst.st_mode & S_ISGID ? dst.st_gid : cur_egid;
	d->made_mode = dst.st_mode & 07777;
	return d;
}

struct dir *dir_for(const struct item *it)
{
	if (it->top)
		return dir_get(walk_root());
	if (it->owner == my_rank) {
		struct record *r = record_find(it->id);

		if (r && r->finish == dir_finish)
			return dir_get(((struct dir_rec *)r)->d);
	}
	if (cached && cached_owner == it->owner && cached_id == it->id)
		return dir_get(cached);
	if (cached)
		dir_put(cached);
	cached = open_dir(it);
	cached_owner = it->owner;
	cached_id = it->id;
	return cached ? dir_get(cached) : NULL;
}

void run_cleanup(void)
{
	if (cached)
		dir_put(cached);
	cached = NULL;
}

/* A symlink, fifo, socket or device; or, with -l or -s, a link to any file: sdcp's node.c. */
static void make_inline(struct dir *d, const char *sname, const char *dname, const struct stat *st)
{
	if (arg_hard_link)
		node_hard_link(d, sname, dname, st, 0);
	else if (arg_symbolic_link)
		node_sym_link(d, sname, dname, st, 0);
	else
		node_make(d, sname, dname, st, 0);
}

static int link_rank(const struct stat *st)
{
	uint64_t h = ((uint64_t)st->st_ino * 0x9e3779b97f4a7c15ull) ^ (uint64_t)st->st_dev;

	return (int)((h >> 17) % (uint64_t)nranks);
}

static void emit(struct dir_rec *dr, int kind, const char *name, const struct stat *st)
{
	struct dir *d = dr->d;
	struct item *it = item_new(kind, d->spath, d->dpath, name, name);

	it->owner = my_rank;
	it->id = dr->rec.id;
	it->top_dev = d->top_dev;
	it->st = *st;
	dr->rec.pending++;
	if (kind != ITEM_DIR && arg_keep_links && st->st_nlink > 1) {
		it->pinned = 1;
		queue_send(link_rank(st), it);
		return;
	}
	queue_push(it);
}

struct entry {
	ino_t ino;
	char *name;
};

static int by_ino(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * The entries in inode order (close to disk order on ext4 and xfs), pushed last first so
 * that this rank pops them in that order; thieves take from the other end.
 */
static void read_entries(struct dir_rec *dr)
{
	struct dir *d = dr->d;
	int fd = dup(d->sfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!dir) {
		fail(errno, "cannot access %s", quote(d->spath));
		if (fd >= 0)
			close(fd);
		return;
	}
	errno = 0;
	while ((de = readdir(dir))) {
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
		e[n].name = xstrdup(de->d_name);
		n++;
	}
	if (errno)
		fail(errno, "cannot access %s", quote(d->spath));
	closedir(dir);
	if (n)
		qsort(e, n, sizeof(*e), by_ino);
	for (size_t i = n; i-- > 0;) {
		struct stat st;

		if (fstatat(d->sfd, e[i].name, &st, follows_at(0) ? 0 : AT_SYMLINK_NOFOLLOW)) {
			char *p = path_join(d->spath, e[i].name);

			fail(errno, "cannot stat %s", quote(p));
			free(p);
		} else if (S_ISDIR(st.st_mode)) {
			emit(dr, ITEM_DIR, e[i].name, &st);
		} else if (arg_hard_link || arg_symbolic_link) {
			make_inline(d, e[i].name, e[i].name, &st);
		} else if (S_ISREG(st.st_mode) ||
			   (arg_copy_contents && !S_ISLNK(st.st_mode) && !S_ISSOCK(st.st_mode))) {
			emit(dr, ITEM_FILE, e[i].name, &st);
		} else if (arg_keep_links && st.st_nlink > 1) {
			emit(dr, ITEM_NODE, e[i].name, &st);
		} else {
			make_inline(d, e[i].name, e[i].name, &st);
		}
		free(e[i].name);
	}
	free(e);
}

/*
 * -L can make a loop: a folder that is its own ancestor. sdcp follows its chain of struct
 * dir; here the ancestors are on other ranks, so they are looked up by their paths.
 */
static int is_cycle(const char *spath, const struct stat *st)
{
	char *p = xstrdup(spath), *slash;
	int found = 0;

	while (!found && (slash = strrchr(p, '/')) && slash != p) {
		struct stat a;

		*slash = '\0';
		found = !stat(p, &a) && a.st_dev == st->st_dev && a.st_ino == st->st_ino;
	}
	free(p);
	return found;
}

/* A folder: made as sdcp's copy_dir makes it, then read. */
static void run_dir(struct item *it)
{
	struct dir *parent = dir_for(it), *d = NULL;
	const char *sname = item_sname(it), *dname = item_dname(it);
	char *spath = NULL, *dpath = NULL;
	struct stat st = it->st, dst;
	int sfd = -1, dfd = -1, fresh, descend = 1, top = it->top;
	struct dir_rec *dr;
	mode_t mode;

	if (!parent)
		goto out;
	spath = path_join(parent->spath, sname);
	dpath = path_join(parent->dpath, dname);
	sfd = openat(parent->sfd, sname,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY |
			     (follows_at(top) ? 0 : O_NOFOLLOW));
	if (sfd < 0) {
		int e = errno;

		/* cp still makes a folder it cannot read, with the source's mode */
		if (e == EACCES && !fstatat(parent->sfd, sname, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISDIR(st.st_mode) && !mkdirat(parent->dfd, dname, 0700)) {
			mode = (arg_keep_mode ? st.st_mode & 07777 : meta_plain_mode(&st)) &
			       ~cur_umask;
			(void)fchmodat(parent->dfd, dname, mode, 0);
		}
		fail(e, "cannot access %s", quote(spath));
		goto out;
	}
	if (fstat(sfd, &st)) {
		fail(errno, "cannot stat %s", quote(spath));
		goto out;
	}
	if (arg_one_fs && !top && st.st_dev != it->top_dev)
		descend = 0; /* cp makes the mount point, not what is mounted there */
	if (arg_deref == DEREF_ALWAYS && !top && is_cycle(spath, &st)) {
		fail(0, "cannot copy cyclic symbolic link %s", quote(spath));
		goto out;
	}

	/* writable for us while we fill it; narrowed, if need be, when it is done */
	mode = ((arg_keep_mode ? st.st_mode & 07777 : meta_plain_mode(&st)) &
		~(arg_keep_owner ? 077 : 0)) |
	       S_IRWXU;
	fresh = mkdirat(parent->dfd, dname, mode & 0777) == 0;
	if (!fresh) {
		int e = errno;

		if (e != EEXIST) {
			fail(e, "cannot create directory %s", quote(dpath));
			goto out;
		}
		if (fstatat(parent->dfd, dname, &dst, top ? 0 : AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(dst.st_mode)) {
			fail(0, "cannot overwrite non-directory %s with directory %s",
			     quote_n(0, dpath), quote_n(1, spath));
			goto out;
		}
	}
	dfd = openat(parent->dfd, dname,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | (top ? 0 : O_NOFOLLOW));
	if (dfd < 0 || fstat(dfd, &dst)) {
		fail(errno, "cannot access %s", quote(dpath));
		goto out;
	}
	if (fresh && arg_verbose)
		out("%s -> %s\n", quote_n(0, spath), quote_n(1, dpath));
	atomic_fetch_add(&totals.dirs, 1);

	d = calloc(1, sizeof(*d));
	dr = calloc(1, sizeof(*dr));
	if (!d || !dr) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	atomic_init(&d->refs, 1);
	d->sfd = sfd;
	d->dfd = dfd;
	d->spath = spath;
	d->dpath = dpath;
	d->st = st;
	d->top_dev = top ? st.st_dev : it->top_dev;
	d->new_gid = dst.st_mode & S_ISGID ? dst.st_gid : cur_egid;
	d->made_mode = dst.st_mode & 07777;
	d->fresh = fresh;
	d->meta = fresh || arg_keep_mode || arg_keep_owner || arg_keep_times || arg_keep_xattr;
	dr->d = d;
	dr->rec.pending = 1; /* the reading itself */
	dr->rec.finish = dir_finish;
	record_add(&dr->rec, it->owner, it->id);
	dir_put(parent);
	if (descend)
		read_entries(dr);
	record_release(&dr->rec, NULL);
	return;
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	free(spath);
	free(dpath);
	if (parent)
		dir_put(parent);
	item_done(it, NULL);
}

/* A file copied onto itself (-bf a a: sdcp copies from the backup): sdcp's job does it all. */
static int onto_itself(struct dir *d, const struct item *it)
{
	struct stat ds;

	return !fstatat(d->dfd, item_dname(it), &ds, 0) && dest_same(&it->st, &ds);
}

static void run_file(struct item *it)
{
	struct dir *d = dir_for(it);

	if (!d) {
		item_done(it, NULL);
		return;
	}
	/*
	 * Large files are split over the ranks. Not with --preserve=links and several links
	 * (the other names wait for the first to be complete, on this rank), nor as a stream,
	 * nor onto itself.
	 */
	if (nranks > 1 && !arg_attributes_only && S_ISREG(it->st.st_mode) &&
	    (uint64_t)it->st.st_size >= 2 * arg_chunk && !(arg_keep_links && it->st.st_nlink > 1) &&
	    !onto_itself(d, it)) {
		big_start(d, it); /* tells it->owner itself, when the last chunk is done */
		dir_put(d);
		return;
	}
	job_file(d, item_sname(it), item_dname(it), it->top, follows_at(it->top), &it->st);
	dir_put(d);
	item_done(it, NULL);
}

static void run_node(struct item *it)
{
	struct dir *d = dir_for(it);

	if (d) {
		make_inline(d, item_sname(it), item_dname(it), &it->st);
		dir_put(d);
	}
	item_done(it, NULL);
}

void run_item(struct item *it)
{
	switch (it->kind) {
	case ITEM_DIR:
		run_dir(it);
		break;
	case ITEM_FILE:
		run_file(it);
		break;
	case ITEM_NODE:
		run_node(it);
		break;
	case ITEM_CHUNK:
		big_chunk(it);
		break;
	}
}
