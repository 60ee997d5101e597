// SPDX-License-Identifier: MIT
/*
 * sd_signal SRCDIR DSTDIR [MB] - a long SPLICE_F_DIRECT copy (in the kernel, not a clone) is
 * interruptible as copy_file_range(2) and sendfile(2) are: under a stream of signals each
 * call returns the bytes copied so far, or fails with EINTR having copied nothing and moved
 * no offset; with SA_RESTART it never fails with EINTR. Calling again until 0 completes the
 * copy with the right data.
 */
#include "sdtest.h"

#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void timer(long usec)
{
	struct itimerval it = {{0, usec}, {0, usec}};

	if (setitimer(ITIMER_REAL, &it, NULL))
		broken("setitimer");
}

static void run(const char *name, int restart, int src, int dst, uint64_t size)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
	long partial = 0, eintr = 0, calls = 0;
	loff_t oi = 0, oo = 0;
	ssize_t r;

	if (ftruncate(dst, 0))
		broken("ftruncate");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
	timer(2000);
	for (;;) {
		loff_t si = oi, so = oo;

		r = sd_splice(src, &oi, dst, &oo, size, SPLICE_F_DIRECT);
		calls++;
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR) {
			eintr++;
			if (oi != si || oo != so) {
				timer(0);
				return fail(name, "EINTR but the offsets moved");
			}
			continue;
		}
		if (r < 0) {
			timer(0);
			return fail(name, "%s", sd_ret(r, errno));
		}
		if (oi != si + r || oo != so + r) {
			timer(0);
			return fail(name, "offsets not advanced by the count");
		}
		if ((uint64_t)r < size - si)
			partial++;
	}
	timer(0);
	printf("note signal: %s: %ld calls, %ld short, %ld EINTR, %ld signals\n", name, calls,
	       partial, eintr, (long)alarms);
	if (oo != (loff_t)size || sd_cmp(src, 0, dst, 0, size) != -1)
		return fail(name, "copy incomplete or differs");
	if (restart && eintr)
		return fail(name, "EINTR despite SA_RESTART");
	if (!partial && !eintr)
		return fail(name, "%ld signals arrived and no call was cut short", (long)alarms);
	pass(name);
}

int main(int argc, char **argv)
{
	const char *sdir = argc > 1 ? argv[1] : "/tmp";
	const char *ddir = argc > 2 ? argv[2] : sdir;
	uint64_t size = (argc > 3 ? strtoull(argv[3], NULL, 10) : 128) << 20;
	char *sp = sd_path(sdir, "signal-src"), *dp = sd_path(ddir, "signal-dst");
	int src, dst;

	sd_prog = "signal";
	src = sd_make(sp, 9, size);
	dst = sd_make(dp, 10, 0);
	run("interrupted-copy-resumes", 0, src, dst, size);
	run("sa-restart-never-eintr", 1, src, dst, size);
	unlink(sp);
	unlink(dp);
	return sd_exit();
}
