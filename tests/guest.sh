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

# Copy PROGRAM and the shared libraries it needs into the tree at STAGE.
install_program() {	# install_program STAGE PROGRAM DEST
	local stage=$1 prog=$2 dest=$3 lib
	cp "$prog" "$stage/$dest"
	for lib in $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage"
	done
}

# The programs each job needs in the guest, and the commands it runs there.
# The guest suite runs on Debian's kernels (test) and on the debug kernel.
suite_programs="user/user_demo tests/test_device tests/test_device32
	tests/test_user_demo tests/test_user_demo32 tests/test_lifecycle
	tests/test_lifecycle32 tests/guest/clients.sh /usr/bin/stress-ng"
suite_commands=(/bin/test_device /bin/test_device32 /bin/test_user_demo
	/bin/test_user_demo32 /bin/test_lifecycle /bin/test_lifecycle32
	"/bin/sh /bin/clients.sh")

job_programs() {
	case $job in
	run)	echo user/user_demo ;;
	test)	echo "$suite_programs" ;;
	bench)	echo user/user_demo tests/bench/bench tests/bench/seed_demo ;;
	debug)	echo "$suite_programs" tests/test_faults tests/test_kmemleak ;;
	esac
}

job_commands() {	# job_commands RELEASE
	local ko=/lib/modules/$1/extra/shmdemo.ko
	case $job in
	run)	printf '%s\n' "/bin/insmod $ko" /bin/user_demo "/bin/rmmod shmdemo" ;;
	test)	printf '%s\n' "${suite_commands[@]}" ;;
	bench)	bench_commands "$ko" ;;
	debug)	printf '%s\n' "/bin/test_kmemleak clear" "${suite_commands[@]}" \
			/bin/test_faults "/bin/test_kmemleak check" ;;
	esac
}

# The programs whose allocations fail on purpose: init's log check accepts
# the allocator's reports of their failures, and nobody else's.
job_alloc_failures() {
	case $job in
	debug)	echo test_faults ;;
	esac
}

# With 2 vCPUs every section; with 1 the handoff only.
bench_commands() {	# bench_commands MODULE
	echo "/bin/insmod $1 pages=65536"
	if [ "$smp" -eq 1 ]; then
		echo "/bin/bench handoff"
	else
		echo "/bin/bench map handoff fanout"
		echo "/bin/bench e2e /bin/user_demo /bin/seed_demo"
	fi
	echo "/bin/rmmod shmdemo"
}

# An uncompressed initramfs: TCG is slow at decompressing.
make_initramfs() {	# make_initramfs OUT_DIR RELEASE
	local out=$1 release=$2 stage=$1/initramfs prog applet
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,etc/shmdemo,proc,sys,tmp} \
		"$stage/lib/modules/$release/extra"
	cp /bin/busybox "$stage/bin/"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	rm -f "$stage/bin/init"
	cp "$SHMDEMO_TOP/tests/guest/init" "$stage/init"
	for prog in $(job_programs); do
		[ "${prog#/}" != "$prog" ] || prog=$SHMDEMO_TOP/$prog
		rm -f "$stage/bin/${prog##*/}"
		install_program "$stage" "$prog" "bin/${prog##*/}"
	done
	job_commands "$release" > "$stage/etc/shmdemo/job"
	job_alloc_failures > "$stage/etc/shmdemo/alloc-failures"
	cp "$out/kmod/shmdemo.ko" "$stage/lib/modules/$release/extra/"
	printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		> "$out/initramfs.cpio"
}

# KVM if /dev/kvm boots a kernel (it can exist and hang), else TCG.
# SHMDEMO_ACCEL=kvm|tcg overrides; the answer is kept per host kernel.
choose_accel() {	# choose_accel KERNEL_DIR
	local stamp=$SHMDEMO_CACHE/accel-$(uname -r) accel=tcg out
	case ${SHMDEMO_ACCEL:-auto} in
	kvm|tcg) echo "$SHMDEMO_ACCEL"; return ;;
	esac
	if [ -f "$stamp" ]; then
		cat "$stamp"
		return
	fi
	# With no init to run, the kernel panics and QEMU exits (-no-reboot).
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		out=$(timeout -k 2 10 qemu-system-x86_64 -nodefaults \
			-no-user-config -display none -no-reboot -M pc -accel kvm \
			-m 256M -serial stdio -kernel "$(kernel_image "$1")" \
			-append "console=ttyS0 panic=-1" < /dev/null 2>/dev/null) || true
		case $out in *'Kernel panic'*) accel=kvm ;; esac
	fi
	say "accelerator: $accel (kept in $stamp; SHMDEMO_ACCEL=kvm|tcg overrides)"
	mkdir -p "$SHMDEMO_CACHE" && echo "$accel" > "$stamp"
	echo "$accel"
}

# The uncompressed vmlinux boots faster (PVH entry, no decompressor), but
# KASAN breaks the PVH entry: the debug kernel comes as a bzImage.
kernel_image() {	# kernel_image KERNEL_DIR
	if [ -e "$1/bzImage" ]; then
		echo "$1/bzImage"
	else
		echo "$1/vmlinux"
	fi
}

# Fetch or build FLAVOUR's kernel; prints its cache directory.
kernel_dir() {	# kernel_dir FLAVOUR
	case $1 in
	debug)	"$here/debug-kernel.sh" ;;
	*)	"$here/kernel.sh" "$1" ;;
	esac
}

# Boot KERNEL_DIR with the initramfs in OUT_DIR; the console goes to LOG.
# KASAN, lockdep and kmemleak under TCG are slower and hungrier: on the
# debug kernel the guest gets 2 GiB, and TIMEOUT and the test programs'
# time limits (SHMDEMO_TIME_SCALE) are multiplied by 4.
boot() {	# boot KERNEL_DIR OUT_DIR LOG TIMEOUT
	local kdir=$1 out=$2 log=$3 limit=$4 accel=(-accel tcg) scale=1 mem=1G
	# Debian zeroes every allocation (init_on_alloc): turned off, the test
	# that the buffer starts zeroed shows the driver's zeroing, not Debian's.
	local cmdline=init_on_alloc=0
	if [ "$(choose_accel "$kdir")" = kvm ]; then
		accel=(-accel kvm -cpu host)
	fi
	case $(cat "$kdir/release") in
	*-shmdemo-debug) scale=4 mem=2G ;;
	esac
	cmdline+=" SHMDEMO_TIME_SCALE=$scale"
	timeout -k 5 $((limit * scale)) qemu-system-x86_64 -nodefaults \
		-no-user-config -display none -no-reboot -M pc "${accel[@]}" \
		-smp "$smp" -m "$mem" -serial stdio -kernel "$(kernel_image "$kdir")" \
		-initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 oops=panic $cmdline ${SHMDEMO_APPEND:-}" \
		< /dev/null | sed -u 's/\r$//' | tee "$log"
}

# Did the guest get to its end marker? Says why not.
guest_finished() {	# guest_finished LOG
	grep -q '^shmdemo-guest: end status=' "$1" && return 0
	if grep -q 'Kernel panic' "$1"; then
		say "the guest kernel panicked: see $1"
	else
		say "the guest stopped before its end marker (timeout or crash): see $1"
	fi
	return 1
}

# Show the guest session as a transcript; exit with user_demo's status.
do_run() {	# do_run KERNEL_DIR OUT_DIR
	local log=$2/console-run.log status
	boot "$1" "$2" "$log" 120 | awk '
		/^shmdemo-guest: begin / { sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
		/^shmdemo-guest: exit=0 / || /^shmdemo-guest: end / || /^ok / { next }
		/^shmdemo-guest: exit=/ { sub(/^shmdemo-guest: exit=/, ""); sub(/ .*/, ""); print "(exit status " $0 ")"; next }
		/^\[ *[0-9.]*\] reboot: / { next }
		{ print }' || true
	guest_finished "$log" || return 1
	status=$(sed -n 's|^shmdemo-guest: exit=\([0-9]*\) /bin/user_demo.*|\1|p' "$log")
	[ -n "$status" ] || return 1
	# A failed insmod or rmmod, or a kernel log check, fails the run too.
	if [ "$status" -eq 0 ] &&
	   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$log"; then
		return 1
	fi
	return "$status"
}

# Count a log's TAP results. A program that stopped before its plan was
# done, or failed without a failing case, counts as failures too: a crash
# must not pass for a short run.
tally() {	# tally LOG: prints "PASSED FAILED", and why for the hidden ones
	awk '
	function close_block() {
		if (!open)
			return
		missing = plan >= 0 ? plan - done : 0
		if (missing > 0) {
			bad += missing
			print "# " name ": " missing " of " plan " cases never reported" > "/dev/stderr"
		} else if (status != 0 && !failed_here) {
			bad++
			print "# " name ": exit status " status " with no failing case" > "/dev/stderr"
		}
		open = 0
	}
	/^shmdemo-(guest|host): begin / {
		name = $0; sub(/^[^:]*: begin /, "", name)
		open = 1; plan = -1; done = 0; failed_here = 0; next
	}
	/^shmdemo-(guest|host): exit=/ {
		status = $2; sub(/^exit=/, "", status); close_block(); next
	}
	open && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
	/^ok / { good++; done++; next }
	/^not ok / { bad++; done++; failed_here = 1; next }
	END { close_block(); print good + 0, bad + 0 }' "$1"
}

# Boot with 2 vCPUs, then 1; collect the figures, then the report.
do_bench() {	# do_bench KERNEL_DIR OUT_DIR RELEASE
	local out=$SHMDEMO_TOP/tests/bench/out log ok=0 smp
	mkdir -p "$out"
	bench_header "$1" "$3" > "$out/bench.csv"
	for smp in 2 1; do
		make_initramfs "$2" "$3"
		log=$2/console-bench-$smp.log
		say "# guest: Linux $3, $smp vCPU(s)"
		boot "$1" "$2" "$log" 1800 | awk '
			/^shmdemo-guest: begin / { sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
			/^shmdemo-guest: / || /^ok / || /^\[ *[0-9.]*\] reboot: / { next }
			/^# [a-z]+ [a-z_]+ [0-9]+:/ { next }	# the raw samples
			{ print }' >&2 || true
		if ! guest_finished "$log" ||
		   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$log"; then
			say "a measurement failed to run: see $log"
			ok=1
		fi
		grep '^bench,' "$log" | cut -d, -f2- >> "$out/bench.csv" || true
	done
	echo "# host load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" \
		>> "$out/bench.csv"
	"$SHMDEMO_TOP/tests/bench/report.sh" "$out/bench.csv" || ok=1
	return "$ok"
}

# What the figures were taken on, as CSV comment lines, and the column names.
bench_header() {	# bench_header KERNEL_DIR RELEASE
	echo "# guest: Linux $2, 1 GiB, $(choose_accel "$1")," \
		"$(qemu-system-x86_64 --version | head -1)"
	echo "# host: $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
		"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "section,case,param,vcpus,reps,median_us,min_us,max_us"
}

passed=0 failed=0
count() {	# count LOG NAME: add its results to the totals and the summary
	local p f
	read -r p f < <(tally "$1")
	passed=$((passed + p)) failed=$((failed + f))
	summary+=("$(printf '%-28s %4d passed, %d failed' "$2" "$p" "$f")")
}

if [ "$job" = bench ]; then
	"$here/deps.sh" gnuplot-nox
else
	"$here/deps.sh"
fi
make -s -C "$SHMDEMO_TOP" guest-progs >&2

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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
