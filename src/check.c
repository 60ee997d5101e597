// SPDX-License-Identifier: MIT
/*
 * check.c - copy_file_range(2)'s validation, in the kernel's order.
 *
 * The kernel checks in this order (fs/read_write.c, checked against Linux 6.18 here): both
 * descriptors (EBADF), the flags (EINVAL), file types (EISDIR, EINVAL), access modes and
 * O_APPEND (EBADF), an immutable output (EPERM), an active swap file (ETXTBSY), offsets that
 * wrap (EOVERFLOW), then it shortens the count to the input's end, checks the output's size
 * limits (RLIMIT_FSIZE: SIGXFSZ and EFBIG at it, a shorter count before it; EFBIG), overlapping
 * ranges of one file (EINVAL), and finally negative offsets (EINVAL, or EOVERFLOW). A caller
 * that passes two bad arguments gets the same errno from us as from the kernel.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

#include "internal.h"

int sd_check_fds(struct sd_copy *c, int fd_in, int fd_out)
{
	c->in.fl = fcntl(fd_in, F_GETFL);
	if (c->in.fl < 0 || (c->in.fl & O_PATH))
		return -EBADF;
	c->out.fl = fcntl(fd_out, F_GETFL);
	if (c->out.fl < 0 || (c->out.fl & O_PATH))
		return -EBADF;
	return 0;
}

int sd_check_flags(unsigned int flags)
{
	if (flags & ~SD_COPY_FLAGS)
		return -EINVAL;
	if ((flags & SPLICE_F_CLONE) && (flags & SPLICE_F_NOCLONE))
		return -EINVAL;
	return 0;
}

/* generic_file_rw_checks(): what kind of files, opened how. */
int sd_check_files(const struct sd_copy *c)
{
	const struct sd_file *in = &c->in, *out = &c->out;
	int acc_in = in->fl & O_ACCMODE, acc_out = out->fl & O_ACCMODE;

	if (S_ISDIR(in->mode) || S_ISDIR(out->mode))
		return -EISDIR;
	if (!S_ISREG(in->mode) || !S_ISREG(out->mode))
		return -EINVAL;
	if (acc_in == O_WRONLY || acc_out == O_RDONLY || (out->fl & O_APPEND))
		return -EBADF;
	return 0;
}

/*
 * RLIMIT_FSIZE, asked once per call. The kernel shortens a write that crosses it and sends
 * SIGXFSZ only to one that starts at or past it: a copy must stop at it, never try again.
 */
uint64_t sd_fsize_limit(struct sd_copy *c)
{
	struct rlimit rl;

	if (!c->fsize)
		c->fsize = getrlimit(RLIMIT_FSIZE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
	return c->fsize;
}

/* A path of /proc/swaps, whose blanks and backslashes the kernel writes as octal escapes. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = 0;
}

/*
 * The active swap files, by device and inode, as /proc/swaps last listed them (at most 32:
 * MAX_SWAPFILES), and the machine's total swap then: the list is read again when that changes.
 */
static pthread_mutex_t swaps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	dev_t dev;
	ino_t ino;
} swaps[32];
static unsigned int nswaps;
static unsigned long swaps_total; /* 0: never read */

static void read_swaps(void)
{
	char line[4096 + 64], path[4096 + 64];
	struct stat st;
	FILE *f = fopen("/proc/swaps", "re");

	nswaps = 0;
	if (!f)
		return;
	while (nswaps < sizeof(swaps) / sizeof(swaps[0]) && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4159s file ", path) != 1)
			continue;
		unescape(path);
		if (stat(path, &st) == 0) {
			swaps[nswaps].dev = st.st_dev;
			swaps[nswaps++].ino = st.st_ino;
		}
	}
	(void)fclose(f);
}

/* Could f be a swap file: regular, a header and a page of swap at least, not in memory? */
static int maybe_swap(const struct sd_file *f)
{
	return S_ISREG(f->mode) && f->size >= 8192 && !sd_fs_is_memory(f->fs_type);
}

/*
 * An active swap file on either side: the kernel marks it (S_SWAPFILE) and refuses to copy
 * from or to it (ETXTBSY), but shows the mark nowhere but in /proc/swaps, by name. A machine
 * without swap costs one sysinfo; one with swap reads the list when its total changes.
 */
int sd_check_swap(const struct sd_copy *c)
{
	int in = maybe_swap(&c->in), out = maybe_swap(&c->out), found = 0;
	struct sysinfo si;

	if ((!in && !out) || sysinfo(&si) < 0 || si.totalswap == 0)
		return 0;
	pthread_mutex_lock(&swaps_lock);
	if (si.totalswap != swaps_total) {
		read_swaps();
		swaps_total = si.totalswap;
	}
	for (unsigned int i = 0; i < nswaps && !found; i++)
		found = (in && swaps[i].dev == c->in.dev && swaps[i].ino == c->in.ino) ||
			(out && swaps[i].dev == c->out.dev && swaps[i].ino == c->out.ino);
	pthread_mutex_unlock(&swaps_lock);
	return found ? -ETXTBSY : 0;
}

/* rw_verify_area(): a negative offset, or one that turns negative. */
static int verify_area(loff_t pos, uint64_t count)
{
	if ((int64_t)count < 0)
		return -EINVAL;
	if (pos < 0)
		return count >= (uint64_t)-pos ? -EOVERFLOW : -EINVAL;
	if ((loff_t)((uint64_t)pos + count) < 0)
		return -EINVAL;
	return 0;
}

/* generic_write_check_limits(): RLIMIT_FSIZE, then the filesystem's largest file. */
int sd_check_limits(struct sd_copy *c, loff_t pos_out, uint64_t *count)
{
	uint64_t limit = sd_fsize_limit(c);

	if (limit != RLIM_INFINITY) {
		if (pos_out >= (loff_t)limit) {
			(void)raise(SIGXFSZ); /* to this thread, as the kernel sends it */
			return -EFBIG;
		}
		*count = sd_min(*count, limit - (uint64_t)pos_out);
	}
	if (pos_out >= (loff_t)c->out.maxbytes)
		return -EFBIG;
	*count = sd_min(*count, c->out.maxbytes - (uint64_t)pos_out);
	return 0;
}

/*
 * generic_copy_file_checks() and the rest: shortens *len to what will be copied.
 * Needs the output's filesystem (maxbytes) from the plan.
 */
int sd_check_range(struct sd_copy *c, loff_t pos_in, loff_t pos_out, size_t *len)
{
	uint64_t count = *len, size_in = c->in.size;
	int r;

	if (c->out.attrs & STATX_ATTR_IMMUTABLE)
		return -EPERM;
	r = sd_check_swap(c);
	if (r)
		return r;
	/* The kernel compares as unsigned: a negative offset "wraps" when count reaches it. */
	if ((uint64_t)pos_in + count < (uint64_t)pos_in ||
	    (uint64_t)pos_out + count < (uint64_t)pos_out)
		return -EOVERFLOW;

	if (pos_in >= (loff_t)size_in)
		count = 0;
	else
		count = sd_min(count, size_in - (uint64_t)pos_in);

	/* even for a count of 0 (6.12's stable series skips it then) */
	r = sd_check_limits(c, pos_out, &count);
	if (r)
		return r;

	if (c->in.dev == c->out.dev && c->in.ino == c->out.ino &&
	    (uint64_t)pos_out + count > (uint64_t)pos_in &&
	    (uint64_t)pos_out < (uint64_t)pos_in + count)
		return -EINVAL;

	r = verify_area(pos_in, count);
	if (r == 0)
		r = verify_area(pos_out, count);
	if (r)
		return r;
	*len = count;
	return 0;
}
