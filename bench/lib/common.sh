# SPDX-License-Identifier: MIT
# bench/lib/common.sh - messages, sizes, dependencies, the CSV file. Sourced by bench/run.

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

# 1K 2M 3G -> bytes (powers of 1024), as mkdata reads them.
bytes_of() {
	local n=${1%[KMG]} unit=${1##*[0-9]}
	case $unit in
	K) echo $((n << 10)) ;;
	M) echo $((n << 20)) ;;
	G) echo $((n << 30)) ;;
	*) echo "$n" ;;
	esac
}

# The commands this harness runs, and the Debian package of each.
need_deps() {
	local -A pkg=([fio]=fio [gnuplot]=gnuplot-nox [rsync]=rsync [hyperfine]=hyperfine
		[strace]=strace [mkfs.btrfs]=btrfs-progs [mkfs.xfs]=xfsprogs [xfs_io]=xfsprogs
		[mkfs.ext4]=e2fsprogs [losetup]=util-linux [cc]=gcc [python3]=python3)
	local cmd missing=()
	for cmd in "${!pkg[@]}"; do
		command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg[$cmd]}")
	done
	((${#missing[@]} == 0)) && return 0
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "cannot install ${missing[*]}"
}

# Quote one word for hyperfine's POSIX-shell-like splitting of a command line.
quote_words() {
	local w out=''
	for w in "$@"; do
		out+=" '${w//\'/\'\\\'\'}'"
	done
	printf '%s' "${out# }"
}

CSV_COLUMNS=date,nproc,mem_mib,cpu,kernel,mode,scenario,src_fs,dst_fs,files,bytes,tool,run,wall_s,user_s,sys_s,cpu_s,sync_s,durable_s,cache_growth_bytes,space_delta_bytes,method,syscalls,syscall_top,status

# the mode column: quick or full, and -loadN under --load
mode_label() {
	if ((${LOAD:-0})); then
		echo "$MODE-load$LOAD"
	else
		echo "$MODE"
	fi
}

csv_open() {
	local cpu
	cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo | tr -d ',"' || true)
	MACHINE="$(nproc),$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo),\"${cpu:-unknown}\",$(uname -r)"
	mkdir -p "$RESULTS"
	CSV=$RESULTS/$(date -u +%Y%m%dT%H%M%SZ)-$(mode_label).csv
	echo "$CSV_COLUMNS" >"$CSV"
}

# csv_row scenario src_fs dst_fs files bytes tool run wall user sys sync cache space method
#         syscalls syscall_top status
csv_row() {
	local cpu='' durable=''
	[[ -n $8 && -n $9 && -n ${10} ]] && cpu=$(awk -v u="$9" -v s="${10}" 'BEGIN {printf "%.6f", u + s}')
	[[ -n $8 && -n ${11} ]] && durable=$(awk -v w="$8" -v s="${11}" 'BEGIN {printf "%.6f", w + s}')
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$MACHINE" "$(mode_label)" "$1" "$2" "$3" "$4" "$5" "$6" \
		"$7" "$8" "$9" "${10}" "$cpu" "${11}" "$durable" "${12}" "${13}" "${14}" "${15}" \
		"${16}" "${17}" >>"$CSV"
}
