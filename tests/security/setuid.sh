#!/bin/sh
# SPDX-License-Identifier: MIT
# setuid, setgid and sticky bits are kept or dropped exactly as GNU cp keeps or drops them:
# as root (who can give the copy its owner) and as nobody (who cannot: a setuid file of
# root's must not become a setuid file of nobody's), with and without -p, -a,
# --preserve=mode, onto new and existing destinations. Each case runs GNU cp and sdcp on the
# same source and compares modes, owners, messages and exit status.
. "$(dirname "$0")/../sdcp/lib.sh"

[ "$(id -u)" = 0 ] || t_skip "needs root (files of several owners, setpriv)"
command -v setpriv >/dev/null 2>&1 || t_skip "no setpriv"
m=$(t_mount tmpfs work 64M) || t_require_fail tmpfs "cannot mount tmpfs"
# nobody must reach the copies of sdcp and cp ($T/bin, $T/gnu) and the work folder
chmod 755 "$T" "$T/bin" "$T/gnu" && chmod 1777 "$m" || exit 99

mkdir -p "$m/src/dirs/g2775" "$m/src/dirs/t1777" "$m/src/dirs/n2755" || exit 99
for mode in 4755 2755 6755 7755 4711 2711 1755 4700 2770 0755; do
	echo "$mode" >"$m/src/f$mode" && chmod "$mode" "$m/src/f$mode" || exit 99
done
# owned by nobody and by a group nobody is not in
echo x >"$m/src/nob4755" && chown 65534:65534 "$m/src/nob4755" && chmod 4755 "$m/src/nob4755"
echo x >"$m/src/grp2755" && chown 65534:0 "$m/src/grp2755" && chmod 2755 "$m/src/grp2755"
chmod 2775 "$m/src/dirs/g2775"
chmod 1777 "$m/src/dirs/t1777"
chown 65534:65534 "$m/src/dirs/n2755" && chmod 2755 "$m/src/dirs/n2755"
chmod -R a+rX "$m/src"
chmod 1777 "$m/src/dirs/t1777"

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

# compare USER PRE OPTIONS...: cp OPTIONS src/* dst/ as USER, with GNU cp and with sdcp; PRE
# is "new" (an empty folder) or "old" (dst holds the files already, nobody's, 0644)
compare() {
	who=$1 pre=$2
	shift 2
	for tool in gnu bin; do
		rm -rf "${m:?}/$tool" && mkdir "$m/$tool" && chmod 777 "$m/$tool" || return 99
		if [ "$pre" = old ]; then
			for f in "$m"/src/f* "$m"/src/nob* "$m"/src/grp*; do
				echo old >"$m/$tool/${f##*/}" && chmod 644 "$m/$tool/${f##*/}"
			done
			chown -R 65534:65534 "$m/$tool"
		fi
		(cd "$m" && as "$who" env PATH="$T/$tool:$PATH" cp "$@" src/f4755 src/f2755 \
			src/f6755 src/f7755 src/f4711 src/f2711 src/f1755 src/f4700 src/f2770 \
			src/f0755 src/nob4755 src/grp2755 src/dirs "$tool/" \
			>"$T/$tool.out" 2>"$T/$tool.err"
		echo $? >"$T/$tool.rc")
		listing "$m/$tool" >"$T/$tool.list"
	done
	diff -u "$T/gnu.list" "$T/bin.list" && diff -u "$T/gnu.err" "$T/bin.err" &&
		diff -u "$T/gnu.rc" "$T/bin.rc"
}

for who in root nobody; do
	for pre in new old; do
		ok "$who, $pre destination, cp -r" compare $who $pre -r
		ok "$who, $pre destination, cp -rp" compare $who $pre -rp
		ok "$who, $pre destination, cp -a" compare $who $pre -a
		ok "$who, $pre destination, cp -r --preserve=mode" compare $who $pre -r --preserve=mode
		ok "$who, $pre destination, cp -r --preserve=ownership" compare $who $pre -r \
			--preserve=ownership
	done
done

# the controls: the bits are there to keep or lose, in GNU cp's copy and in sdcp's
bits_kept_as_root() {
	compare root new -a
	for l in gnu bin; do
		grep -q '^f 4755 0:0 ./f4755$' "$T/$l.list" &&
			grep -q '^f 4755 65534:65534 ./nob4755$' "$T/$l.list" || return 1
	done
}
ok "control: as root, -a keeps setuid, also of nobody's file" bits_kept_as_root
dropped_as_nobody() {
	compare nobody new -a
	for l in gnu bin; do
		grep -q '^f 755 65534:65534 ./f4755$' "$T/$l.list" || return 1
	done
}
ok "control: as nobody, -a drops root's setuid" dropped_as_nobody
t_done
