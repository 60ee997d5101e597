/* SPDX-License-Identifier: MIT */
/*
 * main.c - sdcp-mpi: `mpirun -n N sdcp-mpi [sdcp's options] SOURCE... DEST`.
 *
 * Every rank parses the same command line and decides the same operands (only rank 0
 * speaks); rank 0 turns the operands into the first items, and from then on all ranks are
 * equal: each runs items and steals when it has none. Rank 0 also owns the root record, so
 * it is the one that sees the end and stops the others. Then the counts of every rank are
 * summed on rank 0 for --stats, and rank 0 exits with the status of all: 1 if any file
 * failed anywhere (so mpirun does).
 */
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdmpi.h"

static int finalized;

static void finalize(void)
{
	int up = 0, down = 0;

	MPI_Initialized(&up);
	MPI_Finalized(&down);
	if (up && !down && !finalized) {
		finalized = 1;
		stop_end();
		MPI_Finalize();
	}
}

/* Only rank 0 says what is wrong with the command line; the others decide the same, quietly. */
static int saved_fd[2] = {-1, -1};

static void hush(int on)
{
	if (my_rank == 0)
		return;
	if (on) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		fflush(stdout);
		saved_fd[0] = dup(STDOUT_FILENO);
		saved_fd[1] = dup(STDERR_FILENO);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
	} else {
		fflush(stdout);
		for (int i = 0; i < 2; i++) {
			if (saved_fd[i] >= 0) {
				dup2(saved_fd[i], i + 1);
				close(saved_fd[i]);
			}
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- operands, decided by sdcp's start.c --- */
static struct record root;

static void root_finish(struct record *r)
{
	(void)r;
	queue_stop_all();
}

/* One operand: a folder or a large file becomes an item; the rest is done here, by sdcp. */
static int seed(const char *src, const char *dst, int base)
{
	struct stat st;
	struct item *it;
	int kind;

	if ((walk_follows(1) ? stat(src, &st) : lstat(src, &st))) {
		fail(errno, "cannot stat %s", quote(src));
		return -1;
	}
	if (S_ISDIR(st.st_mode) && arg_recursive && !arg_parents) {
		if (operand_into_itself(src, dst, &st))
			return -1;
		kind = ITEM_DIR;
	} else if (S_ISREG(st.st_mode) && nranks > 1 && !arg_attributes_only && !arg_hard_link &&
		   !arg_symbolic_link && !arg_parents && (uint64_t)st.st_size >= 2 * arg_chunk &&
		   !(arg_keep_links && st.st_nlink > 1)) {
		kind = ITEM_FILE;
	} else {
		/* a small file, a symlink, a node, --parents, -r not given: sdcp as it is */
		return walk_top(src, dst, base);
	}
	it = item_new(kind, NULL, NULL, src, dst);
	it->top = 1;
	it->owner = 0;
	it->id = root.id;
	it->st = st;
	it->top_dev = st.st_dev;
	root.pending++;
	queue_push(it);
	return 0;
}

/* --- the end: every rank's counts to rank 0 --- */
enum {
	V_FILES,
	V_DIRS,
	V_LINKS,
	V_OTHERS,
	V_BYTES,
	V_HOLES,
	V_ERRORS,
	V_ITEMS,
	V_STOLEN,
	V_CHUNKS,
	V_SENT,
	V_METHOD,
	V_N = V_METHOD + SPLICE_DIRECT_METHODS
};

static void stats(double secs)
{
	uint64_t v[V_N], *all = NULL;
	char h[32];

	v[V_FILES] = totals.files;
	v[V_DIRS] = totals.dirs;
	v[V_LINKS] = totals.links;
	v[V_OTHERS] = totals.others;
	v[V_BYTES] = totals.bytes;
	v[V_HOLES] = totals.holes;
	v[V_ERRORS] = totals.errors;
	v[V_ITEMS] = stat_items;
	v[V_STOLEN] = stat_stolen;
	v[V_CHUNKS] = stat_chunks;
	v[V_SENT] = stat_sent;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		v[V_METHOD + m] = totals.by_method[m];
	if (my_rank == 0)
		all = xmalloc(sizeof(v) * nranks);
	MPI_Gather(v, V_N, MPI_UINT64_T, all, V_N, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	if (my_rank != 0)
		return;
	memset(&totals, 0, sizeof(totals));
	for (int r = 0; r < nranks; r++) {
		uint64_t *w = all + r * V_N;

		totals.files += w[V_FILES];
		totals.dirs += w[V_DIRS];
		totals.links += w[V_LINKS];
		totals.others += w[V_OTHERS];
		totals.bytes += w[V_BYTES];
		totals.holes += w[V_HOLES];
		totals.errors += w[V_ERRORS];
		for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
			totals.by_method[m] += w[V_METHOD + m];
	}
	report_stats(secs);
	/* --stats=json: its one object alone, as sdcp prints it */
	for (int r = 0; r < nranks && arg_stats == STATS_TEXT; r++) {
		uint64_t *w = all + r * V_N;

		out("%s: rank %d: %llu files, %llu directories, %llu chunks, %llu bytes (%s, "
		    "%.1f%%), %llu items, %llu stolen, %llu messages\n",
		    program_name, r, (unsigned long long)w[V_FILES], (unsigned long long)w[V_DIRS],
		    (unsigned long long)w[V_CHUNKS], (unsigned long long)w[V_BYTES],
		    human(w[V_BYTES], h, sizeof(h)),
		    totals.bytes ? 100.0 * w[V_BYTES] / totals.bytes : 0.0,
		    (unsigned long long)w[V_ITEMS], (unsigned long long)w[V_STOLEN],
		    (unsigned long long)w[V_SENT]);
	}
	free(all);
}

int main(int argc, char **argv)
{
	const char *target;
	int first, n, status, st, threads = MPI_THREAD_SINGLE;
	double t0;

	/* first: MPI's own threads must inherit the mask (SIGTERM from mpirun removes the
	 * files being written, as sdcp does on Ctrl-C) */
	inflight_start();
	/* Funneled: the rank has threads besides the one that calls MPI (inflight.c's for
	 * signals; with --progress, rank 0's count) */
	MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &threads);
	MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nranks);
	stop_start();
	atexit(finalize);
	t0 = now();

	start_process(argv[0]);
	opts_reset();
	arg_chunk = 64ull << 20; /* before the options: --chunk-size still wins */
	hush(1);
	first = parse_options(argc, argv);
	n = start_target(argc - first, argv + first, &target);
	hush(0);
	/* each rank runs one job at a time; the ranks are the parallelism */
	arg_jobs = 1;
	start_fd_limit();
	tally_start(target, n, argv + first, threads >= MPI_THREAD_FUNNELED);

	root.pending = 1; /* the seeding itself */
	root.finish = root_finish;
	record_add(&root, -1, 0);
	if (my_rank == 0) {
		start_each(target, n, argv + first, seed, NULL);
		record_release(&root, NULL);
	}
	queue_loop(run_item);
	run_cleanup();
	big_cleanup();
	tally_end();

	if (arg_stats)
		stats(now() - t0);
	st = exit_status;
	MPI_Allreduce(&st, &status, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	if (fflush(stdout) || ferror(stdout)) {
		say(errno, "write error");
		status = 1;
	}
	finalize();
	/*
	 * mpirun exits with the status of the first rank that fails, and tears the others down:
	 * let rank 0 alone say it, once everyone is done.
	 */
	return my_rank == 0 ? status : 0;
}
