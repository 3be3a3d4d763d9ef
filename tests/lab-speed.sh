#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How much a repeat make run costs over booting the guest at all: REPS
# repeat runs of make run, of a piped make shell with one line, and of a
# bare boot of the same kernel with the same QEMU command line and an init
# that powers off at once, taken in turn; the medians and the ratios.
# Usage: tests/lab-speed.sh [FLAVOUR] [REPS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
flavour=${1:-6.1} reps=${2:-5} smp=2 job=bare
. "$here/boot.sh"

export SHMDEMO_JOBS=1
unset SHMDEMO_APPEND PAGES ARGS N
make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour" > /dev/null	# fill the caches
kdir=$("$here/kernel.sh" "$flavour" 2>/dev/null)
out=$SHMDEMO_TOP/tests/out/$(cat "$kdir/release")
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
run() { make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour"; }
shell() { echo 'insmod shmdemo.ko' | make -s -C "$SHMDEMO_TOP" shell KERNEL="$flavour"; }
bare() { "${qemu[@]}" -serial stdio < /dev/null; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

r=() s=() b=()
for i in $(seq "$reps"); do
	r+=("$(elapsed run)")
	s+=("$(elapsed shell)")
	b+=("$(elapsed bare)")
	say "# run $i of $reps: make run ${r[-1]} s, make shell ${s[-1]} s, bare boot ${b[-1]} s"
done
mr=$(printf '%s\n' "${r[@]}" | median)
ms=$(printf '%s\n' "${s[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
echo "# Linux $(cat "$kdir/release"), $(choose_accel "$kdir"), $reps runs each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'repeat make run:            median %6.2f s\n' "$mr"
printf 'make shell, one piped line: median %6.2f s\n' "$ms"
printf 'bare boot:                  median %6.2f s\n' "$mb"
awk -v r="$mr" -v s="$ms" -v b="$mb" 'BEGIN {
	printf "ratio make run / bare boot:   %.2f\n", r / b
	printf "ratio make shell / bare boot: %.2f\n", s / b }'
