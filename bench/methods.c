/* SPDX-License-Identifier: MIT */
/*
 * methods - one way of moving a file's bytes, with its sizes spelled out, for measuring the
 * ways against each other (bench/methods-run, issue 20). Not the library: each way here is
 * the bare system calls, so that a figure says what the kernel costs, not what a plan adds.
 *
 *   methods [-j N] [-f] WAY SRC DST
 *
 *   WAY   pipe:STEP:PIPE   splice into a pipe of PIPE bytes (F_SETPIPE_SZ) and out of it, STEP
 *                          bytes a round
 *         sendfile:STEP    sendfile(2), STEP bytes a call
 *         rw:BUF           read(2) and write(2) through a buffer of BUF bytes
 *         cfr:STEP         copy_file_range(2), STEP bytes a call
 *   -j N  N threads, each copying one Nth of the file (contiguous parts, as sdcp's chunks)
 *   -f    fallocate the destination to the whole size first (what the library's reserve.c
 *         does for ext4 and xfs)
 *
 * Sizes take K, M and G. DST is created (O_EXCL); each part is written at its own offsets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

enum way { PIPE, SENDFILE, RW, CFR };

static enum way way;
static size_t step, pipe_size;
static int in_fd, out_fd;

struct part {
	pthread_t thread;
	off_t off, len;
	int err;
};

static size_t size_arg(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G':
		v <<= 10; /* fall through */
	case 'M':
		v <<= 10; /* fall through */
	case 'K':
		v <<= 10;
		end++;
	}
	if (!v || *end) {
		fprintf(stderr, "methods: bad size '%s'\n", s);
		exit(2);
	}
	return (size_t)v;
}

/* the bytes of the next step from pos to end */
static size_t next(off_t pos, off_t end)
{
	return (size_t)(end - pos) < step ? (size_t)(end - pos) : step;
}

static int copy_pipe(struct part *p)
{
	loff_t i = p->off, o = p->off;
	off_t end = p->off + p->len;
	int fd[2];

	if (pipe2(fd, O_CLOEXEC) < 0)
		return errno;
	if (pipe_size && fcntl(fd[1], F_SETPIPE_SZ, (int)pipe_size) < 0)
		return errno;
	while (i < end) {
		ssize_t n = splice(in_fd, &i, fd[1], NULL, next(i, end), SPLICE_F_MOVE);

		if (n <= 0)
			return n ? errno : EIO;
		while (n > 0) {
			ssize_t w = splice(fd[0], NULL, out_fd, &o, (size_t)n, SPLICE_F_MOVE);

			if (w <= 0)
				return w ? errno : EIO;
			n -= w;
		}
	}
	close(fd[0]);
	close(fd[1]);
	return 0;
}

static int copy_part(struct part *p)
{
	off_t i = p->off, end = p->off + p->len;

	switch (way) {
	case PIPE:
		return copy_pipe(p);
	case SENDFILE: {
		char path[64];
		int fd;

		/* sendfile writes at the output's own file position: a description of our own */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", out_fd);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || lseek(fd, p->off, SEEK_SET) < 0)
			return errno;
		while (i < end) {
			ssize_t n = sendfile(fd, in_fd, &i, next(i, end));

			if (n <= 0)
				return n ? errno : EIO;
		}
		close(fd);
		return 0;
	}
	case RW: {
		char *buf = aligned_alloc(4096, (step + 4095) & ~(size_t)4095);

		if (!buf)
			return ENOMEM;
		while (i < end) {
			ssize_t n = pread(in_fd, buf, next(i, end), i);

			if (n <= 0)
				return n ? errno : EIO;
			for (ssize_t done = 0; done < n;) {
				ssize_t w = pwrite(out_fd, buf + done, n - done, i + done);

				if (w <= 0)
					return w ? errno : EIO;
				done += w;
			}
			i += n;
		}
		free(buf);
		return 0;
	}
	case CFR: {
		loff_t a = i, b = i;

		while (a < end) {
			ssize_t n = copy_file_range(in_fd, &a, out_fd, &b, next(a, end), 0);

			if (n <= 0)
				return n ? errno : EIO;
		}
		return 0;
	}
	}
	return EINVAL;
}

static void *run(void *arg)
{
	struct part *p = arg;

	p->err = copy_part(p);
	return NULL;
}

int main(int argc, char **argv)
{
	int jobs = 1, reserve = 0, opt;
	struct part *parts;
	struct stat st;
	char *w;

	while ((opt = getopt(argc, argv, "j:f")) != -1) {
		if (opt == 'j')
			jobs = atoi(optarg);
		else if (opt == 'f')
			reserve = 1;
		else
			return 2;
	}
	if (argc - optind != 3 || jobs < 1) {
		fprintf(stderr, "usage: methods [-j N] [-f] WAY SRC DST\n");
		return 2;
	}
	w = argv[optind];
	if (!strncmp(w, "pipe:", 5)) {
		char *c = strchr(w + 5, ':');

		if (!c)
			return 2;
		*c = 0;
		way = PIPE, step = size_arg(w + 5), pipe_size = size_arg(c + 1);
	} else if (!strncmp(w, "sendfile:", 9)) {
		way = SENDFILE, step = size_arg(w + 9);
	} else if (!strncmp(w, "rw:", 3)) {
		way = RW, step = size_arg(w + 3);
	} else if (!strncmp(w, "cfr:", 4)) {
		way = CFR, step = size_arg(w + 4);
	} else {
		fprintf(stderr, "methods: unknown way '%s'\n", w);
		return 2;
	}
	in_fd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC);
	if (in_fd < 0 || fstat(in_fd, &st) < 0) {
		perror(argv[optind + 1]);
		return 1;
	}
	out_fd = open(argv[optind + 2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out_fd < 0) {
		perror(argv[optind + 2]);
		return 1;
	}
	if (reserve && fallocate(out_fd, 0, 0, st.st_size) < 0) {
		perror("fallocate");
		return 1;
	}
	parts = calloc(jobs, sizeof(*parts));
	if (!parts)
		return 1;
	for (int k = 0; k < jobs; k++) {
		off_t a = st.st_size / jobs * k,
		      b = k == jobs - 1 ? st.st_size : st.st_size / jobs * (k + 1);

		parts[k].off = a & ~(off_t)4095;
		parts[k].len = (k == jobs - 1 ? b : (b & ~(off_t)4095)) - parts[k].off;
		if (pthread_create(&parts[k].thread, NULL, run, &parts[k])) {
			fprintf(stderr, "methods: no thread\n");
			return 1;
		}
	}
	for (int k = 0; k < jobs; k++) {
		pthread_join(parts[k].thread, NULL);
		if (parts[k].err) {
			fprintf(stderr, "methods: %s: %s\n", w, strerror(parts[k].err));
			return 1;
		}
	}
	return close(out_fd) < 0;
}
