#!/bin/sh
# SPDX-License-Identifier: MIT
# xattrs and ACLs: kept with -a and --preserve=xattr, ACLs with -p, nothing with -r.
. "$(dirname "$0")/lib.sh"

command -v setfattr >/dev/null && command -v setfacl >/dev/null || t_skip "attr/acl tools missing"
cd "$T" || exit 99
mkdir -p src/dir && echo x >src/f && ln -s f src/l || exit 99
setfattr -n user.colour -v blue src/f 2>/dev/null || t_skip "no user xattrs here"
setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr '\0' x)" src/f || exit 99
setfattr -n user.d -v 1 src/dir || exit 99
setfacl -m u:65534:r src/f && setfacl -d -m u:65534:rx src/dir || t_skip "no ACLs here"

attrs() {
	(cd "$1" && getfattr -h -R -d -m - . 2>/dev/null | grep -v '^# file: \.$' | cut -c1-60)
}

with() {
	rm -rf "$T/s" "$T/g"
	"$SDCP" "$@" src "$T/s" || return 1
	"$GNU_CP" "$@" src "$T/g" || return 99
	attrs "$T/s" >"$T/s.attrs" && attrs "$T/g" >"$T/g.attrs"
	diff -u "$T/g.attrs" "$T/s.attrs"
}
ok '-a keeps xattrs and ACLs as cp does' with -a
has_colour() {
	with -a && getfattr -n user.colour --only-values "$T/s/f" | grep -q blue
}
ok '-a keeps a user xattr' has_colour
ok '-rp keeps ACLs, not user xattrs, as cp does' with -rp
ok '-r --preserve=xattr' with -r --preserve=xattr
ok '-r keeps nothing' with -r
no_user() {
	with -r && ! getfattr -n user.colour "$T/s/f" 2>/dev/null | grep -q blue
}
ok '-r: really nothing' no_user

chattr_kept() {
	chattr +d src/f 2>/dev/null || return 0 # not supported here: nothing to check
	rm -rf "$T/s" && "$SDCP" -a src "$T/s" || return 1
	lsattr -d "$T/s/f" | grep -q '^[^ ]*d'
}
ok '-a keeps chattr flags' chattr_kept
t_done
