#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The TAP tally of tests/lib/tally.sh against crafted guest logs: one case per
# way a program can hide a failure or a skip. Prints nothing when every case
# counts right; otherwise one line per miscount. Run by make check.
set -euo pipefail
tests=$(cd "$(dirname "$0")/.." && pwd)
. "$tests/lib/tally.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
: > "$tmp/none"

# expect_job "PASSED FAILED SKIPPED" WHAT EXPECTED LINE...: the tally of a
# log of LINEs against the job's program list EXPECTED ("" for none), and
# that every failure it counts says why on stderr.
expect_job() {
	local want=$1 what=$2 list=$3 got
	shift 3
	printf '%s\n' "$@" > "$tmp/log"
	got=$(tally "$tmp/log" "$list" 2> "$tmp/why" | cut -d' ' -f1-3)
	if [ "$got" != "$want" ]; then
		echo "$what: counted '$got', expected '$want'"
		sed 's/^/  /' "$tmp/why"
		status=1
	elif [ "$(echo "$got" | cut -d' ' -f2)" -gt 0 ] &&
	     ! grep -q '^# .*: ' "$tmp/why" && ! grep -q '^not ok' "$tmp/log"; then
		echo "$what: a failure counted, and nothing says why"
		status=1
	fi
}

# expect "PASSED FAILED SKIPPED" WHAT LINE...: with no program list.
expect() {
	local want=$1 what=$2
	shift 2
	expect_job "$want" "$what" "" "$@"
}

# The job's program list: "N<TAB>COMMAND" lines.
job() {	# job NAME LINE...: writes the list, prints its file
	local file=$tmp/job-$1
	shift
	printf '%s\n' "$@" > "$file"
	echo "$file"
}

b='shmdemo-guest: begin /bin/prog'
e='shmdemo-guest: exit=0 /bin/prog'

expect "2 0 0" "a plan and every case passed" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' "$e"
expect "1 1 0" "exit 0 after a case, with no plan" \
	"$b" 'ok 1 - a' "$e"
expect "0 1 0" "exit 0 with no output at all" \
	"$b" "$e"
expect "0 1 0" "exit 2 with no plan" \
	"$b" '# usage: prog clear|check' 'shmdemo-guest: exit=2 /bin/prog'
expect "2 1 0" "exit 0 one case short of the plan" \
	"$b" 1..3 'ok 1 - a' 'ok 2 - b' "$e"
expect "1 2 0" "exit 0 two cases short of the plan" \
	"$b" 1..3 'ok 1 - a' "$e"
expect "2 1 0" "more cases than planned" \
	"$b" 1..1 'ok 1 - a' 'ok 2 - b' "$e"
expect "1 1 0" "exit 1 with no failing case" \
	"$b" 1..1 'ok 1 - a' 'shmdemo-guest: exit=1 /bin/prog'
expect "0 1 0" "a failing case is counted once" \
	"$b" 1..1 'not ok 1 - a' 'shmdemo-guest: exit=1 /bin/prog'
expect "1 1 0" "the guest stopped inside a program that had a plan" \
	"$b" 1..2 'ok 1 - a' '[   9.1] Kernel panic'
expect "0 1 0" "the guest stopped inside a program before its plan" \
	"$b" '[   9.1] Kernel panic'
expect "1 1 0" "a program with no exit marker before the next begins" \
	"$b" "$b" 1..1 'ok 1 - a' "$e"
expect "0 1 0" "a host program with no plan" \
	'shmdemo-host: begin host' 'shmdemo-host: exit=0 host'

# Test numbers run 1..N, each once.
expect "1 1 0" "a repeated test number under a plan of 2" \
	"$b" 1..2 'ok 1 - a' 'ok 1 - a' "$e"
expect "1 1 0" "a gap in the test numbers" \
	"$b" 1..2 'ok 1 - a' 'ok 3 - c' "$e"
expect "1 1 0" "a result without a test number inside a program" \
	"$b" 1..2 'ok 1 - a' 'ok - b' "$e"

# No programs: a log of init's own lines only proves nothing.
expect "2 1 0" "init's two checks and no program at all" \
	'ok - kernel log has no BUG, WARNING, Oops or Call Trace' \
	'ok - kernel taint is at most out-of-tree and unsigned' \
	'shmdemo-guest: end status=0'
expect "0 1 0" "an empty log" \
	''
expect "3 0 0" "init's own results, outside any program, beside one" \
	"$b" 1..1 'ok 1 - a' "$e" 1..5 'ok - kernel log has no BUG' 'ok - taint'

# Skips are skips, never passes.
expect "1 0 1" "ok # SKIP inside a program is a skipped case" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b # SKIP no COMPAT' "$e"
expect "1 0 1" "ok # skip, lower case, is a skip too" \
	"$b" 1..2 'ok 1 - a' 'ok 2 # skip no COMPAT' "$e"
expect "0 1 0" "not ok # SKIP is a failure" \
	"$b" 1..1 'not ok 1 - a # SKIP' 'shmdemo-guest: exit=1 /bin/prog'
expect "0 0 1" "a program whose plan 1..0 # SKIP skips it whole" \
	'shmdemo-guest: begin /bin/echo 1..0 # SKIP prog32: no COMPAT' \
	'1..0 # SKIP prog32: no COMPAT' \
	'shmdemo-guest: exit=0 /bin/echo 1..0 # SKIP prog32: no COMPAT'
expect "0 1 0" "a # SKIP comment inside a program is no plan" \
	'shmdemo-guest: begin /bin/echo # SKIP prog32: no COMPAT' \
	'# SKIP prog32: no COMPAT' \
	'shmdemo-guest: exit=0 /bin/echo # SKIP prog32: no COMPAT'
expect "0 1 0" "a plan of no case without a SKIP" \
	"$b" 1..0 "$e"
expect "0 1 0" "a skip-all plan, then a case" \
	"$b" '1..0 # SKIP why' 'ok 1 - a' "$e"
expect "2 0 1" "a # SKIP line outside any program" \
	"$b" 1..1 'ok 1 - a' "$e" '# SKIP lab: make test runs it' \
	'ok - kernel log has no BUG'
expect "0 0 1" "a log of one # SKIP line (a host check on arm64)" \
	'# SKIP README experiments: x86-64 outputs; make test runs them'

# The job's program list: every program, each with its case count.
two=$(job two "$(printf '2\t/bin/prog')" "$(printf '1\t/bin/other x')")
o='shmdemo-guest: begin /bin/other x'
oe='shmdemo-guest: exit=0 /bin/other x'
expect_job "3 0 0" "every program of the list, with its count" "$two" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' "$e" "$o" 1..1 'ok 1 - c' "$oe"
expect_job "3 1 0" "a program of the list never began" "$two" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' "$e" 'ok - kernel log has no BUG'
expect_job "3 2 0" "a program not in the list ran" "$two" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' "$e" 'shmdemo-guest: begin /bin/intruder' \
	1..1 'ok 1 - x' 'shmdemo-guest: exit=0 /bin/intruder'
expect_job "3 3 0" "a program of the list ran twice, and the other never" "$two" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' "$e" "$b" 1..1 'ok 1 - a' "$e"
expect_job "2 1 0" "a count mismatch: one case fewer planned than expected" "$two" \
	"$b" 1..1 'ok 1 - a' "$e" "$o" 1..1 'ok 1 - c' "$oe"
expect_job "4 1 0" "a count mismatch: one case more planned than expected" "$two" \
	"$b" 1..3 'ok 1 - a' 'ok 2 - b' 'ok 3 - b' "$e" "$o" 1..1 'ok 1 - c' "$oe"
expect_job "1 1 0" "a program whose count could not be read" \
	"$(job unknown "$(printf '?\t/bin/prog')")" "$b" 1..1 'ok 1 - a' "$e"
expect_job "2 2 0" "no programs: an empty list, and a log of init's checks" \
	"$tmp/none" 'ok - kernel log has no BUG' 'ok - taint'
expect_job "0 2 0" "no programs: an empty list, and an empty log" \
	"$tmp/none" ''
expect_job "0 3 0" "no programs: a missing list" \
	"$tmp/no-such-list" "$b" 1..0 "$e"
expect_job "0 0 1" "a program skipped whole is expected with 0 cases" \
	"$(job skipped "$(printf "0\t/bin/echo '1..0 # SKIP prog32: no COMPAT'")")" \
	"shmdemo-guest: begin /bin/echo '1..0 # SKIP prog32: no COMPAT'" \
	'1..0 # SKIP prog32: no COMPAT' \
	"shmdemo-guest: exit=0 /bin/echo '1..0 # SKIP prog32: no COMPAT'"

# count: the expected cases in the summary line; skips on their own.
summary=()
printf '%s\n' "$b" 1..2 'ok 1 - a' 'ok 2 - b # SKIP why' "$e" "$o" 1..1 \
	'ok 1 - c' "$oe" > "$tmp/log"
count "$tmp/log" lane "$two" 2> /dev/null
case ${summary[0]} in
*' 2 passed, 0 failed, 1 skipped (3 cases expected'*) ;;
*)	echo "count: summary '${summary[0]}'"; status=1 ;;
esac
[ "$passed $failed $skipped" = "2 0 1" ] ||
	{ echo "count: totals '$passed $failed $skipped', expected '2 0 1'"; status=1; }
exit "$status"
