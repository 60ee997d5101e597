/* SPDX-License-Identifier: MIT */
/*
 * report.c - what -v, --debug and --stats say.
 *
 * --debug names, per file, the methods that moved its bytes and how many each moved, from
 * the library's own count (struct splice_direct_stats), so it is exact, not a guess:
 *   'a' -> 'b'
 *   method: clone; cloned 4096, offloaded 0, spliced 0, copied 0, holes 0
 * "offloaded" is copy_file_range (and a native splice), "spliced" splice or sendfile,
 * "copied" read and write. --stats prints the totals of all files in those words too, or with
 * --stats=json each method's own count.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sdcp.h"

struct totals totals;

static uint64_t cloned(const uint64_t *b)
{
	return b[SPLICE_DIRECT_CLONE];
}

static uint64_t offloaded(const uint64_t *b)
{
	return b[SPLICE_DIRECT_OFFLOAD] + b[SPLICE_DIRECT_NATIVE];
}

static uint64_t spliced(const uint64_t *b)
{
	return b[SPLICE_DIRECT_PIPE] + b[SPLICE_DIRECT_SENDFILE];
}

static uint64_t copied(const uint64_t *b)
{
	uint64_t n = b[SPLICE_DIRECT_RW];

	for (int m = SPLICE_DIRECT_RW + 1; m < SPLICE_DIRECT_METHODS; m++)
		n += b[m];
	return n;
}

/* -v: the line cp prints when it is about to copy a file. */
void report_verbose(const char *src, const char *dst, const char *backup)
{
	if (!arg_verbose)
		return;
	if (backup)
		out("%s -> %s (backup: %s)\n", quote_n(0, src), quote_n(1, dst),
		    quote_n(2, backup));
	else
		out("%s -> %s\n", quote_n(0, src), quote_n(1, dst));
}

/* --debug: once the bytes have moved. */
void report_debug(const struct splice_direct_stats *s)
{
	char methods[128] = "";
	const uint64_t *b = s->bytes;

	if (!arg_debug)
		return;
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++) {
		const char *name = splice_direct_method_name(m);

		if (!b[m])
			continue;
		snprintf(methods + strlen(methods), sizeof(methods) - strlen(methods), "%s%s",
			 methods[0] ? "+" : "", name ? name : "other");
	}
	/* first cp 9's own line, in its words, for whoever reads it as cp's; then ours, exact */
	if (!arg_attributes_only)
		out("copy offload: %s, reflink: %s, sparse detection: %s\n",
		    offloaded(b) ? "yes" : "no", cloned(b) ? "yes" : "no",
		    s->holes ? "SEEK_HOLE" : "no");
	out("method: %s; cloned %llu, offloaded %llu, spliced %llu, copied %llu, holes %llu\n",
	    methods[0]		  ? methods
	    : arg_attributes_only ? "none (attributes only)"
				  : "none",
	    (unsigned long long)cloned(b), (unsigned long long)offloaded(b),
	    (unsigned long long)spliced(b), (unsigned long long)copied(b),
	    (unsigned long long)s->holes);
}

/* 1234567 -> "1.2 MiB" */
const char *human(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = n;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

/*
 * --stats=json: the same counts as one JSON object on one line (the last line of the output),
 * for scripts and monitoring. Every method the library names has its key, zeros too, so that
 * a reader finds the same keys each time. No string in it comes from outside: the keys are
 * ours and the library's method names, plain lower-case words, so nothing needs escaping. The
 * seconds are printed from whole microseconds: a locale's decimal comma cannot get in.
 */
static void stats_json(const uint64_t *b, double secs)
{
	char line[2048];
	unsigned long long us = secs > 0 ? (unsigned long long)(secs * 1e6 + 0.5) : 0;
	uint64_t other = 0;
	const char *sep = "";

	snprintf(line, sizeof(line),
		 "{\"files\": %llu, \"directories\": %llu, \"symlinks\": %llu, "
		 "\"other_files\": %llu, \"bytes\": %llu, \"bytes_by_method\": {",
		 (unsigned long long)totals.files, (unsigned long long)totals.dirs,
		 (unsigned long long)totals.links, (unsigned long long)totals.others,
		 (unsigned long long)totals.bytes);
	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++) {
		const char *name = splice_direct_method_name(m);

		if (!name) {
			other += b[m];
			continue;
		}
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s\"%s\": %llu", sep,
			 name, (unsigned long long)b[m]);
		sep = ", ";
	}
	if (other) /* a method newer than its name: its bytes are counted all the same */
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s\"other\": %llu", sep,
			 (unsigned long long)other);
	out("%s}, \"holes\": %llu, \"errors\": %llu, \"elapsed_seconds\": %llu.%06llu}\n", line,
	    (unsigned long long)totals.holes, (unsigned long long)totals.errors, us / 1000000,
	    us % 1000000);
}

void report_stats(double secs)
{
	uint64_t b[SPLICE_DIRECT_METHODS];
	char h1[32], h2[32];

	for (int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		b[m] = atomic_load(&totals.by_method[m]);
	if (arg_stats == STATS_JSON) {
		stats_json(b, secs);
		return;
	}
	out("%s: %llu files, %llu directories, %llu symlinks, %llu other files: %s in %.2f s "
	    "(%s/s)\n",
	    program_name, (unsigned long long)totals.files, (unsigned long long)totals.dirs,
	    (unsigned long long)totals.links, (unsigned long long)totals.others,
	    human(totals.bytes, h1, sizeof(h1)), secs,
	    human(secs > 0 ? totals.bytes / secs : 0, h2, sizeof(h2)));
	out("%s: bytes cloned %llu, offloaded %llu, spliced %llu, copied %llu; holes kept "
	    "%llu; %llu errors\n",
	    program_name, (unsigned long long)cloned(b), (unsigned long long)offloaded(b),
	    (unsigned long long)spliced(b), (unsigned long long)copied(b),
	    (unsigned long long)totals.holes, (unsigned long long)totals.errors);
}
