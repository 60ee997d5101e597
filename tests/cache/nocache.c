// SPDX-License-Identifier: MIT
/*
 * nocache MODE FS [FS2]: SPLICE_F_NOCACHE (with SPLICE_F_NOCLONE) leaves the page cache as it
 * was; with FS2, copying from a file on FS to one on FS2 (the pipe method for tmpfs -> ext4).
 *
 * MODE cold     the source is not cached: after the copy neither file has pages cached
 *               (within 1% of the file), and the data is identical.
 * MODE warm     the source is wholly cached: it still is, and the copy is not.
 * MODE partial  every other MiB of the source is cached: exactly those pages still are.
 * MODE small    a 1 MiB file (buffered methods in windows, not direct I/O): nothing cached.
 * MODE nouring  io_uring_setup fails (seccomp, ENOSYS): direct I/O without a ring, same result.
 * MODE uringperm io_uring_setup fails with EPERM, as with kernel.io_uring_disabled: the same.
 * MODE noenter  io_uring_setup works but io_uring_enter fails (EPERM): the same.
 * MODE nodirect open with O_DIRECT fails (seccomp, EINVAL): buffered windows, same result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef T_HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "t.h"

#define MIB (1024ull * 1024)

struct cs {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* cachestat(2) of [off, off + len) of fd; len 0: to the end. */
static struct cs page_stat(int fd, uint64_t off, uint64_t len)
{
	struct {
		uint64_t off, len;
	} range = {off, len};
	struct cs cs;

	if (syscall(451, fd, &range, &cs, 0) < 0)
		t_skip(NULL, "cachestat(2) not available: %s", strerror(errno));
	return cs;
}

static uint64_t cached_pages(int fd)
{
	return page_stat(fd, 0, 0).nr_cache;
}

/* Evict fd's pages: write back, then drop. */
static void evict(int fd)
{
	T_CHECK(fdatasync(fd) == 0, "fdatasync: %s", strerror(errno));
	T_CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "fadvise");
}

/*
 * Bring [off, off + len) of fd into the cache, and no more: without readahead (btrfs reads
 * ahead 4 MiB), whose pages could still be in flight when the test looks (mincore counts
 * only pages read) and read when the library looks a moment later.
 */
static void touch(int fd, uint64_t off, uint64_t len)
{
	char *buf = malloc(MIB);

	T_CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) == 0, "fadvise RANDOM");
	for (uint64_t o = off; o < off + len; o += MIB)
		T_CHECK(pread(fd, buf, MIB, (off_t)o) > 0, "pread");
	T_CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL) == 0, "fadvise NORMAL");
	free(buf);
}

/* Which pages of fd (size bytes) are cached. */
static unsigned char *residency(int fd, uint64_t size)
{
	unsigned char *vec = calloc(size / 4096 + 1, 1);
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED || mincore(map, size, vec) < 0)
		t_broken("mincore: %s", strerror(errno));
	munmap(map, size);
	return vec;
}

/* The modes in which a seccomp filter makes io_uring fail: which call, with which errno. */
struct fault {
	const char *mode;
	int nr, err;
};

#ifdef T_HAVE_SECCOMP
#define NR(name) SCMP_SYS(name)
#else
#define NR(name) 0 /* these modes skip before using it */
#endif

static const struct fault *fault_of(const char *mode)
{
	static const struct fault faults[] = {
		{"nouring", NR(io_uring_setup), ENOSYS},
		{"uringperm", NR(io_uring_setup), EPERM},
		{"noenter", NR(io_uring_enter), EPERM},
	};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (strcmp(mode, faults[i].mode) == 0)
			return &faults[i];
	return NULL;
}

#ifdef T_HAVE_SECCOMP
/* openat with O_DIRECT in its flags fails with EINVAL, as on a filesystem without it. */
static void refuse_odirect(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(openat), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, O_DIRECT, O_DIRECT)) < 0 ||
	    seccomp_load(ctx) < 0)
		t_broken("seccomp filter for O_DIRECT");
	seccomp_release(ctx);
}
#endif

int main(int argc, char **argv)
{
	struct splice_direct_stats st = {0};
	const char *dir, *dir_out, *mode = argc > 1 ? argv[1] : "";
	uint64_t size = strcmp(mode, "small") == 0 ? MIB : 32 * MIB, pages = size / 4096;
	const struct fault *fault = fault_of(mode);
	unsigned char *before = NULL, *after;
	loff_t off_in = 0, off_out = 0;
	int in, out;
	ssize_t n;

	t_require_root();
	if (argc < 3)
		t_broken("usage: nocache MODE FS [FS2]");
	t_mount_args(argc - 1, argv + 1, &dir, &dir_out);
	in = t_make_file(t_path(dir, "src"), size, 0);
	out = t_open(t_path(dir_out, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	evict(in);

	if (strcmp(mode, "warm") == 0) {
		touch(in, 0, size);
	} else if (strcmp(mode, "partial") == 0) {
		for (uint64_t o = 0; o < size; o += 2 * MIB)
			touch(in, o, MIB);
	} else if (fault || strcmp(mode, "nodirect") == 0) {
#ifdef T_HAVE_SECCOMP
		if (fault)
			t_fault(fault->nr, fault->err);
		else
			refuse_odirect();
#else
		t_skip("seccomp", "built without libseccomp");
#endif
	}
	before = residency(in, size);

	n = splice_direct_ex(in, &off_in, out, &off_out, size, SPLICE_F_NOCLONE | SPLICE_F_NOCACHE,
			     &st);
	T_CHECK(n == (ssize_t)size, "copied %zd of %llu bytes: %s", n, (unsigned long long)size,
		n < 0 ? strerror(errno) : "short");
	t_log("directio %llu, offload %llu, pipe %llu, rw %llu bytes; cached after: src %llu, dst "
	      "%llu of %llu pages",
	      (unsigned long long)st.bytes[SPLICE_DIRECT_DIRECTIO],
	      (unsigned long long)st.bytes[SPLICE_DIRECT_OFFLOAD],
	      (unsigned long long)st.bytes[SPLICE_DIRECT_PIPE],
	      (unsigned long long)st.bytes[SPLICE_DIRECT_RW], (unsigned long long)cached_pages(in),
	      (unsigned long long)cached_pages(out), (unsigned long long)pages);

	/* The destination: written back and dropped (within 1%). */
	T_CHECK(cached_pages(out) <= pages / 100, "destination has %llu of %llu pages cached",
		(unsigned long long)cached_pages(out), (unsigned long long)pages);
	/*
	 * The source: what was cached stays cached, page by page; what was not is dropped, but
	 * for a few pages: under load btrfs sometimes reads a direct read's pages through its
	 * page cache, and readahead still in flight when the window is dropped keeps its pages
	 * (posix_fadvise skips locked pages). Seen: 3 pages of 8192 in some tens of loaded runs.
	 * A cached page the kernel reclaimed under memory pressure meanwhile is not the copy's
	 * doing: reclaim leaves a shadow entry (cachestat's nr_evicted), posix_fadvise does not.
	 */
	after = residency(in, size);
	uint64_t kept_new = 0, lost_old = 0, reclaimed = 0, was = 0;

	for (uint64_t p = 0; p < pages; p++) {
		was += before[p] & 1;
		if ((before[p] & 1) && !(after[p] & 1)) {
			if (page_stat(in, p * 4096, 4096).nr_evicted) {
				reclaimed++;
				continue;
			}
			if (lost_old++ < 3)
				T_CHECK(0, "source page %llu was cached before and is not now",
					(unsigned long long)p);
		}
		kept_new += !(before[p] & 1) && (after[p] & 1);
	}
	t_log("source pages cached before %llu, since reclaimed by the kernel %llu, dropped %llu, "
	      "brought in and kept %llu",
	      (unsigned long long)was, (unsigned long long)reclaimed, (unsigned long long)lost_old,
	      (unsigned long long)kept_new);
	T_CHECK(kept_new <= pages / 256, "%llu of %llu source pages brought in were kept",
		(unsigned long long)kept_new, (unsigned long long)pages);
	if (strcmp(mode, "small") == 0 || strcmp(mode, "nodirect") == 0)
		T_CHECK(st.bytes[SPLICE_DIRECT_DIRECTIO] == 0,
			"direct I/O used where it cannot be");
	else if (t_arg_fs_in() != T_TMPFS && t_arg_fs_out() != T_TMPFS)
		T_CHECK(st.bytes[SPLICE_DIRECT_DIRECTIO] >= size / 2, "direct I/O moved %llu bytes",
			(unsigned long long)st.bytes[SPLICE_DIRECT_DIRECTIO]);
#ifdef T_HAVE_SECCOMP
	/* the fault was met, not stepped around */
	if (strcmp(mode, "noenter") == 0)
		T_CHECK(t_fault_hits(SCMP_SYS(io_uring_enter), 0) > 0,
			"io_uring_enter never called");
	if (strcmp(mode, "uringperm") == 0)
		T_CHECK(t_fault_hits(SCMP_SYS(io_uring_setup), 0) > 0,
			"io_uring_setup never called");
#endif
	T_CHECK(t_same_file(in, out), "the copy differs from the source");
	free(before);
	free(after);
	t_done();
}
