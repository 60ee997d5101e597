/* SPDX-License-Identifier: MIT */
/*
 * inflight.c - the files being written right now, so that a copy killed by SIGINT, SIGTERM
 * or SIGHUP leaves no half-written new file and no --atomic temporary behind.
 *
 * The signals are blocked in every thread and taken by one thread with sigwait(): it can
 * then lock the list like any code (a handler could not), remove what is listed, and die
 * of the same signal, so the caller still sees the usual status (130 for Ctrl-C).
 *
 * A new file is created and listed under a read lock that the signal thread takes for
 * writing: a signal that lands between the openat() and the listing waits for the listing,
 * so no new file is ever left unlisted. Creations still run side by side.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "sdcp.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct inflight head = {&head, &head, -1, NULL};
/* the signal thread must not wait behind a stream of creations: writers first */
static pthread_rwlock_t creating = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static sigset_t fatal;
static pthread_t watcher;
void (*_Atomic inflight_then)(void); /* set after this thread started: atomic */

static void add(struct inflight *e, int dirfd, const char *name)
{
	e->dirfd = dirfd;
	e->name = name;
	pthread_mutex_lock(&lock);
	e->next = &head;
	e->prev = head.prev;
	head.prev->next = e;
	head.prev = e;
	pthread_mutex_unlock(&lock);
}

int inflight_create(struct inflight *e, int dirfd, const char *name, int flags, mode_t mode)
{
	int fd, e_open;

	pthread_rwlock_rdlock(&creating);
	fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, mode);
	e_open = errno;
	if (fd >= 0)
		add(e, dirfd, name);
	pthread_rwlock_unlock(&creating);
	errno = e_open;
	return fd;
}

void inflight_del(struct inflight *e)
{
	if (!e->name)
		return;
	pthread_mutex_lock(&lock);
	e->prev->next = e->next;
	e->next->prev = e->prev;
	pthread_mutex_unlock(&lock);
	e->name = NULL;
}

static void *watch(void *unused)
{
	void (*then)(void);
	int sig = 0;

	(void)unused;
	if (sigwait(&fatal, &sig))
		return NULL;
	/* keep the locks: no file starts or ends from now on */
	pthread_rwlock_wrlock(&creating);
	pthread_mutex_lock(&lock);
	for (struct inflight *e = head.next; e != &head; e = e->next)
		(void)unlinkat(e->dirfd, e->name, 0);
	/* sdcp-mpi: the ranks of a machine die together (its stop.c) */
	then = inflight_then;
	if (then)
		then();
	if (arg_progress && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	signal(sig, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &fatal, NULL);
	raise(sig);
	_exit(128 + sig); /* not reached */
}

/*
 * A thread that unblocks the signals for itself (a library's: Open MPI's progress threads in
 * sdcp-mpi do) would otherwise die of them at once, files and all: it passes them on.
 */
static void pass_on(int sig)
{
	int e = errno;

	pthread_kill(watcher, sig);
	errno = e;
}

/* Before any other thread starts, so that they all inherit the mask. */
void inflight_start(void)
{
	pthread_attr_t attr;
	struct sigaction sa = {.sa_handler = pass_on, .sa_flags = SA_RESTART};

	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	sigemptyset(&fatal);
	for (int i = 0; i < 3; i++) {
		struct sigaction old;

		/* what the caller ignores (nohup, a background job) stays ignored */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaddset(&fatal, sigs[i]);
	}
	if (sigisemptyset(&fatal) || pthread_sigmask(SIG_BLOCK, &fatal, NULL))
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	if (pthread_create(&watcher, &attr, watch, NULL)) {
		pthread_sigmask(SIG_UNBLOCK, &fatal, NULL); /* no watcher: die as usual */
	} else {
		sigfillset(&sa.sa_mask);
		for (int i = 0; i < 3; i++)
			if (sigismember(&fatal, sigs[i]))
				sigaction(sigs[i], &sa, NULL);
	}
	pthread_attr_destroy(&attr);
}
