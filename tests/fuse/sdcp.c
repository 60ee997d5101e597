/* SPDX-License-Identifier: MIT */
/*
 * fuse/sdcp: the sdcp command ($SDCP) on sdfuse.
 *   - `sdcp -r` of a tree within sdfuse moves no byte through the server's read and write
 *     handlers: the server copied everything itself;
 *   - for each fault (EIO from the server's copy, ENOSPC, EIO from a read after the kernel's
 *     fallback) aimed at one file of a tree: sdcp names that file in a message, exits 1, and
 *     copies the other files completely;
 *   - `sdcp --atomic` onto an existing file, with the fault: the old file stays, and no
 *     temporary file is left;
 *   - the same with --verify where the server stores one byte of the file wrong (flip), by
 *     its own copy or by the client's writes: the copy is read back from the server, not
 *     from the client's page cache, so the difference is found (and without --verify the
 *     fault is really there: sdcp exits 0 and the copy differs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tf.h"

static struct tf f;
static char out[4096];

/* Run sdcp with args; its stdout and stderr end up in out. Returns the exit status. */
static int sdcp(const char *const *args)
{
	char *log = tf_back(&f, "sdcp.log");
	int status, fd;
	pid_t pid = tf_sdcp_start(&f, args);

	if (waitpid(pid, &status, 0) < 0)
		t_broken("waitpid: %m");
	fd = t_open(log, O_RDONLY, 0);
	ssize_t len = read(fd, out, sizeof(out) - 1);
	out[len > 0 ? len : 0] = '\0';
	close(fd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		t_broken("cannot run %s", getenv("SDCP"));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int same(const char *a, const char *b)
{
	char *pa = tf_back(&f, a), *pb = tf_back(&f, b);

	return access(pb, F_OK) == 0 && tf_path_size(pa) == tf_path_size(pb) &&
	       tf_sum(pa, 0, UINT64_MAX) == tf_sum(pb, 0, UINT64_MAX);
}

static int temp_left(const char *dir)
{
	DIR *d = opendir(tf_back(&f, dir));
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return found;
}

static void zero_copy_tree(void)
{
	struct tf_stats s;
	const char *names[] = {"t/a", "t/b", "t/sub/c"};
	uint64_t sizes[] = {2u << 20, (3u << 20) + 17, 1u << 20}, total = 0;

	mkdir(tf_back(&f, "t"), 0755);
	mkdir(tf_back(&f, "t/sub"), 0755);
	for (int i = 0; i < 3; i++)
		tf_make(&f, names[i], sizes[i], 0), total += sizes[i];
	tf_ctl(&f, "reset");
	int r = sdcp((const char *[]){"-r", tf_mnt(&f, "t"), tf_mnt(&f, "t2"), NULL});
	T_CHECK(r == 0, "sdcp -r: exit %d: %s", r, out);
	tf_stats(&f, &s);
	tf_stats_print("sdcp -r", &s);
	T_CHECK(s.read_bytes == 0 && s.write_bytes == 0, "sdcp: data crossed the client");
	T_CHECK(s.cfr_bytes == total, "sdcp: the server copied %llu of %llu",
		(unsigned long long)s.cfr_bytes, (unsigned long long)total);
	T_CHECK(same("t/a", "t2/a") && same("t/b", "t2/b") && same("t/sub/c", "t2/sub/c"),
		"sdcp -r: the copies differ");
}

/* opt: an option for both runs of sdcp, or NULL */
static void fault_tree(int k, const char *knobs, const char *err, const char *opt)
{
	char src[16], dst[16], atomic_dst[16], one[64], p[64];

	snprintf(src, sizeof(src), "f%d", k);
	snprintf(dst, sizeof(dst), "g%d", k);
	snprintf(atomic_dst, sizeof(atomic_dst), "h%d", k);
	mkdir(tf_back(&f, src), 0755);
	mkdir(tf_back(&f, atomic_dst), 0755);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", src, i == 1 ? "bad" : i ? "good2" : "good1");
		tf_make(&f, p, 2u << 20, 0);
	}
	tf_ctl(&f, "reset\nonly bad\n%s", knobs);
	int r = sdcp((const char *[]){"-r", tf_mnt(&f, src), tf_mnt(&f, dst), opt, NULL});
	t_log("%s: sdcp exit %d: %s", knobs, r, out);
	T_CHECK(r == 1, "%s: sdcp exit %d", knobs, r);
	T_CHECK(strstr(out, "bad") && strstr(out, err), "%s: no message about 'bad' (%s)", knobs,
		err);
	T_CHECK(!strstr(out, "good"), "%s: a message about a good file", knobs);
	snprintf(p, sizeof(p), "%s/good1", src), snprintf(one, sizeof(one), "%s/good1", dst);
	T_CHECK(same(p, one), "%s: good1 was not copied", knobs);
	snprintf(p, sizeof(p), "%s/good2", src), snprintf(one, sizeof(one), "%s/good2", dst);
	T_CHECK(same(p, one), "%s: good2 was not copied", knobs);

	/* --atomic onto an old file: it stays */
	snprintf(one, sizeof(one), "%s/bad", atomic_dst);
	uint64_t old = tf_make(&f, one, 100000, 0);
	tf_ctl(&f, "reset\nonly bad\n%s", knobs);
	snprintf(p, sizeof(p), "%s/bad", src);
	r = sdcp((const char *[]){"--atomic", tf_mnt(&f, p), tf_mnt(&f, one), opt, NULL});
	tf_ctl(&f, "reset");
	T_CHECK(r == 1, "%s: sdcp --atomic exit %d: %s", knobs, r, out);
	T_CHECK(tf_sum(tf_back(&f, one), 0, UINT64_MAX) == old,
		"%s: sdcp --atomic changed the old file", knobs);
	T_CHECK(!temp_left(atomic_dst), "%s: sdcp --atomic left a temporary file", knobs);
}

/* Without --verify, the flipped byte goes unnoticed: the fault above is real. */
static void flip_unseen(void)
{
	mkdir(tf_back(&f, "v"), 0755);
	tf_make(&f, "v/bad", 2u << 20, 0);
	tf_ctl(&f, "reset\nonly bad\ncfr eopnotsupp\nflip 1000000");
	int r = sdcp((const char *[]){tf_mnt(&f, "v/bad"), tf_mnt(&f, "v/bad2"), NULL});
	tf_ctl(&f, "reset");
	T_CHECK(r == 0, "sdcp without --verify: exit %d: %s", r, out);
	T_CHECK(!same("v/bad", "v/bad2"), "flip: the copy is the same");
}

int main(void)
{
	const char *prog = getenv("SDCP");

	if (!prog || access(prog, X_OK) < 0)
		t_skip(NULL, "no sdcp ($SDCP)");
	tf_mount(&f, NULL);
	zero_copy_tree();
	fault_tree(0, "eio_cfr 1", "Input/output error", NULL);
	fault_tree(1, "enospc 100000", "No space left on device", NULL);
	fault_tree(2, "cfr eopnotsupp\neio_read 1", "Input/output error", NULL);
	fault_tree(3, "flip 1000000", "differs from", "--verify");
	fault_tree(4, "cfr eopnotsupp\nflip 1000000", "differs from", "--verify");
	flip_unseen();
	t_done();
}
