# shellcheck shell=bash disable=SC2034,SC2154 # sourced by /sd/init, after /sd/lib.sh
# 30-tree: sdcp -a --atomic of a tree onto an older copy of it, cut by a power cut at every
# point. There every file under its name is its complete old version or its complete new one
# (a file new in this version may be missing); and a later "sdcp -a -u --atomic" run from
# that state completes the copy: equal to the source, the temporary files the crash left
# behind reused and gone.
test=tree

tree_setup() { cp -a "$SRC/old" dst && sync; }
tree_work() { sdcp -a --atomic -T "$SRC/tree" dst; }

tree_check() {
	local p=$1 f bad=0
	while read -r f; do
		if [ ! -e "$CHECK/dst/$f" ]; then
			[ -e "$SRC/old/$f" ] && echo "point $p: $f is missing" && bad=1
		elif ! same "$CHECK/dst/$f" "$SRC/tree/$f" &&
			! { [ -e "$SRC/old/$f" ] && same "$CHECK/dst/$f" "$SRC/old/$f"; }; then
			echo "point $p: $f is neither its old nor its new version ($(stat -c %s "$CHECK/dst/$f") bytes)"
			bad=1
		fi
	done < <(tree_files)
	temps=$((temps + $(find "$CHECK/dst" -name '.*.sdcp-*' | wc -l)))
	# the resume
	if ! sdcp -a -u --atomic -T "$SRC/tree" "$CHECK/dst" 2>/tmp/tree.resume; then
		echo "point $p: the resume failed: $(head -n 2 /tmp/tree.resume | tr '\n' ' ')"
		return 1
	fi
	while read -r f; do
		same "$CHECK/dst/$f" "$SRC/tree/$f" && continue
		echo "point $p: after the resume, $f differs from the source"
		bad=1
	done < <(tree_files)
	if find "$CHECK/dst" -name '.*.sdcp-*' | grep -q .; then
		echo "point $p: after the resume, temporary files are left: $(find "$CHECK/dst" -name '.*.sdcp-*' | head -n 3 | tr '\n' ' ')"
		bad=1
	fi
	return $bad
}

if ! make_trees; then
	fail trees "cannot make the trees in $SRC"
else
	for fs in "${filesystems[@]}"; do
		workload "$fs" tree_setup tree_work || continue
		temps=0
		each_point "$fs" tree_check >"/tmp/tree.$fs.points" 2>&1
		note "$fs: $points crash points, $violations violations; $temps temporary files left by the crashes, all reused by the resume"
		point_verdict "$fs"
	done
fi
