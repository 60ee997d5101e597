/* SPDX-License-Identifier: MIT */
/*
 * progress.c - --progress: one line on the terminal, redrawn four times a second: bytes and
 * files done, rate, and how many bytes were shared (cloned) against written. The ETA is
 * shown once the walk has found every file, since before that the total is unknown. Nothing
 * at all when stderr is not a terminal.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdcp.h"

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int running, stop;
int progress_walk_done;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void draw(double start)
{
	uint64_t bytes = totals.bytes, found = totals.found_bytes, shared;
	double secs = now() - start, rate = secs > 0 ? bytes / secs : 0;
	char a[32], b[32], c[32], d[32], e[32], eta[32] = "";

	shared = totals.by_method[SPLICE_DIRECT_CLONE];
	if (progress_walk_done && rate > 0 && found > bytes) {
		unsigned long s = (found - bytes) / rate;

		snprintf(eta, sizeof(eta), ", ETA %lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	}
	fprintf(stderr, "\r%s / %s, %llu / %llu files, %s/s%s, shared %s, written %s\033[K",
		human(bytes, a, sizeof(a)), human(found, b, sizeof(b)),
		(unsigned long long)totals.files, (unsigned long long)totals.found_files,
		human(rate, c, sizeof(c)), eta, human(shared, d, sizeof(d)),
		human(bytes - shared - totals.holes, e, sizeof(e)));
	fflush(stderr);
}

static void *loop(void *unused)
{
	double start = now();
	struct timespec ts;

	(void)unused;
	pthread_mutex_lock(&lock);
	while (!stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&wake, &lock, &ts);
		if (!stop)
			draw(start);
	}
	pthread_mutex_unlock(&lock);
	fputs("\r\033[K", stderr);
	return NULL;
}

void progress_start(void)
{
	if (!arg_progress || !isatty(STDERR_FILENO))
		return;
	running = !pthread_create(&thread, NULL, loop, NULL);
}

void progress_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stop = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}
