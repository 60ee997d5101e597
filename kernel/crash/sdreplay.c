// SPDX-License-Identifier: MIT
/*
 * sdreplay - read and replay a log of device-mapper's log-writes target.
 *
 *   sdreplay LOG                      every entry: index, flags, sector, sectors, mark
 *   sdreplay LOG points [MARK]        the crash points after MARK (or from the start): the
 *                                     index of every FLUSH or FUA entry, one per line
 *   sdreplay LOG mark NAME            the index of the mark NAME
 *   sdreplay LOG replay DEV FROM TO   write entries FROM..TO (both included) onto DEV
 *
 * The format (Documentation/admin-guide/device-mapper/log-writes.rst, drivers/md/
 * dm-log-writes.c): a super block in the first sector (magic, version, entries, sector size),
 * then for each entry one sector holding its header (sector, sectors, flags, data length; a
 * mark's name follows the header) and, unless it is a discard, its data. Sectors are the data
 * device's logical blocks. The log holds a write only once a flush that followed its
 * completion completed (or at once for FUA): replaying up to a FLUSH or FUA entry gives what
 * the device held at that moment, in the order that a power cut could have left it.
 *
 * A discard is replayed as zeros: what a discarded range reads is not defined, and zeros make
 * every replay the same.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_FLUSH    (1u << 0)
#define LOG_FUA	     (1u << 1)
#define LOG_DISCARD  (1u << 2)
#define LOG_MARK     (1u << 3)
#define LOG_METADATA (1u << 4)
#define LOG_MAGIC    0x6a736677736872ull
#define LOG_VERSION  1ull

struct entry {
	uint64_t sector, sectors, flags, data_len;
	uint64_t at; /* byte offset of its header in the log */
	char mark[64];
};

static const char *prog = "sdreplay";
static struct entry *entries;
static uint64_t nentries, bsize;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n != (ssize_t)len)
		die("log: read of %zu bytes at %" PRIu64 ": %s", len, off,
		    n < 0 ? strerror(errno) : "short read");
}

/* Read the super block and every entry's header. */
static void load(int fd)
{
	unsigned char sb[4096];
	uint64_t magic, version, at;
	uint32_t size;

	read_at(fd, sb, 512, 0);
	memcpy(&magic, sb, 8);
	memcpy(&version, sb + 8, 8);
	memcpy(&nentries, sb + 16, 8);
	memcpy(&size, sb + 24, 4);
	magic = le64toh(magic), version = le64toh(version), nentries = le64toh(nentries);
	bsize = le32toh(size);
	if (magic != LOG_MAGIC)
		die("log: no log-writes super block (magic %#" PRIx64 ")", magic);
	if (version != LOG_VERSION)
		die("log: version %" PRIu64 ", this tool reads version 1", version);
	if (bsize < 512 || bsize > sizeof(sb) || bsize % 512)
		die("log: sector size %" PRIu64, bsize);
	entries = calloc(nentries ? nentries : 1, sizeof(*entries));
	if (!entries)
		die("out of memory for %" PRIu64 " entries", nentries);
	at = bsize;
	for (uint64_t i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		uint64_t h[4];

		read_at(fd, sb, bsize, at);
		memcpy(h, sb, sizeof(h));
		e->sector = le64toh(h[0]), e->sectors = le64toh(h[1]);
		e->flags = le64toh(h[2]), e->data_len = le64toh(h[3]);
		e->at = at;
		if (e->flags & LOG_MARK) {
			size_t n =
				e->data_len < sizeof(e->mark) ? e->data_len : sizeof(e->mark) - 1;

			memcpy(e->mark, sb + sizeof(h), n);
			e->mark[n] = 0;
		}
		at += bsize;
		if (!(e->flags & LOG_DISCARD))
			at += e->sectors * bsize;
	}
}

static uint64_t find_mark(const char *name)
{
	for (uint64_t i = 0; i < nentries; i++)
		if ((entries[i].flags & LOG_MARK) && strcmp(entries[i].mark, name) == 0)
			return i;
	die("log: no mark '%s'", name);
}

/* An entry's flags as letters: F flush, U FUA, D discard, M mark, m metadata; W a plain write. */
static const char *letters(uint64_t flags)
{
	static const char names[] = "FUDMm";
	static char out[8];
	size_t n = 0;

	for (unsigned int b = 0; b < 5; b++)
		if (flags & (1u << b))
			out[n++] = names[b];
	if (!n)
		out[n++] = 'W';
	out[n] = 0;
	return out;
}

static void list(void)
{
	for (uint64_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];

		printf("%" PRIu64 " %s %" PRIu64 " %" PRIu64 "%s%s\n", i, letters(e->flags),
		       e->sector, e->sectors, *e->mark ? " " : "", e->mark);
	}
}

static void replay(int log, const char *dev, uint64_t from, uint64_t to)
{
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	int fd = open(dev, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", dev, strerror(errno));
	if (!buf)
		die("out of memory");
	if (to >= nentries)
		die("log: %" PRIu64 " entries, no entry %" PRIu64, nentries, to);
	for (uint64_t i = from; i <= to; i++) {
		const struct entry *e = &entries[i];
		uint64_t len = e->sectors * bsize, done = 0;

		if (e->flags & LOG_MARK || !len)
			continue;
		while (done < len) {
			size_t n = len - done < cap ? (size_t)(len - done) : cap;

			if (e->flags & LOG_DISCARD)
				memset(buf, 0, n);
			else
				read_at(log, buf, n, e->at + bsize + done);
			if (pwrite(fd, buf, n, (off_t)(e->sector * bsize + done)) != (ssize_t)n)
				die("%s: write at sector %" PRIu64 ": %s", dev, e->sector,
				    strerror(errno));
			done += n;
		}
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		die("%s: %s", dev, strerror(errno));
	free(buf);
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		die("not an entry number: '%s'", s);
	return v;
}

int main(int argc, char **argv)
{
	int log;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: %s LOG | LOG points [MARK] | LOG mark NAME | LOG replay DEV FROM "
			"TO\n",
			prog);
		return argc < 2 ? 2 : 0;
	}
	log = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (log < 0)
		die("%s: %s", argv[1], strerror(errno));
	load(log);
	if (argc == 2) {
		list();
	} else if (strcmp(argv[2], "points") == 0 && argc <= 4) {
		for (uint64_t i = argc == 4 ? find_mark(argv[3]) + 1 : 0; i < nentries; i++)
			if (entries[i].flags & (LOG_FLUSH | LOG_FUA))
				printf("%" PRIu64 "\n", i);
	} else if (strcmp(argv[2], "mark") == 0 && argc == 4) {
		printf("%" PRIu64 "\n", find_mark(argv[3]));
	} else if (strcmp(argv[2], "replay") == 0 && argc == 6) {
		replay(log, argv[3], number(argv[4]), number(argv[5]));
	} else {
		die("unknown command '%s' (see --help)", argv[2]);
	}
	return 0;
}
