#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the guide's experiments as written (the documents tests/readme/docs
# marks "experiments": course/guide.md): their commands go, with markers
# between them, into one piped `make shell` session per document, and the
# transcript is compared with the document (tests/readme/readme.pl). TAP
# on stdout, one line per experiment.
#
# Usage: tests/readme/run.sh [KERNEL]    (default: the first of tests/kernels)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

kernel=${1:-$(kernel_default)}
out=$SHMDEMO_TESTS/out
mkdir -p "$out"
status=0
for doc in $("$here/docs.sh" with experiments); do
	name=$(basename "$doc" .md)
	logs=()
	# One session on KERNEL, then one on each kernel an experiment names.
	for k in "" $(perl "$here/readme.pl" kernels "$SHMDEMO_TOP/$doc"); do
		script=$out/readme-session-$name${k:+-$k}.sh
		log=$out/readme-transcript-$name-${k:-$kernel}.log
		perl "$here/readme.pl" script "$SHMDEMO_TOP/$doc" $k > "$script"
		shell_status=0
		make -s -C "$SHMDEMO_TOP" shell KERNEL="${k:-$kernel}" < "$script" > "$log" 2>&1 ||
			shell_status=$?
		[ "$shell_status" -eq 0 ] || { say "make shell exited with status $shell_status: see $log"; status=1; }
		logs+=("$log")
	done
	(cd "$SHMDEMO_TOP" && perl "$here/readme.pl" compare "$doc" "${logs[@]}") || status=1
	say "$doc's experiments: transcripts in ${logs[*]}"
done
exit "$status"
