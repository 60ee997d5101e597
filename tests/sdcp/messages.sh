#!/bin/sh
# SPDX-License-Identifier: MIT
# Error messages, usage errors and exit statuses are GNU cp 9.1's, byte for byte.
. "$(dirname "$0")/lib.sh"

files() {
	echo hello >a
	mkdir -p d/e
	echo x >d/f
	ln -s nowhere dangling
	ln -s a link-to-a
	mkdir target
}

ok 'cannot stat a missing source' same_as_cp files x y
ok 'missing file operand' same_as_cp files
ok 'missing destination operand' same_as_cp files a
ok 'same file' same_as_cp files a a
ok 'same file through a symlink' same_as_cp files a link-to-a
ok 'same file in a target directory' same_as_cp files a .
ok 'omitting a directory without -r' same_as_cp files d e
# cp copies part of the tree before it notices; sdcp refuses before it starts
ok 'directory into itself' same_words_as_cp files -r d d/e
ok 'directory into itself, through target' same_words_as_cp files -r d d
nothing_made() {
	run_both files -r d d/e && ! [ -e "$T/s/d/e/d" ]
}
ok 'directory into itself makes nothing' nothing_made
ok 'target that does not exist' same_as_cp files a a d/f nodir
ok 'target that is a file' same_as_cp files a d/f a
ok '-t to a missing directory' same_as_cp files -t x a
ok '-t to a file' same_as_cp files -t a d/f
ok '-T with an extra operand' same_as_cp files -T a b c
ok '-T onto a directory' same_as_cp files -T a d
ok '-t with -T' same_as_cp files -t d -T a
ok 'two -t' same_as_cp files -t d -t target a
ok 'a directory onto a file' same_as_cp files -r d/ a
ok 'a source with a trailing slash that is a file' same_as_cp files a/ z
ok 'not writing through a dangling symlink' same_as_cp files a dangling
ok '--parents needs a directory' same_as_cp files --parents a b
ok 'relative symlinks only in the current directory' same_as_cp files -s a d/
ok 'relative symlinks, -v' same_as_cp files -vs a d/
ok 'hard and symbolic links' same_as_cp files -l -s a b
ok '--backup with -n' same_as_cp files -b -n a b
ok '--reflink=always with --sparse=never' same_as_cp files --reflink=always --sparse=never a b
ok 'invalid --reflink' same_as_cp files --reflink=foo a b
ok 'invalid --sparse' same_as_cp files --sparse=foo a b
ok 'invalid --preserve' same_as_cp files --preserve=foo a b
ok 'invalid --no-preserve' same_as_cp files --no-preserve=bad a b
ok 'ambiguous --backup' same_as_cp files --backup=n a b
ok 'invalid VERSION_CONTROL' same_as_cp files -b a a-copy --backup=nil
ok 'abbreviated option' same_as_cp files --no-pres=mode a c
ok 'abbreviated argument' same_as_cp files --sparse=al --reflink=au a c
ok 'ambiguous option' same_as_cp files --re a b
ok 'unknown short option' same_as_cp files -k a b
ok 'unknown long option' same_as_cp files --frobnicate a b
ok 'option that takes no argument' same_as_cp files --force=yes a b
ok 'missing option argument' same_as_cp files a b --suffix
ok 'one failure, the rest copied' same_as_cp files -r a missing d target
ok 'context warning' same_as_cp files --context=foo a z2
ok '--preserve=context without SELinux' same_as_cp files --preserve=context a z3
ok '-a --preserve=context without SELinux' same_as_cp files -a --preserve=context a z3
ok '--preserve=all without SELinux' same_as_cp files --preserve=all a z3

version_control() {
	files
	export VERSION_CONTROL=foo
}
ok '$VERSION_CONTROL' same_as_cp version_control -b a b

names() {
	echo x >"it's"
	echo x >'sp ace'
	echo x >"$(printf 'n\nl')"
	mkdir t
}
ok 'quoting of names in -v' same_as_cp names -v "it's" 'sp ace' "$(printf 'n\nl')" t
ok 'quoting of names in errors' same_as_cp names "x'y" 'a b' "$(printf 'n\tl')" t

check_help() {
	"$SDCP" --help >"$T/help" || return 1
	grep -q -- '--reflink\[=WHEN\]' "$T/help" && grep -q -- '--jobs=N' "$T/help" &&
		grep -q '^Usage: ' "$T/help"
}
ok '--help' check_help
ok '--version' sh -c '"$SDCP" --version | grep -q "^sdcp (splice-direct) "'
ok 'program name from argv[0]' sh -c '"$SDCP" 2>&1 | grep -q "^$SDCP: missing file operand"'
t_done
