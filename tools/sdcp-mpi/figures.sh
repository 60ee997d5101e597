#!/bin/bash
# SPDX-License-Identifier: MIT
# figures.sh - sdcp-mpi with 1, 2 and 4 ranks against sdcp -j and cp, on ext4 (a loop image
# of its own), warm cache, each copy followed by sync (counted), mpirun's start-up counted.
# Not a test: it prints a table. As root, on a quiet machine:
#   flock /var/tmp/sd-bench.lock tools/sdcp-mpi/figures.sh BUILD_DIR [FILES] [BIG_MIB] [RUNS]
# defaults: build-mpi, 2000 files (0-60 KiB, 20 folders), a 512 MiB file, 3 runs (median).
# The issue's figures: figures.sh BUILD_DIR 20000 4096 3 (about 25 minutes on 2 cores).
# Last, the balance on the skewed tree (the files and the large file in one source) with 2
# and 4 ranks: the bytes of each rank and the worst distance from the mean.
#
# With HOSTS (figures.sh BUILD_DIR FILES BIG_MIB RUNS 2), sdcp-mpi also runs with its ranks
# placed round 2 "hosts" of this machine (tests/mpi/nodes.sh: own host name, IPC, pids, /tmp,
# /dev/shm; TCP over 127.0.0.1 between them, shared memory within one), in the same rounds
# as the others: the cost of TCP between ranks. All of it then runs in a network namespace of
# its own with only lo (Open MPI listens on every address it has) and a mount namespace whose
# mounts the nodes see.
set -u
B=${1:-build-mpi}
FILES=${2:-2000}
BIG=${3:-512}
RUNS=${4:-3}
HOSTS=${5:-0}
here=$(cd "$(dirname "$0")" && pwd)
if [ "$HOSTS" != 0 ] && [ "${SD_FIG_NS:-}" != 1 ]; then
	SD_FIG_NS=1 exec unshare --net --mount --propagation shared "$0" "$@"
fi
SDCP=$(realpath "$B/tools/sdcp/sdcp")
MPI=$(realpath "$B/tools/sdcp-mpi/sdcp-mpi")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_hwloc_base_binding_policy=none
# one machine: shared memory only, no probing for UCX or libfabric (halves the start-up)
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi

T=$(mktemp -d /var/tmp/sdcp-mpi-fig.XXXXXX) || exit 1
dev=
cleanup() {
	cd /
	[ "$HOSTS" != 0 ] && "$here/../../tests/mpi/nodes.sh" stop "$T/nodes"
	umount "$T/m" 2>/dev/null
	[ -n "$dev" ] && losetup -d "$dev"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fallocate -l $((BIG * 3 + 1024))M "$T/img" && mkfs.ext4 -q "$T/img" &&
	dev=$(losetup -f --show "$T/img") && mkdir "$T/m" && mount "$dev" "$T/m" || exit 1
cd "$T/m" || exit 1

python3 - "$FILES" <<'EOF'
import os, random, sys
random.seed(42)
n = int(sys.argv[1])
for i in range(n):
    d = "tree/d%02d" % (i % 20)
    os.makedirs(d, exist_ok=True)
    with open("%s/f%05d" % (d, i), "wb") as f:
        f.write(os.urandom(random.randint(0, 60 * 1024)))
EOF
head -c "${BIG}M" /dev/urandom >big || exit 1
sync
cat big tree/*/* >/dev/null # warm

# one timed copy from a removed destination, sync counted; prints seconds
once() {
	rm -rf out && sync
	s=$(date +%s.%N)
	"$@" >/dev/null 2>"$T/err" || { echo "failed: $*" >&2; cat "$T/err" >&2; }
	sync
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}

median() {
	sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# Round-robin over the tools, RUNS rounds, so that noise from elsewhere hits all of them alike.
echo "# ext4, warm cache, median of $RUNS, seconds (copy + sync, mpirun's start-up counted)"
echo x >one
tools=("cp -r" "sdcp -r -j 2" "sdcp-mpi -n 1" "sdcp-mpi -n 2" "sdcp-mpi -n 4")
if [ "$HOSTS" != 0 ]; then
	ip link set lo up || exit 1
	SD_NODES_KEEP="$(cd "$here/../.." && pwd) $(dirname "$MPI")" \
		"$here/../../tests/mpi/nodes.sh" start "$T/nodes" "$HOSTS" || exit 1
	# as tests/mpi/lib.sh: ssh is nodes-agent.sh, ranks round the nodes, TCP between them
	hosts=(--hostfile "$T/nodes/hostfile" --map-by node --mca plm_rsh_agent
		"$here/../../tests/mpi/nodes-agent.sh" --mca plm_rsh_no_tree_spawn 1
		--mca oob_tcp_if_include lo --mca btl_tcp_if_include lo --mca btl self,vader,tcp)
	export SD_NODES="$T/nodes"
	tools+=("sdcp-mpi -n 2, $HOSTS hosts" "sdcp-mpi -n 4, $HOSTS hosts")
fi
for what in tree big one; do
	: >"$T/times"
	for r in $(seq 1 "$RUNS"); do
		for t in "${tools[@]}"; do
			case $t in
			cp*) x=$(once cp -r "$what" out) ;;
			sdcp\ *) x=$(once "$SDCP" -r -j 2 "$what" out) ;;
			sdcp-mpi*hosts)
				n=${t#sdcp-mpi -n }
				x=$(once mpirun -q --oversubscribe "${hosts[@]}" -n "${n%%,*}" "$MPI" -r "$what" out)
				;;
			sdcp-mpi*) x=$(once mpirun -q --oversubscribe -n "${t##* }" "$MPI" -r "$what" out) ;;
			esac
			echo "$t|$x" >>"$T/times"
		done
	done
	echo "## $what"
	for t in "${tools[@]}"; do
		printf '%-24s %s\n' "$t" "$(grep -F "$t|" "$T/times" | cut -d'|' -f2 | median)"
	done
done
# The skewed tree: the same files and the large file in one source. Default chunk size.
mkdir -p skew && mv tree big skew/
for n in 2 4; do
	echo "## balance: the tree and the big file together, $n ranks, --stats"
	rm -rf out && sync
	mpirun -q --oversubscribe -n "$n" "$MPI" -r --stats skew out | grep ': rank ' |
		sed -E 's/^[^:]*: //' >"$T/ranks"
	cat "$T/ranks"
	sed -E 's/.* ([0-9]+) bytes .*/\1/' "$T/ranks" | awk '
		{ b[NR] = $1; sum += $1 }
		END {
			for (i = 1; i <= NR; i++) {
				d = (b[i] - sum / NR) / (sum / NR) * 100
				if (d < 0) d = -d
				if (d > worst) worst = d
			}
			printf "worst rank: %.1f%% from the mean bytes\n", worst
		}'
done
