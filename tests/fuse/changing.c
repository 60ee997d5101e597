/* SPDX-License-Identifier: MIT */
/*
 * fuse/changing grow|shrink FS [FS2]: a second thread changes the source while splice_direct
 * copies it (32 MiB; five rounds, the change after 0-8 ms): shrink truncates it to 8 MiB +
 * 123 bytes, grow appends 16 MiB of other bytes. Whatever the timing:
 *   - splice_direct never fails, and never copies a byte that the source did not hold:
 *     every byte of the destination is the source's byte at that offset (the original ones,
 *     or the appended ones), and the destination is exactly as long as the count reported;
 *   - copying on until it returns 0 (after the change) gives the source's final content
 *     (grow), or at least its part that never went away (shrink).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "t.h"

#define SIZE   (32ull << 20)
#define SHRUNK ((8ull << 20) + 123)
#define GROWTH (16ull << 20)
#define ROUNDS 5

static int grow;
static const char *src_path;
static long delay_us;

static void *change(void *arg)
{
	struct timespec ts = {0, delay_us * 1000};
	int fd = t_open(src_path, O_RDWR, 0);

	(void)arg;
	nanosleep(&ts, NULL);
	if (grow)
		t_fill_random(fd, SIZE, GROWTH);
	else if (ftruncate(fd, (off_t)SHRUNK) < 0)
		t_broken("ftruncate: %m");
	close(fd);
	return NULL;
}

/* Every byte of out equals ref's byte at the same offset. */
static int same_prefix(int out, const unsigned char *ref, uint64_t n)
{
	unsigned char *buf = malloc(n ? n : 1);
	int ok = buf && pread(out, buf, n, 0) == (ssize_t)n && !memcmp(buf, ref, n);

	free(buf);
	return ok;
}

int main(int argc, char **argv)
{
	const char *in_dir, *out_dir;

	if (argc < 3)
		t_broken("usage: changing grow|shrink FS [FS2]");
	grow = !strcmp(argv[1], "grow");
	t_mount_args(argc - 1, argv + 1, &in_dir, &out_dir);
	src_path = t_path(in_dir, "src");
	char *dst_path = t_path(out_dir, "dst");
	unsigned char *ref = malloc(SIZE + GROWTH);
	if (!ref)
		t_broken("out of memory");

	for (int round = 0; round < ROUNDS; round++) {
		int in = t_open(src_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		int out = t_open(dst_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		uint64_t total = 0, first;
		pthread_t th;
		ssize_t n;

		t_fill_random(in, 0, SIZE);
		if (pread(in, ref, SIZE, 0) != (ssize_t)SIZE)
			t_broken("read source: %m");
		delay_us = round * 2000;
		if (pthread_create(&th, NULL, change, NULL))
			t_broken("pthread_create");
		while ((n = splice_direct(in, NULL, out, NULL, SIZE + GROWTH, 0)) > 0)
			total += (uint64_t)n;
		T_CHECK(n == 0, "round %d: %m after %llu bytes", round, (unsigned long long)total);
		first = total;
		pthread_join(th, NULL);
		if (grow && pread(in, ref + SIZE, GROWTH, SIZE) != (ssize_t)GROWTH)
			t_broken("read appended bytes: %m");
		/* what the source held when the copy ended, and nothing else */
		T_CHECK(t_size(out) == total, "round %d: destination %llu bytes, reported %llu",
			round, (unsigned long long)t_size(out), (unsigned long long)total);
		T_CHECK(same_prefix(out, ref, total), "round %d: bytes the source never held",
			round);

		/* copy on: the rest of what is there now */
		while ((n = splice_direct(in, NULL, out, NULL, SIZE + GROWTH, 0)) > 0)
			total += (uint64_t)n;
		T_CHECK(n == 0, "round %d: %m", round);
		if (grow)
			T_CHECK(total == SIZE + GROWTH && same_prefix(out, ref, total),
				"round %d: %llu bytes, not the grown source", round,
				(unsigned long long)total);
		else
			T_CHECK(total >= SHRUNK && total <= SIZE && same_prefix(out, ref, total),
				"round %d: %llu bytes", round, (unsigned long long)total);
		t_log("round %d (change after %ld us): %llu bytes, then %llu", round, delay_us,
		      (unsigned long long)first, (unsigned long long)total);
		close(in), close(out);
	}
	free(ref);
	t_done();
}
