/* SPDX-License-Identifier: MIT */
/*
 * t.h - the test fixture: loop-device filesystems, proofs of sharing and holes, seccomp faults.
 *
 * Modelled on xfstests' common/reflink: a test asks for what it needs (t_mount, t_require_*),
 * and the fixture either provides it or ends the test with "skip: reason" (exit 77). When
 * SD_TEST_REQUIRE names the prerequisite (e.g. "btrfs xfs ext4 seccomp"), the skip is a failure.
 *
 * Exit codes: 0 pass, 1 fail, 77 skip, 99 the fixture itself broke.
 */
#ifndef T_H
#define T_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "splicedirect.h"

#define T_PASS	 0
#define T_FAIL	 1
#define T_SKIP	 77
#define T_BROKEN 99

enum t_fs { T_EXT4, T_BTRFS, T_XFS, T_TMPFS, T_NFS_TYPES };

/* Print "skip: ..." and exit 77, or 1 when SD_TEST_REQUIRE names the word need (may be NULL). */
void t_skip(const char *need, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "FAIL: ..." and exit 1. */
void t_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "BROKEN: ..." and exit 99: the fixture could not do its job. */
void t_broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print a diagnostic line (to stdout, so Meson's log shows it in order). */
void t_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Check cond; on failure print where and why and count the failure (t_done() then exits 1). */
#define T_CHECK(cond, ...) t_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
void t_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Number of failed checks so far. */
int t_failures(void);
/* Exit 0 when no check failed, 1 otherwise. */
void t_done(void) __attribute__((noreturn));

/* Root and friends. */
void t_require_root(void);

/* Parse "ext4", "btrfs", "xfs", "tmpfs"; broken on anything else. */
enum t_fs t_fs_parse(const char *name);
const char *t_fs_name(enum t_fs fs);

/*
 * Mount a fresh filesystem of the given type and size ("300M"; NULL for the default) in a
 * private mkdtemp folder under /var/tmp, on its own loop device, and return the mount point.
 * Cleanup (unmount, detach, remove) runs at exit and on SIGINT/SIGTERM/SIGHUP; the first call
 * also moves the process into a private mount namespace, so a SIGKILLed test leaves no mount
 * behind, and the loop device is set to autoclear. Call it before starting threads.
 */
const char *t_mount(enum t_fs fs, const char *size);

/*
 * Tests take their filesystems from argv: "FS" (one filesystem) or "FS1 FS2" (two mounts,
 * also when both name the same type). Mounts them and sets *in and *out (equal for one).
 */
void t_mount_args(int argc, char **argv, const char **in, const char **out);
/* The filesystem types of the last t_mount_args(), and whether in and out are one mount. */
enum t_fs t_arg_fs_in(void);
enum t_fs t_arg_fs_out(void);
int t_arg_same_fs(void);
/*
 * The method the issue expects to move the data between the t_mount_args() filesystems:
 * clone within btrfs / xfs, offload within ext4 / tmpfs, pipe between two mounts.
 */
unsigned int t_expected_method(void);
/* 1 when the running kernel has splice(SPLICE_F_DIRECT) (kernel/patches): then it is native. */
int t_kernel_native(void);

/* Skip unless two files in dir can share extents (probed by cloning 64 KiB). */
void t_require_reflink(const char *dir);

/* FIEMAP: how many data extents are shared. */
#define T_SHARED_NONE 0
#define T_SHARED_SOME 1
#define T_SHARED_ALL  2
/* Returns T_SHARED_NONE / SOME / ALL (ALL also for a file without extents), broken on error. */
int t_extents_shared(int fd);
/* The same, for extents overlapping [off, off + len). */
int t_extents_shared_range(int fd, uint64_t off, uint64_t len);
/*
 * Call fn for every extent FIEMAP reports in [off, off + len), with FIEMAP flags (0 or
 * FIEMAP_FLAG_SYNC). struct fiemap_extent is <linux/fiemap.h>'s.
 */
struct fiemap_extent;
void t_fiemap_each(int fd, uint64_t off, uint64_t len, unsigned int flags,
		   void (*fn)(const struct fiemap_extent *e, void *arg), void *arg);

/*
 * SEEK_DATA/SEEK_HOLE: 1 when [off_a, off_a + len) of a and [off_b, off_b + len) of b have
 * their data at the same places (relative to the start), 0 otherwise (the first difference is
 * printed). len UINT64_MAX: up to the larger end of file.
 */
int t_same_data_map_range(int a, uint64_t off_a, int b, uint64_t off_b, uint64_t len);
int t_same_data_map(int fd_a, int fd_b);

/* Bytes of data (SEEK_DATA/SEEK_HOLE) in [0, st_size). */
uint64_t t_data_bytes(int fd);

/* 1 when the byte ranges hold the same bytes, 0 otherwise (first difference printed). */
int t_same_bytes(int a, uint64_t off_a, int b, uint64_t off_b, uint64_t len);
/*
 * Whether t_same_bytes() drops the pages it read from the cache (default 1): reading holes
 * over xfs's preallocated extents leaves pages that SEEK_DATA reports as data. Costs
 * write-back; tests that never check hole maps may turn it off.
 */
extern int t_compare_drops_cache;
/* 1 when both files have the same size and bytes. */
int t_same_file(int a, int b);
/* 1 when [off, off + len) reads as zeros (or past EOF). */
int t_zeros(int fd, uint64_t off, uint64_t len);

/* Deterministic pseudo-random numbers (xorshift), seeded by t_seed(). */
uint64_t t_seed(void); /* from SD_TEST_SEED, or the time; printed once */
uint64_t t_rand(void);
uint64_t t_rand_below(uint64_t n);

/* Write len random bytes at off. */
void t_fill_random(int fd, uint64_t off, uint64_t len);
/*
 * Create path with size bytes: data segments of random bytes, separated by holes where
 * holes != 0 (the pattern: data, hole, data, ..., all 64 KiB aligned). Returns an O_RDWR fd.
 */
int t_make_file(const char *path, uint64_t size, int holes);
/* open(2) that breaks the test on failure. */
int t_open(const char *path, int flags, mode_t mode);
/* dir/name, in memory that lives until exit (a static buffer per call would bite). */
char *t_path(const char *dir, const char *name);

/* statvfs: bytes available to root (f_bfree * f_frsize), after syncfs(). */
uint64_t t_free_bytes(const char *dir);
/* st_blocks * 512 and st_size. */
uint64_t t_alloc_bytes(int fd);
uint64_t t_size(int fd);

/*
 * Faults from outside the library: after this call every syscall nr (SCMP_SYS(...)) fails
 * with err, and is counted. t_fault_ioctl does the same for one ioctl request (FICLONERANGE).
 * Install after mounting: the filter is inherited by mkfs and losetup. Skips when seccomp is
 * not available (word "seccomp").
 */
void t_fault(int nr, int err);
void t_fault_ioctl(unsigned long request, int err);
/* How often the faulted syscall (or ioctl request, for nr == -1) was refused so far. */
unsigned long t_fault_hits(int nr, unsigned long request);

/*
 * Call the kernel's copy_file_range(2) and then splice_direct() with the same arguments (each
 * with its own copy of the offsets) and check that both return the same value and errno, and
 * leave the offsets alike. For cases where no copy is expected (errors, len 0, past EOF).
 * expect_errno (0: success) is only logged when the kernel disagrees: the kernel is the
 * reference. Returns 1 when they agree.
 */
int t_same_as_kernel(const char *what, int fd_in, const loff_t *off_in, int fd_out,
		     const loff_t *off_out, size_t len, unsigned int flags, int expect_errno);

/*
 * The same, with the kernel working on fd_in/fd_out and the library on lib_in/lib_out: for
 * cases that copy, on two identical sets of files (compare them afterwards).
 */
int t_same_as_kernel_on(const char *what, int fd_in, int fd_out, int lib_in, int lib_out,
			const loff_t *off_in, const loff_t *off_out, size_t len, unsigned int flags,
			int expect_errno);

/* Sum of all bytes[] of a stats struct, and the method that moved the most. */
uint64_t t_stats_total(const struct splice_direct_stats *s);
void t_stats_print(const char *what, const struct splice_direct_stats *s);

#endif /* T_H */
