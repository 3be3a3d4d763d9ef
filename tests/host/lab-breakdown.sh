#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the time of a repeat make run goes (issue 22): REPS runs, resumed
# and booted (SNAPSHOT=0), each under strace, which stamps every program
# started, the console's lines as the host's sed passes them on, and QEMU's
# exit; the median of each phase. strace costs some of it: the total is
# above an untraced run's.
# Usage: tests/host/lab-breakdown.sh [FLAVOUR] [REPS]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
flavour=${1:-$(kernel_default)} reps=${2:-3}
unset SHMDEMO_APPEND PAGES ARGS N SNAPSHOT
command -v strace > /dev/null || die "strace is not installed (apt-get install strace)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour" > /dev/null	# fill the caches

# The phases of one traced run, "NAME SECONDS" a line.
phases() {	# phases TRACE
	awk '
	function t() { return $2 + 0 }
	NR == 1 { start = t() }
	/execve\("[^"]*\/guest\.sh"/ && !lane { lane = t() }
	/execve\("[^"]*qemu-system-[^"]*"/ && !qemu { qemu = t() }
	/write\(1, "(shmdemo-guest|\[ *[0-9])/ && qemu && !first { first = t() }
	/write\(1, "shmdemo-guest: resumed/ { resumed = t() }
	/write\(1, "shmdemo-guest: begin \/bin\/insmod/ { insmod = t() }
	/write\(1, "shmdemo-guest: exit=[0-9]* \/bin\/insmod/ { insmod_end = t() }
	/write\(1, "shmdemo-guest: begin \/bin\/user_demo/ { demo = t() }
	/write\(1, "shmdemo-guest: exit=[0-9]* \/bin\/user_demo/ { demo_end = t() }
	/write\(1, "shmdemo-guest: exit=[0-9]* \/bin\/rmmod/ { rmmod_end = t() }
	/write\(1, "shmdemo-guest: end / { end = t() }
	# QEMU exits after the power-off: the last exit_group before make, the first process.
	/exit_group/ { last_exit = t() }
	/\+\+\+ exited with/ { if ($1 == pid1) done = t() }
	NR == 1 { pid1 = $1 }
	END {
		printf "host, before QEMU (make, the lane, build checks, initramfs, key) %.3f\n", qemu - start
		printf "host: make before the lane %.3f\n", lane - start
		printf "QEMU start to the guest'"'"'s first console line %.3f\n", first - qemu
		if (resumed)
			printf "QEMU start to the resumed guest'"'"'s answer %.3f\n", resumed - qemu
		printf "QEMU start to insmod (kernel boot or resume, init, job) %.3f\n", insmod - qemu
		printf "insmod (module load) %.3f\n", insmod_end - insmod
		printf "insmod done to user_demo started %.3f\n", demo - insmod_end
		printf "user_demo %.3f\n", demo_end - demo
		printf "user_demo done to rmmod done %.3f\n", rmmod_end - demo_end
		printf "init'"'"'s log checks %.3f\n", end - rmmod_end
		printf "end marker to make'"'"'s exit (power-off, QEMU exit, host) %.3f\n", done - end
		printf "total %.3f\n", done - start
	}' "$1"
}

declare -A all
for i in $(seq "$reps"); do
	for snap in 1 0; do
		strace -f -ttt -s 64 -e trace=execve,write,exit_group -o "$tmp/trace" \
			make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour" SNAPSHOT="$snap" > /dev/null 2>&1 ||
			die "make run SNAPSHOT=$snap failed under strace"
		phases "$tmp/trace" > "$tmp/phases-$snap-$i"
	done
	say "# run $i of $reps, load $(cut -d' ' -f1 /proc/loadavg)"
done
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "# make run KERNEL=$flavour under strace, $reps runs each, medians in seconds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-72s %8s %8s\n' phase resumed booted
while IFS= read -r name; do
	r=$(cat "$tmp"/phases-1-* | awk -v n="$name" '{ v = $NF; $NF = ""; sub(/ $/, "") } $0 == n { print v }' | median)
	b=$(cat "$tmp"/phases-0-* | awk -v n="$name" '{ v = $NF; $NF = ""; sub(/ $/, "") } $0 == n { print v }' | median)
	printf '%-72s %8s %8s\n' "$name" "${r:--}" "${b:--}"
done < <(cat "$tmp"/phases-1-1 "$tmp"/phases-0-1 | awk '{ $NF = ""; sub(/ $/, ""); if (!seen[$0]++) print }')
