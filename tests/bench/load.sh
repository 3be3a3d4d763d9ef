# SPDX-License-Identifier: GPL-2.0
# Sourced by make bench (tests/lanes/bench.sh), tests/bench/report.sh and
# tests/bench/reference.sh: when the host counts as quiet. Under TCG every
# vCPU is a host thread; on a busy host a halted vCPU waits for the host's
# scheduler, and the wake-up figures (handoff, fanout) measure that wait.

# A host is quiet when its 1-minute load average is below this.
bench_quiet_load=1.5

# The host's 1-minute load average, now.
load_now() {
	cut -d' ' -f1 /proc/loadavg
}

# Whether LOAD is below the quiet line.
load_quiet() {	# load_quiet LOAD
	awk -v l="$1" -v q="$bench_quiet_load" 'BEGIN { exit !(l < q) }'
}

# The 1-minute load averages a run's CSV records ("load average" lines:
# before and after each run), one a line.
csv_loads() {	# csv_loads RUN.csv
	sed -n 's/^#.*load average[^0-9]*\([0-9][0-9.]*\).*/\1/p' "$1"
}

# A '# note:' line when a load of the CSV was not quiet, or none is given.
load_note() {	# load_note RUN.csv
	local load busiest=
	for load in $(csv_loads "$1"); do
		load_quiet "$load" || busiest=$(printf '%s\n' "$busiest" "$load" | sort -g | tail -1)
	done
	if [ -z "$(csv_loads "$1")" ]; then
		echo "# note: the run does not say the host's load: its ratios may say little"
	elif [ -n "$busiest" ]; then
		echo "# note: the host's load average reached $busiest (quiet is below" \
		     "$bench_quiet_load): every figure waited for the host's scheduler," \
		     "so these ratios say little; rerun on a quiet machine"
	fi
}
