// SPDX-License-Identifier: MIT
/*
 * operand.c - what sdcp and sdcp-mpi decide about their command-line operands before any
 * copying: the name a source gets inside a target directory, whether two name one entry,
 * whether a target is a directory, and cp's refusal to copy a directory into itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdcp.h"

char *operand_base_name(const char *src)
{
	char *s = xstrdup(src), *slash;
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	slash = strrchr(s, '/');
	if (slash && slash[1]) {
		char *b = xstrdup(slash + 1);

		free(s);
		return b;
	}
	return s;
}

/* The folder a source's last component is in: "." for a plain name (malloc'd). */
static char *parent_of(const char *src)
{
	char *s = xstrdup(src), *slash;
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	slash = strrchr(s, '/');
	if (!slash) {
		free(s);
		return xstrdup(".");
	}
	slash[slash == s] = '\0'; /* "/x" is in "/" */
	return s;
}

/*
 * Do two operands name one directory entry ("f" and "./f"), rather than one file by two names
 * (hard links)? The same last component in the same folder, as cp decides it.
 */
int operand_same_name(const char *a, const char *b)
{
	char *ba = operand_base_name(a), *bb = operand_base_name(b);
	char *pa = parent_of(a), *pb = parent_of(b);
	struct stat sa, sb;
	int same = !strcmp(ba, bb) && !stat(pa, &sa) && !stat(pb, &sb) && dest_same(&sa, &sb);

	free(ba);
	free(bb);
	free(pa);
	free(pb);
	return same;
}

int operand_is_dir(const char *path, int *err)
{
	struct stat st;

	if (stat(path, &st)) {
		*err = errno;
		return 0;
	}
	*err = 0;
	return S_ISDIR(st.st_mode);
}

/* Is the directory st an ancestor of (or the same as) the directory open as fd? Closes fd. */
static int is_inside(int fd, const struct stat *st)
{
	struct stat cur, prev = {0};

	for (int depth = 0; fd >= 0 && depth < 4096; depth++) {
		int up;

		if (fstat(fd, &cur))
			break;
		if (cur.st_dev == st->st_dev && cur.st_ino == st->st_ino) {
			close(fd);
			return 1;
		}
		if (depth && cur.st_dev == prev.st_dev && cur.st_ino == prev.st_ino)
			break; /* "/.." is "/" */
		prev = cur;
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = up;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int operand_into_itself(const char *src, const char *dst, const struct stat *st)
{
	char *parent = xstrdup(dst), *slash;
	int fd, r;

	while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(parent);
	r = fd >= 0 && is_inside(fd, st);
	if (r)
		fail(0, "cannot copy a directory, %s, into itself, %s", quote_n(0, src),
		     quote_n(1, dst));
	return r;
}
