/* SPDX-License-Identifier: MIT */
/*
 * fuse/fault FAULT FROM TO: sdfuse injects FAULT while splice_direct copies a 4 MiB file from
 * FROM to TO (each "fuse" or "local": the tmpfs under sdfuse's backing folder). FAULTs:
 *   eio-read     the 4th read of the server and every later one: EIO
 *   eio-write    the 4th write and every later one: EIO
 *   eio-cfr      the 3rd server-side copy and every later one: EIO (copies of 256 KiB)
 *   enospc       1.5 MiB + 123 bytes may be written (by writes or server-side copies)
 *   short-read   every read answers at most 1000 bytes (direct_io: no page cache)
 *   slow-signal  every handler sleeps 10 ms; SIGALRM every 25 ms (no SA_RESTART); the
 *                server answers EINTR to an interrupted request (direct_io: the page
 *                cache's reads wait for a fatal signal only)
 * Within sdfuse, the read/write faults use cfr eopnotsupp, so that the kernel's fallback
 * moves the data through the faulty handlers.
 *
 * What must hold, checked on the server's (backing) files after each fault:
 *   1. splice_direct returns counts, then -1 with the fault's errno (EIO or ENOSPC); for
 *      short reads and signals the copy completes (EINTR and short counts are retried);
 *   2. the source is untouched (checksum);
 *   3. no garbage: the destination (which held 1 MiB of old bytes, copied to at offset
 *      OUT0 = 12388) holds, below OUT0, its old bytes; in [OUT0, OUT0 + reported), the
 *      source's bytes; above, only its old bytes or the source's bytes that belong there
 *      (written, not yet reported); and its size is at most max(old size, OUT0 + reported);
 *   4. splice_direct_file(SPLICE_F_ATOMIC) over an existing destination fails with the
 *      fault's errno and leaves the old destination intact, with no temporary file left;
 *   5. splice_direct_file without it fails the same way and removes the file it created.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "tf.h"

#define SIZE (4ull << 20)
#define OLD  (1ull << 20)
#define OUT0 12388ull

static struct tf f;
static const char *fault;
static int expect_err; /* 0: the copy must complete */
static int src_fuse, dst_fuse;

static void on_alarm(int sig)
{
	(void)sig;
}

static void timer(int on)
{
	struct itimerval it = {{0, on ? 25000 : 0}, {0, on ? 25000 : 0}};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void arm(void)
{
	const char *plain = src_fuse && dst_fuse ? "cfr eopnotsupp\n" : "";

	if (!strcmp(fault, "eio-read"))
		tf_ctl(&f, "reset\n%seio_read 4", plain);
	else if (!strcmp(fault, "eio-write"))
		tf_ctl(&f, "reset\n%seio_write 4", plain);
	else if (!strcmp(fault, "eio-cfr"))
		tf_ctl(&f, "reset\ncfr short\ncfr_max 262144\neio_cfr 3");
	else if (!strcmp(fault, "enospc"))
		tf_ctl(&f, "reset\nenospc %llu", (1ull << 20) * 3 / 2 + 123);
	else if (!strcmp(fault, "short-read"))
		tf_ctl(&f, "reset\n%sdirect_io 1\nshort_read 1000", plain);
	else if (!strcmp(fault, "slow-signal"))
		tf_ctl(&f, "reset\ncfr short\ncfr_max 262144\ndirect_io 1\nslow 10");
	if (!strcmp(fault, "slow-signal"))
		timer(1);
}

static void disarm(void)
{
	timer(0);
	tf_ctl(&f, "reset");
}

/* A file of sdfuse ("fuse") or of the tmpfs under it ("local"): the path to open. */
static char *side(int fuse, const char *name)
{
	return fuse ? tf_mnt(&f, name) : tf_back(&f, name);
}

static unsigned char *slurp(const char *path, uint64_t *size)
{
	uint64_t n = tf_path_size(path);
	unsigned char *buf = malloc(n + 1);
	int fd = t_open(path, O_RDONLY, 0);

	if (!buf || pread(fd, buf, n, 0) != (ssize_t)n)
		t_broken("read '%s'", path);
	close(fd);
	*size = n;
	return buf;
}

/* Check 3: every byte of the destination is accounted for. */
static void check_no_garbage(const unsigned char *src, uint64_t src_size, const unsigned char *old,
			     uint64_t old_size, const char *dst_path, uint64_t reported)
{
	uint64_t size, limit = OUT0 + reported > old_size ? OUT0 + reported : old_size;
	unsigned char *dst = slurp(dst_path, &size);

	T_CHECK(size <= limit, "destination is %llu bytes, more than max(old %llu, %llu + %llu)",
		(unsigned long long)size, (unsigned long long)old_size, OUT0,
		(unsigned long long)reported);
	for (uint64_t p = 0; p < size; p++) {
		int is_old = p < old_size && dst[p] == old[p];
		int is_src = p >= OUT0 && p - OUT0 < src_size && dst[p] == src[p - OUT0];
		int ok = p < OUT0 ? is_old : p < OUT0 + reported ? is_src : is_old || is_src;

		if (!ok) {
			T_CHECK(0, "garbage at %llu (reported %llu): %#x", (unsigned long long)p,
				(unsigned long long)reported, dst[p]);
			break;
		}
	}
	free(dst);
}

static void copy_fds(void)
{
	char *src = side(src_fuse, "src"), *dst = side(dst_fuse, "dst");
	char *bsrc = tf_back(&f, "src"), *bdst = tf_back(&f, "dst");
	uint64_t sum = tf_make(&f, "src", SIZE, 0), total = 0, src_size, old_size;
	int in, out, err = 0, interrupted = 0;
	loff_t oi = 0, oo = OUT0;
	ssize_t n;

	tf_make(&f, "dst", OLD, 0);
	unsigned char *old = slurp(bdst, &old_size), *s = slurp(bsrc, &src_size);
	arm(); /* first: direct_io applies to the files opened after it */
	in = t_open(src, O_RDONLY, 0);
	out = t_open(dst, O_WRONLY, 0);
	for (;;) {
		n = splice_direct(in, &oi, out, &oo, SIZE - total, 0);
		if (n < 0 && errno == EINTR && !expect_err) {
			interrupted++;
			continue;
		}
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total < SIZE && expect_err == 0)
			interrupted += !strcmp(fault, "slow-signal");
	}
	timer(0);
	struct tf_stats st;
	tf_stats(&f, &st);
	disarm();
	close(in), close(out);
	t_log("splice_direct: %llu bytes, then %s; %d interruptions seen",
	      (unsigned long long)total, err ? strerror(err) : "end", interrupted);
	tf_stats_print("splice_direct", &st);

	T_CHECK(tf_sum(bsrc, 0, UINT64_MAX) == sum, "the source changed");
	T_CHECK(oi == (loff_t)total && oo == (loff_t)(OUT0 + total), "offsets %lld %lld",
		(long long)oi, (long long)oo);
	if (expect_err) {
		T_CHECK(err == expect_err, "expected %s, got %s", strerror(expect_err),
			err ? strerror(err) : "success");
		T_CHECK(total < SIZE, "a fault that did not stop the copy");
	} else {
		T_CHECK(err == 0 && total == SIZE, "copy ended at %llu: %s",
			(unsigned long long)total, strerror(err));
	}
	/*
	 * Only the server's copy_file_range is interrupted: the kernel's reads of a FUSE file
	 * behind splice() (the pipe method, fuse local) were never interrupted here (Linux 6.18),
	 * with or without direct_io; that case checks only that nothing is corrupted.
	 */
	if (!strcmp(fault, "slow-signal"))
		T_CHECK(st.eintr > 0 || !dst_fuse, "no request was interrupted: proved nothing");
	else
		T_CHECK(st.faults > 0 || !strcmp(fault, "short-read"), "the fault never fired");
	check_no_garbage(s, src_size, old, old_size, bdst, total);
	free(old), free(s);
}

static int temp_left(void)
{
	DIR *d = opendir(f.back);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= !strncmp(e->d_name, ".dst.", 5);
	if (d)
		closedir(d);
	return found;
}

static void copy_files(void)
{
	char *src = side(src_fuse, "src"), *dst = side(dst_fuse, "dst");
	char *bdst = tf_back(&f, "dst");
	uint64_t old;
	int r, e;

	/* 4: atomic over an old destination */
	old = tf_make(&f, "dst", OLD, 0);
	arm();
	r = splice_direct_file(src, dst, SPLICE_F_ATOMIC, NULL);
	e = errno;
	disarm();
	if (expect_err)
		T_CHECK(r < 0 && e == expect_err, "atomic: %d, %s", r, strerror(e));
	else
		T_CHECK(r == 0, "atomic: %s", strerror(e));
	if (r < 0)
		T_CHECK(tf_sum(bdst, 0, UINT64_MAX) == old, "atomic: the old destination changed");
	T_CHECK(!temp_left(), "atomic: a temporary file was left behind");

	/* 5: in place, to a new file */
	unlink(bdst);
	arm();
	r = splice_direct_file(src, dst, 0, NULL);
	e = errno;
	disarm();
	if (expect_err) {
		T_CHECK(r < 0 && e == expect_err, "in place: %d, %s", r, strerror(e));
		T_CHECK(access(bdst, F_OK) < 0, "in place: the failed copy was left");
	} else {
		T_CHECK(r == 0, "in place: %s", strerror(e));
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */

	if (argc != 4)
		t_broken("usage: fault FAULT fuse|local fuse|local");
	fault = argv[1];
	src_fuse = !strcmp(argv[2], "fuse");
	dst_fuse = !strcmp(argv[3], "fuse");
	if (!strcmp(fault, "eio-read") || !strcmp(fault, "eio-write") || !strcmp(fault, "eio-cfr"))
		expect_err = EIO;
	else if (!strcmp(fault, "enospc"))
		expect_err = ENOSPC;
	else if (strcmp(fault, "short-read") && strcmp(fault, "slow-signal"))
		t_broken("unknown fault '%s'", fault);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	tf_mount(&f, NULL);
	copy_fds();
	copy_files();
	t_done();
}
