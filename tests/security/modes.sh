#!/bin/sh
# SPDX-License-Identifier: MIT
# No entry is ever created (or chmod'ed on the way) with a wider mode than its final one:
# there is no moment where a private file is readable by group or others, or where a copy
# carries a setuid/setgid/sticky bit it will not keep. Checked two ways:
#   - strace -ff -y records every openat(O_CREAT), mkdir(at), mknodat, fchmod(at) and chmod of
#     the copy; modecheck.py compares each mode (after the umask, for creations) with the
#     entry's final mode. Under umask 000 (the creation mode alone must be tight), and 022.
# strace sees every call; a poller that stats the tree would see only some moments.
. "$(dirname "$0")/../sdcp/lib.sh"
: "${MODECHECK:=$(dirname "$0")/modecheck.py}"

command -v strace >/dev/null 2>&1 || t_skip "no strace"
command -v python3 >/dev/null 2>&1 || t_skip "no python3"
[ "$(id -u)" = 0 ] || t_skip "needs root (files owned by another user)"
m=$(t_mount tmpfs work 128M) || t_require_fail tmpfs "cannot mount tmpfs"

# private and special modes, files of another owner, a large file for chunk jobs, fifos
mkdir -p "$m/src/private/deeper" "$m/src/shared" "$m/src/sgid" "$m/src/sticky" \
	"$m/src/ro" "$m/src/theirs" || exit 99
echo p >"$m/src/private/secret" && chmod 600 "$m/src/private/secret"
echo p >"$m/src/private/deeper/s2" && chmod 640 "$m/src/private/deeper/s2"
echo x >"$m/src/shared/run" && chmod 755 "$m/src/shared/run"
echo x >"$m/src/shared/suid" && chmod 4755 "$m/src/shared/suid"
echo x >"$m/src/shared/sgid" && chmod 2750 "$m/src/shared/sgid"
echo x >"$m/src/shared/none" && chmod 000 "$m/src/shared/none"
echo x >"$m/src/theirs/t600" && chmod 600 "$m/src/theirs/t600"
echo x >"$m/src/theirs/t4755" && chmod 4755 "$m/src/theirs/t4755"
echo x >"$m/src/ro/f"
head -c 3000000 /dev/urandom >"$m/src/private/big" && chmod 600 "$m/src/private/big"
mkfifo -m 600 "$m/src/private/fifo"
mkfifo -m 644 "$m/src/shared/fifo"
chown -R 65534:65534 "$m/src/theirs"
chmod 700 "$m/src/private" "$m/src/private/deeper"
chmod 2770 "$m/src/sgid"
chmod 1777 "$m/src/sticky"
chmod 500 "$m/src/ro"

# traced UMASK OPTIONS...: copy src under strace, then check the modes
traced() {
	mask=$1
	shift
	rm -rf "$m/dst" "$T/tr" && mkdir "$T/tr" || return 99
	# (LeakSanitizer cannot run under ptrace)
	(cd "$m" && umask "$mask" && ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 &&
		export ASAN_OPTIONS && strace -ff -y -qq -o "$T/tr/t" \
		-e trace=openat,mkdirat,mkdir,mknodat,fchmod,fchmodat,chmod \
		"$SDCP" "$@" src dst) || return 1
	python3 "$MODECHECK" "$mask" "$m" "$T"/tr/t.*
}

for mask in 000 022; do
	ok "umask $mask, no options" traced $mask -r
	ok "umask $mask, -p" traced $mask -rp
	ok "umask $mask, -a" traced $mask -a
	ok "umask $mask, -a --atomic" traced $mask -a --atomic
	ok "umask $mask, -a -j 4 (chunk jobs)" traced $mask -a -j 4 --chunk-size=256K
	ok "umask $mask, --preserve=mode" traced $mask -r --preserve=mode
	ok "umask $mask, --no-preserve=mode" traced $mask -a --no-preserve=mode
done

# the control: a creation wider than the final mode is caught
wider_is_caught() {
	rm -rf "$T/tr" "$m/w" && mkdir "$T/tr" "$m/w" || return 99
	echo x >"$m/w/f" && chmod 600 "$m/w/f"
	printf 'openat(AT_FDCWD<%s>, "f", O_WRONLY|O_CREAT|O_EXCL, 0644) = 3<%s/w/f>\n' \
		"$m/w" "$m" >"$T/tr/t.1"
	! python3 "$MODECHECK" 000 "$m" "$T/tr/t.1"
}
ok "control: a file made 0644 that ends 0600 is caught" wider_is_caught
t_done
