#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The TAP tally of tests/tally.sh against crafted guest logs: one case per
# way a program can hide a failure. Prints nothing when every case counts
# right; otherwise one line per miscount. Run by make check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tally.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# expect "PASSED FAILED" WHAT LINE...: the tally of a log of LINEs.
expect() {
	local want=$1 what=$2 got
	shift 2
	printf '%s\n' "$@" > "$tmp/log"
	got=$(tally "$tmp/log" 2> "$tmp/why")
	if [ "$got" != "$want" ]; then
		echo "$what: counted '$got', expected '$want'"
		sed 's/^/  /' "$tmp/why"
		status=1
	fi
}

b='shmdemo-guest: begin /bin/prog'

expect "2 0" "a plan and every case passed" \
	"$b" 1..2 'ok 1 - a' 'ok 2 - b' 'shmdemo-guest: exit=0 /bin/prog'
expect "1 1" "exit 0 after a case, with no plan" \
	"$b" 'ok 1 - a' 'shmdemo-guest: exit=0 /bin/prog'
expect "0 1" "exit 0 with no output at all" \
	"$b" 'shmdemo-guest: exit=0 /bin/prog'
expect "0 1" "exit 2 with no plan" \
	"$b" '# usage: prog clear|check' 'shmdemo-guest: exit=2 /bin/prog'
expect "2 1" "exit 0 one case short of the plan" \
	"$b" 1..3 'ok 1 - a' 'ok 2 - b' 'shmdemo-guest: exit=0 /bin/prog'
expect "1 2" "exit 0 two cases short of the plan" \
	"$b" 1..3 'ok 1 - a' 'shmdemo-guest: exit=0 /bin/prog'
expect "2 1" "more cases than planned" \
	"$b" 1..1 'ok 1 - a' 'ok 2 - b' 'shmdemo-guest: exit=0 /bin/prog'
expect "1 1" "exit 1 with no failing case" \
	"$b" 1..1 'ok 1 - a' 'shmdemo-guest: exit=1 /bin/prog'
expect "0 1" "a failing case is counted once" \
	"$b" 1..1 'not ok 1 - a' 'shmdemo-guest: exit=1 /bin/prog'
expect "1 1" "the guest stopped inside a program that had a plan" \
	"$b" 1..2 'ok 1 - a' '[   9.1] Kernel panic'
expect "0 1" "the guest stopped inside a program before its plan" \
	"$b" '[   9.1] Kernel panic'
expect "1 1" "a program with no exit marker before the next begins" \
	"$b" "$b" 1..1 'ok 1 - a' 'shmdemo-guest: exit=0 /bin/prog'
expect "1 0" "init's own results, outside any program" \
	1..5 'ok - kernel log has no BUG'
expect "0 1" "a host program with no plan" \
	'shmdemo-host: begin host' 'shmdemo-host: exit=0 host'
exit "$status"
