/* SPDX-License-Identifier: MIT */
/*
 * race - an attacker that runs beside a tree copy, until SIGTERM or SIGINT. It prints how
 * often it struck on exit, so that a test can tell a race that never happened from a win.
 *
 *   race exchange A B
 *       Swap the names A and B (renameat2 RENAME_EXCHANGE) in a tight loop: with A a folder
 *       and B a symlink to somewhere else, a reader of A sees one, then the other.
 *   race plant DIR TARGET
 *       Watch DIR and every folder made under it (inotify). Each time an entry N appears,
 *       put a symlink to TARGET/N in its place at once (exchanged, so the real entry stays
 *       in DIR as .race-N): anything the copier does by name after creating N would go to
 *       TARGET. Folders are taken one time in two; the others are watched in turn. Folders
 *       right in DIR are only watched (the copies' top destinations). DIR/.race-ready
 *       appears when the watch is set.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int exchange(int dfa, const char *a, int dfb, const char *b)
{
	return renameat2(dfa, a, dfb, b, RENAME_EXCHANGE);
}

static int race_exchange(const char *a, const char *b)
{
	unsigned long long swaps = 0, tries = 0;

	while (!stop) {
		tries++;
		if (!exchange(AT_FDCWD, a, AT_FDCWD, b))
			swaps++;
	}
	fprintf(stderr, "race: %llu swaps in %llu tries\n", swaps, tries);
	return swaps ? 0 : 1;
}

#define MAX_WATCH 4096

struct watch {
	int wd;
	char *path;
};

static struct watch watches[MAX_WATCH];
static int nwatches;

static void add_watch(int ino, const char *path)
{
	int wd;

	if (nwatches == MAX_WATCH)
		return;
	wd = inotify_add_watch(ino, path, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (wd < 0)
		return;
	watches[nwatches].wd = wd;
	watches[nwatches].path = strdup(path);
	nwatches++;
}

static const char *watch_path(int wd)
{
	for (int i = 0; i < nwatches; i++)
		if (watches[i].wd == wd)
			return watches[i].path;
	return NULL;
}

static int race_plant(const char *dir, const char *target)
{
	unsigned long long planted = 0, seen = 0, n_dirs = 0;
	char buf[64 << 10] __attribute__((aligned(__alignof__(struct inotify_event))));
	char ready[PATH_MAX];
	int ino = inotify_init1(IN_CLOEXEC), fd;

	if (ino < 0) {
		perror("race: inotify_init1");
		return 99;
	}
	add_watch(ino, dir);
	/* the test waits for this before it starts the copy */
	snprintf(ready, sizeof(ready), "%s/.race-ready", dir);
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("race: ready file");
		return 99;
	}
	close(fd);
	srandom(getpid());
	while (!stop) {
		ssize_t got = read(ino, buf, sizeof(buf));

		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			break;
		}
		for (char *p = buf; p < buf + got;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			const char *wp = watch_path(ev->wd);
			char full[PATH_MAX], link[PATH_MAX], aside[NAME_MAX + 8], to[PATH_MAX];
			int is_dir = ev->mask & IN_ISDIR, dfd;

			p += sizeof(*ev) + ev->len;
			if (!wp || !ev->len || !strncmp(ev->name, ".race-", 6))
				continue;
			seen++;
			snprintf(full, sizeof(full), "%s/%s", wp, ev->name);
			/*
			 * Not the folders right in DIR: those are the copies' top destinations,
			 * which cp (and sdcp) follow when they are symlinks, by design.
			 */
			if (is_dir && (ev->wd == watches[0].wd || (random() & 1))) {
				add_watch(ino, full);
				n_dirs++;
				continue;
			}
			/* a symlink, made aside, then exchanged with the new entry */
			dfd = open(wp, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				continue;
			snprintf(aside, sizeof(aside), ".race-%.200s", ev->name);
			snprintf(to, sizeof(to), "%s/%s", target, ev->name);
			snprintf(link, sizeof(link), "%s", aside);
			(void)unlinkat(dfd, link, 0);
			if (!symlinkat(to, dfd, link) && !exchange(dfd, link, dfd, ev->name))
				planted++;
			close(dfd);
		}
	}
	fprintf(stderr, "race: %llu symlinks planted, %llu entries seen, %llu folders watched\n",
		planted, seen, n_dirs);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};

	/* no SA_RESTART: a blocked read() must end on SIGTERM */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc == 4 && !strcmp(argv[1], "exchange"))
		return race_exchange(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "plant"))
		return race_plant(argv[2], argv[3]);
	fprintf(stderr, "usage: race exchange A B | race plant DIR TARGET\n");
	return 99;
}
