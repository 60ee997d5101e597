#!/bin/bash
# SPDX-License-Identifier: MIT
# The scenarios of GNU coreutils' own cp tests (tests/cp/*.sh), written anew here and run by GNU
# cp 9.1 and by sdcp on the same fixture: output, errors, status and resulting tree must match.
# Where a coreutils test expects 9.2+ behaviour that sdcp follows (issue 4's text), the check
# says so and compares with the expected result instead.
SD_T_TMPFS=1 # cp and sdcp walk two fixtures: their inode numbers must agree
. "$(dirname "$0")/lib.sh"

# same_script SETUP BODY: like same_as_cp, for a shell BODY of several steps (each "r cp ...",
# which prints the status); SETUP is a shell function. $times: paths whose times must match.
r() {
	"$@"
	echo "status $?"
}
times=
same_script() {
	rm -rf "$T/g" "$T/s" "$T/fx"
	mkdir "$T/fx" || return 99
	(cd "$T/fx" && $1) || return 99
	# made alike from one fixture (cp -a: the same times), on $T's tmpfs: the same inode
	# order and the same order in each folder, which cp and sdcp walk in
	"$GNU_CP" -a "$T/fx" "$T/g" && "$GNU_CP" -a "$T/fx" "$T/s" || return 99
	(cd "$T/g" && PATH="$T/gnu:$PATH" && eval "$2") >"$T/g.out" 2>"$T/g.err" </dev/null
	(cd "$T/s" && PATH="$T/bin:$PATH" && eval "$2") >"$T/s.out" 2>"$T/s.err" </dev/null
	diff -u "$T/g.out" "$T/s.out" || return 1
	diff -u "$T/g.err" "$T/s.err" || return 1
	[ -z "${words_only:-}" ] || return 0
	t_tree "$T/g" >"$T/g.tree" && t_tree "$T/s" >"$T/s.tree" || return 1
	diff -u "$T/g.tree" "$T/s.tree" || return 1
	for p in $times; do
		[ "$(stat -c %Y "$T/g/$p")" = "$(stat -c %Y "$T/s/$p")" ] || {
			echo "times of $p differ"
			return 1
		}
	done
}

# cp's same-file rules (coreutils same-file.sh): every option set on six pairs of names that
# lead to one file, by a symlink, a hard link, or both; numbered backups.
same_args=
same_fixture() {
	echo XYZ >foo
	case $same_args in *symlink*) ln -s foo symlink ;; esac
	case $same_args in *hardlink*) ln foo hardlink ;; esac
	case $same_args in *sl1*) ln -s foo sl1 ;; esac
	case $same_args in *sl2*) ln -s foo sl2 ;; esac
	case $same_args in *hlsl*) ln sl2 hlsl ;; esac
}
export VERSION_CONTROL=numbered
for same_args in 'foo symlink' 'symlink foo' 'foo foo' 'sl1 sl2' 'foo hardlink' 'hlsl sl2'; do
	for o in '' -d -f -df --rem -b -bd -bf -bdf -l -dl -fl -dfl -bl -bdl -bfl -bdfl -s -sf; do
		# shellcheck disable=SC2086 # the words are meant to be split
		ok "same file: cp $o $same_args" same_as_cp same_fixture $o $same_args
	done
done
unset VERSION_CONTROL
# the backup name holds the copy; -v names it
same_args="foo symlink"
ok "same file: cp -v -bfl foo foo" same_as_cp same_fixture -v -bfl foo foo
ok "same file: cp -v -bfs foo foo" same_as_cp same_fixture -v -bfs foo foo
ok "same file: cp -v -bdf symlink symlink" same_as_cp same_fixture -v -bdf symlink symlink

# --parents (cp-parents.sh): folders made on the way, their modes and times set after the copy,
# a source folder that is a file, a destination folder that is a file, a trailing slash
parents_fixture() {
	mkdir foo bar np_dest && mkdir -p a/b/c d e g np/b x/d/f && ln -s d/a sym && touch f &&
		touch np/b/file && chmod 775 np/b/file && chmod 0700 np && touch x/d/x &&
		echo y >a/b/c/y && touch -d 2001-01-01 a/b/c/y a/b/c a/b a
}
ok "--parents: folders on the way" same_script parents_fixture '
	r cp -R --parents foo/ bar; r cp --verbose -a --parents a/b/c d
	chmod go=w d/a; r cp -a --parents d/a/b/c e; r cp -a --parents sym/b/c g
	r cp --parents --no-preserve=mode np/b/file np_dest/
	r cp -v --parents a/b/c/ f np_dest; r cp -rv --parents a/b np_dest'
times="d/a d/a/b d/a/b/c e/a e/a/b"
ok "--parents: times of the folders made" same_script parents_fixture '
	r cp -a --parents a/b/c/y d; r cp -rp --parents a/b/ e'
times=
ok "--parents: a file on the way" same_script parents_fixture '
	cd x; touch f; r cp --parents f/g d; r cp --parents d/x/y d; r cp --parents ../f/g d'
ok "--parents: absolute sources, slashes" same_script 'eval mkdir -p d e x/y; echo 1 >x/y/f' '
	r cp -v --parents /etc/hostname d; r cp -v --parents ///etc/hostname e/; r cp -v --parents x//y//f d//
	r cp -v --parents x/../x/y/f d; r cp -rv --parents ./x d; r cp -v --parents /etc/hostname /'

# --preserve=links (link-preserve.sh, preserve-link.sh): names that lead to one file through
# symlinks followed by -H or -L become hard links; with -u, a newer destination is kept as
# the copy and the other names link to it
ok "-d keeps hard links between operands" same_script 'eval touch a; ln a b; mkdir c' \
	'r cp -d a b c'
ok "--preserve=links -R -H: an operand symlink" same_script 'eval touch a; ln -s a b; mkdir c' \
	'r cp --preserve=links -R -H a b c'
ok "--preserve=links -R -L: a symlink inside" same_script \
	'eval mkdir d; touch d/a; ln -s a d/b' 'r cp --preserve=links -R -L d c'
ok "--preserve=links -R -L: hard links inside" same_script \
	'eval mkdir d; touch d/a; ln d/a d/b' 'r cp --preserve=links -R -L d c'
ok "--no-preserve=links" same_script 'eval mkdir d; touch d/a; ln d/a d/b' \
	'r cp -dR --no-preserve=links d c'
for first in f linkm; do
	eval "plink_fixture() {
		mkdir s && touch s/f && ln s/f s/linkm && ln s/f s/linke && ln s/f s/fileo &&
			ln s/f s/fileu && mkdir -p t/s && touch t/s/$first &&
			ln t/s/$first t/s/linke && touch -d '-1 hour' t/s/fileo &&
			touch -d '+1 hour' t/s/fileu
	}"
	ok "-au keeps the links ($first in the destination)" same_script plink_fixture \
		'r cp -au s t; find t -type f -links 5 | sort'
done

# backups (backup-1.sh, backup-is-src.sh, cp-i.sh): -bf a a; a backup that would be the
# source; -b with -n or --update=none; "--backup=" is plain -b
ok "-bf: a file onto itself" same_script 'eval echo test >F' \
	'r cp --force --backup=simple --suffix=.b F F; r cp -T --force --backup=simple --suffix=.b F F'
ok "-b: the backup would be the source" same_script 'eval echo a >a; echo a-tilde >a~; echo q >a.x' \
	'r cp --b=simple a~ a; r cp --b=t a~ a; r cp -bS .x a.x a; VERSION_CONTROL=simple r cp -b a~ a'
ok "-b with -n" same_script 'eval touch c d' \
	'r cp -bn c d; r cp -n --backup=simple c d; r cp --backup= c d'
# cp 9.1 has no --update=WHEN: newer cp's words and status
backup_update_none() {
	cd "$T" && rm -rf u && mkdir u && cd u && touch c d || return 99
	for w in none none-fail; do
		PATH="$T/bin:$PATH" cp -b --update=$w c d 2>err && return 1
		printf '%s\n' "cp: --backup is mutually exclusive with -n or --update=none-fail" \
			"Try 'cp --help' for more information." | diff -u - err || return 1
	done
	[ ! -e d~ ]
}
ok "-b with --update=none or none-fail is refused (cp 9.5)" backup_update_none

# --preserve lists (preserve-2.sh): words, abbreviations, and an empty word
ok "--preserve lists" same_script 'eval touch f' '
	r cp --preserve=mode,links f g; r cp --preserve=mode,bogus f h; r cp --preserve=mo,li f i
	r cp --no-preserve=all,links f j; r cp --preserve= f k; r cp --preserve=mode, f l
	r cp --no-preserve= f m'

# -i, -n, -f (cp-i.sh): who wins, what -v says, the answers read
ok "-i, -n and -f" same_script 'eval mkdir -p a b/a/c; touch a/c c d' '
	echo n | r cp -iR a b; echo n | r cp -vi c d; echo y | r cp -vi c d
	echo y | r cp -vni c d; echo y | r cp -vin c d; echo y | r cp -vfi c d
	echo n | r cp -vfn c d; echo n | r cp -vnf c d'

# into itself (into-self.sh): words and status; cp 9.1 copies part of the tree before it says
# so (sdcp refuses first: see sdcp(1)), hence no comparison of trees. With -l a folder onto
# itself is nothing to do.
words_only=1
ok "a folder into itself" same_script 'eval mkdir a dir' \
	'r cp -R dir dir; r cp -rl dir dir; r cp -rl a dir dir; r cp -rl a dir dir'
words_only=
ok "a folder onto itself" same_script 'eval mkdir -p dir/e' \
	'r cp -rT dir dir; r cp -rlT dir dir; r cp -r dir/e dir; r cp -rl dir/e dir; r cp -rn dir/e dir'

# through a symlink an earlier operand made (abuse.sh): never, dangling or not
ok "not through a symlink just made (dangling)" same_script \
	'eval mkdir a b c; ln -s ../t a/1; echo payload >b/1' \
	'r cp -dR a/1 b/1 c; r cp -dR --backup=t a/1 b/1 c'
ok "not through a symlink just made (to a file)" same_script \
	'eval mkdir a b c; ln -s ../t a/1; echo payload >b/1; echo i >t' \
	'r cp -dR a/1 b/1 c; r cp -dR --remove-destination a/1 b/1 c'

# -d onto a symlink to the source (no-deref-link1.sh); sources named twice
# (duplicate-sources.sh); an existing folder's mode is left (existing-perm-dir.sh)
ok "-d onto a symlink to the source" same_script \
	'eval mkdir a b; echo bar >a/foo; ln -s ../a/foo b' 'r cp -d a/foo b; r cp a/foo b'
ok "a source named twice" same_script \
	'eval mkdir a dest dest2 dest3; touch f; ln -s a al; ln -s f fl' \
	'r cp -a a a f f dest; r cp -aH a al f fl dest2; r cp -a a ./a f ./f a/ dest3; r cp -ab f f dest'
ok "an existing folder keeps its mode" same_script \
	'eval umask 002; mkdir -p -m ug-s,u=rwx,g=rwx,o=rx src/dir; mkdir -p -m ug-s,u=rwx,g=,o= dst/dir; mkdir -p -m 700 dst3/dir' \
	'umask 002; r cp -r src/. dst/; r cp -rp src/. dst2/; r cp -a src/. dst3/'

# a dangling symlink as the destination (thru-dangling.sh): refused, but written through under
# POSIXLY_CORRECT; a symlink loop is replaced
ok "onto a dangling symlink, POSIXLY_CORRECT, a loop" same_script \
	'eval ln -s no-such dangle; echo hi >f; ln -s loop loop; ln -s loop loop2' \
	'r cp f dangle; r cp -f f dangle; POSIXLY_CORRECT=1 r cp f dangle; cat no-such
	r cp -f f loop; r cp f loop2'

# special files, symlinks, dots (special-f.sh, link-symlink.sh, r-vs-symlink.sh,
# src-base-dot.sh, symlink-slash.sh)
ok "-R fifo onto a file, twice" same_script 'eval mkfifo fifo; touch e' \
	'r timeout 10 cp -R fifo e; r timeout 10 cp -Rf fifo e; r timeout 10 cp -R fifo e'
times="link.cp link.cp2 link3"
ok "-al of a symlink keeps its times" same_script \
	'eval touch -d 2001-01-01 file; ln -s file link; touch -m -h -d 2011-01-01 link' \
	'r cp -al link link.cp; r cp -alv link link.cp2; r cp -a link link3'
times=
ok "-r copies symlinks" same_script 'eval echo abc >foo; ln -s foo slink; ln -s no-such-file no-file' \
	'r cp -r no-file junk; r cp -r slink bar'
ok "a source ending in /." same_script 'eval mkdir x y z; touch x/f' \
	'cd y; r cp --verbose -ab ../x/. .; cd ../z; r cp -rv ../x/. .; r cp -rvb ../x/. .'
ok "a symlink operand with a trailing slash" same_script 'eval mkdir dir; ln -s dir symlink; touch dir/f' \
	'r cp -dR symlink/ s; r cp -dR symlink s2; r cp -R --strip-trailing-slashes symlink/ s3
	r cp -d symlink/ s4'

# what stands in the way (dir-vs-file.sh, dir-rm-dest.sh, keep-directory-symlink.sh,
# link-no-deref.sh, no-deref-link2/3.sh, slink-2-slink.sh, link.sh)
ok "a folder onto a file and back" same_script 'eval mkdir dir; touch file' \
	'r cp -R dir file; r cp -R file dir/; r cp -RT file dir'
ok "--remove-destination: a folder, a symlink loop" same_script \
	'eval mkdir d e; ln -s loop loop; touch file' \
	'r cp -R --remove-destination d e; r cp -R --remove-destination d e
	r cp --remove-destination file loop'
ok "--keep-directory-symlink" same_script 'eval mkdir -p a/b b/d/e; ln -s b a/d' \
	'r cp -RT --copy-contents b a; r cp -RT --copy-contents --keep-directory-symlink b a; ls a/b/e'
ok "-l of a dangling symlink" same_script 'eval ln -s no-such-file dangling-slink' \
	'r cp --link --no-dereference dangling-slink d2; r cp -lP dangling-slink d3
	r cp -lL dangling-slink d4'
ok "-d onto a symlink to the source (2)" same_script 'eval mkdir b; echo bar >a; ln -s ../a b' \
	'r cp -d a b; ln -s a c; r cp -d a c'
ok "-u -d between symlinks" same_script \
	'eval touch file; ln -s file a; ln -s file b; ln -s no-such-file c; ln -s no-such-file d' \
	'r cp --update --no-dereference a b; r cp --update --no-dereference c d; r cp -u -d -v a b'
ok "-f --link, -f --symbolic-link" same_script 'eval touch src dest dest2' \
	'r cp -f --link src dest; r cp -f --symbolic-link src dest2'

# cp removes what is in the way of a symlink, a fifo not followed, or a file with other names
# kept (and -v says "removed"); a followed fifo fails on an existing name, -f or not; -f says
# "removed" after the copy's line
ok "-v says what cp removes" same_script \
	'eval mkfifo fifo; touch e e2 e3 e4; ln -s x sl; ln -s y sl2; ln -s loop loop; echo hi >f' '
	r cp -Rv fifo e; r cp -RLv fifo e2; r cp -RHv fifo e3; r cp -RLfv fifo e4
	r cp -dv sl sl2; r cp -dfv sl e; r cp -ldv sl e2; r cp -lfdv sl e3; r cp -sfv sl e4
	r cp -Rv --rem sl2 sl; r cp -fv f loop'
ok "-dl onto a file with other names (found by random.sh, seed 707)" same_script \
	'eval mkdir x d; echo 1 >x/f; ln x/f x/h; echo 2 >d/f; ln d/f d/hard; echo 3 >n' \
	'r cp -d -l x/f n d; r cp -l x/h n d; r cp -dl x/h d'
ok "-av onto a file with other names" same_script \
	'eval echo a >a; echo b >b; ln b b2; mkdir d t; touch d/x; ln d/x d/y; mkdir t/d; touch t/d/x; ln t/d/x t/d/z' \
	'r cp -av a b; r cat b2; r cp -av d t'

# --attributes-only leaves the data (attr-existing.sh): a file with other names is not made
# anew, a symlink does not replace a file (EEXIST) unless --remove-destination
ok "--attributes-only keeps what is there" same_script 'eval printf 1 >file1; printf 2 >file2' '
	r cp --attributes-only file1 file2; cat file2; ln file2 link2
	r cp -a --attributes-only file1 file2; cat file2; ln -s file1 sym1
	r cp -a --attributes-only sym1 file2; cat file2
	r cp -a --remove-destination --attributes-only sym1 file2'

# backup names of every kind (cp-mv-backup.sh)
for bk in none off numbered t existing nil simple never; do
	ok "--backup=$bk" same_script 'eval touch x y y~ y.~1~' "r cp --backup=$bk x y; r cp -v --backup=$bk x y"
done

# as a user, not root (fail-perm.sh): an unreadable file in a folder; a symlink to a folder
# that cannot be searched, as the destination and as the target folder
user_script() { # SCRIPT: run by GNU cp and by sdcp as nobody, in $T/g and $T/s
	command -v setpriv >/dev/null || t_skip "no setpriv"
	chmod 711 "$T" || return 99
	for k in g s; do
		rm -rf "$T/$k" && mkdir "$T/$k" && chmod 777 "$T/$k" || return 99
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		(cd "$T/$k" && PATH="$bin:$PATH" setpriv --reuid=65534 --regid=65534 --clear-groups \
			sh -c "$1" 2>&1 | sed 's/^[^:]*cp: /cp: /'
			find . -mindepth 1 -printf '%y %m %p\n' | sort) >"$T/$k.out" 2>&1
		chmod -R u+rwx "$T/$k"
	done
	diff -u "$T/g.out" "$T/s.out"
}
ok "as a user: permission denied" user_script '
	mkdir D D/D; touch D/a; chmod 0 D/a; chmod u=rx,go=,-st D
	cp -pR D DD; echo "status $?"; ls -ld DD | cut -b-10
	chmod 0 D; ln -s D/D symlink; touch F
	cp F symlink; echo "status $?"; cp --no-target-directory F symlink; echo "status $?"
	cp --target-directory=symlink F; echo "status $?"; chmod 700 D DD'

# -i as a user onto a file that user may not write: cp names its mode
ok "as a user: -i onto a file not writable" user_script '
	echo x >f; echo y >ro; chmod 444 ro; chmod 4644 f
	echo n | cp -i f ro; echo "status $?"; echo n | cp -if f ro; echo "status $?"
	echo n | cp -i --remove-destination f ro; echo "status $?"
	echo y | cp -i f ro; echo "status $?"; echo y | cp -if f ro; echo "status $?"
	cat ro; cp f ro2; chmod 6755 ro2; echo n | cp -i f ro2'

# modes (parent-perm.sh, special-bits.sh, preserve-mode.sh)
ok "-p --parents onto folders that exist" same_script \
	'eval mkdir -p a/b/c a/b/d e; touch a/b/c/foo a/b/d/foo' \
	'r cp -p --parent a/b/c/foo e; chmod g-rx e/a e/a/b; r cp -p --parent a/b/d/foo e'
ok "-p keeps setuid and setgid, not for a user" same_script \
	'eval touch a b c; chmod u+sx,go= a; chmod u=rwx,g=sx,o= b; chmod a=r,ug+sx c; chown nobody .; chmod 755 .' \
	'r cp -p a a2; r cp -p b b2; r setpriv --reuid=65534 --regid=65534 --clear-groups cp -p c c2'
ok "--no-preserve=mode" same_script 'eval touch a b; chmod 600 b; mkdir d1 d2; chmod 705 d2; mkfifo fifo' '
	r cp --no-preserve=mode b c; chmod 600 c; r cp --no-preserve=mode a b
	r cp --no-preserve=mode -r d2 d3; rm -f a b; touch a; chmod 600 a
	r cp --no-preserve=mode --preserve=all a b; r cp -a --no-preserve=mode fifo fifo_copy
	rm -f a b c; touch a; chmod 660 a; r cp a b; r cp --preserve=ownership a c'

# --debug (cp 9.5's debug.sh; cp 9.1 has no --debug): cp's line for a copy, none for
# --attributes-only, "skipped" where -n, -u or --update=none leave a file
debug_words() {
	cd "$T" && rm -rf dbg && mkdir dbg && cd dbg && touch file || return 99
	PATH="$T/bin:$PATH"
	cp --debug file file.cp >out || return 1
	grep 'copy offload:.*reflink:.*sparse detection:' out || return 1
	cp --debug --attributes-only file file.cp >out || return 1
	grep 'copy offload:.*reflink:.*sparse detection:' out && return 1
	for o in --update=none -n -u; do
		cp --debug $o file file.cp >out || return 1
		[ "$(cat out)" = "skipped 'file.cp'" ] || return 1
	done
	cp --update=none file file || return 1 # not "the same file": nothing is replaced
}
ok "--debug in cp 9's words" debug_words

# -s with a relative source: only into the current folder, however it is named
# (cross-dev-symlink.sh); and a symlink onto one on another filesystem
ok "-s: relative symlinks in the current folder" same_script \
	'eval mkdir -p mnt/path1 path2; touch mnt/path1/file; ln -s ../mnt/path1/file path2/file' \
	'cd path2; r cp -dsf ../mnt/path1/file .; r cp -sf ../mnt/path1/file ./; r cp -s ../mnt/path1/file ./x
	r cp -s ../mnt/path1/file ../path2/y; r cp -s ../mnt/path1/file sub/z; r cp -s ../mnt/path1/file ../w'
t_mount_or_skip M tmpfs xdev 16M
mkdir -p "$M/path1" && touch "$M/path1/file" || exit 99
ok "-dsf onto a symlink across filesystems" same_script \
	"eval mkdir path2; ln -s $M/path1/file path2/file" "cd path2; r cp -dsf $M/path1/file ."

# times of a symlink (preserve-slink-time.sh); read-only folders (readonly-dir.sh); --reflink
# with --sparse (reflink-auto.sh, sparse.sh)
times="d2 d3 d4"
ok "-Pp keeps a symlink's times" same_script 'eval ln -s no-such dangle; touch -h -d 2001-01-01 dangle' \
	'r cp -Pp dangle d2; r cp -Pa dangle d3; r cp -P --preserve=timestamps dangle d4'
times=
ok "read-only folders stay read-only" same_script \
	'eval mkdir -p a/b/c/d; echo t >a/b/c/d/bar.txt; chmod -R -w a' 'r cp -r a b; r cp -a a c'
ok "--reflink and --sparse" same_script 'eval echo non_zero_size >a' '
	r cp --reflink=auto a b; r cp --reflink=auto --sparse=always a b
	r cp --reflink=auto --reflink=never a b; r cp --reflink --sparse=always a c
	r cp --sparse=never --reflink a c'

# names that are no text of the locale (non-utf8-name.sh), in cp's quoting: bytes in octal in
# $'...', and GNU's odd '' where a name with a quote ends unprintable
odd_names() {
	cd "$T" && rm -rf names && mkdir names && cd names || return 99
	for loc in C C.UTF-8; do
		for n in "$(printf '\377\376')" "é" "a\$b'c" "$(printf 'x\303')" "$(printf '\302\205')nel" \
			"$(printf 'a\tb\377')" "it's" "$(printf "it's\377")" "$(printf '\ta'"'"'b\t')" \
			"$(printf 'a'"'"'\tb'"'"'c\t')" "$(printf 'x\303\251\377 y')"; do
			g=$(LC_ALL=$loc "$GNU_CP" -v "$n" nowhere/ 2>&1)
			s=$(LC_ALL=$loc "$T/bin/cp" -v "$n" nowhere/ 2>&1)
			[ "${g#*cp: }" = "${s#*cp: }" ] || {
				echo "$loc: $g"
				echo "$loc: $s"
				return 1
			}
		done
	done
}
ok "quoting of names that are no text" odd_names
ok "a folder whose name is no text" same_script \
	'eval mkdir "$(printf "\377\376")" target; touch "$(printf "\377\376")"/file1' \
	'LC_ALL=C r cp -rv "$(printf "\377\376")"/. target; LC_ALL=C.UTF-8 r cp -v "$(printf "\377\376")"/file1 nope/x
	LC_ALL=C r cp "$(printf "\377\376")" x'

# a fifo or a device named as the destination is written to, not replaced (sparse-to-pipe.sh)
ok "into a fifo and a device" same_script \
	'eval mkfifo pipe; truncate -s1M sparse; mknod nul c 1 3; chmod 666 nul; echo hi >f; mkdir d; mknod d/nul c 1 3' \
	'timeout 10 cat pipe >copy & r cp sparse pipe; wait; cmp sparse copy; r cp f nul; r cp -p f nul
	r cp -R f d/nul; r cp -r d/nul d2'

# -v speaks before a symlink or node fails to be made, as cp's does (found by random.sh)
ok "-v before a symlink that cannot be made" same_script 'eval ln -s loop2 loop1; ln -s loop1 loop2' \
	'r cp -v -R loop1 newdir/; r cp -v -d loop1 newdir2/; r cp -v -R loop1 loop2'

# xattrs onto a filesystem without them (cp-mv-enotsup-xattr.sh; ramfs has none): quiet for
# -a, one "setting attributes" line for --preserve=xattr (status 1) and for
# --attributes-only (status 0)
noxattr() {
	mkdir -p "$T/mnt/noxattr" || return 99
	mount -t ramfs ramfs "$T/mnt/noxattr" || t_skip "cannot mount ramfs"
	t_on_exit "umount -l '$T/mnt/noxattr' 2>/dev/null"
	echo test >"$M/xa" && setfattr -n user.foo -v bar "$M/xa" && setfattr -n user.x2 -v 1 "$M/xa" ||
		t_skip "no user xattrs on tmpfs"
	for k in g s; do
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		(cd "$T/mnt" && PATH="$bin:$PATH" && rm -f noxattr/xa &&
			r cp -a "$M/xa" noxattr/ && rm -f noxattr/xa &&
			r cp -a --preserve=xattr "$M/xa" noxattr/ && r cat noxattr/xa &&
			r cp -a --attributes-only "$M/xa" noxattr/ &&
			r cp --preserve=all "$M/xa" noxattr/) >"$T/$k.out" 2>&1
	done
	diff -u "$T/g.out" "$T/s.out"
}
ok "xattrs onto a filesystem without them" noxattr

# --help and --version onto a full device fail (coreutils' help-version.sh)
full_output() {
	[ -w /dev/full ] || t_skip "no /dev/full"
	for o in --help --version; do
		for k in gnu bin; do
			PATH="$T/$k:$PATH" cp $o >/dev/full 2>"$T/$k.err"
			echo "$o $?" >>"$T/$k.err"
		done
		diff -u "$T/gnu.err" "$T/bin.err" || return 1
	done
}
ok "--help and --version onto /dev/full" full_output

# while -p copies, the copy is the owner's alone (file-perm-race.sh); a folder made by
# --parents too (parent-perm-race.sh): looked at while cp reads a fifo
perm_race() {
	cd "$T" && rm -rf race && mkdir race && cd race && mkfifo fifo || return 99
	PATH="$T/bin:$PATH"
	timeout 10 cp -p --copy-contents fifo fifo-copy &
	(
		while [ ! -f fifo-copy ]; do echo foo; done
		ls -l fifo-copy >ls.out
		echo foo
	) >fifo
	wait $! || return 1
	case $(cat ls.out) in -???------*) ;; *) cat ls.out; return 1 ;; esac
	mkdir mode ownership d && chmod g+s d && mkfifo mode/fifo ownership/fifo || return 99
	for attr in mode ownership; do
		timeout 10 cp --preserve=$attr -R --copy-contents --parents $attr d &
		timeout 10 sh -c "ls -ld d/$attr >$attr/fifo" || return 1
		wait $! || return 1
		case $attr,$(cat d/$attr/fifo) in
		ownership,d???--[-S]--[-S]* | mode,d????-??-?* | mode,d??[-x]?w[-x]?-[-x]*) ;;
		*) cat d/$attr/fifo; return 1 ;;
		esac
	done
}
ok "-p: nobody else reads the copy while it is made" perm_race

# -b of a symlink onto itself, followed: cp moves it aside, misses its source, moves it back
# (found by random.sh, seed 101)
ok "-b: a followed symlink onto itself" same_script 'eval echo a >a; ln -s a l' \
	'r cp -v --backup=simple l l; r cp -v -b -l l l; r cp -bL l l; r cp -bv --backup=t l l
	r cp -bd l l; r cp -bH l l; r cp -bv l ./l'

# cp's abbreviations stay cp's where they also begin one of sdcp's options (--pr, --st, --at,
# --de: cp 9.1 has no --debug), and an ambiguous one names cp's possibilities only
ok "abbreviations of cp's options" same_script 'eval echo a >a; mkdir d' '
	r cp --pr a b; r cp --st a c; r cp --at a e; r cp --de a f; r cp --ver a g; r cp --ver=x a g
	r cp --p a g; r cp --pres=mode a h; r cp -t d --pr a; r cp --suffix --pr -b a h; ls
	POSIXLY_CORRECT=1 r cp a i --pr'

# a symlink to a folder where a folder is to be copied is no folder, even for an operand
# (cp 9.1 has no --keep-directory-symlink); -u and backups leave folders alone
ok "a folder onto a symlink to a folder" same_script \
	'eval mkdir -p d/e s t/real u; echo 1 >d/e/f; ln -s real t/d; ln -s ../s u/e' \
	'r cp -r d t; r cp -r d/e u; r cp -rT d/e u/e; r cp -r d/e u/e'
ok "-u, --remove-destination, -b over folders" same_script \
	'eval mkdir -p d/e t/d/e; echo 1 >d/e/f; echo 2 >t/d/e/f; touch -d 2001-01-01 d/e/f' \
	'r cp -ru d t; r cp -ruv d t; r cp -r --remove-destination d t; r cp -rb d t'

# as a user, folders that cannot be read or searched: cp stats first ("cannot stat"), makes a
# folder it cannot read (and -v says so) before "cannot access"
ok "as a user: folders not readable or not searchable" user_script '
	mkdir -p s/noread s/nosearch s/ok; echo 1 >s/ok/f; echo 2 >s/nosearch/g; echo 3 >s/noread/h
	chmod 300 s/noread; chmod 600 s/nosearch
	cp -r s t; echo $?; cp -a s t2; echo $?; cp -r s/nosearch t3; echo $?
	cp -r s/noread t4; echo $?; cp s/nosearch/g t5; echo $?; cp -rv s/noread/ t6; echo $?
	chmod 700 s/noread s/nosearch t t2 t3 t4 t6 2>/dev/null; chmod 700 t/* t2/* 2>/dev/null'

# a source ending in ".." goes into the target folder itself, not into "target/.." (cp.c)
ok "src/.. into a folder" same_script 'eval mkdir -p d/e t; echo x >d/f' \
	'r cp -rv d/e/.. t/; r cp -v -r d/e/.. t; r cp -a x/.. t; r cp d/f/.. t'

# a folder onto a symlink that leads to it: cp's same-file rules come first (without -n)
ok "a folder onto a symlink to it" same_script 'eval mkdir -p d/e; ln -s e d/ldir; echo x >d/e/f' \
	'r cp -a d/ldir/ d/e/..; r cp -r d/ldir/ d; r cp -rL d/ldir d; r cp -an d/ldir/ d
	r cp -al d/ldir/ d; r cp -aT d/e d/ldir; r cp -ab d/ldir/ d'

# --parents with a last "." or "..": cp 9.1 takes the destination as new where it made its
# folder, and fails to make it ("File exists"); where the folder was there, it copies
ok "--parents x/. and x/.." same_script 'eval mkdir -p x/y t; echo 1 >x/f' \
	'r cp -rv --parents x/. t; r cp -rn --parents x/./ t/a; mkdir t/b; r cp -r --parents x/y/.. t/b
	r cp -r --parents x/. t; r cp -v --parents x/./f t/c'

# a folder onto a dangling symlink named with a trailing slash: cp finds nothing there and
# reports mkdir's "File exists"
ok "a folder onto dangling/" same_script 'eval mkdir x; echo 1 >x/f; ln -s nowhere dl; ln -s dl dd' \
	'r cp -r x/. dl/; r cp -rv x dd/; r cp -a x dl//; r cp -r x/ dl; r cp x/f dl/'

# a folder onto itself named another way (x/.. onto .): cp's same-file rules, not "into
# itself"; with -b or --remove-destination cp goes in and finds each entry the same
ok "a folder onto itself" same_script 'eval mkdir -p x d/e; echo 1 >x/f' \
	'r cp -r x/.. .; r cp -rl x/.. .; r cp -rn x/.. .; r cp -rbv x/.. .; r cp -al d/e/.. d
	r cp -r --remove-destination x/.. .; r cp -rs x/.. .; r cp -rb d/e d; r cp -r . .'

# a folder onto "file/": cp's look at the destination fails first ("Not a directory")
ok "a folder onto file/" same_script 'eval mkdir x; echo 1 >x/f; echo a >a; ln -s a la' \
	'r cp -r x a/; r cp -ri x a//; r cp -r x la/; r cp -rT x a/'

# -s into another folder is refused, but only after cp removed what it would replace
ok "-s elsewhere removes first" same_script 'eval mkdir x d; echo 1 >x/f; ln -s f x/l; echo y >d/f; ln d/f d/h' \
	'r cp -sv --remove-destination x/f d; echo y >d/f; ln d/f d/h2; r cp -sfdv x/f d
	echo z >d/l; r cp -sdv x/l d'

# a folder named twice onto itself: "the same file" twice (cp looks at the destination before
# it notes the second name); elsewhere the second name is a warning. With -n the first gets
# past that look: the second is "into itself", the first one's destination
ok "a folder twice onto itself" same_script 'eval mkdir -p x d/e; echo 1 >x/f' \
	'r cp -r d/e d/e d; r cp -Lr d/e d/e/ d; r cp -rl d/e d/e d; r cp -r x x d
	r cp -rn d/e d/e d; r cp -rn d/e d/e/ d/e d; r cp -an d/e d/./e d; r cp -rn x x d'

# an operand that is a folder an earlier operand was (through "l/"): cp will not copy it
# again, unless it follows operands (-H, -L)
ok "a folder as two operands" same_script 'eval mkdir -p d/e t t2 t3 t4; echo 1 >d/f; ln -s d l' \
	'r cp -r d l/ t; r cp -a l/ d t2; r cp -rH d l t3; r cp -aL d l t4'

# an operand that goes into the target itself (d/e/..) meets the names of every other operand,
# which the workers may still be copying: "will not overwrite just-created", never a race
# (with 2 workers, before the fix, 18 of 40 runs said "are the same file")
ok "an operand into the target itself, after and before others" same_script \
	'eval mkdir -p d/e; echo x >a; ln -s ../a d/up; echo y >d/f' \
	'for i in 1 2 3 4 5 6 7 8; do
		rm -rf t; mkdir t; r cp -Hr d/up d/e/.. t/; rm -rf t; mkdir t; r cp -r d/e/.. d/f t/
	done'

# a backup made for an entry that then fails takes the name back, and -v says "(unbackup)"
ok "-sdbv: a relative symlink outside the current folder, the backup put back" same_script \
	'eval mkdir x d; echo a >x/f; ln -s f x/l; echo old >d/l' 'r cp -sdbv x/l d'
# a destination cp cannot even look at (its stat fails, not with ENOENT): "cannot stat", and
# no -v line, for every kind of file made there
ok "a destination through a symlink loop" same_script \
	'eval ln -s l1 l2; ln -s l2 l1; touch a; mkdir d; mkfifo f' \
	'r cp a l1/x; r cp -v a l1/x; r cp -rv d l1/x; r cp -av f l1/x; r cp -dv l1 l1/x
	r cp -lv a l1/x; r cp -sv a l1/x; r cp -sv "$PWD/a" l1/x'
ok "a destination name too long" same_script 'eval touch a; mkdir d' \
	'n=$(printf %0300d 0); r cp a $n; r cp -v a $n/x; r cp -rv d $n; r cp -rv d $n/$n
	r cp -lv a $n; r cp -sv a $n; r cp -a d/ $n'
ok "as a user: a destination folder that cannot be searched" user_script '
	mkdir s t; echo 1 >s/f; chmod 600 t; cp s/f t; echo $?; cp s/f t/x; echo $?
	cp -r s t/; echo $?; cp -rv s t/x; echo $?; cp -l s/f t/x; echo $?
	cp -av --parents s/f t; echo $?'

# a later name of a file already copied (--preserve=links) onto an existing name: a name of
# several is "removed" before the link's -v line, another after it; a backup is named
ok "-v: links between operands onto existing names" same_script \
	'eval echo 1 >a; ln a b; mkfifo p; ln p q; ln -s a s; ln s s2; mkdir t t2 t3; touch t/a t/b t/p t/q t/s t/s2 t2/b t3/b t3/q t3/s2; ln t2/b t2/b2' \
	'r cp -av a b p q s s2 t; r cp --preserve=links -v a b t2; r cp -av --backup=t a b p q s s2 t3
	r cp -av a b t3; r cp -aun a b t3'

# a source that cannot be opened: cp looks at the destination first (-n, -u, -i, same file, a
# backup, a removal) and says -v's line, then fails to open it, and moves a backup back
ok "as a user: a source that cannot be read" user_script '
	mkdir D; echo 1 >D/a; echo 2 >D/b; chmod 0 D/a; echo x >e
	cp -v D/a x; echo $?; cp -rv D DD; echo $?; cp -nv D/a e; echo $?; cp -uv D/a e; echo $?
	echo n | cp -iv D/a e; echo $?; cp -bv D/a e; echo $?; cp -v --backup=numbered D/a e; echo $?'
ok "as a user: a source that cannot be read, onto what is there" user_script '
	echo 1 >a; chmod 0 a; echo x >e; mkdir d dd; ln e e2; cp -v a no/x; echo $?
	echo y | cp -iv a e; echo $?; cp -v --remove-destination a e; echo $?; cp -v a d; echo $?
	touch -d 2000-01-01 e2; cp -uv a e2; echo $?; cp -v a a; echo $?; cp -bfv a a; echo $?
	cp -v --backup=t a e2; echo $?; cp -v --preserve=links a e2; echo $?
	cp -v -S /x -b a e2; echo $?; echo 1 >e3; cp -v -b a e3 e2 dd; echo $?
	mkdir dd/a; cp -v a dd; echo $?; ls -a . dd'
ok "a socket copied as a file" same_script \
	'eval python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")"; touch e; mkdir d; touch d/sock' \
	'r cp -v sock e; r cp -v sock y; r cp -bv sock e; r cp -v sock d; r cp -Lv sock d; r cp -Rv sock d; ls d e*'

# --reflink=always with no bytes to move: cp asks for the clone all the same (an empty file on
# tmpfs, a device, a fifo's contents); its files left empty are removed by sdcp (sdcp(1))
words_only=1
ok "--reflink=always of an empty file, a device, a fifo" same_script "eval touch $M/empty; mkfifo ff" \
	"rm -f $M/e2; r cp --reflink=always $M/empty $M/e2; r cp --reflink=always /dev/null e3
	(sleep 0.3; echo hi >ff) & r cp -r --copy-contents --reflink=always ff e4; wait
	r cp --reflink=always --attributes-only $M/empty e5; r cp --reflink=always /dev/null /dev/full"
words_only=

# -l onto a link to the same file is nothing to do, but -i asks first (cp's return_now comes
# after its prompt)
ok "-il onto the same file asks" same_script \
	'eval mkdir -p s/a t/s/a; echo 1 >s/a/f; echo 2 >s/g; echo 3 >t/s/a/f; echo 4 >t/s/g; ln -s g s/l; touch t/s/l' \
	'printf "y\n" | r cp -il s/g t/s/g; printf "y\ny\n" | r cp -il s/g s/l t/s/; printf "n\n" | r cp -il s/g t/s/g
	r cp -ul s/g t/s/g; printf "y\n" | r cp -ilf s/g t/s/g; cat t/s/g'

# ACLs onto a filesystem without them (ramfs): an access ACL is part of the mode, whatever
# asked for it (-a, -p, --preserve=mode or all, with --attributes-only), "preserving
# permissions" in the locale's quotes (gnulib's quote()), status 1; a default ACL is left
# quietly; -a says nothing of other xattrs it cannot set (cp's reduced diagnostics)
noacl() {
	command -v setfacl >/dev/null || t_skip "no setfacl"
	mkdir -p "$T/mnt/noacl" "$M/acl" || return 99
	mount -t ramfs ramfs "$T/mnt/noacl" || t_skip "cannot mount ramfs"
	t_on_exit "umount -l '$T/mnt/noacl' 2>/dev/null"
	cd "$M/acl" && echo 1 >f && setfacl -m u:nobody:rw f && mkdir d d2 &&
		setfacl -d -m u:nobody:rwx d && setfacl -m u:nobody:rwx d2 && echo 2 >nf &&
		setfattr -n user.x -v 1 nf || t_skip "no ACLs on tmpfs"
	for k in g s; do
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		(cd "$T/mnt/noacl" && rm -rf ./* && PATH="$bin:$PATH" &&
			for a in "-a f a" "-p f b" "--preserve=mode f c" "-a d dd" "-a d2 dd2" \
				"-rp d dd3" "--preserve=all f e" "--preserve=xattr f g" \
				"-a,--preserve=xattr f h" "--attributes-only f i" \
				"--attributes-only,-a f j" "-a,--no-preserve=mode f k" \
				"-a nf n" "--preserve=all nf o" "-p,--preserve=xattr nf p"; do
				set -- $a
				# shellcheck disable=SC2086 # the words are meant to be split
				r cp ${1//,/ } "$M/acl/$2" "$3"
				LC_ALL=C r cp ${1//,/ } "$M/acl/$2" "x$3"
			done
			ls -l | cut -c1-11) >"$T/$k.out" 2>&1
	done
	diff -u "$T/g.out" "$T/s.out"
}
ok "ACLs onto a filesystem without them" noacl

# an xattr the destination has no room for (ext4 with 1 KiB blocks): -a says nothing,
# --preserve=xattr and --preserve=all do (cp 9.1 names the attribute twice there, a quoting
# slip of its libattr callback: only the status is compared for those)
xattr_room() {
	E=$(t_mount ext4 xroom 32M) || t_skip "cannot mount ext4"
	echo 1 >"$M/xr" && setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr '\0' a)" "$M/xr" ||
		t_skip "no user xattrs on tmpfs"
	for k in g s; do
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		(cd "$E" && PATH="$bin:$PATH" && r cp -a "$M/xr" a && r cp -p "$M/xr" b &&
			cp --preserve=xattr "$M/xr" c 2>/dev/null; echo "status $?"
			cp --preserve=all "$M/xr" d 2>/dev/null; echo "status $?"
			rm -f a b c d) >"$T/$k.out" 2>&1
	done
	diff -u "$T/g.out" "$T/s.out"
}
ok "-a: an xattr with no room is not said" xattr_room

# as a user, onto a file of another's that the user may write: times cannot be kept, and cp
# then keeps nothing more where keeping was asked for; the mode's words are gnulib's
# (the locale's quotes) where the mode is kept, cp's own otherwise
touch "$T/other" && chmod 666 "$T/other" || exit 99
ok "as a user: onto another's file" user_script '
	echo 1 >f; cp f ../other; echo $?; cp -p f ../other; echo $?
	cp --preserve=mode f ../other; echo $?; cp --no-preserve=mode f ../other; echo $?
	cp -a f ../other; echo $?; cp --preserve=timestamps f ../other; echo $?
	LC_ALL=C cp --preserve=mode f ../other; echo $?'

# names with a quote and a character GNU's quoting keeps out of double quotes (shell
# specials anywhere, '#' and '~' past the first place): cp's 'a'\''&b', not "a'&b"
odd_quote() {
	for c in '#' '&' '(' ')' '*' ';' '<' '=' '>' '?' '[' ']' '^' '{' '|' '}' '~' ' ' '%' '@'; do
		for n in "a'${c}b" "${c}'a" "a'$c" "it's~" "it's.~1~"; do
			g=$("$GNU_CP" -v -- "$n" nowhere/ 2>&1)
			s=$("$T/bin/cp" -v -- "$n" nowhere/ 2>&1)
			[ "${g#*cp: }" = "${s#*cp: }" ] || {
				echo "$g"
				echo "$s"
				return 1
			}
		done
	done
}
ok "quoting of names with a quote and a shell character" odd_quote

# -s elsewhere names the link as cp's quotef does: bare where a shell reads it so, quoted
# for a shell character or a ':' (which ends a name in cp's messages)
ok "-s elsewhere: the name quoted as cp's quotef" same_script 'eval touch src; mkdir sub' \
	'for n in a:b :a "a b" a=b "a#b" "#a" "a~" "~a" "{" "a{b" "$(printf "a\tb")" é; do
		r cp -s src "sub/$n"
	done'

# -f onto a file that cannot be opened nor removed (a read-only folder): "cannot remove"
ok "as a user: -f where the file cannot be removed" user_script '
	echo 1 >f; echo 2 >ro; chmod 444 ro; mkdir d; echo 3 >d/x; chmod 444 d/x; chmod 555 d
	cp -f f ro; echo $?; cat ro; cp f d/x; echo $?; cp -f f d/x; echo $?; cp -fv f d/x; echo $?
	cp --remove-destination f d/x; echo $?; cp -fv f d/y; echo $?; cp -b f d/x; echo $?
	cp -r d e; echo $?; cp -rf d e; echo $?; chmod 755 d'

# a copy that fails after the old file was moved to its backup (ENOSPC): cp moves it back
# ("unbackup"); the new file is removed (as sdcp removes any new file it could not complete)
enospc_backup() {
	F=$(t_mount tmpfs full 1M) || t_skip "cannot mount tmpfs"
	head -c 3000000 /dev/zero >"$T/big" || return 99
	for k in g s; do
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		rm -rf "${F:?}"/* && echo old >"$F/old" && echo old2 >"$F/old2" || return 99
		(cd "$F" && PATH="$bin:$PATH" && r cp -bv "$T/big" old
			r cp -v --backup=t "$T/big" old2; ls; cat old old2) >"$T/$k.out" 2>&1
		sed -i "s|$T|T|g" "$T/$k.out"
	done
	diff -u "$T/g.out" "$T/s.out"
}
ok "ENOSPC after a backup: the old file comes back" enospc_backup

# on_disk_as_user SETUP SCRIPT: SETUP (as root) makes one source tree in a folder on /var/tmp's
# disk; SCRIPT runs there as nobody, with GNU cp and then with sdcp as cp: the outputs must
# match. One tree for both, since its inode numbers set the order of the walk; on disk, not on
# $T's tmpfs, since there the workers take longer and meet their files in other orders.
on_disk_as_user() {
	command -v setpriv >/dev/null || t_skip "no setpriv"
	chmod 711 "$T" && o=$(mktemp -d /var/tmp/sdcp-user.XXXXXX) && t_on_exit "rm -rf '$o'" &&
		chmod 777 "$o" && (cd "$o" && eval "$1") || return 99
	for k in gnu bin; do
		(cd "$o" && PATH="$T/$k:$PATH" setpriv --reuid=65534 --regid=65534 --clear-groups \
			sh -c "$2" 2>&1 | sed 's/^[^:]*cp: /cp: /') >"$T/$k.out"
	done
	diff -u "$T/gnu.out" "$T/bin.out"
}

# several workers, several failures in one tree: the messages come in cp's order (order.c),
# as before with -v, which implies -j 1 (before, 3 runs in 10 without -v differed)
ok "as a user: many files fail in a tree, cp's order" on_disk_as_user '
	mkdir s s/sub s/z s/v s/v/w && for i in $(seq 1 40); do
		echo $i >s/f$i && { [ $((i % 2)) = 1 ] || chmod 0 s/f$i; }
	done && echo v >s/v/w/x && echo q >s/z/q && chmod 0 s/z/q s/sub' '
	for v in "" "" "" "" "" "" "" "" -v; do rm -rf t; cp -r $v s t; echo "status $?"; done'

# a folder of root's that only others may read, copied by a user: the copy is the user's, made
# with the same mode, which keeps its owner out; cp gives the owner rwx by name to fill it
ok "as a user: a folder only others may read" on_disk_as_user \
	'mkdir s s/d && echo 1 >s/d/f && chmod 005 s/d' '
	rm -rf t; cp -r s t; echo "status $?"; find t -printf "%m %p\n" | sort; chmod -R u+rwx t'

# --- conf2 (session 4): found by comparing many option sets on one fixture ---

# -l onto a name of the same file: nothing to do, but cp asks -i's question first (its
# same_file_ok returns "return now", looked at after -u and -i)
ok "-il onto the same file asks first" same_script 'eval echo a >a; ln a b; echo c >c' '
	echo y | r cp -il a b; echo n | r cp -il a a; echo y | r cp -vil a b c
	echo n | r cp -ilb a b; : | r cp -uil a b; echo y | r cp -il -d a b'

# --parents names the destination without the source's trailing slashes (cp.c strips them
# from the name it appends; -v shows the source as given)
ok "--parents: a source with trailing slashes" same_script 'eval mkdir -p x/y/z t; echo q >x/y/z/q' '
	r cp -rv --parents x//y// t//; r cp -rv --parents x/y/z/ t; r cp -av --parents x/y/// t
	r cp -v --parents x/y/z/q/ t; r cp -v --parents x/ t'

# as a user, -f onto a file in a folder it may not write: cp's unlink says "cannot remove"
# (after -v's line); -fl and -fs replace through a new name, so the link is what fails
ok "as a user: -f in a folder not writable" user_script '
	echo a >a; mkdir rod; echo f >rod/f; chmod 444 rod/f; chmod 555 rod
	for o in -f -fv -flv -fsv -fl "-fl --preserve=links" "-l --remove-destination" -fb; do
		cp $o /proc/self/cwd/a rod/f; echo "status $?"
	done; echo y | cp -il /proc/self/cwd/a rod/f; echo "status $?"; chmod 755 rod'

# -s with -p or -a: the symlink gets the source's times (not its owner or mode)
times="s1 s2 s3 d2/f"
ok "-s -p: the symlinks' times" same_script \
	'eval mkdir d; echo a >a; echo f >d/f; touch -d 2001-01-01 a d/f; ln -s a la; touch -h -d 2002-01-01 la' \
	'r cp -s -p a s1; r cp -s --preserve=timestamps a s2; r cp -as la s3; r cp -rs --preserve=all /proc/self/cwd/d d2'
times=

ok "-bv names a backup with a quote" same_script "eval echo a >\"it's\"; echo b >\"it's.c\"" \
	"r cp -bv \"it's\" \"it's.c\"; r cp -v --backup=t \"it's\" \"it's.c\""

# cp names a relative -s elsewhere with quotef, which also quotes a colon
ok "-s elsewhere: a name with a colon is quoted" same_script 'eval mkdir t; touch a:b c' \
	'r cp -s a:b t/; r cp -s c t/x:y; r cp -s c t/'

# holes as cp makes them: of the destination's block size (1 KiB on a small ext4, a page on
# tmpfs), a short last block of zeros left out, and with --sparse=auto from the zeros of a
# source that looks sparse (cp's is_probably_sparse)
sparse_blocks() {
	t_mount_or_skip E ext4 sparse 64M
	mkdir -p "$E/src" "$M/src" || return 99
	for d in "$E/src" "$M/src"; do
		(cd "$d" && truncate -s 1M hole && echo end >>hole &&
			{ echo start; head -c 200k /dev/zero; echo mid; } >mixed && truncate -s 2M mixed &&
			head -c 64k /dev/zero >allzero && printf abc >small && truncate -s 5000 small &&
			{ head -c 4096 /dev/zero; echo x; head -c 4096 /dev/zero; } >zx) || return 99
	done
	for from in "$E" "$M"; do
		for to in "$E" "$M"; do
			for sp in auto always never; do
				for f in hole mixed allzero small zx; do
					for k in gnu bin; do
						rm -f "$to/out"
						"$T/$k/cp" --sparse=$sp "$from/src/$f" "$to/out" &&
							stat -c "$sp $f %s %b" "$to/out" >"$T/$k.sp" || return 1
					done
					diff -u "$T/gnu.sp" "$T/bin.sp" || return 1
				done
			done
		done
	done
}
ok "--sparse: holes of the destination's blocks, as cp" sparse_blocks

# where the copy is a clone, cp 9.1 makes no holes of the zeros (not even with
# --sparse=always): its FICLONE is the whole copy, extents shared, zeros and all; sdcp's too
sparse_clone() {
	t_mount_or_skip X xfs sparseclone 300M
	mkdir -p "$X/src" || return 99
	(cd "$X/src" && { echo start; head -c 200k /dev/zero; echo mid; } >mixed &&
		truncate -s 2M mixed) || return 99
	sync -f "$X" || return 99
	for sp in auto always; do
		for k in gnu bin; do
			rm -f "$X/out"
			"$T/$k/cp" --sparse=$sp "$X/src/mixed" "$X/out" && sync -f "$X" &&
				stat -c "$sp %s %b" "$X/out" >"$T/$k.sp" || return 1
		done
		diff -u "$T/gnu.sp" "$T/bin.sp" || return 1
		# every extent shared with the source: cloned, not written
		filefrag -v "$X/out" | grep -E '^ *[0-9]+:' >"$T/ext" || return 1
		! grep -qv shared "$T/ext" || return 1
	done
}
ok '--sparse: a clone is the whole copy, zeros shared, as cp' sparse_clone

# --preserve=links onto a copy made before: a fifo's second name replaces what is there, as
# a file's does (cp's create_hard_link); -v says "removed" (after the line where cp replaced:
# sorted here, since the order follows the fixtures' inode numbers, which may differ)
ok "--preserve=links again onto the copy: fifos, -v" same_script \
	'eval mkdir d t t2 t3; mkfifo d/p; ln d/p d/p2; echo 1 >d/f; ln d/f d/h' \
	'{ r cp -aL d t; r cp -aL -v d t; r cp -a d t2; r cp -av d t2
	r cp -rL --preserve=links d t3; r cp -rvL --preserve=links d t3; r cp -abv d t3; } 2>&1 | sort'

# -s with --preserve=links: a second name of a source is a hard link to the first symlink
# (through it, to the file, where operands are followed); times as the source's (-a)
# (operands only: in a tree the first name is the first one read, which follows the fixtures'
# inode numbers)
ok "-s --preserve=links: names of one file" same_script 'eval mkdir d o3 o5 o6; echo 1 >d/f; ln d/f d/h' '
	r cp -s --preserve=links /proc/self/cwd/d/f /proc/self/cwd/d/h o3
	r cp -Hs --preserve=links /proc/self/cwd/d/f /proc/self/cwd/d/h o5
	r cp -ds --preserve=links /proc/self/cwd/d/f /proc/self/cwd/d/h o6
	r cp -as /proc/self/cwd/d/h /proc/self/cwd/d/f o6'

# a folder operand refused as "the same file" is not noted as copied: a later operand that
# holds it is copied, not "will not create hard link" (found by random.sh, seed 4242)
ok "a folder onto itself, then as x/." same_script 'eval mkdir x d; echo 1 >x/f; echo 2 >d/g' \
	'r cp --preserve=all -R x/ x/. .; r cp -R --preserve=links d/ d/. d/..; r cp -a x x/. .'

# found by random.sh (seeds 4242, 31337): an unreadable source onto a dangling symlink is
# "cannot open" (cp finds the dangling link only as it creates the copy); a symlink made in a
# folder one may not write is EACCES (sdcp said ENOENT, from a later look at the name)
ok "as a user: unreadable onto dangling, a symlink in a read-only folder" user_script '
	echo s >secret; chmod 0 secret; ln -s nowhere dangling; mkdir d ro; ln -s d link-to-d
	chmod 555 ro; cp -H -r secret dangling; echo $?; cp -v secret dangling; echo $?
	cp -P link-to-d ro; echo $?; cp -rP link-to-d ro; echo $?; chmod 755 ro'

# found by random.sh (seed 9): -sf / -lf onto "dangling/": cp links to a temporary name and
# renames it over the name, and says the rename's ENOTDIR
ok "-sf and -lf onto a dangling symlink with a slash" same_script \
	'eval echo x >f; ln -s nowhere dangling' \
	'r cp -T -sf f dangling/; r cp -T -lf f dangling/; r cp -T -s f dangling/; r cp -sf f dangling/'

# a folder met again through a symlink where every symlink is followed (-L, and -rl's default):
# cp copies it again; "will not create hard link ... to directory" is for the other cases
# (found by random.sh, seed 13)
ok "-RL and -rl: a folder met again through a symlink" same_script \
	'eval mkdir a c d e; ln -s ../c a; touch c/f; mkdir -p t/d/e; ln -s e t/d/ldir' \
	'r cp -RL c a d; r cp -rl c a e; r cp -rL t/d/ldir/ t/d e; r cp -R c a t'

t_done
