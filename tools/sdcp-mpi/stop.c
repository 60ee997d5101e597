/* SPDX-License-Identifier: MIT */
/*
 * stop.c - after SIGINT, SIGTERM or SIGHUP, the ranks of one machine die together, once each
 * has removed the files it was writing.
 *
 * mpirun (Open MPI 4.1) stops a job with SIGCONT to every rank, a pause, SIGTERM to every
 * rank, a second pause, then SIGKILL to every rank. The pauses are one sleep() each, and the
 * SIGCHLD of the first rank that dies cuts the second one short: the others get SIGKILL a few
 * milliseconds after the first death, whatever odls_base_sigkill_timeout says. A rank that had
 * nothing to remove dies at once, and its siblings were then killed before their signal
 * thread (sdcp's inflight.c) had removed their files: a new file was left half-written (seen
 * under load in tests/mpi/resume.sh, a 96 MiB copy left at full size with its last chunks
 * unwritten).
 *
 * So each signal thread, once its files are removed, counts itself in a word shared by the
 * ranks of its machine and dies only when all of them have counted (mpirun's SIGKILL then finds
 * nothing left to do), or after 2 s: a sibling that is gone, or that was never signalled, must
 * not keep a rank alive (mpirun's own SIGKILL comes after 1 s by default anyway).
 */
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "sdmpi.h"

/* the word is shared between processes: that needs an atomic that takes no lock */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

/* the word goes with the window at MPI_Finalize: the signal thread and stop_end take turns */
static pthread_mutex_t using = PTHREAD_MUTEX_INITIALIZER;
static atomic_int *stopped; /* ranks of this machine whose files are removed; NULL: done */
static int local_ranks;

static void wait_for_siblings(void)
{
	struct timespec tick = {0, 10 * 1000 * 1000};

	pthread_mutex_lock(&using);
	if (stopped) {
		atomic_fetch_add(stopped, 1);
		for (int i = 0; i < 200 && atomic_load(stopped) < local_ranks; i++)
			nanosleep(&tick, NULL);
	}
	pthread_mutex_unlock(&using);
}

/* Collective, right after MPI_Init. */
void stop_start(void)
{
	MPI_Comm node;
	MPI_Win win;
	MPI_Aint size;
	void *base;
	int me, unit;

	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
	MPI_Comm_rank(node, &me);
	MPI_Comm_size(node, &local_ranks);
	MPI_Win_allocate_shared(me ? 0 : sizeof(atomic_int), sizeof(atomic_int), MPI_INFO_NULL,
				node, &base, &win);
	MPI_Win_shared_query(win, 0, &size, &unit, &base);
	stopped = base;
	if (!me)
		atomic_init(stopped, 0);
	MPI_Barrier(node); /* the word is set before anyone counts in it */
	if (local_ranks > 1)
		inflight_then = wait_for_siblings;
}

/*
 * Before MPI_Finalize, which unmaps the word (a signal thread that used it after that died
 * of SIGSEGV: mpirun stops the other ranks with SIGTERM when one fails). A rank that gets
 * here has no file left to remove: it counts itself, so that no sibling waits for it.
 */
void stop_end(void)
{
	pthread_mutex_lock(&using);
	if (stopped)
		atomic_fetch_add(stopped, 1);
	stopped = NULL;
	pthread_mutex_unlock(&using);
}
