#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build shmdemo for a Debian kernel, boot that kernel in QEMU, and run a job
# there; the build machine's own kernel is never touched.
#
# Usage: tests/lanes/guest.sh run|shell|race|module|test|huge|bench|debug|gdb|grade|web [FLAVOUR...]
#   FLAVOUR: a row of tests/kernels; by default the host's architecture's
#            first test row (6.1 on amd64), and for debug its debug rows
#   run   load the module, run user_demo, show its output, exit with its
#         status; on each kernel in turn (SHMDEMO_PAGES, SHMDEMO_ARGS)
#   shell a shell in the guest on the terminal, or the lines of a piped stdin
#   race  seed_demo and user_demo SHMDEMO_RACE_RUNS times each, on each kernel
#   module  build the module for the kernel, for insmod from /src in a shell
#   test  the host cases, the guest suite on each kernel, then a kernel report
#         provoked on the first (tests/host/report-check.sh); the last line
#         is "N passed, N failed"
#   huge  the guest suite of test with the module loaded huge=1, on each kernel
#   bench the benchmarks on the first kernel, with 2 vCPUs and then 1; the
#         table, CSV and plot go to tests/bench/out/ (see tests/bench/report.sh)
#   debug on the debug kernels (by default both): the guest suite, the fault
#         sweep, a kmemleak scan, and a kernel log check; the last line as
#         for test
#   gdb   make debug: gdb attached to a debug kernel's guest, the module's
#         symbols loaded, user_demo in its shell (tests/lanes/gdb.sh)
#   grade a student's workspace of an exercise, graded by its checker
#         (SHMDEMO_EXERCISE, SHMDEMO_WORK; tests/lanes/grade.sh)
#   web   the web lab's static site, for one i386 kernel, into SHMDEMO_WEB
#         (tests/web/site.sh); nothing boots
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

job=${1:?usage: guest.sh run|shell|race|module|test|huge|bench|debug|gdb|grade|web [FLAVOUR...]}
shift
# Every flavour named must be a row of tests/kernels.
for flavour in "$@"; do
	kernel_known "$flavour"
done
case $job in
run|race|test|huge)	kernels=("${@:-$(kernel_default)}") ;;
shell|module|bench|grade)
		kernels=("${@:-$(kernel_default)}")
		[ ${#kernels[@]} -eq 1 ] ||
			die "make $job takes one KERNEL at a time, not '${kernels[*]}'" ;;
debug|gdb)	if [ $# -eq 0 ]; then
			set -- $(kernels_of debug amd64)
			[ "$job" != gdb ] || set -- "$1"
		fi
		kernels=("$@")
		[ "$job" != gdb ] || [ $# -eq 1 ] ||
			die "make debug takes one KERNEL at a time, not '${kernels[*]}'"
		for flavour in "${kernels[@]}"; do
			[ "$(kernel_field "$flavour" lane)" = debug ] ||
				die "the $job job runs on the debug kernels only ($(kernels_of debug amd64 | paste -sd' '))"
		done ;;
web)		kernels=("$@")
		[ ${#kernels[@]} -eq 1 ] && [ "$(kernel_field "$1" arch)" = i386 ] ||
			die "make web takes one i386 kernel (v86 emulates a 32-bit x86), not '${kernels[*]}'" ;;
*)		die "unknown job '$job' (use run, shell, race, module, test, huge, bench, debug, gdb, grade or web)" ;;
esac
smp=2	# the guest's vCPUs

. "$SHMDEMO_TESTS/lib/boot.sh"
. "$SHMDEMO_TESTS/lib/jobs.sh"
. "$here/$job.sh"
. "$SHMDEMO_TESTS/lib/tally.sh"
job_parameters
kernel_arg=${kernels[0]}

# The host packages this job uses (tests/fetch/deps.sh), and its programs
# (tests/Makefile): run, race and module build only theirs, with no 32-bit
# compiler; the others every one. A host that is not amd64 boots arm64
# guests only, whose programs are cross-compiled: it builds just what make
# test runs on the host itself.
case $job in
run|race|module|grade|web|gdb)
	need=run
	[ "$job" != web ] || need=web
	[ "$job" != gdb ] || need=debugger
	"$SHMDEMO_TESTS/fetch/deps.sh" "$need"
	progs=tests/guest/init
	for prog in $(job_programs); do
		case $prog in /*|*.sh) ;; *) progs+=" $prog" ;; esac
	done ;;
huge)	"$SHMDEMO_TESTS/fetch/deps.sh" test	# make test's suite
	progs= ;;
*)	"$SHMDEMO_TESTS/fetch/deps.sh" "$job"
	progs= ;;
esac
# The host's own build of the programs (an amd64 host's guests take it;
# another host builds only what make test runs on the host itself), then
# what each guest architecture needs beyond it (tests/arch/).
host_progs=$progs
[ "$SHMDEMO_HOST_ARCH" = amd64 ] || host_progs="user/user_demo tests/guest/test_user_demo"
programs_make make -s -C "$SHMDEMO_TOP/tests" ${host_progs:+PROGS="$host_progs"} >&2
prepared=" "
for flavour in "${kernels[@]}"; do
	arch=$(kernel_field "$flavour" arch)
	[[ $prepared == *" $arch "* ]] && continue
	"${arch}_prepare" "$progs"
	prepared+="$arch "
done

summary=()
# What the lane checks on the host before its guests boot (tests/lanes/).
job_before

# Prepare every kernel first: the guests then boot side by side.
kdirs=() outs=()
for flavour in "${kernels[@]}"; do
	kdir=$(kernel_dir "$flavour")
	kdirs+=("$kdir") outs+=("$(job_out "$(< "$kdir/release")")")
done
# The module and initramfs of each kernel, as many at once as there are CPUs.
for i in "${!kdirs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do
		wait -n || true
	done
	rm -f "${outs[i]}/prepared"
	{
		{ module_up_to_date "${kdirs[i]}" "${outs[i]}" ||
		  build_module "${kdirs[i]}" "${outs[i]}"; } &&
		{ [ "$job" = module ] ||
		  make_initramfs "${outs[i]}" "${outs[i]##*/}" "${kdirs[i]}"; } &&
		touch "${outs[i]}/prepared"
	} &
done
wait
for out in "${outs[@]}"; do
	[ -e "$out/prepared" ] || die "could not build the module or initramfs for ${out##*/}"
done

# A lane that shows its guest its own way (tests/lanes/JOB.sh: do_JOB),
# on each kernel in turn; test and debug are tallied below.
if [ "$(type -t "do_$job")" = function ]; then
	status=0
	for i in "${!kdirs[@]}"; do
		[ ${#kdirs[@]} -eq 1 ] || say "# guest: Linux ${outs[i]##*/}"
		"do_$job" "${kdirs[i]}" "${outs[i]}" || { s=$?; [ "$status" -ne 0 ] || status=$s; }
	done
	exit "$status"
fi

# One guest streams its console; several run side by side, as many at once
# as there are CPUs (SHMDEMO_JOBS), and are shown in turn.
accel "${kdirs[0]}" > /dev/null	# probe once, before any guest
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
		tap_unnumbered 1 "guest $release reached its end marker" >> "$log"
	fi
	# The job's programs and their case counts, as built (tests/lib/jobs.sh).
	job_expected "$out" "$release" > "$out/expected-$job.txt"
	count "$log" "$release" "$out/expected-$job.txt"
	say "console log: $log"
done

# And after them.
job_after

printf '%s\n' "${summary[@]}"
tally_summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
