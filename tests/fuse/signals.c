/* SPDX-License-Identifier: MIT */
/*
 * fuse/signals FS [FS2]: SIGALRM every 300 us (a handler without SA_RESTART) while
 * splice_direct copies 64 MiB with file positions, and while splice_direct_file copies it.
 * A call may come back early (a short count) or fail with EINTR before any progress; it never
 * loses or invents a byte: the file positions match the counts, retrying gives the exact
 * copy, and splice_direct_file (which retries by itself) succeeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "t.h"

#define SIZE (64ull << 20)

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void timer(long us)
{
	struct itimerval it = {{0, us}, {0, us}};

	setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	const char *in_dir, *out_dir;
	uint64_t total = 0;
	int eintr = 0, shorts = 0;
	ssize_t n;

	t_mount_args(argc, argv, &in_dir, &out_dir);
	char *src = t_path(in_dir, "src"), *dst = t_path(out_dir, "dst"),
	     *dst2 = t_path(out_dir, "dst2");
	int in = t_open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int out = t_open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_fill_random(in, 0, SIZE);
	lseek(in, 0, SEEK_SET);
	t_compare_drops_cache = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART */
	timer(300);
	for (;;) {
		n = splice_direct(in, NULL, out, NULL, SIZE - total, 0);
		if (n < 0 && errno == EINTR) {
			eintr++;
			continue;
		}
		if (n <= 0)
			break;
		total += (uint64_t)n;
		if (total < SIZE)
			shorts++;
		T_CHECK(lseek(in, 0, SEEK_CUR) == (off_t)total &&
				lseek(out, 0, SEEK_CUR) == (off_t)total,
			"file positions %lld %lld after %llu bytes",
			(long long)lseek(in, 0, SEEK_CUR), (long long)lseek(out, 0, SEEK_CUR),
			(unsigned long long)total);
	}
	T_CHECK(n == 0 && total == SIZE, "ended with %zd (%m) after %llu bytes", n,
		(unsigned long long)total);
	T_CHECK(t_same_file(in, out), "the copy differs");

	int r = splice_direct_file(src, dst2, 0, NULL);
	timer(0);
	T_CHECK(r == 0, "splice_direct_file: %m");
	int out2 = t_open(dst2, O_RDONLY, 0);
	T_CHECK(t_same_file(in, out2), "splice_direct_file's copy differs");
	t_log("%d signals: %d EINTR, %d short counts", (int)alarms, eintr, shorts);
	T_CHECK(alarms > 0, "no signal arrived during the copies: proved nothing");
	t_done();
}
