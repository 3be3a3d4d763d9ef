#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn the figures of one benchmark run into a table, a plot and the ratios.
# Usage: tests/bench/report.sh RUN.csv
# Writes RUN.txt (what it prints) and RUN.png beside the CSV. The CSV is what
# tests/lanes/guest.sh bench collects: '#' lines saying where it ran, then
#   section,case,param,vcpus,reps,median_us,min_us,max_us
# Each figure is compared with the reference case of its section (anon,
# eventfd, futex, seed_demo) measured with the same parameter and vCPUs.
# The map section has two baselines: anon and memfd allocate and zero their
# pages in every repetition ("including allocation"); memfd_populated maps a
# memfd whose pages exist already, as the device's do ("mapping existing
# pages"). Each has its ratio line.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/bench/load.sh"

csv=${1:?usage: report.sh RUN.csv}
[ -r "$csv" ] || die "$csv: cannot read"
base=${csv%.csv}

# The table, with each figure's median over its reference's median.
table() {
	awk -F, '
	/^#/ { print; next }
	$1 == "section" { next }
	{
		row[++n] = $0
		if (($1 == "map" && $2 == "anon") ||
		    ($1 == "handoff" && $2 == "eventfd") ||
		    ($1 == "fanout" && $2 == "futex") ||
		    ($1 == "e2e" && $2 == "seed_demo"))
			ref[$1 "," $3 "," $4] = $6
	}
	END {
		printf "%-8s %-15s %6s %5s %4s %12s %12s %12s %8s\n", "section",
		       "case", "N", "vCPUs", "reps", "median_us", "min_us",
		       "max_us", "vs_ref"
		for (i = 1; i <= n; i++) {
			split(row[i], f, ",")
			r = ref[f[1] "," f[3] "," f[4]]
			n_col = f[3] == 0 ? "-" : f[3]
			vs = r > 0 ? sprintf("%.3f", f[6] / r) : "-"
			printf "%-8s %-15s %6s %5s %4s %12.2f %12.2f %12.2f %8s\n",
			       f[1], f[2], n_col, f[4], f[5], f[6], f[7], f[8], vs
		}
	}' "$csv"
}

# The median of one figure, or nothing.
median() {	# median SECTION CASE PARAM VCPUS
	awk -F, -v key="$1,$2,$3,$4" \
		'!/^#/ && $1 "," $2 "," $3 "," $4 == key { print $6 }' "$csv"
}

# NAME's ratio: CASE's median over REF_CASE's. In a merged run (several
# runs, tests/bench/reference.sh), the median of the runs' own ratios, which
# each compare figures taken side by side.
ratio() {	# ratio NAME SECTION CASE REF_CASE PARAM VCPUS
	local num den runs
	runs=$(sed -n "s/^# run [0-9]*: ratios.* $1=\([0-9.]*\).*/\1/p" "$csv")
	if [ -n "$runs" ]; then
		sort -g <<< "$runs" | awk -v name="$1" '{ v[++n] = $1 } END {
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			printf "ratio %s=%.3f\n", name, m }'
		return
	fi
	num=$(median "$2" "$3" "$5" "$6")
	den=$(median "$2" "$4" "$5" "$6")
	if [ -z "$num" ] || [ -z "$den" ]; then
		say "no $2 figure for $3 or $4 at N=$5 with $6 vCPUs"
		return 1
	fi
	awk -v n="$num" -v d="$den" -v name="$1" \
		'BEGIN { printf "ratio %s=%.3f\n", name, n / d }'
}

# One data file per curve for gnuplot: PARAM MEDIAN MIN MAX.
curve() {	# curve SECTION CASE VCPUS
	awk -F, -v s="$1" -v c="$2" -v v="$3" \
		'!/^#/ && $1 == s && $2 == c && $4 == v { print $3, $6, $7, $8 }' "$csv"
}

# CASE MEDIAN MIN MAX for each case of a section, at each vCPU count given.
bars() {	# bars SECTION VCPUS...
	local section=$1 name
	shift
	for name in $(awk -F, -v s="$section" '!/^#/ && $1 == s && !seen[$2]++ { print $2 }' "$csv"); do
		printf '%s' "$name"
		for v in "$@"; do
			printf ' %s' "$(curve "$section" "$name" "$v" | cut -d' ' -f2- | head -1)"
		done
		echo
	done
}

plot() {	# plot PNG
	local dir
	dir=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$dir'" RETURN
	for c in shmdemo memfd_populated anon memfd; do
		curve map "$c" 2 > "$dir/map-$c"
	done
	for c in shmdemo futex; do curve fanout "$c" 2 > "$dir/fanout-$c"; done
	bars handoff 2 1 > "$dir/handoff"
	bars e2e 2 > "$dir/e2e"
	gnuplot <<-GNUPLOT
	set terminal pngcairo noenhanced size 1400,1000 font ",10"
	set output "$1"
	set multiplot layout 2,2 title "shmdemo benchmarks (median, bars from min to max; QEMU TCG: compare ratios only)"
	set grid
	set key top left
	set logscale xy
	set xlabel "pages mapped and touched"
	set ylabel "microseconds"
	set title "Map + first touch (2 vCPUs)"
	plot "$dir/map-shmdemo" using 1:2:3:4 with yerrorlines title "shmdemo", \\
	     "$dir/map-memfd_populated" using 1:2:3:4 with yerrorlines title "populated memfd + MAP_POPULATE", \\
	     "$dir/map-anon" using 1:2:3:4 with yerrorlines title "MAP_SHARED|MAP_ANONYMOUS (allocating)", \\
	     "$dir/map-memfd" using 1:2:3:4 with yerrorlines title "memfd + MAP_POPULATE (allocating)"
	unset logscale
	set xlabel ""
	set yrange [0:*]
	set offsets 0, 0, graph 0.08, 0
	set style data histogram
	set style histogram errorbars gap 2 lw 1
	set style fill solid 0.6 border -1
	set key top right
	set title "Handoff round trip"
	plot "$dir/handoff" using 2:3:4:xtic(1) title "2 vCPUs", \\
	     "" using 5:6:7 title "1 vCPU"
	set style data linespoints
	set logscale x 2
	set xlabel "waiters woken by one call"
	set key top left
	set title "Fan-out: until the last waiter runs (2 vCPUs)"
	plot "$dir/fanout-shmdemo" using 1:2:3:4 with yerrorlines title "shmdemo NOTIFY", \\
	     "$dir/fanout-futex" using 1:2:3:4 with yerrorlines title "futex FUTEX_WAKE"
	unset logscale
	set xlabel ""
	set style data histogram
	set key off
	set title "End to end: whole process (2 vCPUs)"
	plot "$dir/e2e" using 2:3:4:xtic(1)
	unset multiplot
	GNUPLOT
}

# A note when a figure behind a ratio spread over more than 3x: on a busy
# host a halted vCPU waits for the host's scheduler, which swamps the guest.
spread_note() {	# spread_note SECTION CASE PARAM VCPUS
	awk -F, -v key="$1,$2,$3,$4" '!/^#/ && $1 "," $2 "," $3 "," $4 == key &&
		$8 > 3 * $7 {
		printf "# note: %s %s spread %.0fx from min to max: the host was busy, " \
		       "so this ratio says little; rerun on a quiet machine\n", $1, $2, $8 / $7
	}' "$csv"
}

{
	table
	load_note "$csv"
	spread_note map shmdemo 65536 2
	spread_note map anon 65536 2
	spread_note map memfd_populated 65536 2
	spread_note handoff shmdemo 0 2
	spread_note handoff eventfd 0 2
	echo "# map, including allocation: anon allocates and zeroes every page in each repetition"
	ratio map_touch_65536_vs_anon map shmdemo anon 65536 2
	echo "# map, mapping existing pages: a memfd populated once, then mmap(MAP_POPULATE) and touch"
	ratio map_touch_65536_vs_memfd_populated map shmdemo memfd_populated 65536 2
	echo "# map, 2 MiB pages: the device loaded huge=1, against a populated memfd and a hugetlb one"
	ratio map_touch_65536_huge_vs_memfd_populated map shmdemo_huge memfd_populated 65536 2
	ratio map_touch_65536_huge_vs_hugetlb map shmdemo_huge hugetlb 65536 2
	ratio handoff_vs_eventfd handoff shmdemo eventfd 0 2
	ratio e2e_user_demo_vs_seed_demo e2e user_demo seed_demo 0 2
} > "$base.txt" || { cat "$base.txt"; die "a figure is missing from $csv"; }
plot "$base.png"
cat "$base.txt"
say "table: $base.txt, CSV: $csv, plot: $base.png"
