#!/bin/sh
# SPDX-License-Identifier: MIT
# setuid, setgid and sticky bits are kept or dropped exactly as GNU cp keeps or drops them:
# as root (who can give the copy its owner) and as nobody (who cannot: a setuid file of
# root's must not become a setuid file of nobody's), with and without -p, -a,
# --preserve=mode, --preserve=ownership, --no-preserve=mode; onto new and existing
# destinations and into a setgid folder (whose group and setgid bit new entries inherit);
# under umask 022 and 000 (where cp adds back the bits it left out at creation). Each case
# runs GNU cp and sdcp on the same source and compares modes, owners, messages and exit
# status; sdcp also runs with --atomic and with jobs where the bits are kept. Then, under
# strace, no entry is created or chmod'ed with a bit its final mode lacks.
. "$(dirname "$0")/../sdcp/lib.sh"
: "${MODECHECK:=$(dirname "$0")/modecheck.py}"

[ "$(id -u)" = 0 ] || t_skip "needs root (files of several owners, setpriv)"
command -v setpriv >/dev/null 2>&1 || t_skip "no setpriv"
m=$(t_mount tmpfs work 64M) || t_require_fail tmpfs "cannot mount tmpfs"
# nobody must reach the copies of sdcp and cp ($T/bin, $T/gnu) and the work folder
chmod 755 "$T" "$T/bin" "$T/gnu" && chmod 1777 "$m" || exit 99
# the group of the setgid destination: one nobody is not in
SGID_GROUP=100

mkdir -p "$m/src/dirs/g2775" "$m/src/dirs/t1777" "$m/src/dirs/n2755" "$m/src/dirs/r555" \
	"$m/src/dirs/p700" || exit 99
for mode in 4755 2755 6755 7755 4711 2711 1755 4700 2770 0755; do
	echo "$mode" >"$m/src/f$mode" && chmod "$mode" "$m/src/f$mode" || exit 99
done
echo in >"$m/src/dirs/g2775/in" && echo in >"$m/src/dirs/r555/in" || exit 99
# owned by nobody and by a group nobody is not in
echo x >"$m/src/nob4755" && chown 65534:65534 "$m/src/nob4755" && chmod 4755 "$m/src/nob4755"
echo x >"$m/src/grp2755" && chown 65534:0 "$m/src/grp2755" && chmod 2755 "$m/src/grp2755"
chown 65534:65534 "$m/src/dirs/n2755" "$m/src/dirs/p700" || exit 99
chmod -R a+rX "$m/src"
chmod 2775 "$m/src/dirs/g2775" && chmod 1777 "$m/src/dirs/t1777" &&
	chmod 2755 "$m/src/dirs/n2755" && chmod 555 "$m/src/dirs/r555" &&
	chmod 700 "$m/src/dirs/p700" || exit 99

as() { # USER COMMAND...: root, or nobody (65534) without supplementary groups
	who=$1
	shift
	if [ "$who" = root ]; then
		"$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	fi
}

listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %U:%G %p\n' | sort)
}

# prepare TOOL PRE: an empty $m/TOOL for "new"; for "old", the files and two folders already
# there, nobody's, 0644 and 0700; for "sgid", an empty folder 2777 of group SGID_GROUP
prepare() {
	rm -rf "${m:?}/$1" && mkdir "$m/$1" && chmod 777 "$m/$1" || return 99
	case $2 in
	old)
		for f in "$m"/src/f* "$m"/src/nob* "$m"/src/grp*; do
			echo old >"$m/$1/${f##*/}" && chmod 644 "$m/$1/${f##*/}" || return 99
		done
		mkdir -p "$m/$1/dirs/g2775" "$m/$1/dirs/t1777" && chmod 700 "$m/$1/dirs/g2775" &&
			chown -R 65534:65534 "$m/$1" || return 99
		;;
	sgid)
		chown 0:$SGID_GROUP "$m/$1" && chmod 2777 "$m/$1" || return 99
		;;
	esac
}

# copy TOOL WHO MASK OPTIONS...: cp OPTIONS (all of src) TOOL/ as WHO under umask MASK, with
# GNU cp (TOOL gnu) or sdcp (bin); output, errors, status and listing in $T/TOOL.*
copy() {
	tool=$1 who=$2 mask=$3
	shift 3
	(cd "$m" && umask "$mask" && as "$who" env PATH="$T/$tool:$PATH" cp "$@" src/f4755 \
		src/f2755 src/f6755 src/f7755 src/f4711 src/f2711 src/f1755 src/f4700 \
		src/f2770 src/f0755 src/nob4755 src/grp2755 src/dirs "$tool/" \
		>"$T/$tool.out" 2>"$T/$tool.err"
	echo $? >"$T/$tool.rc")
	listing "$m/$tool" >"$T/$tool.list"
}

# compare WHO PRE MASK OPTIONS...: GNU cp's result, then sdcp's with OPTIONS, and with each
# word of $EXTRA added (sdcp-only options, commas for spaces): all the same
compare() {
	who=$1 pre=$2 mask=$3
	shift 3
	prepare gnu "$pre" && copy gnu "$who" "$mask" "$@" || return 99
	sed "s/^/cp $*: /" "$T/gnu.err" >"$T/gnu.err.t"
	for extra in "" ${EXTRA:-}; do
		extra=$(echo "$extra" | tr , ' ')
		# --atomic renames a new file over an old one: it has a new file's mode and
		# owner, where cp's overwrite keeps the old file's (man sdcp)
		[ "$extra" = --atomic ] && [ "$pre" = old ] && continue
		# shellcheck disable=SC2086 # $extra is a list of options
		prepare bin "$pre" && copy bin "$who" "$mask" $extra "$@" || return 99
		sed "s/^/cp $*: /" "$T/bin.err" >"$T/bin.err.t"
		diff -u "$T/gnu.list" "$T/bin.list" && diff -u "$T/gnu.err.t" "$T/bin.err.t" &&
			diff -u "$T/gnu.rc" "$T/bin.rc" || {
			echo "# (sdcp ran with: $extra $*)"
			return 1
		}
	done
}

for who in root nobody; do
	for pre in new old sgid; do
		for opts in -r -rp -a "-r --preserve=mode" "-r --preserve=ownership" \
			"-a --no-preserve=mode"; do
			# sdcp also with jobs and with --atomic, where the bits are kept
			case $opts in
			-a | "-r --preserve=mode") EXTRA="-j,4 --atomic" ;;
			*) EXTRA= ;;
			esac
			# shellcheck disable=SC2086 # $opts is a list of options
			ok "$who, $pre destination, umask 022, cp $opts" \
				compare $who $pre 022 $opts
		done
	done
done
EXTRA=
for who in root nobody; do
	for pre in new sgid; do
		for opts in -r -rp "-r --preserve=ownership"; do
			# shellcheck disable=SC2086 # $opts is a list of options
			ok "$who, $pre destination, umask 000, cp $opts" \
				compare $who $pre 000 $opts
		done
	done
done

# The rules, said on their own (they hold for GNU cp 9.1 too: the checks above compare):
has() { # LINE...: each in sdcp's last listing
	for l in "$@"; do
		grep -qx -- "$l" "$T/bin.list" || {
			echo "no '$l' in:"
			cat "$T/bin.list"
			return 1
		}
	done
}
# root keeps every bit with -a, also on nobody's file (the copy is nobody's again)
rule_root_a() {
	prepare bin new && copy bin root 022 -a && has 'f 4755 0:0 ./f4755' \
		'f 7755 0:0 ./f7755' 'f 4755 65534:65534 ./nob4755' 'd 2755 65534:65534 ./dirs/n2755'
}
ok "rule: as root, -a keeps setuid, setgid and sticky" rule_root_a
# a chown that fails drops setuid, setgid and sticky: root's file becomes nobody's; but the
# mode is then set as an ACL, which leaves a new folder the sticky bit its mkdir gave
rule_chown_fails() {
	prepare bin new && copy bin nobody 022 -rp && has 'f 755 65534:65534 ./f4755' \
		'f 755 65534:65534 ./f1755' 'f 755 65534:65534 ./f7755' \
		'f 755 65534:65534 ./grp2755' 'f 4755 65534:65534 ./nob4755' \
		'd 775 65534:65534 ./dirs/g2775' 'd 1777 65534:65534 ./dirs/t1777'
}
ok "rule: as nobody, -p drops all three bits of a file where the chown fails" rule_chown_fails
# --preserve=mode alone keeps the bits, whoever owns the copy
rule_mode_only() {
	prepare bin new && copy bin nobody 022 -r --preserve=mode &&
		has 'f 4755 65534:65534 ./f4755' 'f 7755 65534:65534 ./f7755' \
			'd 2775 65534:65534 ./dirs/g2775'
}
ok "rule: --preserve=mode without ownership keeps the bits" rule_mode_only
# without --preserve=mode: files lose all three, new folders keep sticky, and setgid only
# when their parent gives it (mkdir does)
rule_plain() {
	prepare bin new && copy bin root 022 -r && has 'f 755 0:0 ./f7755' \
		'd 755 0:0 ./dirs/g2775' 'd 1755 0:0 ./dirs/t1777' || return 1
	prepare bin sgid && copy bin root 022 -r && has "f 755 0:$SGID_GROUP ./f7755" \
		"d 2755 0:$SGID_GROUP ./dirs/g2775" "d 3755 0:$SGID_GROUP ./dirs/t1777" \
		"d 2700 0:$SGID_GROUP ./dirs/p700"
}
ok "rule: -r: files plain, folders keep sticky and an inherited setgid" rule_plain

# Never wider: the same copies under strace; every creation and chmod against the final modes.
traced() { # WHO PRE OPTIONS...
	who=$1 pre=$2
	shift 2
	command -v strace >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 || return 0
	prepare bin "$pre" && rm -rf "$T/tr" && mkdir -m 777 "$T/tr" || return 99
	(cd "$m" && ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 && export ASAN_OPTIONS &&
		as "$who" strace -ff -y -qq -o "$T/tr/t" \
			-e trace=openat,mkdirat,mkdir,mknodat,fchmod,fchmodat,chmod \
			"$SDCP" "$@" src/f4755 src/f2770 src/f1755 src/f0600 src/nob4755 src/grp2755 \
			src/dirs bin/ 2>/dev/null)
	# nobody is outside the setgid folder's group: the kernel refuses the setgid bits
	# asked for (by cp too)
	refused=
	[ "$who.$pre" = nobody.sgid ] && refused=--sgid-refused
	python3 "$MODECHECK" $refused 022 "$m" "$T"/tr/t.*
}
for who in root nobody; do
	for pre in new old sgid; do
		for opts in -rp "-a --atomic"; do
			# shellcheck disable=SC2086 # $opts is a list of options
			ok "never wider: $who, $pre destination, $opts" traced $who $pre $opts
		done
	done
done
t_done
