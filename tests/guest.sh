#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build shmdemo for a Debian kernel, boot that kernel in QEMU, and run a job
# there; the build machine's own kernel is never touched.
#
# Usage: tests/guest.sh run|test|bench|debug [FLAVOUR...]
#   FLAVOUR: 6.1, 6.1-rt, 6.12 (Debian's), or debug (tests/debug-kernel.sh)
#   run   load the module, run user_demo, show its output, exit with its status
#   test  the host cases, then the guest suite on each kernel; the last line
#         is "N passed, N failed"
#   bench the benchmarks on the first kernel, with 2 vCPUs and then 1; the
#         table, CSV and plot go to tests/bench/out/ (see tests/bench/report.sh)
#   debug on the debug kernel: the guest suite, the fault sweep, a kmemleak
#         scan, and a kernel log check; the last line as for test
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

job=${1:?usage: guest.sh run|test|bench|debug [FLAVOUR...]}
shift
case $job in
run|test|bench)	kernels=("${@:-6.1}") ;;
debug)		kernels=("${@:-debug}")
		[ "${kernels[*]}" = debug ] || die "the debug job runs on the debug kernel only" ;;
*)		die "unknown job '$job' (use run, test, bench or debug)" ;;
esac
smp=2	# the guest's vCPUs

. "$here/boot.sh"
. "$here/jobs.sh"
. "$here/tally.sh"

if [ "$job" = bench ]; then
	"$here/deps.sh" gnuplot-nox
else
	"$here/deps.sh"
fi
make -s -C "$SHMDEMO_TOP" guest-progs >&2
# arm64 guests: cross-compiled programs, and bookworm's arm64 busybox.
case " ${kernels[*]}" in
*" arm64-"*)
	"$here/deps.sh" qemu-system-arm qemu-user-static debootstrap
	ARM64_ROOT=$("$here/arm64-root.sh" bookworm)
	arm64_programs ;;
esac

summary=()
if [ "$job" = test ]; then
	log=$SHMDEMO_TOP/tests/out/host-tests.log
	mkdir -p "${log%/*}"
	echo "# host: user_demo option parsing"
	{
		echo "shmdemo-host: begin test_user_demo host"
		status=0
		USER_DEMO=$SHMDEMO_TOP/user/user_demo \
			"$SHMDEMO_TOP/tests/test_user_demo" host || status=$?
		echo "shmdemo-host: exit=$status test_user_demo host"
	} | tee "$log"
	count "$log" host
fi

# Prepare every kernel first: the guests then boot side by side.
kdirs=() outs=()
for flavour in "${kernels[@]}"; do
	kdir=$(kernel_dir "$flavour")
	release=$(cat "$kdir/release")
	out=$SHMDEMO_TOP/tests/out/$release
	build_module "$kdir" "$out"
	make_initramfs "$out" "$release"
	kdirs+=("$kdir") outs+=("$out")
done

if [ "$job" = run ]; then
	do_run "${kdirs[0]}" "${outs[0]}"
	exit
fi
if [ "$job" = bench ]; then
	do_bench "${kdirs[0]}" "${outs[0]}" "$(cat "${kdirs[0]}/release")"
	exit
fi

# One guest streams its console; several run side by side, as many at once
# as there are CPUs (SHMDEMO_JOBS), and are shown in turn.
choose_accel "${kdirs[0]}" > /dev/null	# probe once, before any guest
jobs_max=${SHMDEMO_JOBS:-$(nproc)}
for i in "${!kdirs[@]}"; do
	if [ ${#kdirs[@]} -eq 1 ]; then
		boot "${kdirs[i]}" "${outs[i]}" "${outs[i]}/console-$job.log" 300 || true
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	boot "${kdirs[i]}" "${outs[i]}" "${outs[i]}/console-$job.log" 300 \
		> /dev/null &
done
wait

for out in "${outs[@]}"; do
	release=${out##*/} log=$out/console-$job.log
	[ ${#kdirs[@]} -eq 1 ] || { echo "# guest: Linux $release"; cat "$log"; }
	if ! guest_finished "$log"; then
		echo "not ok - guest $release reached its end marker" >> "$log"
	fi
	count "$log" "$release"
	say "console log: $log"
done

printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
