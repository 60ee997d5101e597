/* SPDX-License-Identifier: MIT */
/*
 * work.c - a pool of threads that runs jobs. It knows nothing of files: a job is a function
 * that runs and frees itself, so the same jobs could be handed to other processes.
 *
 * The walking thread is one of the -j N workers: it queues jobs and, when the queue is full,
 * runs one itself instead of waiting (which also bounds memory and open directory fds). With
 * -j 1 nothing is queued at all, so the order of work (and of -v lines) is cp's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "sdcp.h"

#define QUEUE_MAX 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER; /* a job was queued, or stop */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER; /* a job ended */
static struct job *head, *tail;
static int queued, active, stopping, nthreads;
static pthread_t *threads;

/* Called with the lock held. */
static struct job *pop(void)
{
	struct job *j = head;

	if (j) {
		head = j->next;
		if (!head)
			tail = NULL;
		queued--;
		active++;
	}
	return j;
}

static void ran(void)
{
	pthread_mutex_lock(&lock);
	active--;
	pthread_cond_broadcast(&idle);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *unused)
{
	(void)unused;
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&lock);
		while (!head && !stopping)
			pthread_cond_wait(&more, &lock);
		j = pop();
		pthread_mutex_unlock(&lock);
		if (!j) {
			msg_thread_exit();
			return NULL;
		}
		j->run(j);
		ran();
	}
}

void work_start(int n)
{
	pthread_attr_t attr;

	threads = calloc(n, sizeof(*threads));
	pthread_attr_init(&attr);
	/* the walk recurses in the main thread only; workers need little stack */
	pthread_attr_setstacksize(&attr, 256 << 10);
	for (int i = 0; threads && i < n - 1; i++) {
		int r = pthread_create(&threads[i], &attr, worker, NULL);

		if (r) {
			/* fewer workers is slower, not wrong */
			say(r, "warning: cannot start worker thread");
			break;
		}
		nthreads++;
	}
	pthread_attr_destroy(&attr);
}

void work_push(struct job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&lock);
	if (!nthreads || queued >= QUEUE_MAX) {
		pthread_mutex_unlock(&lock);
		j->run(j);
		return;
	}
	if (tail)
		tail->next = j;
	else
		head = j;
	tail = j;
	queued++;
	pthread_cond_signal(&more);
	pthread_mutex_unlock(&lock);
}

/* Run what is left together with the workers, then stop them. */
void work_finish(void)
{
	pthread_mutex_lock(&lock);
	while (head || active) {
		struct job *j = pop();

		if (!j) {
			pthread_cond_wait(&idle, &lock);
			continue;
		}
		pthread_mutex_unlock(&lock);
		j->run(j);
		pthread_mutex_lock(&lock);
		active--;
	}
	stopping = 1;
	pthread_cond_broadcast(&more);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	free(threads);
	threads = NULL;
}
