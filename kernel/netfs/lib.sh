# shellcheck shell=bash disable=SC2034 # the tests use the names
# /sd/lib.sh - what the network bed's tests (/sd/tests/*.sh) share: verdict lines, the wire's
# and the servers' counters, files to copy. Sourced by /sd/init; the tests run in its shell.
#
# Verdicts, one line each, read by kernel/run from the console:
#   PASS netfs[KERNEL]/TEST/CHECK      FAIL ...: why      SKIP ...: why      note ...: information
# KERNEL is "series" (the patched kernel) or "base" (the same kernel without kernel/patches).

kernel=$(sed -n 's/.*sdkernel=\([a-z]*\).*/\1/p' /proc/cmdline)
test=init

pass() { echo "PASS netfs[$kernel]/$test/$1"; }
fail() { echo "FAIL netfs[$kernel]/$test/$1: $2" | tee -a /tmp/verdicts; }
skip() { echo "SKIP netfs[$kernel]/$test/$1: $2"; }
note() { echo "note netfs[$kernel]/$test: $*"; }
# check NAME WHY COMMAND...: PASS if the command succeeds, FAIL with WHY if not.
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

# --- the protocols --------------------------------------------------------------------------
# kernel/run's SD_NETFS_SMB=0 (sdsmb=0): the bed without its SMB half, for a kernel whose
# ksmbd cannot serve this workload (6.1.192 could not until two fixes, now gone with 6.1, mended
# two oopses).
protos="nfs smb"
grep -q 'sdsmb=0' /proc/cmdline && protos=nfs
# smb_off NAME: the SKIP line of an SMB check that does not run, with the reason.
smb_off() {
	skip "$1" "SMB is off (kernel/run's SD_NETFS_SMB=0)"
}
# with_smb: is the SMB half on?
with_smb() { [ "$protos" != nfs ]; }

# --- the mounts ------------------------------------------------------------------------------
# Exports (the server's own disks) are /srv/ext4, /srv/btrfs, /srv/xfs and /srv/small; each is
# mounted over 127.0.0.1 at /mnt/nfs/NAME (NFS 4.2) and /mnt/smb/NAME (SMB 3.1.1). The
# client's local disk is /local.
nfs=/mnt/nfs
smb=/mnt/smb

# nfs_mount NAME, smb_mount NAME: mount export NAME at $nfs/NAME or $smb/NAME. NFS is a hard
# mount (an administrator's choice for data that must not be lost: a call waits for a server
# that went away). SMB 3.1.1 without POSIX extensions has no symbolic links, and ksmbd never
# follows one on its disk; mfsymlinks stores the links that Linux clients make as small files,
# as Samba and Windows servers' Linux clients do.
nfs_mount() {
	mount -t nfs -o vers=4.2,hard 127.0.0.1:"/srv/$1" "$nfs/$1"
}
smb_mount() {
	mount -t cifs -o vers=3.1.1,mfsymlinks,username=sd,password=sd-secret "//127.0.0.1/$1" "$smb/$1"
}

# server_path PATH: where PATH, a path under a client mount, lives on the server's own disk.
# Checks read there: reading through the mount would cross the wire and fill the client's
# cache, which would change what the next copy sends.
server_path() {
	sed -E "s#^($nfs|$smb)/#/srv/#" <<<"$1"
}

# --- counters --------------------------------------------------------------------------------
# snap FILE: the counters now, one "name value" per line:
#   wire          bytes sent over the loopback (every NFS and SMB byte crosses it)
#   nfsd.OP       the NFS server's count of operation OP (READ WRITE COPY CLONE ...)
#   nfsd.io.read, nfsd.io.write   bytes the NFS server read and wrote for READ and WRITE
#   nfs.OP        the NFS client's count of OP, summed over its mounts (/proc/self/mountstats)
#   nfs.read, nfs.write           bytes the NFS client read from and wrote to the server
#   smb.OP        the SMB client's count of Reads, Writes, IOCTLs (copychunk, duplicate
#                 extents), summed over its shares (/proc/fs/cifs/Stats)
#   smb.read, smb.write           bytes the SMB client read and wrote
snap() {
	{
		echo "wire $(cat /sys/class/net/lo/statistics/tx_bytes)"
		# proc4ops: the count of operations, then one counter per NFSv4 operation number.
		awk '$1 == "proc4ops" {
			split("READ:25 WRITE:38 COPY:60 COPY_NOTIFY:61 OFFLOAD_STATUS:67 READ_PLUS:68 CLONE:71", ops, " ")
			for (i in ops) { split(ops[i], o, ":"); print "nfsd." o[1], $(o[2] + 3) }
		}
		$1 == "io" { print "nfsd.io.read", $2; print "nfsd.io.write", $3 }' /proc/net/rpc/nfsd
		# mountstats: "bytes:" has normal and direct bytes, then server read and write
		# bytes (fields 6 and 7 after the tag); per-op lines "OP: ops ...".
		awk '$1 == "bytes:" { r += $6; w += $7 }
		$1 ~ /^(READ|WRITE|COPY|CLONE|OFFLOAD_STATUS|READ_PLUS):$/ { op[substr($1, 1, length($1) - 1)] += $2 }
		END {
			print "nfs.read", r + 0; print "nfs.write", w + 0
			n = split("READ WRITE COPY CLONE OFFLOAD_STATUS READ_PLUS", names, " ")
			for (i = 1; i <= n; i++) print "nfs." names[i], op[names[i]] + 0
		}' /proc/self/mountstats
		awk '/^Bytes read:/ { r += $3; w += $6 }
		/^Reads:/ { rd += $2 } /^Writes:/ { wr += $2 } /^IOCTLs:/ { io += $2 }
		END {
			print "smb.read", r + 0; print "smb.write", w + 0
			print "smb.Reads", rd + 0; print "smb.Writes", wr + 0; print "smb.IOCTLs", io + 0
		}' /proc/fs/cifs/Stats 2>/dev/null
	} >"$1"
}

# delta BEFORE AFTER NAME: how much counter NAME grew.
delta() {
	local a b
	a=$(awk -v k="$3" '$1 == k { print $2 }' "$1")
	b=$(awk -v k="$3" '$1 == k { print $2 }' "$2")
	echo $((${b:-0} - ${a:-0}))
}

# deltas BEFORE AFTER: the counters that grew, as "name +N" words (for notes).
deltas() {
	awk 'NR == FNR { a[$1] = $2; next } $2 != a[$1] { printf "%s +%d ", $1, $2 - a[$1] }' "$1" "$2"
}

# --- files -----------------------------------------------------------------------------------
# mkfile PATH MIB: a file of MIB MiB of incompressible data, written on the server's own disk
# (pass a /srv path) so that making it does not cross the wire.
mkfile() {
	head -c "$(($2 * 1048576))" /dev/urandom >"$1"
}

# mktree DIR FILES: a tree of FILES small files (1 to 64 KiB) in 20 folders, with a symlink,
# a hard link and a few modes and times for the metadata checks.
mktree() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		mkdir -p "$dir/d$((i % 20))"
		head -c $((1024 * (1 + i % 64))) /dev/urandom >"$dir/d$((i % 20))/f$i"
	done
	chmod 0600 "$dir/d0/f0"
	chmod 0755 "$dir/d1/f1"
	touch -d '2020-01-02 03:04:05' "$dir/d2/f2" "$dir/d3"
	ln -s d0/f0 "$dir/link"
	ln "$dir/d4/f4" "$dir/hard"
}

# settle: let the counters stop moving (write-back, delegations returned, async copies done).
settle() {
	sync
	sleep 1
}
