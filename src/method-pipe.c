// SPDX-License-Identifier: MIT
/*
 * method-pipe.c - splice(2) from the input into a private pipe and from the pipe into the
 * output: the kernel moves page references into the pipe and copies once into the output's
 * page cache, between any two filesystems. What do_splice_direct does inside the kernel.
 *
 * The pipe is this call's own (O_CLOEXEC), raised to 1 MiB with F_SETPIPE_SZ where allowed
 * (pipe-max-size), and closed when the call ends, or at once if an error leaves data in it.
 * Refusals: ENOSYS under seccomp; EINVAL from a filesystem without splice_read/splice_write.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"
#include "sys.h"

#include <stdlib.h>

#define PIPE_BYTES (1u << 20)

struct pipe {
	int fd[2];
	unsigned int size;
};

static struct pipe *pipe_open(struct sd_copy *c, ssize_t *ret_err)
{
	struct pipe *p = malloc(sizeof(*p));
	int r;

	if (!p) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	if (pipe2(p->fd, O_CLOEXEC) < 0) {
		*ret_err = -errno;
		free(p);
		return NULL;
	}
	r = fcntl(p->fd[1], F_SETPIPE_SZ, PIPE_BYTES);
	p->size = r > 0 ? (unsigned int)r : 65536;
	c->state[SPLICE_DIRECT_PIPE] = p;
	return p;
}

static void pipe_close(struct sd_copy *c)
{
	struct pipe *p = c->state[SPLICE_DIRECT_PIPE];

	if (p) {
		(void)close(p->fd[0]);
		(void)close(p->fd[1]);
		free(p);
	}
	c->state[SPLICE_DIRECT_PIPE] = NULL;
}

/* EINVAL: a filesystem without splice_read or splice_write */
static ssize_t refusal(struct sd_copy *c, ssize_t r)
{
	return sd_refusal(c, r, SD_NOT_HERE);
}

static ssize_t pipe_copy(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	struct pipe *p = c->state[SPLICE_DIRECT_PIPE];
	loff_t i = (loff_t)off_in, o = (loff_t)off_out;
	size_t total = 0;
	ssize_t n = 0, w;

	if (!p && !(p = pipe_open(c, &n)))
		return refusal(c, n);
	len = sd_min(len, SD_MAX_RW);
	while (total < len) {
		n = sd_sys_splice(c->in.fd, &i, p->fd[1], NULL, sd_min(len - total, p->size),
				  SPLICE_F_MOVE);
		if (n <= 0) {
			if (total)
				break;
			return n == 0 ? 0 : refusal(c, n);
		}
		while (n > 0) {
			w = sd_sys_splice(p->fd[0], NULL, c->out.fd, &o, (size_t)n, SPLICE_F_MOVE);
			if (w <= 0) {
				/* what is left in the pipe is lost: start the next call empty */
				pipe_close(c);
				if (total)
					return (ssize_t)total;
				return w == 0 ? -EIO : refusal(c, w);
			}
			n -= w;
			total += (size_t)w;
		}
	}
	return (ssize_t)total;
}

const struct sd_method sd_method_pipe = {
	.name = "pipe",
	.id = SPLICE_DIRECT_PIPE,
	.props = SD_PAGE_CACHE,
	.copy = pipe_copy,
	.close = pipe_close,
};
