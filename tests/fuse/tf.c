/* SPDX-License-Identifier: MIT */
/*
 * tf.c - mount sdfuse over a private tmpfs, talk to its control file, check bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tf.h"

#define FUSE_MAGIC 0x65735546

static pid_t server;
static char mnt_dir[128];
static pid_t owner;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Runs before t_mount's cleanup (atexit is last in, first out): FUSE first, then tmpfs. */
static void stop(void)
{
	int status;

	if (getpid() != owner || !server)
		return;
	/* libfuse unmounts on SIGTERM; a stuck server is killed and its mount detached */
	kill(server, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(server, &status, WNOHANG) == server)
			break;
		if (i == 199) {
			kill(server, SIGKILL);
			waitpid(server, &status, 0);
		}
		sleep_ms(10);
	}
	server = 0;
	(void)umount2(mnt_dir, MNT_DETACH);
}

static int mounted(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && (uint32_t)sfs.f_type == FUSE_MAGIC;
}

void tf_mount(struct tf *f, const char *opts)
{
	const char *prog = getenv("SD_FUSE_SERVER"), *top;
	char back[128], o[256];
	int status;

	t_require_root();
	if (!prog || access(prog, X_OK) < 0)
		t_skip("fuse", "no sdfuse server (SD_FUSE_SERVER)");
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		t_skip("fuse", "no /dev/fuse: %s", strerror(errno));
	if (server)
		t_broken("one sdfuse mount per test");
	top = t_mount(T_TMPFS, "512M");
	snprintf(back, sizeof(back), "%s/back", top);
	snprintf(mnt_dir, sizeof(mnt_dir), "%s/mnt", top);
	if (mkdir(back, 0755) < 0 || mkdir(mnt_dir, 0755) < 0)
		t_broken("mkdir in '%s': %s", top, strerror(errno));
	snprintf(o, sizeof(o), "fsname=sdfuse,subtype=sdfuse%s%s", opts ? "," : "",
		 opts ? opts : "");

	owner = getpid();
	atexit(stop);
	fflush(NULL);
	server = fork();
	if (server < 0)
		t_broken("fork: %s", strerror(errno));
	if (server == 0) {
		/* the server must not outlive the test, even a SIGKILLed one */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != owner)
			_exit(1);
		execl(prog, "sdfuse", back, mnt_dir, "-f", "-o", o, (char *)NULL);
		fprintf(stderr, "exec '%s': %s\n", prog, strerror(errno));
		_exit(127);
	}
	for (int i = 0; !mounted(mnt_dir); i++) {
		if (waitpid(server, &status, WNOHANG) == server) {
			server = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				t_broken("cannot run %s", prog);
			t_skip("fuse", "sdfuse did not mount (status %d)", status);
		}
		if (i > 1000)
			t_broken("sdfuse did not mount within 10 s");
		sleep_ms(10);
	}
	f->mnt = strdup(mnt_dir);
	f->back = strdup(back);
}

void tf_ctl(const struct tf *f, const char *fmt, ...)
{
	char *path = t_path(f->mnt, ".sdfuse"), buf[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = t_open(path, O_WRONLY, 0);
	if (write(fd, buf, (size_t)n) != n)
		t_broken("sdfuse refused '%s': %s", buf, strerror(errno));
	close(fd);
}

void tf_stats(const struct tf *f, struct tf_stats *s)
{
	char *path = t_path(f->mnt, ".sdfuse"), buf[512];
	int fd = t_open(path, O_RDONLY, 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		t_broken("read sdfuse counters: %s", n < 0 ? strerror(errno) : "empty");
	buf[n] = '\0';
	if (sscanf(buf,
		   "reads %" SCNu64 " read_bytes %" SCNu64 " writes %" SCNu64
		   " write_bytes %" SCNu64 " cfr_calls %" SCNu64 " cfr_bytes %" SCNu64
		   " eintr %" SCNu64 " faults %" SCNu64,
		   &s->reads, &s->read_bytes, &s->writes, &s->write_bytes, &s->cfr_calls,
		   &s->cfr_bytes, &s->eintr, &s->faults) != 8)
		t_broken("bad sdfuse counters '%s'", buf);
	close(fd);
}

void tf_stats_print(const char *what, const struct tf_stats *s)
{
	t_log("%s: server saw reads %" PRIu64 " (%" PRIu64 " B), writes %" PRIu64 " (%" PRIu64
	      " B), copy_file_range %" PRIu64 " (%" PRIu64 " B), eintr %" PRIu64
	      ", faults %" PRIu64,
	      what, s->reads, s->read_bytes, s->writes, s->write_bytes, s->cfr_calls, s->cfr_bytes,
	      s->eintr, s->faults);
}

char *tf_mnt(const struct tf *f, const char *name)
{
	return t_path(f->mnt, name);
}

char *tf_back(const struct tf *f, const char *name)
{
	return t_path(f->back, name);
}

uint64_t tf_make(const struct tf *f, const char *name, uint64_t size, int holes)
{
	char *path = tf_back(f, name);
	int fd = t_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (uint64_t off = 0; off < size; off += 1u << 20) {
		uint64_t n = size - off < (1u << 20) ? size - off : (1u << 20);

		if (!holes || (off >> 20) % 2 == 0)
			t_fill_random(fd, off, n);
	}
	if (ftruncate(fd, (off_t)size) < 0)
		t_broken("ftruncate '%s': %s", path, strerror(errno));
	close(fd);
	uint64_t sum = tf_sum(path, 0, UINT64_MAX);
	return sum;
}

uint64_t tf_sum(const char *path, uint64_t off, uint64_t len)
{
	static unsigned char buf[1 << 16];
	uint64_t h = 0xcbf29ce484222325ull;
	int fd = t_open(path, O_RDONLY, 0);
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len < sizeof(buf) ? len : sizeof(buf), (off_t)off);
		if (n < 0)
			t_broken("read '%s': %s", path, strerror(errno));
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		off += (uint64_t)n, len -= (uint64_t)n;
	}
	close(fd);
	return h;
}

uint64_t tf_path_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		t_broken("stat '%s': %s", path, strerror(errno));
	return (uint64_t)st.st_size;
}

pid_t tf_sdcp_start(const struct tf *f, const char *const *args)
{
	const char *prog = getenv("SDCP");
	const char *argv[16] = {"sdcp"};
	char *log = tf_back(f, "sdcp.log");
	int n = 1;
	pid_t pid;

	if (!prog)
		t_broken("SDCP must name the sdcp binary");
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		t_broken("fork: %m");
	if (pid == 0) {
		sigset_t none;
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* as from a terminal: the signals at their defaults, whatever the runner set */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fd, 1), dup2(fd, 2);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	return pid;
}
