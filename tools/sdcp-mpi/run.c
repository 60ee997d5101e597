/* SPDX-License-Identifier: MIT */
/*
 * run.c - what a work item does on the rank that runs it.
 *
 * A directory item makes the destination folder and reads the source folder with sdcp's own
 * walk steps (walk_dir_open, walk_dir_read), and turns each entry into an item: folders and
 * files go to the deque, where any rank may steal them; symlinks and special files are cheap
 * and made at once (walk_node). The folder becomes a record that waits for its items; its
 * metadata (times last) is applied by sdcp's dir_put() when the last one is done.
 *
 * A file item is sdcp's job_file(), run inline, in a struct dir for its parent: the record's
 * own when the folder was read on this rank, else one opened by its path (and kept for the
 * next item from the same folder, as stolen items come in runs).
 *
 * Hard links: sdcp matches them in a table per process, so every file (and node) with more
 * than one link is sent to the rank its (st_dev, st_ino) hashes to, where it is pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdmpi.h"

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
		return dir_get(dir_root());
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

/*
 * The entries in inode order (close to disk order on ext4 and xfs), pushed last first so
 * that this rank pops them in that order; thieves take from the other end.
 */
static void read_entries(struct dir_rec *dr)
{
	struct dir *d = dr->d;
	size_t n;
	struct walk_entry *e = walk_dir_read(d, &n);

	for (size_t i = n; i-- > 0;) {
		struct stat st;

		if (fstatat(d->sfd, e[i].name, &st, walk_follows(0) ? 0 : AT_SYMLINK_NOFOLLOW)) {
			char *p = path_join(d->spath, e[i].name);

			fail(errno, "cannot stat %s", quote(p));
			free(p);
		} else if (walk_kind(&st) == WALK_DIR) {
			emit(dr, ITEM_DIR, e[i].name, &st);
		} else if (walk_kind(&st) == WALK_FILE) {
			emit(dr, ITEM_FILE, e[i].name, &st);
		} else if (arg_keep_links && st.st_nlink > 1 && !arg_hard_link &&
			   !arg_symbolic_link) {
			emit(dr, ITEM_NODE, e[i].name, &st); /* matched on the rank of its inode */
		} else {
			walk_node(d, e[i].name, e[i].name, &st, 0);
		}
		free(e[i].name);
	}
	free(e);
}

/*
 * -L can make a loop: a folder that is its own ancestor. sdcp follows its chain of struct
 * dir; here the ancestors may be on other ranks, so they are looked up by their paths.
 */
static int is_cycle(const char *dir, const struct stat *st)
{
	char *p = xstrdup(dir), *slash;
	int found = 0;

	for (;;) {
		struct stat a;

		found = *p && !stat(p, &a) && a.st_dev == st->st_dev && a.st_ino == st->st_ino;
		slash = strrchr(p, '/');
		if (found || !slash || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	return found;
}

/* A folder: made as sdcp's walk makes it, then read into items. */
static void run_dir(struct item *it)
{
	struct dir *parent = dir_for(it), *d;
	struct dir_rec *dr;

	if (!parent) {
		item_done(it, NULL);
		return;
	}
	if (arg_deref == DEREF_ALWAYS && !it->top && is_cycle(parent->spath, &it->st)) {
		char *spath = path_join(parent->spath, item_sname(it));

		fail(0, "cannot copy cyclic symbolic link %s", quote(spath));
		free(spath);
		d = NULL;
	} else {
		d = walk_dir_open(parent, item_sname(it), item_dname(it), NULL, it->top);
	}
	dir_put(parent);
	if (!d) {
		item_done(it, NULL);
		return;
	}
	dr = calloc(1, sizeof(*dr));
	if (!dr) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	dr->d = d;
	dr->rec.pending = 1; /* the reading itself */
	dr->rec.finish = dir_finish;
	record_add(&dr->rec, it->owner, it->id);
	if (d->descend)
		read_entries(dr);
	record_release(&dr->rec, NULL);
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
	job_file(d, item_sname(it), item_dname(it), it->top, walk_follows(it->top), &it->st);
	dir_put(d);
	item_done(it, NULL);
}

static void run_node(struct item *it)
{
	struct dir *d = dir_for(it);

	if (d) {
		walk_node(d, item_sname(it), item_dname(it), &it->st, 0);
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
