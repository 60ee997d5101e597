# SPDX-License-Identifier: MIT
# bench/lib/measure.sh - one timed run, one strace run, and the rounds that alternate tools.

# tool_cmd KIND TOOL SRC DST: set CMD to the command line that copies SRC to DST.
tool_cmd() {
	local kind=$1 tool=$2 src=$3 dst=$4
	# shellcheck disable=SC2054 # the commas of dd's flags are no array separators
	case $kind:$tool in
	file:cp | sparse:cp) CMD=(cp "$src" "$dst") ;;
	tree:cp) CMD=(cp -r "$src" "$dst") ;;
	file:rsync) CMD=(rsync "$src" "$dst") ;;
	# rsync writes holes only when asked; a user copying VM images would ask.
	sparse:rsync) CMD=(rsync --sparse "$src" "$dst") ;;
	tree:rsync) CMD=(rsync -rl "$src/" "$dst/") ;;
	# --stats: one summary line on stderr at the end, for the method column.
	# --debug: which methods moved the one file's bytes, by their library names (directio...)
	file:sdcp | sparse:sdcp) CMD=("$SDCP" --stats --debug "$src" "$dst") ;;
	tree:sdcp) CMD=("$SDCP" --stats -r "$src" "$dst") ;;
	file:sdcopy | sparse:sdcopy) CMD=("$SDCOPY" -s "$WORK/stats" "$src" "$dst") ;;
	tree:sdcopy) CMD=("$SDCOPY" -s "$WORK/stats" -r "$src" "$dst") ;;
	# SPLICE_F_NOCACHE: a physical copy that leaves the page cache as it was (issue 6)
	nocache:sdcp) CMD=("$SDCP" --stats --debug --nocache --reflink=never "$src" "$dst") ;;
	nocache:sdcopy) CMD=("$SDCOPY" -n -c -s "$WORK/stats" "$src" "$dst") ;;
	nocache:cp) CMD=(cp --reflink=never "$src" "$dst") ;;
	nocache:rsync) CMD=(rsync "$src" "$dst") ;;
	range:sdcopy) CMD=("$SDCOPY" -s "$WORK/stats" -R "$RANGE_IN" "$RANGE_OUT" "$RANGE_LEN" "$src" "$dst") ;;
	range:dd) CMD=(dd "if=$src" "of=$dst" bs=1M "skip=$RANGE_IN" "seek=$RANGE_OUT" "count=$RANGE_LEN"
		iflag=skip_bytes,count_bytes oflag=seek_bytes conv=notrunc status=none) ;;
	range:xfs_io) CMD=(xfs_io -c "copy_range -s $RANGE_IN -d $RANGE_OUT -l $RANGE_LEN $src" "$dst") ;;
	*) die "no command for $tool on $kind" ;;
	esac
}

# Bring the destination to its state before a copy: absent (a range copy: a fresh sparse file
# as large as the source), with the space of the previous copy given back.
reset_dst() {
	local kind=$1 src=$2 dst=$3
	rm -rf --one-file-system "$dst" "$(dirname "$dst")"/."$(basename "$dst")".* # rsync's temp
	[[ $kind == range ]] && truncate -s "$(stat -c %s "$src")" "$dst"
	sync -f "$(dirname "$dst")"
}

# timed CMD...: run it once under hyperfine; sets T_WALL T_USER T_SYS, fails if it failed.
timed() {
	T_WALL='' T_USER='' T_SYS=''
	rm -f "$WORK/hf.json"
	hyperfine -N --runs 1 --style none --output=inherit --export-json "$WORK/hf.json" \
		-- "$(quote_words "$@")" >"$WORK/hf.out" 2>"$WORK/hf.err" || return 1
	read -r T_WALL T_USER T_SYS < <(awk '{gsub(/[",]/, "")}
		$1 == "mean:" {m = $2} $1 == "user:" {u = $2} $1 == "system:" {s = $2}
		END {printf "%.6f %.6f %.6f\n", m, u, s}' "$WORK/hf.json")
}

# run_set SCENARIO KIND SRC_FS DST_FS cold|warm FILES BYTES SRC DST TOOL...
# One warm-up round (run 0), then RUNS rounds, each running every tool once, in turn, so that
# a slow phase of the machine hits all tools alike; then one untimed strace run per tool.
run_set() {
	local scen=$1 kind=$2 sfs=$3 dfs=$4 temp=$5 files=$6 bytes=$7 src=$8 dst=$9 r t
	shift 9
	say "$scen: $sfs -> $dfs, $files file(s), $((bytes >> 20)) MiB, ${*}"
	for ((r = 0; r <= RUNS; r++)); do
		for t in "$@"; do
			one_run "$scen" "$kind" "$sfs" "$dfs" "$temp" "$files" "$bytes" "$src" "$dst" "$t" "$r"
		done
	done
	# Quick mode counts the calls of tree copies only, where calls per file matter most.
	if ((STRACE)) && [[ $MODE == full || $kind == tree ]]; then
		for t in "$@"; do
			strace_run "$scen" "$kind" "$sfs" "$dfs" "$files" "$bytes" "$src" "$dst" "$t"
		done
	fi
	reset_dst file "$src" "$dst"
}

# Drop (cold) or fill (warm) the cache of the source, after the destination was reset.
prepare() {
	local temp=$1 sfs=$2 dfs=$3 src=$4
	local left
	if [[ $temp == cold ]]; then
		fs_remount "$sfs"
		if [[ $dfs != "$sfs" ]]; then
			fs_remount "$dfs"
		fi
		# A mount namespace made by someone else while ours was mounted keeps the
		# superblock, and its cache, alive through our unmount: drop the pages by
		# hand, and as a last resort drop the whole page cache.
		"$PAGECACHE" drop "$src"
		left=$("$PAGECACHE" count "$src")
		if ((left > 1048576)); then
			say "warning: $((left >> 20)) MiB of the source still cached; dropping all caches"
			echo 1 >/proc/sys/vm/drop_caches
		fi
	else
		"$PAGECACHE" warm "$src"
	fi
}

one_run() {
	local scen=$1 kind=$2 sfs=$3 dfs=$4 temp=$5 files=$6 bytes=$7 src=$8 dst=$9 tool=${10} run=${11}
	local free0 free1 cache0 cache1 sync_s='' method='' status=ok wall='' user='' sys=''
	reset_dst "$kind" "$src" "$dst"
	prepare "$temp" "$sfs" "$dfs" "$src"
	tool_cmd "$kind" "$tool" "$src" "$dst"
	rm -f "$WORK/stats"
	free0=$(fs_free "$(dirname "$dst")")
	cache0=$("$PAGECACHE" count "$src" "$dst")
	# Memory the host backs, for the copy's page cache: this VM hands memory that has been
	# free for 2 s back to its host, and the next writer into it paid up to 10 times the
	# time (bench/backmem.c); last before the copy, so that no tool meets it.
	"$BACKMEM" $((bytes + (512 << 20)))
	if timed "${CMD[@]}"; then
		wall=$T_WALL user=$T_USER sys=$T_SYS
		[[ $tool == sdcp ]] && method=$(sdcp_method "$WORK/hf.out")
		# Time to a durable copy: the return plus syncfs() of the destination.
		timed sync -f "$(dirname "$dst")" && sync_s=$T_WALL
	else
		status=failed
		say "failed: ${CMD[*]}: $(tail -n 2 "$WORK/hf.err" | tr '\n' ' ')"
	fi
	sync -f "$(dirname "$dst")"
	cache1=$("$PAGECACHE" count "$src" "$dst")
	free1=$(fs_free "$(dirname "$dst")")
	[[ -s $WORK/stats ]] && method=$(<"$WORK/stats")
	# A fast copy must also be right: check the first counted one of every tool (untimed).
	if [[ $status == ok && $run == 1 ]] && ! same_data "$kind" "$src" "$dst"; then
		status=mismatch
		say "MISMATCH: ${CMD[*]} made a copy that differs from its source"
	fi
	csv_row "$scen" "$sfs" "$dfs" "$files" "$bytes" "$tool" "$run" "$wall" "$user" "$sys" \
		"$sync_s" $((cache1 - cache0)) $((free0 - free1)) "$method" "" "" "$status"
	[[ $status == ok ]] && printf '  %-7s run %d: %6.3f s (+%6.3f s sync)\n' "$tool" "$run" \
		"$wall" "${sync_s:-0}" >&2
	return 0
}

same_data() {
	case $1 in
	file | sparse | nocache) cmp -s "$2" "$3" ;;
	tree) diff -r --no-dereference -q "$2" "$3" >/dev/null 2>&1 ;;
	range) cmp -s -n "$RANGE_LEN" -i "$RANGE_IN:$RANGE_OUT" "$2" "$3" ;;
	esac
}

# The methods that moved the bytes, most bytes first, in the library's names: "offload",
# "directio+pipe", "clone+holes"... From sdcp --debug's line of a single file ("method:
# directio+pipe; cloned 0, offloaded 0, spliced 8192, copied 2147475456, holes 0"), whose byte
# counts are per kind (directio and rw are both "copied"); from the summary of sdcp --stats
# ("bytes cloned 0, offloaded 3145728, spliced 0, copied 0; holes kept 0") for trees.
sdcp_method() {
	if grep -q '^method: ' "$1"; then
		awk -F'[;,] *' '/^method: / {
			split(substr($1, 9), names, "+")
			for (i = 2; i <= NF; i++) { split($i, kv, " "); by[kv[1]] += kv[2] }
			kind["clone"] = "cloned"; kind["offload"] = "offloaded"; kind["native"] = "offloaded"
			kind["pipe"] = "spliced"; kind["sendfile"] = "spliced"
			kind["rw"] = "copied"; kind["directio"] = "copied"
			for (i in names) if (names[i] != "none") seen[names[i]] = 1
		}
		END {
			for (n in seen) printf "%d %s\n", by[kind[n]], n
			if (by["holes"] > 0) print "-1 holes"
		}' "$1" | sort -k1,1nr -k2 | awk '{printf "%s%s", (NR > 1 ? "+" : ""), $2}'
		return 0
	fi
	sed -n 's/.*bytes cloned \([0-9]*\), offloaded \([0-9]*\), spliced \([0-9]*\), copied \([0-9]*\); holes kept \([0-9]*\).*/\1 clone\n\2 offload\n\3 pipe\n\4 rw/p' "$1" |
		awk '$1 > 0' | sort -rn | awk '{printf "%s%s", (NR > 1 ? "+" : ""), $2}'
	grep -q 'holes kept [1-9]' "$1" && printf '+holes'
	return 0
}

# System calls of one copy, counted by strace -c -f (untimed: strace slows every call down).
# The method of tools other than sdcopy is inferred from which copy calls succeeded.
strace_run() {
	local scen=$1 kind=$2 sfs=$3 dfs=$4 files=$5 bytes=$6 src=$7 dst=$8 tool=$9 out=$WORK/strace.txt
	local calls top method status=ok
	reset_dst "$kind" "$src" "$dst"
	prepare warm "$sfs" "$dfs" "$src"
	tool_cmd "$kind" "$tool" "$src" "$dst"
	rm -f "$WORK/stats"
	strace -c -f -o "$out" -- "${CMD[@]}" >"$WORK/strace.out" 2>&1 || status=failed
	read -r calls method top < <(awk '
		$1 ~ /^[0-9.]+$/ && $NF != "total" {
			n = $4; e = (NF == 6) ? $5 : 0; ok[$NF] = n - e; all[$NF] = n }
		$NF == "total" { total = $4 }
		END {
			m = ""
			if (ok["ioctl"] > 0) m = m "+clone"
			if (ok["copy_file_range"] > 0) m = m "+offload"
			if (ok["splice"] > 0) m = m "+pipe"
			if (ok["sendfile"] > 0) m = m "+sendfile"
			if (m == "" && ok["read"] + ok["pread64"] > 0) m = "+rw"
			t = ""
			for (k = 0; k < 6; k++) {
				best = ""
				for (s in all) if (best == "" || all[s] > all[best]) best = s
				if (best == "") break
				t = t " " best ":" all[best]; delete all[best]
			}
			sub(/^\+/, "", m); sub(/^ /, "", t)
			print total + 0, (m == "" ? "-" : m), t }' "$out")
	[[ -s $WORK/stats ]] && method=$(<"$WORK/stats")
	[[ $tool == sdcp && -n $(sdcp_method "$WORK/strace.out") ]] && method=$(sdcp_method "$WORK/strace.out")
	csv_row "$scen" "$sfs" "$dfs" "$files" "$bytes" "$tool" strace "" "" "" "" "" "" "$method" \
		"$calls" "$top" "$status"
	say "  $tool: $calls system calls ($(awk -v c="$calls" -v f="$files" 'BEGIN {printf "%.1f", c / (f ? f : 1)}') a file), $method"
}
