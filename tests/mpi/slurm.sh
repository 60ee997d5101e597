#!/bin/sh
# SPDX-License-Identifier: MIT
# sdcp-mpi under Slurm (issue 19): Debian's slurmctld, and one slurmd in each of 2 nodes of
# nodes.sh (own host name, pids, /tmp, /dev/shm), authenticated by a munged of the test's own;
# config, state, spool, logs and munge's key and socket all in $T. Checked as a user sees it:
# mpirun inside an allocation (Open MPI's Slurm support: it reads the allocation, and starts
# its daemon on the other node with srun) from salloc and from an sbatch script; the job's
# output file, state and exit code for a copy that works and one that fails; srun --mpi=pmix
# (direct launch through Slurm's PMIx server); that PMI-2 cannot start Debian's Open MPI; and
# scancel in the middle of a large copy.
#
# Everything runs in a network namespace with only lo (slurmd, slurmctld, srun and Open MPI
# all listen on 0.0.0.0; see hosts.sh), and a UTS namespace whose host name, ctl, is the
# controller's name in slurm.conf.

# before lib.sh: its folder and traps belong to the process that runs the checks
if [ "${SD_SLURM_NS:-}" != 1 ]; then
	skip() {
		case " ${SD_TEST_REQUIRE:-} " in
		*" slurm "*) echo "FAIL: required 'slurm' is missing: $1"; exit 1 ;;
		esac
		echo "skip: $1"
		exit 77
	}
	[ "$(id -u)" = 0 ] || skip "the daemons and the namespaces need root"
	for tool in unshare nsenter ip munged slurmctld slurmd sbatch salloc srun scontrol scancel sinfo; do
		command -v "$tool" >/dev/null 2>&1 ||
			skip "$tool not installed (apt-get install slurmctld slurmd slurm-client munge)"
	done
	SD_SLURM_NS=1 exec unshare --net --uts "$0" "$@"
fi
ip link set lo up || exit 99
# Slurm 22.05 looks every address up as IPv4 with AI_ADDRCONFIG, which glibc answers only when
# the machine has an IPv4 address other than 127.0.0.1: with lo alone, even "127.0.0.1" is
# "Name or service not known". A second loopback address is enough.
ip addr add 127.0.0.2/8 dev lo || exit 99
hostname ctl || exit 99

. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd) || exit 99

# Two nodes: Open MPI's orted, MPI over TCP on lo; shared memory within a node.
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_tcp_if_include=lo
export SLURM_CONF="$T/slurm.conf"

# munged refuses a socket in a folder that not everyone can search
chmod 755 "$T" && mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" || exit 99

# logs: the daemons' last words, for a fixture that did not start
logs() {
	for f in "$T"/log/*; do
		echo "== $f"
		tail -n 15 "$f"
	done
}

# stop_daemon PIDFILE: SIGTERM, up to 5 s to end (they save their state), then SIGKILL; a
# child of this shell, so its end is seen as a zombie (kill -0 still succeeds) and then reaped.
stop_daemon() {
	pid=$(cat "$1" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		case $(ps -o stat= -p "$pid") in "" | Z*) break ;; esac
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# munge: its own key, socket, pid, seed and log (the defaults are the machine's own munged's)
head -c 1024 /dev/urandom >"$T/munge/key" && chmod 400 "$T/munge/key" || exit 99
munged -F --socket="$T/munge/socket" --key-file="$T/munge/key" --pid-file="$T/munge/pid" \
	--seed-file="$T/munge/seed" --log-file="$T/log/munged.log" --origin=127.0.0.1 \
	>/dev/null 2>&1 &
echo $! >"$T/munged.pid"
t_on_exit "stop_daemon '$T/munged.pid'"
for _ in $(seq 50); do
	[ -S "$T/munge/socket" ] && break
	sleep 0.1
done
[ -S "$T/munge/socket" ] || { logs; exit 99; }

# The cluster: 2 CPUs a node whatever the machine has (config_overrides), allocated by CPU;
# processes tracked by their parents (no cgroups); no accounting (sacct needs slurmdbd); none
# of the machine's SPANK plugins. Both slurmd listen on 127.0.0.1, so each on a port of its
# own. MpiDefault is Debian's (none): direct launch asks for --mpi=pmix.
cat >"$T/slurm.conf" <<EOF || exit 99
ClusterName=sdtest
SlurmctldHost=ctl(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool/%n
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/spool/slurmd.%n.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.%n.log
PlugStackConfig=$T/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName=node1 NodeAddr=127.0.0.1 Port=6818 CPUs=2 State=UNKNOWN
NodeName=node2 NodeAddr=127.0.0.1 Port=6819 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP
EOF
: >"$T/plugstack.conf" || exit 99

slurmctld -D -f "$T/slurm.conf" >"$T/log/slurmctld.out" 2>&1 &
echo $! >"$T/slurmctld.outer.pid"
t_on_exit "stop_daemon '$T/slurmctld.outer.pid'"

# the nodes, then a slurmd in each (its host name is its NodeName); stopping the nodes kills
# every process in them: slurmd, slurmstepd, and whatever a job left
SD_NODES_KEEP="$(cd "$here/../.." && pwd) $(dirname "$SDCP_MPI") $(dirname "$SDCP")" \
	"$here/nodes.sh" start "$T/nodes" 2 || exit 99
t_on_exit "'$here/nodes.sh' stop '$T/nodes'"
for node in node1 node2; do
	mkdir -p "$T/spool/$node" || exit 99
	SD_NODES="$T/nodes" "$here/nodes-agent.sh" "$node" \
		"exec $(command -v slurmd) -D -f '$T/slurm.conf'" >"$T/log/$node.out" 2>&1 &
done

for _ in $(seq 150); do
	[ "$(sinfo -h -N -o '%N %T' 2>/dev/null | sort | tr '\n' ' ')" = "node1 idle node2 idle " ] &&
		break
	sleep 0.2
done
sinfo -h -N -o '%N %T' 2>/dev/null | grep -q 'node2 idle' || { sinfo; logs; exit 99; }

# job_end ID: waits (up to 60 s) for the job to be over; prints "JobState=S ExitCode=E:SIG"
job_end() {
	for _ in $(seq 300); do
		line=$(scontrol -o show job "$1") || return 1
		state=$(echo "$line" | grep -o 'JobState=[A-Z_]*')
		case $state in
		*=PENDING | *=CONFIGURING | *=RUNNING | *=COMPLETING | *=SUSPENDED) sleep 0.2 ;;
		*)
			echo "$state $(echo "$line" | grep -o ' ExitCode=[0-9:]*' | tr -d ' ')"
			return 0
			;;
		esac
	done
	return 1
}

# A user's job script: no -q, so that Open MPI's own reasons reach the output file.
cat >"$T/copy.sh" <<'EOF' || exit 99
#!/bin/sh
#SBATCH --nodes=2
#SBATCH --ntasks=4
mpirun "$SDCP_MPI" "$@"
EOF
chmod +x "$T/copy.sh" || exit 99

where() {
	# shellcheck disable=SC2016 # expanded by the ranks' shell
	salloc -N 2 -n 4 mpirun sh -c 'echo "rank $OMPI_COMM_WORLD_RANK on $(hostname)"' \
		>"$T/where" 2>"$T/where.err" || { cat "$T/where.err"; return 1; }
	sort "$T/where" | tee "$T/where.s"
	printf 'rank %s\n' '0 on node1' '1 on node1' '2 on node2' '3 on node2' | diff -u - "$T/where.s"
}
ok 'salloc: mpirun puts ranks 0, 1 on node1 and 2, 3 on node2' where

t_fixture "$T/src" || exit 99
sbatch_copy() {
	id=$(cd "$T" && sbatch --parsable -o "$T/copy.%j.out" "$T/copy.sh" -a --stats \
		--chunk-size=1M src dst) || return 1
	echo "$id" >"$T/copy.id"
	end=$(job_end "$id")
	cat "$T/copy.$id.out"
	echo "$end"
	[ "$end" = "JobState=COMPLETED ExitCode=0:0" ] || return 1
	same_tree "$T/src" "$T/dst" || return 1
	# the totals and a line for each rank, in the job's output file
	grep -q ' 0 errors$' "$T/copy.$id.out" || return 1
	[ "$(grep -c ': rank [0-3]: ' "$T/copy.$id.out")" = 4 ]
}
ok 'sbatch: mpirun in the job copies the tree, --stats per rank in its output, COMPLETED 0:0' \
	sbatch_copy

orted_by_srun() {
	# mpirun's daemon for node2 was a step of the job, launched by node2's slurmd
	id=$(cat "$T/copy.id") || return 1
	grep "launch task StepId=$id\.0 " "$T/log/slurmd.node2.log" || return 1
	# and node2's ranks copied chunks of the 5 MiB file
	grep -E ': rank [23]: ' "$T/copy.$id.out" | grep -qv ' 0 chunks,'
}
ok 'the copy'"'"'s ranks on node2 ran under a step that mpirun started with srun' orted_by_srun

sbatch_fails() {
	rm -rf "$T/w" && mkdir -p "$T/w/src/d" "$T/w/out/src/d/x" || return 99
	for i in 1 2 3 4 5; do echo "$i" >"$T/w/src/d/f$i"; done
	echo x >"$T/w/src/d/x"
	id=$(cd "$T/w" && sbatch --parsable -o "$T/fail.%j.out" "$T/copy.sh" -r src out/) ||
		return 1
	end=$(job_end "$id")
	cat "$T/fail.$id.out"
	echo "$end"
	[ "$end" = "JobState=FAILED ExitCode=1:0" ] || return 1
	[ "$(grep -c "cannot overwrite directory 'out/src/d/x' with non-directory" \
		"$T/fail.$id.out")" = 1 ] && [ "$(cat "$T/w/out/src/d/f5")" = 5 ]
}
ok 'sbatch: a folder in the way, said once in the output file, FAILED 1:0' sbatch_fails

srun_copy() {
	(cd "$T" && srun --mpi=pmix -N 2 -n 4 "$SDCP_MPI" -a --stats --chunk-size=1M src dst2 \
		>"$T/srun.out" 2>"$T/srun.err")
	rc=$?
	cat "$T/srun.out" "$T/srun.err"
	[ "$rc" = 0 ] && [ ! -s "$T/srun.err" ] || return 1
	same_tree "$T/src" "$T/dst2" || return 1
	[ "$(grep -c ': rank [0-3]: ' "$T/srun.out")" = 4 ]
}
ok 'srun --mpi=pmix -N 2 -n 4: copies the tree, status 0' srun_copy

srun_fails() {
	rm -rf "$T/w/out" && mkdir -p "$T/w/out/src/d/x" || return 99
	(cd "$T/w" && srun --mpi=pmix -n 2 "$SDCP_MPI" -r src out/ >"$T/srun2.out" 2>"$T/srun2.err")
	rc=$?
	cat "$T/srun2.err"
	# rank 0 alone carries the status (main.c), which srun reports for task 0
	[ "$rc" = 1 ] &&
		[ "$(grep -c "cannot overwrite directory 'out/src/d/x' with non-directory" \
			"$T/srun2.err")" = 1 ] &&
		grep -q '^srun: error: node1: task 0: Exited with exit code 1$' "$T/srun2.err"
}
ok 'srun --mpi=pmix -n 2: a folder in the way, said once, status 1' srun_fails

# Debian's Open MPI has PMIx only (--with-pmix, ext3x), no PMI-1/PMI-2 client, so a rank
# started by srun without a PMIx server cannot join its job; Open MPI says why.
no_pmix() {
	(cd "$T" && srun --mpi="$1" -n 2 "$SDCP_MPI" -r src "dst-$1" >/dev/null 2>"$T/$1.err")
	rc=$?
	head -n 3 "$T/$1.err"
	[ "$rc" != 0 ] && [ ! -e "$T/dst-$1" ] &&
		grep -q "OMPI was not built with SLURM's PMI support" "$T/$1.err"
}
ok 'srun --mpi=pmi2: MPI_Init fails, nothing copied' no_pmix pmi2
ok 'srun --mpi=none (Debian'"'"'s MpiDefault): MPI_Init fails, nothing copied' no_pmix none

# scancel mid-copy: Slurm sends SIGCONT and SIGTERM to every process of every step at once
# (mpirun, orted and all four ranks), SIGKILL after KillWait (30 s). The rank that made the
# file removes it (stop.c and sdcp's inflight list). The file is 1 GiB, written with O_DIRECT
# (--nocache), so that it is still being written when the signal comes.
cancel() {
	mkdir "$T/stop" || return 99
	id=$(cd "$T" && OMPI_MCA_odls_base_sigkill_timeout=1 sbatch --parsable \
		-o "$T/cancel.%j.out" "$T/copy.sh" --chunk-size=8M --reflink=never --nocache \
		huge stop/huge) || return 1
	for _ in $(seq 1000); do
		[ "$(stat -c %b "$T/stop/huge" 2>/dev/null || echo 0)" -gt 0 ] && break
		sleep 0.01
	done
	scancel "$id" || return 1
	end=$(job_end "$id")
	cat "$T/cancel.$id.out"
	echo "$end"
	ls -la "$T/stop"
	[ "$end" = "JobState=CANCELLED ExitCode=0:15" ] || return 1
	[ -z "$(ls -A "$T/stop")" ] || return 1
	grep -q "CANCELLED AT" "$T/cancel.$id.out"
}
dd if=/dev/zero of="$T/huge" bs=1M count=1024 status=none || exit 99
ok 'scancel in the middle of a 1 GiB copy: no file left, CANCELLED' cancel
t_done
