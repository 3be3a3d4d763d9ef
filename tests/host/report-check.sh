#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A kernel report must reach the guest's console log whole: its header, its
# frames and Call Trace, up to </TASK>. The guest provokes one on purpose
# (tests/guest/provoke-report.sh, SysRq-l) and this checks the log twice:
# the console as the kernel printed it (tests/lib/boot.sh's loglevel), and
# init's copy of the block after its kernel log check (tests/guest/init.c).
# The host's console scan (tests/lib/reports.sh) must name it too.
# Prints TAP; make test runs it on the first kernel.
# Usage: tests/host/report-check.sh [FLAVOUR]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour=${1:-$(kernel_default amd64)}
# shellcheck disable=SC2034	# read by tests/lib/boot.sh and tests/lib/jobs.sh
job=report smp=2
. "$SHMDEMO_TESTS/lib/boot.sh"
. "$SHMDEMO_TESTS/lib/jobs.sh"
. "$SHMDEMO_TESTS/lanes/report.sh"
. "$SHMDEMO_TESTS/lib/tap.sh"

programs_make make -s -C "$SHMDEMO_TOP/tests" PROGS=tests/guest/init >&2
kdir=$(kernel_dir "$flavour")
release=$(cat "$kdir/release")
out=$SHMDEMO_TESTS/out/$release
log=$out/console-report.log
build_module "$kdir" "$out"
make_initramfs "$out" "$release"
boot "$kdir" "$out" "$log" 300 > /dev/null || true

# Does the log hold, in order, a backtrace header, "Call Trace:", at least
# three frames and "</TASK>", on lines that start with PREFIX (a regex)?
whole_block() {	# whole_block PREFIX
	awk -v p="$1" '
	$0 !~ "^" p { next }
	step == 0 && /NMI backtrace for cpu [0-9]+$/ { step = 1; next }
	step == 1 && /CPU: [0-9]+ / { step = 2; next }
	step == 2 && /Call Trace:/ { step = 3; frames = 0; next }
	step == 3 && /[A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+/ { frames++; next }
	step == 3 && /<\/TASK>/ && frames >= 3 { found = 1; exit }
	END { exit !found }' "$log"
}

# The host's scan of the console finds the report; says its first line.
host_scan_finds() {
	local lines reports first
	read -r lines reports first < <(console_reports "$log")
	echo "# host scan: $reports report lines in $lines kernel lines, the first: $first"
	[ "$reports" -gt 0 ]
}

echo "# provoked kernel report on Linux $release: $log"
tap_plan 5
tap_check "the guest ran SysRq-l and reached its end marker" \
	grep -q '^shmdemo-guest: end status=' "$log"
tap_check "init's kernel log check fails on the provoked report" \
	grep -q '^not ok - kernel log has no BUG, WARNING, Oops or Call Trace' "$log"
tap_check "the console shows the report whole: header, CPU, Call Trace, frames, </TASK>" \
	whole_block '\[ *[0-9]+\.[0-9]+\] '
tap_check "init prints the report whole after its log check" \
	whole_block '# kernel: '
tap_check "the host's console scan names the provoked report" host_scan_finds
tap_status
