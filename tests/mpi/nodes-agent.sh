#!/bin/sh
# SPDX-License-Identifier: MIT
# nodes-agent.sh [SSH-OPTIONS] NODE COMMAND... - ssh for the nodes of nodes.sh: Open MPI's
# plm_rsh_agent. Runs COMMAND with sh -c inside NODE's namespaces (host name, IPC, pids,
# mounts), found through $SD_NODES/NODE.pid. Like ssh: the command is one string for the
# remote shell (Open MPI sends "PATH=...; export PATH; ... orted ..."), the environment is
# not the caller's (Open MPI passes its MCA parameters on orted's command line), and 255
# says the node could not be reached.
set -u
: "${SD_NODES:?SD_NODES must name the folder of nodes.sh}"

# ssh's options that take an argument, then the flags (Open MPI passes none by default)
while [ $# -gt 0 ]; do
	case $1 in
	-[BbcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
node=${1:?node name}
shift
read -r pid 2>/dev/null <"$SD_NODES/$node.pid" || {
	echo "nodes-agent.sh: no node '$node' in $SD_NODES" >&2
	exit 255
}
# The command's cwd is the node's root (setns into a mount namespace resets it), as ssh's
# is the home folder: orted changes to the job's folder itself. What goes along, as ssh's
# SendEnv would send it: the loader's path and the sanitizers' settings of a test build (the
# tests turn LeakSanitizer off for Open MPI's own allocations, tests/mpi/lib.sh).
exec nsenter --target "$pid" --uts --ipc --mount --pid -- \
	env -i PATH="$PATH" HOME="${HOME:-/root}" ${LD_LIBRARY_PATH:+LD_LIBRARY_PATH="$LD_LIBRARY_PATH"} \
	${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	${LSAN_OPTIONS:+LSAN_OPTIONS="$LSAN_OPTIONS"} \
	sh -c "$*"
