/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the command line: GNU cp 9.1's options (getopt_long, so abbreviations and its
 * messages come for free), newer cp's --update=WHEN and --debug, and sdcp's own options.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdcp.h"

/* The options: their defaults are opts_reset()'s, and only there. */
int arg_recursive, arg_deref, arg_force, arg_clobber, arg_update, arg_verbose;
int arg_hard_link, arg_symbolic_link, arg_one_fs, arg_no_target_dir;
const char *arg_target_dir;
int arg_backup;
const char *arg_suffix;
int arg_copy_contents, arg_strip_slashes, arg_reflink, arg_sparse, arg_remove_dest;
int arg_attributes_only, arg_parents, arg_debug, arg_stats, arg_progress, arg_atomic;
int arg_verify, arg_nocache, arg_jobs;
uint64_t arg_chunk;
int arg_chunk_given; /* --chunk-size: split wherever the size allows */
int arg_keep_mode, arg_keep_owner, arg_keep_times, arg_keep_links, arg_keep_xattr, arg_archive;
int arg_require_keep;
int arg_keep_context, arg_no_keep_mode;

void opts_reset(void)
{
	arg_recursive = 0;
	arg_deref = DEREF_UNSET;
	arg_force = 0;
	arg_clobber = CLOBBER_YES;
	arg_update = UPDATE_ALL;
	arg_verbose = 0;
	arg_hard_link = arg_symbolic_link = arg_one_fs = arg_no_target_dir = 0;
	arg_target_dir = NULL;
	arg_backup = BACKUP_NONE;
	arg_suffix = NULL;
	arg_copy_contents = arg_strip_slashes = 0;
	arg_reflink = REFLINK_AUTO;
	arg_sparse = SPARSE_AUTO;
	arg_remove_dest = arg_attributes_only = arg_parents = arg_debug = 0;
	arg_stats = STATS_NONE;
	arg_progress = arg_atomic = arg_verify = arg_nocache = 0;
	arg_jobs = 0; /* no -j: start_jobs() decides */
	arg_chunk = 256ull << 20;
	arg_chunk_given = 0;
	arg_keep_mode = arg_keep_owner = arg_keep_times = arg_keep_links = arg_keep_xattr = 0;
	arg_archive = arg_require_keep = 0;
	arg_keep_context = arg_no_keep_mode = 0;
}

enum {
	OPT_ATTRIBUTES_ONLY = 256,
	OPT_BACKUP,
	OPT_COPY_CONTENTS,
	OPT_NO_PRESERVE,
	OPT_PARENTS,
	OPT_PRESERVE,
	OPT_REFLINK,
	OPT_REMOVE_DEST,
	OPT_SPARSE,
	OPT_STRIP_SLASHES,
	OPT_UPDATE,
	OPT_CONTEXT,
	OPT_DEBUG,
	OPT_HELP,
	OPT_VERSION,
	OPT_PROGRESS,
	OPT_STATS,
	OPT_ATOMIC,
	OPT_VERIFY,
	OPT_NOCACHE,
	OPT_CHUNK,
};

static const struct option longopts[] = {
	{"archive", no_argument, NULL, 'a'},
	{"attributes-only", no_argument, NULL, OPT_ATTRIBUTES_ONLY},
	{"backup", optional_argument, NULL, OPT_BACKUP},
	{"copy-contents", no_argument, NULL, OPT_COPY_CONTENTS},
	{"dereference", no_argument, NULL, 'L'},
	{"force", no_argument, NULL, 'f'},
	{"interactive", no_argument, NULL, 'i'},
	{"link", no_argument, NULL, 'l'},
	{"no-clobber", no_argument, NULL, 'n'},
	{"no-dereference", no_argument, NULL, 'P'},
	{"no-preserve", required_argument, NULL, OPT_NO_PRESERVE},
	{"no-target-directory", no_argument, NULL, 'T'},
	{"one-file-system", no_argument, NULL, 'x'},
	{"parents", no_argument, NULL, OPT_PARENTS},
	{"path", no_argument, NULL, OPT_PARENTS}, /* cp's old name, still accepted */
	{"preserve", optional_argument, NULL, OPT_PRESERVE},
	{"recursive", no_argument, NULL, 'R'},
	{"remove-destination", no_argument, NULL, OPT_REMOVE_DEST},
	{"sparse", required_argument, NULL, OPT_SPARSE},
	{"reflink", optional_argument, NULL, OPT_REFLINK},
	{"strip-trailing-slashes", no_argument, NULL, OPT_STRIP_SLASHES},
	{"suffix", required_argument, NULL, 'S'},
	{"symbolic-link", no_argument, NULL, 's'},
	{"target-directory", required_argument, NULL, 't'},
	{"update", optional_argument, NULL, OPT_UPDATE},
	{"verbose", no_argument, NULL, 'v'},
	{"context", optional_argument, NULL, OPT_CONTEXT},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	/* not in cp 9.1: newer cp's, then sdcp's own (prefer_cp_names() starts here) */
	{"debug", no_argument, NULL, OPT_DEBUG},
	{"jobs", required_argument, NULL, 'j'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"stats", optional_argument, NULL, OPT_STATS},
	{"atomic", no_argument, NULL, OPT_ATOMIC},
	{"verify", no_argument, NULL, OPT_VERIFY},
	{"nocache", no_argument, NULL, OPT_NOCACHE},
	{"chunk-size", required_argument, NULL, OPT_CHUNK},
	{NULL, 0, NULL, 0},
};

/* gnulib's argmatch, as cp uses it: exact name, or an unambiguous prefix. */
struct choice {
	const char *name;
	int value;
};

static const char *lq(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") ? "'" : "\xe2\x80\x98";
}

static const char *rq(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") ? "'" : "\xe2\x80\x99";
}

static int argmatch(const char *what, const char *arg, const struct choice *c)
{
	size_t n = strlen(arg);
	int found = -1, ambiguous = 0;

	for (int i = 0; c[i].name; i++) {
		if (!strcmp(c[i].name, arg))
			return c[i].value;
		if (!strncmp(c[i].name, arg, n)) {
			if (found >= 0 && c[found].value != c[i].value)
				ambiguous = 1;
			else if (found < 0)
				found = i;
		}
	}
	if (found >= 0 && !ambiguous && n)
		return c[found].value;
	fprintf(stderr, "%s: %s argument %s%s%s for %s%s%s\n", program_name,
		ambiguous ? "ambiguous" : "invalid", lq(), arg, rq(), lq(), what, rq());
	fprintf(stderr, "Valid arguments are:");
	for (int i = 0; c[i].name; i++) {
		if (i && c[i].value == c[i - 1].value)
			fprintf(stderr, ", %s%s%s", lq(), c[i].name, rq());
		else
			fprintf(stderr, "\n  - %s%s%s", lq(), c[i].name, rq());
	}
	fputc('\n', stderr);
	try_help();
}

static const struct choice backups[] = {
	{"none", BACKUP_NONE},	       {"off", BACKUP_NONE},	      {"simple", BACKUP_SIMPLE},
	{"never", BACKUP_SIMPLE},      {"existing", BACKUP_EXISTING}, {"nil", BACKUP_EXISTING},
	{"numbered", BACKUP_NUMBERED}, {"t", BACKUP_NUMBERED},	      {NULL, 0},
};

static const struct choice reflinks[] = {
	{"auto", REFLINK_AUTO}, {"always", REFLINK_ALWAYS}, {"never", REFLINK_NEVER}, {NULL, 0}};

static const struct choice sparses[] = {
	{"never", SPARSE_NEVER}, {"auto", SPARSE_AUTO}, {"always", SPARSE_ALWAYS}, {NULL, 0}};

static const struct choice stats_formats[] = {
	{"text", STATS_TEXT}, {"json", STATS_JSON}, {NULL, 0}};

static const struct choice updates[] = {{"all", UPDATE_ALL},
					{"none", UPDATE_NONE},
					{"none-fail", UPDATE_NONE_FAIL},
					{"older", UPDATE_OLDER},
					{NULL, 0}};

enum { K_MODE = 1, K_TIMES = 2, K_OWNER = 4, K_LINKS = 8, K_CONTEXT = 16, K_XATTR = 32 };

static const struct choice keeps[] = {{"mode", K_MODE},
				      {"timestamps", K_TIMES},
				      {"ownership", K_OWNER},
				      {"links", K_LINKS},
				      {"context", K_CONTEXT},
				      {"xattr", K_XATTR},
				      {"all", -1},
				      {NULL, 0}};

/* --preserve=LIST (on = 2: asked for by name, so failures are reported) or --no-preserve. */
static void set_keep(const char *what, const char *list, int on)
{
	char *copy = xstrdup(list), *rest = copy, *w;

	/* every word counts, an empty one too (cp calls "" ambiguous: "--preserve=mode,") */
	while ((w = strsep(&rest, ","))) {
		int k = argmatch(what, w, keeps);

		if (k & K_MODE) {
			arg_keep_mode = on;
			arg_no_keep_mode = !on;
		}
		if (k & K_TIMES)
			arg_keep_times = on;
		if (k & K_OWNER)
			arg_keep_owner = on;
		if (k & K_LINKS)
			arg_keep_links = on;
		/* "all" keeps context and xattrs where it can, quietly, as cp does */
		if (k & K_CONTEXT)
			arg_keep_context = on && k != -1 ? 2 : on ? 1 : 0;
		if (k & K_XATTR)
			arg_keep_xattr = on && k != -1 ? 2 : on ? 1 : 0;
	}
	free(copy);
}

/* --help and --version end here: output that could not be written is an error (as GNU's
 * close_stdout has it: "cp --help >/dev/full" fails). */
static void printed(void)
{
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		say(errno, "write error");
		exit(1);
	}
	exit(0);
}

static void usage(void)
{
	const char *p = program_name;

	printf("Usage: %s [OPTION]... [-T] SOURCE DEST\n"
	       "  or:  %s [OPTION]... SOURCE... DIRECTORY\n"
	       "  or:  %s [OPTION]... -t DIRECTORY SOURCE...\n",
	       p, p, p);
	fputs("Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY, moving the bytes the\n"
	      "fastest way the filesystems allow (clone, offload, splice, then read/write).\n"
	      "\n"
	      "Mandatory arguments to long options are mandatory for short options too.\n"
	      "  -a, --archive                same as -dR --preserve=all\n"
	      "      --attributes-only        copy the attributes only, not the file data\n"
	      "      --backup[=CONTROL]       back up each destination file that exists\n"
	      "  -b                           like --backup, without an argument\n"
	      "      --copy-contents          with -R, copy what special files contain\n"
	      "  -d                           same as --no-dereference --preserve=links\n"
	      "      --debug                  say, per file, how its bytes were moved\n"
	      "  -f, --force                  when an existing destination cannot be\n"
	      "                                 opened, remove it and try again (ignored\n"
	      "                                 with -n)\n"
	      "  -i, --interactive            ask before overwriting (cancels an earlier -n)\n"
	      "  -H                           follow symbolic links named as SOURCE\n"
	      "  -l, --link                   make hard links instead of copies\n"
	      "  -L, --dereference            always follow symbolic links in SOURCE\n"
	      "  -n, --no-clobber             never overwrite an existing file (cancels an\n"
	      "                                 earlier -i)\n"
	      "  -P, --no-dereference         never follow symbolic links in SOURCE\n"
	      "  -p                           same as --preserve=mode,ownership,timestamps\n"
	      "      --preserve[=ATTR_LIST]   keep these attributes (default:\n"
	      "                                 mode,ownership,timestamps) where possible;\n"
	      "                                 more: context, links, xattr, all\n"
	      "      --no-preserve=ATTR_LIST  do not keep these attributes\n"
	      "      --parents                append the whole SOURCE name to DIRECTORY\n"
	      "  -R, -r, --recursive          copy directories and their contents\n"
	      "      --reflink[=WHEN]         when to share data blocks (clone); see below\n"
	      "      --remove-destination     remove each existing destination before\n"
	      "                                 opening it (compare --force)\n"
	      "      --sparse=WHEN            when to make sparse files; see below\n"
	      "      --strip-trailing-slashes  drop trailing slashes from each SOURCE\n"
	      "  -s, --symbolic-link          make symbolic links instead of copies\n"
	      "  -S, --suffix=SUFFIX          the backup suffix instead of the usual one\n"
	      "  -t, --target-directory=DIRECTORY  copy every SOURCE into DIRECTORY\n"
	      "  -T, --no-target-directory    DEST is a file name, never a folder to copy into\n"
	      "  -u                           same as --update=older\n"
	      "      --update[=UPDATE]        which existing files to replace; UPDATE is\n"
	      "                                 all (default without the option), none,\n"
	      "                                 none-fail, or older (default with it)\n"
	      "  -v, --verbose                say what is done\n"
	      "  -x, --one-file-system        stay on the file systems of each SOURCE\n"
	      "  -Z                           give destination files the default SELinux\n"
	      "                                 context (nothing without SELinux)\n"
	      "      --context[=CTX]          like -Z, or set the SELinux or SMACK context\n"
	      "                                 to CTX\n"
	      "\n"
	      "sdcp's own options:\n"
	      "  -j, --jobs=N                 copy with N worker threads (default: one per CPU,\n"
	      "                                 at least 8 on NFS, SMB and Ceph)\n"
	      "      --progress               show a progress bar on a terminal\n"
	      "      --stats[=FORMAT]         print a summary at the end: FORMAT is text\n"
	      "                                 (the default) or json, one object\n"
	      "      --atomic                 write each file under a temporary name in its\n"
	      "                                 folder, then rename it into place\n"
	      "      --verify                 read source and copy back and compare them\n"
	      "      --nocache                leave the page cache as it was found\n"
	      "      --chunk-size=SIZE        split files of twice SIZE or more into jobs of\n"
	      "                                 SIZE bytes (suffixes K, M, G; default 256M;\n"
	      "                                 without it, only files that can move in\n"
	      "                                 parts at once, see sdcp(1))\n"
	      "      --help        display this help and exit\n"
	      "      --version     output version information and exit\n"
	      "\n"
	      "Holes of sparse SOURCE files stay holes in DEST; that is --sparse=auto.\n"
	      "--sparse=always also turns long runs of zero bytes into holes, and\n"
	      "--sparse=never writes every zero.\n"
	      "\n"
	      "--reflink or --reflink=always shares the data blocks (a clone): a block is\n"
	      "copied only when one of the files changes it; where that is impossible the\n"
	      "copy fails. --reflink=auto (the default) clones where it can and copies\n"
	      "otherwise; --reflink=never always makes an independent copy.\n"
	      "\n"
	      "The backup suffix is '~', unless set with --suffix or SIMPLE_BACKUP_SUFFIX.\n"
	      "The version control method may be selected via the --backup option or through\n"
	      "the VERSION_CONTROL environment variable.  Here are the values:\n"
	      "\n"
	      "  none, off       never make backups (even if --backup is given)\n"
	      "  numbered, t     make numbered backups\n"
	      "  existing, nil   numbered if numbered backups exist, simple otherwise\n"
	      "  simple, never   always make simple backups\n"
	      "\n"
	      "As a special case, a backup of SOURCE is made when the force and backup\n"
	      "options are given and SOURCE and DEST are the same name for an existing,\n"
	      "regular file.\n",
	      stdout);
	printed();
}

static void version(void)
{
	printf("sdcp (splice-direct) %s\n"
	       "Copyright (C) 2026 the splice-direct authors.\n"
	       "License MIT: <https://opensource.org/licenses/MIT>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n",
	       SDCP_VERSION);
	printed();
}

static uint64_t parse_size(const char *s)
{
	const char *p = s;
	unsigned int shift = 0;
	char *end;
	unsigned long long v;

	while (isspace((unsigned char)*p)) /* strtoull skips them too: " -1" is negative */
		p++;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || end == p || *p == '-')
		goto bad;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift) {
		if (v > UINT64_MAX >> shift) /* would wrap around */
			goto bad;
		v <<= shift;
		end++;
	}
	if (*end || !v)
		goto bad;
	return v;
bad:
	say(0, "invalid size: %s", quote(s));
	try_help();
}

static const char shortopts[] = "abdfHij:lLnprst:uvxPRS:TZ";

/*
 * An abbreviation cp takes for one of its options stays that option, though it may also
 * begin one of sdcp's own ("--pr" is --preserve, not also --progress; "--st" is
 * --strip-trailing-slashes): such a word is written out in full before getopt sees it. The
 * walk skips option arguments, and stops where getopt would stop (at "--", and at the first
 * operand under POSIXLY_CORRECT).
 */
static void prefer_cp_names(int argc, char **argv)
{
	/* the words written out, kept (and freed when a command line is parsed again) */
	static char **made;
	static int nmade;
	const struct option *own = longopts;
	int posix = getenv("POSIXLY_CORRECT") != NULL;

	while (nmade)
		free(made[--nmade]);
	free(made);
	made = xmalloc((argc + 1) * sizeof(*made));

	while (strcmp(own->name, "debug"))
		own++;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct option *cp_hit = NULL, *exact = NULL;
		size_t len;
		int others = 0, ncp = 0;
		const struct option *cps[8];

		if (!strcmp(a, "--"))
			return;
		if (a[0] != '-' || !a[1]) {
			if (posix)
				return;
			continue;
		}
		if (a[1] != '-') { /* -abc: an option taking an argument ends the cluster */
			for (const char *c = a + 1; *c; c++) {
				const char *o = strchr(shortopts, *c);

				if (o && o[1] == ':') {
					i += !c[1];
					break;
				}
			}
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (const struct option *o = longopts; o->name; o++) {
			if (strncmp(o->name, a + 2, len))
				continue;
			if (strlen(o->name) == len) {
				exact = o;
				break;
			}
			if (o < own && (!cp_hit || cp_hit->val == o->val)) {
				cp_hit = cp_hit ? cp_hit : o;
			} else if (o < own) {
				others |= 2; /* ambiguous among cp's own */
			} else {
				others |= 1;
				continue;
			}
			if (ncp < 8 && !(ncp && cps[ncp - 1]->val == o->val))
				cps[ncp++] = o;
		}
		if (!exact && others == 3) {
			/* cp's words: its own possibilities, not ours */
			fprintf(stderr,
				"%s: option '%s' is ambiguous; possibilities:", program_name, a);
			for (int k = 0; k < ncp; k++)
				fprintf(stderr, " '--%s'", cps[k]->name);
			fputc('\n', stderr);
			try_help();
		}
		if (!exact && cp_hit && others == 1) {
			char *full;

			if (asprintf(&full, "--%s%s", cp_hit->name, eq ? eq : "") < 0)
				return;
			argv[i] = made[nmade++] = full;
			exact = cp_hit;
		}
		if (exact && exact->has_arg == required_argument && !eq)
			i++;
	}
}

/* What the options say besides the arg_* globals, until parse_options() settles it. */
struct parse_state {
	int make_backup;
	const char *backup_arg, *ctx;
};

/* The long options that go with no short one: cp's, then sdcp's own; --help, --version. */
static void take_long_option(int c, struct parse_state *ps)
{
	switch (c) {
	case OPT_CONTEXT:
		ps->ctx = optarg;
		break;
	case OPT_ATTRIBUTES_ONLY:
		arg_attributes_only = 1;
		break;
	case OPT_COPY_CONTENTS:
		arg_copy_contents = 1;
		break;
	case OPT_PARENTS:
		arg_parents = 1;
		break;
	case OPT_REFLINK:
		arg_reflink = optarg ? argmatch("--reflink", optarg, reflinks) : REFLINK_ALWAYS;
		break;
	case OPT_REMOVE_DEST:
		arg_remove_dest = 1;
		break;
	case OPT_SPARSE:
		arg_sparse = argmatch("--sparse", optarg, sparses);
		break;
	case OPT_STRIP_SLASHES:
		arg_strip_slashes = 1;
		break;
	case OPT_DEBUG:
		arg_debug = 1;
		arg_verbose = 1;
		break;
	case OPT_PROGRESS:
		arg_progress = 1;
		break;
	case OPT_STATS:
		arg_stats = optarg ? argmatch("--stats", optarg, stats_formats) : STATS_TEXT;
		break;
	case OPT_ATOMIC:
		arg_atomic = 1;
		break;
	case OPT_VERIFY:
		arg_verify = 1;
		break;
	case OPT_NOCACHE:
		arg_nocache = 1;
		break;
	case OPT_CHUNK:
		arg_chunk = parse_size(optarg);
		arg_chunk_given = 1;
		break;
	case OPT_HELP:
		usage();
		break;
	case OPT_VERSION:
		version();
		break;
	default:
		try_help();
	}
}

/*
 * One option from getopt_long(): the short ones and the long ones that go with them (--backup
 * with -b, --preserve and --no-preserve with -p, --update with -u); the rest below.
 */
static void take_option(int c, struct parse_state *ps)
{
	switch (c) {
	case 'a':
		arg_deref = DEREF_NEVER;
		arg_recursive = 1;
		arg_keep_mode = arg_keep_owner = arg_keep_times = arg_keep_links = 1;
		arg_keep_xattr = arg_keep_context = 1;
		arg_archive = arg_require_keep = 1;
		break;
	case 'b':
		ps->make_backup = 1;
		break;
	case OPT_BACKUP:
		ps->make_backup = 1;
		ps->backup_arg = optarg;
		break;
	case 'd':
		arg_deref = DEREF_NEVER;
		arg_keep_links = 1;
		break;
	case 'f':
		arg_force = 1;
		break;
	case 'H':
		arg_deref = DEREF_ARGS;
		break;
	case 'i':
		arg_clobber = CLOBBER_ASK;
		break;
	case 'j': {
		char *end;
		long n = strtol(optarg, &end, 10);

		if (*end || end == optarg || n < 1 || n > 1024) {
			say(0, "invalid number of jobs: %s", quote(optarg));
			try_help();
		}
		arg_jobs = n;
		break;
	}
	case 'l':
		arg_hard_link = 1;
		break;
	case 'L':
		arg_deref = DEREF_ALWAYS;
		break;
	case 'n':
		arg_clobber = CLOBBER_NO;
		break;
	case 'P':
		arg_deref = DEREF_NEVER;
		break;
	case 'p':
		arg_keep_mode = arg_keep_owner = arg_keep_times = 1;
		arg_require_keep = 1;
		break;
	case OPT_PRESERVE:
		arg_require_keep = 1;
		set_keep("--preserve", optarg ? optarg : "mode,ownership,timestamps", 2);
		break;
	case OPT_NO_PRESERVE:
		set_keep("--no-preserve", optarg, 0);
		break;
	case 'r':
	case 'R':
		arg_recursive = 1;
		break;
	case 's':
		arg_symbolic_link = 1;
		break;
	case 't':
		if (arg_target_dir) {
			say(0, "multiple target directories specified");
			exit(1);
		}
		arg_target_dir = optarg;
		break;
	case 'T':
		arg_no_target_dir = 1;
		break;
	case 'u':
		arg_update = UPDATE_OLDER;
		break;
	case OPT_UPDATE:
		arg_update = optarg ? argmatch("--update", optarg, updates) : UPDATE_OLDER;
		break;
	case 'v':
		arg_verbose = 1;
		break;
	case 'x':
		arg_one_fs = 1;
		break;
	case 'S':
		ps->make_backup = 1;
		arg_suffix = optarg;
		break;
	case 'Z':
		break;
	default:
		take_long_option(c, ps);
	}
}

/* The combinations cp refuses. */
static void check_options(const struct parse_state *ps)
{
	if (arg_hard_link && arg_symbolic_link) {
		say(0, "cannot make both hard and symbolic links");
		try_help();
	}
	if (ps->make_backup && arg_clobber == CLOBBER_NO) {
		say(0, "options --backup and --no-clobber are mutually exclusive");
		try_help();
	}
	/* newer cp's refusal, in its words: a backup of a file never replaced makes no sense */
	if (ps->make_backup && (arg_update == UPDATE_NONE || arg_update == UPDATE_NONE_FAIL)) {
		say(0, "--backup is mutually exclusive with -n or --update=none-fail");
		try_help();
	}
	if (arg_reflink == REFLINK_ALWAYS && arg_sparse != SPARSE_AUTO) {
		say(0, "--reflink can be used only with --sparse=auto");
		try_help();
	}
}

/* What follows from all the options: the backup type and suffix, -R's symlinks, -j. */
static void settle_options(const struct parse_state *ps)
{
	if (ps->make_backup) {
		const char *vc = getenv("VERSION_CONTROL");

		if (ps->backup_arg && *ps->backup_arg) /* "--backup=" is as -b */
			arg_backup = argmatch("backup type", ps->backup_arg, backups);
		else if (vc && *vc)
			arg_backup = argmatch("$VERSION_CONTROL", vc, backups);
		else
			arg_backup = BACKUP_EXISTING;
	}
	if (!arg_suffix)
		arg_suffix = getenv("SIMPLE_BACKUP_SUFFIX");
	/* cp refuses a suffix with a slash in it: the backup would land elsewhere */
	if (!arg_suffix || !*arg_suffix || strchr(arg_suffix, '/'))
		arg_suffix = "~";
	if (ps->ctx)
		say(0, "warning: ignoring --context; it requires an SELinux-enabled kernel");
	/* asked for by name, a context that cannot be kept is an error, as in cp */
	if (arg_keep_context == 2 && access("/sys/fs/selinux/enforce", F_OK)) {
		say(0, "cannot preserve security context without an SELinux-enabled kernel");
		exit(1);
	}
	/* cp: -R follows no symlink unless asked; without -R, and with -l, it follows them */
	if (arg_deref == DEREF_UNSET)
		arg_deref = arg_recursive && !arg_hard_link ? DEREF_NEVER : DEREF_ALWAYS;
	/*
	 * Questions come one at a time. Messages keep cp's order with any number of workers
	 * (order.c), but which of a file's hard-linked names is copied and which linked to it is
	 * a race between workers, and -v tells: there it stays cp's by one worker, unless -j
	 * asks for speed over order.
	 */
	if (arg_clobber == CLOBBER_ASK || (arg_verbose && !arg_jobs))
		arg_jobs = 1;
}

int parse_options(int argc, char **argv)
{
	struct parse_state ps = {0, NULL, NULL};
	int c;

	prefer_cp_names(argc, argv);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		take_option(c, &ps);
	check_options(&ps);
	settle_options(&ps);
	/* no -j: start_jobs() decides, once the operands are known */
	return optind;
}

/*
 * -L follows every symlink of a source, -H only the operands' own (top). walk.c, dest.c, node.c
 * and sdcp-mpi ask alike; the answer is the options' alone, so it is kept with them.
 */
int walk_follows(int top)
{
	return arg_deref == DEREF_ALWAYS || (top && arg_deref == DEREF_ARGS);
}
