# shellcheck shell=bash disable=SC2034,SC2154 # sourced by /sd/init, after /sd/lib.sh
# 20-atomic: an atomic replace must survive a power cut at any point. On each filesystem, seven
# files of old content are replaced: by splice_direct_file(SPLICE_F_ATOMIC) (a small file and
# 64 MiB: within the filesystem (offload on ext4, clone on xfs and btrfs), within it with
# SPLICE_F_NOCLONE, from the root's ext4 (another filesystem: pipe), and with SPLICE_F_NOCACHE
# from there (directio)) and by sdcp --atomic (small, 64 MiB).
# At every crash point each name holds its complete old content or its complete new content;
# never a mix, a short file, an empty one or none; and once the copy has returned (a mark in the
# log), never the old content again.
test=atomic

targets=(small big-same big-noclone big-across big-directio cli-small cli-big)

atomic_sources() {
	make_sources || return 1
	for t in "${targets[@]}"; do
		yes "old content of $t" | head -c 8192 >"$SRC/old.$t" || return 1
	done
}

# the new content of each target
new_of() { case $1 in small | cli-small) echo "$SRC/small" ;; *) echo "$SRC/big64" ;; esac; }

atomic_setup() {
	for t in "${targets[@]}"; do cp "$SRC/old.$t" "$t" || return 1; done
	cp "$SRC/small" src-small && cp "$SRC/big64" src64 && sync
}

# copy NAME COMMAND...: the copy, its methods kept, then a mark "done-NAME" in the log.
copy() {
	local name=$1
	shift
	"$@" >"/tmp/atomic.methods.$name" 2>&1 || {
		echo "$name: $* failed: $(cat "/tmp/atomic.methods.$name")"
		return 1
	}
	mark "done-$name"
}

atomic_work() {
	copy small sdcrash src-small small &&
		copy big-same sdcrash src64 big-same &&
		copy big-noclone sdcrash src64 big-noclone noclone &&
		copy big-across sdcrash "$SRC/big64" big-across &&
		copy big-directio sdcrash "$SRC/big64" big-directio nocache &&
		copy cli-small sdcp --atomic "$SRC/small" cli-small &&
		copy cli-big sdcp --atomic "$SRC/big64" cli-big
}

# the index of every mark in the log, once per log
declare -A marks
read_marks() {
	local i name
	marks=()
	while read -r i name; do marks[$name]=$i; done < <(sdreplay "$LOG" | awk '$2 == "M" { print $1, $5 }')
}

atomic_check() {
	local p=$1 t f bad=0 temps
	for t in "${targets[@]}"; do
		f=$CHECK/$t
		if [ ! -e "$f" ]; then
			echo "point $p: $t is missing"
			bad=1
		elif same "$f" "$SRC/old.$t"; then
			if [ -n "${marks[done-$t]:-}" ] && [ "$p" -gt "${marks[done-$t]}" ]; then
				echo "point $p: $t holds its old content after its copy returned (mark ${marks[done-$t]})"
				bad=1
			fi
		elif ! same "$f" "$(new_of "$t")"; then
			echo "point $p: $t holds neither its old nor its new content ($(stat -c %s "$f") bytes)"
			bad=1
		fi
	done
	temps=$(find "$CHECK" -maxdepth 1 -name '.*' | wc -l)
	[ "$temps" -gt "$most_temps" ] && most_temps=$temps
	return $bad
}

if ! atomic_sources; then
	fail sources "cannot make the sources in $SRC"
else
	for fs in "${filesystems[@]}"; do
		workload "$fs" atomic_setup atomic_work || continue
		note "$fs methods: $(for t in "${targets[@]}"; do printf '%s: %s; ' "$t" "$(tr '\n' ' ' <"/tmp/atomic.methods.$t")"; done)"
		read_marks
		most_temps=0
		each_point "$fs" atomic_check >"/tmp/atomic.$fs.points" 2>&1
		note "$fs: $points crash points, $violations violations, at most $most_temps temporary files"
		point_verdict "$fs"
	done
fi
