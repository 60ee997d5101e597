/* SPDX-License-Identifier: MIT */
/*
 * sdcp.h - what the files of sdcp share.
 *
 * The command is split the way the copy flows:
 *   opts.c      the command line (arg_* globals, --help, --version)
 *   main.c      sdcp's main(): the steps below, in order
 *   start.c     before the copy: our ids and limits; which source goes to which destination
 *   operand.c   what is decided about operands: base names, directories, copies into themselves
 *   dir.c       a folder of the copy: its fds, held by references; metadata when the last goes
 *   walk.c      the tree walk, on directory fds; directories, symlinks, special files
 *   dest.c      an existing destination: same file, -n/-i/-u, backups, removal
 *   seen.c      what earlier operands made (cp's checks between operands)
 *   job.c       jobs: a regular file, or a chunk of one, copied through splice_direct_ex()
 *   data.c      passes over a finished copy: --sparse=never/always, --verify
 *   work.c      the pool of worker threads that runs jobs (knows nothing of files)
 *   meta.c      ownership, mode, xattrs (ACLs), times; hard links kept with --preserve=links
 *   report.c    -v and --debug lines, the --stats summary; progress.c the --progress bar
 *   count.c     --progress: the walk that counts the whole, ahead of the copy
 *   inflight.c  files being written, removed when a signal ends the copy
 *   msg.c       GNU-style messages and quoting
 * A job names its files by (directory, name), so the walk, the jobs and the workers that run
 * them stay apart: another driver (say, MPI ranks) can run the same jobs.
 */
#ifndef SDCP_H
#define SDCP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
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
enum stats { STATS_NONE, STATS_TEXT, STATS_JSON }; /* arg_stats: --stats[=text|json] */

extern int arg_recursive, arg_deref, arg_force, arg_clobber, arg_update, arg_verbose;
extern int arg_hard_link, arg_symbolic_link, arg_one_fs, arg_no_target_dir;
extern const char *arg_target_dir;
extern int arg_backup;
extern const char *arg_suffix;
extern int arg_copy_contents, arg_strip_slashes, arg_reflink, arg_sparse, arg_remove_dest;
extern int arg_attributes_only, arg_parents, arg_debug, arg_stats, arg_progress, arg_atomic;
extern int arg_verify, arg_nocache, arg_jobs;
extern uint64_t arg_chunk;
extern int arg_chunk_given;
/* --preserve: each 0 (no), 1 (yes, failures quiet where cp is quiet) or 2 (asked explicitly) */
extern int arg_keep_mode, arg_keep_owner, arg_keep_times, arg_keep_links, arg_keep_xattr;
/* -a: xattrs not asked for by name fail quietly (cp's reduce_diagnostics) */
extern int arg_archive;
extern int arg_require_keep; /* -a, -p, --preserve: nothing more is kept after times fail */
extern int arg_keep_context, arg_no_keep_mode;

/* Every arg_* to its default: before parse_options(), which only changes them. */
void opts_reset(void);
int parse_options(int argc, char **argv); /* returns the index of the first operand */
int walk_follows(int top);		  /* may this source's symlink be followed (-L, -H)? */

/* --- msg.c: messages --- */
extern const char *program_name;
extern atomic_int exit_status;
extern mode_t cur_umask;
extern uid_t cur_euid; /* read once: they do not change while we run */
extern gid_t cur_egid;
const char *quote(const char *s); /* 'name' as GNU tools quote a file name; 8 slots per thread */
const char *quote_n(int slot, const char *s);
const char *quote_maybe(const char *s);	 /* quoted only where a shell would need it */
const char *quote_locale(const char *s); /* GNU's quote(): the locale's quotes, C escapes */
void msg_thread_exit(void);
void say(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void try_help(void) __attribute__((noreturn));
int yes(void); /* read an answer from stdin */
char *xstrdup(const char *s);
void *xmalloc(size_t n);
char *path_join(const char *dir, const char *name); /* display path of a child */

/* --- order.c: messages in the walk's order with several workers (NULL tickets: at once) --- */
struct ticket;
void order_start(void);		 /* on, for the calling thread's walk */
struct ticket *order_take(void); /* the walk's next ticket, for a job or a folder's end */
void order_done(struct ticket *t);
struct ticket *order_enter(struct ticket *t); /* this thread works for t; returns the last */
void order_leave(struct ticket *prev);
int order_hold(FILE *f, const char *text, size_t n); /* msg.c: 1 if held or written in order */
void order_finish(void);			     /* everything out; off */

/* --- start.c: before the copy --- */
struct statfs;
int fs_network(const struct statfs *sfs); /* NFS, SMB, Ceph */
void start_process(const char *argv0);	  /* program_name, locale, our ids and umask */
void start_fd_limit(void);
/* Decide the target folder as cp does (NULL: one source to one destination); returns how
 * many sources; exits on a wrong command line (said). */
int start_target(int n, char **ops, const char **ret_target);
void start_jobs(const char *target, int n, char **ops); /* the default of -j */
/* statfs's f_type of the network filesystems that start_jobs and the walk tell apart */
#ifndef NFS_SUPER_MAGIC
#define NFS_SUPER_MAGIC 0x6969
#endif
#ifndef SMB2_SUPER_MAGIC
#define SMB2_SUPER_MAGIC 0xfe534d42
#endif
#ifndef CIFS_SUPER_MAGIC
#define CIFS_SUPER_MAGIC 0xff534d42
#endif
#ifndef CEPH_SUPER_MAGIC
#define CEPH_SUPER_MAGIC 0x00c36400
#endif
/* each(source, its destination, where the source starts in it for --parents) */
void start_each(const char *target, int n, char **ops,
		int (*each)(const char *src, const char *dst, int base), void (*settle)(void));

/* --- operand.c: the command line's operands, before any copying --- */
/* The last component of a source, as cp names it inside a target directory (malloc'd). */
char *operand_base_name(const char *src);
/* stat(path) says directory; *err the stat error, or 0. */
int operand_same_name(const char *a, const char *b); /* "f" and "./f", not two hard links */
int operand_is_dir(const char *path, int *err);
/* Is dst (to be made) inside the directory src (st)? Says so as cp does, and returns 1. */
int operand_into_itself(const char *src, const char *dst, const struct stat *st);

/* --- dir.c: a folder, as a pair of (source, destination) fds, held by references --- */
struct dir {
	atomic_int refs; /* the walk, each job inside, each subdirectory */
	struct dir *parent;
	int sfd, dfd; /* AT_FDCWD for the operands' pseudo-directory */
	char *spath;  /* display paths, NULL for the pseudo-directory */
	char *dpath;
	struct stat st;		  /* the source directory */
	dev_t top_dev;		  /* -x: the operand's filesystem */
	gid_t new_gid;		  /* the group a file created here gets */
	mode_t made_mode;	  /* mode after mkdir, for the final chmod */
	unsigned int fresh : 1;	  /* we made the destination: nothing in it to check */
	unsigned int meta : 1;	  /* apply the source's metadata when the last reference goes */
	unsigned int descend : 1; /* not a mount point that -x leaves as it is */
	struct ticket *end;	  /* order.c: where its metadata's messages go */
	atomic_bool renamed;	  /* --atomic renamed a file into it: fsync it at the end */
};

struct dir *dir_root(void); /* the operands' pseudo-directory */
struct dir *dir_get(struct dir *d);
void dir_put(struct dir *d); /* the last reference applies its metadata and frees it */
/* A complete file was renamed to dname in d: the rename is made durable (the folder synced)
 * when d's last reference goes, at once in the operands' folder. 0, or an errno (said). */
int dir_renamed(struct dir *d, const char *dname);

/* --- walk.c: the tree walk --- */
int walk_top(const char *src, const char *dst, int parents_base);
void walk_parents_settle(void); /* --parents: the folders made get their attributes */
/* The steps of the walk, for a driver of its own (sdcp-mpi): */
/* Make and open the destination folder of parent's sname (cp's checks and messages); the new
 * dir, with one reference, or NULL (said). given: the source's stat, or NULL to fstat it. */
struct dir *walk_dir_open(struct dir *parent, const char *sname, const char *dname,
			  const struct stat *given, int top);
/* what getdents64(2) fills (walk.c, count.c); glibc declares no such type */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
struct walk_entry {
	ino_t ino;
	unsigned char type; /* d_type */
	char *name;
};
/* The entries of d but . and .., in inode order; free each name, then the array. */
struct walk_entry *walk_dir_read(struct dir *d, size_t *ret_n);
enum walk_kind { WALK_DIR, WALK_FILE, WALK_NODE };
enum walk_kind walk_kind(const struct stat *st); /* what cp makes of a source */
/* A symlink, fifo, socket or device; with -l or -s, a link to any file (node.c). */
void walk_node(struct dir *d, const char *sname, const char *dname, const struct stat *st, int top);

/* --- node.c: links, symlinks, fifos, devices --- */
void node_hard_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		    int top);
void node_sym_link(struct dir *d, const char *sname, const char *dname, const struct stat *st,
		   int top);
void node_make(struct dir *d, const char *sname, const char *dname, const struct stat *st, int top);

/* --- data.c: passes over a finished copy --- */
int data_fill_holes(int fd, uint64_t size);
int data_punch_zeros(int rfd, int fd, uint64_t off, uint64_t end, blksize_t bs);
int data_verify(int a, int b, uint64_t off, uint64_t end); /* 0 same, 1 different, -errno */

/* --- dest.c: an existing destination --- */
enum { DEST_GO = 1, DEST_SKIP = 0, DEST_SELF = 2 /* copy to *ret_backup instead (-bf a a) */ };
/*
 * dname exists in d. Decide as cp does: returns DEST_SKIP (nothing to do), DEST_GO with
 * *ret_gone set when the old file was moved away or removed (create it anew), or -1 when an
 * error was reported. *ret_dst gets the destination's lstat (stat on the operand itself).
 */
int dest_existing(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		  int top, struct stat *ret_dst, int *ret_gone, char **ret_backup);
/* The same, where dname is to become a link to the source's copy made earlier under
 * --preserve=links: -u does not keep what is there (cp links it all the same). */
int dest_existing_link(struct dir *d, const char *sname, const char *dname, const struct stat *sst,
		       int top, struct stat *ret_dst, int *ret_gone, char **ret_backup);
/* Does cp remove an existing dst before it makes src's copy (dst has other names kept by
 * --preserve=links, or src is neither a regular file nor followed; never for
 * --attributes-only)? Then -v says so. */
int dest_unlinks(const struct stat *dst, const struct stat *src, int top);
void dest_removed(struct dir *d, const char *dname); /* -v: "removed 'x'" */
/* Making dname failed: could cp, which looks at the destination first, not even stat it
 * (ELOOP, ENAMETOOLONG, EACCES or ENOTDIR on the way)? Then "cannot stat" is said: 1. */
int dest_unseen(struct dir *d, const char *dname);
/* The new entry failed: the backup made for it (bpath) takes dname back; -v says so. */
void dest_unbackup(struct dir *d, const char *dname, const char *bpath);
int dest_same(const struct stat *a, const struct stat *b);
/* a folder's destination that leads to it: 1 go on, 0 "the same file", 2 nothing to do */
int dest_dir_same_ok(struct dir *d, const char *sname, const char *dname, const struct stat *src,
		     const struct stat *dst, int top);
/* dst, an operand's destination, was just made by an earlier operand: said, returns 1 */
int dest_just_made(struct dir *d, const char *sname, const char *dname, const struct stat *dst);

/* --- seen.c: what earlier operands made, for cp's checks between operands --- */
void seen_start(void); /* two or more operands into one folder: the checks apply */
void seen_made(int fd, int dirfd, const char *name); /* an operand's file: fd, or name in dirfd */
int seen_made_before(const struct stat *dst);
void seen_dir(const struct stat *src, const char *dpath); /* an operand's folder, and its copy */
const char *seen_dir_before(const struct stat *src);	  /* where it went, or NULL */

/* --- inflight.c: files being written, removed if a signal kills us --- */
struct inflight {
	struct inflight *prev, *next;
	int dirfd;
	const char *name;
};
void inflight_start(void);
/* openat(O_CREAT | O_EXCL) of a new file, listed at once: no signal leaves it behind */
int inflight_create(struct inflight *e, int dirfd, const char *name, int flags, mode_t mode);
void inflight_del(struct inflight *e);
/* run by the signal thread once the files are removed, before it dies (sdcp-mpi's stop.c) */
extern void (*_Atomic inflight_then)(void);

/* --- work.c: the pool; all it knows of a job is how to run it (which frees it), and where --- */
struct job {
	struct job *next;
	void (*run)(struct job *j);
	const void
		*key; /* jobs of one key (a folder) share metadata: kept to one thread if it can */
	uint64_t place; /* where the key lies (its inode number): keys far apart share little */
};
void work_start(int nthreads);
void work_push(struct job *j); /* runs it inline when the pool is one thread or full */
void work_finish(void);

/* --- job.c: one regular file (or a chunk of one) --- */
struct file_job {
	struct job job;	       /* first: work.c sees only this */
	struct ticket *ticket; /* order.c: where its messages go */
	struct dir *dir;
	const char *sname, *dname;
	int top, follow;
	struct stat st;
	int have_st;
	struct statx stx; /* of the open source, for splice_direct_statx (stx_mask 0: none) */
	/* shared by the chunks, once the copy has started */
	int sfd, dfd;
	int created;	     /* the name we write (dname or tmp) is ours: remove it on failure */
	int tracked;	     /* registered with links_find() */
	int stream;	     /* not a regular file: read and write it ourselves */
	char *tmp;	     /* --atomic */
	char *backup;	     /* for -v */
	int announced;	     /* the -v line was printed */
	struct inflight fly; /* listed while the name we write is ours */
	atomic_int chunks;
	atomic_int err;
	pthread_mutex_t lock;
	struct splice_direct_stats stats;
	char *self;  /* -bf a a: the backup name we copy to instead */
	int done;    /* the data is copied already (room_for_copy's clone) */
	int checked; /* --sparse=always and --verify were done range by range ... */
	int differs; /* ... and found this (data_verify's answer) */
	char names[];
};
/* A job for the pool: it opens, copies and finishes the file. */
void job_file(struct dir *d, const char *sname, const char *dname, int top, int follow,
	      const struct stat *st);
/* Its steps, for a driver of its own (sdcp-mpi): NULL said. */
struct file_job *job_new(struct dir *d, const char *sname, const char *dname, int top, int follow,
			 const struct stat *st);
/* 0: both fds open, the bytes to be copied; 1: nothing to copy (skipped, linked or failed:
 * said), and f is freed. */
int job_open(struct file_job *f);
/* The copy gets its size for chunks of arg_chunk; how many of them. */
uint64_t job_split(struct file_job *f);
/* Bytes [off, off + len) of sfd to dfd (len SIZE_MAX: to the end of a file of size), added to
 * *s and to totals as they move; stops early when *stop (may be NULL) is set. 0 or -errno. */
int job_copy(int sfd, int dfd, uint64_t off, uint64_t len, off_t size, atomic_int *stop,
	     struct splice_direct_stats *s);
/* Everything after the bytes (errors said, holes, --verify, metadata, rename); frees f. */
void job_finish(struct file_job *f);
int job_write_mode(void); /* O_WRONLY, or O_RDWR when the copy is read back */

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
/* Is st's copy to be linked to its other names' (cp's rule: several links, or followed by -L,
 * or an operand followed by -H)? */
int links_wanted(const struct stat *st, int top);
int links_find(const struct stat *st, const char *dpath, char **ret_first);
void links_done(const struct stat *st, int ok);

/* --- report.c --- */
struct totals {
	atomic_ullong files, dirs, links, others, bytes;
	atomic_ullong by_method[SPLICE_DIRECT_METHODS];
	atomic_ullong holes, errors;
	/* --progress only: file jobs over, whatever became of them (copied, linked, skipped,
	 * failed), and the bytes of their sizes they did not move (job.c) */
	atomic_ullong ended, passed;
};
extern struct totals totals;
void report_verbose(const char *src, const char *dst, const char *backup);
void report_debug(const struct splice_direct_stats *s);
void report_stats(double secs);
const char *human(uint64_t n, char *buf, size_t len); /* 1234567 -> "1.2 MiB" */

/* --- count.c: --progress's count of the whole, in a thread of its own --- */
struct counted {
	atomic_ullong files, bytes; /* what the copy will go through, found so far */
	atomic_int done;	    /* 1: all of it */
};
extern struct counted counted;
void count_start(const char *target, int n, char *const *ops); /* start_each()'s operands */
void count_stop(void); /* the copy is over: so is the count, if it was not */

/* --- progress.c: the --progress line --- */
struct progress {
	uint64_t moved, shared, holes;	   /* bytes moved; of them cloned, and holes */
	uint64_t bytes, files;		   /* gone through: moved and passed, files ended */
	uint64_t total_bytes, total_files; /* counted so far ... */
	int counted;			   /* ... and all of them */
};
/* Draw it on stderr, secs into the copy; last: the summary (100%, the time), kept. sdcp-mpi's
 * rank 0 draws with it too. */
void progress_draw(const struct progress *p, double secs, int last);
void progress_start(const char *target, int n, char *const *ops); /* sdcp, on a terminal */
void progress_stop(void);

#endif /* SDCP_H */
