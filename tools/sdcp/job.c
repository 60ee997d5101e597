/* SPDX-License-Identifier: MIT */
/*
 * job.c - copy one regular file: open, create, move the bytes with splice_direct_statx(), then
 * the metadata. For a small new file that is openat, statx, openat(O_CREAT|O_EXCL),
 * copy_file_range (the library's quick path, which takes our statx instead of making its own),
 * close, close: six system calls.
 *
 * A large file is split into chunk jobs that share the two fds; each chunk is one
 * splice_direct_statx() call at its own offsets, and whichever chunk ends last finishes the file.
 * The steps (job_open, job_split, job_copy, job_finish) are also sdcp-mpi's: there the chunks
 * run in other processes, with fds of their own.
 *
 * Failure rules: a file we created and could not complete is removed, so no truncated copy is
 * mistaken for a whole one; an existing destination gets its space reserved before it is
 * truncated (where there is none, it stays, or a clone replaces it); with --atomic the copy
 * is made under a temporary name and renamed over the destination only when it is complete,
 * synced and has its metadata.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sdcp.h"

struct chunk_job {
	struct job job;
	struct file_job *f;
	uint64_t off, len;
};

static void file_run(struct job *j);

struct file_job *job_new(struct dir *d, const char *sname, const char *dname, int top, int follow,
			 const struct stat *st)
{
	size_t sl = strlen(sname) + 1, dl = strlen(dname) + 1;
	struct file_job *f = calloc(1, sizeof(*f) + sl + dl);

	if (!f) {
		fail(ENOMEM, "cannot copy %s", quote(sname));
		return NULL;
	}
	f->job.run = file_run;
	f->job.key = d;
	f->job.place = d->st.st_ino;
	f->dir = dir_get(d);
	memcpy(f->names, sname, sl);
	memcpy(f->names + sl, dname, dl);
	f->sname = f->names;
	f->dname = f->names + sl;
	f->top = top;
	f->follow = follow;
	if (st) {
		f->st = *st;
		f->have_st = 1;
	}
	f->sfd = f->dfd = -1;
	pthread_mutex_init(&f->lock, NULL);
	return f;
}

void job_file(struct dir *d, const char *sname, const char *dname, int top, int follow,
	      const struct stat *st)
{
	struct file_job *f = job_new(d, sname, dname, top, follow, st);

	if (f) {
		f->ticket = order_take();
		work_push(&f->job);
	}
}

/* --sparse=always and --verify read the copy back */
int job_write_mode(void)
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

static void add_totals(const struct splice_direct_stats *now, struct splice_direct_stats *seen)
{
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++) {
		if (now->bytes[m] != seen->bytes[m]) {
			atomic_fetch_add(&totals.by_method[m], now->bytes[m] - seen->bytes[m]);
			atomic_fetch_add(&totals.bytes, now->bytes[m] - seen->bytes[m]);
		}
	}
	if (now->holes != seen->holes) {
		atomic_fetch_add(&totals.holes, now->holes - seen->holes);
		atomic_fetch_add(&totals.bytes, now->holes - seen->holes);
	}
	*seen = *now;
}

/*
 * --progress: a file's job is over. Of its size, what it did not move is passed over (the
 * bar's done counts it: a copy resumed with -u is not stuck at a low fraction); no more when
 * it is another name of an inode whose first name's copy it links to (count.c took its
 * bytes once).
 */
static void ended(const struct file_job *f, int other_name)
{
	uint64_t moved = f->stats.holes, size = f->st.st_size > 0 ? (uint64_t)f->st.st_size : 0;

	if (!arg_progress)
		return;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		moved += f->stats.bytes[m];
	atomic_fetch_add(&totals.ended, 1);
	if (!other_name && size > moved)
		atomic_fetch_add(&totals.passed, size - moved);
}

static void set_err(struct file_job *f, int e)
{
	int zero = 0;

	atomic_compare_exchange_strong(&f->err, &zero, e);
}

/* job_copy(), with the source's statx for the library (NULL: it stats the source itself). */
static int copy_statx(int sfd, const struct statx *stx, int dfd, uint64_t off, uint64_t len,
		      off_t size, atomic_int *stop, struct splice_direct_stats *s, unsigned int fl)
{
	/* --progress wants to see bytes move within a large file: call in slices then */
	const uint64_t slice = arg_progress ? 64ull << 20 : UINT64_MAX;
	struct splice_direct_stats seen = *s;
	loff_t in = off, o = off;
	int r = 0;

	while (len && !(stop && atomic_load(stop))) {
		/* SIZE_MAX is "to the end", but offset + length must not wrap */
		uint64_t room = UINT64_MAX - (uint64_t)(in > o ? in : o);
		size_t want = len < slice ? len : slice;

		if (want > room)
			want = room;
		/*
		 * "To the end" of a file known to end at size asks for the rest only: given a
		 * statx, the library takes the end from the kernel, and a longer request would
		 * cost a copy_file_range that answers 0.
		 */
		if (len == SIZE_MAX && size > in && want > (uint64_t)(size - in))
			want = (uint64_t)(size - in);
		ssize_t n = splice_direct_statx(sfd, stx, &in, dfd, &o, want, fl, s);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		add_totals(s, &seen);
		if (n == 0)
			break;
		if (len != SIZE_MAX)
			len -= n;
		/*
		 * The library copies to the end unless a signal cut it short; a file whose
		 * size says it is done needs no call to hear the 0 (procfs-like files that
		 * claim size 0 do get that call).
		 */
		else if (size > 0 && in >= size)
			break;
	}
	return r;
}

int job_copy(int sfd, int dfd, uint64_t off, uint64_t len, off_t size, atomic_int *stop,
	     struct splice_direct_stats *s)
{
	return copy_statx(sfd, NULL, dfd, off, len, size, stop, s, copy_flags());
}

/* Bytes [off, off + len) of the file; len SIZE_MAX: to the end. */
static void copy_range(struct file_job *f, uint64_t off, uint64_t len)
{
	struct splice_direct_stats s = {0};
	int r = copy_statx(f->sfd, &f->stx, f->dfd, off, len, f->st.st_size, &f->err, &s,
			   copy_flags());

	if (r)
		set_err(f, -r);
	pthread_mutex_lock(&f->lock);
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		f->stats.bytes[m] += s.bytes[m];
	f->stats.holes += s.holes;
	pthread_mutex_unlock(&f->lock);
}

/* A fifo or a device read with --copy-contents (or without -R): no offsets to give. */
static void copy_stream(struct file_job *f)
{
	char *buf = xmalloc(128 << 10);
	ssize_t n;

	while ((n = read(f->sfd, buf, 128 << 10)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_err(f, errno);
			break;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(f->dfd, buf + done, n - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				set_err(f, errno);
				goto out;
			}
			done += w;
		}
		f->stats.bytes[SPLICE_DIRECT_RW] += n;
		atomic_fetch_add(&totals.by_method[SPLICE_DIRECT_RW], n);
		atomic_fetch_add(&totals.bytes, n);
	}
out:
	free(buf);
}

/* cp prints the -v line once it has decided to copy, before it creates the file. */
static void announce(struct file_job *f)
{
	char *s, *t;

	if (!arg_verbose || f->announced)
		return;
	f->announced = 1;
	s = path_join(f->dir->spath, f->sname);
	t = path_join(f->dir->dpath, f->dname);
	report_verbose(s, t, f->backup);
	free(s);
	free(t);
}

/*
 * Would cp 9.1 have copied f with copy_file_range, and so name both files when it fails (e is
 * not one of the errors after which it reads and writes instead)? It does within one
 * filesystem, but not with --reflink=never or --sparse=always, nor for a source with holes.
 */
static int cp_offloads(const struct file_job *f, int e)
{
	struct stat dst;

	if (e == EOPNOTSUPP || e == EXDEV || e == EINVAL || e == EBADF || e == ENOTTY ||
	    e == ENOSYS || e == ETXTBSY || e == EPERM)
		return 0;
	return arg_reflink != REFLINK_NEVER && arg_sparse != SPARSE_ALWAYS && !f->stream &&
	       (uint64_t)f->st.st_blocks * 512 >= (uint64_t)f->st.st_size && f->dfd >= 0 &&
	       fstat(f->dfd, &dst) == 0 && dst.st_dev == f->st.st_dev;
}

static void copy_failed(struct file_job *f, int e)
{
	char *s = path_join(f->dir->spath, f->sname), *t = path_join(f->dir->dpath, f->dname);

	if (arg_reflink == REFLINK_ALWAYS &&
	    (e == EOPNOTSUPP || e == EXDEV || e == EINVAL || e == ENOTTY))
		fail(e, "failed to clone %s from %s", quote_n(0, t), quote_n(1, s));
	else if (cp_offloads(f, e))
		fail(e, "error copying %s to %s", quote_n(0, s), quote_n(1, t));
	else if (e == ENOSPC || e == EDQUOT || e == EFBIG || e == EROFS || e == EPERM || e == EBADF)
		fail(e, "error writing %s", quote(t));
	else
		fail(e, "error reading %s", quote(s));
	free(s);
	free(t);
}

/*
 * cp makes holes of the zeros it copies with --sparse=always, and with --sparse=auto where the
 * source looks sparse (fewer blocks than its size needs): its is_probably_sparse.
 */
static int zeros_to_holes(const struct file_job *f)
{
	return arg_sparse == SPARSE_ALWAYS ||
	       (arg_sparse == SPARSE_AUTO && f->st.st_blocks < f->st.st_size / 512);
}

/*
 * Was every byte cloned (extents shared with the source)? cp's clone (FICLONE) is then its
 * whole copy, zeros and all, whatever --sparse says: no pass over the data, which is also
 * what makes it take milliseconds (a 4 GiB file with 64 MiB of data: 2 ms, where reading
 * the data back for zeros took sdcp 0.1 s, 0.2 s with the CPUs busy).
 */
static int all_cloned(const struct file_job *f)
{
	uint64_t moved = 0;

	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		moved += f->stats.bytes[m];
	return moved && moved == f->stats.bytes[SPLICE_DIRECT_CLONE];
}

/*
 * cp's holes are the size of the destination's blocks. A copy opened only to write (no
 * --sparse=always) is read through a second descriptor; where it cannot be, it stays whole.
 */
static int punch_zeros(struct file_job *f)
{
	struct stat st;
	char self[64];
	int rfd = f->dfd, r;

	if (fstat(f->dfd, &st))
		return -errno;
	if ((fcntl(f->dfd, F_GETFL) & O_ACCMODE) == O_WRONLY) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", f->dfd);
		rfd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (rfd < 0)
			return 0;
	}
	r = data_punch_zeros(rfd, f->dfd, 0, f->st.st_size, st.st_blksize);
	if (rfd != f->dfd)
		close(rfd);
	return r;
}

void job_finish(struct file_job *f)
{
	struct dir *d = f->dir;
	int e = atomic_load(&f->err), r = 0;
	const char *name = f->tmp ? f->tmp : f->dname;
	char *t = path_join(d->dpath, f->dname);

	if (e) {
		copy_failed(f, e);
		goto out;
	}
	if (!arg_attributes_only && !f->stream) {
		/* a source that ends in a hole: the copy's size is set, not written */
		if (f->stats.holes && ftruncate(f->dfd, f->st.st_size))
			e = errno;
		else if (arg_sparse == SPARSE_NEVER && f->stats.holes)
			e = -data_fill_holes(f->dfd, f->st.st_size);
		else if (zeros_to_holes(f) && !f->checked && !all_cloned(f))
			e = -punch_zeros(f);
		if (e) {
			fail(e, "error writing %s", quote(t));
			goto out;
		}
	}
	if (arg_verify && !arg_attributes_only && !f->stream)
		r = f->checked ? f->differs : data_verify(f->sfd, f->dfd, 0, UINT64_MAX);
	if (r) {
		char *s = path_join(d->spath, f->sname);

		e = r < 0 ? -r : EIO;
		if (r < 0)
			fail(e, "error reading %s", quote(t));
		else
			fail(0, "verification failed: %s differs from %s", quote_n(0, t),
			     quote_n(1, s));
		free(s);
		goto out;
	}
	{
		struct meta_ctx m = {
			.fd = f->dfd,
			.dirfd = d->dfd,
			.name = name,
			.path = t,
			.created = f->created,
			.made_mode = meta_create_mode(&f->st, d->new_gid) & ~cur_umask,
			.new_gid = d->new_gid,
		};
		struct stat now;

		/* an existing file keeps its own mode until told otherwise: that is the one to
		 * compare with, or -p would leave a private source's bytes in a 0644 file */
		if (!f->created && fstat(f->dfd, &now) == 0)
			m.made_mode = now.st_mode & 07777;
		meta_apply(&m, &f->st, f->sfd, -1, NULL);
	}
	if (f->tmp) {
		/* complete and synced before it takes the name: a crash shows old or new */
		if (fsync(f->dfd) || renameat(d->dfd, f->tmp, d->dfd, f->dname)) {
			e = errno;
			fail(e, "cannot create regular file %s", quote(t));
			goto out;
		}
		f->created = 0;
		e = dir_renamed(d, f->dname);
		if (e)
			goto out;
	}
	if (f->top)
		seen_made(f->dfd, -1, NULL);
out:
	inflight_del(&f->fly);
	if (f->dfd >= 0 && close(f->dfd) && !e) {
		e = errno;
		fail(e, "failed to close %s", quote(t));
	}
	if (f->sfd >= 0)
		close(f->sfd);
	if (e && f->created)
		(void)unlinkat(d->dfd, name, 0);
	if (e && f->backup) /* as cp: the old file takes its name back */
		dest_unbackup(d, f->dname, f->backup);
	if (f->tracked)
		links_done(&f->st, !e);
	if (!e) {
		atomic_fetch_add(&totals.files, 1);
		report_debug(&f->stats);
	}
	ended(f, 0);
	free(t);
	free(f->tmp);
	free(f->backup);
	free(f->self);
	pthread_mutex_destroy(&f->lock);
	order_done(f->ticket);
	dir_put(d);
	free(f);
}

static void chunk_run(struct job *j)
{
	struct chunk_job *c = (struct chunk_job *)j;
	struct file_job *f = c->f;
	struct ticket *prev = order_enter(f->ticket);

	copy_range(f, c->off, c->len);
	free(c);
	if (atomic_fetch_sub(&f->chunks, 1) == 1)
		job_finish(f);
	order_leave(prev);
}

/*
 * Room for a copy over an existing file, before its old data goes: fallocate(KEEP_SIZE)
 * reserves it (the file reads as before meanwhile), then the truncate. Where there is none,
 * the old file stays as it was, unless a clone can replace it: within one filesystem a clone
 * needs no room for data (cp's would work), and SPLICE_F_CLONE makes the whole file or
 * nothing; f->done says it did. 0, or an errno (ENOSPC, EDQUOT, the truncate's).
 */
static int room_for_copy(struct file_job *f, const struct stat *dst)
{
	struct splice_direct_stats s = {0};
	int e, r;

	if (arg_attributes_only)
		return 0;
	if (f->st.st_size > 0 && fallocate(f->dfd, FALLOC_FL_KEEP_SIZE, 0, f->st.st_size) &&
	    (errno == ENOSPC || errno == EDQUOT)) {
		e = errno;
		if (arg_reflink != REFLINK_NEVER && arg_sparse != SPARSE_ALWAYS &&
		    dst->st_dev == f->st.st_dev) {
			r = copy_statx(f->sfd, &f->stx, f->dfd, 0, SIZE_MAX, f->st.st_size, NULL,
				       &s, copy_flags() | SPLICE_F_CLONE);
			if (!r) {
				f->stats = s;
				f->done = 1;
				return 0;
			}
			if (arg_reflink == REFLINK_ALWAYS) /* cp's clone fails first */
				e = -r;
		}
		/* ext4 keeps what a failed fallocate took past the end: give it back, and the
		 * times the truncate changes */
		if (ftruncate(f->dfd, dst->st_size) < 0) {
			/* best effort: e is the error to report */
		}
		(void)futimens(f->dfd, (const struct timespec[2]){dst->st_atim, dst->st_mtim});
		return e;
	}
	return ftruncate(f->dfd, 0) ? errno : 0;
}

/* open_dest() could not make or open the copy (errno): said as cp says it. Returns -1. */
static int dest_open_failed(struct file_job *f)
{
	struct dir *d = f->dir;
	struct stat dst;
	char *t;
	int r;

	r = errno;
	t = path_join(d->dpath, f->dname);
	/*
	 * cp looks at the destination first, so it says "cannot stat" for a folder it cannot
	 * search, a file used as a folder, a symlink loop or a name too long on the way, and
	 * "directory" for "dir/" (which O_CREAT calls EISDIR even when it does not exist).
	 */
	if (dest_unseen(d, f->dname)) {
		free(t);
		return -1;
	}
	if (r == EISDIR && !fstatat(d->dfd, f->dname, &dst, 0) && S_ISDIR(dst.st_mode)) {
		fail(0, "cannot overwrite directory %s with non-directory", quote(t));
	} else {
		announce(f);
		fail(r == EISDIR ? ENOTDIR : r, "cannot create regular file %s", quote(t));
	}
	if (f->backup)
		dest_unbackup(d, f->dname, f->backup);
	free(t);
	return -1;
}

/*
 * A temporary name for dname: ".NAME.sdcp-tmp", or with random hex instead of "tmp". Sets f->tmp;
 * -1 with errno ENOMEM.
 */
static int temp_name(struct file_job *f, int random_part)
{
	const char *slash = strrchr(f->dname, '/');
	int plen = slash ? (int)(slash - f->dname) + 1 : 0;
	unsigned long long rnd = 0;
	char part[16] = "tmp";

	if (random_part) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (unsigned long long)random() << 32 ^ random();
		snprintf(part, sizeof(part), "%012llx", rnd & 0xffffffffffffull);
	}
	free(f->tmp);
	if (asprintf(&f->tmp, "%.*s.%s.sdcp-%s", plen, f->dname, f->dname + plen, part) < 0) {
		f->tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Is the temporary name one that a run ended by a crash (or SIGKILL) left behind? Every run
 * holds an flock on its temporary file until the rename; one that nobody holds is stale, and
 * goes. A locked one (another sdcp writing the same file right now) stays.
 */
static int remove_stale(struct dir *d, const char *tmp)
{
	int fd = openat(d->dfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat a, b;
	int r = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(d->dfd, tmp, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		r = unlinkat(d->dfd, tmp, 0);
	close(fd);
	return r;
}

/*
 * --atomic: the copy goes to ".NAME.sdcp-tmp" beside dname, locked (flock) while it is written,
 * then renamed over dname (job_finish). A temporary file that a crash left is reused: a later
 * run that copies NAME again removes it and writes anew (remove_stale). If another sdcp holds it,
 * this copy takes a random name (".NAME.sdcp-" and 12 hex digits). As open_dest().
 */
static int open_atomic(struct file_job *f, mode_t mode, int excl)
{
	struct dir *d = f->dir;
	struct stat dst;
	int gone = 0, r;

	/* the checks cp makes against an existing file still apply */
	if (!fstatat(d->dfd, f->dname, &dst, AT_SYMLINK_NOFOLLOW)) {
		r = dest_existing(d, f->sname, f->dname, &f->st, f->top, &dst, &gone, &f->backup);
		if (r != DEST_GO)
			return r == DEST_SKIP ? 1 : -1;
	}
	for (int tries = 0; tries < 100; tries++) {
		if (temp_name(f, tries > 1))
			break;
		f->dfd = inflight_create(&f->fly, d->dfd, f->tmp, excl, mode);
		if (f->dfd >= 0 || errno != EEXIST)
			break;
		if (tries == 0 && remove_stale(d, f->tmp))
			tries++; /* not stale: straight to a random name */
	}
	if (f->dfd >= 0) {
		/* ours until the rename: a later run must not take it for a crash's */
		(void)flock(f->dfd, LOCK_EX | LOCK_NB);
		f->created = 1;
		return 0;
	}
	free(f->tmp);
	f->tmp = NULL;
	return dest_open_failed(f);
}

/* Open the destination; returns 0 with f->dfd set, DEST_SKIP (1) or -1 (reported). */
static int open_dest(struct file_job *f)
{
	struct dir *d = f->dir;
	mode_t mode = meta_create_mode(&f->st, d->new_gid);
	/* --sparse=always and --verify read the copy back */
	const int rw = job_write_mode();
	const int excl = rw | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY; /* inflight_create adds O_EXCL */
	char *t = NULL;
	struct stat dst;
	int gone = 0, r, said = 0;

	if (arg_atomic)
		return open_atomic(f, mode, excl);

	f->dfd = inflight_create(&f->fly, d->dfd, f->dname, excl, mode);
	if (f->dfd >= 0) {
		f->created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return dest_open_failed(f);
	r = dest_existing(d, f->sname, f->dname, &f->st, f->top, &dst, &gone, &f->backup);
	if (r == DEST_SELF) {
		f->self = f->backup;
		f->backup = NULL;
		f->dname = f->self;
		gone = 0;
		if (unlinkat(d->dfd, f->dname, 0) && errno != ENOENT)
			return dest_open_failed(f);
		r = DEST_GO;
		gone = 1;
	}
	if (r != DEST_GO)
		return r == DEST_SKIP ? 1 : -1;
	/*
	 * An existing file is written in place, as cp does; but not one with other names under
	 * --preserve=links (they would change too), nor for a source that is not a regular file
	 * and is not followed: cp makes those anew. An operand that is a fifo or a device
	 * (cp f /dev/null) is written to as well, by read and write; one found in the tree is
	 * replaced.
	 */
	if (!gone && !dest_unlinks(&dst, &f->st, f->top) &&
	    (S_ISREG(dst.st_mode) || (f->top && !S_ISDIR(dst.st_mode) && !S_ISLNK(dst.st_mode)))) {
		/* the operand itself may be a symlink to a file (dst was stat'ed through it) */
		/* O_CREAT: a dangling operand symlink under POSIXLY_CORRECT (dest.c) */
		f->dfd = openat(d->dfd, f->dname,
				rw | O_CLOEXEC | O_NOCTTY | (f->top ? O_CREAT : O_NOFOLLOW), mode);
		if (f->dfd >= 0 && !S_ISREG(dst.st_mode)) {
			f->stream = 1;
			return 0;
		}
		if (f->dfd >= 0) {
			r = room_for_copy(f, &dst);
			if (r) {
				copy_failed(f, r);
				close(f->dfd);
				f->dfd = -1;
				return -1;
			}
			return 0;
		}
		if (!arg_force && errno != ELOOP)
			return dest_open_failed(f);
		announce(f); /* cp says "removed" after the copy's line here */
		said = 1;
	}
	if (!gone && f->top && arg_force && S_ISLNK(dst.st_mode)) {
		announce(f); /* an operand symlink that leads nowhere (ELOOP): as above */
		said = 1;
	}
	/* -f, a planted symlink, a fifo, a socket, a name of several (above): the old entry
	 * goes, a new file comes */
	if (!gone && unlinkat(d->dfd, f->dname, 0) && errno != ENOENT) {
		r = errno;
		t = path_join(d->dpath, f->dname);
		fail(r, "cannot remove %s", quote(t));
		free(t);
		return -1;
	}
	if (!gone && (said || dest_unlinks(&dst, &f->st, f->top)))
		dest_removed(d, f->dname);
	f->dfd = inflight_create(&f->fly, d->dfd, f->dname, excl, mode);
	if (f->dfd >= 0) {
		f->created = 1;
		return 0;
	}
	return dest_open_failed(f);
}

/*
 * The name where a link to an earlier copy is to go exists: cp's checks, then it goes. cp
 * removes a name of several (--preserve=links) before, and -v says so first; another it
 * replaces as it links, and says so after the copy's line (*ret_after). 1: make the link
 * now, 0: not (errno set), -1: nothing more to do (said).
 */
static int link_room(struct file_job *f, int *ret_after)
{
	struct dir *d = f->dir;
	struct stat dst;
	int gone, r = dest_existing_link(d, f->sname, f->dname, &f->st, f->top, &dst, &gone,
					 &f->backup);

	if (r != DEST_GO)
		return -1;
	if (gone)
		return 1;
	if (unlinkat(d->dfd, f->dname, 0))
		return 0;
	if (dest_unlinks(&dst, &f->st, f->top))
		dest_removed(d, f->dname);
	else
		*ret_after = 1;
	return 1;
}

/* Drop a job that copies nothing (skipped, linked to another copy, or failed). */
static void job_drop(struct file_job *f, int other_name)
{
	ended(f, other_name);
	if (f->sfd >= 0)
		close(f->sfd);
	free(f->backup);
	free(f->self);
	free(f->tmp);
	pthread_mutex_destroy(&f->lock);
	order_done(f->ticket);
	dir_put(f->dir);
	free(f);
}

/*
 * One statx of the open source: as struct stat for sdcp, and as itself for the library, which
 * then makes none of its own (SPLICE_DIRECT_STATX_MASK). Where statx fails, fstat says why.
 */
static int stat_source(struct file_job *f)
{
	const unsigned int mask = STATX_BASIC_STATS | SPLICE_DIRECT_STATX_MASK;
	struct statx *x = &f->stx;

	if (statx(f->sfd, "", AT_EMPTY_PATH, mask, x)) {
		x->stx_mask = 0;
		return fstat(f->sfd, &f->st);
	}
	f->st = (struct stat){
		.st_dev = makedev(x->stx_dev_major, x->stx_dev_minor),
		.st_ino = x->stx_ino,
		.st_mode = x->stx_mode,
		.st_nlink = x->stx_nlink,
		.st_uid = x->stx_uid,
		.st_gid = x->stx_gid,
		.st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor),
		.st_size = (off_t)x->stx_size,
		.st_blksize = (blksize_t)x->stx_blksize,
		.st_blocks = (blkcnt_t)x->stx_blocks,
		.st_atim = {x->stx_atime.tv_sec, x->stx_atime.tv_nsec},
		.st_mtim = {x->stx_mtime.tv_sec, x->stx_mtime.tv_nsec},
		.st_ctim = {x->stx_ctime.tv_sec, x->stx_ctime.tv_nsec},
	};
	return 0;
}

/*
 * The source cannot be opened (unreadable, a socket). cp opens it only after its look at the
 * destination (same file, -n, -u, -i, a backup, a removal) and its -v line: the same here,
 * then the error; a backup made is moved back.
 */
static void open_failed(struct file_job *f, int e)
{
	struct dir *d = f->dir;
	char *s = path_join(d->spath, f->sname);
	struct stat st = f->st, dst;
	int gone = 1, r = DEST_GO;

	/* a name the walk did not stat (d_type): cp's stat would have failed first */
	if (!f->have_st && fstatat(d->sfd, f->sname, &st, f->follow ? 0 : AT_SYMLINK_NOFOLLOW)) {
		fail(errno, "cannot stat %s", quote(s));
		goto out;
	}
	if (!fstatat(d->dfd, f->dname, &dst, AT_SYMLINK_NOFOLLOW)) {
		struct stat through;

		/* an operand that is a dangling symlink: cp finds out as it creates the copy,
		 * after the source's open */
		if (!(f->top && S_ISLNK(dst.st_mode) && fstatat(d->dfd, f->dname, &through, 0) &&
		      errno == ENOENT))
			r = dest_existing(d, f->sname, f->dname, &st, f->top, &dst, &gone,
					  &f->backup);
	} else if (dest_unseen(d, f->dname))
		r = -1;
	if (r == DEST_SELF) { /* "-bf a a": cp would copy to the backup name */
		f->self = f->backup;
		f->backup = NULL;
		f->dname = f->self;
	} else if (r != DEST_GO) {
		goto out;
	} else if (!gone && dest_unlinks(&dst, &st, f->top) && !unlinkat(d->dfd, f->dname, 0)) {
		dest_removed(d, f->dname);
	}
	announce(f);
	fail(e, "cannot open %s for reading", quote(s));
	if (f->backup)
		dest_unbackup(d, f->dname, f->backup);
out:
	free(s);
}

int job_open(struct file_job *f)
{
	struct dir *d = f->dir;
	char *first = NULL;
	int r, other_name = 0;

	mode_t given = f->have_st ? f->st.st_mode & S_IFMT : S_IFREG;

	f->sfd = openat(d->sfd, f->sname,
			O_RDONLY | O_CLOEXEC | O_NOCTTY | (f->follow ? 0 : O_NOFOLLOW));
	if (f->sfd < 0) {
		open_failed(f, errno);
		goto drop;
	}
	if (stat_source(f)) {
		char *s = path_join(d->spath, f->sname);

		fail(errno, "cannot fstat %s", quote(s));
		free(s);
		goto drop;
	}
	if ((f->st.st_mode & S_IFMT) != given) {
		char *s = path_join(d->spath, f->sname);

		fail(0, "skipping file %s, as it was replaced while being copied", quote(s));
		free(s);
		goto drop;
	}
	f->stream = !S_ISREG(f->st.st_mode);

	if (links_wanted(&f->st, f->top)) {
		char *t = path_join(d->dpath, f->dname);

		r = links_find(&f->st, t, &first);
		free(t);
		if (r == 1) {
			/* another name of an inode already copied: link to that copy */
			int linked = !linkat(AT_FDCWD, first, d->dfd, f->dname, 0), after = 0;

			other_name = 1;
			if (!linked && errno == EEXIST) {
				r = link_room(f, &after);
				if (r == 1)
					linked = !linkat(AT_FDCWD, first, d->dfd, f->dname, 0);
				else if (r != 0)
					goto drop;
			}
			if (!linked) {
				char *t2 = path_join(d->dpath, f->dname);

				fail(errno, "cannot create hard link %s to %s", quote_n(0, t2),
				     quote_n(1, first));
				free(t2);
				goto drop;
			}
			announce(f);
			if (after)
				dest_removed(d, f->dname);
			goto drop;
		}
		f->tracked = 1;
	}
	free(first);

	r = open_dest(f);
	if (r) {
		if (f->tracked)
			links_done(&f->st, 0);
		f->tracked = 0;
		job_drop(f, 0);
		return 1;
	}
	announce(f);
	if (f->tracked && !f->tmp) /* other names may link to it from now on */
		links_done(&f->st, 1), f->tracked = 0;
	return 0;
drop:
	free(first);
	job_drop(f, other_name);
	return 1;
}

uint64_t job_split(struct file_job *f)
{
	uint64_t size = f->st.st_size, n = (size + arg_chunk - 1) / arg_chunk;

	/*
	 * Give the copy its size first: a chunk that ends in a hole extends the file with
	 * ftruncate (in the library), which must not cut what a later chunk has already
	 * written.
	 */
	if (ftruncate(f->dfd, size))
		set_err(f, errno);
	return n ? n : 1; /* it shrank since the walk saw it: one chunk, to the end */
}

/*
 * Is a large file worth splitting between the workers? Only where two parts of one file can
 * move at once: on a network filesystem (the server copies, with requests in flight), and
 * with --nocache (direct I/O: no inode lock held across a write). Into a local filesystem's
 * page cache every write holds the output's inode lock, so two workers take turns: 20-80%
 * more CPU, no gain warm or cold (one worker: 0.92 and 0.93-1.14 of cp; split: 0.47-1.68 and
 * 1.00-1.16, 9 rounds), and with both CPUs busy the waiting worker's share is lost (split:
 * 1.07-1.57 of cp warm, 1.17-1.26 cold). bench/README.md, issue 20. --chunk-size asks for it.
 */
static int split_pays(const struct file_job *f)
{
	struct statfs sfs;

	if (arg_chunk_given || arg_nocache)
		return 1;
	return (!fstatfs(f->sfd, &sfs) && fs_network(&sfs)) ||
	       (!fstatfs(f->dfd, &sfs) && fs_network(&sfs));
}

static void file_copy(struct file_job *f)
{
	if (job_open(f))
		return;
	if (arg_attributes_only || f->done) {
		atomic_init(&f->chunks, 1);
	} else if (arg_reflink == REFLINK_ALWAYS && (f->stream || f->st.st_size == 0)) {
		/*
		 * cp clones every file it is told to, empty or not a regular file; with no
		 * bytes for the library to move, the filesystem is asked here (FICLONE: EXDEV
		 * across filesystems, EOPNOTSUPP where it cannot, EINVAL for a fifo)
		 */
		if (ioctl(f->dfd, FICLONE, f->sfd))
			set_err(f, errno);
	} else if (f->stream) {
		copy_stream(f);
	} else if (arg_jobs > 1 && (uint64_t)f->st.st_size >= 2 * arg_chunk && split_pays(f)) {
		uint64_t n = job_split(f);

		atomic_init(&f->chunks, (int)n);
		for (uint64_t k = 1; k < n; k++) {
			struct chunk_job *c = xmalloc(sizeof(*c));

			c->job.run = chunk_run;
			c->job.key = f->job.key;
			c->job.place = f->job.place;
			c->f = f;
			c->off = k * arg_chunk;
			c->len = k == n - 1 ? SIZE_MAX : arg_chunk;
			work_push(&c->job);
		}
		copy_range(f, 0, arg_chunk);
		if (atomic_fetch_sub(&f->chunks, 1) == 1)
			job_finish(f);
		return;
	} else {
		copy_range(f, 0, SIZE_MAX);
	}
	job_finish(f);
}

static void file_run(struct job *j)
{
	struct file_job *f = (struct file_job *)j;
	struct ticket *prev = order_enter(f->ticket);

	file_copy(f); /* which ends with f done and freed */
	order_leave(prev);
}
