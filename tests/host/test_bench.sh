#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench's report and the reference run's merge, on crafted runs: a busy
# host's run is noted as saying little, a quiet one is not; the ratio lines
# the issues' targets name are printed; three runs merge into the median of
# their medians, their report's ratios the median of the runs' ratios, and
# runs of two guests, or with a figure missing, do not.
# Prints nothing when every case comes out right; otherwise one line per
# miss. Run by make check.
set -euo pipefail
tests=$(cd "$(dirname "$0")/.." && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

miss() {
	echo "bench: $*"
	status=1
}

# run FILE LOAD_BEFORE LOAD_AFTER SCALE: a run's CSV, every median SCALE
# times the one below, with its table (report.sh) beside it.
run() {
	cat > "$1" <<-EOF
	# guest: Linux 6.1.0-0-amd64, 1 GiB, tcg, QEMU emulator version 7.2.22
	# host: a CPU, 2 CPUs, load average $2 0.50 0.50
	# date: 2026-12-07 06:00 UTC
	section,case,param,vcpus,reps,median_us,min_us,max_us
	EOF
	awk -v s="$4" 'BEGIN {
		split("map shmdemo 1 2 2|map memfd_populated 1 2 3|map anon 1 2 4|" \
		      "map memfd 1 2 5|map shmdemo 65536 2 5|map memfd_populated 65536 2 40|" \
		      "map anon 65536 2 100|map memfd 65536 2 110|" \
		      "handoff shmdemo 0 2 101|handoff eventfd 0 2 100|" \
		      "fanout shmdemo 1 2 10|fanout futex 1 2 10|" \
		      "fanout shmdemo 4 2 30|fanout futex 4 2 30|" \
		      "e2e user_demo 0 2 105|e2e seed_demo 0 2 100|" \
		      "handoff shmdemo 0 1 50|handoff eventfd 0 1 50", row, "|")
		for (i = 1; i in row; i++) {
			split(row[i], f, " ")
			printf "%s,%s,%s,%s,7,%.2f,%.2f,%.2f\n", f[1], f[2], f[3],
			       f[4], f[5] * s, f[5] * s * 0.9, f[5] * s * 1.1
		}
	}' >> "$1"
	echo "# host load average after the run: $3 0.50 0.50" >> "$1"
	"$tests/bench/report.sh" "$1" > /dev/null 2>&1 || miss "report.sh failed on $1"
}

run "$tmp/quiet.csv" 0.30 1.00 1
grep -q 'note: the host' "$tmp/quiet.txt" && miss "a quiet run (0.30, 1.00) is noted as busy"
for name in map_touch_65536_vs_anon=0.050 handoff_vs_eventfd=1.010 \
	    e2e_user_demo_vs_seed_demo=1.050; do
	grep -qx "ratio $name" "$tmp/quiet.txt" || miss "no line 'ratio $name'"
done
run "$tmp/busy.csv" 0.30 1.60 1
grep -q '^# note: .*load average reached 1.60 .*say little' "$tmp/busy.txt" ||
	miss "a run that ended at load 1.60 is not noted as saying little"

# Three runs: the median of the medians, whatever their order; the smallest
# minimum, the largest maximum, the sum of the reps; each run's loads and
# ratios kept as comments.
run "$tmp/a.csv" 0.30 1.00 3
run "$tmp/b.csv" 0.40 1.10 1
run "$tmp/c.csv" 0.20 0.90 2
sed -i 's/^e2e,user_demo,0,2,7,[0-9.]*,/e2e,user_demo,0,2,7,300.00,/' "$tmp/c.csv"
"$tests/bench/report.sh" "$tmp/c.csv" > /dev/null 2>&1 || miss "report.sh failed on $tmp/c.csv"
"$tests/bench/reference.sh" --merge "$tmp/a.csv" "$tmp/b.csv" "$tmp/c.csv" \
	> "$tmp/merged.csv" 2> "$tmp/err" || miss "three runs do not merge: $(cat "$tmp/err")"
want="map,anon,65536,2,21,200.00,90.00,330.00"
grep -qx "$want" "$tmp/merged.csv" ||
	miss "merged map anon: got '$(grep '^map,anon,' "$tmp/merged.csv")', expected '$want'"
[ "$(grep -c '^# run [123]: load average' "$tmp/merged.csv")" = 6 ] ||
	miss "the merged CSV does not keep each run's loads before and after"
grep -q '^# run 2: ratios .*handoff_vs_eventfd=1.010' "$tmp/merged.csv" ||
	miss "the merged CSV does not keep each run's ratios"

# Its ratios: the median of the runs' own (e2e 1.050, 1.050, 1.500), not
# the ratio of two medians taken from different runs (300 / 200).
cp "$tmp/merged.csv" "$tmp/m.csv"
"$tests/bench/report.sh" "$tmp/m.csv" > /dev/null 2>&1 || miss "report.sh failed on the merged runs"
grep -qx 'ratio e2e_user_demo_vs_seed_demo=1.050' "$tmp/m.txt" ||
	miss "merged: got '$(grep '^ratio e2e_' "$tmp/m.txt")', expected the median of the runs' ratios, 1.050"

sed 's/6\.1\.0-0/6.12.0-0/' "$tmp/c.csv" > "$tmp/other.csv"
"$tests/bench/reference.sh" --merge "$tmp/a.csv" "$tmp/other.csv" > /dev/null 2>&1 &&
	miss "runs on two guests merge"
grep -v '^e2e,seed_demo' "$tmp/c.csv" > "$tmp/short.csv"
"$tests/bench/reference.sh" --merge "$tmp/a.csv" "$tmp/short.csv" > /dev/null 2>&1 &&
	miss "a run without one figure merges"
exit "$status"
