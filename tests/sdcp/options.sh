#!/bin/sh
# SPDX-License-Identifier: MIT
# cp's options give the same output, status and resulting tree as GNU cp 9.1.
. "$(dirname "$0")/lib.sh"

files() {
	echo hello >a
	echo older >b
	touch -d '2001-01-01' b
	echo newer >n
	touch -d '2030-01-01' n
	mkdir -p d/e target
	echo x >d/f
	echo y >d/e/g
	ln -s f d/l
	ln -s a link-to-a
	ln -s nowhere dangling
	ln -s d link-to-d
}

ok 'plain copy' same_as_cp files a c
ok 'into a directory' same_as_cp files a b target
ok '-v' same_as_cp files -v a c
ok '-v into a directory' same_as_cp files -v a b target
ok 'overwrite' same_as_cp files -v a b
ok '-n' same_as_cp files -n a b
ok '-n -v' same_as_cp files -n -v a b
ok '-u, source newer' same_as_cp files -uv a b
ok '-u, source older' same_as_cp files -uv a n
ok '-u into a fresh name' same_as_cp files -uv a c
ok '-b' same_as_cp files -bv a b
ok '--backup=numbered twice' same_as_cp files -v --backup=t a b
ok '--backup=simple -S' same_as_cp files -v --backup=simple -S .old a b
ok '--backup=none' same_as_cp files -v --backup=none a b
ok '--backup=existing without numbered' same_as_cp files -v --backup=existing a b
ok '-f' same_as_cp files -f a b
ok '-bf onto itself backs it up' same_as_cp files -vbf a a
ok '--backup=t -f onto itself' same_as_cp files -v --backup=t -f a a
ok '-bf onto itself by another name' same_as_cp files -vbf a ./a
ok '--remove-destination -v' same_as_cp files -v --remove-destination a b
ok 'through a symlink operand' same_as_cp files a link-to-a-copy
ok 'onto a symlink operand' same_as_cp files b link-to-a
ok '-P on a symlink' same_as_cp files -P link-to-a c
ok '-d on a symlink' same_as_cp files -d link-to-a c
ok '-L on a symlink' same_as_cp files -L link-to-a c
ok '-H on a symlink operand' same_as_cp files -rH link-to-a d c
ok '-r keeps symlinks' same_as_cp files -r d c
ok '-rL follows symlinks' same_as_cp files -rL d c
ok '-r into an existing directory' same_as_cp files -rv d target
ok '-r twice' same_as_cp files -rv d d target
ok 'a file twice' same_as_cp files -v a ./a target
ok '-T' same_as_cp files -rT d target
ok '-t' same_as_cp files -v -t target a b d/f
ok '--parents' same_as_cp files -v --parents d/e/g target
ok '--parents -r' same_as_cp files -rv --parents d/e target
ok 'trailing slash' same_as_cp files -rv d/ c
ok 'trailing slashes stripped' same_as_cp files -rv --strip-trailing-slashes d// c
ok 'trailing slashes stripped from a symlink' same_as_cp files -rv --strip-trailing-slashes link-to-d/ c
ok 'trailing slashes stripped from a file' same_as_cp files -v --strip-trailing-slashes a/ c
ok 'trailing slashes stripped, into a directory' same_as_cp files -rv --strip-trailing-slashes link-to-d/ a/ d// target
ok '-l' same_as_cp files -lv a c
ok '-l onto an existing name' same_as_cp files -vl a b
ok '-lf onto an existing name' same_as_cp files -vlf a b
ok '-s onto an existing name' same_as_cp files -vs a b
ok 'into a missing folder with a slash' same_as_cp files -v a nodir/
ok 'into a missing folder' same_as_cp files -v a nodir/x
ok 'a file used as a folder' same_as_cp files -v a d/f/x
ok 'a folder onto a file inside it' same_as_cp files -r d d/f
ok '-T onto a folder with a slash' same_as_cp files -T a target/
ok '-rl' same_as_cp files -rl d c
# -n, -u and -i apply to -l and -s as to copies: an existing name is left silently
ok '-ln onto an existing name' same_as_cp files -vln a b
ok '-sn onto an existing name' same_as_cp files -vsn a b
ok '-lu onto a newer name' same_as_cp files -vlu a n
ok '-su onto an older name fails' same_as_cp files -vsu a b
ok '-ln onto a dangling symlink' same_as_cp files -ln a dangling
ok '-sb -v names the backup' same_as_cp files -vsb a b
ok '-l --backup=t -v names the backup' same_as_cp files -vl --backup=t a b
link_ask_yes() {
	echo y | upd -li a b 2>"$T/err" && [ "$(cat "$T/u/b")" = hello ] &&
		[ "$(stat -c %h "$T/u/b")" = 2 ] && grep -q "overwrite 'b'?" "$T/err"
}
abs_symlink() {
	run_both files -s "$T/s/a" c && [ "$(readlink "$T/s/c")" = "$T/s/a" ] && diff "$T/g.err" "$T/s.err"
}
ok '-s absolute' abs_symlink
ok '-s in the current directory' same_as_cp files -sv a c
ok '--attributes-only' same_as_cp files --attributes-only a c
ok '--attributes-only over a file' same_as_cp files --attributes-only a b
ok '-x' same_as_cp files -rx d c
ok '--copy-contents on files' same_as_cp files -r --copy-contents d c
ok '-Z' same_as_cp files -Z a c
ok '--reflink=never' same_as_cp files --reflink=never a c
ok '--sparse=never' same_as_cp files --sparse=never a c
ok '--sparse=always' same_as_cp files --sparse=always a c
ok 'directory onto existing directory with a file in the way' same_as_cp files -r d target/
# Between operands copied into one folder: a file just made is not overwritten by another
# source of the same name (a numbered backup keeps both), a folder named as an operand is not
# copied again inside a later one, a source named twice is copied once (and with a backup
# asked, refused as just made)
twins() {
	mkdir -p x/e y t
	echo 1 >x/f
	echo 2 >y/f
	echo 3 >x/e/g
	ln -s x lx
	ln x/f x/h
	echo 4 >'s p'
	echo 5 >old && ln old old2
}
ok 'a file just made is not overwritten' same_as_cp twins -v x/f y/f t
ok '... also when it existed before' same_as_cp twins x/f y/f x/f t
ok '... also with -f, -l, -s and -b' same_as_cp twins -fb x/f y/f t
ok '... a hard link just made' same_as_cp twins -l x/f y/f t
ok '... a symbolic link just made' same_as_cp twins -s "$T/g/x/f" "$T/g/y/f" t
ok '--backup=numbered keeps both' same_as_cp twins -v --backup=numbered x/f y/f t
ok '-n leaves it silently' same_as_cp twins -n x/f y/f t
ok 'a source named twice with a backup' same_as_cp twins -b x/f ./x/f t
ok 'a folder operand inside a later one' same_as_cp twins -R x/e x t
ok '... through a symlink operand' same_as_cp twins -R x/e lx/ t
ok '... not in the other order' same_as_cp twins -R x x/e t
ok 'the first of two sources wins, with parallel workers' same_as_cp twins -v x/f y/f x/e t
ok 'two hard links named: both copied' same_as_cp twins -v x/f x/h t
ok '-P -s of a symlink replaces a file' same_as_cp files -P -s dangling a
ok '-n onto the same file says nothing' same_as_cp files -n -L a link-to-a
ok '-T -n onto a folder says nothing' same_as_cp files -T -n a target
ok '-T -u onto a newer folder says nothing' same_as_cp files -T -u b target
ok '-a onto a file with other names makes a new one' same_as_cp twins -a x/f old
ok '-s into a folder: the name quoted as cp quotes it' same_as_cp twins -s 's p' x/f t
ok '-v onto a dangling symlink: said, then refused' same_as_cp files -v a dangling
ok '-b onto a dangling symlink: the link is backed up' same_as_cp files -vb a dangling

posixly() {
	POSIXLY_CORRECT=1
	export POSIXLY_CORRECT
	same_as_cp files a c -v
}
ok 'POSIXLY_CORRECT stops options at the first operand' posixly

answer() {
	files
	exec </dev/null
}
ok '-i with no answer' same_as_cp answer -i a b

# Newer cp's --update=WHEN (not in GNU cp 9.1: checked by hand)
upd() {
	rm -rf "$T/u" && mkdir "$T/u" && (cd "$T/u" && files && "$SDCP" "$@")
}
upd_none() {
	upd --update=none a b && [ "$(cat "$T/u/b")" = older ]
}
upd_none_fail() {
	upd --update=none-fail a b 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$T/u/b")" = older ] && grep -q "not replacing 'b'" "$T/err"
}
upd_older() {
	upd --update=older a b && [ "$(cat "$T/u/b")" = hello ]
}
upd_older_newer() {
	upd --update=older a n && [ "$(cat "$T/u/n")" = newer ]
}
upd_all() {
	upd --update=all a n && [ "$(cat "$T/u/n")" = hello ]
}
ask_yes() {
	echo y | upd -i a b 2>"$T/err" && [ "$(cat "$T/u/b")" = hello ] &&
		grep -q "overwrite 'b'?" "$T/err"
}
ask_no() {
	echo n | upd -i a b 2>/dev/null && [ "$(cat "$T/u/b")" = older ]
}
ok '--update=none keeps the old file' upd_none
ok '--update=none-fail fails' upd_none_fail
ok '--update=older replaces the older' upd_older
ok '--update=older keeps the newer' upd_older_newer
ok '--update=all' upd_all
ok '-i yes' ask_yes
ok '-i no' ask_no
ok '-li yes replaces the name by a link' link_ask_yes

# -p onto an existing file gives it the source's mode, as cp does: a private source's bytes must
# not stay in a file others can read (sdcp once kept the old 0644 here).
private_over_public() {
	echo secret >sec && chmod 600 sec && echo old >old && chmod 644 old
}
ok '-p onto an existing file takes the source mode' same_as_cp private_over_public -p sec old
t_done
