// SPDX-License-Identifier: MIT
/*
 * sdlib_bench SRC_DIR DST_DIR MB - time one copy of an MB MiB file four ways: the native call
 * alone (a loop of splice(SPLICE_F_DIRECT)), the library on this kernel (native path), the
 * library on the path an unpatched kernel gives it (its first splice(SPLICE_F_DIRECT) refused
 * as in sdtrace.h, then the tracer lets go), and busybox cp. Each time includes fsync of the
 * destination; neither file is in the page cache at the start. Prints "note bench[...]: WAY SECONDS s MB/s (methods)" lines, and checks that
 * each copy has the source's size and bytes at sampled places.
 */
#include "sdtest.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>

#include "splicedirect.h"
#include "sdtrace.h"

struct shared {
	double seconds;
	ssize_t ret;
	struct splice_direct_stats st;
};

static const char *src, *dst, *src_dir, *dst_dir;
static uint64_t size;
static struct shared *sh;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Unmount and mount again the file system mounted at dir: its page cache is gone. */
static void remount(const char *dir)
{
	char dev[256], mnt[256], type[32];
	FILE *f = fopen("/proc/self/mounts", "r");
	int found = 0;

	if (!f)
		broken("/proc/self/mounts");
	while (!found && fscanf(f, "%255s %255s %31s %*[^\n]", dev, mnt, type) == 3)
		found = !strcmp(mnt, dir);
	fclose(f);
	if (!found)
		broken("%s is not a mount point", dir);
	if (!strcmp(type, "tmpfs"))
		return; /* its page cache is the file */
	if (umount(dir) || mount(dev, dir, type, 0, NULL))
		broken("remounting %s", dir);
}

/*
 * Start each way with nothing of either file in the guest's page cache: this kernel has
 * neither drop_caches (no sysctl) nor posix_fadvise (no ADVISE_SYSCALLS), so the two file
 * systems are mounted again. What the host caches of the images is alike for all ways.
 */
static void uncache(void)
{
	sync();
	remount(src_dir);
	if (strcmp(src_dir, dst_dir))
		remount(dst_dir);
}

static int open_pair(int *in, int *out)
{
	*in = open(src, O_RDONLY);
	*out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	return *in < 0 || *out < 0 ? -1 : 0;
}

/* The copy is timed up to its fsync; 99 if that fails (a broken bench, not a result). */
static int finish(int in, int out, double t)
{
	int r = fsync(out) ? 99 : 0;

	sh->seconds = now() - t;
	close(in);
	close(out);
	return r;
}

static int lib_copy(void *arg)
{
	int in, out;
	double t;

	(void)arg;
	if (open_pair(&in, &out))
		return 99;
	memset(&sh->st, 0, sizeof(sh->st));
	t = now();
	sh->ret = splice_direct_ex(in, NULL, out, NULL, SIZE_MAX, 0, &sh->st);
	return finish(in, out, t);
}

static int native_copy(void)
{
	loff_t oi = 0, oo = 0;
	int in, out;
	double t;

	if (open_pair(&in, &out))
		return 99;
	t = now();
	sh->ret = 0;
	for (;;) {
		ssize_t r = sd_splice(in, &oi, out, &oo, size - oi, SPLICE_F_DIRECT);

		if (r <= 0) {
			if (r < 0)
				sh->ret = -1;
			break;
		}
		sh->ret += r;
	}
	return finish(in, out, t);
}

static int cp_copy(void)
{
	double t = now();
	pid_t pid = fork();
	int status, out;

	if (pid == 0) {
		execl("/bin/cp", "cp", src, dst, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 99;
	out = open(dst, O_WRONLY);
	if (out < 0 || fsync(out))
		return 99;
	sh->seconds = now() - t;
	sh->ret = (ssize_t)size;
	close(out);
	return 0;
}

/* Size, and 64 KiB at 16 places: a full compare would cost more than the copy under TCG. */
static int same_sampled(void)
{
	int a = open(src, O_RDONLY), b = open(dst, O_RDONLY);
	int ok = a >= 0 && b >= 0 && sd_size(a) == sd_size(b);

	for (int i = 0; ok && i < 16; i++) {
		uint64_t off = (size - 65536) / 15 * i;

		ok = sd_cmp(a, off, b, off, 65536) < 0;
	}
	close(a);
	close(b);
	return ok;
}

static void make_source(void)
{
	static unsigned char buf[1 << 20];
	int fd;

	fd = open(src, O_RDONLY);
	if (fd >= 0 && (uint64_t)sd_size(fd) == size) {
		close(fd); /* made for an earlier pair */
		return;
	}
	if (fd >= 0)
		close(fd);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		broken("open %s", src);
	/* One pattern MiB, stamped per MiB: user-space byte loops are slow under TCG. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = sd_byte(3, i);
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		memcpy(buf, &off, sizeof(off));
		if (pwrite(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf))
			broken("writing %s", src);
	}
	if (fsync(fd))
		broken("fsync %s", src);
	close(fd);
}

static int lib_native(void)
{
	struct sd_calls c;
	int st = sd_traced(lib_copy, NULL, 0, 0, &c) ? 99 : c.exit_status;

	return !st && sh->st.bytes[SPLICE_DIRECT_NATIVE] != size ? 1 : st;
}

/* The first splice(SPLICE_F_DIRECT) refused, then untraced: an unpatched kernel's path. */
static int lib_unpatched(void)
{
	struct sd_calls c;
	int st = sd_traced(lib_copy, NULL, 1, 1, &c) ? 99 : c.exit_status;

	return !st && sh->st.bytes[SPLICE_DIRECT_NATIVE] ? 1 : st;
}

static const struct way {
	const char *name;
	int (*copy)(void);
} ways[] = {
	{"native-call", native_copy},
	{"lib-native", lib_native},
	{"lib-unpatched", lib_unpatched},
	{"busybox-cp", cp_copy},
};
#define NWAYS  (sizeof(ways) / sizeof(ways[0]))
#define ROUNDS 2

/* Run one way, check and report it; returns its seconds, or -1. */
static double run_way(const struct way *w, int round)
{
	char name[64];
	int status;

	memset(sh, 0, sizeof(*sh));
	status = w->copy();
	snprintf(name, sizeof(name), "%s-%lluM-%d", w->name, (unsigned long long)(size >> 20),
		 round + 1);
	if (status || sh->ret != (ssize_t)size || !same_sampled()) {
		fail(name, "status %d, copied %zd of %llu bytes, or the copy differs", status,
		     sh->ret, (unsigned long long)size);
		unlink(dst);
		uncache();
		return -1;
	}
	printf("note bench[%s]: %-14s round %d %9.3f s %8.1f MB/s (", getenv("SD_TAG"), w->name,
	       round + 1, sh->seconds, size / 1048576.0 / sh->seconds);
	for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		if (sh->st.bytes[m])
			printf(" %s %llu", splice_direct_method_name(m),
			       (unsigned long long)sh->st.bytes[m]);
	printf(" )\n");
	pass(name);
	unlink(dst);
	uncache();
	return sh->seconds;
}

int main(int argc, char **argv)
{
	double t[NWAYS][ROUNDS];

	if (argc != 4) {
		fprintf(stderr, "usage: sdlib_bench SRC_DIR DST_DIR MB\n");
		return 2;
	}
	sd_prog = "bench";
	size = strtoull(argv[3], NULL, 10) << 20;
	src_dir = argv[1];
	dst_dir = argv[2];
	src = strdup(sd_path(argv[1], "bench-src"));
	dst = strdup(sd_path(argv[2], "bench-dst"));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		broken("mmap");
	make_source();
	uncache();
	/* Two rounds, the second in reverse order: under TCG on a shared host the noise is
	 * large, and whatever the order costs falls on each way once. */
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < NWAYS; i++) {
			size_t w = r % 2 ? NWAYS - 1 - i : i;

			t[w][r] = run_way(&ways[w], r);
		}
	for (size_t w = 0; w < NWAYS; w++)
		printf("note bench[%s]: summary %-14s %9.3f s %9.3f s\n", getenv("SD_TAG"),
		       ways[w].name, t[w][0], t[w][1]);
	return sd_exit();
}
