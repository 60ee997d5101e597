/* SPDX-License-Identifier: MIT */
/*
 * meta.c - the attributes of a copy, in the only order that works: ownership first (chown
 * clears setuid and setgid), then xattrs (ACLs are xattrs, and may change the mode), then the
 * mode, then the times (every change before them updates ctime and maybe mtime), and the
 * chattr flags last (an immutable file takes no more changes).
 *
 * Also the table of hard links seen so far, for --preserve=links.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sdcp.h"

/*
 * The mode a new file is created with: never wider than its final mode. While its owner is
 * not yet the source's, group and others get nothing (cp does the same).
 */
mode_t meta_plain_mode(const struct stat *st)
{
	/* --no-preserve=mode: what a new file gets from open(2) or mkdir(2) */
	if (arg_no_keep_mode)
		return S_ISDIR(st->st_mode) ? 0777 | (st->st_mode & 03000) : 0666;
	return st->st_mode & (S_ISDIR(st->st_mode) ? 03777 : 0777);
}

mode_t meta_create_mode(const struct stat *st, gid_t new_gid)
{
	mode_t mode = arg_keep_mode ? st->st_mode & 0777 : meta_plain_mode(st) & 0777;

	if (arg_keep_owner && (st->st_uid != cur_euid || st->st_gid != new_gid))
		mode &= 0700;
	return mode;
}

/* A path the l*xattr calls take for (dirfd, name) without following a last symlink. */
static char *at_path(int dirfd, const char *name)
{
	char *p;

	if (dirfd == AT_FDCWD || name[0] == '/')
		return xstrdup(name);
	if (asprintf(&p, "/proc/self/fd/%d/%s", dirfd, name) < 0)
		return NULL;
	return p;
}

static ssize_t list_x(int fd, const char *path, char *buf, size_t n)
{
	return fd >= 0 ? flistxattr(fd, buf, n) : llistxattr(path, buf, n);
}

static ssize_t get_x(int fd, const char *path, const char *name, void *buf, size_t n)
{
	return fd >= 0 ? fgetxattr(fd, name, buf, n) : lgetxattr(path, name, buf, n);
}

static int set_x(int fd, const char *path, const char *name, const void *buf, size_t n)
{
	return fd >= 0 ? fsetxattr(fd, name, buf, n, 0) : lsetxattr(path, name, buf, n, 0);
}

static int unsupported(int e)
{
	return e == ENOTSUP || e == ENOSYS || e == EPERM || e == EACCES;
}

/* Copy one xattr; 0, or -errno. */
static int copy_one(int sfd, const char *spath, int dfd, const char *dpath, const char *name)
{
	char small[512], *val = small;
	ssize_t n = get_x(sfd, spath, name, small, sizeof(small));
	int r = 0;

	if (n < 0 && errno == ERANGE) {
		n = get_x(sfd, spath, name, NULL, 0);
		if (n >= 0) {
			val = xmalloc(n);
			n = get_x(sfd, spath, name, val, n);
		}
	}
	if (n < 0)
		r = errno == ENODATA ? 0 : -errno;
	else if (set_x(dfd, dpath, name, val, n))
		r = -errno;
	if (val != small)
		free(val);
	return r;
}

/* All xattrs (or, with only_acl, just the ACLs, as part of the mode). */
static void copy_xattrs(const struct meta_ctx *m, int sfd, const char *spath, int only_acl,
			int is_dir)
{
	char *dpath = m->fd >= 0 ? NULL : at_path(m->dirfd, m->name);
	char small[1024], *list = small;
	ssize_t n;
	int loud = only_acl ? arg_keep_mode == 2 : arg_keep_xattr == 2;

	if (only_acl) {
		static const char *const acls[] = {"system.posix_acl_access",
						   "system.posix_acl_default"};

		for (int i = 0; i < 2; i++) {
			int r;

			if (i == 1 && !is_dir)
				break;
			r = copy_one(sfd, spath, m->fd, dpath, acls[i]);
			if (r && (loud || !unsupported(-r)))
				fail(-r, "preserving permissions for %s", quote(m->path));
			if (r || i == 1)
				break;
		}
		free(dpath);
		return;
	}
	n = list_x(sfd, spath, small, sizeof(small));
	if (n < 0 && errno == ERANGE) {
		n = list_x(sfd, spath, NULL, 0);
		if (n > 0) {
			list = xmalloc(n);
			n = list_x(sfd, spath, list, n);
		}
	}
	if (n < 0 && !unsupported(errno))
		fail(errno, "listing attributes of %s", quote(m->path));
	for (ssize_t i = 0; i < n; i += strlen(list + i) + 1) {
		const char *name = list + i;
		int r;

		/* SELinux labels belong to --preserve=context; ACLs to mode (but -a has both) */
		if (!strncmp(name, "security.selinux", 16) && !arg_keep_context)
			continue;
		if (!strncmp(name, "system.posix_acl_", 17) && !arg_keep_mode)
			continue;
		r = copy_one(sfd, spath, m->fd, dpath, name);
		if (r && (loud || !unsupported(-r)))
			fail(-r, "setting attribute %s for %s", quote_n(0, name),
			     quote_n(1, m->path));
	}
	if (list != small)
		free(list);
	free(dpath);
}

/* chattr flags a copy can take after its data was written. */
#define CHATTR_KEEP                                                                                \
	(FS_APPEND_FL | FS_IMMUTABLE_FL | FS_NODUMP_FL | FS_NOATIME_FL | FS_SYNC_FL |              \
	 FS_DIRSYNC_FL | FS_PROJINHERIT_FL)

static void copy_chattr(const struct meta_ctx *m, int sfd)
{
	int sflags = 0, dflags = 0;

	if (m->fd < 0 || sfd < 0 || ioctl(sfd, FS_IOC_GETFLAGS, &sflags) || !(sflags & CHATTR_KEEP))
		return;
	if (ioctl(m->fd, FS_IOC_GETFLAGS, &dflags))
		return;
	dflags = (dflags & ~CHATTR_KEEP) | (sflags & CHATTR_KEEP);
	if (ioctl(m->fd, FS_IOC_SETFLAGS, &dflags) && arg_keep_xattr == 2)
		fail(errno, "setting flags for %s", quote(m->path));
}

int meta_apply(const struct meta_ctx *m, const struct stat *st, int sfd, int sdirfd,
	       const char *sname)
{
	mode_t mode = st->st_mode & 07777;
	char *spath = NULL;
	int r = 0, lnk = m->is_link;

	if (sfd < 0 && sname) {
		spath = at_path(sdirfd, sname);
		if (!spath)
			return -ENOMEM;
	}

	if (arg_keep_owner && (!m->created || st->st_uid != cur_euid || st->st_gid != m->new_gid)) {
		if (m->fd >= 0)
			r = fchown(m->fd, st->st_uid, st->st_gid);
		else
			r = fchownat(m->dirfd, m->name, st->st_uid, st->st_gid,
				     AT_SYMLINK_NOFOLLOW);
		if (r) {
			int e = errno;

			/* keep the group at least, as cp does; what is not ours loses setuid */
			if (m->fd >= 0)
				(void)fchown(m->fd, -1, st->st_gid);
			else
				(void)fchownat(m->dirfd, m->name, -1, st->st_gid,
					       AT_SYMLINK_NOFOLLOW);
			mode &= ~(S_ISUID | S_ISGID);
			if (arg_keep_owner == 2 || (e != EPERM && e != EINVAL))
				fail(e, "failed to preserve ownership for %s", quote(m->path));
		}
	} else if (!arg_keep_owner) {
		/* a copy owned by someone else must not run as the source's owner */
		if (st->st_uid != cur_euid)
			mode &= ~S_ISUID;
		if (st->st_gid != m->new_gid)
			mode &= ~S_ISGID;
	}

	if (arg_keep_xattr && (sfd >= 0 || spath))
		copy_xattrs(m, sfd, spath, 0, S_ISDIR(st->st_mode));
	else if (arg_keep_mode && !lnk && (sfd >= 0 || spath))
		copy_xattrs(m, sfd, spath, 1, S_ISDIR(st->st_mode));

	if (!lnk) {
		mode_t want = -1;

		if (arg_keep_mode)
			want = mode;
		else if (m->created)
			/* cp's mode for a new file; a new directory keeps sticky and setgid */
			want = meta_plain_mode(st) & ~cur_umask;
		if (want != (mode_t)-1 && (want != m->made_mode || (want & 07000))) {
			if (m->fd >= 0)
				r = fchmod(m->fd, want);
			else
				/* never through a symlink swapped in after mknodat */
				r = fchmodat(m->dirfd, m->name, want, AT_SYMLINK_NOFOLLOW);
			if (r)
				fail(errno, "preserving permissions for %s", quote(m->path));
		}
	}

	if (arg_keep_times) {
		struct timespec ts[2] = {st->st_atim, st->st_mtim};

		if (m->fd >= 0)
			r = futimens(m->fd, ts);
		else
			r = utimensat(m->dirfd, m->name, ts, AT_SYMLINK_NOFOLLOW);
		if (r)
			fail(errno, "preserving times for %s", quote(m->path));
	}
	if (arg_keep_xattr && !lnk)
		copy_chattr(m, sfd);
	free(spath);
	return 0;
}

/* --- hard links: (dev, ino) of a source with more than one link -> the first copy --- */
struct link {
	struct link *next;
	dev_t dev;
	ino_t ino;
	int state; /* 0 being made, 1 made, -1 failed */
	char *path;
};

#define LINK_BUCKETS 4096
static struct link *buckets[LINK_BUCKETS];
static pthread_mutex_t links_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t links_cond = PTHREAD_COND_INITIALIZER;

static struct link **slot(const struct stat *st)
{
	uint64_t h = (uint64_t)st->st_ino * 0x9e3779b97f4a7c15ull ^ st->st_dev;

	return &buckets[(h >> 20) % LINK_BUCKETS];
}

static struct link *lookup(const struct stat *st)
{
	for (struct link *l = *slot(st); l; l = l->next)
		if (l->dev == st->st_dev && l->ino == st->st_ino)
			return l;
	return NULL;
}

int links_find(const struct stat *st, const char *dpath, char **ret_first)
{
	struct link *l;
	int r = 0;

	pthread_mutex_lock(&links_lock);
	l = lookup(st);
	if (!l) {
		l = xmalloc(sizeof(*l));
		l->dev = st->st_dev;
		l->ino = st->st_ino;
		l->state = 0;
		l->path = xstrdup(dpath);
		l->next = *slot(st);
		*slot(st) = l;
		goto out;
	}
	/* the first name is being made right now; it takes one create */
	while (l->state == 0)
		pthread_cond_wait(&links_cond, &links_lock);
	if (l->state == 1) {
		*ret_first = xstrdup(l->path);
		r = 1;
	} else {
		/* the first copy failed: this name becomes the first */
		free(l->path);
		l->path = xstrdup(dpath);
		l->state = 0;
	}
out:
	pthread_mutex_unlock(&links_lock);
	return r;
}

void links_done(const struct stat *st, int ok)
{
	struct link *l;

	pthread_mutex_lock(&links_lock);
	l = lookup(st);
	if (l && l->state == 0) {
		l->state = ok ? 1 : -1;
		pthread_cond_broadcast(&links_cond);
	}
	pthread_mutex_unlock(&links_lock);
}
