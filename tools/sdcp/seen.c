/* SPDX-License-Identifier: MIT */
/*
 * seen.c - what the earlier operands made, for cp's two checks between operands copied into
 * one folder: a file an operand has just written is not overwritten by a later operand of the
 * same name ("will not overwrite just-created"), and a folder named as an operand is not
 * copied again when a later operand holds it ("will not create hard link ... to directory").
 * With a single operand nothing is kept and nothing costs a system call.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sdcp.h"

struct seen {
	dev_t dev;
	ino_t ino;
	char *path; /* where a folder went; NULL for a file */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct seen *v;
static size_t n, cap;
static int on;

void seen_start(void)
{
	on = 1;
}

static void add(const struct stat *st, const char *path)
{
	pthread_mutex_lock(&lock);
	if (n == cap) {
		struct seen *w = xmalloc((cap ? 2 * cap : 16) * sizeof(*v));

		if (n)
			memcpy(w, v, n * sizeof(*v));
		free(v);
		v = w;
		cap = cap ? 2 * cap : 16;
	}
	v[n].dev = st->st_dev;
	v[n].ino = st->st_ino;
	v[n].path = path ? xstrdup(path) : NULL;
	n++;
	pthread_mutex_unlock(&lock);
}

/* Whether st was kept as a folder (its path) or as a file (""); NULL if not. */
static const char *find(const struct stat *st, int dirs)
{
	const char *r = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n && !r; i++)
		if (v[i].dev == st->st_dev && v[i].ino == st->st_ino && !v[i].path == !dirs)
			r = dirs ? v[i].path : "";
	pthread_mutex_unlock(&lock);
	return r;
}

void seen_made(int fd, int dirfd, const char *name)
{
	struct stat st;

	if (on && !(fd >= 0 ? fstat(fd, &st) : fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)))
		add(&st, NULL);
}

int seen_made_before(const struct stat *dst)
{
	return on && find(dst, 0) != NULL;
}

void seen_dir(const struct stat *src, const char *dpath)
{
	if (on)
		add(src, dpath);
}

const char *seen_dir_before(const struct stat *src)
{
	return on ? find(src, 1) : NULL;
}
