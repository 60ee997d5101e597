// SPDX-License-Identifier: MIT
/*
 * sdlib_copy SRC_DIR DST_DIR - the library on a kernel with the series: splice_direct_ex()
 * takes the native path (the per-copy stats say SPLICE_DIRECT_NATIVE moved every data byte;
 * ptrace sees one splice(SPLICE_F_DIRECT) per data range and no other copy call), the copy is
 * identical with its holes where they were, and every result (return value, errno, offsets,
 * file positions, destination bytes and hole map) equals that of the library's user-space
 * chain: the same copy in a child whose first splice(SPLICE_F_DIRECT) the kernel refuses
 * with EINVAL, as a kernel without the series does (see sdtrace.h).
 */
#include "sdtest.h"

#include <sys/mman.h>

#include "splicedirect.h"
#include "sdtrace.h"

struct kase {
	const char *name;
	uint64_t size;	  /* source size */
	int sparse;	  /* data 256 KiB, hole 1 MiB, data 128 KiB + 100, hole to size */
	int null_offsets; /* NULL offsets: the file positions, set to off_in/off_out first */
	loff_t off_in, off_out;
	size_t len;
	uint64_t dst_size; /* the destination's pattern before the copy */
	long ranges;	   /* data ranges: the native splice calls expected */
};

static const struct kase kases[] = {
	{"dense-null-offsets", 3 * 1048576 + 4321, 0, 1, 0, 0, SIZE_MAX, 0, 1},
	{"sparse-whole", 4 * 1048576, 1, 0, 0, 0, SIZE_MAX, 0, 2},
	{"range-into-existing", 1048576, 0, 0, 4097, 3 * 65536 + 5, 500000, 2 * 1048576, 1},
	{"null-offsets-mid", 1048576, 0, 1, 65536, 12345, 300001, 100000, 1},
	{"short-at-eof", 100000, 0, 0, 99990, 0, 1000, 0, 1},
	{"past-eof", 100000, 0, 0, 200000, 0, 1000, 50, 0},
};

struct result {
	ssize_t ret;
	int err;
	loff_t off_in, off_out; /* the offsets after the call (given offsets) */
	off_t pos_in, pos_out;	/* the file positions after the call */
	struct splice_direct_stats st;
};

struct job {
	const struct kase *k;
	const char *src, *dst;
	struct result *res;
};

static int do_copy(void *arg)
{
	struct job *j = arg;
	const struct kase *k = j->k;
	struct result *r = j->res;
	int in = open(j->src, O_RDONLY), out = open(j->dst, O_RDWR);
	loff_t oi = k->off_in, oo = k->off_out;

	if (in < 0 || out < 0)
		return 99;
	/* given offsets must leave these positions alone */
	if (lseek(in, k->null_offsets ? k->off_in : 123, SEEK_SET) < 0 ||
	    lseek(out, k->null_offsets ? k->off_out : 456, SEEK_SET) < 0)
		return 99;
	errno = 0;
	if (k->null_offsets)
		r->ret = splice_direct_ex(in, NULL, out, NULL, k->len, 0, &r->st);
	else
		r->ret = splice_direct_ex(in, &oi, out, &oo, k->len, 0, &r->st);
	r->err = r->ret < 0 ? errno : 0;
	r->off_in = oi;
	r->off_out = oo;
	r->pos_in = lseek(in, 0, SEEK_CUR);
	r->pos_out = lseek(out, 0, SEEK_CUR);
	if (fsync(out))
		return 99;
	close(in);
	close(out);
	return 0;
}

/* Data ranges of fd as "start-end,..." (SEEK_DATA/SEEK_HOLE), for comparison. */
static const char *data_map(int fd, char *buf, size_t n)
{
	off_t size = sd_size(fd), pos = 0;
	size_t used = 0;

	buf[0] = '\0';
	while (pos < size) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;

		if (d < 0)
			break; /* ENXIO: only a hole left */
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0)
			broken("SEEK_HOLE");
		used += snprintf(buf + used, n - used, "%lld-%lld,", (long long)d, (long long)h);
		if (used >= n)
			broken("data map too long");
		pos = h;
	}
	return buf;
}

static void make_source(const char *path, const struct kase *k)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		broken("open %s", path);
	if (k->sparse) {
		sd_fill(fd, 7, 0, 256 << 10);
		sd_fill(fd, 7, (256 << 10) + 1048576, (128 << 10) + 100);
	} else {
		sd_fill(fd, 7, 0, k->size);
	}
	if (ftruncate(fd, k->size) || fsync(fd))
		broken("ftruncate %s", path);
	close(fd);
}

static void make_dest(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		broken("open %s", path);
	sd_fill(fd, 9, 0, size);
	if (fsync(fd))
		broken("fsync %s", path);
	close(fd);
}

static void run_kase(const char *sdir, const char *ddir, const struct kase *k, struct result *res)
{
	char name[128], m1[4096], m2[4096], m3[4096];
	const char *src, *dn, *du;
	struct sd_calls cn, cu;
	struct job jn, ju;
	struct result *n = &res[0], *u = &res[1];
	uint64_t other = 0;
	int a, b, s;

	snprintf(name, sizeof(name), "lib-%s-src", k->name);
	src = sd_path(sdir, name);
	snprintf(name, sizeof(name), "lib-%s-native", k->name);
	dn = sd_path(ddir, name);
	snprintf(name, sizeof(name), "lib-%s-user", k->name);
	du = sd_path(ddir, name);
	make_source(src, k);
	make_dest(dn, k->dst_size);
	make_dest(du, k->dst_size);
	memset(res, 0, 2 * sizeof(*res));

	jn = (struct job){k, src, dn, n};
	ju = (struct job){k, src, du, u};
	if (sd_traced(do_copy, &jn, 0, 0, &cn) || cn.exit_status != 0)
		broken("native copy child (status %d)", cn.exit_status);
	if (sd_traced(do_copy, &ju, 1, 0, &cu) || cu.exit_status != 0)
		broken("user-space copy child (status %d)", cu.exit_status);

	printf("note lib[%s]/%s: native %s; %ld splice(0x10), %ld splice, %ld copy_file_range, "
	       "%ld sendfile, %ld read/write\n",
	       getenv("SD_TAG"), k->name, sd_ret(n->ret, n->err), cn.direct, cn.splice, cn.cfr,
	       cn.sendfile, cn.rw);
	printf("note lib[%s]/%s: user-space chain %s (", getenv("SD_TAG"), k->name,
	       sd_ret(u->ret, u->err));
	for (unsigned int m = 0; m < SPLICE_DIRECT_METHODS; m++)
		if (u->st.bytes[m])
			printf("%s %llu ", splice_direct_method_name(m),
			       (unsigned long long)u->st.bytes[m]);
	printf("bytes; holes %llu); %ld splice(0x10) refused %ld, %ld splice, %ld "
	       "copy_file_range, %ld sendfile, %ld ioctl, %ld read/write\n",
	       (unsigned long long)u->st.holes, cu.direct, cu.refused, cu.splice, cu.cfr,
	       cu.sendfile, cu.ioctl, cu.rw);

	/* The native path was taken, and nothing else moved data. */
	for (unsigned int m = 1; m < SPLICE_DIRECT_METHODS; m++)
		other += n->st.bytes[m];
	snprintf(name, sizeof(name), "%s/native-stats", k->name);
	if (n->ret < 0 || n->st.bytes[SPLICE_DIRECT_NATIVE] + n->st.holes != (uint64_t)n->ret ||
	    other)
		fail(name, "%s, native %llu, holes %llu, other methods %llu",
		     sd_ret(n->ret, n->err), (unsigned long long)n->st.bytes[SPLICE_DIRECT_NATIVE],
		     (unsigned long long)n->st.holes, (unsigned long long)other);
	else if (k->ranges && !n->st.bytes[SPLICE_DIRECT_NATIVE])
		fail(name, "no byte went through the native method");
	else
		pass(name);
	snprintf(name, sizeof(name), "%s/one-splice-per-range", k->name);
	if (cn.direct != k->ranges || cn.splice || cn.cfr || cn.sendfile)
		fail(name,
		     "%ld splice(0x10) calls for %ld data range(s); %ld other splice, %ld "
		     "copy_file_range, %ld sendfile",
		     cn.direct, k->ranges, cn.splice, cn.cfr, cn.sendfile);
	else
		pass(name);
	snprintf(name, sizeof(name), "%s/user-chain-not-native", k->name);
	if (cu.refused != (k->ranges ? 1 : 0) || u->st.bytes[SPLICE_DIRECT_NATIVE])
		fail(name, "%ld refused, native moved %llu bytes", cu.refused,
		     (unsigned long long)u->st.bytes[SPLICE_DIRECT_NATIVE]);
	else
		pass(name);

	/* The same results as the user-space chain. */
	snprintf(name, sizeof(name), "%s/same-result", k->name);
	if (n->ret != u->ret || n->err != u->err || n->off_in != u->off_in ||
	    n->off_out != u->off_out || n->pos_in != u->pos_in || n->pos_out != u->pos_out)
		fail(name,
		     "native %s off %lld/%lld pos %lld/%lld, user-space %s off %lld/%lld "
		     "pos %lld/%lld",
		     sd_ret(n->ret, n->err), (long long)n->off_in, (long long)n->off_out,
		     (long long)n->pos_in, (long long)n->pos_out, sd_ret(u->ret, u->err),
		     (long long)u->off_in, (long long)u->off_out, (long long)u->pos_in,
		     (long long)u->pos_out);
	else
		pass(name);

	/* Offsets and positions as copy_file_range(2) leaves them. */
	snprintf(name, sizeof(name), "%s/offsets", k->name);
	{
		loff_t want = n->ret > 0 ? n->ret : 0;
		int ok = k->null_offsets
				 ? n->pos_in == k->off_in + want && n->pos_out == k->off_out + want
				 : n->off_in == k->off_in + want &&
					   n->off_out == k->off_out + want && n->pos_in == 123 &&
					   n->pos_out == 456;

		if (!ok)
			fail(name, "off %lld/%lld pos %lld/%lld after %s", (long long)n->off_in,
			     (long long)n->off_out, (long long)n->pos_in, (long long)n->pos_out,
			     sd_ret(n->ret, n->err));
		else
			pass(name);
	}

	s = open(src, O_RDONLY);
	a = open(dn, O_RDONLY);
	b = open(du, O_RDONLY);
	if (s < 0 || a < 0 || b < 0)
		broken("reopening %s", k->name);
	/* Hole maps first: reading holes can leave cached pages that SEEK_DATA calls data. */
	data_map(s, m1, sizeof(m1));
	data_map(a, m2, sizeof(m2));
	data_map(b, m3, sizeof(m3));
	snprintf(name, sizeof(name), "%s/same-hole-map", k->name);
	if (strcmp(m2, m3))
		fail(name, "native %s, user-space %s", m2, m3);
	else
		pass(name);
	if (k->sparse) {
		snprintf(name, sizeof(name), "%s/holes-kept", k->name);
		if (strcmp(m1, m2))
			fail(name, "source %s, copy %s", m1, m2);
		else
			pass(name);
	}
	snprintf(name, sizeof(name), "%s/same-bytes", k->name);
	if (sd_size(a) != sd_size(b) || sd_cmp(a, 0, b, 0, sd_size(a)) >= 0)
		fail(name, "native and user-space copies differ (sizes %lld, %lld)",
		     (long long)sd_size(a), (long long)sd_size(b));
	else
		pass(name);
	snprintf(name, sizeof(name), "%s/copied-bytes", k->name);
	if (n->ret > 0 && sd_cmp(s, k->off_in, a, k->off_out, n->ret) >= 0)
		fail(name, "the copied range differs from the source");
	else
		pass(name);
	close(s);
	close(a);
	close(b);
	unlink(src);
	unlink(dn);
	unlink(du);
}

int main(int argc, char **argv)
{
	struct result *res;

	if (argc != 3) {
		fprintf(stderr, "usage: sdlib_copy SRC_DIR DST_DIR\n");
		return 2;
	}
	sd_prog = "lib";
	res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		   0);
	if (res == MAP_FAILED)
		broken("mmap");
	for (size_t i = 0; i < sizeof(kases) / sizeof(kases[0]); i++)
		run_kase(argv[1], argv[2], &kases[i], res);
	return sd_exit();
}
