#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How much a repeat make run costs over booting the guest at all: REPS
# repeat runs of make run, of a piped make shell with one line, of make
# shell on a terminal (script(1)) up to its prompt, each resumed (the saved
# guest, tests/lib/resume.sh) and booted (SNAPSHOT=0), and of a bare boot
# of the same kernel with the same QEMU command line and an init that
# powers off at once, taken in turn; the medians and the ratios.
# Usage: tests/host/lab-speed.sh [FLAVOUR] [REPS]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
flavour=${1:-$(kernel_default)} reps=${2:-5} smp=2 job=bare
. "$SHMDEMO_TESTS/lib/boot.sh"

export SHMDEMO_JOBS=1
unset SHMDEMO_APPEND PAGES ARGS N SNAPSHOT
make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour" > /dev/null	# fill the caches
kdir=$(kernel_dir "$flavour" 2>/dev/null)
out=$SHMDEMO_TESTS/out/$(cat "$kdir/release")
printf '%s\n' 'insmod shmdemo.ko' | make -s -C "$SHMDEMO_TOP" shell KERNEL="$flavour" > /dev/null

# The bare guest: an init that powers off at once.
mkdir -p "$out/bare"
printf '#include <sys/reboot.h>\nint main(void) { reboot(RB_POWER_OFF); return 0; }\n' |
	gcc -O2 -static -x c -o "$out/bare/init" -
(cd "$out/bare" && echo init | cpio -o -H newc --quiet) > "$out/initramfs-bare.cpio"
initramfs=$out/initramfs-bare.cpio
qemu_command "$kdir"

now() { date +%s.%N; }
elapsed() {	# elapsed COMMAND...: seconds, to stdout
	local t0
	t0=$(now)
	"$@" > /dev/null 2>&1 || die "failed: $*"
	awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }'
}
# Each with SNAPSHOT (1: resumed, 0: booted).
run() { make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour" SNAPSHOT="$1"; }
shell() { echo 'insmod shmdemo.ko' | make -s -C "$SHMDEMO_TOP" shell KERNEL="$flavour" SNAPSHOT="$1"; }
bare() { "${qemu[@]}" -serial stdio < /dev/null; }
# make shell on a terminal: seconds until its prompt shows; then Ctrl-D.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
to_prompt() {	# to_prompt SNAPSHOT
	local t0 t pid n=0
	rm -f "$tmp/tty.log" "$tmp/in" && mkfifo "$tmp/in"
	t0=$(now)
	script -qfc "make -s -C $SHMDEMO_TOP shell KERNEL=$flavour SNAPSHOT=$1" "$tmp/tty.log" \
		< "$tmp/in" > /dev/null 2>&1 &
	pid=$!
	exec 3> "$tmp/in"
	until grep -q 'guest:/root# ' "$tmp/tty.log" 2> /dev/null; do
		sleep 0.02
		n=$((n + 1))
		[ "$n" -lt 15000 ] || die "make shell showed no prompt in 300 s"
	done
	t=$(now)
	printf '\004' >&3
	wait "$pid" || true
	exec 3>&-
	awk -v a="$t" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A t
median_of() { printf '%s\n' ${t[$1]} | median; }
for i in $(seq "$reps"); do
	for snap in 1 0; do
		t[run$snap]+=" $(elapsed run $snap)"
		t[shell$snap]+=" $(elapsed shell $snap)"
		t[prompt$snap]+=" $(to_prompt $snap)"
	done
	t[bare]+=" $(elapsed bare)"
	say "# run $i of $reps, resumed then booted: make run ${t[run1]##* } ${t[run0]##* } s," \
	    "piped make shell ${t[shell1]##* } ${t[shell0]##* } s, prompt ${t[prompt1]##* } ${t[prompt0]##* } s;" \
	    "bare boot ${t[bare]##* } s; load $(cut -d' ' -f1 /proc/loadavg)"
done
declare -A m
for k in run1 run0 shell1 shell0 prompt1 prompt0 bare; do
	m[$k]=$(median_of "$k")
done
echo "# Linux $(cat "$kdir/release"), $(accel "$kdir"), $reps runs each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '                            resumed    booted\n'
printf 'repeat make run:            median %6.2f s %6.2f s\n' "${m[run1]}" "${m[run0]}"
printf 'make shell, one piped line: median %6.2f s %6.2f s\n' "${m[shell1]}" "${m[shell0]}"
printf 'make shell, to its prompt:  median %6.2f s %6.2f s\n' "${m[prompt1]}" "${m[prompt0]}"
printf 'bare boot:                  median %6.2f s\n' "${m[bare]}"
ratio() {	# ratio NAME KEY
	awk -v n="$1" -v r="${m[${2}1]}" -v b="${m[${2}0]}" -v bare="${m[bare]}" \
		'BEGIN { printf "%-39s%.2f resumed, %.2f booted\n", "ratio " n " / bare boot:", r / bare, b / bare }'
}
ratio "make run" run
ratio "piped make shell" shell
ratio "make shell prompt" prompt
