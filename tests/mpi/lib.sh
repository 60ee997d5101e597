# SPDX-License-Identifier: MIT
# lib.sh - shared by the sdcp-mpi tests (sourced). Exit 0 pass, 1 fail, 77 skip, 99 broken
# fixture. sdcp's test library (tests/sdcp/lib.sh) gives each script its own folder under
# /var/tmp ($T), ok, t_done, t_skip and loop mounts, always unmounted, detached and removed on
# exit; what is here is what MPI adds.
#
# SDCP_MPI names sdcp-mpi, SDCP names sdcp (the reference for results). Ranks run as root
# with --oversubscribe: this machine has fewer cores than the tests have ranks.

#
# SD_MPI_NODES=N: the ranks run on N "hosts" of this machine instead (issue 19): nodes.sh makes
# the nodes (own host name, IPC, pids, /tmp, /dev/shm), nodes-agent.sh is mpirun's ssh, ranks
# are placed round the nodes (--map-by node: rank r on node r % N + 1, so that 2 ranks are
# always on 2 hosts), and every pair of hosts talks TCP over 127.0.0.1. The script runs in a
# network namespace of its own where lo is the only interface (Open MPI 4.1.4 listens on
# 0.0.0.0 and [::] whatever it is told to use) and in a mount namespace of its own whose mounts
# reach the nodes (the nodes are its slaves), as a shared filesystem is mounted on every node.

: "${SDCP_MPI:?SDCP_MPI must name the sdcp-mpi binary}"
if [ -n "${SD_MPI_NODES:-}" ] && [ "${SD_MPI_NODES_NS:-}" != 1 ]; then
	# before sdcp's lib.sh: its folder and traps belong to the process that runs the checks
	nodes_skip() {
		case " ${SD_TEST_REQUIRE:-} " in
		*" mpi "*) echo "FAIL: required 'mpi' is missing: $1"; exit 1 ;;
		esac
		echo "skip: $1"
		exit 77
	}
	[ "$(id -u)" = 0 ] || nodes_skip "namespaces need root"
	for tool in unshare nsenter ip mpirun; do
		command -v "$tool" >/dev/null 2>&1 || nodes_skip "$tool not installed"
	done
	SD_MPI_NODES_NS=1 exec unshare --net --mount --propagation shared "$0" "$@"
fi
. "$(dirname "$0")/../sdcp/lib.sh"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# idle ranks yield the core; no binding, so that 4 ranks share 2 cores fairly; one machine:
# shared memory only, no probing for UCX or libfabric networks (halves MPI's start-up)
export OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_hwloc_base_binding_policy=none
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi
# after a non-zero status mpirun gives the (already finished) ranks 1 s before SIGKILL; the
# test of a signal sets it back, since the ranks then need that time to clean up
export OMPI_MCA_odls_base_sigkill_timeout=0
# Under ASan: Open MPI's components leak at MPI_Finalize and are unloaded before LeakSanitizer
# looks (their frames show as "<unknown module>", which no suppression can name): no leak
# check for the ranks. Every other ASan and UBSan error still fails the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

command -v mpirun >/dev/null 2>&1 || t_require_fail mpi "mpirun not installed"

# where the ranks run: this machine, or the nodes
MPI_WHERE=
if [ -n "${SD_MPI_NODES:-}" ]; then
	ip link set lo up || exit 99
	mpi_here=$(cd "$(dirname "$0")" && pwd) || exit 99
	# the programs the ranks run, should the checkout be under /tmp (as CI's is)
	SD_NODES_KEEP="$(cd "$mpi_here/../.." && pwd) $(dirname "$SDCP_MPI") $(dirname "$SDCP")" \
		"$mpi_here/nodes.sh" start "$T/nodes" "$SD_MPI_NODES" || exit 99
	t_on_exit "'$mpi_here/nodes.sh' stop '$T/nodes'"
	# What ssh and a hostfile give on a cluster. No tree spawn: the agent finds a node's pid in
	# this pid namespace, which an orted inside another node cannot see. The node names need
	# no resolving: mpirun hands them to the agent as they are, and every address Open MPI
	# exchanges is lo's. Shared memory within a node, TCP between nodes.
	export SD_NODES="$T/nodes"
	export OMPI_MCA_plm_rsh_agent="$mpi_here/nodes-agent.sh" OMPI_MCA_plm_rsh_no_tree_spawn=1
	export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_tcp_if_include=lo
	export OMPI_MCA_btl=self,vader,tcp
	# ssh passes no environment: what the ranks need of the tests' goes with -x
	MPI_WHERE="--hostfile $T/nodes/hostfile --map-by node -x LC_ALL -x TZ"
fi

# mpi N ARGS...: sdcp-mpi on N ranks.
mpi() {
	n=$1
	shift
	# shellcheck disable=SC2086 # MPI_WHERE is words
	mpirun -q --allow-run-as-root --oversubscribe $MPI_WHERE -n "$n" "$SDCP_MPI" "$@"
}

# mpi_exec N ARGS...: the same, as the last thing a shell does: run in the background, $! is
# then mpirun itself, so that a signal to $! reaches mpirun (with plain `mpi ... &` it only
# killed the subshell that runs the function, and mpirun went on copying).
mpi_exec() {
	n=$1
	shift
	# shellcheck disable=SC2086 # MPI_WHERE is words
	exec mpirun -q --allow-run-as-root --oversubscribe $MPI_WHERE -n "$n" "$SDCP_MPI" "$@"
}

# ranks PID...: the pids (in this pid namespace) of the sdcp-mpi processes below PID..., the
# mpirun of a job on this machine or the nodes' first processes.
ranks() {
	local p c
	for p in "$@"; do
		for c in $(cat "/proc/$p/task/"*/children 2>/dev/null); do
			[ "$(cat "/proc/$c/comm" 2>/dev/null)" = sdcp-mpi ] && echo "$c"
			ranks "$c"
		done
	done
}

# ranks_of_job MPIRUN: the pids of its ranks, wherever they run
ranks_of_job() {
	if [ -n "${SD_MPI_NODES:-}" ]; then
		ranks $(cat "$T/nodes/"node*.pid)
	else
		[ -n "$1" ] && ranks "$1"
	fi
}

# rank_pid N MPIRUN: the pid of rank N of the job (from its environment)
rank_pid() {
	for p in $(ranks_of_job "$2"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" &&
			echo "$p" && return 0
	done
	return 1
}

# node_of PID: the host name a process sees
node_of() {
	nsenter --target "$1" --uts hostname
}

# A listing of a tree, metadata and content: what -a must keep (sdcp's t_tree, with owners and
# times). Folders without their size (it depends on the filesystem's history, not on the copy).
t_tree() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf '%y %m %U:%G %T@ %p\n' \) -o \
		-printf '%y %m %s %n %U:%G %T@ %p -> %l\n' | sort) || return 1
	(cd "$1" && find . -type f -exec md5sum {} + | sort -k2) || return 1
}

# same_tree A B: content and metadata equal (diff -r, then the listings).
same_tree() {
	diff -r --no-dereference -x fifo "$1" "$2" || return 1
	t_tree "$1" >"$T/a.tree" && t_tree "$2" >"$T/b.tree" || return 1
	diff -u "$T/a.tree" "$T/b.tree"
}

# A tree with what a copy can get wrong: nested and empty folders, modes, owners, old times,
# hard links (in one folder and across folders), symlinks, a fifo, a sparse file, and a
# file of 5 MiB: larger than the 1 MiB chunks the tests ask for.
t_fixture() {
	mkdir -p "$1" && cd "$1" || return 99
	mkdir -p a/b/c empty wide "odd name" || return 99
	for i in $(seq 1 60); do echo "file $i" >"wide/f$i"; done
	for i in $(seq 1 20); do echo "deep $i" >"a/b/c/g$i"; done
	echo "hello" >a/h1 && ln a/h1 a/b/h2 && ln a/h1 wide/h3 || return 99
	echo "pair" >"odd name/p 1" && ln "odd name/p 1" "odd name/p 2" || return 99
	ln -s ../h1 a/b/rel && ln -s /nonexistent/x a/dangling || return 99
	mkfifo a/fifo || return 99
	truncate -s 8M sparse && printf 'data' | dd of=sparse bs=1 seek=4194304 conv=notrunc 2>/dev/null
	head -c 5242880 /dev/urandom >big || return 99
	head -c 100000 /dev/urandom >a/b/mid || return 99
	chmod 0600 a/b/mid && chmod 0750 a/b && chmod 2755 wide && chmod 0444 "odd name/p 1"
	chown 1234:5678 a/h1 wide/f1 && chown -h 4321:8765 a/b/rel
	touch -h -d '2001-02-03 04:05:06.123456789' a/b/rel a/b/c/g1 big
	touch -d '1999-12-31 23:59:59' a/b/c empty "odd name"
	cd - >/dev/null
}

# ranks_with_bytes STATS: how many "rank N:" lines of --stats moved bytes.
ranks_with_bytes() {
	grep -E ': rank [0-9]+: ' "$1" | sed -E 's/.* ([0-9]+) bytes .*/\1/' | grep -vc '^0$'
}
