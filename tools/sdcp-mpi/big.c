/* SPDX-License-Identifier: MIT */
/*
 * big.c - a file of two chunks or more, copied by many ranks.
 *
 * The rank that runs the file item opens the source, creates the destination (or its
 * --atomic temporary name) at its full size, and queues one chunk item per chunk; any rank
 * copies a chunk with splice_direct_ex() at the chunk's own offsets, through its own fds
 * opened by path. The file's record counts the chunks; the last one to be reported makes the
 * first rank finish the file once: errors said once, holes, metadata, the rename.
 *
 * This is job.c's chunking, across processes: job.c keeps its chunks' shared state in memory
 * that only its threads can see, so the steps are redone here (see the report for the entry
 * points that would let job.c do it).
 *
 * A signal (mpirun passes Ctrl-C on as SIGTERM) removes the new file on the rank that created
 * it, through sdcp's inflight list; with --atomic the name only ever shows a complete copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "sdmpi.h"

struct big {
	struct record rec; /* first */
	struct dir *d;
	struct stat st;
	int sfd, dfd, top, created, err;
	char *sname, *dname, *tmp, *backup;
	struct splice_direct_stats stats;
	struct inflight fly; /* a signal removes the name we write while it is ours */
};

/* a chunk's error that is not an errno: the copy differs from the source (--verify) */
#define ERR_DIFFERS 0x40000000

/* --sparse=always and --verify read the copy back */
static int rw_mode(void)
{
	return arg_sparse == SPARSE_ALWAYS || arg_verify ? O_RDWR : O_WRONLY;
}

static unsigned int copy_flags(void)
{
	unsigned int fl = 0;

	if (arg_reflink == REFLINK_NEVER)
		fl |= SPLICE_F_NOCLONE;
	else if (arg_reflink == REFLINK_ALWAYS)
		fl |= SPLICE_F_CLONE;
	if (arg_nocache)
		fl |= SPLICE_F_NOCACHE;
	return fl;
}

static void report_failure(struct big *b, int e)
{
	char *s = path_join(b->d->spath, b->sname), *t = path_join(b->d->dpath, b->dname);

	if (arg_reflink == REFLINK_ALWAYS &&
	    (e == EOPNOTSUPP || e == EXDEV || e == EINVAL || e == ENOTTY))
		fail(e, "failed to clone %s from %s", quote_n(0, t), quote_n(1, s));
	else if (e == ENOSPC || e == EDQUOT || e == EFBIG || e == EROFS || e == EPERM || e == EBADF)
		fail(e, "error writing %s", quote(t));
	else
		fail(e, "error reading %s", quote(s));
	free(s);
	free(t);
}

static void big_free(struct big *b)
{
	if (b->sfd >= 0)
		close(b->sfd);
	if (b->dfd >= 0)
		close(b->dfd);
	dir_put(b->d);
	free(b->sname);
	free(b->dname);
	free(b->tmp);
	free(b->backup);
	free(b);
}

static void big_finish(struct record *r)
{
	struct big *b = (struct big *)r;
	struct dir *d = b->d;
	const char *name = b->tmp ? b->tmp : b->dname;
	char *t = path_join(d->dpath, b->dname);
	int e = b->err;

	if (e == ERR_DIFFERS) {
		char *s = path_join(d->spath, b->sname);

		fail(0, "verification failed: %s differs from %s", quote_n(0, t), quote_n(1, s));
		free(s);
		goto out;
	}
	if (e) {
		report_failure(b, e);
		goto out;
	}
	/* --sparse=never: the holes the library kept get their blocks (they read as zeros) */
	if (arg_sparse == SPARSE_NEVER && b->stats.holes &&
	    fallocate(b->dfd, 0, 0, b->st.st_size) && errno != EOPNOTSUPP) {
		e = errno;
		fail(e, "error writing %s", quote(t));
		goto out;
	}
	{
		struct meta_ctx m = {
			.fd = b->dfd,
			.dirfd = d->dfd,
			.name = name,
			.path = t,
			.created = b->created,
			.made_mode = meta_create_mode(&b->st, d->new_gid) & ~cur_umask,
			.new_gid = d->new_gid,
		};

		meta_apply(&m, &b->st, b->sfd, -1, NULL);
	}
	if (b->tmp) {
		/* complete and synced before it takes the name: a crash shows old or new */
		if (fsync(b->dfd) || renameat(d->dfd, b->tmp, d->dfd, b->dname)) {
			e = errno;
			fail(e, "cannot create regular file %s", quote(t));
			goto out;
		}
		b->created = 0;
	}
out:
	inflight_del(&b->fly);
	if (b->dfd >= 0 && close(b->dfd) && !e) {
		e = errno;
		fail(e, "failed to close %s", quote(t));
	}
	b->dfd = -1;
	if (e && b->created)
		(void)unlinkat(d->dfd, name, 0);
	if (!e) {
		atomic_fetch_add(&totals.files, 1);
		report_debug(&b->stats);
	}
	free(t);
	big_free(b);
}

static void big_child(struct record *r, const struct done_stats *s)
{
	struct big *b = (struct big *)r;

	if (s->err && !b->err)
		b->err = s->err;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		b->stats.bytes[m] += s->bytes[m];
	b->stats.holes += s->holes;
}

/* The destination, as job.c opens it; 0, 1 to skip, -1 said. */
static int open_dest(struct big *b)
{
	struct dir *d = b->d;
	mode_t mode = meta_create_mode(&b->st, d->new_gid);
	const int excl = rw_mode() | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	struct stat dst;
	int gone = 0, r;
	char *t;

	if (arg_atomic) {
		const char *slash = strrchr(b->dname, '/');
		int plen = slash ? (int)(slash - b->dname) + 1 : 0;

		if (!fstatat(d->dfd, b->dname, &dst, AT_SYMLINK_NOFOLLOW)) {
			r = dest_existing(d, b->sname, b->dname, &b->st, b->top, &dst, &gone,
					  &b->backup);
			if (r != DEST_GO)
				return r == DEST_SKIP ? 1 : -1;
		}
		for (int tries = 0; tries < 100; tries++) {
			unsigned long long rnd = 0;

			if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
				rnd = (unsigned long long)random() << 32 ^ random();
			free(b->tmp);
			if (asprintf(&b->tmp, "%.*s.%s.sdcp-%012llx", plen, b->dname,
				     b->dname + plen, rnd & 0xffffffffffffull) < 0) {
				b->tmp = NULL;
				errno = ENOMEM;
				break;
			}
			b->dfd = openat(d->dfd, b->tmp, excl, mode);
			if (b->dfd >= 0 || errno != EEXIST)
				break;
		}
		if (b->dfd >= 0) {
			b->created = 1;
			return 0;
		}
		free(b->tmp);
		b->tmp = NULL;
		goto fail;
	}
	b->dfd = openat(d->dfd, b->dname, excl, mode);
	if (b->dfd >= 0) {
		b->created = 1;
		return 0;
	}
	if (errno != EEXIST)
		goto fail;
	r = dest_existing(d, b->sname, b->dname, &b->st, b->top, &dst, &gone, &b->backup);
	if (r != DEST_GO)
		return r == DEST_SKIP ? 1 : -1;
	if (!gone && S_ISREG(dst.st_mode)) {
		b->dfd = openat(d->dfd, b->dname,
				rw_mode() | O_CLOEXEC | O_NOCTTY | (b->top ? 0 : O_NOFOLLOW));
		if (b->dfd >= 0) {
			/* the space first, so that ENOSPC leaves the old file whole */
			if ((fallocate(b->dfd, FALLOC_FL_KEEP_SIZE, 0, b->st.st_size) &&
			     (errno == ENOSPC || errno == EDQUOT)) ||
			    ftruncate(b->dfd, 0)) {
				t = path_join(d->dpath, b->dname);
				fail(errno, "error writing %s", quote(t));
				free(t);
				return -1;
			}
			return 0;
		}
		if (!arg_force && errno != ELOOP)
			goto fail;
	}
	if (!gone && unlinkat(d->dfd, b->dname, 0) && errno != ENOENT)
		goto fail;
	b->dfd = openat(d->dfd, b->dname, excl, mode);
	if (b->dfd >= 0) {
		b->created = 1;
		return 0;
	}
fail:
	t = path_join(d->dpath, b->dname);
	fail(errno, "cannot create regular file %s", quote(t));
	free(t);
	return -1;
}

void big_start(struct dir *d, struct item *it)
{
	struct big *b = calloc(1, sizeof(*b));
	mode_t given = it->st.st_mode & S_IFMT;
	char *s = NULL, *w = NULL;
	uint64_t n;

	if (!b) {
		fail(ENOMEM, "cannot copy %s", quote(item_sname(it)));
		item_done(it, NULL);
		return;
	}
	b->d = dir_get(d);
	b->top = it->top;
	b->sname = xstrdup(item_sname(it));
	b->dname = xstrdup(item_dname(it));
	b->dfd = -1;
	s = path_join(d->spath, b->sname);
	b->sfd = openat(d->sfd, b->sname,
			O_RDONLY | O_CLOEXEC | O_NOCTTY | (follows_at(b->top) ? 0 : O_NOFOLLOW));
	if (b->sfd < 0) {
		fail(errno, "cannot open %s for reading", quote(s));
		goto drop;
	}
	if (fstat(b->sfd, &b->st)) {
		fail(errno, "cannot fstat %s", quote(s));
		goto drop;
	}
	if ((b->st.st_mode & S_IFMT) != given) {
		fail(0, "skipping file %s, as it was replaced while being copied", quote(s));
		goto drop;
	}
	atomic_fetch_add(&totals.found_files, 1);
	atomic_fetch_add(&totals.found_bytes, b->st.st_size);
	if (open_dest(b))
		goto drop;
	{
		char *t = path_join(d->dpath, b->dname);

		report_verbose(s, t, b->backup);
		free(t);
	}
	if (b->created)
		inflight_add(&b->fly, d->dfd, b->tmp ? b->tmp : b->dname);
	/* the size first: chunks may end in any order, and the last may end in a hole */
	if (ftruncate(b->dfd, b->st.st_size)) {
		char *t = path_join(d->dpath, b->dname);

		fail(errno, "error writing %s", quote(t));
		free(t);
		inflight_del(&b->fly);
		if (b->created)
			(void)unlinkat(d->dfd, b->tmp ? b->tmp : b->dname, 0);
		goto drop;
	}
	w = path_join(d->dpath, b->tmp ? b->tmp : b->dname);
	n = ((uint64_t)b->st.st_size + arg_chunk - 1) / arg_chunk;
	if (!n)
		n = 1; /* it shrank since the walk saw it: one chunk, to the end */
	b->rec.pending = n;
	b->rec.finish = big_finish;
	b->rec.child_done = big_child;
	record_add(&b->rec, it->owner, it->id);
	for (uint64_t k = n; k-- > 0;) {
		struct item *c = item_new(ITEM_CHUNK, s, w, "", "");

		c->owner = my_rank;
		c->id = b->rec.id;
		c->top = b->top;
		c->st = b->st;
		c->off = k * arg_chunk;
		c->len = k == n - 1 ? UINT64_MAX : arg_chunk; /* the last: to the end */
		queue_push(c);
	}
	free(s);
	free(w);
	return;
drop:
	free(s);
	big_free(b);
	item_done(it, NULL);
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
			*sfd = ((struct big *)r)->sfd;
			*dfd = ((struct big *)r)->dfd;
			return 0;
		}
	}
	if (c_owner != it->owner || c_id != it->id) {
		big_cleanup();
		c_sfd = open(item_sdir(it), O_RDONLY | O_CLOEXEC | O_NOCTTY |
						    (follows_at(it->top) ? 0 : O_NOFOLLOW));
		if (c_sfd < 0)
			return -errno;
		/* the copy was made by us (or is the operand, followed as it was) */
		c_dfd = open(item_ddir(it),
			     rw_mode() | O_CLOEXEC | O_NOCTTY | (it->top ? 0 : O_NOFOLLOW));
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

/*
 * [off, end) of the copy against the source, by the rank that copied it: 0, ERR_DIFFERS or an
 * errno. --verify, chunk by chunk, so that the reading is spread as the copying was.
 */
static int verify_range(int sfd, int dfd, uint64_t off, uint64_t end)
{
	const size_t sz = 1 << 20;
	char *x = xmalloc(2 * sz), *y = x + sz;
	int r = 0;

	while (off < end) {
		size_t want = end - off < sz ? end - off : sz;
		ssize_t n = pread(sfd, x, want, off), m = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? errno : 0;
			break;
		}
		while (m < n) {
			ssize_t k = pread(dfd, y + m, n - m, off + m);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			m += k;
		}
		if (m != n || memcmp(x, y, n)) {
			r = ERR_DIFFERS;
			break;
		}
		off += n;
	}
	free(x);
	return r;
}

/* --sparse=always: the block-sized runs of zeros in [off, end) become holes. */
static int punch_range(int dfd, uint64_t off, uint64_t end, blksize_t bs)
{
	const size_t blk = bs > 0 && bs <= (1 << 20) ? (size_t)bs : 4096, sz = blk * 64;
	char *buf = xmalloc(sz);
	int r = 0;

	off -= off % blk; /* chunks start on a multiple of the chunk size anyway */
	while (off < end) {
		size_t want = end - off < sz ? end - off : sz;
		ssize_t n = pread(dfd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? errno : 0;
			break;
		}
		for (ssize_t b = 0; b + (ssize_t)blk <= n; b += blk) {
			size_t i = 0;

			while (i < blk && !buf[b + i])
				i++;
			if (i == blk && fallocate(dfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						  off + b, blk)) {
				r = errno == EOPNOTSUPP ? 0 : errno;
				goto out;
			}
		}
		off += n;
	}
out:
	free(buf);
	return r;
}

void big_chunk(struct item *it)
{
	struct splice_direct_stats s = {0};
	struct done_stats ds = {0};
	int sfd = -1, dfd = -1, r = chunk_fds(it, &sfd, &dfd);
	loff_t in = it->off, o = it->off;
	uint64_t len = it->len;
	unsigned int fl = copy_flags();

	stat_chunks++;
	while (!r && len) {
		/* "to the end" as a length that cannot wrap the offsets */
		size_t want = len > (uint64_t)(INT64_MAX - in) ? (size_t)(INT64_MAX - in) : len;
		ssize_t got = splice_direct_ex(sfd, &in, dfd, &o, want, fl, &s);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0)
			break;
		if (it->len != UINT64_MAX)
			len -= got;
		else if (it->st.st_size > 0 && in >= it->st.st_size)
			break;
	}
	if (!r && (arg_verify || arg_sparse == SPARSE_ALWAYS)) {
		uint64_t end = it->len == UINT64_MAX ? (uint64_t)it->st.st_size : it->off + it->len;

		if (arg_sparse == SPARSE_ALWAYS)
			r = -punch_range(dfd, it->off, end, it->st.st_blksize);
		if (!r && arg_verify)
			r = -verify_range(sfd, dfd, it->off, end);
	}
	ds.err = -r;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++) {
		ds.bytes[m] = s.bytes[m];
		atomic_fetch_add(&totals.by_method[m], s.bytes[m]);
		atomic_fetch_add(&totals.bytes, s.bytes[m]);
	}
	ds.holes = s.holes;
	atomic_fetch_add(&totals.holes, s.holes);
	atomic_fetch_add(&totals.bytes, s.holes);
	item_done(it, &ds);
}
