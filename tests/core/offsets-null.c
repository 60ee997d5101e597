/* SPDX-License-Identifier: MIT */
/*
 * core/offsets-null FS [FS2]: a NULL offset uses and advances the file position, on either
 * side or both, while the other side's offset pointer is used, advanced and its file position
 * left alone. The kernel's copy_file_range on a twin pair of files is the reference.
 */
#include <fcntl.h>
#include <unistd.h>

#include "t.h"

static int in, out, kin, kout;

/* Set both pairs to the same positions, copy, compare positions, offsets and contents. */
static void one(const char *what, int null_in, int null_out, loff_t pi, loff_t po, loff_t oi,
		loff_t oo, size_t len)
{
	loff_t li = oi, lo = oo, ki = oi, ko = oo;

	lseek(in, pi, SEEK_SET), lseek(kin, pi, SEEK_SET);
	lseek(out, po, SEEK_SET), lseek(kout, po, SEEK_SET);
	ssize_t want = 0, r;
	/* The kernel may stop short: loop it to the end, as splice_direct promises to. */
	for (size_t left = len; left;) {
		ssize_t k = copy_file_range(kin, null_in ? NULL : &ki, kout, null_out ? NULL : &ko,
					    left, 0);
		if (k <= 0)
			break;
		want += k;
		left -= (size_t)k;
	}
	r = splice_direct(in, null_in ? NULL : &li, out, null_out ? NULL : &lo, len, 0);
	T_CHECK(r == want, "%s: returned %zd, kernel %zd", what, r, want);
	T_CHECK(lseek(in, 0, SEEK_CUR) == lseek(kin, 0, SEEK_CUR),
		"%s: input position %lld != %lld", what, (long long)lseek(in, 0, SEEK_CUR),
		(long long)lseek(kin, 0, SEEK_CUR));
	T_CHECK(lseek(out, 0, SEEK_CUR) == lseek(kout, 0, SEEK_CUR),
		"%s: output position %lld != %lld", what, (long long)lseek(out, 0, SEEK_CUR),
		(long long)lseek(kout, 0, SEEK_CUR));
	T_CHECK(li == ki && lo == ko, "%s: offsets %lld %lld, kernel %lld %lld", what,
		(long long)li, (long long)lo, (long long)ki, (long long)ko);
	T_CHECK(t_same_file(out, kout), "%s: destination differs from the kernel's", what);
}

int main(int argc, char **argv)
{
	const char *din, *dout;

	t_mount_args(argc, argv, &din, &dout);
	/* The kernel's twin pair lives on one filesystem (copy_file_range cannot cross). */
	in = t_make_file(t_path(din, "src"), 1 << 20, 1);
	out = t_open(t_path(dout, "dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	kin = t_open(t_path(din, "ksrc"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	kout = t_open(t_path(din, "kdst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t z1 = 0, z2 = 0;
	if (copy_file_range(in, &z1, kin, &z2, 1 << 20, 0) != 1 << 20)
		t_broken("twin source");

	one("both NULL from 0", 1, 1, 0, 0, 0, 0, 100000);
	one("both NULL, continue", 1, 1, 100000, 100000, 0, 0, 300000);
	one("NULL in, offset out", 1, 0, 5000, 7, 0, 123456, 70000);
	one("offset in, NULL out", 0, 1, 9999, 4096, 65536, 0, 131072);
	one("both offsets, positions kept", 0, 0, 333, 444, 200000, 300000, 50000);
	one("NULL in at EOF", 1, 1, 1 << 20, 0, 0, 0, 4096);
	one("NULL in, past the end", 1, 0, (1 << 20) - 10, 0, 0, 0, 4096);
	t_done();
}
