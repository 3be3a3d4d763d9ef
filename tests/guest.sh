#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build shmdemo for a Debian kernel, boot that kernel in QEMU, and run a job
# there; the build machine's own kernel is never touched.
#
# Usage: tests/guest.sh run|test|debug [FLAVOUR...]
#   FLAVOUR: 6.1, 6.1-rt, 6.12 (Debian's), or debug (tests/debug-kernel.sh)
#   run   load the module, run user_demo, show its output, exit with its status
#   test  the host cases, then the guest suite on each kernel; the last line
#         is "N passed, N failed"
#   debug on the debug kernel: the guest suite, the fault sweep, a kmemleak
#         scan, and a kernel log check; the last line as for test
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

job=${1:?usage: guest.sh run|test|debug [FLAVOUR...]}
shift
case $job in
run|test)	kernels=("${@:-6.1}") ;;
debug)		kernels=("${@:-debug}")
		[ "${kernels[*]}" = debug ] || die "the debug job runs on the debug kernel only" ;;
*)		die "unknown job '$job' (use run, test or debug)" ;;
esac

# Build the module for one kernel, out of the source tree.
build_module() {	# build_module KERNEL_DIR OUT_DIR
	local kdir=$1 out=$2
	mkdir -p "$out"
	(cd "$SHMDEMO_TOP" && cp -a --parents Kbuild kmod/Kbuild kmod/*.c kmod/uapi "$out")
	make -s -C "$kdir/build" M="$out" W=1 modules 2>&1 >/dev/null |
		{ grep -v '^Skipping BTF generation' >&2 || true; }
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# Copy PROGRAM and the shared libraries it needs into the tree at STAGE.
install_program() {	# install_program STAGE PROGRAM DEST
	local stage=$1 prog=$2 dest=$3 lib
	cp "$prog" "$stage/$dest"
	for lib in $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage"
	done
}

# The programs each job needs in the guest, and the commands it runs there.
job_programs() {
	case $job in
	run)	echo user/user_demo ;;
	test)	echo user/user_demo tests/test_device tests/test_user_demo \
		     tests/test_lifecycle ;;
	debug)	echo user/user_demo tests/test_device tests/test_user_demo \
		     tests/test_lifecycle tests/test_faults tests/test_kmemleak ;;
	esac
}

job_commands() {	# job_commands RELEASE
	local ko=/lib/modules/$1/extra/shmdemo.ko
	case $job in
	run)	printf '%s\n' "/bin/insmod $ko" /bin/user_demo "/bin/rmmod shmdemo" ;;
	test)	printf '%s\n' /bin/test_device /bin/test_user_demo /bin/test_lifecycle ;;
	debug)	printf '%s\n' "/bin/test_kmemleak clear" /bin/test_device \
			/bin/test_user_demo /bin/test_lifecycle /bin/test_faults \
			"/bin/test_kmemleak check" ;;
	esac
}

# The programs whose allocations fail on purpose: init's log check accepts
# the allocator's reports of their failures, and nobody else's.
job_alloc_failures() {
	case $job in
	debug)	echo test_faults ;;
	esac
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
		rm -f "$stage/bin/${prog##*/}"
		install_program "$stage" "$SHMDEMO_TOP/$prog" "bin/${prog##*/}"
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

# The image QEMU boots: Debian's vmlinux (PVH), or the debug kernel's bzImage.
kernel_image() {	# kernel_image KERNEL_DIR
	if [ -e "$1/bzImage" ]; then
		echo "$1/bzImage"
	else
		echo "$1/vmlinux"
	fi
}

# KVM if /dev/kvm boots a kernel (it can exist and hang), else TCG.
# SHMDEMO_ACCEL=kvm|tcg overrides; the answer is kept per host kernel.
choose_accel() {	# choose_accel KERNEL_DIR
	local stamp=$SHMDEMO_CACHE/accel-$(uname -r) accel=tcg
	case ${SHMDEMO_ACCEL:-auto} in
	kvm|tcg) echo "$SHMDEMO_ACCEL"; return ;;
	esac
	if [ -f "$stamp" ]; then
		cat "$stamp"
		return
	fi
	# With no init to run, the kernel panics and QEMU exits (-no-reboot).
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
	   timeout -k 2 10 qemu-system-x86_64 -nodefaults -no-user-config \
		-display none -no-reboot -M pc -accel kvm -m 256M -serial stdio \
		-kernel "$(kernel_image "$1")" -append "console=ttyS0 panic=-1" \
		< /dev/null 2>/dev/null | grep -q 'Kernel panic'; then
		accel=kvm
	fi
	mkdir -p "$SHMDEMO_CACHE" && echo "$accel" > "$stamp"
	echo "$accel"
}

# Boot KERNEL_DIR with the initramfs in OUT_DIR; the console goes to LOG.
# The test programs' time limits are multiplied by $scale; the guest has
# $mem of memory.
boot() {	# boot KERNEL_DIR OUT_DIR LOG TIMEOUT
	local kdir=$1 out=$2 log=$3 limit=$4 accel=(-accel tcg)
	if [ "$(choose_accel "$kdir")" = kvm ]; then
		accel=(-accel kvm -cpu host)
	fi
	timeout -k 5 "$limit" qemu-system-x86_64 -nodefaults -no-user-config \
		-display none -no-reboot -M pc "${accel[@]}" -smp 2 -m "$mem" \
		-serial stdio -kernel "$(kernel_image "$kdir")" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 oops=panic shmdemo=$job SHMDEMO_TIME_SCALE=$scale" \
		< /dev/null | tr -d '\r' | tee "$log"
}

# Fetch or build FLAVOUR's kernel; prints its cache directory.
kernel_dir() {	# kernel_dir FLAVOUR
	case $1 in
	debug)	"$here/debug-kernel.sh" ;;
	*)	"$here/kernel.sh" "$1" ;;
	esac
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
	boot "$1" "$2" "$log" $((120 * scale)) | awk '
		/^shmdemo-guest: begin / { sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
		/^shmdemo-guest: exit=0 / || /^shmdemo-guest: end / || /^ok / { next }
		/^shmdemo-guest: exit=/ { sub(/^shmdemo-guest: exit=/, "(exit status "); sub(/ .*/, ")"); print; next }
		/^\[ *[0-9.]*\] reboot: / { next }
		{ print }'
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

passed=0 failed=0
count() {	# count LOG: add its TAP results to the totals
	local p f
	p=$(grep -c '^ok ' "$1" || true)
	f=$(grep -c '^not ok ' "$1" || true)
	passed=$((passed + p)) failed=$((failed + f))
	summary+=("$(printf '%-28s %4d passed, %d failed' "$2" "$p" "$f")")
}

"$here/deps.sh"
make -s -C "$SHMDEMO_TOP" guest-progs >&2

summary=()
if [ "$job" = test ]; then
	log=$SHMDEMO_TOP/tests/out/host-tests.log
	mkdir -p "${log%/*}"
	echo "# host: user_demo option parsing"
	USER_DEMO=$SHMDEMO_TOP/user/user_demo "$SHMDEMO_TOP/tests/test_user_demo" host |
		tee "$log" || true
	count "$log" host
fi

for flavour in "${kernels[@]}"; do
	kdir=$(kernel_dir "$flavour")
	# KASAN, lockdep and kmemleak under TCG: slower, and hungrier. The
	# debug job takes about 2 minutes there: 25 leave room, and CI's
	# 90 minutes room for the kernel build too.
	scale=1 mem=1G limit=900
	if [ "$flavour" = debug ]; then
		scale=4 mem=2G limit=1500
	fi
	release=$(cat "$kdir/release")
	out=$SHMDEMO_TOP/tests/out/$release
	build_module "$kdir" "$out"
	make_initramfs "$out" "$release"
	if [ "$job" = run ]; then
		do_run "$kdir" "$out"
		exit
	fi
	log=$out/console-$job.log
	echo "# guest: Linux $release"
	boot "$kdir" "$out" "$log" "$limit" || true
	if ! guest_finished "$log"; then
		echo "not ok - guest $release reached its end marker" >> "$log"
	fi
	count "$log" "$release"
	say "console log: $log"
done

printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
