#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-grade: both ends of every graded exercise (course/exercises/),
# on each kernel given: its untouched skeleton (make exercise N) must score
# below full and name each TODO it fails, and its solution (solution.patch)
# must score full, of the TODOs the checker judges on that kernel, through
# make grade's lane (tests/lanes/grade.sh), one guest at a time. One TAP
# line each; the last line "N passed, N failed".
# Usage: tests/host/grade-check.sh FLAVOUR...
#   SHMDEMO_GRADE_EXERCISES="N..."  only these exercises (default: every one)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/tap.sh"
. "$SHMDEMO_TESTS/lib/tally.sh"

[ $# -gt 0 ] || die "usage: grade-check.sh FLAVOUR..."
workspace=$SHMDEMO_TOP/course/exercises/workspace.sh
work=$SHMDEMO_TESTS/out/grade-check

# Grade WORKSPACE for exercise N on FLAVOUR; its output goes to LOG.
grade() {	# grade N WORKSPACE FLAVOUR LOG
	SHMDEMO_EXERCISE=$1 SHMDEMO_WORK=$2 \
		"$SHMDEMO_TESTS/lanes/guest.sh" grade "$3" > "$4" 2>&1 || true
}

# The TODOs judged: every one but those the checker skips on this kernel
# (a TODO on the other mmap path), which make grade counts neither way.
judged() {	# judged LOG TODOS
	echo $(($2 - $(grep -cE '^ok [0-9]+ - TODO [0-9]+: .*# SKIP' "$1" || true)))
}

# The skeleton: "score: X/Y" last, X < Y, Y the TODOs judged, one case line
# per TODO, each naming its TODO, and a failed one for each point missing.
skeleton_ok() {	# skeleton_ok LOG TODOS
	local log=$1 y score cases failed
	y=$(judged "$log" "$2")
	score=$(tail -n 1 "$log")
	cases=$(grep -cE '^(not )?ok [0-9]+ - TODO [0-9]+: ' "$log" || true)
	failed=$(grep -cE '^not ok [0-9]+ - TODO [0-9]+: ' "$log" || true)
	[[ $score =~ ^score:\ ([0-9]+)/([0-9]+)$ ]] &&
		[ "${BASH_REMATCH[2]}" -eq "$y" ] && [ "${BASH_REMATCH[1]}" -lt "$y" ] &&
		[ "$cases" -eq "$2" ] && [ "$failed" -eq $((y - BASH_REMATCH[1])) ]
}

# The solution: "score: Y/Y", Y the TODOs judged, and no case failed.
solution_ok() {	# solution_ok LOG TODOS
	local y
	y=$(judged "$1" "$2")
	[ "$y" -gt 0 ] && [ "$(tail -n 1 "$1")" = "score: $y/$y" ] &&
		[ "$(grep -cE '^ok [0-9]+ - TODO [0-9]+: ' "$1" || true)" -eq "$2" ]
}

mkdir -p "$work"
for flavour in "$@"; do
	for n in ${SHMDEMO_GRADE_EXERCISES:-$("$workspace" list)}; do
		# Only on the kernels of its lanes (exercise 3: the debug ones).
		grep -qxF -- "$flavour" <<< "$("$workspace" kernels "$n" "$(kernel_field "$flavour" arch)")" || {
			echo "# $flavour: exercise $n runs on the kernels of its lanes only: $("$workspace" lanes "$n")"
			continue
		}
		todos=$("$workspace" todos "$n" | wc -l)
		for end in skeleton solution; do
			dir=$work/$n-$end log=$work/$flavour-$n-$end.log
			rm -rf "$dir"
			"$workspace" new "$n" "$dir" $([ "$end" = skeleton ] || echo solved)
			grade "$n" "$dir" "$flavour" "$log"
			if "${end}_ok" "$log" "$todos"; then
				ok 0 "$flavour: exercise $n's $end: $(tail -n 1 "$log")"
				grep -E '^not ok [0-9]+ - ' "$log" | sed 's/^/#   /' || true
			else
				ok 1 "$flavour: exercise $n's $end: $(tail -n 1 "$log") (see $log)"
				sed 's/^/#   /' "$log"
			fi
		done
	done
done
tap_plan "$tap_n"
tally_summary "$((tap_n - tap_failed))" "$tap_failed" 0
tap_status
