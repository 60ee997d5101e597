/* SPDX-License-Identifier: MIT */
/*
 * big.c - a file of two chunks or more, copied by many ranks with sdcp's own steps (job.c).
 *
 * The rank that runs the file item opens it as sdcp does (job_open: the source, the
 * destination or its --atomic temporary name, the -v line), gives the copy its size
 * (job_split) and deals the chunk items round the ranks, so that each rank starts with an
 * equal share of the file's bytes; a rank that runs out of work may still steal a chunk (see
 * queue.c). Any rank copies a chunk with job_copy() at the chunk's own offsets, through fds
 * of its own opened by path, then makes --sparse=always and --verify on that range (data.c),
 * so that the reading is spread as the copying was. The file's record counts the chunks; the
 * last one reported makes the first rank finish the file once, with job_finish(): errors
 * said once, holes, metadata, the rename.
 *
 * A signal (mpirun passes Ctrl-C on as SIGTERM) removes the new file on the rank that created
 * it, through sdcp's inflight list; with --atomic the name only ever shows a complete copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdmpi.h"

struct big {
	struct record rec; /* first */
	struct file_job *f;
};

/* a chunk's error that is not an errno: the copy differs from the source (--verify) */
#define ERR_DIFFERS 0x40000000

static void big_finish(struct record *r)
{
	struct big *b = (struct big *)r;

	job_finish(b->f);
	free(b);
}

static void big_child(struct record *r, const struct done_stats *s)
{
	struct file_job *f = ((struct big *)r)->f;

	if (s->err == ERR_DIFFERS)
		f->differs = 1;
	else if (s->err && !atomic_load(&f->err))
		atomic_store(&f->err, s->err);
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		f->stats.bytes[m] += s->bytes[m];
	f->stats.holes += s->holes;
}

void big_start(struct dir *d, struct item *it)
{
	struct file_job *f =
		job_new(d, item_sname(it), item_dname(it), it->top, walk_follows(it->top), &it->st);
	struct item **chunks;
	struct big *b;
	char *s, *w;
	uint64_t n;

	if (!f || job_open(f)) {
		item_done(it, NULL);
		return;
	}
	f->checked = 1; /* by each chunk, on its range */
	n = f->done ? 0 : job_split(f);
	if (atomic_load(&f->err) || f->done) {
		job_finish(f);
		item_done(it, NULL);
		return;
	}
	b = xmalloc(sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->f = f;
	b->rec.pending = n;
	b->rec.finish = big_finish;
	b->rec.child_done = big_child;
	record_add(&b->rec, it->owner, it->id);
	s = path_join(d->spath, f->sname);
	w = path_join(d->dpath, f->tmp ? f->tmp : f->dname);
	chunks = xmalloc(n * sizeof(*chunks));
	for (uint64_t k = 0; k < n; k++) {
		struct item *c = item_new(ITEM_CHUNK, s, w, "", "");

		c->owner = my_rank;
		c->id = b->rec.id;
		c->top = it->top;
		c->st = f->st;
		c->off = k * arg_chunk;
		c->len = k == n - 1 ? UINT64_MAX : arg_chunk; /* the last: to the end */
		chunks[k] = c;
	}
	queue_deal(chunks, n);
	free(chunks);
	free(s);
	free(w);
}

/* The fds a foreign chunk uses: one pair kept, as chunks of a file come in runs. */
static int c_sfd = -1, c_dfd = -1, c_owner = -1;
static uint64_t c_id;

void big_cleanup(void)
{
	if (c_sfd >= 0)
		close(c_sfd);
	if (c_dfd >= 0)
		close(c_dfd);
	c_sfd = c_dfd = c_owner = -1;
}

static int chunk_fds(const struct item *it, int *sfd, int *dfd)
{
	if (it->owner == my_rank) {
		struct record *r = record_find(it->id);

		if (r && r->finish == big_finish) {
			*sfd = ((struct big *)r)->f->sfd;
			*dfd = ((struct big *)r)->f->dfd;
			return 0;
		}
	}
	if (c_owner != it->owner || c_id != it->id) {
		big_cleanup();
		c_sfd = open(item_sdir(it), O_RDONLY | O_CLOEXEC | O_NOCTTY |
						    (walk_follows(it->top) ? 0 : O_NOFOLLOW));
		if (c_sfd < 0)
			return -errno;
		/* the copy was made by us (or is the operand, followed as it was) */
		c_dfd = open(item_ddir(it),
			     job_write_mode() | O_CLOEXEC | O_NOCTTY | (it->top ? 0 : O_NOFOLLOW));
		if (c_dfd < 0) {
			int e = -errno;

			big_cleanup();
			return e == -ELOOP || e == -EISDIR ? -EBADF : e;
		}
		c_owner = it->owner;
		c_id = it->id;
	}
	*sfd = c_sfd;
	*dfd = c_dfd;
	return 0;
}

void big_chunk(struct item *it)
{
	struct splice_direct_stats s = {0};
	struct done_stats ds = {0};
	int sfd = -1, dfd = -1, r = chunk_fds(it, &sfd, &dfd);
	uint64_t end = it->len == UINT64_MAX ? UINT64_MAX : it->off + it->len;

	stat_chunks++;
	if (!r)
		r = job_copy(sfd, dfd, it->off, it->len, it->st.st_size, NULL, &s);
	if (!r && arg_sparse == SPARSE_ALWAYS)
		r = data_punch_zeros(dfd, dfd, it->off,
				     end == UINT64_MAX ? (uint64_t)it->st.st_size : end,
				     it->st.st_blksize);
	if (!r && arg_verify) {
		r = data_verify(sfd, dfd, it->off, end);
		r = r > 0 ? ERR_DIFFERS : -r;
	} else {
		r = -r;
	}
	ds.err = r;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		ds.bytes[m] = s.bytes[m];
	ds.holes = s.holes;
	item_done(it, &ds);
}
