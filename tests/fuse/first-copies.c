/* SPDX-License-Identifier: MIT */
/*
 * fuse/first-copies [raw] [ROUNDS]: on a fresh sdfuse mount, four threads make their first
 * copies at the same moment; the server must copy every byte itself. Linux 6.18 first asks a
 * FUSE server for FUSE_COPY_FILE_RANGE_64, which libfuse before 3.17 answers ENOSYS; two such
 * first requests at once make the kernel give up server-side copies on that mount for good
 * (method-offload.c). splice_direct lets the first call on a FUSE mount go alone, so no round
 * may lose the server's copy. "raw" makes the same calls with copy_file_range itself and only
 * counts the rounds the kernel lost (a measure of the race, not a test).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tf.h"

#define NTHREADS 4
#define SIZE	 (1ull << 20)

static struct tf f;
static pthread_barrier_t start;
static int raw;

static void *copy_one(void *arg)
{
	long k = (long)arg;
	char name[32];
	int in, out;
	loff_t a = 0, b = 0;
	ssize_t n;

	snprintf(name, sizeof(name), "src%ld", k);
	in = t_open(tf_mnt(&f, name), O_RDONLY, 0);
	snprintf(name, sizeof(name), "dst%ld", k);
	out = t_open(tf_mnt(&f, name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pthread_barrier_wait(&start);
	n = raw ? copy_file_range(in, &a, out, &b, SIZE, 0)
		: splice_direct(in, &a, out, &b, SIZE, 0);
	close(in);
	close(out);
	return (void *)(long)(n == (ssize_t)SIZE);
}

/* One round in a child of its own (one sdfuse mount per process): 0 when the server copied all. */
static int round_in_child(void)
{
	pthread_t t[NTHREADS];
	struct tf_stats s;
	int whole = 1;

	tf_mount(&f, "max_threads=8");
	for (long k = 0; k < NTHREADS; k++) {
		char name[32];

		snprintf(name, sizeof(name), "src%ld", k);
		tf_make(&f, name, SIZE, 0);
	}
	tf_ctl(&f, "reset");
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (long k = 0; k < NTHREADS; k++)
		if (pthread_create(&t[k], NULL, copy_one, (void *)k))
			t_broken("pthread_create");
	for (int k = 0; k < NTHREADS; k++) {
		void *ok;

		pthread_join(t[k], &ok);
		whole &= ok != NULL;
	}
	tf_stats(&f, &s);
	if (!whole)
		return 2;
	return s.cfr_bytes == NTHREADS * SIZE && s.read_bytes == 0 && s.write_bytes == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rounds = 30, lost = 0, short_copies = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "raw"))
			raw = 1;
		else
			rounds = atoi(argv[i]);
	}
	for (int r = 0; r < rounds; r++) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0)
			t_broken("fork: %m");
		if (pid == 0)
			exit(round_in_child());
		if (waitpid(pid, &status, 0) < 0)
			t_broken("waitpid: %m");
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
			return 77; /* no FUSE here: the child said why */
		if (!WIFEXITED(status) || WEXITSTATUS(status) > 2)
			t_broken("round %d: child status %d", r, status);
		lost += WEXITSTATUS(status) == 1;
		short_copies += WEXITSTATUS(status) == 2;
	}
	printf("%s: %d rounds of %d first copies at once; the server's copy lost in %d, short "
	       "copies in %d\n",
	       raw ? "copy_file_range" : "splice_direct", rounds, NTHREADS, lost, short_copies);
	if (raw)
		return 0;
	T_CHECK(lost == 0, "the kernel gave up the server's copy in %d of %d rounds", lost, rounds);
	T_CHECK(short_copies == 0, "%d rounds with a short copy", short_copies);
	t_done();
}
