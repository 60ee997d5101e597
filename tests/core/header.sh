#!/bin/sh
# core/header CC CXX INCLUDE_DIR LIBRARY: the public header compiles alone as strict C11
# (-pedantic, no _GNU_SOURCE) and as C++, and a program using it links against the library.
set -u
cc=$1 cxx=$2 inc=$3 lib=$4
tmp=$(mktemp -d /var/tmp/sdtest-header.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
fail=0

cat >"$tmp/use.c" <<'END'
#include <splicedirect.h>
#include <splicedirect.h> /* twice: the include guard */

int main(void)
{
	struct splice_direct_stats st = { { 0 }, 0, { 0 } };
	loff_t off = 0;
	unsigned int flags = SPLICE_F_DIRECT | SPLICE_F_NOCLONE | SPLICE_F_CLONE | SPLICE_F_NOCACHE;
	enum splice_direct_method m = SPLICE_DIRECT_RW;

	if (splice_direct_method_name((unsigned int)m) == 0)
		return 1;
	(void)splice_direct_ex(-1, &off, -1, &off, 0, flags, &st);
	(void)splice_direct(-1, 0, -1, 0, 0, 0);
	/* struct statx is only pointed to: no <sys/stat.h> needed */
	(void)splice_direct_statx(-1, 0, &off, -1, &off, SPLICE_DIRECT_STATX_MASK, 0, &st);
	return splice_direct_file("a", "b", SPLICE_F_EXCL | SPLICE_F_ATOMIC, &st) == 0;
}
END
cp "$tmp/use.c" "$tmp/use.cc"

# With glibc's struct statx in scope, before or after the header: the same struct.
cat >"$tmp/statx.c" <<'END'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <splicedirect.h>

int main(void)
{
	struct statx stx;
	loff_t off = 0;

	if (statx(0, "", AT_EMPTY_PATH, STATX_MODE | SPLICE_DIRECT_STATX_MASK, &stx) < 0)
		return 0;
	return splice_direct_statx(0, &stx, &off, 1, &off, 0, 0, 0) < 0;
}
END
sed '/^#include <splicedirect.h>$/d; /^#define _GNU_SOURCE$/a #include <splicedirect.h>' \
	"$tmp/statx.c" >"$tmp/statx-first.c"

if ! "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/use.c" -o "$tmp/c.o"; then
	echo "FAIL: the header does not compile as -std=c11 -pedantic"
	fail=1
elif ! "$cc" "$tmp/c.o" "$lib" -o "$tmp/c.out"; then
	echo "FAIL: a C program does not link against $lib"
	fail=1
fi
if ! "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/use.c" -o "$tmp/c99.o"; then
	echo "FAIL: the header does not compile as -std=c99 -pedantic"
	fail=1
fi
for f in statx statx-first; do
	if ! "$cc" -std=c11 -Wall -Wextra -Werror -I"$inc" -c "$tmp/$f.c" -o "$tmp/$f.o"; then
		echo "FAIL: $f.c: the header and <sys/stat.h>'s struct statx disagree"
		fail=1
	fi
done
if [ "$cxx" = none ]; then
	echo "note: no C++ compiler, C++ not checked"
elif ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/use.cc" -o "$tmp/cc.o"; then
	echo "FAIL: the header does not compile as C++11"
	fail=1
elif ! "$cxx" "$tmp/cc.o" "$lib" -o "$tmp/cc.out"; then
	echo "FAIL: a C++ program does not link against $lib (extern \"C\"?)"
	fail=1
fi
[ $fail = 0 ] && echo ok
exit $fail
