#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check each litmus test of tests/litmus/ with herd7 (tests/litmus/herd.sh)
# against the verdict its header states, "Result: Never" or "Result:
# Sometimes". herd7's output for NAME.litmus goes to OUT_DIR/NAME.out.
# The handoff and its two controls are required by name, with their
# verdicts: a missing one, or one whose header says otherwise, fails. First,
# tests/litmus/code.sh checks that they model kmod/shmdemo.c's primitives.
# Prints nothing when every verdict is the stated one; otherwise what
# differs, and exits 1.
# Usage: tests/litmus/verdicts.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: verdicts.sh OUT_DIR}
mkdir -p "$out"
rm -f "$out"/*.out
status=0

# The real pattern must be Never; each control, one ordering taken away
# (the writer's, the reader's), must be reachable, or the check proves
# nothing.
required="shmdemo-handoff Never
shmdemo-handoff-relaxed Sometimes
shmdemo-handoff-plain-read Sometimes"
while read -r name want; do
	if [ ! -f "$here/$name.litmus" ]; then
		echo "$name.litmus is missing: it is required ($want)"
		status=1
	elif ! grep -qx " \* Result: $want" "$here/$name.litmus"; then
		echo "$name.litmus: its header must say 'Result: $want'"
		status=1
	fi
done <<< "$required"
"$here/code.sh" || status=1

for test in "$here"/*.litmus; do
	name=$(basename "$test" .litmus)
	want=$(sed -n 's/^ \* Result: \([A-Za-z]*\)$/\1/p' "$test")
	if [ -z "$want" ]; then
		echo "$name: no 'Result:' line in its header"
		status=1
		continue
	fi
	if ! "$here/herd.sh" "$test" > "$out/$name.out" 2>&1; then
		echo "$name: herd7 failed:"
		sed 's/^/  /' "$out/$name.out"
		status=1
		continue
	fi
	got=$(awk -v n="$name" '$1 == "Observation" && $2 == n { print $3 }' \
		"$out/$name.out")
	if [ "$got" != "$want" ]; then
		echo "$name: herd7 says '${got:-no verdict}', the test expects '$want':"
		sed 's/^/  /' "$out/$name.out"
		status=1
	fi
done
exit "$status"
