/* SPDX-License-Identifier: MIT */
/*
 * t-mount.c - private loop-device filesystems that never outlive the test.
 *
 * Three layers of cleanup, because a stuck mount or loop device breaks every later run:
 * atexit and SIGINT/SIGTERM/SIGHUP handlers unmount, detach and remove; the loop device is
 * set to autoclear, so that the last unmount detaches it; and the mounts live in a private
 * mount namespace, so that even a SIGKILLed test takes its mounts (and loops) with it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "t.h"

#define MAX_MOUNTS 8

struct t_mnt {
	char tmp[64];  /* the private mkdtemp folder */
	char dir[80];  /* tmp/mnt */
	char img[80];  /* tmp/img, removed once attached */
	char loop[32]; /* /dev/loopN, empty for tmpfs */
	dev_t img_dev; /* the image's identity: detach only a loop device backed by it */
	ino_t img_ino;
	int mounted;
};

static struct t_mnt mnts[MAX_MOUNTS];
static volatile sig_atomic_t nmnts;
static pid_t owner;

/* Async-signal-safe: only syscalls. Runs at exit and from the signal handlers. */
static void cleanup(void)
{
	if (getpid() != owner)
		return; /* a forked child must not tear down its parent's mounts */
	for (int i = nmnts - 1; i >= 0; i--) {
		struct t_mnt *m = &mnts[i];

		/* Lazy: fds still open at exit would make a plain umount fail with EBUSY. */
		if (m->mounted && umount2(m->dir, MNT_DETACH) == 0)
			m->mounted = 0;
		if (m->loop[0]) {
			int fd = open(m->loop, O_RDONLY | O_CLOEXEC);

			/* Autoclear does this at the last unmount; a failure before the mount
			 * needs it. The device may have autocleared and been taken by another
			 * test meanwhile: touch it only while it is still backed by our image. */
			if (fd >= 0) {
				struct loop_info64 li;

				if (ioctl(fd, LOOP_GET_STATUS64, &li) == 0 &&
				    li.lo_inode == m->img_ino && li.lo_device == m->img_dev)
					(void)ioctl(fd, LOOP_CLR_FD, 0);
				close(fd);
			}
			m->loop[0] = '\0';
		}
		(void)unlink(m->img);
		(void)rmdir(m->dir);
		(void)rmdir(m->tmp);
	}
	nmnts = 0;
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A test killed by SIGKILL (a runner's timeout) cannot clean up: its mounts die with its
 * namespace, but its empty folder stays. The folder names carry the pid: remove what the
 * dead left behind (rmdir only removes empty folders; the image is unlinked once attached).
 */
static void sweep_stale(void)
{
	DIR *d = opendir("/var/tmp");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[320];
		long pid;

		if (sscanf(e->d_name, "sdtest.%ld.", &pid) != 1 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/var/tmp/%s/img", e->d_name);
		(void)unlink(path);
		snprintf(path, sizeof(path), "/var/tmp/%s/mnt", e->d_name);
		(void)rmdir(path);
		snprintf(path, sizeof(path), "/var/tmp/%s", e->d_name);
		(void)rmdir(path);
	}
	closedir(d);
}

static void setup_cleanup(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	if (owner)
		return;
	owner = getpid();
	sweep_stale();
	atexit(cleanup);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = {.sa_handler = on_signal};

		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
	/* Our mounts are nobody else's business, and die with us. */
	if (unshare(CLONE_NEWNS) < 0)
		t_broken("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		t_broken("make / private: %s", strerror(errno));
}

/* Run argv quietly; returns the exit status, or -1 if it could not run. */
static int run(char *const argv[], char *out, size_t outsz)
{
	int pfd[2];
	pid_t pid;
	int status;
	size_t got = 0;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		t_broken("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		t_broken("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(out ? null : pfd[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char junk[256];
		ssize_t r;

		if (out && got + 1 < outsz)
			r = read(pfd[0], out + got, outsz - 1 - got);
		else
			r = read(pfd[0], junk, sizeof(junk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out && got + 1 < outsz)
			got += (size_t)r;
	}
	close(pfd[0]);
	if (out)
		out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int have_program(const char *name)
{
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
	char p[128];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dirs[i], name);
		if (access(p, X_OK) == 0)
			return 1;
	}
	return 0;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
	}
	return v;
}

static void mkfs(enum t_fs fs, const char *img, const char *tmp)
{
	char *btrfs[] = {"mkfs.btrfs", "-q", "-f", (char *)img, NULL};
	char *xfs[] = {"mkfs.xfs", "-q", "-f", (char *)img, NULL};
	/* 4 KiB blocks as on the other filesystems, so that hole maps compare; small images
	 * would get 1 KiB blocks otherwise. No journal: faster, and not what we test. */
	char *ext4[] = {"mkfs.ext4", "-q",	     "-F",	  "-b", "4096",
			"-O",	     "^has_journal", (char *)img, NULL};
	char *const *argv = fs == T_BTRFS ? btrfs : fs == T_XFS ? xfs : ext4;
	char out[512];
	int rc;

	if (!have_program(argv[0])) {
		(void)rmdir(tmp);
		t_skip(t_fs_name(fs), "%s not installed", argv[0]);
	}
	rc = run(argv, out, sizeof(out));
	if (rc != 0)
		t_broken("%s failed (%d): %s", argv[0], rc, out);
}

static void attach(struct t_mnt *m)
{
	char *argv[] = {"losetup", "-f", "--show", m->img, NULL};
	int rc = run(argv, m->loop, sizeof(m->loop));
	char *nl = strchr(m->loop, '\n');

	if (nl)
		*nl = '\0';
	if (rc != 0 || strncmp(m->loop, "/dev/loop", 9) != 0) {
		m->loop[0] = '\0';
		t_skip("loop", "losetup -f --show failed (%d)", rc);
	}
}

const char *t_mount(enum t_fs fs, const char *size)
{
	struct t_mnt *m;
	int lfd = -1;
	const char *type = t_fs_name(fs);
	char opts[64] = "";

	t_require_root();
	setup_cleanup();
	if (nmnts >= MAX_MOUNTS)
		t_broken("too many mounts");
	m = &mnts[nmnts];
	memset(m, 0, sizeof(*m));
	if (!size)
		size = fs == T_EXT4    ? "128M"
		       : fs == T_TMPFS ? "256M"
		       : fs == T_BTRFS ? "1G"
				       : "300M";
	char tmp[sizeof(m->tmp)];
	snprintf(tmp, sizeof(tmp), "/var/tmp/sdtest.%ld.XXXXXX", (long)getpid());
	if (!mkdtemp(tmp))
		t_broken("mkdtemp: %s", strerror(errno));
	memcpy(m->tmp, tmp, sizeof(tmp));
	snprintf(m->dir, sizeof(m->dir), "%s/mnt", tmp);
	snprintf(m->img, sizeof(m->img), "%s/img", tmp);
	nmnts++; /* from here on, cleanup knows this entry */
	if (mkdir(m->dir, 0755) < 0)
		t_broken("mkdir '%s': %s", m->dir, strerror(errno));

	if (fs == T_TMPFS) {
		snprintf(opts, sizeof(opts), "size=%s", size);
		if (mount("sdtest", m->dir, "tmpfs", 0, opts) < 0)
			t_broken("mount tmpfs: %s", strerror(errno));
		m->mounted = 1;
		return m->dir;
	}

	/* A sparse image: xfsprogs 6.1 wants >= 300 MB, but only what is written costs. */
	int ifd = t_open(m->img, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (ftruncate(ifd, (off_t)parse_size(size)) < 0)
		t_broken("ftruncate image: %s", strerror(errno));
	struct stat st;
	if (fstat(ifd, &st) < 0)
		t_broken("fstat image: %s", strerror(errno));
	m->img_dev = st.st_dev;
	m->img_ino = st.st_ino;
	close(ifd);
	mkfs(fs, m->img, m->tmp);
	attach(m);

	/* Autoclear: the loop device detaches itself at the last unmount. Hold it open until
	 * mounted, or autoclear would detach it at once. */
	lfd = open(m->loop, O_RDWR | O_CLOEXEC);
	if (lfd >= 0) {
		struct loop_info64 li;

		if (ioctl(lfd, LOOP_GET_STATUS64, &li) == 0) {
			li.lo_flags |= LO_FLAGS_AUTOCLEAR;
			(void)ioctl(lfd, LOOP_SET_STATUS64, &li);
		}
	}
	if (mount(m->loop, m->dir, type, 0, NULL) < 0) {
		int e = errno;

		if (lfd >= 0)
			close(lfd);
		if (e == ENODEV)
			t_skip(type, "the kernel has no %s", type);
		t_broken("mount %s %s: %s", type, m->loop, strerror(e));
	}
	m->mounted = 1;
	if (lfd >= 0)
		close(lfd);
	/* The loop device holds the image open: its name is no longer needed. */
	(void)unlink(m->img);
	return m->dir;
}

static enum t_fs arg_in, arg_out;
static int arg_same;

void t_mount_args(int argc, char **argv, const char **in, const char **out)
{
	if (argc < 2)
		t_broken("usage: %s FS [FS2]", argv[0]);
	arg_in = t_fs_parse(argv[1]);
	arg_out = argc > 2 ? t_fs_parse(argv[2]) : arg_in;
	arg_same = argc <= 2;
	*in = t_mount(arg_in, NULL);
	*out = arg_same ? *in : t_mount(arg_out, NULL);
}

enum t_fs t_arg_fs_in(void)
{
	return arg_in;
}

enum t_fs t_arg_fs_out(void)
{
	return arg_out;
}

int t_arg_same_fs(void)
{
	return arg_same;
}

int t_kernel_native(void)
{
	static int known = -1;
	loff_t a = 0, b = 0;
	int m;

	if (known >= 0)
		return known;
	/* an empty file: a kernel with SPLICE_F_DIRECT copies nothing and returns 0, others EINVAL */
	m = (int)syscall(SYS_memfd_create, "t-native", 0);
	known = m >= 0 && syscall(SYS_splice, m, &a, m, &b, 1, SPLICE_F_DIRECT) == 0;
	if (m >= 0)
		close(m);
	return known;
}

unsigned int t_expected_method(void)
{
	if (t_kernel_native())
		return SPLICE_DIRECT_NATIVE;
	if (!arg_same)
		return SPLICE_DIRECT_PIPE;
	if (arg_in == T_BTRFS || arg_in == T_XFS)
		return SPLICE_DIRECT_CLONE;
	return SPLICE_DIRECT_OFFLOAD;
}
