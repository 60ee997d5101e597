/* SPDX-License-Identifier: MIT */
/*
 * core/threads: 8 threads copy at once, different files, within one filesystem (clone, and
 * offload) and across filesystems (pipe), sharing the library's per-pair cache; every copy
 * is complete and correct.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "t.h"

#define NTHREADS 8
#define ROUNDS	 6

struct job {
	const char *src_dir, *dst_dir;
	int id;
	int bad;
};

static void *worker(void *arg)
{
	struct job *j = arg;

	for (int round = 0; round < ROUNDS; round++) {
		char name[64];
		uint64_t size = (uint64_t)(round + 1) * 300000 + (uint64_t)j->id * 4097;

		snprintf(name, sizeof(name), "src-%d-%d", j->id, round);
		int in = t_make_file(t_path(j->src_dir, name), size, round & 1);
		snprintf(name, sizeof(name), "dst-%d-%d", j->id, round);
		int out = t_open(t_path(j->dst_dir, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
		/* Alternate NULL offsets and offset pointers. */
		loff_t oi = 0, oo = 0;
		ssize_t r = round % 3 ? splice_direct(in, &oi, out, &oo, SIZE_MAX, 0)
				      : splice_direct(in, NULL, out, NULL, size, 0);
		if (r != (ssize_t)size || !t_same_file(in, out) || !t_same_data_map(in, out)) {
			t_log("thread %d round %d: returned %zd of %" PRIu64 " or content differs",
			      j->id, round, r, size);
			j->bad++;
		}
		close(in);
		close(out);
	}
	return NULL;
}

int main(void)
{
	/* Mount first: the fixture's mount namespace cannot be entered by a threaded process. */
	const char *btrfs = t_mount(T_BTRFS, NULL), *ext4 = t_mount(T_EXT4, NULL);
	const char *tmpfs = t_mount(T_TMPFS, NULL);
	const char *pairs[4][2] = {{btrfs, btrfs}, {ext4, ext4}, {ext4, btrfs}, {tmpfs, ext4}};
	pthread_t th[NTHREADS];
	struct job jobs[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		jobs[i] = (struct job){pairs[i % 4][0], pairs[i % 4][1], i, 0};
		if (pthread_create(&th[i], NULL, worker, &jobs[i]))
			t_broken("pthread_create");
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		T_CHECK(jobs[i].bad == 0, "thread %d: %d bad copies", i, jobs[i].bad);
	}
	t_done();
}
