// SPDX-License-Identifier: MIT
/*
 * sd_unchanged DIR - what existing programs see is unchanged by the series: splice(2) between
 * a file and a pipe works as before and still refuses SPLICE_F_DIRECT; tee(2), vmsplice(2)
 * and io_uring's IORING_OP_SPLICE refuse the flag with EINVAL and work without it.
 */
#include "sdtest.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/uio.h>

static void file_to_pipe_to_file(int src, int dst)
{
	int p[2];
	loff_t oi = 100, oo = 7;
	ssize_t r;

	if (pipe(p))
		broken("pipe");
	r = sd_splice(src, &oi, p[1], NULL, 5000, 0);
	if (r != 5000 || oi != 5100)
		return fail("file-pipe-file", "file to pipe %s", sd_ret(r, errno));
	r = sd_splice(p[0], NULL, dst, &oo, 5000, 0);
	if (r != 5000 || oo != 5007 || sd_diff(dst, 7, 3, 100, 5000) != -1)
		return fail("file-pipe-file", "pipe to file %s", sd_ret(r, errno));
	close(p[0]);
	close(p[1]);
	pass("file-pipe-file");
}

static void tee_vmsplice(void)
{
	int a[2], b[2];
	char buf[16] = "0123456789";
	struct iovec iov = {buf, 10};
	ssize_t r;

	if (pipe(a) || pipe(b))
		broken("pipe");
	r = syscall(SYS_vmsplice, a[1], &iov, 1, SPLICE_F_DIRECT);
	if (r != -1 || errno != EINVAL)
		fail("vmsplice-refuses-flag", "%s", sd_ret(r, errno));
	else
		pass("vmsplice-refuses-flag");
	if (syscall(SYS_vmsplice, a[1], &iov, 1, 0) != 10)
		broken("vmsplice");
	r = syscall(SYS_tee, a[0], b[1], 10, SPLICE_F_DIRECT);
	if (r != -1 || errno != EINVAL)
		fail("tee-refuses-flag", "%s", sd_ret(r, errno));
	else
		pass("tee-refuses-flag");
	r = syscall(SYS_tee, a[0], b[1], 10, 0);
	if (r != 10)
		fail("tee-works", "%s", sd_ret(r, errno));
	else
		pass("tee-works");
}

/* One IORING_OP_SPLICE from src at offset 0 into a pipe; returns the completion's res. */
static int uring_splice(int src, int pipe_w, unsigned int flags)
{
	struct io_uring_params p;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	char *sq, *cq;
	int fd, res;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		return -1000 - errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		broken("mmap io_uring");
	sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	sq_array = (unsigned int *)(sq + p.sq_off.array);
	cq_head = (unsigned int *)(cq + p.cq_off.head);
	cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_SPLICE;
	sqes[0].fd = pipe_w;
	sqes[0].off = (__u64)-1;
	sqes[0].splice_off_in = 0;
	sqes[0].splice_fd_in = src;
	sqes[0].len = 1000;
	sqes[0].splice_flags = flags;
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		broken("io_uring_enter");
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head)
		broken("no io_uring completion");
	res = cqes[*cq_head & *cq_mask].res;
	close(fd);
	return res;
}

static void io_uring(int src)
{
	int p[2], res;

	if (pipe(p))
		broken("pipe");
	res = uring_splice(src, p[1], SPLICE_F_DIRECT);
	if (res <= -1000) {
		skip("io_uring-refuses-flag", "io_uring_setup: %s", strerror(-res - 1000));
		return;
	}
	if (res != -EINVAL)
		fail("io_uring-refuses-flag", "res %d, want %d", res, -EINVAL);
	else
		pass("io_uring-refuses-flag");
	res = uring_splice(src, p[1], 0);
	if (res != 1000)
		fail("io_uring-splice-works", "res %d, want 1000", res);
	else
		pass("io_uring-splice-works");
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	int src, dst;

	sd_prog = "unchanged";
	src = sd_make(sd_path(dir, "unchanged-src"), 3, 100000);
	dst = sd_make(sd_path(dir, "unchanged-dst"), 4, 0);
	file_to_pipe_to_file(src, dst);
	tee_vmsplice();
	io_uring(src);
	unlink(sd_path(dir, "unchanged-src"));
	unlink(sd_path(dir, "unchanged-dst"));
	return sd_exit();
}
