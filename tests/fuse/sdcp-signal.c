/* SPDX-License-Identifier: MIT */
/*
 * fuse/sdcp-signal SIGNAL MODE: SIGNAL (int or term) reaches sdcp ($SDCP) in the middle of
 * a tree copy within sdfuse, slowed by its slow handler (every read and write of the server
 * sleeps; the server's own copy refuses, so the bytes cross its read and write handlers and a
 * file is written piece by piece). MODE:
 *   plain    `sdcp -r -j 2 t d`: d is new;
 *   atomic   `sdcp -rT --atomic -j 2 t d` over an older copy d of t (other bytes).
 * What must hold, on the server's (backing) files:
 *   1. sdcp dies of the signal, as GNU cp does (it has no handler): a shell shows 128 + n;
 *   2. no temporary file is left (--atomic's .NAME.sdcp-XXXX, nor a .fuse_hidden file,
 *      which libfuse makes of a file removed while open, until it is closed);
 *   3. every file in d is whole: plain, the source's bytes (a file being written when the
 *      signal came was removed); atomic, the source's bytes or the old file's, never a mix;
 *   4. every file that was complete 50 ms before the signal is still there, whole;
 *   5. the signal did come in the middle: a file was being written then (an incomplete
 *      file, or a temporary one, was in d), and some files were not copied yet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tf.h"

#define FILES 16
#define SIZE  (512u << 10)

static struct tf f;
static char name[FILES][32];
static uint64_t sum_new[FILES], sum_old[FILES];

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* The state of d/name[i] in the backing folder: -1 absent, 0 incomplete, 1 complete. */
static int state(int i)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "d/%s", name[i]);
	if (stat(tf_back(&f, p), &st))
		return -1;
	return st.st_size == SIZE && tf_sum(tf_back(&f, p), 0, UINT64_MAX) == sum_new[i];
}

/* Names starting with '.' under dir in the backing folder (temporaries); the first goes to
 * ret when ret is empty. */
static int dot_files(const char *dir, char *ret, size_t n)
{
	DIR *d = opendir(tf_back(&f, dir));
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d))) {
		char sub[4096];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.') {
			if (!ret[0])
				snprintf(ret, n, "%s", sub);
			found++;
		} else if (e->d_type == DT_DIR) {
			found += dot_files(sub, ret, n);
		}
	}
	if (d)
		closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	const char *prog = getenv("SDCP");
	int sig, atomic, status, done_before[FILES], incomplete = 0, complete = 0, absent = 0;
	char p[600], first[4096] = "";
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "int") && strcmp(argv[1], "term")) ||
	    (strcmp(argv[2], "plain") && strcmp(argv[2], "atomic")))
		t_broken("usage: sdcp-signal int|term plain|atomic");
	sig = !strcmp(argv[1], "int") ? SIGINT : SIGTERM;
	atomic = !strcmp(argv[2], "atomic");
	if (!prog || access(prog, X_OK) < 0)
		t_skip(NULL, "no sdcp ($SDCP)");
	tf_mount(&f, NULL);

	/* the tree: half in t, half in t/sub; with --atomic, an older copy in d */
	mkdir(tf_back(&f, "t"), 0755);
	mkdir(tf_back(&f, "t/sub"), 0755);
	if (atomic) {
		mkdir(tf_back(&f, "d"), 0755);
		mkdir(tf_back(&f, "d/sub"), 0755);
	}
	for (int i = 0; i < FILES; i++) {
		snprintf(name[i], sizeof(name[i]), "%sf%02d", i % 2 ? "sub/" : "", i);
		snprintf(p, sizeof(p), "t/%s", name[i]);
		sum_new[i] = tf_make(&f, p, SIZE, 0);
		if (atomic) {
			snprintf(p, sizeof(p), "d/%s", name[i]);
			sum_old[i] = tf_make(&f, p, SIZE, 0);
		}
	}
	/* every read and write of the server: 15 ms; its own copy refused */
	tf_ctl(&f, "reset\ncfr eopnotsupp\nslow 15");

	pid = tf_sdcp_start(&f, atomic ? (const char *[]){"-rT", "--atomic", "-j", "2",
							  tf_mnt(&f, "t"), tf_mnt(&f, "d"), NULL}
				       : (const char *[]){"-r", "-j", "2", tf_mnt(&f, "t"),
							  tf_mnt(&f, "d"), NULL});
	/* wait for 3 complete files (at most 20 s), then 50 ms more, then the signal */
	for (int waited = 0, n = 0; n < 3; waited += 5) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			t_broken("sdcp ended before the signal (status %#x)", status);
		if (waited > 20000)
			t_broken("sdcp copied fewer than 3 files in 20 s");
		sleep_ms(5);
		n = 0;
		for (int i = 0; i < FILES; i++)
			n += state(i) == 1;
	}
	for (int i = 0; i < FILES; i++)
		done_before[i] = state(i) == 1;
	sleep_ms(50);
	/* in the middle: a file is being written (plain) or a temporary is there (atomic) */
	for (int i = 0; i < FILES && !atomic; i++) {
		int s = state(i);

		incomplete += s == 0;
		absent += s == -1;
	}
	if (atomic) {
		incomplete = dot_files("d", first, sizeof(first));
		for (int i = 0; i < FILES; i++) {
			snprintf(p, sizeof(p), "d/%s", name[i]);
			absent += tf_sum(tf_back(&f, p), 0, UINT64_MAX) == sum_old[i];
		}
	}
	if (kill(pid, sig))
		t_broken("kill: %m");
	if (waitpid(pid, &status, 0) != pid)
		t_broken("waitpid: %m");
	tf_ctl(&f, "reset");

	/* 1: dead of the signal */
	t_log("sdcp: %s; %d being written and %d not started at the signal",
	      WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited", incomplete, absent);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig,
		"sdcp: status %#x, not killed by signal %d", status, sig);
	T_CHECK(incomplete > 0 && absent > 0,
		"the signal did not come in the middle (%d files being written, %d not started)",
		incomplete, absent);

	/* 2: no temporary file (libfuse removes a .fuse_hidden file at the last close) */
	int dots = 0;

	for (int tries = 0; tries < 100; tries++, sleep_ms(20)) {
		first[0] = '\0';
		dots = dot_files("d", first, sizeof(first));
		if (!dots)
			break;
	}
	T_CHECK(!dots, "%d temporary files left, such as %s", dots, first);

	/* 3 and 4: whole files only, and those done before the signal are still there */
	for (int i = 0; i < FILES; i++) {
		int s = state(i);

		snprintf(p, sizeof(p), "d/%s", name[i]);
		complete += s == 1;
		if (atomic)
			T_CHECK(s == 1 || tf_sum(tf_back(&f, p), 0, UINT64_MAX) == sum_old[i],
				"%s: neither the new file nor the old one", name[i]);
		else
			T_CHECK(s != 0, "%s: a half-written file was left", name[i]);
		T_CHECK(!done_before[i] || s == 1, "%s: complete before the signal, %s after",
			name[i], s < 0 ? "gone" : "not whole");
	}
	t_log("after the signal: %d of %d files copied", complete, FILES);
	t_done();
}
