#!/bin/sh
# core/examples CC INCLUDE_DIR LIBRARY README MANPAGE [SANITIZE]: the C examples a reader
# copies compile and work. From README.md, every ```c block that has a main(); from the man
# page, its EXAMPLES section's .EX/.EE (or .nf/.fi) blocks, joined, with the roff escapes
# decoded as man shows them. Each is built with CC -Wall -Wextra -Werror against the header
# and the built library (and SANITIZE's -fsanitize=, as the library was), then run as
# "PROGRAM SOURCE DEST" on a small file, which must be copied exactly.
set -u
cc=$1 inc=$2 lib=$3 readme=$4 manpage=$5 sanitize=${6:-none}
tmp=$(mktemp -d /var/tmp/sdtest-examples.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
fail=0

# README.md: blocks numbered readme-1.c, readme-2.c, ... (only those with a main()).
awk -v out="$tmp/readme" -f "$(dirname "$0")/readme-examples.awk" "$readme" || exit 99

# The man page: what man shows of the code blocks of EXAMPLES (roff in no-fill mode).
awk -v out="$tmp/man.c" '
	function fatal(what) {
		printf "FAIL: %s line %d: %s\n", FILENAME, NR, what
		bad = 1
		exit 1
	}
	# \e and the other escapes of code, left to right; a font change shows nothing
	function unroff(s,    r, c, name, end) {
		r = ""
		while ((c = index(s, "\\")) > 0) {
			r = r substr(s, 1, c - 1)
			s = substr(s, c + 1)
			c = substr(s, 1, 1)
			if (c == "e" || c == "\\") {
				r = r "\\"; s = substr(s, 2)
			} else if (c == "-" || c == " " || c == "0") {
				r = r (c == "-" ? "-" : " "); s = substr(s, 2)
			} else if (c == "&" || c == "|" || c == "^") {
				s = substr(s, 2)
			} else if (c == "\"") {
				return r
			} else if (c == "(" || c == "[") {
				end = c == "(" ? 3 : index(s, "]")
				if (end < 3)
					fatal("unterminated \\[")
				name = c == "(" ? substr(s, 2, 2) : substr(s, 2, end - 2)
				s = substr(s, end + 1)
				if (name == "aq") r = r "\047"
				else if (name == "dq") r = r "\""
				else if (name == "rs") r = r "\\"
				else if (name == "ti") r = r "~"
				else if (name == "ha") r = r "^"
				else if (name == "ga") r = r "`"
				else if (name == "lq" || name == "rq") r = r "\""
				else fatal("unknown special character \\(" name)
			} else if (c == "f") {
				c = substr(s, 2, 1)
				if (c == "(")
					s = substr(s, 5)
				else if (c == "[")
					s = substr(s, index(s, "]") + 1)
				else
					s = substr(s, 3)
			} else {
				fatal("unknown escape \\" c)
			}
		}
		return r s
	}
	/^\.SH/ { section = $0; next }
	section !~ /^\.SH "?EXAMPLES?"?[ \t]*$/ { next }
	/^\.(EX|nf)[ \t]*$/ { code = 1; next }
	/^\.(EE|fi)[ \t]*$/ { code = 0; next }
	!code { next }
	/^[.\047]\\"/ { next }
	/^[.\047]/ { fatal("a request inside the example: " $0) }
	{ printf "%s\n", unroff($0) > out; found = 1 }
	END {
		if (bad)
			exit 1
		if (!found) {
			printf "FAIL: %s: no code in its EXAMPLES section\n", FILENAME
			exit 1
		}
	}
' "$manpage" || exit 1

flags="-Wall -Wextra -Werror"
[ "$sanitize" != none ] && flags="$flags -fsanitize=$sanitize"
libdir=$(cd "$(dirname "$lib")" && pwd) || exit 99
head -c 150000 /dev/urandom >"$tmp/source" || exit 99
printf 'and an end that is not a whole block\n' >>"$tmp/source" || exit 99

set -- "$tmp"/readme-*.c
if [ ! -e "$1" ]; then
	echo "FAIL: $readme: no \`\`\`c block with a main()"
	fail=1
	set --
fi
for src in "$@" "$tmp/man.c"; do
	case $src in
	*/man.c) name="$manpage (EXAMPLES)" ;;
	*) name="$readme (block $(basename "$src" .c | sed 's/readme-//') with a main())" ;;
	esac
	rm -f "$tmp/copy"
	# shellcheck disable=SC2086 # flags are words
	if ! "$cc" $flags -I"$inc" "$src" "$lib" -Wl,-rpath,"$libdir" -o "$tmp/prog" \
		2>"$tmp/cc.log"; then
		echo "FAIL: $name does not compile:"
		cat "$tmp/cc.log"
		echo "--- the code, as extracted:"
		cat -n "$src"
		fail=1
	elif ! "$tmp/prog" "$tmp/source" "$tmp/copy" >"$tmp/run.log" 2>&1; then
		echo "FAIL: $name: the program failed:"
		cat "$tmp/run.log"
		fail=1
	elif ! cmp "$tmp/source" "$tmp/copy"; then
		echo "FAIL: $name: the copy differs from its source"
		fail=1
	else
		echo "ok - $name: $(head -n 1 "$tmp/run.log")"
	fi
done
exit $fail
