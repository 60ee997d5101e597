/* SPDX-License-Identifier: MIT */
/*
 * main.c - sdcp, a cp that moves the bytes through splice_direct(): the operands, decided as
 * cp decides them, then the walk, the workers, and the exit status (1 if any file failed; the
 * others are still copied).
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sdcp.h"

extern int progress_walk_done;

/* --strip-trailing-slashes: as in cp, it acts only on sources copied into a directory. */
static void strip_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

/* Deep trees and many queued jobs keep directory fds open: take what we may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	const char *target = NULL;
	struct timespec t0, t1;
	int first, n, err = 0;
	char **ops;

	program_name = argv[0];
	setlocale(LC_ALL, "");
	cur_euid = geteuid();
	cur_egid = getegid();
	cur_umask = umask(0);
	umask(cur_umask);
	first = parse_options(argc, argv);
	ops = argv + first;
	n = argc - first;

	if (arg_target_dir && arg_no_target_dir) {
		say(0, "cannot combine --target-directory (-t) and --no-target-directory (-T)");
		return 1;
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
			return 1;
		}
	} else if (!arg_no_target_dir) {
		const char *last = ops[n - 1];

		if (operand_is_dir(last, &err) || n > 2) {
			if (err) {
				say(err, "target %s", quote(last));
				return 1;
			}
			if (n > 2 && !operand_is_dir(last, &err)) {
				say(ENOTDIR, "target %s", quote(last));
				return 1;
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

	raise_fd_limit();
	inflight_start();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	work_start(arg_jobs);
	progress_start();
	if (!target) {
		walk_top(ops[0], ops[1], 0);
	} else {
		struct stat *seen = xmalloc(n * sizeof(*seen));

		for (int i = 0; i < n; i++) {
			char *name, *dst;
			int base, again = 0;

			if (arg_strip_slashes)
				strip_slashes(ops[i]);
			/* cp copies a source named twice into one folder once, and says so */
			if (!(arg_deref == DEREF_NEVER ? lstat : stat)(ops[i], &seen[i])) {
				for (int k = 0; k < i && !again; k++)
					again = seen[k].st_dev == seen[i].st_dev &&
						seen[k].st_ino == seen[i].st_ino;
				if (again && (arg_recursive || !S_ISDIR(seen[i].st_mode))) {
					say(0, "warning: source %s %s specified more than once",
					    S_ISDIR(seen[i].st_mode) ? "directory" : "file",
					    quote(ops[i]));
					continue;
				}
			} else {
				seen[i].st_ino = 0;
				seen[i].st_dev = 0;
			}
			name = arg_parents ? xstrdup(ops[i]) : operand_base_name(ops[i]);
			dst = path_join(target, name);
			base = strlen(dst) - strlen(name);
			walk_top(ops[i], dst, base);
			free(name);
			free(dst);
		}
		free(seen);
	}
	progress_walk_done = 1;
	work_finish();
	progress_stop();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (arg_stats)
		report_stats(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (fflush(stdout) || ferror(stdout)) {
		say(errno, "write error");
		return 1;
	}
	return exit_status;
}
