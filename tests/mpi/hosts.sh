#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp-mpi on 2 ranks on each of 2 "hosts" of one machine (issue 19): nodes.sh makes the
# nodes (own host name, IPC, pids, /tmp and /dev/shm), nodes-agent.sh is mpirun's ssh
# (SD_MPI_NODES in lib.sh). The copy is the source; each rank ran on its node, in its node's
# /tmp and /dev/shm; every pair of ranks talked TCP over 127.0.0.1, as Open MPI's own verbose
# output says; with shared memory allowed, only ranks of one node use it.
#
# The whole test runs in a network namespace of its own, shared by mpirun and every node, in
# which lo is the only interface: Open MPI 4.1.4 keeps to 127.0.0.1 for what it sends when
# told (btl_tcp_if_include, oob_tcp_if_include), but listens on 0.0.0.0 and [::] whatever it
# is told (seen with ss: the BTL's ports 1024+, orted's and mpirun's OOB port), which on the
# machine's own namespace would be open on every address it has.

# shellcheck disable=SC2034 # read by lib.sh
SD_MPI_NODES=2
. "$(dirname "$0")/lib.sh"

# every pair connected at MPI_Init (by default only on its first message), so that the
# verbose output names the transport of each pair, whoever the copy made talk
export OMPI_MCA_mpi_add_procs_cutoff=1024

# on_nodes BTLS ARGS...: ARGS on 4 ranks, 2 a node, with the transports BTLS
on_nodes() {
	btl=$1
	shift
	# shellcheck disable=SC2086 # MPI_WHERE is words
	mpirun -q $MPI_WHERE -n 4 --mca btl "$btl" "$@"
}

where() {
	# a rank in its node: host name, then the names of the tmpfs its /tmp and /dev/shm are
	# shellcheck disable=SC2016 # expanded by the ranks' shell
	on_nodes tcp,self sh -c 'echo "$OMPI_COMM_WORLD_RANK $(hostname)" \
		"$(stat -c %i /tmp)" "$(df --output=source /tmp /dev/shm | tail -n +2 | tr "\n" " ")"' \
		>"$T/where" || return 1
	sort "$T/where" | cut -d' ' -f1,2,4- >"$T/where.s"
	cat "$T/where.s"
	printf '%s\n' '0 node1 node1-tmp node1-shm ' '1 node2 node2-tmp node2-shm ' \
		'2 node1 node1-tmp node1-shm ' '3 node2 node2-tmp node2-shm ' | diff -u - "$T/where.s"
}
ok 'ranks 0, 2 on node1 and 1, 3 on node2, each in its node'"'"'s /tmp and /dev/shm' where

# pairs LOG: "FROM TO BTL" for each line "[host:pid] mca: bml: Using BTL btl for send to
# [[job,1],TO] on node HOST" of Open MPI's verbose output, FROM being the rank whose "self"
# line has the same [host:pid] (pids repeat across nodes, host names do not).
pairs() {
	sed -nE 's/^\[([^]]+)\] mca: bml: Using ([a-z]+) btl for send to \[\[[0-9]+,[0-9]+\],([0-9]+)\] on node ([^ ]+)$/\1 \2 \3 \4/p' "$1" |
		awk '{ line[NR] = $0; if ($2 == "self") rank[$1] = $3 }
		END { for (i = 1; i <= NR; i++) { split(line[i], f, " "); print rank[f[1]], f[3], f[2], f[4] } }' |
		sort -n -k1,1 -k2,2
}

# the table of every ordered pair: FROM TO BTL, BTL for the pairs on one node being $1
expected_pairs() {
	for from in 0 1 2 3; do
		for to in 0 1 2 3; do
			if [ "$from" = "$to" ]; then
				btl=self
			elif [ $((from % 2)) = $((to % 2)) ]; then
				btl=$1
			else
				btl=tcp
			fi
			echo "$from $to $btl node$((to % 2 + 1))"
		done
	done
}

t_fixture "$T/src" || exit 99
copy() {
	(cd "$T" && on_nodes tcp,self --mca btl_base_verbose 100 "$SDCP_MPI" -r --stats \
		--chunk-size=1M src dst >"$T/stats" 2>"$T/verbose") || { cat "$T/verbose"; return 1; }
	diff -r --no-dereference -x fifo "$T/src" "$T/dst" || return 1
	[ -p "$T/dst/a/fifo" ] && grep -q ' 0 errors$' "$T/stats" || return 1
	# node2's ranks wrote some of the 5 chunks of 1 MiB into the same filesystem
	grep -E ': rank [13]: ' "$T/stats" | grep -qv ' 0 bytes'
}
ok '2 nodes of 2 ranks, TCP only: sdcp-mpi -r copies the tree' copy

tcp_pairs() {
	pairs "$T/verbose" >"$T/pairs"
	cat "$T/pairs"
	expected_pairs tcp | diff -u - "$T/pairs" || return 1
	# and lo, 127.0.0.1, only
	grep 'btl:tcp: Using interface:\|btl: tcp: attempting to connect' "$T/verbose" >"$T/tcp"
	[ -s "$T/tcp" ] && ! grep -v 'interface: lo *$\|address 127\.0\.0\.1 on port' "$T/tcp"
}
ok 'every pair of ranks used tcp on lo (btl_base_verbose)' tcp_pairs

shm_in_nodes() {
	on_nodes tcp,vader,self --mca btl_base_verbose 100 "$SDCP_MPI" -r "$T/src/a" "$T/dst2" \
		>/dev/null 2>"$T/verbose2" || { cat "$T/verbose2"; return 1; }
	diff -r --no-dereference -x fifo "$T/src/a" "$T/dst2" || return 1
	pairs "$T/verbose2" >"$T/pairs2"
	cat "$T/pairs2"
	expected_pairs vader | diff -u - "$T/pairs2"
}
ok 'shared memory allowed: vader within a node, tcp between nodes' shm_in_nodes
t_done
