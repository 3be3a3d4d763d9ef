#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reference run (tests/README.md: Reference run): RUNS make bench runs
# on KERNEL, each begun and ended on a quiet host (tests/bench/load.sh); a
# run that was not is taken again. Then reference.csv, each figure the
# median of the runs' medians, each ratio the median of the runs' ratios,
# and from it reference.txt and reference.png (report.sh) and
# tests/README.md's figures (docs.sh --write).
# Usage: tests/bench/reference.sh [KERNEL] [RUNS]     (default: make bench's
#        kernel, 3 runs)
#        tests/bench/reference.sh --merge RUN.csv...   the merged CSV alone
#   SHMDEMO_REFERENCE_DIR    where reference.csv, .txt and .png go (default
#                            tests/bench); elsewhere README is left alone
#   SHMDEMO_REFERENCE_TRIES  runs tried in all before giving up (3 x RUNS)
#   SHMDEMO_REFERENCE_WAIT   seconds to wait for a quiet host before each
#                            run (1800)
#   SHMDEMO_REFERENCE_ANY_LOAD=1  keep runs whatever the load, to try this
#                            script on a busy host; only with another DIR
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/bench/load.sh"

# Wait until the host is quiet, at most $wait seconds.
wait_quiet() {
	local waited=0
	until load_quiet "$(load_now)"; do
		[ "$waited" -lt "$wait" ] || return 1
		[ $((waited % 300)) -ne 0 ] ||
			say "# load average $(load_now): waiting for a quiet host (below $bench_quiet_load)"
		sleep 30
		waited=$((waited + 30))
	done
}

# Whether every load a run's CSV records is quiet.
run_quiet() {	# run_quiet RUN.csv
	local load
	for load in $(csv_loads "$1"); do
		load_quiet "$load" || return 1
	done
}

# The runs as one CSV: where and when, each run's loads and ratios as
# comments, then each figure with the median of the runs' medians, the
# smallest minimum, the largest maximum and the sum of their repetitions.
merge() {	# merge RUN.csv...
	local csv n=0
	grep -h '^# guest:' "$@" | sort -u | awk 'END { exit NR != 1 }' ||
		die "the runs were not all taken on one guest"
	grep -m1 '^# guest:' "$1"
	grep -m1 '^# host:' "$1" | sed 's/, load average.*//'
	echo "# date: $(sed -n 's/^# date: //p' "$1") to $(sed -n 's/^# date: //p' "${@: -1}")"
	echo "# runs: $#, each with 2 vCPUs then 1; a figure's median is the median of the" \
	     "runs' medians, its min and max those of all the runs, its reps their sum;" \
	     "a ratio is the median of the runs' ratios"
	for csv; do
		n=$((n + 1))
		sed -n "s/^# host: .*, \(load average .*\)/# run $n: \1/p
			s/^# host \(load average after the run: .*\)/# run $n: \1/p" "$csv"
		echo "# run $n: ratios $(sed -n 's/^ratio //p' "${csv%.csv}.txt" | paste -sd' ')"
	done
	echo "section,case,param,vcpus,reps,median_us,min_us,max_us"
	awk -F, -v runs=$# '
	/^#/ || $1 == "section" { next }
	{
		key = $1 "," $2 "," $3 "," $4
		if (!(key in count)) order[++n] = key
		count[key]++
		median[key, count[key]] = $6
		reps[key] += $5
		if (!(key in min) || $7 < min[key]) min[key] = $7
		if ($8 > max[key]) max[key] = $8
	}
	END {
		for (i = 1; i <= n; i++) {
			key = order[i]
			if (count[key] != runs) {
				print "a run has no figure for " key > "/dev/stderr"
				exit 1
			}
			for (j = 1; j <= runs; j++) v[j] = median[key, j]
			for (j = 2; j <= runs; j++)	# insertion sort
				for (k = j; k > 1 && v[k - 1] > v[k]; k--) {
					t = v[k]; v[k] = v[k - 1]; v[k - 1] = t
				}
			m = runs % 2 ? v[(runs + 1) / 2] : (v[runs / 2] + v[runs / 2 + 1]) / 2
			printf "%s,%d,%.2f,%.2f,%.2f\n", key, reps[key], m, min[key], max[key]
		}
	}' "$@"
}

if [ "${1:-}" = --merge ]; then
	shift
	merge "$@"
	exit
fi

kernel=${1:-$(kernel_default)}
runs=${2:-3}
dir=${SHMDEMO_REFERENCE_DIR:-$SHMDEMO_TESTS/bench}
tries=${SHMDEMO_REFERENCE_TRIES:-$((3 * runs))}
wait=${SHMDEMO_REFERENCE_WAIT:-1800}
any_load=${SHMDEMO_REFERENCE_ANY_LOAD:-}
work=$SHMDEMO_TESTS/bench/out/reference
[ -z "$any_load" ] || ! [ "$dir" -ef "$SHMDEMO_TESTS/bench" ] ||
	die "SHMDEMO_REFERENCE_ANY_LOAD would write a busy host's figures as the reference: set SHMDEMO_REFERENCE_DIR"

mkdir -p "$work" "$dir"
rm -f "$work"/run-*
kept=()
tried=0
while [ "${#kept[@]}" -lt "$runs" ]; do
	[ "$tried" -lt "$tries" ] ||
		die "$tried runs, ${#kept[@]} of them on a quiet host: no reference written"
	[ -n "$any_load" ] || wait_quiet ||
		die "the load average stayed at $bench_quiet_load or more for $wait s: no reference written"
	tried=$((tried + 1))
	say "# reference run $tried (${#kept[@]} of $runs kept), load average $(load_now)"
	"$SHMDEMO_TESTS/lanes/guest.sh" bench "$kernel" || die "run $tried: make bench failed"
	cp "$SHMDEMO_TESTS/bench/out/bench.csv" "$work/run-$tried.csv"
	cp "$SHMDEMO_TESTS/bench/out/bench.txt" "$work/run-$tried.txt"
	if [ -n "$any_load" ] || run_quiet "$work/run-$tried.csv"; then
		kept+=("$work/run-$tried.csv")
	else
		say "# run $tried: load average $(csv_loads "$work/run-$tried.csv" | paste -sd/) (before/after): not quiet, taken again"
	fi
done
merge "${kept[@]}" > "$dir/reference.csv"
"$SHMDEMO_TESTS/bench/report.sh" "$dir/reference.csv"
if [ "$dir" -ef "$SHMDEMO_TESTS/bench" ]; then
	"$SHMDEMO_TESTS/bench/docs.sh" --write
	say "tests/README.md's figures rewritten from $dir/reference.txt"
fi
