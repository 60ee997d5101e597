/* SPDX-License-Identifier: MIT */
/*
 * sdfuse BACKING MOUNTPOINT [fuse options]: a passthrough FUSE filesystem that stands in for a
 * network filesystem with a server-side copy. It keeps its files in BACKING, implements
 * copy_file_range itself (the "server" copies between its backing files, no data crosses the
 * client), counts what crossed its read and write handlers, and injects faults on command.
 *
 * The control file MOUNTPOINT/.sdfuse (never listed, always direct_io, never counted):
 *   read it:   "reads N read_bytes N writes N write_bytes N cfr_calls N cfr_bytes N eintr N
 *               faults N\n"
 *   write it:  lines "KEY VALUE" (or "reset", which zeroes the counters and every knob):
 *     cfr MODE       copy_file_range answers: ok, eopnotsupp, exdev, enosys, or short (see
 *                    cfr_max)
 *     cfr_max N      with cfr short: copy at most N bytes per call
 *     eio_read N     the Nth read from now, and every later one, fails with EIO (0: off)
 *     eio_write N    the same for writes
 *     eio_cfr N      the same for copy_file_range calls
 *     enospc N       N more bytes may be written (writes and copies), then ENOSPC; a write
 *                    that crosses the limit is short (-1: no limit)
 *     short_read N   a read answers at most N bytes (0: off); use with direct_io, since
 *                    the kernel's page cache takes a short read for the end of the file
 *     direct_io 0|1  files opened from now on bypass the page cache
 *     slow MS        read, write and copy_file_range sleep MS milliseconds, and answer
 *                    EINTR if the caller is interrupted meanwhile (a signal)
 *     flip N         the byte at offset N of what is written (writes and copies) is stored
 *                    inverted, as by storage that goes bad (-1: off); reads return it so
 *     only NAME      the faults above hit only files whose path contains NAME ("-": all)
 *
 * High-level libfuse 3 API, mounted directly (libfuse's subdir module does not pass
 * copy_file_range on: pitfalls.md). Paths are resolved under an fd of BACKING.
 */
#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define CONTROL "/.sdfuse"

enum cfr_mode { CFR_OK, CFR_EOPNOTSUPP, CFR_EXDEV, CFR_ENOSYS, CFR_SHORT };

static int root = -1; /* the backing folder */

/* Counters and knobs: read and written by many handler threads, so atomic. */
static uint64_t n_reads, n_read_bytes, n_writes, n_write_bytes, n_cfr, n_cfr_bytes, n_eintr,
	n_faults;
static int64_t k_cfr = CFR_OK, k_cfr_max = 4096, k_eio_read, k_eio_write, k_eio_cfr, k_enospc = -1,
	       k_short_read, k_direct_io, k_slow, k_flip = -1;
/* how many reads/writes/copies (and bytes written) since the matching knob was set */
static int64_t since_read, since_write, since_cfr, since_bytes;

/* The "only" knob: a path fragment, under a lock (handlers run on many threads). */
static char k_only[64];
static pthread_mutex_t only_lock = PTHREAD_MUTEX_INITIALIZER;

#define GET(x)	  __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define SET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_SEQ_CST)

static const char *rel(const char *path)
{
	return path[1] ? path + 1 : ".";
}

static int is_control(const char *path)
{
	return !strcmp(path, CONTROL);
}

/* Do the fault knobs apply to this file? */
static int targeted(const char *path)
{
	int r;

	pthread_mutex_lock(&only_lock);
	r = !k_only[0] || strstr(path, k_only);
	pthread_mutex_unlock(&only_lock);
	return r;
}

/* The Nth operation since the knob was set, and every later one, fails. */
static int nth_fails(int64_t knob, int64_t *since)
{
	if (!knob)
		return 0;
	if (ADD(*since, 1) < knob)
		return 0;
	ADD(n_faults, 1);
	return 1;
}

/* How many of len bytes may still be written; 0 means ENOSPC. */
static size_t quota(size_t len)
{
	int64_t limit = GET(k_enospc), used = GET(since_bytes);

	if (limit < 0)
		return len;
	if (used >= limit) {
		ADD(n_faults, 1);
		return 0;
	}
	return (uint64_t)(limit - used) < len ? (size_t)(limit - used) : len;
}

/*
 * The flip knob: [off, off + n) of path was just stored; spoil its byte at the knob's offset
 * (through an fd of our own: the caller's may be write-only).
 */
static void flip_stored(const char *path, off_t off, size_t n)
{
	int64_t at = GET(k_flip);
	unsigned char c;
	int fd;

	if (at < off || at >= off + (off_t)n)
		return;
	fd = openat(root, rel(path), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pread(fd, &c, 1, at) == 1) {
		c = (unsigned char)~c;
		if (pwrite(fd, &c, 1, at) == 1)
			ADD(n_faults, 1);
	}
	close(fd);
}

/* Sleep the knob's time, 1 ms at a time, giving up with EINTR when the caller is signalled. */
static int slow(void)
{
	int64_t ms = GET(k_slow);
	struct timespec one = {0, 1000000};

	for (int64_t i = 0; i < ms; i++) {
		if (fuse_interrupted()) {
			ADD(n_eintr, 1);
			return -EINTR;
		}
		nanosleep(&one, NULL);
	}
	return 0;
}

static void *sd_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/*
	 * Asynchronous direct I/O is sent as background requests that no signal interrupts:
	 * off, so that a signal reaches a slow read handler (fuse_interrupted) as EINTR.
	 */
	conn->want &= ~FUSE_CAP_ASYNC_DIO;
	/* The tests change backing files behind the kernel's back: never trust cached attrs. */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->use_ino = 1;
	return NULL;
}

static int sd_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (is_control(path)) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFREG | 0600;
		st->st_nlink = 1;
		return 0;
	}
	if (fi && fi->fh)
		return fstat((int)fi->fh, st) < 0 ? -errno : 0;
	return fstatat(root, rel(path), st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int sd_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	int fd = openat(root, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	(void)off, (void)fi, (void)flags;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((e = readdir(d)))
		if (fill(buf, e->d_name, NULL, 0, 0))
			break;
	closedir(d);
	return 0;
}

static int sd_mkdir(const char *path, mode_t mode)
{
	return mkdirat(root, rel(path), mode) < 0 ? -errno : 0;
}

static int sd_unlink(const char *path)
{
	return unlinkat(root, rel(path), 0) < 0 ? -errno : 0;
}

static int sd_rmdir(const char *path)
{
	return unlinkat(root, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int sd_symlink(const char *target, const char *path)
{
	return symlinkat(target, root, rel(path)) < 0 ? -errno : 0;
}

static int sd_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(root, rel(path), buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int sd_rename(const char *from, const char *to, unsigned int flags)
{
	return renameat2(root, rel(from), root, rel(to), flags) < 0 ? -errno : 0;
}

static int sd_link(const char *from, const char *to)
{
	return linkat(root, rel(from), root, rel(to), 0) < 0 ? -errno : 0;
}

static int sd_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (fi && fi->fh)
		return fchmod((int)fi->fh, mode) < 0 ? -errno : 0;
	return fchmodat(root, rel(path), mode, 0) < 0 ? -errno : 0;
}

static int sd_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi && fi->fh)
		return fchown((int)fi->fh, uid, gid) < 0 ? -errno : 0;
	return fchownat(root, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int sd_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	int fd, r;

	if (fi && fi->fh)
		return ftruncate((int)fi->fh, size) < 0 ? -errno : 0;
	fd = openat(root, rel(path), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = ftruncate(fd, size) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int sd_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	if (fi && fi->fh)
		return futimens((int)fi->fh, tv) < 0 ? -errno : 0;
	return utimensat(root, rel(path), tv, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static void opened(struct fuse_file_info *fi, int fd)
{
	fi->fh = (uint64_t)fd;
	fi->direct_io = GET(k_direct_io) ? 1 : 0;
}

static int sd_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	if (is_control(path)) {
		fi->fh = 0;
		fi->direct_io = 1;
		return 0;
	}
	/* O_APPEND is the kernel's business (it sends the offsets); the backing fd needs none */
	fd = openat(root, rel(path), (fi->flags & ~(O_APPEND | O_NOFOLLOW)) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	opened(fi, fd);
	return 0;
}

static int sd_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(root, rel(path), (fi->flags & ~O_APPEND) | O_CREAT | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	opened(fi, fd);
	return 0;
}

static int sd_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	if (fi->fh)
		close((int)fi->fh);
	return 0;
}

static int sd_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	if (!fi->fh)
		return 0;
	return (datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) < 0 ? -errno : 0;
}

static int control_read(char *buf, size_t size, off_t off)
{
	char text[512];
	int n = snprintf(text, sizeof(text),
			 "reads %" PRIu64 " read_bytes %" PRIu64 " writes %" PRIu64
			 " write_bytes %" PRIu64 " cfr_calls %" PRIu64 " cfr_bytes %" PRIu64
			 " eintr %" PRIu64 " faults %" PRIu64 "\n",
			 GET(n_reads), GET(n_read_bytes), GET(n_writes), GET(n_write_bytes),
			 GET(n_cfr), GET(n_cfr_bytes), GET(n_eintr), GET(n_faults));

	if (off >= n)
		return 0;
	if ((size_t)(n - off) < size)
		size = (size_t)(n - off);
	memcpy(buf, text + off, size);
	return (int)size;
}

static int set_knob(const char *key, const char *val)
{
	static const char *const modes[] = {"ok", "eopnotsupp", "exdev", "enosys", "short"};
	char *end;
	long long v;

	if (!strcmp(key, "only")) {
		pthread_mutex_lock(&only_lock);
		snprintf(k_only, sizeof(k_only), "%s", strcmp(val, "-") ? val : "");
		pthread_mutex_unlock(&only_lock);
		return 0;
	}
	if (!strcmp(key, "cfr")) {
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(val, modes[i])) {
				SET(k_cfr, (int64_t)i);
				return 0;
			}
		return -EINVAL;
	}
	v = strtoll(val, &end, 0);
	if (end == val || *end)
		return -EINVAL;
	if (!strcmp(key, "cfr_max"))
		SET(k_cfr_max, v);
	else if (!strcmp(key, "eio_read"))
		SET(since_read, 0), SET(k_eio_read, v);
	else if (!strcmp(key, "eio_write"))
		SET(since_write, 0), SET(k_eio_write, v);
	else if (!strcmp(key, "eio_cfr"))
		SET(since_cfr, 0), SET(k_eio_cfr, v);
	else if (!strcmp(key, "enospc"))
		SET(since_bytes, 0), SET(k_enospc, v);
	else if (!strcmp(key, "short_read"))
		SET(k_short_read, v);
	else if (!strcmp(key, "direct_io"))
		SET(k_direct_io, v);
	else if (!strcmp(key, "slow"))
		SET(k_slow, v);
	else if (!strcmp(key, "flip"))
		SET(k_flip, v);
	else
		return -EINVAL;
	return 0;
}

static void reset(void)
{
	uint64_t *counters[] = {&n_reads, &n_read_bytes, &n_writes, &n_write_bytes,
				&n_cfr,	  &n_cfr_bytes,	 &n_eintr,  &n_faults};

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		SET(*counters[i], 0);
	SET(k_cfr, CFR_OK), SET(k_cfr_max, 4096), SET(k_eio_read, 0), SET(k_eio_write, 0);
	SET(k_eio_cfr, 0), SET(k_enospc, -1), SET(k_short_read, 0), SET(k_direct_io, 0);
	SET(k_slow, 0), SET(k_flip, -1);
	pthread_mutex_lock(&only_lock);
	k_only[0] = '\0';
	pthread_mutex_unlock(&only_lock);
}

/* One write of the control file: "KEY VALUE" lines. */
static int control_write(const char *buf, size_t size)
{
	char text[256], *line, *save = NULL;

	if (size >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[32], val[64];
		int r;

		if (!strcmp(line, "reset")) {
			reset();
			continue;
		}
		if (sscanf(line, "%31s %63s", key, val) != 2)
			return -EINVAL;
		r = set_knob(key, val);
		if (r)
			return r;
	}
	return (int)size;
}

static int sd_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	ssize_t n;
	int r;

	if (is_control(path))
		return control_read(buf, size, off);
	r = targeted(path) ? slow() : 0;
	if (r)
		return r;
	if (targeted(path) && nth_fails(GET(k_eio_read), &since_read))
		return -EIO;
	if (targeted(path) && GET(k_short_read) > 0 && size > (size_t)GET(k_short_read))
		size = (size_t)GET(k_short_read);
	n = pread((int)fi->fh, buf, size, off);
	if (n < 0)
		return -errno;
	ADD(n_reads, 1);
	ADD(n_read_bytes, (uint64_t)n);
	return (int)n;
}

static int sd_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n;
	int r;

	if (is_control(path))
		return control_write(buf, size);
	if (targeted(path)) {
		r = slow();
		if (r)
			return r;
		if (nth_fails(GET(k_eio_write), &since_write))
			return -EIO;
		size = quota(size);
		if (!size)
			return -ENOSPC;
	}
	n = pwrite((int)fi->fh, buf, size, off);
	if (n < 0)
		return -errno;
	if (targeted(path))
		flip_stored(path, off, (size_t)n);
	ADD(since_bytes, n);
	ADD(n_writes, 1);
	ADD(n_write_bytes, (uint64_t)n);
	return (int)n;
}

static ssize_t sd_copy_file_range(const char *path_in, struct fuse_file_info *fi_in, off_t off_in,
				  const char *path_out, struct fuse_file_info *fi_out,
				  off_t off_out, size_t len, int flags)
{
	int64_t mode = GET(k_cfr);
	loff_t i = off_in, o = off_out;
	ssize_t n;
	int r;

	ADD(n_cfr, 1);
	if (!targeted(path_in) && !targeted(path_out))
		mode = CFR_OK;
	if (mode == CFR_EOPNOTSUPP)
		return -EOPNOTSUPP;
	if (mode == CFR_EXDEV)
		return -EXDEV;
	if (mode == CFR_ENOSYS)
		return -ENOSYS;
	if (targeted(path_in) || targeted(path_out)) {
		r = slow();
		if (r)
			return r;
		if (nth_fails(GET(k_eio_cfr), &since_cfr))
			return -EIO;
		if (mode == CFR_SHORT && len > (size_t)GET(k_cfr_max))
			len = (size_t)GET(k_cfr_max);
		len = quota(len);
		if (!len)
			return -ENOSPC;
	}
	/* The server's own copy: within the backing filesystem, no data crosses the client. */
	n = copy_file_range((int)fi_in->fh, &i, (int)fi_out->fh, &o, len, (unsigned int)flags);
	if (n < 0)
		return -errno;
	if (targeted(path_out))
		flip_stored(path_out, off_out, (size_t)n);
	ADD(since_bytes, n);
	ADD(n_cfr_bytes, (uint64_t)n);
	return n;
}

static int sd_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
	(void)path;
	return fallocate((int)fi->fh, mode, off, len) < 0 ? -errno : 0;
}

static off_t sd_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
	off_t r;

	(void)path;
	r = lseek((int)fi->fh, off, whence);
	return r < 0 ? -errno : r;
}

static int sd_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return fstatvfs(root, st) < 0 ? -errno : 0;
}

static const struct fuse_operations ops = {
	.init = sd_init,
	.getattr = sd_getattr,
	.readdir = sd_readdir,
	.mkdir = sd_mkdir,
	.unlink = sd_unlink,
	.rmdir = sd_rmdir,
	.symlink = sd_symlink,
	.readlink = sd_readlink,
	.rename = sd_rename,
	.link = sd_link,
	.chmod = sd_chmod,
	.chown = sd_chown,
	.truncate = sd_truncate,
	.utimens = sd_utimens,
	.open = sd_open,
	.create = sd_create,
	.release = sd_release,
	.fsync = sd_fsync,
	.read = sd_read,
	.write = sd_write,
	.copy_file_range = sd_copy_file_range,
	.fallocate = sd_fallocate,
	.lseek = sd_lseek,
	.statfs = sd_statfs,
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sdfuse BACKING MOUNTPOINT [fuse options]\n");
		return 2;
	}
	root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		fprintf(stderr, "sdfuse: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* fuse_main sees: sdfuse MOUNTPOINT [options] */
	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &ops, NULL);
}
