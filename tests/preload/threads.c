// SPDX-License-Identifier: MIT
/*
 * threads.c - a multithreaded program under the shim: threads released together make their
 * first calls at once, then copy across filesystems with copy_file_range (EXDEV without the
 * shim), between files with splice(SPLICE_F_DIRECT) (EINVAL without), and through pipes
 * (EAGAIN on an empty one, both ways), each checking its own errno and bytes.
 *
 * Usage: threads native|shim DIR_A DIR_B   (two different filesystems)
 */
#include <pthread.h>
#include <stdatomic.h>

#include "pt.h"

#define THREADS 6
#define ROUNDS	8

static const char *dir_a, *dir_b;
static int shim;
static pthread_barrier_t start;
static atomic_int failures;

#define T_CHECK(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: thread %d round %d: %s: ", id, r, #cond);                    \
			printf(__VA_ARGS__);                                                       \
			putchar('\n');                                                             \
			atomic_fetch_add(&failures, 1);                                            \
		}                                                                                  \
	} while (0)

static void round_trip(int id, int r)
{
	size_t size = 100000 + (size_t)(id * ROUNDS + r) * 4099;
	char name[64];
	int src, mid, dst, p[2];
	loff_t off_in = 0, off_out = 0;
	ssize_t n;

	snprintf(name, sizeof(name), "src-%d-%d", id, r);
	src = pt_make(dir_a, name, size, (unsigned int)(id * 31 + r), O_RDONLY);
	mid = pt_make(dir_b, name, 0, 0, PT_RDWR);
	snprintf(name, sizeof(name), "dst-%d-%d", id, r);
	dst = pt_make(dir_a, name, 0, 0, PT_RDWR);
	if (pipe(p))
		PT_BROKEN("pipe");

	errno = EDOM;
	n = copy_file_range(src, NULL, mid, NULL, size, 0);
	if (shim) {
		T_CHECK(n == (ssize_t)size, "copy_file_range n=%zd (%s)", n, strerror(errno));
		T_CHECK(errno == EDOM, "errno changed to %s", strerror(errno));
	} else {
		T_CHECK(n == -1 && errno == EXDEV, "copy_file_range n=%zd (%s)", n,
			strerror(errno));
	}

	n = splice(mid, &off_in, dst, &off_out, size, SPLICE_F_DIRECT);
	if (shim)
		T_CHECK(n == (ssize_t)size && off_in == (loff_t)size &&
				pt_same(src, 0, dst, 0, size),
			"splice n=%zd (%s)", n, strerror(errno));
	else
		T_CHECK(n == -1 && errno == EINVAL, "splice n=%zd (%s)", n, strerror(errno));

	n = splice(p[0], NULL, dst, NULL, 4096, SPLICE_F_NONBLOCK);
	T_CHECK(n == -1 && errno == EAGAIN, "empty pipe n=%zd (%s)", n, strerror(errno));

	close(p[0]);
	close(p[1]);
	close(src);
	close(mid);
	close(dst);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;

	pthread_barrier_wait(&start);
	for (int r = 0; r < ROUNDS; r++)
		round_trip(id, r);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	shim = pt_mode(argc, argv, 3);
	dir_a = argv[2];
	dir_b = argv[3];
	if (pthread_barrier_init(&start, NULL, THREADS))
		PT_BROKEN("pthread_barrier_init");
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			PT_BROKEN("pthread_create");
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return atomic_load(&failures) ? 1 : 0;
}
