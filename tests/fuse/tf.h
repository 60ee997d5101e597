/* SPDX-License-Identifier: MIT */
/*
 * tf.h - the sdfuse fixture: mount the test FUSE filesystem, steer its knobs, read its
 * counters. The server is the sdfuse program (path in $SD_FUSE_SERVER); its backing folder
 * is a private tmpfs from t_mount(), so the tests can check the bytes the server really holds.
 */
#ifndef TF_H
#define TF_H

#include <stdint.h>
#include <sys/types.h>

#include "t.h"

struct tf_stats {
	uint64_t reads, read_bytes, writes, write_bytes, cfr_calls, cfr_bytes, eintr, faults;
};

struct tf {
	const char *mnt;  /* where the FUSE filesystem is mounted */
	const char *back; /* its backing folder: the "server's" view of the files */
};

/*
 * Mount sdfuse with extra fuse options (NULL: none) and return its folders. Skips (word
 * "fuse") without /dev/fuse or the server. Unmounts and stops the server at exit and on
 * SIGINT/SIGTERM/SIGHUP; the server dies with the test (PR_SET_PDEATHSIG).
 */
void tf_mount(struct tf *f, const char *opts);
/* Write "KEY VALUE" lines (or "reset") to the control file; broken if refused. */
void tf_ctl(const struct tf *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read the counters. */
void tf_stats(const struct tf *f, struct tf_stats *s);
void tf_stats_print(const char *what, const struct tf_stats *s);
/* The same file name under the mount and under the backing folder (t_path: never freed). */
char *tf_mnt(const struct tf *f, const char *name);
char *tf_back(const struct tf *f, const char *name);

/*
 * Create name in the backing folder with size random bytes (holes between 1 MiB data
 * segments when holes != 0) and return its 64-bit checksum; the file is not in the FUSE
 * client's page cache.
 */
uint64_t tf_make(const struct tf *f, const char *name, uint64_t size, int holes);
/* FNV-1a of [off, off + len) of a path (stops at its end), and a file's size; broken on error. */
uint64_t tf_sum(const char *path, uint64_t off, uint64_t len);
uint64_t tf_path_size(const char *path);
/* Start $SDCP with args (a NULL-ended list), its stdout and stderr into the backing
 * folder's sdcp.log, its signals at their defaults. */
pid_t tf_sdcp_start(const struct tf *f, const char *const *args);

#endif /* TF_H */
