#!/bin/sh
# SPDX-License-Identifier: MIT
# nodes.sh - several "hosts" on one machine, for the sdcp-mpi tests (issue 19).
#
#   nodes.sh start DIR N   start node1..nodeN, write DIR/hostfile (2 slots each); paths
#                          under /tmp listed in SD_NODES_KEEP stay visible in the nodes
#   nodes.sh stop DIR      kill them all (whatever was started, even half of it)
#
# A node is a process tree in its own UTS, IPC, PID and mount namespaces: its own host name
# (nodeK), its own System V IPC, its own pids, its own tmpfs on /dev/shm and /tmp (where
# Open MPI keeps its session folder and shared-memory files). The network namespace and
# every other mount stay the machine's: ranks on two nodes reach each other only through
# 127.0.0.1, and see the same files, as on a shared filesystem.
#
# Open MPI enters a node through nodes-agent.sh (its plm_rsh_agent, in place of ssh), which
# finds the node's pid in DIR/nodeK.pid.
#
# A node's mounts are slaves of the machine's: a filesystem mounted after the node started
# (a test's loop image) shows in every node too, as a shared filesystem does, and is gone from
# them when it is unmounted; what a node mounts stays its own.
#
# The mounts are made inside each node's mount namespace, which dies with the node's last
# process: killing the node's first process (pid 1 of its PID namespace) kills every process
# in it, and so unmounts everything without an umount from outside.
set -u

# start_node DIR NAME: one node, its outer pids in DIR/NAME.pid (the node's init) and
# DIR/NAME.unshare (its parent, outside).
start_node() {
	dir=$1 name=$2
	rm -f "$dir/$name.ready"
	# --kill-child: the node dies with its unshare, whatever kills that. --mount-proc: the
	# node's /proc shows its own pids (Open MPI reads /proc/self).
	# The init is a shell that waits in a loop: orted daemonizes, so it ends up a child of
	# the node's pid 1, which must reap it (sleep alone would leave zombies).
	# A path under /tmp named in SD_NODES_KEEP (the project's build, in a checkout under /tmp)
	# stays visible in the node, as a shared filesystem would show it: the machine's /tmp is
	# bound aside first, and the path bound back into the node's own /tmp.
	mkdir -p "$dir/$name.host-tmp" || return 1
	# shellcheck disable=SC2016 # expanded by the node's shell
	unshare --uts --ipc --pid --fork --kill-child --mount --propagation slave --mount-proc \
		sh -c '
		hostname "$1" &&
		mount -t tmpfs -o mode=1777,size=256M "$1-shm" /dev/shm &&
		mount --bind /tmp "$2.host-tmp" &&
		mount -t tmpfs -o mode=1777,size=256M "$1-tmp" /tmp || exit 1
		for p in ${SD_NODES_KEEP:-}; do
			case $p in /tmp/*) ;; *) continue ;; esac
			mkdir -p "$p" && mount --bind "$2.host-tmp/${p#/tmp/}" "$p" || exit 1
		done
		: >"$2.ready" || exit 1
		exec </dev/null >/dev/null 2>&1
		while :; do sleep 3600 & wait; done' sh "$name" "$dir/$name" &
	up=$!
	echo "$up" >"$dir/$name.unshare"
	# up to 5 s for the mounts; then the node's init is unshare's only child
	for _ in $(seq 50); do
		[ -e "$dir/$name.ready" ] && break
		kill -0 "$up" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$dir/$name.ready" ] || { echo "nodes.sh: $name did not start" >&2; return 1; }
	pid=$(cat "/proc/$up/task/$up/children") && [ -n "$pid" ] || return 1
	echo "$pid" >"$dir/$name.pid"
}

stop_nodes() {
	dir=$1
	for f in "$dir"/node*.unshare; do
		[ -f "$f" ] || continue
		n=${f%.unshare}
		# unshare, whose death kills the node's init (--kill-child); then the init itself,
		# should unshare have gone already (SIGKILL: the pid 1 of a namespace ignores what
		# it has no handler for). Its death kills every process of the node.
		kill -KILL "$(cat "$f")" 2>/dev/null
		[ -f "$n.pid" ] && kill -KILL "$(cat "$n.pid")" 2>/dev/null
		rm -f "$n.pid" "$n.ready" "$f"
		rmdir "$n.host-tmp" 2>/dev/null
	done
	rm -f "$dir/hostfile"
}

case ${1:-} in
start)
	dir=${2:?state folder} n=${3:?number of nodes}
	mkdir -p "$dir" || exit 1
	: >"$dir/hostfile"
	for k in $(seq 1 "$n"); do
		start_node "$dir" "node$k" || { stop_nodes "$dir"; exit 1; }
		echo "node$k slots=2" >>"$dir/hostfile"
	done
	;;
stop)
	stop_nodes "${2:?state folder}"
	;;
*)
	echo "usage: nodes.sh start DIR N | nodes.sh stop DIR" >&2
	exit 2
	;;
esac
