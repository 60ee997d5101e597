/* SPDX-License-Identifier: MIT */
/*
 * sdcp_opts_fuzz.c - libFuzzer target: sdcp's command line (tools/sdcp/opts.c, with msg.c for
 * its messages and quoting), built unchanged.
 *
 * parse_options() ends the process on a bad command line (exit(1) after "Try --help") and on
 * --help/--version (exit(0)). fuzz/run compiles opts.c and msg.c with -Dexit=sdfuzz_exit,
 * which longjmps back here; xstrdup/free are redirected the same way so that the copy
 * set_keep() holds when argmatch() bails out is freed, not reported as a leak.
 *
 * Two kinds of input, chosen by the first byte:
 *   even: the rest, split at NUL bytes, is argv[1..] (at most 64 arguments). After a parse
 *         that returns, the globals must be consistent (see check_state()).
 *   odd:  the rest is the value of --chunk-size=; the result must be what an independent
 *         parser with 128-bit arithmetic says: [spaces][+]digits[KkMmGg], 1 .. 2^64 - 1, or
 *         a refusal. (strtoull's leading spaces and '+' are accepted; a '-' never.)
 *         SD_FUZZ_LAX_SIZE=1 turns this check off.
 * Any broken rule aborts with a description.
 */
#include <ctype.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdcp.h"

/* msg.c's fail() counts errors in report.c's totals */
struct totals totals;

static jmp_buf back;
static int exited, exit_code;

void sdfuzz_exit(int code) __attribute__((noreturn));
void sdfuzz_exit(int code)
{
	exited = 1;
	exit_code = code;
	longjmp(back, 1);
}

/* The strings opts.c duplicated and has not freed yet (a longjmp skips its free). */
#define LIVE 64
static void *live[LIVE];

char *sdfuzz_xstrdup(const char *s);
char *sdfuzz_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	for (int i = 0; i < LIVE; i++) {
		if (!live[i]) {
			live[i] = p;
			return p;
		}
	}
	abort(); /* opts.c never holds more than one */
}

void sdfuzz_free(void *p);
void sdfuzz_free(void *p)
{
	for (int i = 0; p && i < LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
	free(p);
}

static void reset(void)
{
	opts_reset();
	exited = exit_code = 0;
	/* glibc: optind 0 restarts getopt from scratch, also its state within an argument */
	optind = 0;
	opterr = 1;
}

static void freed_all(void)
{
	for (int i = 0; i < LIVE; i++) {
		free(live[i]);
		live[i] = NULL;
	}
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "sdcp_opts_fuzz: broken rule: %s\n", #cond);               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_state(int first, int argc)
{
	CHECK(first >= 1 && first <= argc);
	CHECK(arg_jobs >= 0 && arg_jobs <= 1024); /* 0: no -j, start_jobs() decides */
	CHECK(arg_deref == DEREF_NEVER || arg_deref == DEREF_ARGS || arg_deref == DEREF_ALWAYS);
	CHECK(arg_suffix && *arg_suffix && !strchr(arg_suffix, '/'));
	CHECK(arg_chunk > 0);
	CHECK(arg_backup >= BACKUP_NONE && arg_backup <= BACKUP_NUMBERED);
	CHECK(arg_update >= UPDATE_ALL && arg_update <= UPDATE_OLDER);
	CHECK(arg_sparse >= SPARSE_AUTO && arg_sparse <= SPARSE_ALWAYS);
	CHECK(arg_reflink >= REFLINK_AUTO && arg_reflink <= REFLINK_NEVER);
	CHECK(arg_clobber >= CLOBBER_YES && arg_clobber <= CLOBBER_NO);
	CHECK(!(arg_hard_link && arg_symbolic_link));
	CHECK(!(arg_reflink == REFLINK_ALWAYS && arg_sparse != SPARSE_AUTO));
	/* questions are asked one at a time */
	CHECK(arg_clobber != CLOBBER_ASK || arg_jobs == 1);
	CHECK(!arg_debug || arg_verbose);
}

/* The reference for --chunk-size: 0 (refused) or the size. */
static uint64_t ref_size(const char *s)
{
	unsigned __int128 v = 0;
	int digits = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX)
			return 0;
	}
	if (!digits)
		return 0;
	switch (*s) {
	case 'K':
	case 'k':
		v <<= 10, s++;
		break;
	case 'M':
	case 'm':
		v <<= 20, s++;
		break;
	case 'G':
	case 'g':
		v <<= 30, s++;
		break;
	}
	if (*s || v > UINT64_MAX)
		return 0;
	return (uint64_t)v;
}

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_ARGS + 2], *chunk_arg = NULL;
	int argc = 0, first = -1, size_mode;
	uint64_t want = 0;

	if (size < 1 || size > 4096)
		return 0;
	size_mode = data[0] & 1;
	buf = malloc(size + 32);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';

	argv[argc++] = "sdcp";
	if (size_mode) {
		/* a NUL inside ends the value, as it would in a real argv */
		want = ref_size(buf);
		chunk_arg = malloc(strlen(buf) + 16);
		if (!chunk_arg) {
			free(buf);
			return 0;
		}
		sprintf(chunk_arg, "--chunk-size=%s", buf);
		argv[argc++] = chunk_arg;
		argv[argc++] = "a";
		argv[argc++] = "b";
	} else {
		for (char *p = buf; p < buf + size - 1 && argc <= MAX_ARGS;) {
			argv[argc++] = p;
			p += strlen(p) + 1;
		}
	}
	argv[argc] = NULL;

	reset();
	if (!setjmp(back))
		first = parse_options(argc, argv);

	if (!exited)
		check_state(first, argc);
	else
		CHECK(exit_code == 0 || exit_code == 1);
	if (size_mode && !getenv("SD_FUZZ_LAX_SIZE")) {
		if (!exited && arg_chunk != want) {
			fprintf(stderr,
				"sdcp_opts_fuzz: --chunk-size=%s gives %llu, the reference %llu\n",
				buf, (unsigned long long)arg_chunk, (unsigned long long)want);
			abort();
		}
		if (exited && want) {
			fprintf(stderr,
				"sdcp_opts_fuzz: --chunk-size=%s refused, the reference %llu\n",
				buf, (unsigned long long)want);
			abort();
		}
	}
	freed_all();
	free(chunk_arg);
	free(buf);
	return 0;
}
