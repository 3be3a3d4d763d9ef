#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How much a repeat make run costs over booting the guest at all: REPS
# repeat runs of make run, of a piped make shell with one line, of make
# shell on a terminal (script(1)) up to its prompt, and of a bare boot of
# the same kernel with the same QEMU command line and an init that powers
# off at once, taken in turn; the medians and the ratios.
# Usage: tests/host/lab-speed.sh [FLAVOUR] [REPS]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
flavour=${1:-$(kernel_default)} reps=${2:-5} smp=2 job=bare
. "$SHMDEMO_TESTS/lib/boot.sh"

export SHMDEMO_JOBS=1
unset SHMDEMO_APPEND PAGES ARGS N
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
run() { make -s -C "$SHMDEMO_TOP" run KERNEL="$flavour"; }
shell() { echo 'insmod shmdemo.ko' | make -s -C "$SHMDEMO_TOP" shell KERNEL="$flavour"; }
bare() { "${qemu[@]}" -serial stdio < /dev/null; }
# make shell on a terminal: seconds until its prompt shows; then Ctrl-D.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
to_prompt() {
	local t0 t pid n=0
	rm -f "$tmp/tty.log" "$tmp/in" && mkfifo "$tmp/in"
	t0=$(now)
	script -qfc "make -s -C $SHMDEMO_TOP shell KERNEL=$flavour" "$tmp/tty.log" \
		< "$tmp/in" > /dev/null 2>&1 &
	pid=$!
	exec 3> "$tmp/in"
	until grep -q 'guest:/root# ' "$tmp/tty.log" 2> /dev/null; do
		sleep 0.1
		n=$((n + 1))
		[ "$n" -lt 3000 ] || die "make shell showed no prompt in 300 s"
	done
	t=$(now)
	printf '\004' >&3
	wait "$pid" || true
	exec 3>&-
	awk -v a="$t" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

r=() s=() p=() b=()
for i in $(seq "$reps"); do
	r+=("$(elapsed run)")
	s+=("$(elapsed shell)")
	p+=("$(to_prompt)")
	b+=("$(elapsed bare)")
	say "# run $i of $reps: make run ${r[-1]} s, piped make shell ${s[-1]} s, prompt ${p[-1]} s, bare boot ${b[-1]} s"
done
mr=$(printf '%s\n' "${r[@]}" | median)
ms=$(printf '%s\n' "${s[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
mp=$(printf '%s\n' "${p[@]}" | median)
echo "# Linux $(cat "$kdir/release"), $(accel "$kdir"), $reps runs each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'repeat make run:            median %6.2f s\n' "$mr"
printf 'make shell, one piped line: median %6.2f s\n' "$ms"
printf 'make shell, to its prompt:  median %6.2f s\n' "$mp"
printf 'bare boot:                  median %6.2f s\n' "$mb"
awk -v r="$mr" -v s="$ms" -v p="$mp" -v b="$mb" 'BEGIN {
	printf "ratio make run / bare boot:            %.2f\n", r / b
	printf "ratio piped make shell / bare boot:    %.2f\n", s / b
	printf "ratio make shell prompt / bare boot:   %.2f\n", p / b }'
