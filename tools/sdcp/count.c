/* SPDX-License-Identifier: MIT */
/*
 * count.c - --progress on a terminal: a walk of the sources that only counts, in a thread of
 * its own, so that the bar knows the whole before the copy has seen it. The copy's own walk
 * cannot tell: it hands files to the workers as it finds them, and the workers keep up, so
 * what it has found is never far from what is done.
 *
 * It counts what the copy will go through, by the copy's rules: the same operands (a source
 * named twice once), -r, -x (a mount point is made, not entered), -L/-H/-P through
 * walk_follows(), -l and -s (links, no file to copy), a folder that is its own ancestor once,
 * and a file that --preserve=links will link to its first name (links_wanted()) with its
 * bytes counted once. A file counts its size, as the copy counts its bytes: holes too. It
 * says nothing: an error is the copy's to report, and what cannot be counted is left out (the
 * bar clamps, see progress.c).
 *
 * The cost: a getdents of every folder and an fstatat of every entry but the folders, on top
 * of the copy's (which stats no regular file before it opens it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sdcp.h"

struct counted counted;

static pthread_t thread;
static int running;
static atomic_int stopping;
static char **sources;
static int nsources;

/* --- inodes counted, for files whose other names become links to the first copy --- */
struct inode {
	dev_t dev;
	ino_t ino;
	int used;
};
static struct inode *set;
static size_t set_cap, set_len;

static size_t slot_of(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ull) ^ (uint64_t)dev;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* Add (dev, ino); 0 if it was there. Open addressing, doubled at half full. */
static int set_add(dev_t dev, ino_t ino)
{
	size_t i;

	if (2 * (set_len + 1) > set_cap) {
		size_t cap = set_cap ? 2 * set_cap : 1024;
		struct inode *t = calloc(cap, sizeof(*t));

		if (!t)
			return 1; /* counted again: the bar clamps a total too large */
		for (size_t k = 0; k < set_cap; k++) {
			if (!set[k].used)
				continue;
			for (i = slot_of(set[k].dev, set[k].ino, cap); t[i].used;
			     i = (i + 1) & (cap - 1))
				;
			t[i] = set[k];
		}
		free(set);
		set = t;
		set_cap = cap;
	}
	for (i = slot_of(dev, ino, set_cap); set[i].used; i = (i + 1) & (set_cap - 1))
		if (set[i].ino == ino && set[i].dev == dev)
			return 0;
	set[i] = (struct inode){dev, ino, 1};
	set_len++;
	return 1;
}

/* What a file adds to the bytes: its size, or 0 for another name of an inode that the copy
 * links to its first (links_wanted()). */
static uint64_t bytes_of(const struct stat *st, int top)
{
	if (st->st_size <= 0)
		return 0;
	if (links_wanted(st, top) && !set_add(st->st_dev, st->st_ino))
		return 0;
	return (uint64_t)st->st_size;
}

/* --- the walk --- */
static void add_file(const struct stat *st, int top)
{
	atomic_fetch_add(&counted.files, 1);
	atomic_fetch_add(&counted.bytes, bytes_of(st, top));
}

struct up {
	const struct up *parent;
	dev_t dev;
	ino_t ino;
};

/* The subfolders of a folder, read before any is entered: one getdents buffer at a time. */
struct names {
	char **v;
	size_t n, cap;
};

/*
 * One entry of a folder (fd): a file is counted at once, a folder kept for later. d_type only
 * spares the stat of a folder: anything else is stat'ed, so an SMB link that getdents calls
 * DT_REG (walk.c's dtype_trusted()) is counted as the link it is.
 */
static void entry(int fd, const char *name, unsigned char type, struct names *subs)
{
	struct stat st;

	if (type != DT_DIR) {
		/* -l and -s make links of everything but folders: nothing to copy */
		if ((arg_hard_link || arg_symbolic_link) && type != DT_UNKNOWN && type != DT_LNK)
			return;
		if (fstatat(fd, name, &st, walk_follows(0) ? 0 : AT_SYMLINK_NOFOLLOW))
			return; /* gone, or unreadable: the copy says so */
		if (walk_kind(&st) == WALK_FILE)
			add_file(&st, 0);
		if (walk_kind(&st) != WALK_DIR)
			return;
	}
	if (subs->n == subs->cap) {
		size_t cap = subs->cap ? 2 * subs->cap : 16;
		char **v = realloc(subs->v, cap * sizeof(*v));

		if (!v)
			return; /* not counted: the bar clamps */
		subs->v = v;
		subs->cap = cap;
	}
	subs->v[subs->n++] = xstrdup(name);
}

static void count_dir(int pfd, const char *name, int top, dev_t top_dev, const struct up *up)
{
	int fd = openat(pfd, name,
			O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY |
				(walk_follows(top) ? 0 : O_NOFOLLOW));
	struct names subs = {0};
	char *buf = NULL;
	struct stat st;
	struct up me;
	long got;

	if (fd < 0)
		return;
	if (fstat(fd, &st))
		goto out;
	/* -L: a folder that is its own ancestor is refused by the copy */
	for (const struct up *a = up; a; a = a->parent)
		if (a->dev == st.st_dev && a->ino == st.st_ino)
			goto out;
	if (top)
		top_dev = st.st_dev;
	else if (arg_one_fs && st.st_dev != top_dev)
		goto out; /* -x: the mount point is made, not entered */
	me = (struct up){up, st.st_dev, st.st_ino};
	buf = malloc(64 << 10);
	if (!buf)
		goto out;
	while (!atomic_load(&stopping) && (got = syscall(SYS_getdents64, fd, buf, 64 << 10)) > 0) {
		for (long off = 0; off < got;) {
			struct linux_dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				entry(fd, de->d_name, de->d_type, &subs);
		}
	}
	free(buf);
	for (size_t i = 0; i < subs.n; i++) {
		if (!atomic_load(&stopping))
			count_dir(fd, subs.v[i], 0, top_dev, &me);
		free(subs.v[i]);
	}
	free(subs.v);
out:
	close(fd);
}

static void count_top(int i)
{
	struct stat st, earlier;

	if ((walk_follows(1) ? stat : lstat)(sources[i], &st))
		return;
	/* a source named twice is copied once (start_each says so) */
	for (int k = 0; k < i; k++)
		if (!(arg_deref == DEREF_NEVER ? lstat : stat)(sources[k], &earlier) &&
		    dest_same(&earlier, &st) && operand_same_name(sources[k], sources[i]))
			return;
	if (S_ISDIR(st.st_mode)) {
		if (arg_recursive)
			count_dir(AT_FDCWD, sources[i], 1, st.st_dev, NULL);
	} else if (walk_kind(&st) == WALK_FILE) {
		add_file(&st, 1);
	}
}

static void *walk(void *unused)
{
	(void)unused;
	for (int i = 0; i < nsources && !atomic_load(&stopping); i++)
		count_top(i);
	atomic_store(&counted.done, !atomic_load(&stopping));
	return NULL;
}

void count_start(const char *target, int n, char *const *ops)
{
	/* one source to one destination, or n into the target folder: start_each()'s operands,
	 * copied, since it strips their slashes in place (into a folder only) */
	nsources = target ? n : 1;
	sources = xmalloc(nsources * sizeof(*sources));
	for (int i = 0; i < nsources; i++) {
		size_t len;

		sources[i] = xstrdup(ops[i]);
		len = strlen(sources[i]);
		while (target && arg_strip_slashes && len > 1 && sources[i][len - 1] == '/')
			sources[i][--len] = '\0';
	}
	running = !pthread_create(&thread, NULL, walk, NULL);
}

void count_stop(void)
{
	if (running) {
		atomic_store(&stopping, 1);
		pthread_join(thread, NULL);
		running = 0;
	}
	for (int i = 0; i < nsources; i++)
		free(sources[i]);
	free(sources);
	sources = NULL;
	nsources = 0;
	free(set);
	set = NULL;
	set_cap = set_len = 0;
}
