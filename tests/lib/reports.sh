# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/verdict.sh: the kernel reports in a guest's console log, as
# the host finds them. The guest's init checks the kernel's ring buffer at
# the end of the job; a report that the ring lost before then (overwritten,
# or never read because the guest hung) is still on the console, which
# keeps every line at loglevel 5 or worse. tests/host/test_reports.sh tries it on
# crafted logs (make check).

report_patterns=$(cd "${BASH_SOURCE[0]%/*}" && pwd)/../report-patterns
. "${BASH_SOURCE[0]%/*}/tap.sh"

# The kernel reports in LOG: its kernel lines (a printk time stamp,
# "[   12.345678] ", wherever it starts: the kernel's lines can cut into a
# program's) whose message matches a line of tests/report-patterns. Each
# COMM is a program whose allocations fail on purpose (tests/lib/jobs.sh,
# job_alloc_failures): after "COMM: page allocation failure: " or "COMM:
# vmalloc error: ", the Call Trace of its stack dump, up to </TASK>, is no
# report, as in init's check. Prints "LINES REPORTS FIRST": the kernel lines
# read, the report lines found, and the first of them as the log has it.
console_reports() {	# console_reports LOG [COMM...]
	local log=$1
	shift
	awk -v comms="$*" '
	FNR == NR {
		if ($0 != "" && $0 !~ /^#/)
			pattern[++npatterns] = $0
		next
	}
	{
		sub(/\r$/, "")
		if (!match($0, /\[ *[0-9]+\.[0-9]+\] /))
			next
		lines++
		msg = substr($0, RSTART + RLENGTH)
		for (c = 1; c <= ncomms; c++)
			if (index(msg, comm[c] ": page allocation failure: ") == 1 ||
			    index(msg, comm[c] ": vmalloc error: ") == 1)
				expected = 1
		if (expected && msg ~ /Call [Tt]race/)
			next
		if (msg ~ /<\/TASK>/)
			expected = 0
		for (i = 1; i <= npatterns; i++) {
			if (msg !~ pattern[i])
				continue
			if (!reports++)
				first = $0
			break
		}
	}
	BEGIN { ncomms = split(comms, comm, " ") }
	END { printf "%d %d%s\n", lines, reports, reports ? " " first : "" }' "$report_patterns" "$log"
}

# The host's verdict on LOG, appended to it as a TAP line outside any
# program (tap_unnumbered), which tests/lib/tally.sh counts: "not ok" names the first report
# line (and says it on stderr too).
console_verdict() {	# console_verdict LOG [COMM...]
	local lines reports first
	read -r lines reports first < <(console_reports "$@")
	if [ "$reports" -eq 0 ]; then
		tap_unnumbered 0 "host: no kernel report on the console ($lines kernel lines)" >> "$1"
		return 0
	fi
	tap_unnumbered 1 "host: $reports kernel report lines on the console, the first: $first" |
		tee -a "$1" >&2
	return 1
}
