/* SPDX-License-Identifier: MIT */
/*
 * progress.c - --progress: one line on the terminal, redrawn four times a second, and kept at
 * the end as a summary. sdcp draws nothing at all when stderr is not a terminal, and counts
 * nothing either (count.c); sdcp-mpi's rank 0 draws the same line (its tally.c).
 *
 *   5.2 MiB of 40.1 MiB, 812 of 6020 files, still counting, 3.1 MiB/s, shared 0 B, ...
 *   12.3 MiB of 45.6 MiB (26%), 2001 of 20000 files (10%), 3.4 MiB/s, ETA 0:00:09, ...
 *   45.6 MiB of 45.6 MiB (100%), 20000 of 20000 files (100%), 3.4 MiB/s, in 0:00:13, ...
 *
 * Until the count (count.c) has seen the whole, the line says so and gives what it knows;
 * from then on, the fractions of bytes and files and an ETA. "Done" is what the copy has gone
 * through: the bytes it moved, and those of the files it did not copy (skipped by -n or -u,
 * linked, failed: job.c's passed), so that a resumed copy is not stuck at a low fraction. The
 * copy and the count can disagree (a file grew or went between the two looks), so a fraction
 * stops at 99% until the copy is over; the last line says 100%, with what was gone through
 * as the total. Done only grows and the total is fixed once counted: the fractions never go
 * down.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "sdcp.h"

/* " (42%)", or nothing without a total */
static void percent(char *buf, size_t len, uint64_t done, uint64_t total, int last)
{
	double pc;

	buf[0] = '\0';
	if (!last && !total)
		return;
	pc = last ? 100 : (double)done * 100 / total;
	if (!last && pc > 99)
		pc = 99;
	snprintf(buf, len, " (%d%%)", (int)pc);
}

static void hms(char *buf, size_t len, const char *what, double secs)
{
	unsigned long s = secs > 0 ? (unsigned long)secs : 0;

	snprintf(buf, len, ", %s %lu:%02lu:%02lu", what, s / 3600, s / 60 % 60, s % 60);
}

/* The ETA from the share done so far: of bytes and of files alike (both cost time), or of
 * whichever has a total. */
static void eta(char *buf, size_t len, const struct progress *p, double secs)
{
	double f = 0;
	int parts = 0;

	buf[0] = '\0';
	if (p->total_bytes) {
		f += (double)p->bytes / p->total_bytes;
		parts++;
	}
	if (p->total_files) {
		f += (double)p->files / p->total_files;
		parts++;
	}
	if (!parts || f <= 0)
		return;
	f /= parts;
	if (f < 1)
		hms(buf, len, "ETA", secs * (1 - f) / f);
}

/* The terminal's width, 0 where it has none (a pty nobody sized) */
static int width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws))
		return 0;
	return ws.ws_col;
}

void progress_draw(const struct progress *p, double secs, int last)
{
	uint64_t total_bytes = last ? p->bytes : p->total_bytes;
	uint64_t total_files = last ? p->files : p->total_files;
	uint64_t written = p->moved - p->shared - p->holes;
	char line[512], a[32], b[32], c[32], d[32], e[32], rate[40] = "", pb[16], pf[16];
	char when[32];
	int n, w = width();
	const char *counting = !last && !p->counted ? ", still counting" : "";

	if (p->shared + p->holes > p->moved)
		written = 0;
	when[0] = pb[0] = pf[0] = '\0';
	if (last || p->counted) {
		percent(pb, sizeof(pb), p->bytes, total_bytes, last);
		percent(pf, sizeof(pf), p->files, total_files, last);
	}
	if (last)
		hms(when, sizeof(when), "in", secs);
	else if (p->counted)
		eta(when, sizeof(when), p, secs);
	/* a rate over the first moments of the copy says little */
	if (secs >= 1 || last)
		snprintf(rate, sizeof(rate), ", %s/s",
			 human(secs > 0 ? p->moved / secs : 0, c, sizeof(c)));
	n = snprintf(line, sizeof(line),
		     "%s of %s%s, %llu of %llu files%s%s%s%s, shared %s, written %s",
		     human(p->bytes, a, sizeof(a)), human(total_bytes, b, sizeof(b)), pb,
		     (unsigned long long)p->files, (unsigned long long)total_files, pf, counting,
		     rate, when, human(p->shared, d, sizeof(d)), human(written, e, sizeof(e)));
	/* a line longer than the terminal would wrap, and \r would redraw only its last row */
	if (!last && w > 1 && n > w - 1 && w <= (int)sizeof(line))
		line[w - 1] = '\0';
	fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
	fflush(stderr);
}

/* --- sdcp: a thread that draws, beside count.c's thread that counts --- */
static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int running, stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void draw(double start, int last)
{
	struct progress p;

	/* done first: then the totals read after it are complete */
	p.counted = atomic_load(&counted.done);
	p.total_files = counted.files;
	p.total_bytes = counted.bytes;
	p.moved = totals.bytes;
	p.shared = totals.by_method[SPLICE_DIRECT_CLONE];
	p.holes = totals.holes;
	p.bytes = p.moved + totals.passed;
	p.files = totals.ended;
	progress_draw(&p, now() - start, last);
}

static void *loop(void *unused)
{
	double start = now();
	struct timespec ts;

	(void)unused;
	pthread_mutex_lock(&lock);
	while (!stop) {
		draw(start, 0); /* at once, then four times a second */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		while (!stop && pthread_cond_timedwait(&wake, &lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	draw(start, 1);
	return NULL;
}

void progress_start(const char *target, int n, char *const *ops)
{
	if (!arg_progress || !isatty(STDERR_FILENO))
		return;
	count_start(target, n, ops);
	running = !pthread_create(&thread, NULL, loop, NULL);
}

/* The copy is over: the count too (it may still be running when the copy was quick). */
void progress_stop(void)
{
	count_stop();
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stop = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}
