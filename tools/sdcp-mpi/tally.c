/* SPDX-License-Identifier: MIT */
/*
 * tally.c - --progress for sdcp-mpi: rank 0 draws sdcp's line (progress_draw) from what every
 * rank has done and from sdcp's count of the whole (count.c), which runs on rank 0 alone.
 *
 * Why a count of its own, and why there: the ranks' own walk cannot give the total early. A
 * rank takes its newest items first (depth first, queue.c), so the last folder is read just
 * before its files are copied, and the sum of what the ranks have found stays just ahead of
 * what is done until the end (tried: "still counting" on all but the last line). The count
 * is sdcp's thread, started on rank 0 only (it calls no MPI: the rank asks for
 * MPI_THREAD_FUNNELED, main.c); it stats what the ranks stat too, once more, on one node.
 *
 * Every rank sends rank 0 its counts twice a second; rank 0 draws their sum. The last line,
 * kept with a newline, is drawn from exact sums (one MPI_Reduce) once every rank is done.
 */
#include <errno.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sdmpi.h"

static double t_start, t_tick;
static int counting;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void tally_start(const char *target, int n, char *const *ops, int threads)
{
	t_start = t_tick = now();
	if (!arg_progress || my_rank != 0)
		return;
	rank_totals = calloc(nranks, sizeof(*rank_totals));
	if (!rank_totals) {
		say(ENOMEM, "memory exhausted");
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	/* without a second thread, no count: the line says "still counting" to the end */
	if (threads) {
		count_start(target, n, ops);
		counting = 1;
	}
}

static void values(uint64_t v[T_N])
{
	v[T_MOVED] = totals.bytes;
	v[T_SHARED] = totals.by_method[SPLICE_DIRECT_CLONE];
	v[T_HOLES] = totals.holes;
	v[T_ENDED] = totals.ended;
	v[T_PASSED] = totals.passed;
}

static void draw(const uint64_t *s, double secs, int last)
{
	struct progress p = {
		.moved = s[T_MOVED],
		.shared = s[T_SHARED],
		.holes = s[T_HOLES],
		.bytes = s[T_MOVED] + s[T_PASSED],
		.files = s[T_ENDED],
	};

	/* done first: then the totals read after it are complete */
	p.counted = atomic_load(&counted.done);
	p.total_files = counted.files;
	p.total_bytes = counted.bytes;
	progress_draw(&p, secs, last);
}

void progress_tick(void)
{
	uint64_t v[T_N], sum[T_N] = {0};
	double t;

	if (!arg_progress)
		return;
	t = now();
	if (t - t_tick < 0.5)
		return;
	t_tick = t;
	values(v);
	queue_report_totals(v);
	if (my_rank != 0)
		return;
	for (int r = 0; r < nranks; r++)
		for (int k = 0; k < T_N; k++)
			sum[k] += rank_totals[r][k];
	draw(sum, t - t_start, 0);
}

void tally_end(void)
{
	uint64_t v[T_N], sum[T_N];

	if (!arg_progress)
		return;
	values(v);
	MPI_Reduce(v, sum, T_N, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
	if (my_rank != 0)
		return;
	if (counting)
		count_stop();
	draw(sum, now() - t_start, 1);
	free(rank_totals);
	rank_totals = NULL;
}
