/* SPDX-License-Identifier: MIT */
/*
 * msg.c - messages in GNU grammar: "prog: cannot stat 'x': No such file or directory".
 *
 * Each message is formatted into one buffer and written with one call, so that lines of
 * different worker threads never mix. File names are quoted as GNU tools quote them for a
 * shell ('a b', "it's", 'a'$'\n''b'), because scripts and people compare the two.
 */
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "sdcp.h"

const char *program_name = "sdcp";
atomic_int exit_status;
mode_t cur_umask;
uid_t cur_euid;
gid_t cur_egid;

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		say(ENOMEM, "memory exhausted");
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* A growable string, for quoting. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return; /* keep what fits: a message is never worth dying for */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* The escape a shell's $'...' understands for a control byte. */
static void put_escape(struct buf *b, unsigned char c)
{
	static const char names[] = "\aa\bb\ff\nn\rr\tt\vv";
	const char *n = memchr(names, c, sizeof(names) - 1);
	char tmp[8];

	if (c && n && (n - names) % 2 == 0) {
		tmp[0] = '\\';
		tmp[1] = n[1];
		put(b, tmp, 2);
	} else {
		snprintf(tmp, sizeof(tmp), "\\%03o", c);
		put(b, tmp, 4);
	}
}

/*
 * How many bytes the character at u takes, and whether it prints in the locale (*ok). A byte
 * that starts no valid character, or ends the string early, is one unprintable byte: GNU's
 * quoting shows such bytes in octal, as for a control character.
 */
static size_t char_at(const unsigned char *u, int *ok)
{
	mbstate_t st = {0};
	wchar_t wc;
	size_t n;

	if (*u < 0x80) {
		*ok = !is_ctl(*u);
		return 1;
	}
	n = mbrtowc(&wc, (const char *)u, MB_LEN_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*ok = 0;
		return 1;
	}
	*ok = iswprint(wc) != 0;
	return n;
}

/*
 * A character that keeps a name with a quote out of double quotes (GNU's quotearg: one the
 * shell treats specially, or the C style would escape); '#' and '~' only after the start.
 */
static int dq_unfit(unsigned char c, int first)
{
	if (c == '#' || c == '~')
		return !first;
	return c && strchr("!\"$&()*;<=>?[\\^`{|}", c) != NULL;
}

/*
 * GNU's "shell-escape-always" style: single quotes; a name with a quote and nothing a double
 * quote would expand goes in double quotes; what does not print (control bytes, bytes that
 * are no character of the locale) leaves the quotes as $'\n' or $'\377'.
 */
static void quote_into(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int squote = 0, ctl = 0, dq_unsafe = 0, ok = 1, esc, e = errno;
	size_t n;

	b->len = 0;
	put(b, "", 0);
	for (; *u; u += n) {
		n = char_at(u, &ok);
		squote |= *u == '\'';
		ctl |= !ok;
		dq_unsafe |= dq_unfit(*u, u == (const unsigned char *)s);
	}
	errno = e; /* mbrtowc's EILSEQ is not the caller's error */
	if (squote && !ctl && !dq_unsafe) {
		put(b, "\"", 1);
		put(b, s, strlen(s));
		put(b, "\"", 1);
		return;
	}
	/*
	 * esc: inside a $'...' run. GNU's quoting scans a name with a quote twice and starts
	 * the second pass in the state the first one ended in: a name that ends unprintable
	 * starts "escaped" (its first printable character then gets an extra '' before it).
	 */
	esc = squote && !ok;
	put(b, "'", 1);
	for (u = (const unsigned char *)s; *u; u += n) {
		n = char_at(u, &ok);
		if (!ok) {
			if (!esc)
				put(b, "'$'", 3);
			esc = 1;
			for (size_t k = 0; k < n; k++)
				put_escape(b, u[k]);
		} else if (*u == '\'') {
			put(b, "'\\''", 4);
			esc = 0;
		} else {
			if (esc)
				put(b, "''", 2);
			esc = 0;
			put(b, (const char *)u, n);
		}
	}
	errno = e;
	put(b, "'", 1);
}

static __thread struct buf slots[8];
static __thread unsigned int next_slot;

const char *quote_n(int slot, const char *s)
{
	struct buf *b = &slots[slot & 7];

	quote_into(b, s);
	return b->p ? b->p : "''";
}

/* A thread that ends gives its quoting buffers back. */
void msg_thread_exit(void)
{
	for (int i = 0; i < 8; i++) {
		free(slots[i].p);
		slots[i] = (struct buf){0};
	}
}

const char *quote(const char *s)
{
	return quote_n(next_slot++, s);
}

/*
 * GNU's "locale" style (its quote(), which gnulib's ACL messages use): quotes of the locale,
 * U+2018 name U+2019 in UTF-8 and 'name' elsewhere; what does not print, a backslash and
 * the closing quote inside are escaped with a backslash, as in C.
 */
const char *quote_locale(const char *s)
{
	int utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8"), ok, e = errno;
	const char *lq = utf8 ? "\xe2\x80\x98" : "'", *rq = utf8 ? "\xe2\x80\x99" : "'";
	const unsigned char *u = (const unsigned char *)s;
	struct buf *b = &slots[next_slot++ & 7];
	size_t n, rqlen = strlen(rq);

	b->len = 0;
	put(b, lq, strlen(lq));
	for (; *u; u += n) {
		n = char_at(u, &ok);
		if (!ok) {
			for (size_t k = 0; k < n; k++)
				put_escape(b, u[k]);
			continue;
		}
		if (*u == '\\' || !strncmp((const char *)u, rq, rqlen))
			put(b, "\\", 1);
		put(b, (const char *)u, n);
	}
	put(b, rq, rqlen);
	errno = e; /* mbrtowc's EILSEQ is not the caller's error */
	return b->p ? b->p : "''";
}

/*
 * GNU's "shell-escape" style (cp's quotef): the name as it is where a shell would read it
 * so, else quoted as by quote().
 */
const char *quote_maybe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int safe = *u && !strchr("#~", *u) && strcmp(s, "{") && strcmp(s, "}");

	int e = errno;

	for (size_t n; safe && *u; u += n) {
		int ok;

		n = char_at(u, &ok);
		/* and ':', which cp's quotef quotes too: it ends the name in its messages */
		safe = ok && !strchr(" !\"$&'()*:;<=>?[\\^`|", *u);
	}
	errno = e;
	return safe ? s : quote(s);
}

static void vsay(FILE *f, int errnum, const char *fmt, va_list ap)
{
	char line[8192];
	int n = snprintf(line, sizeof(line), "%s: ", program_name);

	if (n < 0)
		return;
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (errnum && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (order_hold(f, line, (size_t)n))
		return;
	/* The progress bar owns the terminal line; it redraws after us. */
	fflush(stdout);
	fwrite(line, 1, n, f);
}

void say(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(stderr, errnum, fmt, ap);
	va_end(ap);
}

void fail(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(stderr, errnum, fmt, ap);
	va_end(ap);
	exit_status = 1;
	atomic_fetch_add(&totals.errors, 1);
}

void out(const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (order_hold(stdout, line, (size_t)n))
		return;
	flockfile(stdout);
	fwrite(line, 1, n, stdout);
	funlockfile(stdout);
}

void try_help(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
	exit(1);
}

/* cp's rule: an answer that starts with y or Y is yes; the rest of the line is read. */
int yes(void)
{
	int c = getchar(), first = c;

	while (c != EOF && c != '\n')
		c = getchar();
	return first == 'y' || first == 'Y';
}

/* "d" + "f" -> "d/f"; "d//" + "f" -> "d/f"; "/" + "f" -> "/f"; NULL + "f" -> "f". */
char *path_join(const char *dir, const char *name)
{
	size_t dl, nl = strlen(name);
	char *p;

	if (!dir)
		return xstrdup(name);
	dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	p = xmalloc(dl + nl + 2);
	memcpy(p, dir, dl);
	if (!(dl == 1 && dir[0] == '/'))
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}
