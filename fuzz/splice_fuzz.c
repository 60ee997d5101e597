/* SPDX-License-Identifier: MIT */
/*
 * splice_fuzz.c - libFuzzer target: splice_direct() against two references.
 *
 * Each input describes two small files (sizes, data/hole pattern, seed of their bytes), whether
 * the output is the input file itself, how the output is opened (O_APPEND sometimes), the
 * file positions, and up to four calls (offsets or NULL, length, flags). Every call runs three
 * times, on three identical sets of files:
 *   - splice_direct() on set L (its output sometimes on a second tmpfs, so that the
 *     library must copy between two filesystems: pipe, sendfile, rw);
 *   - the kernel's copy_file_range(2) on set K (the reference for return values, errno and
 *     offsets: within one tmpfs the kernel copies every byte, as splice_direct must);
 *   - a pread/pwrite model on in-memory images M (the reference for the bytes).
 * Any difference aborts with a description. Flags the kernel refuses but the library accepts
 * (SPLICE_F_DIRECT, NOCLONE, NOCACHE) are passed to the kernel as 0; SPLICE_F_CLONE must fail
 * on tmpfs (nothing can share extents there) and change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "splicedirect.h"

#define MAX_SIZE (64u << 10)
#define SEG	 4096u
#define CALLS	 4
/* room for the images: four calls can each append up to MAX_SIZE + SEG bytes */
#define ROOM (6 * MAX_SIZE)

static char dir[64] = "/dev/shm/sdfuzz.XXXXXX"; /* or $SD_FUZZ_DIR (fuzz/run's) */
static char path[2][2][64];			/* [set L, K][file a, b] */
static char xpath[1][80];			/* file b of set L on a second tmpfs (when root) */
static char xdir[80];
static const char *cur[2][2]; /* this input's files: b on the same tmpfs or the other */

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n)
			in->p++, in->n--;
	}
	return v;
}

static void cleanup(void);
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "splice_fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	cleanup();
	abort();
}

/* An in-memory file. */
struct image {
	uint8_t *b;
	uint64_t size;
};

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* Build the image and write it to both sets; holes (4 KiB segments) where the mask says. */
static void make(struct image *im, int which, uint64_t size, uint32_t holes, uint64_t seed)
{
	im->size = size;
	memset(im->b, 0, MAX_SIZE);
	seed |= 1;
	for (int set = 0; set < 2; set++) {
		int fd = open(cur[set][which], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
			fail("create %s: %s", cur[set][which], strerror(errno));
		close(fd);
	}
	for (uint64_t off = 0; off < size; off += SEG) {
		uint64_t n = size - off < SEG ? size - off : SEG;

		if (holes & (1u << (off / SEG % 32)))
			continue;
		for (uint64_t i = 0; i < n; i += 8) {
			uint64_t v = rng(&seed) | 0x0101010101010101ull; /* no zero byte: data */

			memcpy(im->b + off + i, &v, n - i < 8 ? n - i : 8);
		}
		for (int set = 0; set < 2; set++) {
			int fd = open(cur[set][which], O_WRONLY | O_CLOEXEC);

			if (fd < 0 || pwrite(fd, im->b + off, n, (off_t)off) != (ssize_t)n)
				fail("fill %s: %s", cur[set][which], strerror(errno));
			close(fd);
		}
	}
}

static void same_as_image(const char *p, const struct image *im, const char *what)
{
	static uint8_t buf[ROOM];
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		fail("open %s: %s", p, strerror(errno));
	if ((uint64_t)st.st_size != im->size)
		fail("%s: %s is %lld bytes, the model %llu", what, p, (long long)st.st_size,
		     (unsigned long long)im->size);
	if (im->size > sizeof(buf) || pread(fd, buf, im->size, 0) != (ssize_t)im->size)
		fail("read %s", p);
	for (uint64_t i = 0; memcmp(buf, im->b, im->size) && i < im->size; i++)
		if (buf[i] != im->b[i])
			fail("%s: %s differs from the model at %llu (%#x, not %#x)", what, p,
			     (unsigned long long)i, buf[i], im->b[i]);
	close(fd);
}

/* The model's copy: copy_file_range's result, given that the kernel accepted the call. */
static uint64_t model_copy(struct image *src, uint64_t pos_in, struct image *dst, uint64_t pos_out,
			   uint64_t len)
{
	uint64_t n;

	if (pos_in >= src->size)
		return 0;
	n = src->size - pos_in < len ? src->size - pos_in : len;
	if (pos_out + n > ROOM)
		fail("model too small: copy %llu bytes %llu -> %llu (sizes %llu %llu)",
		     (unsigned long long)n, (unsigned long long)pos_in, (unsigned long long)pos_out,
		     (unsigned long long)src->size, (unsigned long long)dst->size);
	/* ranges of one file never overlap here: the kernel refused those */
	memmove(dst->b + pos_out, src->b + pos_in, n);
	if (pos_out > dst->size)
		memset(dst->b + dst->size, 0, pos_out - dst->size);
	if (pos_out + n > dst->size)
		dst->size = pos_out + n;
	return n;
}

/*
 * A copy far past the model's room: the library's and the kernel's outputs must hold the
 * same n bytes at pos; then both are cut back to the model's size (nothing below changed).
 */
static void far_check(const char *lib_path, const char *ker_path, uint64_t pos, size_t n,
		      uint64_t size)
{
	static uint8_t a[ROOM], b[ROOM];
	int lib = open(lib_path, O_RDWR | O_CLOEXEC), ker = open(ker_path, O_RDWR | O_CLOEXEC);
	ssize_t ra = -1, rb = -1;

	if (n <= sizeof(a))
		ra = pread(lib, a, n, (off_t)pos), rb = pread(ker, b, n, (off_t)pos);
	if (ra != (ssize_t)n || rb != (ssize_t)n)
		fail("far copy of %zu bytes at %llu: read back %zd %zd: %s", n,
		     (unsigned long long)pos, ra, rb, strerror(errno));
	if (memcmp(a, b, n))
		fail("far copy of %zu bytes at %llu: the library's bytes differ", n,
		     (unsigned long long)pos);
	if (ftruncate(lib, (off_t)size) < 0 || ftruncate(ker, (off_t)size) < 0)
		fail("ftruncate: %s", strerror(errno));
	close(lib), close(ker);
}

/* Does the model hold only zeros (holes, or past the end) in [off, off + len)? */
static int zeros(const struct image *im, uint64_t off, uint64_t len)
{
	for (uint64_t i = off; i < off + len && i < im->size; i++)
		if (im->b[i])
			return 0;
	return 1;
}

static const unsigned int flag_choices[] = {
	0,
	0,
	0,
	0,
	SPLICE_F_DIRECT,
	SPLICE_F_NOCLONE,
	SPLICE_F_NOCACHE,
	SPLICE_F_NOCLONE | SPLICE_F_NOCACHE,
	SPLICE_F_CLONE,
	1,
	2,
	4,
	8,
	SPLICE_F_EXCL,
	SPLICE_F_ATOMIC,
	0x80000000u,
};

static uint64_t pick_off(struct input *in)
{
	switch (take(in, 1) % 8) {
	case 0:
		return 0;
	case 1:
		return (uint64_t)INT64_MAX - take(in, 2);
	case 2:
		return (uint64_t)-1 - take(in, 1); /* negative */
	default:
		return take(in, 3) % (MAX_SIZE + SEG);
	}
}

static uint64_t pick_len(struct input *in)
{
	switch (take(in, 1) % 8) {
	case 0:
		return 0;
	case 1:
		return SIZE_MAX;
	case 2:
		return (uint64_t)INT64_MAX - take(in, 2);
	case 3:
		return (uint64_t)1 << 31;
	default:
		return take(in, 3) % (MAX_SIZE + SEG);
	}
}

/* SD_FUZZ_SKIP_FLAGS: flags never tried (to look past a known finding). */
static unsigned int skip_flags;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (getenv("SD_FUZZ_SKIP_FLAGS"))
		skip_flags = (unsigned int)strtoul(getenv("SD_FUZZ_SKIP_FLAGS"), NULL, 0);
	const char *given = getenv("SD_FUZZ_DIR");

	if (given && snprintf(dir, sizeof(dir), "%s", given) < (int)sizeof(dir)) {
		if (mkdir(dir, 0700) < 0)
			fail("mkdir %s: %s", dir, strerror(errno));
	} else if (!mkdtemp(dir)) {
		fail("mkdtemp %s: %s", dir, strerror(errno));
	}
	for (int s = 0; s < 2; s++)
		for (int f = 0; f < 2; f++)
			snprintf(path[s][f], sizeof(path[s][f]), "%s/%c%c", dir, "LK"[s], "ab"[f]);
	/*
	 * A second tmpfs, for copies between two filesystems (the library's pipe, sendfile and
	 * rw methods): root only, in a private mount namespace that dies with the process.
	 */
	snprintf(xdir, sizeof(xdir), "%s/x", dir);
	if (geteuid() == 0 && mkdir(xdir, 0700) == 0 && unshare(CLONE_NEWNS) == 0 &&
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("sdfuzz", xdir, "tmpfs", 0, "size=64m") == 0) {
		snprintf(xpath[0], sizeof(xpath[0]), "%s/Lb", xdir);
	} else {
		fprintf(stderr, "splice_fuzz: no second tmpfs: copies stay within one\n");
		xdir[0] = '\0';
	}
	return 0;
}

/* At exit, and before a finding aborts. */
__attribute__((destructor)) static void cleanup(void)
{
	for (int s = 0; s < 2; s++)
		for (int f = 0; f < 2; f++)
			if (path[s][f][0])
				unlink(path[s][f]);
	if (xdir[0]) {
		umount2(xdir, MNT_DETACH);
		rmdir(xdir);
	}
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image img[2];
	struct input in = {data, size};
	int fd[2][2], same, append, cross;

	for (int i = 0; i < 2; i++)
		if (!img[i].b && !(img[i].b = calloc(1, ROOM)))
			fail("out of memory");
	uint64_t size_a = take(&in, 3) % MAX_SIZE, size_b = take(&in, 3) % MAX_SIZE;
	uint32_t holes_a = (uint32_t)take(&in, 4), holes_b = (uint32_t)take(&in, 4);
	uint64_t seed = take(&in, 2);
	unsigned int mode = (unsigned int)take(&in, 1);

	same = mode % 5 == 0;
	append = mode % 16 == 1;
	cross = !same && xdir[0] && mode % 3 == 1;
	for (int set = 0; set < 2; set++)
		cur[set][0] = path[set][0], cur[set][1] = path[set][1];
	/* the library copies between two tmpfs; the kernel's reference stays within one */
	if (cross)
		cur[0][1] = xpath[0];
	make(&img[0], 0, size_a, holes_a, seed);
	make(&img[1], 1, size_b, holes_b, seed * 31 + 7);

	for (int set = 0; set < 2; set++) {
		fd[set][0] = open(cur[set][0], O_RDWR | O_CLOEXEC);
		fd[set][1] =
			same ? fd[set][0]
			     : open(cur[set][1], (append ? O_APPEND : 0) | O_WRONLY | O_CLOEXEC);
		if (fd[set][0] < 0 || fd[set][1] < 0)
			fail("open: %s", strerror(errno));
	}
	struct image *src = &img[0], *dst = same ? &img[0] : &img[1];
	/* the starting file positions */
	uint64_t pos0_in = take(&in, 2) % (MAX_SIZE + 1), pos0_out = take(&in, 2) % (MAX_SIZE + 1);
	for (int set = 0; set < 2; set++) {
		lseek(fd[set][0], (off_t)pos0_in, SEEK_SET);
		if (!same)
			lseek(fd[set][1], (off_t)pos0_out, SEEK_SET);
	}

	for (int call = 0; call < CALLS && in.n; call++) {
		unsigned int sel = (unsigned int)take(&in, 1);
		unsigned int flags = flag_choices[take(&in, 1) %
						  (sizeof(flag_choices) / sizeof(flag_choices[0]))];
		loff_t oi[2], oo[2];

		flags &= ~skip_flags;
		uint64_t len = pick_len(&in);
		int use_in = sel & 1, use_out = sel & 2;
		ssize_t r[2];
		int e[2];

		oi[0] = oi[1] = (loff_t)pick_off(&in);
		oo[0] = oo[1] = (loff_t)pick_off(&in);
		/* where the model starts: the offsets or the file positions (after the checks) */
		uint64_t pin = use_in ? (uint64_t)oi[0] : (uint64_t)lseek(fd[0][0], 0, SEEK_CUR);
		uint64_t pout = use_out ? (uint64_t)oo[0] : (uint64_t)lseek(fd[0][1], 0, SEEK_CUR);

		errno = 0;
		r[0] = splice_direct(fd[0][0], use_in ? &oi[0] : NULL, fd[0][1],
				     use_out ? &oo[0] : NULL, (size_t)len, flags);
		e[0] = r[0] < 0 ? errno : 0;

		unsigned int kflags =
			flags & ~(SPLICE_F_DIRECT | SPLICE_F_NOCLONE | SPLICE_F_NOCACHE);
		if (flags == SPLICE_F_CLONE) {
			/* tmpfs cannot share extents: the library must refuse and change nothing */
			if (r[0] > 0 && (getenv("SD_FUZZ_STRICT_CLONE") || !zeros(src, pin, r[0])))
				fail("SPLICE_F_CLONE on tmpfs returned %zd (len %llu, start %llu "
				     "-> %llu, "
				     "sizes %llu %llu, holes %#x %#x%s)",
				     r[0], (unsigned long long)len, (unsigned long long)pin,
				     (unsigned long long)pout, (unsigned long long)src->size,
				     (unsigned long long)dst->size, holes_a, holes_b,
				     same ? ", same file" : "");
			if (r[0] > 0) {
				/*
				 * Known (reported): a range that starts in a hole "copies" the hole
				 * before clone refuses the data, and returns that short count. Apply
				 * it to the references, so that the rest of the input still counts.
				 */
				r[1] = syscall(SYS_copy_file_range, fd[1][0],
					       use_in ? &oi[1] : NULL, fd[1][1],
					       use_out ? &oo[1] : NULL, (size_t)r[0], 0);
				if (r[1] != r[0])
					fail("cannot follow the clone's hole copy");
				if (pout + (uint64_t)r[0] > ROOM)
					far_check(cur[0][!same], cur[1][!same], pout, (size_t)r[0],
						  dst->size);
				else
					model_copy(src, pin, dst, pout, (uint64_t)r[0]);
				continue;
			}
			if (r[0] == 0) /* nothing to clone: len 0 or at the end */
				continue;
			if (e[0] != EOPNOTSUPP && e[0] != EXDEV && e[0] != EINVAL &&
			    e[0] != EBADF && e[0] != EOVERFLOW && e[0] != EFBIG && e[0] != EISDIR)
				fail("SPLICE_F_CLONE on tmpfs: %s", strerror(e[0]));
			if (use_in && oi[0] != oi[1])
				fail("SPLICE_F_CLONE moved off_in");
			continue;
		}
		errno = 0;
		r[1] = syscall(SYS_copy_file_range, fd[1][0], use_in ? &oi[1] : NULL, fd[1][1],
			       use_out ? &oo[1] : NULL, (size_t)len, kflags);
		e[1] = r[1] < 0 ? errno : 0;
		if (r[0] != r[1] || e[0] != e[1])
			fail("call %d (len %llu, flags %#x, off_in %s%lld, off_out %s%lld, pos "
			     "%llu "
			     "%llu, sizes %llu %llu, holes %#x %#x%s%s): library %zd (%s), kernel "
			     "%zd (%s)",
			     call, (unsigned long long)len, flags, use_in ? "" : "NULL/",
			     (long long)oi[1], use_out ? "" : "NULL/", (long long)oo[1],
			     (unsigned long long)pin, (unsigned long long)pout,
			     (unsigned long long)src->size, (unsigned long long)dst->size, holes_a,
			     holes_b,
			     same    ? ", same file"
			     : cross ? ", two tmpfs"
				     : "",
			     append && !same ? ", O_APPEND" : "", r[0], strerror(e[0]), r[1],
			     strerror(e[1]));
		if (oi[0] != oi[1] || oo[0] != oo[1])
			fail("call %d: offsets library %lld %lld, kernel %lld %lld", call,
			     (long long)oi[0], (long long)oo[0], (long long)oi[1],
			     (long long)oo[1]);
		for (int i = 0; i < 2; i++)
			if (lseek(fd[0][i], 0, SEEK_CUR) != lseek(fd[1][i], 0, SEEK_CUR))
				fail("call %d: file position of %s differs: library %lld, kernel "
				     "%lld",
				     call, i ? "output" : "input",
				     (long long)lseek(fd[0][i], 0, SEEK_CUR),
				     (long long)lseek(fd[1][i], 0, SEEK_CUR));
		if (r[1] > 0 && pout + (uint64_t)r[1] > ROOM) {
			/* far out (tmpfs takes files up to 8 EiB): compare there, then cut it off */
			far_check(cur[0][!same], cur[1][!same], pout, (size_t)r[1], dst->size);
			continue;
		}
		if (r[1] > 0) {
			uint64_t n = model_copy(src, pin, dst, pout, len);

			if (n != (uint64_t)r[1])
				fail("call %d: the model copies %llu, the kernel %zd", call,
				     (unsigned long long)n, r[1]);
		}
	}
	for (int set = 0; set < 2; set++) {
		if (!same)
			close(fd[set][1]);
		close(fd[set][0]);
	}
	for (int set = 0; set < 2; set++) {
		same_as_image(cur[set][0], &img[0], set ? "kernel" : "library");
		if (!same)
			same_as_image(cur[set][1], &img[1], set ? "kernel" : "library");
	}
	return 0;
}
