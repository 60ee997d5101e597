#!/bin/bash
# SPDX-License-Identifier: MIT
# sdcp's bash completion (completions/sdcp.bash), loaded in bash and asked as bash asks it
# (COMP_WORDS, COMP_CWORD; "--opt=val" split at "=", as COMP_WORDBREAKS has it): every option
# of sdcp's table, the choices of --reflink, --sparse, --stats, --update, --backup, --preserve,
# folders for -t, nothing for -j, and paths otherwise.
. "$(dirname "$0")/lib.sh"

completion=$(cd "$(dirname "$0")/../../completions" && pwd)/sdcp.bash
opts_c=$(cd "$(dirname "$0")/../../tools/sdcp" && pwd)/opts.c
[ -f "$completion" ] && [ -f "$opts_c" ] || exit 99

# The command as a user types it: "sdcp", found on PATH.
ln -s "$SDCP" "$T/bin/sdcp" || exit 99
PATH=$T/bin:$PATH
cd "$T" || exit 99
mkdir dir1 dir2 && touch d-file file1 file2 ./-dash || exit 99

# shellcheck source=../../completions/sdcp.bash
. "$completion" || exit 99

# comp WORD... : complete the last WORD (the words before it are the command line), as bash
# calls the function complete -p names; prints COMPREPLY sorted, one a line. Fails if the
# completion wrote anything on stderr.
comp() {
	local fn
	fn=$(complete -p sdcp | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
	[ -n "$fn" ] || { echo "no completion function for sdcp"; return 1; }
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	# bash passes the word being completed as readline sees it: "" right after "="
	local word=${COMP_WORDS[COMP_CWORD]}
	[ "$word" = = ] && word=
	"$fn" "$1" "$word" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$T/comp.err"
	if [ -s "$T/comp.err" ]; then
		echo "the completion wrote on stderr:"
		cat "$T/comp.err"
		return 1
	fi
	[ ${#COMPREPLY[@]} = 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect "WANTED WORDS" WORD...: the completion of WORD... is exactly WANTED (any order)
expect() {
	local want=$1 got
	shift
	got=$(comp "$@") || { echo "$got"; return 1; }
	# shellcheck disable=SC2086 # the words of WANTED
	want=$(printf '%s\n' $want | sort)
	[ "$got" = "$want" ] && return 0
	echo "completing: $*"
	echo "want: $(echo "$want" | tr '\n' ' ')"
	echo "got:  $(echo "$got" | tr '\n' ' ')"
	return 1
}

registered() {
	complete -p sdcp | grep -q ' -F _sdcp sdcp$'
}
ok 'the file registers a completion for sdcp' registered

# Every long option of sdcp's table (opts.c), but cp's old name --path, which cp's --help
# does not show either; and every short option of its getopt string.
all_options() {
	local got want short
	got=$(comp sdcp -) || return 1
	got=$(echo "$got" | sed 's/=$//' | sort)
	want=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*, NULL, .*/--\1/p' "$opts_c" |
		grep -vx -- --path)
	[ "$(echo "$want" | wc -l)" -gt 30 ] || { echo "cannot read opts.c's table"; return 1; }
	short=$(sed -n 's/^static const char shortopts\[\] = "\(.*\)";/\1/p' "$opts_c" | tr -d :)
	[ -n "$short" ] || { echo "cannot read opts.c's short options"; return 1; }
	want=$( (echo "$want"; echo "$short" | sed 's/./-&\n/g' | sed '/^$/d'; echo --help) |
		sort -u)
	diff -u <(echo "$want") <(echo "$got" | sort -u)
}
ok 'sdcp -<TAB>: every option of its table' all_options

needs_value() {
	expect "--sparse= --stats --strip-trailing-slashes --suffix= --symbolic-link" sdcp --s
}
ok 'an option that needs its value is offered with "="' needs_value

ok '--refl<TAB>' expect "--reflink" sdcp --refl
ok '--reflink=<TAB>' expect "always auto never" sdcp --reflink =
ok '--reflink=al<TAB>' expect "always" sdcp --reflink = al
ok '--sparse=a<TAB>, "=" no word break' expect "--sparse=always --sparse=auto" sdcp --sparse=a
ok '--stats=<TAB>' expect "json text" sdcp -r --stats =
ok '--update=none<TAB>' expect "none none-fail" sdcp --update = none
ok '--backup=<TAB>' expect "none off simple never existing nil numbered t" sdcp --backup =
ok '--preserve=mode,ti<TAB>: the last of a list' expect "mode,timestamps" sdcp --preserve = mode,ti
ok '--no-preserve=x<TAB>' expect "xattr" sdcp -a --no-preserve = x
ok '-t d<TAB>: folders only' expect "dir1 dir2" sdcp -t d
ok '--target-directory=d<TAB>' expect "dir1 dir2" sdcp --target-directory = d
ok '-j <TAB>: a number, nothing offered' expect "" sdcp -j ""
ok '--chunk-size=<TAB>: nothing offered' expect "" sdcp --chunk-size =
ok 'an operand: paths' expect "d-file dir1 dir2" sdcp -r file1 d
ok 'after --, paths only' expect "-dash" sdcp -r -- -
not_found() {
	expect "file1 file2" no-such-sdcp f
}
ok 'a command with no --help: paths' not_found
t_done
