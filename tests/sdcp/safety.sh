#!/bin/sh
# SPDX-License-Identifier: MIT
# Safety: a symlink planted in the destination tree is not followed; new files are created
# with O_EXCL and never with more permissions than their final mode.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
mkdir -p src/sub && echo new >src/sub/f && echo top >src/g || exit 99
chmod 640 src/g

planted() {
	rm -rf dst outside && mkdir -p dst/sub && echo precious >outside || return 99
	ln -s "$T/outside" dst/sub/f
	"$SDCP" -r src/. dst || return 1
	[ "$(cat outside)" = precious ] && [ ! -L dst/sub/f ] && [ "$(cat dst/sub/f)" = new ]
}
ok 'a planted symlink to a file is replaced, not written through' planted

planted_dir() {
	rm -rf dst elsewhere && mkdir -p dst elsewhere || return 99
	ln -s "$T/elsewhere" dst/sub
	"$SDCP" -r src/. dst 2>"$T/err"
	[ $? = 1 ] && [ -z "$(ls -A elsewhere)" ] &&
		grep -q "cannot overwrite non-directory 'dst/./sub' with directory 'src/./sub'" "$T/err"
}
ok 'a planted symlink to a folder is not entered' planted_dir

operand_symlink() {
	rm -rf dst outside && echo old >outside && ln -s "$T/outside" dst || return 99
	"$SDCP" src/g dst && [ "$(cat outside)" = top ]
}
ok 'the destination operand itself is followed, as cp does' operand_symlink

command -v strace >/dev/null || t_skip "strace not installed"

create_modes() {
	rm -rf dst && mkdir dst || return 99
	chown 1234:1234 src/g || return 99
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat,fchmod,fchown -o "$T/trace" "$SDCP" -p src/g dst/g || return 1
	chown 0:0 src/g
	cat "$T/trace"
	# created group- and other-less, owned, then given its mode
	grep -q 'openat(.*"dst/g", O_[A-Z|]*O_CREAT|O_EXCL[A-Z_|]*, 0600)' "$T/trace" &&
		grep -q 'fchown(.*1234, 1234)' "$T/trace" && grep -q 'fchmod(.*0640)' "$T/trace" &&
		[ "$(stat -c %a dst/g)" = 640 ]
}
ok 'a file is created 0600 until it has its owner' create_modes

plain_create() {
	rm -rf dst && mkdir dst || return 99
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat -o "$T/trace" "$SDCP" src/g dst/g || return 1
	grep -q 'openat(.*"dst/g", O_[A-Z|]*O_CREAT|O_EXCL[A-Z_|]*, 0640)' "$T/trace"
}
ok 'new files: O_CREAT|O_EXCL with the final mode' plain_create
t_done
