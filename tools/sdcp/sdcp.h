/* SPDX-License-Identifier: MIT */
/*
 * sdcp.h - what the files of sdcp share.
 *
 * The command is split the way the copy flows:
 *   opts.c      the command line (arg_* globals, --help, --version)
 *   main.c      operands: which source goes to which destination
 *   operand.c   what is decided about operands: base names, directories, copies into themselves
 *   walk.c      the tree walk, on directory fds; directories, symlinks, special files
 *   dest.c      an existing destination: same file, -n/-i/-u, backups, removal
 *   job.c       jobs: a regular file, or a chunk of one, copied through splice_direct_ex()
 *   data.c      passes over a finished copy: --sparse=never/always, --verify
 *   work.c      the pool of worker threads that runs jobs (knows nothing of files)
 *   meta.c      ownership, mode, xattrs (ACLs), times; hard links kept with --preserve=links
 *   report.c    -v and --debug lines, the --stats summary; progress.c the --progress bar
 *   inflight.c  files being written, removed when a signal ends the copy
 *   msg.c       GNU-style messages and quoting
 * A job names its files by (directory, name), so the walk, the jobs and the workers that run
 * them stay apart: another driver (say, MPI ranks) can run the same jobs.
 */
#ifndef SDCP_H
#define SDCP_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "splicedirect.h"

/* --- opts.c: the command line --- */
enum deref { DEREF_UNSET, DEREF_NEVER, DEREF_ARGS, DEREF_ALWAYS };
enum backup { BACKUP_NONE, BACKUP_SIMPLE, BACKUP_EXISTING, BACKUP_NUMBERED };
enum update { UPDATE_ALL, UPDATE_NONE, UPDATE_NONE_FAIL, UPDATE_OLDER };
enum sparse { SPARSE_AUTO, SPARSE_NEVER, SPARSE_ALWAYS };
enum reflink { REFLINK_AUTO, REFLINK_ALWAYS, REFLINK_NEVER };
enum clobber { CLOBBER_YES, CLOBBER_ASK, CLOBBER_NO };

extern int arg_recursive, arg_deref, arg_force, arg_clobber, arg_update, arg_verbose;
extern int arg_hard_link, arg_symbolic_link, arg_one_fs, arg_no_target_dir;
extern const char *arg_target_dir;
extern int arg_backup;
extern const char *arg_suffix;
extern int arg_copy_contents, arg_strip_slashes, arg_reflink, arg_sparse, arg_remove_dest;
extern int arg_attributes_only, arg_parents, arg_debug, arg_stats, arg_progress, arg_atomic;
extern int arg_verify, arg_nocache, arg_jobs;
extern uint64_t arg_chunk;
/* --preserve: each 0 (no), 1 (yes, failures quiet where cp is quiet) or 2 (asked explicitly) */
extern int arg_keep_mode, arg_keep_owner, arg_keep_times, arg_keep_links, arg_keep_xattr;
extern int arg_keep_context, arg_no_keep_mode;

int parse_options(int argc, char **argv); /* returns the index of the first operand */

/* --- msg.c: messages --- */
extern const char *program_name;
extern atomic_int exit_status;
extern mode_t cur_umask;
extern uid_t cur_euid; /* read once: they do not change while we run */
extern gid_t cur_egid;
const char *quote(const char *s); /* 'name' as GNU tools quote a file name; 8 slots per thread */
const char *quote_n(int slot, const char *s);
void msg_thread_exit(void);
void say(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void try_help(void) __attribute__((noreturn));
int yes(void); /* read an answer from stdin */
char *xstrdup(const char *s);
void *xmalloc(size_t n);
char *path_join(const char *dir, const char *name); /* display path of a child */

/* --- operand.c: the command line's operands, before any copying --- */
/* The last component of a source, as cp names it inside a target directory (malloc'd). */
char *operand_base_name(const char *src);
/* stat(path) says directory; *err the stat error, or 0. */
int operand_is_dir(const char *path, int *err);
/* Is dst (to be made) inside the directory src (st)? Says so as cp does, and returns 1. */
int operand_into_itself(const char *src, const char *dst, const struct stat *st);

/* --- walk.c: directories, as pairs of (source, destination) fds --- */
struct dir {
	atomic_int refs; /* the walk, each job inside, each subdirectory */
	struct dir *parent;
	int sfd, dfd; /* AT_FDCWD for the operands' pseudo-directory */
	char *spath;  /* display paths, NULL for the pseudo-directory */
	char *dpath;
	struct stat st;		/* the source directory */
	dev_t top_dev;		/* -x: the operand's filesystem */
	gid_t new_gid;		/* the group a file created here gets */
	mode_t made_mode;	/* mode after mkdir, for the final chmod */
	unsigned int fresh : 1; /* we made the destination: nothing in it to check */
	unsigned int meta : 1;	/* apply the source's metadata when the last reference goes */
};

struct dir *dir_get(struct dir *d);
void dir_put(struct dir *d);
struct dir *walk_root(void);
int walk_top(const char *src, const char *dst, int parents_base);
int walk_follows(int top); /* may this source's symlink be followed (-L, -H)? */

/* --- node.c: links, symlinks, fifos, devices --- */
void node_hard_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		    int top);
void node_sym_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		   int top);
void node_make(struct dir *d, const char *sname, const char *dname, const struct stat *st, int top);

/* --- data.c: passes over a finished copy --- */
int data_fill_holes(int fd, uint64_t size);
int data_punch_zeros(int fd, uint64_t size, blksize_t bs);
int data_verify(int a, int b); /* 0 same, 1 different, -errno */
void walk_done(void);

/* --- dest.c: an existing destination --- */
enum { DEST_GO = 1, DEST_SKIP = 0, DEST_SELF = 2 /* copy to *ret_backup instead (-bf a a) */ };
/*
 * dname exists in d. Decide as cp does: returns DEST_SKIP (nothing to do), DEST_GO with
 * *ret_gone set when the old file was moved away or removed (create it anew), or -1 when an
 * error was reported. *ret_dst gets the destination's lstat (stat on the operand itself).
 */
int dest_existing(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		  int top, struct stat *ret_dst, int *ret_gone, char **ret_backup);
int dest_same(const struct stat *a, const struct stat *b);

/* --- work.c: the pool; all it knows of a job is how to run it (which frees it) --- */
struct job {
	struct job *next;
	void (*run)(struct job *j);
};
void work_start(int nthreads);
void work_push(struct job *j); /* runs it inline when the pool is one thread or full */
void work_finish(void);

/* --- job.c: one regular file (or a chunk of one) --- */
void job_file(struct dir *d, const char *sname, const char *dname, int top, int follow,
	      const struct stat *st);

/* --- meta.c --- */
struct meta_ctx {
	int fd; /* or -1: use dirfd + name */
	int dirfd;
	const char *name;
	const char *path; /* display */
	int is_link;
	int created;
	mode_t made_mode; /* the mode it was created with (after umask) */
	gid_t new_gid;
};
int meta_apply(const struct meta_ctx *m, const struct stat *st, int sfd, int sdirfd,
	       const char *sname);
mode_t meta_create_mode(const struct stat *st, gid_t new_gid);
mode_t meta_plain_mode(const struct stat *st);
/* --preserve=links: 0 first of its links (call links_done), 1 *ret_first names the copy */
int links_find(const struct stat *st, const char *dpath, char **ret_first);
void links_done(const struct stat *st, int ok);

/* --- inflight.c: files being written, removed if a signal kills us --- */
struct inflight {
	struct inflight *prev, *next;
	int dirfd;
	const char *name;
};
void inflight_start(void);
void inflight_add(struct inflight *e, int dirfd, const char *name);
void inflight_del(struct inflight *e);

/* --- report.c --- */
struct totals {
	atomic_ullong files, dirs, links, others, bytes, found_bytes, found_files;
	atomic_ullong by_method[SPLICE_DIRECT_METHODS];
	atomic_ullong holes, errors;
};
extern struct totals totals;
void report_verbose(const char *src, const char *dst, const char *backup);
void report_debug(const struct splice_direct_stats *s);
void report_stats(double secs);

/* --- progress.c --- */
void progress_start(void);
void progress_stop(void);

#endif /* SDCP_H */
