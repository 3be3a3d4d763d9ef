#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness's skip_case() on the host (tests/host/test_harness.c): a skip
# prints "ok N - name # SKIP why", which tests/lib/tally.sh counts as skipped;
# a skip without a reason is "not ok", and the program fails. Prints
# nothing when all is as it must be. Run by make check.
set -euo pipefail
tests=$(cd "$(dirname "$0")/.." && pwd)
. "$tests/lib/tally.sh"

out=$tests/out/harness-check
mkdir -p "$out"
gcc -I"$tests/../kmod/uapi" -I"$tests/guest" -Wall -Wextra -Werror -O2 -o "$out/test_harness" \
	"$tests/host/test_harness.c" "$tests/guest/harness.c"

status=0
{
	echo 'shmdemo-host: begin test_harness'
	"$out/test_harness" || status=$?
	echo "shmdemo-host: exit=$status test_harness"
} > "$out/log"
want='shmdemo-host: begin test_harness
1..3
ok 1 - a case that passes
ok 2 - a case that skips with a reason # SKIP no device here
# the case skipped without saying why
not ok 3 - a case that skips without one
shmdemo-host: exit=1 test_harness'
if [ "$(cat "$out/log")" != "$want" ]; then
	echo "test_harness printed:"
	sed 's/^/  /' "$out/log"
	echo "where it must print:"
	printf '%s\n' "$want" | sed 's/^/  /'
	exit 1
fi
got=$(tally "$out/log" | cut -d' ' -f1-3)
[ "$got" = "1 1 1" ] ||
	{ echo "tally of test_harness: '$got', expected '1 1 1' (passed failed skipped)"; exit 1; }
