#!/bin/sh
# SPDX-License-Identifier: MIT
# A file that fails is reported once, by the rank that met it, with its name as sdcp says it;
# the rest is still copied and every rank exits 1. Unprivileged (root reads everything):
# the ranks run as nobody through setpriv.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || t_skip "needs root to switch to an unprivileged user"
command -v setpriv >/dev/null || t_skip "setpriv not installed"
chmod 755 "$T"

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

fixture() {
	rm -rf "$T/w" && mkdir -p "$T/w/src/sub" "$T/w/out" || return 99
	for i in $(seq 1 40); do echo "$i" >"$T/w/src/sub/f$i"; done
	echo secret >"$T/w/src/sub/unreadable"
	head -c 3145728 /dev/urandom >"$T/w/src/big"
	echo a >"$T/w/src/a"
	chown -R 65534:65534 "$T/w" && chmod 000 "$T/w/src/sub/unreadable"
}

unreadable() {
	fixture || return 99
	(cd "$T/w" && as_nobody mpirun -q --oversubscribe -n "$1" "$SDCP_MPI" -r --chunk-size=1M src out/ \
		>"$T/out" 2>"$T/err"; echo $? >"$T/rc")
	cat "$T/err"
	[ "$(cat "$T/rc")" = 1 ] || return 1
	# once, in sdcp's words
	[ "$(grep -c "sdcp-mpi: cannot open 'src/sub/unreadable' for reading: Permission denied" "$T/err")" = 1 ] ||
		return 1
	[ ! -e "$T/w/out/src/sub/unreadable" ] || return 1
	chmod 644 "$T/w/src/sub/unreadable" && rm -f "$T/w/src/sub/unreadable" &&
		diff -r "$T/w/src" "$T/w/out/src"
}
if [ -z "${SD_MPI_NODES:-}" ]; then
	ok '1 rank: one unreadable file said once, exit 1, the rest copied' unreadable 1
	ok '4 ranks: one unreadable file said once, exit 1, the rest copied' unreadable 4
else
	# The nodes' ssh (nodes-agent.sh) enters namespaces, which takes root: mpirun cannot run
	# as nobody there. Ranks started as root that drop to nobody (setpriv) hang in MPI_Init,
	# locked out of the orted's session folder (/tmp/ompi.*, 0700 root).
	echo "skip - unreadable files: the nodes are entered as root only"
fi

# As root: a destination folder where the source has a file.
in_the_way() {
	rm -rf "$T/r" && mkdir -p "$T/r/src/d" "$T/r/out/src/d/x" || return 99
	for i in 1 2 3 4 5; do echo "$i" >"$T/r/src/d/f$i"; done
	echo x >"$T/r/src/d/x"
	(cd "$T/r" && mpi 2 -r src out/ >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
	cat "$T/err"
	[ "$(cat "$T/rc")" = 1 ] &&
		[ "$(grep -c "cannot overwrite directory 'out/src/d/x' with non-directory" "$T/err")" = 1 ] &&
		[ "$(cat "$T/r/out/src/d/f5")" = 5 ] && [ "$(wc -l <"$T/err")" = 1 ]
}
ok '2 ranks: a folder in the way, said once, exit 1' in_the_way
t_done
