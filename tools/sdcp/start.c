/* SPDX-License-Identifier: MIT */
/*
 * start.c - what sdcp and sdcp-mpi do before the copy: the process's own ids, mask and fd
 * limit, and the operands decided as cp decides them (is the last one a target folder, which
 * source goes to which destination). One copy, so that the two commands cannot drift apart.
 */
#include <errno.h>
#include <locale.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sdcp.h"

void start_process(const char *argv0)
{
	program_name = argv0;
	setlocale(LC_ALL, "");
	cur_euid = geteuid();
	cur_egid = getegid();
	cur_umask = umask(0);
	umask(cur_umask);
}

/* Deep trees and many queued jobs keep directory fds open: take what we may. */
void start_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int start_target(int n, char **ops, const char **ret_target)
{
	const char *target = NULL;
	int err = 0;

	if (arg_target_dir && arg_no_target_dir) {
		say(0, "cannot combine --target-directory (-t) and --no-target-directory (-T)");
		exit(1);
	}
	if (n < 1 + !arg_target_dir) {
		if (n == 0)
			say(0, "missing file operand");
		else
			say(0, "missing destination file operand after %s", quote(ops[0]));
		try_help();
	}
	if (arg_no_target_dir && n > 2) {
		say(0, "extra operand %s", quote(ops[2]));
		try_help();
	}
	if (arg_target_dir) {
		target = arg_target_dir;
		if (!operand_is_dir(target, &err)) {
			say(err ? err : ENOTDIR, "target directory %s", quote(target));
			exit(1);
		}
	} else if (!arg_no_target_dir) {
		const char *last = ops[n - 1];

		if (operand_is_dir(last, &err) || n > 2) {
			if (err) {
				say(err, "target %s", quote(last));
				exit(1);
			}
			if (n > 2 && !operand_is_dir(last, &err)) {
				say(ENOTDIR, "target %s", quote(last));
				exit(1);
			}
			target = last;
		}
		if (target)
			n--;
	}
	if (arg_parents && !target) {
		say(0, "with --parents, the destination must be a directory");
		try_help();
	}
	*ret_target = target;
	return n;
}

/* Is path (or, for a name still to be made, its folder) on a network filesystem? */
static int on_network(const char *path)
{
	struct statfs sfs;
	char *dir, *slash;
	int r;

	r = statfs(path, &sfs);
	if (r < 0) {
		dir = strdup(path);
		if (!dir)
			return 0;
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = '\0';
		r = statfs(slash ? dir : ".", &sfs);
		free(dir);
	}
	return r < 0 ? 0 : fs_network(&sfs);
}

/* Is a filesystem a network one, where a copy is the server's work? */
int fs_network(const struct statfs *sfs)
{
	switch ((unsigned long)sfs->f_type) {
	case NFS_SUPER_MAGIC:
	case SMB2_SUPER_MAGIC:
	case CIFS_SUPER_MAGIC:
	case CEPH_SUPER_MAGIC:
		return 1;
	default:
		return 0;
	}
}

/*
 * Without -j: one worker per CPU (at most 64), and at least 8 where the destination or the
 * first source is on a network filesystem. There a file's copy is a few round trips to the
 * server (open, copy, set its attributes, close), so the workers wait for the network, not
 * for the CPUs, and more of them keep more requests in flight (kernel/README.md, the network
 * bed's figures).
 */
void start_jobs(const char *target, int n, char **ops)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (arg_jobs)
		return;
	arg_jobs = cpus > 0 ? (cpus > 64 ? 64 : (int)cpus) : 1;
	if (arg_jobs < 8 && n > 0 &&
	    (on_network(target ? target : ops[n - 1]) || on_network(ops[0])))
		arg_jobs = 8;
}

/* --strip-trailing-slashes: as in cp, it acts only on sources copied into a directory. */
static void strip_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

/*
 * --parents: the source's whole name below the target, joined as cp joins them: a source
 * that starts with slashes keeps them ("/etc/f" into "d" is "d/etc/f", "//etc/f" is
 * "d//etc/f"), the target's own trailing slashes go.
 */
static char *parents_join(const char *target, const char *src)
{
	size_t dl = strlen(target);
	const char *sep = src[0] == '/' ? "" : "/";
	char *p;

	while (dl > 1 && target[dl - 1] == '/')
		dl--;
	if (dl == 1 && target[0] == '/') /* the root: "/" "etc/f", or "/" "." "/etc/f" */
		sep = src[0] == '/' ? "." : "";
	if (asprintf(&p, "%.*s%s%s", (int)dl, target, sep, src) < 0) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	return p;
}

/* The name a source gets below the target (malloc'd) */
static char *name_below(const char *src)
{
	char *name = arg_parents ? xstrdup(src) : operand_base_name(src);

	/* cp --parents names the destination without the source's trailing slashes */
	if (arg_parents)
		strip_slashes(name);
	/* as cp: "src/.." goes into the target folder itself, not into "target/.." */
	if (!arg_parents && !strcmp(name, "..")) {
		free(name);
		name = xstrdup(".");
	}
	return name;
}

/*
 * cp looks at a folder's destination before it notes the folder named again: one that is
 * the source itself ("cp -r d/e d/e d") is "the same file" once more, not a warning. With -n
 * the first copy got past that look (and did nothing): the second is then a folder copied
 * "into itself", the first one's destination (cp compares it with the source's name).
 */
static int dir_onto_itself(const char *target, const char *src, const struct stat *st)
{
	char *base = name_below(src), *dst;
	struct stat d;
	int r;

	dst = arg_parents ? parents_join(target, base) : path_join(target, base);
	r = !stat(dst, &d) && dest_same(st, &d);
	if (r && arg_clobber == CLOBBER_NO)
		fail(0, "cannot copy a directory, %s, into itself, %s", quote_n(0, src),
		     quote_n(1, dst));
	free(dst);
	free(base);
	return r;
}

void start_each(const char *target, int n, char **ops,
		int (*each)(const char *src, const char *dst, int base), void (*settle)(void))
{
	struct hsearch_data names = {0};
	char **keep;
	struct stat *seen;
	int whole = 0; /* a source went into the target itself ("src/..", ".") */

	if (!target) {
		each(ops[0], ops[1], 0);
		return;
	}
	if (n > 1)
		seen_start();
	/* the names given so far: a second source of one name waits for the first */
	if (!hcreate_r(2 * (size_t)n, &names)) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	seen = xmalloc(n * sizeof(*seen));
	keep = xmalloc(n * sizeof(*keep));
	for (int i = 0; i < n; i++) {
		char *dst;
		ENTRY e = {0}, *found = NULL;
		int again = 0;

		keep[i] = NULL;
		if (arg_strip_slashes)
			strip_slashes(ops[i]);
		/* cp copies a source named twice into one folder once, and says so (a file only
		 * where no backup is asked: then it is refused as just created, or backed up) */
		if (!(arg_deref == DEREF_NEVER ? lstat : stat)(ops[i], &seen[i])) {
			for (int k = 0; k < i && !again; k++)
				again = dest_same(&seen[k], &seen[i]) &&
					operand_same_name(ops[k], ops[i]);
			if (again && S_ISDIR(seen[i].st_mode) && arg_recursive &&
			    dir_onto_itself(target, ops[i], &seen[i])) {
				if (arg_clobber == CLOBBER_NO)
					continue;
			} else if (again &&
				   (S_ISDIR(seen[i].st_mode) ? arg_recursive
							     : arg_backup == BACKUP_NONE)) {
				say(0, "warning: source %s %s specified more than once",
				    S_ISDIR(seen[i].st_mode) ? "directory" : "file", quote(ops[i]));
				continue;
			}
		} else {
			seen[i].st_ino = 0;
			seen[i].st_dev = 0;
		}
		keep[i] = name_below(ops[i]);
		e.key = keep[i];
		/*
		 * The earlier copy is done before this one looks at it: one of the same name, or
		 * any, where one of the two goes into the target itself and may meet any name.
		 */
		if (hsearch_r(e, ENTER, &found, &names) && settle &&
		    (found->data || (i > 0 && (whole || !strcmp(keep[i], ".")))))
			settle();
		whole |= !strcmp(keep[i], ".");
		if (found)
			found->data = found;
		dst = arg_parents ? parents_join(target, keep[i]) : path_join(target, keep[i]);
		each(ops[i], dst, strlen(dst) - strlen(keep[i]));
		free(dst);
	}
	hdestroy_r(&names);
	for (int i = 0; i < n; i++)
		free(keep[i]);
	free(keep);
	free(seen);
}
