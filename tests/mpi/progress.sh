#!/bin/bash
# SPDX-License-Identifier: MIT
# --progress of sdcp-mpi on 2 ranks (issue 20, item 4): sdcp's test (tests/sdcp/progress.sh)
# with mpirun on the pseudo-terminal, slowed to take about five seconds: rank 0 counts the
# whole, draws "still counting" only before that, then fractions that never go down with an
# ETA, and keeps the last line, at 100%, with the tree's totals summed over the ranks.
SD_T_TMPFS=1 # the trees on a tmpfs of their own: quick to make, the copy bound by the CPU
# Ranks on other "hosts" (SD_MPI_NODES, issue 19) are not below mpirun, where progress.py looks
# for the processes it slows: then the copy would be over before the bar has said anything.
if [ -n "${SD_MPI_NODES:-}" ]; then
	echo "skip: the ranks on other hosts cannot be slowed"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
P=$(cd "$(dirname "$0")/../sdcp" && pwd)/progress.py
cd "$T" || exit 99

read -r files bytes <<EOF
$(python3 "$P" tree src 30000)
EOF
[ -n "$bytes" ] || exit 99

# the share of the time the ranks run (see tests/sdcp/progress.sh), from a plain copy's time
# without mpirun's start (which is not slowed: the copy of an empty folder)
mkdir empty || exit 99
start=$(date +%s%N)
mpi 2 -a empty warm || exit 99
mid=$(date +%s%N)
mpi 2 -a src warm || exit 99
end=$(date +%s%N)
copy=$((end - mid - (mid - start)))
share=$(awk -v ns=$copy 'BEGIN { s = ns / 5e9; print (s < 0.02 ? 0.02 : (s > 1 ? 1 : s)) }')
rm -rf warm
echo "# a plain copy: $((copy / 1000000)) ms after mpirun's start; slowed to run $share of the time"

on_a_terminal() {
	rm -rf dst
	# lib.sh's mpi, in a shell on the terminal
	python3 "$P" run "$T/tty" "$share" "$(basename "$SDCP_MPI")" -- \
		bash -c "$(declare -f mpi); mpi 2 -a --progress src dst" || return 1
	python3 "$P" check "$T/tty" "$files" "$bytes" >"$T/lines" || { cat "$T/lines"; return 1; }
	diff -r src dst
}
was=$failed
ok '2 ranks on a terminal: still counting, then fractions up to 100% with an ETA; the summary stays' \
	on_a_terminal
[ "$failed" = "$was" ] && sed 's/^/# /' "$T/lines"

t_done
