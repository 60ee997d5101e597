/* SPDX-License-Identifier: MIT */
/*
 * work.c - a pool of threads that runs jobs. It knows nothing of files: a job is a function
 * that runs and frees itself, so the same jobs could be handed to other processes.
 *
 * The walking thread is one of the -j N workers: it queues jobs and, when the queue is full,
 * runs one itself instead of waiting (which also bounds memory and open directory fds). With
 * -j 1 nothing is queued at all, so the order of work is cp's (with more, order.c keeps the
 * messages in that order).
 *
 * Jobs wait in lanes, one per key (a folder), in the order they came. A thread keeps to its
 * lane until it is empty, then takes the lane whose place (the folder's inode number) is
 * farthest from the places the other threads are in. Two threads in one folder, or in folders
 * whose inodes are close, update the same metadata and take turns on its locks instead of
 * running side by side: on xfs the allocation group's headers (an inode number starts with
 * its group, and the walk goes in inode order, so neighbouring folders share one; seen as
 * waits in xfs_buf_lock and a quarter more CPU time). btrfs gains nothing from it: every
 * file made in a subvolume goes into its one b-tree, at the same end of it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sdcp.h"

/*
 * A wide window: the farther apart the folders it holds, the less the threads meet (on xfs
 * with 20,000 files in 200 folders, 16384 jobs in up to 256 folders came to 0.51 of cp's
 * time, 1024 in 16 folders to 0.59; one queue without lanes to 0.76).
 */
#define QUEUE_MAX 16384 /* jobs waiting: a few hundred bytes each */
#define LANES_MAX 256	/* folders with jobs waiting, each with two fds open ... */
#define LANES_FDS 8	/* ... which take at most 1/LANES_FDS of the open-files limit */

struct lane {
	struct lane *prev, *next;
	const void *key;
	uint64_t place;
	struct job *head, *tail;
	int busy; /* threads whose lane this is */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER; /* a job was queued, or stop */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER; /* a job ended */
static struct lane lanes = {&lanes, &lanes, NULL, 0, NULL, NULL, 0};
static struct lane **cur; /* each thread's lane; the walking thread's is cur[0] */
static int queued, nlanes, lanes_max, active, stopping, nthreads;
static pthread_t *threads;

/* How far lane l is from the lanes of the threads other than me. */
static uint64_t distance(const struct lane *l, int me)
{
	uint64_t d = UINT64_MAX, gap;

	for (int t = 0; t <= nthreads; t++) {
		const struct lane *o = cur[t];

		if (t == me || !o)
			continue;
		if (o->key == l->key)
			return 0;
		gap = o->place > l->place ? o->place - l->place : l->place - o->place;
		if (gap < d)
			d = gap;
	}
	return d;
}

/* Thread me leaves its lane; an empty lane nobody is in goes. Called with the lock held. */
static void leave(int me)
{
	struct lane *l = cur[me];

	cur[me] = NULL;
	if (!l || --l->busy || l->head)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	nlanes--;
	free(l);
}

/* The next job for thread me, or NULL if none waits. Called with the lock held. */
static struct job *pop(int me)
{
	struct lane *l = cur[me];
	struct job *j;

	if (!l || !l->head) {
		struct lane *best = NULL;
		uint64_t best_d = 0;

		leave(me);
		/* ties go to the oldest lane: with one thread busy, the queue stays a queue */
		for (struct lane *c = lanes.next; c != &lanes; c = c->next) {
			uint64_t d;

			if (!c->head)
				continue;
			d = distance(c, me);
			if (!best || d > best_d) {
				best = c;
				best_d = d;
			}
		}
		if (!best)
			return NULL;
		l = cur[me] = best;
		l->busy++;
	}
	j = l->head;
	l->head = j->next;
	if (!l->head)
		l->tail = NULL;
	queued--;
	active++;
	return j;
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&lock);
		while (!queued && !stopping)
			pthread_cond_wait(&more, &lock);
		j = pop(me);
		pthread_mutex_unlock(&lock);
		if (!j) {
			msg_thread_exit();
			return NULL;
		}
		j->run(j);
		pthread_mutex_lock(&lock);
		active--;
		pthread_cond_broadcast(&idle);
		pthread_mutex_unlock(&lock);
	}
}

void work_start(int n)
{
	pthread_attr_t attr;
	struct rlimit rl;

	lanes_max = LANES_MAX;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / LANES_FDS < LANES_MAX)
		lanes_max = rl.rlim_cur / LANES_FDS;

	threads = calloc(n, sizeof(*threads));
	cur = calloc(n + 1, sizeof(*cur));
	if (!threads || !cur)
		return; /* one thread is slower, not wrong */
	pthread_attr_init(&attr);
	/* the walk recurses in the main thread only; workers need little stack */
	pthread_attr_setstacksize(&attr, 256 << 10);
	for (int i = 0; i < n - 1; i++) {
		int r = pthread_create(&threads[i], &attr, worker, (void *)(intptr_t)(i + 1));

		if (r) {
			/* fewer workers is slower, not wrong */
			say(r, "warning: cannot start worker thread");
			break;
		}
		nthreads++;
	}
	pthread_attr_destroy(&attr);
}

/* Run a job in the walking thread (the lock held, and held again on return). */
static void run_here(void)
{
	struct job *j = pop(0);

	if (!j)
		return;
	pthread_mutex_unlock(&lock);
	j->run(j);
	pthread_mutex_lock(&lock);
	active--;
}

void work_push(struct job *j)
{
	struct lane *l;

	j->next = NULL;
	pthread_mutex_lock(&lock);
	l = lanes.prev;
	if (!nthreads || ((l == &lanes || l->key != j->key) && nlanes >= lanes_max)) {
		/* full of folders: this one runs here, before the walk opens more of them */
		pthread_mutex_unlock(&lock);
		j->run(j);
		return;
	}
	if (l == &lanes || l->key != j->key) {
		l = calloc(1, sizeof(*l));
		if (!l) {
			pthread_mutex_unlock(&lock);
			j->run(j);
			return;
		}
		l->key = j->key;
		l->place = j->place;
		l->prev = lanes.prev;
		l->next = &lanes;
		lanes.prev->next = l;
		lanes.prev = l;
		nlanes++;
	}
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	queued++;
	pthread_cond_signal(&more);
	/* full: the walking thread works too, on the lane the others leave it */
	if (queued > QUEUE_MAX)
		run_here();
	pthread_mutex_unlock(&lock);
}

/* Run what is left together with the workers, then stop them. */
void work_finish(void)
{
	pthread_mutex_lock(&lock);
	while (queued || active) {
		if (!queued) {
			pthread_cond_wait(&idle, &lock);
			continue;
		}
		run_here();
	}
	stopping = 1;
	pthread_cond_broadcast(&more);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	for (int t = 0; cur && t <= nthreads; t++)
		leave(t);
	nthreads = 0;
	free(threads);
	threads = NULL;
	free(cur);
	cur = NULL;
}
