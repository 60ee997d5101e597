// SPDX-License-Identifier: MIT
/*
 * sd_freeze SRCDIR DSTDIR MB - a SPLICE_F_DIRECT copy between two filesystems (the kernel's
 * own copy, COPY_FILE_SPLICE) while fsfreeze(8)'s FIFREEZE holds one of them:
 *
 *  - the destination frozen in the middle of the copy: the copy waits (the destination does
 *    not grow, the call does not return) and, once thawed, completes with the right bytes;
 *  - the source frozen before the copy: reading a frozen filesystem is allowed, so the copy
 *    (from an O_DIRECT descriptor: from the disk) completes while it is frozen; it must not
 *    wait for the source's freeze protection.
 *
 * On the debugging kernel (kernel/run --debug) lockdep watches the freeze protection taken
 * for each chunk's write while the other filesystem is read.
 */
#include "sdtest.h"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	nanosleep(&ts, NULL);
}

/* The whole copy in a child, one SPLICE_F_DIRECT call after another; exit 0 when complete. */
static pid_t start_copy(int in, int out, uint64_t size)
{
	pid_t pid = fork();

	if (pid < 0)
		broken("fork");
	if (pid == 0) {
		loff_t oi = 0, oo = 0;
		ssize_t r;

		while ((uint64_t)oi < size) {
			r = sd_splice(in, &oi, out, &oo, size - (uint64_t)oi, SPLICE_F_DIRECT);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

/* Wait for the child for at most secs seconds; its exit status, or -1 if still running. */
static int wait_copy(pid_t pid, double secs)
{
	double end = now() + secs;
	int st;

	do {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		nap(0.05);
	} while (now() < end);
	return -1;
}

/* A copy that did not finish in time is killed, so that no child outlives its test. */
static void end_copy(pid_t pid)
{
	kill(pid, SIGKILL);
	wait_copy(pid, 60);
}

/* The copy is whole: the source's size and bytes. */
static int copied(int in, int out, uint64_t size)
{
	return sd_size(out) == (off_t)size && sd_cmp(in, 0, out, 0, size) < 0;
}

static int freeze(const char *dir, int on)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int r;

	if (fd < 0)
		broken("open %s", dir);
	r = ioctl(fd, on ? FIFREEZE : FITHAW, 0);
	close(fd);
	return r;
}

static void destination_frozen(const char *dst_dir, int in, const char *dst, uint64_t size)
{
	const char *name = "destination-frozen-mid-copy";
	int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	off_t a, b;
	pid_t pid;
	int rc;

	if (out < 0)
		broken("create %s", dst);
	pid = start_copy(in, out, size);
	/* In the middle: some of it written, not all. */
	while (sd_size(out) < (off_t)(size / 16) && wait_copy(pid, 0) < 0)
		;
	if (freeze(dst_dir, 1)) {
		end_copy(pid);
		skip(name, "FIFREEZE %s: %s", dst_dir, strerror(errno));
		close(out);
		return;
	}
	nap(0.5);
	a = sd_size(out);
	rc = wait_copy(pid, 3);
	b = sd_size(out);
	if (freeze(dst_dir, 0))
		broken("FITHAW %s", dst_dir);
	printf("note freeze: %s frozen at %lld of %llu bytes; after 3 s %lld, copy %s\n", dst_dir,
	       (long long)a, (unsigned long long)size, (long long)b,
	       rc < 0 ? "waiting" : "returned");
	if (rc >= 0) {
		fail(name, "the copy %s while the destination was frozen (%lld of %llu bytes)",
		     rc == 0 ? "completed" : "failed", (long long)b, (unsigned long long)size);
	} else if (a != b) {
		fail(name, "the destination grew from %lld to %lld bytes while frozen",
		     (long long)a, (long long)b);
	} else if ((rc = wait_copy(pid, 600)) != 0) {
		if (rc < 0)
			end_copy(pid);
		fail(name, "after the thaw the copy %s (status %d)",
		     rc < 0 ? "did not finish in 600 s" : "failed", rc);
	} else if (!copied(in, out, size)) {
		fail(name, "after the thaw the copy differs from the source");
	} else {
		pass(name);
	}
	close(out);
	unlink(dst);
}

static void source_frozen(const char *src_dir, const char *src, int in, const char *dst,
			  uint64_t size)
{
	const char *name = "source-frozen-copy-completes";
	int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	/* O_DIRECT: the copy reads the frozen filesystem's disk, not the page cache. */
	int direct = open(src, O_RDONLY | O_DIRECT);
	pid_t pid;
	int rc;

	if (out < 0 || direct < 0)
		broken("create %s or open %s with O_DIRECT", dst, src);
	if (freeze(src_dir, 1)) {
		skip(name, "FIFREEZE %s: %s", src_dir, strerror(errno));
		close(out);
		close(direct);
		return;
	}
	pid = start_copy(direct, out, size);
	rc = wait_copy(pid, 600);
	if (freeze(src_dir, 0))
		broken("FITHAW %s", src_dir);
	if (rc != 0) {
		if (rc < 0)
			end_copy(pid);
		fail(name, "the copy %s while the source was frozen",
		     rc < 0 ? "did not finish in 600 s" : "failed");
	} else if (!copied(in, out, size)) {
		fail(name, "the copy differs from the source");
	} else {
		pass(name);
	}
	close(direct);
	close(out);
	unlink(dst);
}

int main(int argc, char **argv)
{
	uint64_t size;
	char *src, *dst;
	int in;

	sd_prog = "freeze";
	if (argc != 4) {
		fprintf(stderr, "usage: sd_freeze SRCDIR DSTDIR MB\n");
		return 2;
	}
	size = strtoull(argv[3], NULL, 10) << 20;
	src = sd_path(argv[1], "freeze.in");
	dst = sd_path(argv[2], "freeze.out");
	in = sd_make(src, 7, size);
	if (fsync(in))
		broken("fsync %s", src);
	destination_frozen(argv[2], in, dst, size);
	source_frozen(argv[1], src, in, dst, size);
	close(in);
	unlink(src);
	return sd_exit();
}
