# The network bed's figures as a table: awk -f kernel/netfs/figures.awk CONSOLE-LOG
# (kernel/run --bed netfs with SD_NETFS_FIGURES=N writes the log to
# $SD_KERNEL_CACHE/netfs/console-KERNEL.log). Reads the "fig" lines of 90-figures.sh:
#   fig SCENARIO DELAY TOOL SECONDS WIRE-BYTES DATA-BYTES
# and prints, per scenario and delay, each tool's median time over the rounds, sdcp's time as
# a ratio of cp's, and the loopback bytes of sdcp and cp as a percentage of the data.

function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

$1 == "fig" && NF == 7 && $7 > 0 {
	key = $2 " " $3
	if (!(key in seen)) {
		seen[key] = 1
		order[++rows] = key
	}
	secs[key, $4] = secs[key, $4] " " $5
	wire[key, $4] = wire[key, $4] " " $6
	data[key] = $7
}

END {
	print "| scenario | delay | sdcp s | cp s | rsync s | sdcp -j 2 s | sdcp / cp | wire sdcp | wire cp |"
	print "|---|---|---|---|---|---|---|---|---|"
	for (r = 1; r <= rows; r++) {
		k = order[r]
		split(k, p, " ")
		s = median(secs[k, "sdcp"]); c = median(secs[k, "cp"])
		printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %.2f%% | %.2f%% |\n", p[1], p[2], s, c,
			median(secs[k, "rsync"]), median(secs[k, "sdcp-j2"]),
			(c > 0 ? sprintf("%.2f", s / c) : "-"),
			100 * median(wire[k, "sdcp"]) / data[k], 100 * median(wire[k, "cp"]) / data[k]
	}
}
