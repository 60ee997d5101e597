/* SPDX-License-Identifier: MIT */
/*
 * meta.c - the attributes of a copy, in the only order that works: ownership first (chown
 * clears setuid and setgid), then xattrs (ACLs are xattrs, and may change the mode), then the
 * mode, then the times (every change before them updates ctime and maybe mtime), and the
 * chattr flags last (an immutable file takes no more changes).
 *
 * Also the table of hard links seen so far, for --preserve=links.
 */
#include <endian.h>
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
	/* mkdir(2) keeps a folder's sticky bit, never the source's setgid (only the parent's) */
	if (arg_no_keep_mode)
		return S_ISDIR(st->st_mode) ? 0777 | (st->st_mode & S_ISVTX) : 0666;
	return st->st_mode & (S_ISDIR(st->st_mode) ? 01777 : 0777);
}

mode_t meta_create_mode(const struct stat *st, gid_t new_gid)
{
	mode_t mode = arg_keep_mode ? st->st_mode & 0777 : meta_plain_mode(st) & 0777;

	/*
	 * While ownership is to be kept, nobody but the owner reads the copy before its
	 * metadata is set (cp's rule, which coreutils' file-perm-race checks): even where the
	 * owner comes out the same, as the group may be another at first.
	 */
	(void)new_gid;
	if (arg_keep_owner)
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

/* Copy one xattr; 0, or -errno (*ret_set: setting it failed, not reading it). */
static int copy_one(int sfd, const char *spath, int dfd, const char *dpath, const char *name,
		    int *ret_set)
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
	*ret_set = 0;
	if (n < 0) {
		r = errno == ENODATA ? 0 : -errno;
	} else if (set_x(dfd, dpath, name, val, n)) {
		r = -errno;
		*ret_set = 1;
	}
	if (val != small)
		free(val);
	return r;
}

/*
 * The ACLs, as part of the mode (cp's copy_acl, from gnulib): an access ACL the destination
 * cannot take is an error whatever asked for the mode (-a, -p, --preserve=mode), named in the
 * locale's quotes as gnulib names it; a default ACL it cannot take is left quietly, as is a
 * source without ACLs or on a filesystem without them.
 */
static void copy_acls(const struct meta_ctx *m, int sfd, const char *spath, int is_dir)
{
	static const char *const acls[] = {"system.posix_acl_access", "system.posix_acl_default"};
	char *dpath = m->fd >= 0 ? NULL : at_path(m->dirfd, m->name);

	for (int i = 0; i < 1 + !!is_dir; i++) {
		int on_set, r = copy_one(sfd, spath, m->fd, dpath, acls[i], &on_set);

		if (r && on_set && (i == 0 || !unsupported(-r)))
			fail(-r, "preserving permissions for %s", quote_locale(m->path));
		if (r)
			break;
	}
	free(dpath);
}

/* All xattrs but the ACLs (they are the mode's: copy_acls). */
static void copy_xattrs(const struct meta_ctx *m, int sfd, const char *spath)
{
	char *dpath = m->fd >= 0 ? NULL : at_path(m->dirfd, m->name);
	char small[1024], *list = small;
	ssize_t n;
	/* cp reports every failure where asked by name, and where it copies no data */
	int loud = arg_keep_xattr == 2 || arg_attributes_only;
	/* ... but fails only where xattrs were asked for by name; other failures are said
	 * too, but not after -a */
	int notsup = 0, strict = arg_keep_xattr == 2, some = !arg_archive;
	n = list_x(sfd, spath, small, sizeof(small));
	if (n < 0 && errno == ERANGE) {
		n = list_x(sfd, spath, NULL, 0);
		if (n > 0) {
			list = xmalloc(n);
			n = list_x(sfd, spath, list, n);
		}
	}
	if (n < 0 && (loud || (some && !unsupported(errno))))
		fail(errno, "listing attributes of %s", quote(m->path));
	for (ssize_t i = 0; i < n; i += strlen(list + i) + 1) {
		const char *name = list + i;
		int r, on_set;

		/* SELinux labels belong to --preserve=context; ACLs to mode */
		if (!strncmp(name, "security.selinux", 16) && !arg_keep_context)
			continue;
		if (!strncmp(name, "system.posix_acl_", 17))
			continue;
		r = copy_one(sfd, spath, m->fd, dpath, name, &on_set);
		/* as libattr, which cp uses: "not supported" is said once, for all of them */
		if (r == -ENOTSUP)
			notsup = 1;
		else if (r && (loud || (some && !unsupported(-r))))
			(strict ? fail : say)(-r, "setting attribute %s for %s", quote_n(0, name),
					      quote_n(1, m->path));
	}
	if (notsup && loud)
		(strict ? fail : say)(ENOTSUP, "setting attributes for %s", quote(m->path));
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

/* The destination as it is now. */
static int dest_stat(const struct meta_ctx *m, struct stat *ret)
{
	if (m->fd >= 0)
		return fstat(m->fd, ret) ? -errno : 0;
	return fstatat(m->dirfd, m->name, ret, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int dest_chown(const struct meta_ctx *m, uid_t uid, gid_t gid)
{
	if (m->fd >= 0)
		return fchown(m->fd, uid, gid) ? -errno : 0;
	return fchownat(m->dirfd, m->name, uid, gid, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/*
 * --preserve=ownership, as cp does it: a chown only where the owner or group differs (a chown
 * clears setuid and setgid of a file, even to the same ids). When it fails, the group at least.
 * Returns 1 when the chown failed: the copy then loses setuid, setgid and sticky, as with cp (a
 * setuid file of root's must not become a setuid file of ours). *cur follows the destination's
 * mode bits.
 */
static int keep_owner(const struct meta_ctx *m, const struct stat *st, mode_t *cur)
{
	struct stat now;
	uid_t uid = cur_euid;
	gid_t gid = m->new_gid;
	int r;

	/*
	 * What we did not make has its own owner; an operand was made in a folder walk.c does not
	 * know (its pseudo-folder's new_gid is not the group a setgid target gives).
	 */
	if (!m->created || m->dirfd == AT_FDCWD) {
		if (dest_stat(m, &now) == 0) {
			uid = now.st_uid;
			gid = now.st_gid;
			*cur = now.st_mode & 07777;
		} else {
			uid = (uid_t)-1; /* unknown: chown */
		}
	}
	if (st->st_uid == uid && st->st_gid == gid)
		return 0;
	r = dest_chown(m, st->st_uid, st->st_gid);
	if (r == 0) {
		/* the kernel cleared setuid (and maybe setgid) of a non-directory */
		if (!S_ISDIR(st->st_mode) && (*cur & (S_ISUID | S_ISGID)) && !dest_stat(m, &now))
			*cur = now.st_mode & 07777;
		return 0;
	}
	if (r == -EPERM || r == -EINVAL)
		(void)dest_chown(m, -1, st->st_gid);
	/* cp is quiet when a user who may not give files away could not; root is told */
	if ((r != -EPERM && r != -EINVAL) || cur_euid == 0)
		fail(-r, "failed to preserve ownership for %s", quote(m->path));
	if (!S_ISDIR(st->st_mode) && (*cur & (S_ISUID | S_ISGID)) && !dest_stat(m, &now))
		*cur = now.st_mode & 07777;
	return 1;
}

/*
 * A trivial access ACL (owner, group, others: the mode's bits), as an xattr value. Setting it
 * changes the permission bits and leaves setuid, setgid and sticky as they are, where chmod
 * would set all twelve bits.
 */
static size_t mode_acl(mode_t mode, unsigned char *buf)
{
	static const uint16_t tags[3] = {0x01, 0x04, 0x20}; /* USER_OBJ, GROUP_OBJ, OTHER */
	uint32_t version = htole32(2);

	memcpy(buf, &version, 4);
	for (int i = 0; i < 3; i++) {
		uint16_t tag = htole16(tags[i]), perm = htole16((mode >> (6 - 3 * i)) & 7);
		uint32_t id = htole32(UINT32_MAX);

		memcpy(buf + 4 + 8 * i, &tag, 2);
		memcpy(buf + 6 + 8 * i, &perm, 2);
		memcpy(buf + 8 + 8 * i, &id, 4);
	}
	return 28;
}

static int dest_chmod(const struct meta_ctx *m, mode_t mode)
{
	if (m->fd >= 0)
		return fchmod(m->fd, mode) ? -errno : 0;
	/* never through a symlink swapped in after mknodat */
	return fchmodat(m->dirfd, m->name, mode, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/*
 * Give the copy the mode want. cp (through gnulib's ACL code) sets a mode without special bits
 * as an ACL where the filesystem has ACLs, which keeps the setuid, setgid and sticky bits the
 * destination has: those of an existing file, a folder's inherited setgid, the sticky bit its
 * mkdir kept. keep: those bits, as cp's destination has them (sdcp's mkdir gave no sticky bit,
 * so cur may lack it). Where the filesystem has no ACLs, cp's chmod drops them: so do we.
 */
static int set_mode(const struct meta_ctx *m, mode_t want, mode_t keep, mode_t cur, int acl_path)
{
	unsigned char acl[28];
	struct stat now;
	size_t n;
	char *p;
	int r;

	/*
	 * cp's chmod of a new entry is made only when a bit is missing; its mode step (the ACL
	 * path) always makes a call, which we leave out where it changes nothing; but the kernel
	 * takes setgid from a user outside the file's group: that is a change.
	 */
	int same = cur_euid == 0 || !((want | keep | cur) & S_ISGID);

	if (!acl_path)
		return want == cur ? 0 : dest_chmod(m, want);
	if ((want & 07000) || !keep)
		return want == cur && same ? 0 : dest_chmod(m, want);
	if ((want | keep) == cur && same)
		return 0;
	p = m->fd >= 0 ? NULL : at_path(m->dirfd, m->name);
	if (m->fd < 0 && !p)
		return -ENOMEM;
	/* an ACL copied from the source stays: it is this mode already, and kept the bits */
	if (get_x(m->fd, p, "system.posix_acl_access", NULL, 0) > 0) {
		free(p);
		return dest_chmod(m, want | keep);
	}
	n = mode_acl(want, acl);
	r = set_x(m->fd, p, "system.posix_acl_access", acl, n) ? -errno : 0;
	free(p);
	if (r)
		return dest_chmod(m, want);
	/* the kernel kept cur's bits but a setgid it took; add the sticky bit mkdir would have
	 * given (asking for no bit the kernel took) */
	if (!(keep & ~cur & ~S_ISGID))
		return 0;
	r = dest_stat(m, &now);
	if (r)
		return r;
	return dest_chmod(m, want | (keep & ~S_ISGID) | (now.st_mode & S_ISGID));
}

int meta_apply(const struct meta_ctx *m, const struct stat *st, int sfd, int sdirfd,
	       const char *sname)
{
	mode_t mode = st->st_mode & 07777, cur = m->made_mode & 07777;
	int is_dir = S_ISDIR(st->st_mode);
	char *spath = NULL;
	int r = 0, lnk = m->is_link;

	if (sfd < 0 && sname) {
		spath = at_path(sdirfd, sname);
		if (!spath)
			return -ENOMEM;
	}

	/*
	 * Times first, as cp sets them (no later step writes data), and where they cannot be
	 * kept (not our file) cp keeps nothing more if keeping was asked for (-a, -p,
	 * --preserve): its require_preserve
	 */
	if (arg_keep_times) {
		struct timespec ts[2] = {st->st_atim, st->st_mtim};

		if (m->fd >= 0)
			r = futimens(m->fd, ts);
		else
			r = utimensat(m->dirfd, m->name, ts, AT_SYMLINK_NOFOLLOW);
		if (r) {
			fail(errno, "preserving times for %s", quote(m->path));
			if (arg_require_keep)
				goto out;
		}
	}

	if (arg_keep_owner && keep_owner(m, st, &cur))
		mode &= ~(S_ISUID | S_ISGID | S_ISVTX);

	if (arg_keep_xattr && (sfd >= 0 || spath))
		copy_xattrs(m, sfd, spath);
	if (arg_keep_mode && !lnk && (sfd >= 0 || spath))
		copy_acls(m, sfd, spath, is_dir);

	if (!lnk && (arg_keep_mode || m->created)) {
		/* the special bits cp's copy has before its mode is set: a new folder's come from
		 * mkdir (the source's sticky bit, the parent's setgid), a new file has none */
		mode_t keep = !m->created ? cur & 07000
			      : is_dir	  ? (st->st_mode & S_ISVTX) | (cur & S_ISGID)
					  : cur & 07000;

		if (arg_keep_mode)
			r = set_mode(m, mode, keep, cur, 1);
		else if (arg_no_keep_mode)
			r = set_mode(m, (is_dir ? 0777 : 0666) & ~cur_umask, keep, cur, 1);
		else
			/* cp's chmod of a new entry: the source's bits through the umask, and
			 * those mkdir gave a folder */
			r = set_mode(m, (st->st_mode & 0777 & ~cur_umask) | (is_dir ? keep : 0), 0,
				     cur, 0);
		/* kept, cp's words are gnulib's (its copy_acl and set_acl): the locale's quotes */
		if (r && arg_keep_mode)
			fail(-r, "preserving permissions for %s", quote_locale(m->path));
		else if (r && arg_no_keep_mode)
			fail(-r, "setting permissions for %s", quote_locale(m->path));
		else if (r)
			fail(-r, "preserving permissions for %s", quote(m->path));
	}

	if (arg_keep_xattr && !lnk)
		copy_chattr(m, sfd);
out:
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

int links_wanted(const struct stat *st, int top)
{
	/* a file reached through symlinks is one file however many names lead to it */
	return arg_keep_links && !arg_hard_link && !S_ISDIR(st->st_mode) &&
	       (st->st_nlink > 1 || walk_follows(top));
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
