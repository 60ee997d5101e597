#!/bin/bash
# SPDX-License-Identifier: MIT
# Random command lines (options, sources and destinations drawn from cp's) run by GNU cp and by
# sdcp on copies of one fixture: output, errors, status and resulting tree must match. The
# seed is fixed, so a run is repeatable; SD_RANDOM_SEED and SD_RANDOM_N draw others (by hand:
# SD_RANDOM_N=500). A case may also set VERSION_CONTROL and SIMPLE_BACKUP_SUFFIX, and some run
# as nobody (a folder and a file of root's it may not write or read). Known differences, left
# out (man/sdcp.1): cp 9.1 copies part of a folder into itself before it reports "into itself"
# (sdcp refuses first); cp 9.1 puts a backup of a destination in another folder in the current
# one (a bug fixed in coreutils 9.2); a new file whose copy failed is removed.
SD_T_TMPFS=1 # cp and sdcp walk two fixtures: their inode numbers must agree
. "$(dirname "$0")/lib.sh"

nofifo=
fixture() {
	echo hello >a
	echo older >b
	touch -d 2001-01-01 b
	echo newer >n
	touch -d 2030-01-01 n
	mkdir -p d/e d/empty target/d ro x y
	echo x >d/f
	ln d/f d/hard
	ln -s f d/l
	ln -s ../a d/up
	ln -s e d/ldir
	ln -s gone d/dang
	# --copy-contents reads a fifo, and would wait for a writer
	[ -n "$nofifo" ] || mkfifo d/fifo
	truncate -s 1M d/sparse && echo end >>d/sparse
	head -c 200k /dev/zero >d/zeros && echo end >>d/zeros
	ln -s a link-to-a
	ln -s nowhere dangling
	ln -s d link-to-d
	echo old >target/a
	echo old >target/d/f
	echo old >target/x~ && echo old >target/x.~1~
	chmod 600 d/e && chmod 2755 d/e && chmod 444 target/a
	echo r >ro/r && chmod 555 ro
	ln -s loop1 loop2 && ln -s loop2 loop1
	echo 'sp ace' >'s p'
	echo 1 >x/f && ln x/f x/h && echo 9 >x/a
	# hard links across operands (x y) and to a file named on its own (d/f)
	ln x/f y/g && ln d/f y/df && echo 2 >y/a
	echo s >secret && chmod 600 secret
	if [ -n "$as_user" ]; then
		# nobody owns all but ro (cannot be written) and secret (cannot be read)
		chown -hR nobody:nogroup . && chown -h root:root ro ro/r secret
	fi
}
opts=(-r -R -a -p -d -L -P -H -f -n -u -v -l -s -x -T -b --backup=numbered --backup=existing
	--backup=simple --backup=none --backup -S.bak -S~ --suffix=.old --remove-destination
	--attributes-only --parents --strip-trailing-slashes --preserve=mode --preserve=timestamps
	--preserve=links --preserve=all --preserve=ownership --no-preserve=mode --no-preserve=all
	--no-preserve=links --no-preserve=timestamps --no-preserve=ownership --sparse=always
	--sparse=never --sparse=auto --reflink=never --reflink=auto -i -t --one-file-system
	--no-dereference --dereference --archive --keep-directory-symlink --no-clobber --update=all
	--update=none --update=older --update --copy-contents -rl -rs -dl -al -ab -Lr -Hr -Pr -lb
	-sf -lf -rT -an)
# no fifo as a source: cp without -r reads it, and waits
srcs=(x/f x/h x x/ x/a y y/g a b n d d/ d/f d/l d/hard d/sparse d/zeros d/e d/ldir d/ldir/
	d/dang d/up link-to-a dangling link-to-d link-to-d/ loop1 ro ro/r missing 's p' . d/e/g
	secret a/ d/e/.. x/. x/..)
dsts=(c target target/ target/d b a d d/e newdir/ n dangling link-to-a ro/x ro . d/e/.. x/.
	c/ a/ dangling/ d/ldir)
vcs=(none off numbered t existing nil simple never)
sfx=('~' .old _b)

known() { # ARGS...: a difference listed above
	grep -q 'into itself' "$T/g.err" && return 0
	# where cp's partial copy ends in another error (-a: "will not create hard link")
	grep -q 'into itself' "$T/s.err" && ! grep -qx 0 "$T/g.rc" && return 0
	for a in "$@"; do
		case $a in
		-b | --backup* | -S* | --suffix* | -[!-]*b*)
			# a destination in another folder: a named one, or one below a target
			case ${!#} in */* | .) ;; *) [ -d "$T/g/${!#}" ] || continue ;; esac
			return 0
			;;
		esac
	done
	# the failed new file: cp left it (empty), sdcp removed it; words and status the same
	[ -s "$T/g.err" ] && same_words || return 1
	grep '^[-+][^-+]' "$T/check.log" >"$T/known.diff"
	[ -s "$T/known.diff" ] && ! grep -qv '^-\(f [0-7]* 0 1 \|d41d8cd98f00b204e9800998ecf8427e  \)' "$T/known.diff"
}
same_words() {
	cmp -s "$T/g.out.sorted" "$T/s.out.sorted" && cmp -s "$T/g.err.sorted" "$T/s.err.sorted" &&
		cmp -s "$T/g.rc" "$T/s.rc"
}

# like run_both, as nobody when $as_user is set; GNU cp runs $gargs
run_case() {
	rm -rf "$T/g" "$T/s"
	# each kind of fixture is made once, then copied (cp -a: the same times)
	tmpl=$T/fixture${nofifo:+-nofifo}${as_user:+-user}
	if [ ! -d "$tmpl" ]; then
		mkdir "$tmpl" && (cd "$tmpl" && fixture) || return 99
	fi
	"$GNU_CP" -a "$tmpl" "$T/g" && "$GNU_CP" -a "$tmpl" "$T/s" || return 99
	for k in g s; do
		bin=$T/bin && [ $k = s ] || bin=$T/gnu
		(cd "$T/$k" && [ $k = s ] || set -- "${gargs[@]}"
			PATH="$bin:$PATH" $as_user cp "$@" >"$T/$k.out" 2>"$T/$k.err" </dev/null
			echo $? >"$T/$k.rc")
	done
	same_lines "$T/g.out" "$T/s.out" || return 1
	same_lines "$T/g.err" "$T/s.err" || return 1
	diff -u "$T/g.rc" "$T/s.rc" || return 1
	t_tree "$T/g" >"$T/g.tree" && t_tree "$T/s" >"$T/s.tree" || return 1
	diff -u "$T/g.tree" "$T/s.tree" || return 1
	# holes: --sparse=always makes them, =never fills them, as cp does
	(cd "$T/g" && find . -type f -size +64k -printf '%p %b\n' | sort) >"$T/g.blocks"
	(cd "$T/s" && find . -type f -size +64k -printf '%p %b\n' | sort) >"$T/s.blocks"
	diff -u "$T/g.blocks" "$T/s.blocks"
}

user=
command -v setpriv >/dev/null && user="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod 711 "$T" || exit 99
RANDOM=${SD_RANDOM_SEED:-20261125}
n=${SD_RANDOM_N:-150}
for ((i = 0; i < n; i++)); do
	args=()
	for ((k = RANDOM % 5; k > 0; k--)); do
		o=${opts[RANDOM % ${#opts[@]}]}
		if [ "$o" = -t ]; then args+=(-t target); else args+=("$o"); fi
	done
	for ((k = 1 + RANDOM % 3; k > 0; k--)); do
		args+=("${srcs[RANDOM % ${#srcs[@]}]}")
	done
	args+=("${dsts[RANDOM % ${#dsts[@]}]}")
	# --update=WHICH is newer cp's (issue 4): GNU cp 9.1 runs its older spelling, -u for older,
	# -n for none, nothing for all; left out where the result depends on the order of -i, -n,
	# -u (the last wins in newer cp) or where 9.1's -n refuses -b
	gargs=()
	case " ${args[*]} " in
	*" --update="*)
		drop=
		case " ${args[*]} " in
		*" --update="*" --update="* | *" -i "* | *" -n "* | *" -an "* | *" --no-clobber "* | \
			*" -u "* | *" --update "*) drop=1 ;;
		esac
		for a in "${args[@]}"; do
			case " ${args[*]} ~$a" in
			*" --update=none "*"~-b" | *" --update=none "*"~--backup"* | \
				*" --update=none "*"~-S"* | *" --update=none "*"~--suffix"* | \
				*" --update=none "*"~-"[!-]*b*) drop=1 ;;
			esac
		done
		a2=()
		for a in "${args[@]}"; do
			case $a in
			--update=*) [ -n "$drop" ] || a2+=("$a") ;;
			*) a2+=("$a") ;;
			esac
		done
		args=("${a2[@]}")
		;;
	esac
	for a in "${args[@]}"; do
		case $a in
		--update=all) ;;
		--update=older) gargs+=(-u) ;;
		--update=none) gargs+=(-n) ;;
		*) gargs+=("$a") ;;
		esac
	done
	env=()
	((RANDOM % 3)) || env+=(VERSION_CONTROL="${vcs[RANDOM % ${#vcs[@]}]}")
	((RANDOM % 4)) || env+=(SIMPLE_BACKUP_SUFFIX="${sfx[RANDOM % ${#sfx[@]}]}")
	as_user=
	((RANDOM % 5)) || as_user=$user
	nofifo=
	case " ${args[*]} " in *" --copy-contents "*) nofifo=1 ;; esac
	title="${env[*]}${env:+ }${as_user:+(as nobody) }cp ${args[*]}"
	if ( ((${#env[@]} == 0)) || export "${env[@]}"; run_case "${args[@]}") >"$T/check.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $title"
	elif known "${args[@]}"; then
		echo "ok - $title # known difference"
	else
		failed=$((failed + 1))
		echo "not ok - $title"
		sed 's/^/#   /' "$T/check.log"
	fi
done
t_done
