#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run README.md's experiments as written: their commands go, with markers
# between them, into one piped `make shell` session, and the transcript is
# compared with the README (tests/readme/readme.pl). TAP on stdout, one line
# per experiment.
#
# Usage: tests/readme/run.sh [KERNEL]    (default: the first of tests/kernels)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

kernel=${1:-$(kernel_default)}
out=$SHMDEMO_TESTS/out
script=$out/readme-session.sh log=$out/readme-transcript-$kernel.log
mkdir -p "$out"
perl "$here/readme.pl" script "$SHMDEMO_TOP/README.md" > "$script"
status=0
make -s -C "$SHMDEMO_TOP" shell KERNEL="$kernel" < "$script" > "$log" 2>&1 ||
	status=$?
[ "$status" -eq 0 ] || say "make shell exited with status $status: see $log"
perl "$here/readme.pl" compare "$SHMDEMO_TOP/README.md" "$log" || status=1
say "README experiments: transcript in $log"
exit "$status"
