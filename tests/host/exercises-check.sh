#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the graded exercises (course/exercises/) are in step with the
# tree. For each one: its solution.patch applies to kmod/shmdemo.c and the
# header with no fuzz, and its TODO markers pair up (both workspaces are
# made); its TODOs are numbered 1 to Y; its checker names cases "TODO 1:"
# to "TODO Y:", in order; the checker and the workspace's programs build
# with -Werror against both workspaces' headers; and both workspaces'
# modules build with W=1, without a warning, for FLAVOUR (the default
# kernel). Prints nothing when all hold; otherwise what does not.
# Usage: tests/host/exercises-check.sh [FLAVOUR]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

workspace=$SHMDEMO_TOP/course/exercises/workspace.sh
kdir=$("$SHMDEMO_TESTS/fetch/kernel.sh" "${1:-$(kernel_default)}" 2> /dev/null) ||
	die "no kernel ${1:-$(kernel_default)}: tests/fetch/kernel.sh ${1:-$(kernel_default)} says why"
tmp=$SHMDEMO_TESTS/out/exercises-check
rm -rf "$tmp"
mkdir -p "$tmp"
exercises=$("$workspace" list)
[ -n "$exercises" ] || echo "course/exercises: no exercise with a solution.patch"

for n in $exercises; do
	dir=$("$workspace" dir "$n")
	y=$("$workspace" todos "$n" | wc -l)
	[ "$("$workspace" todos "$n" | cut -f1 | paste -sd' ')" = "$(seq -s' ' 1 "$y")" ] ||
		echo "exercise $n: its TODOs are not numbered 1 to $y, each once: $("$workspace" todos "$n" | cut -f1 | paste -sd' ')"
	[ "$(grep -o '"TODO [0-9]*: ' "$dir/check.c" | tr -dc '0-9\n' | paste -sd' ')" = "$(seq -s' ' 1 "$y")" ] ||
		echo "exercise $n: check.c does not name its cases TODO 1 to TODO $y, in order"
	for end in skeleton solution; do
		ws=$tmp/$n-$end
		"$workspace" new "$n" "$ws" $([ "$end" = skeleton ] || echo solved) || continue
		gcc -I"$ws/kmod/uapi" -I"$SHMDEMO_TESTS/guest" -Wall -Wextra -Werror -O2 \
			-o "$ws/check" "$dir/check.c" "$SHMDEMO_TESTS"/guest/{harness,device}.c ||
			echo "exercise $n: check.c does not build against the $end's header"
		for f in "$ws"/user/*.c; do
			[ -e "$f" ] || continue
			gcc -I"$ws/kmod/uapi" -Wall -Wextra -Werror -O2 -o "${f%.c}" "$f" ||
				echo "exercise $n: the $end's ${f#"$ws"/} does not build"
		done
		SHMDEMO_MODULE_SRC=$ws build_module "$kdir" "$ws/out" 2>&1 ||
			echo "exercise $n: the $end's module does not build for $(cat "$kdir/release")"
	done
done
