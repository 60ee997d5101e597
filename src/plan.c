// SPDX-License-Identifier: MIT
/*
 * plan.c - which methods, in which order, for a pair of filesystems; and what each pair has
 * refused, so that copying 100,000 files does not cost 100,000 failed clone attempts.
 *
 *   a kernel with SPLICE_F_DIRECT (kernel/patches):          native, then as below
 *   same filesystem that can clone (btrfs, xfs, nfs, ...):  clone offload pipe sendfile rw
 *   same filesystem that cannot (ext4, tmpfs, ...):         offload pipe sendfile rw
 *   two filesystems of one type:                            offload pipe sendfile rw
 *   two filesystems of different types:                     pipe sendfile rw
 *   a file that says it is empty on procfs, sysfs, ...:     rw (read until EOF)
 *
 * The order is methods[] below; each method's properties (internal.h) and the flags decide
 * which of them a copy gets (wanted()). SPLICE_F_NOCLONE drops clone, and drops offload where
 * copy_file_range may share extents (btrfs and xfs clone through it within one filesystem; a
 * file server may too). SPLICE_F_CLONE keeps clone alone, and its refusal is the caller's
 * error. SPLICE_F_NOCACHE adds directio (O_DIRECT: no page cache at all) on disks, and puts
 * the methods that move data through this machine's page cache last: on local filesystems
 * directio comes before offload, while a file server's own copy (offload on NFS, FUSE) stays
 * before it, as it does not touch this machine's cache either. The page-cache methods then run
 * in windows that cache.c writes back and drops.
 *
 * Memory: a method's "not here" (SD_NOT_HERE) is kept per pair of mounts, its "not ever"
 * (SD_NOT_EVER: ENOSYS) for the process; "not now" (SD_NOT_NOW) is forgotten at once.
 * Mounts are told apart by statx's unique mount id (Linux 6.8+), which is never reused; older
 * kernels key by device and filesystem type and pay one fstatfs per file and call.
 *
 * Adding a method: write method-NAME.c with its struct sd_method (name, id, properties,
 * copy; head and close if it needs them), add it to methods[] where it belongs in the order,
 * declare it in internal.h beside the others, add its number to the public enum
 * (include/splicedirect.h) and its file to src/meson.build. Nothing else: names, plans,
 * refusals, byte counts and SPLICE_F_NOCACHE's windows follow from the table and the
 * properties. A property no method has yet is the one time wanted() grows.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "internal.h"

static const struct sd_method *const methods[] = {
	&sd_method_native, &sd_method_clone,	&sd_method_offload, &sd_method_directio,
	&sd_method_pipe,   &sd_method_sendfile, &sd_method_rw,
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

struct sd_pair {
	uint64_t mnt_in, mnt_out; /* 0 when the kernel has no unique mount ids */
	dev_t dev_in, dev_out;
	int64_t type_in, type_out;
	uint32_t bsize_in, bsize_out;
	unsigned int refused; /* bit per method id */
	int used;
};

#define NPAIRS 64
static struct sd_pair pairs[NPAIRS];
static unsigned int next_slot;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint refused_ever;

/*
 * Input mounts where a quick plan (sd_plan_quick) was refused: another filesystem or type on
 * the other side, a seccomp filter... From then on their files take the checked path only, so
 * that a refusal costs one system call once, not once per file.
 */
#define NSLOW 16
static uint64_t slow_mnt[NSLOW];
static unsigned int next_slow;

static int same_key(const struct sd_pair *p, const struct sd_copy *c)
{
	if (!p->used || p->dev_in != c->in.dev || p->dev_out != c->out.dev)
		return 0;
	if (c->in.mnt && c->out.mnt)
		return p->mnt_in == c->in.mnt && p->mnt_out == c->out.mnt;
	return !p->mnt_in && p->type_in == c->in.fs_type && p->type_out == c->out.fs_type;
}

static struct sd_pair *find(const struct sd_copy *c)
{
	for (unsigned int i = 0; i < NPAIRS; i++)
		if (same_key(&pairs[i], c))
			return &pairs[i];
	return NULL;
}

/* Fill in the filesystems of both files: from the cache, or by fstatfs (then cache them). */
int sd_plan_fs(struct sd_copy *c)
{
	struct sd_pair *p = NULL;
	int cached = c->in.mnt && c->out.mnt, r;

	if (cached) {
		pthread_mutex_lock(&lock);
		p = find(c);
		if (p) {
			c->in.fs_type = p->type_in, c->out.fs_type = p->type_out;
			c->in.fs_bsize = p->bsize_in, c->out.fs_bsize = p->bsize_out;
			c->refused = p->refused;
		}
		pthread_mutex_unlock(&lock);
		if (p) {
			c->in.maxbytes = sd_fs_maxbytes(c->in.fs_type, c->in.fs_bsize);
			c->out.maxbytes = sd_fs_maxbytes(c->out.fs_type, c->out.fs_bsize);
			return 0;
		}
	}
	r = sd_fs_stat(&c->in);
	if (r == 0)
		r = sd_fs_stat(&c->out);
	if (r)
		return r;

	pthread_mutex_lock(&lock);
	p = find(c);
	if (!p) {
		p = &pairs[next_slot++ % NPAIRS];
		*p = (struct sd_pair){
			.mnt_in = c->in.mnt,
			.mnt_out = c->out.mnt,
			.dev_in = c->in.dev,
			.dev_out = c->out.dev,
			.type_in = c->in.fs_type,
			.type_out = c->out.fs_type,
			.bsize_in = c->in.fs_bsize,
			.bsize_out = c->out.fs_bsize,
			.used = 1,
		};
	}
	c->refused = p->refused;
	pthread_mutex_unlock(&lock);
	return 0;
}

/*
 * The quick plan: a plain copy from a fully allocated regular file of a local filesystem that
 * this process has seen before, where the plan would start with offload (ext4, tmpfs...:
 * copy_file_range copies and never shares) or with clone (btrfs, xfs), the output being on the
 * same filesystem, for want bytes from pos_in. Only the input was looked at (statx): the
 * output is taken to be on the input's filesystem, and the kernel's refusal (EXDEV) ends the
 * plan if it is not.
 */
int sd_plan_quick(struct sd_copy *c, uint64_t pos_in, uint64_t pos_out, uint64_t want)
{
	unsigned int never = atomic_load_explicit(&refused_ever, memory_order_relaxed), n = 0;
	int known = 0;

	/* the first copy probes native (SPLICE_F_DIRECT), which would come first if present */
	if (!c->in.mnt || !(never & (1u << SPLICE_DIRECT_NATIVE)))
		return 0;
	pthread_mutex_lock(&lock);
	for (unsigned int i = 0; i < NPAIRS && !known; i++) {
		const struct sd_pair *p = &pairs[i];

		if (p->used && p->mnt_in == c->in.mnt && p->dev_in == c->in.dev) {
			c->in.fs_type = p->type_in, c->in.fs_bsize = p->bsize_in;
			known = 1;
		}
	}
	for (unsigned int i = 0; i < NSLOW && known; i++)
		if (slow_mnt[i] == c->in.mnt)
			known = 0;
	pthread_mutex_unlock(&lock);
	/*
	 * The kernel checks a range of one file against itself (EINVAL) within one call, never
	 * across two: the first call must see the whole range, at most one call's worth
	 */
	if (!known || sd_fs_is_pseudo(c->in.fs_type) || want > SD_MAX_RW)
		return 0;

	/* the output is taken to be on the input's filesystem: the kernel says if it is not */
	c->out.dev = c->in.dev;
	c->out.fs_type = c->in.fs_type, c->out.fs_bsize = c->in.fs_bsize;
	if (!sd_fs_never_shares(c->in.fs_type)) {
		if ((c->flags & SPLICE_F_NOCLONE) || !sd_fs_is_local(c->in.fs_type) ||
		    !sd_fs_can_clone(c->in.fs_type) || !c->in.fs_bsize || pos_in % c->in.fs_bsize ||
		    pos_out % c->in.fs_bsize)
			return 0;
		/* one FICLONERANGE for the whole range, as above */
		if (want % c->in.fs_bsize && pos_in + want != c->in.size)
			return 0;
		c->plan[n++] = &sd_method_clone;
	}
	c->plan[n++] = &sd_method_offload;
	c->plan[n] = NULL;
	for (unsigned int i = 0; i < n; i++)
		if (never & (1u << c->plan[i]->id))
			return 0;
	c->quick = 1;
	return 1;
}

static void refuse(struct sd_copy *c, const struct sd_method *m, ssize_t why)
{
	unsigned int bit = 1u << m->id;
	struct sd_pair *p;

	c->refused |= bit;
	if (why == SD_NOT_EVER) {
		atomic_fetch_or_explicit(&refused_ever, bit, memory_order_relaxed);
		return;
	}
	pthread_mutex_lock(&lock);
	if (c->quick) {
		/* the plan was a guess from the input alone: its mount takes the checked path */
		slow_mnt[next_slow++ % NSLOW] = c->in.mnt;
	} else {
		p = find(c);
		if (p)
			p->refused |= bit;
	}
	pthread_mutex_unlock(&lock);
}

ssize_t sd_refusal(struct sd_copy *c, ssize_t r, ssize_t einval)
{
	switch (r) {
	case -ENOSYS: /* not in this kernel, or a seccomp filter: for the whole process */
		break;
	case -EXDEV:
	case -EOPNOTSUPP:
	case -ENOTTY:
		r = SD_NOT_HERE;
		break;
	case -EPERM: /* seccomp profiles of container runtimes answer EPERM too */
		if (c->done)
			return r;
		r = SD_NOT_HERE;
		break;
	case -EINVAL:
		r = einval;
		break;
	default:
		break;
	}
	return r;
}

static int local(const struct sd_copy *c)
{
	return sd_fs_is_local(c->in.fs_type) && sd_fs_is_local(c->out.fs_type);
}

/*
 * May a method that shares where it can (SD_MAY_SHARE) share between these two files? Two
 * local filesystems never share; a file server may, between its exports.
 */
static int may_share(const struct sd_copy *c)
{
	if (c->in.dev != c->out.dev)
		return !local(c);
	return !sd_fs_never_shares(c->out.fs_type);
}

/* Does this copy, with its flags and its two files, want method m at all? */
static int wanted(const struct sd_copy *c, const struct sd_method *m)
{
	unsigned int p = m->props, fl = c->flags;

	if (fl & SPLICE_F_CLONE)
		return !!(p & SD_CLONES);
	if (c->stream)
		return !!(p & SD_READS_TO_EOF);
	if ((p & SD_PLAIN_ONLY) && (fl & SD_COPY_FLAGS))
		return 0;
	if ((p & SD_CLONES) && ((fl & SPLICE_F_NOCLONE) || !sd_fs_can_clone(c->out.fs_type)))
		return 0;
	if ((p & SD_MAY_SHARE) && (fl & SPLICE_F_NOCLONE) && may_share(c))
		return 0;
	if ((p & SD_SAME_FS_ONLY) && c->in.dev != c->out.dev)
		return 0;
	/* copy_file_range: EXDEV since Linux 5.19; and 5.3-5.18 copied nothing from procfs */
	if ((p & SD_SAME_TYPE_ONLY) && c->in.fs_type != c->out.fs_type)
		return 0;
	if ((p & SD_BYPASSES_CACHE) &&
	    (!(fl & SPLICE_F_NOCACHE) || sd_fs_is_memory(c->in.fs_type) ||
	     sd_fs_is_memory(c->out.fs_type)))
		return 0;
	return 1;
}

/* Does m move this copy's data through this machine's page cache? */
static int through_cache(const struct sd_copy *c, const struct sd_method *m)
{
	if (!(m->props & SD_PAGE_CACHE) || (m->props & SD_BYPASSES_CACHE))
		return 0;
	return !((m->props & SD_SERVER_COPY) && !local(c));
}

void sd_plan(struct sd_copy *c)
{
	unsigned int n = 0, never = atomic_load_explicit(&refused_ever, memory_order_relaxed);

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < NMETHODS; i++) {
			const struct sd_method *m = methods[i];

			/* SPLICE_F_NOCACHE: first what keeps off this machine's page cache */
			if ((c->flags & SPLICE_F_NOCACHE) ? through_cache(c, m) != pass : pass)
				continue;
			if (!wanted(c, m))
				continue;
			/* SPLICE_F_CLONE asks the filesystem every time: its answer is the result */
			if (!(c->flags & SPLICE_F_CLONE) && ((c->refused | never) & (1u << m->id)))
				continue;
			c->plan[n++] = m;
		}
	}
	c->plan[n] = NULL;
}

/* One method's attempt, in cache.c's windows where SPLICE_F_NOCACHE needs them; the counting. */
static ssize_t attempt(struct sd_copy *c, const struct sd_method *m, uint64_t off_in,
		       uint64_t off_out, size_t len)
{
	ssize_t r;

	if ((c->flags & SPLICE_F_NOCACHE) && (m->props & SD_PAGE_CACHE))
		r = sd_cache_copy(c, m, off_in, off_out, len);
	else
		r = m->copy(c, off_in, off_out, len);
	if (r > 0) {
		if (c->stats)
			c->stats->bytes[m->id] += (uint64_t)r;
		if (off_out + (uint64_t)r > c->out.size)
			c->out.size = off_out + (uint64_t)r;
	}
	return r;
}

/*
 * sd_run from method *mp of the plan on. A method with an unaligned head has that head copied
 * by the methods after it first: the caller's loop then comes back to it, aligned.
 */
static ssize_t run(struct sd_copy *c, const struct sd_method *const *mp, uint64_t off_in,
		   uint64_t off_out, size_t len)
{
	ssize_t r = SD_NOT_NOW;

	for (; *mp; mp++) {
		const struct sd_method *m = *mp;

		if (c->refused & (1u << m->id))
			continue;
		if (m->head) {
			uint64_t head = m->head(c, off_in, off_out, len);

			if (head >= len) { /* none of it; never a clone of 0 bytes (to EOF) */
				r = SD_NOT_NOW;
				continue;
			}
			if (head)
				return run(c, mp + 1, off_in, off_out, (size_t)head);
		}
		r = attempt(c, m, off_in, off_out, len);
		if (r > 0 || (c->flags & SPLICE_F_CLONE))
			return r;
		if (r == SD_NOT_EVER || r == SD_NOT_HERE) {
			refuse(c, m, r);
			if (c->quick)
				return r;
		} else if (r == SD_NOT_NOW) {
			continue;
		}
		/*
		 * A 0 from an in-kernel method before the end is not proof of the end: procfs and
		 * sysfs files answer 0 to copy_file_range, splice and sendfile on some kernels.
		 * Only a read that returns 0 is.
		 */
		else if (r == 0 && !(m->props & SD_READS_TO_EOF))
			continue;
		else
			return r;
	}
	return r;
}

ssize_t sd_run(struct sd_copy *c, uint64_t off_in, uint64_t off_out, size_t len)
{
	return run(c, c->plan, off_in, off_out, len);
}

void sd_plan_close(struct sd_copy *c)
{
	for (unsigned int i = 0; i < NMETHODS; i++)
		if (methods[i]->close && c->state[methods[i]->id])
			methods[i]->close(c);
}

SPLICEDIRECT_API const char *splice_direct_method_name(unsigned int method)
{
	for (unsigned int i = 0; i < NMETHODS; i++)
		if (methods[i]->id == method)
			return methods[i]->name;
	return NULL;
}
