#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The web lab's boot time: make web's site (SHMDEMO_WEB) booted N times in
# headless chromium and N times in Node, one boot at a time, each to its
# prompt, then insmod and "time ./user_demo"; prints each figure, the medians, and
# the host's load average (figures under load are not comparable).
# user_demo's time is busybox time's "real" in the guest, and the round
# trip from typing its line to the next prompt.
# Usage: tests/web/boot-time.sh [N]     (3 by default)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

n=${1:-3}
web=${SHMDEMO_WEB:?make sets SHMDEMO_WEB; or SHMDEMO_WEB=tests/out/web}
[ -e "$web/boot.json" ] || die "no site in $web: run make web first"
"$SHMDEMO_TESTS/fetch/deps.sh" test-web
out=$SHMDEMO_TESTS/out/web-time
mkdir -p "$out"
export SHMDEMO_V86_MODULE
SHMDEMO_V86_MODULE=$("$SHMDEMO_TESTS/web/npm.sh" v86)/build/libv86.mjs

median() {	# median FIGURE...
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for driver in chromium node; do
	prompts=() demos=() reals=()
	for i in $(seq "$n"); do
		case $driver in
		chromium) run=(/usr/bin/python3 "$SHMDEMO_TESTS/web/chromium.py") ;;
		node)	run=(node "$SHMDEMO_TESTS/web/node.mjs") ;;
		esac
		"${run[@]}" "$web" "$out/$driver-$i.raw" 300 "insmod shmdemo.ko" \
			"time ./user_demo" > "$out/$driver-$i.times" ||
			die "$driver boot $i failed: see $out/$driver-$i.raw"
		prompts+=("$(sed -n 's/^# time prompt //p' "$out/$driver-$i.times")")
		demos+=("$(sed -n 's|^# time \([0-9.]*\) time ./user_demo$|\1|p' "$out/$driver-$i.times")")
		# busybox: "real	0m 0.05s"
		reals+=("$(tr -d '\r' < "$out/$driver-$i.raw" | sed -n 's/^real[[:space:]]*0m \([0-9.]*\)s$/\1/p')")
		echo "$driver $i: prompt after ${prompts[-1]} s; user_demo ${reals[-1]} s in the guest, ${demos[-1]} s from its line to the next prompt (load $(cut -d' ' -f1 /proc/loadavg))"
	done
	echo "$driver: median of $n: prompt $(median "${prompts[@]}") s; user_demo $(median "${reals[@]}") s in the guest, $(median "${demos[@]}") s to the next prompt"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# site: $(du -sb "$web" | cut -f1) bytes"
