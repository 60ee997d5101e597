/* SPDX-License-Identifier: MIT */
/*
 * main.c - sdcp, a cp that moves the bytes through splice_direct(): the operands, decided as
 * cp decides them (start.c), then the walk, the workers, and the exit status (1 if any file
 * failed; the others are still copied).
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "sdcp.h"

/* Two sources of one name: the first one's copy ends before the second one starts. */
static void settle(void)
{
	work_finish();
	work_start(arg_jobs);
}

int main(int argc, char **argv)
{
	const char *target;
	struct timespec t0, t1;
	int first, n;

	opts_reset();
	start_process(argv[0]);
	first = parse_options(argc, argv);
	n = start_target(argc - first, argv + first, &target);
	start_jobs(target, n, argv + first);

	start_fd_limit();
	inflight_start();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	work_start(arg_jobs);
	if (arg_jobs > 1)
		order_start(); /* messages in the walk's order all the same */
	progress_start(target, n, argv + first);
	start_each(target, n, argv + first, walk_top, settle);
	work_finish();
	order_finish();
	walk_parents_settle();
	progress_stop();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (arg_stats)
		report_stats(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (fflush(stdout) || ferror(stdout)) {
		say(errno, "write error");
		return 1;
	}
	return exit_status;
}
