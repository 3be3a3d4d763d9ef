# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh (and the host checks that boot a guest):
# the kernel a flavour boots and the QEMU that boots it, with the
# initramfs (tests/lib/initramfs.sh) and the verdict (tests/lib/verdict.sh).
# Uses $job and $smp from the caller.

. "${BASH_SOURCE[0]%/*}/initramfs.sh"
. "${BASH_SOURCE[0]%/*}/verdict.sh"
. "${BASH_SOURCE[0]%/*}/resume.sh"

# kvm or tcg, for KERNEL_DIR's architecture.
accel() {	# accel KERNEL_DIR
	"$(< "$1/arch")_accel" "$1"
}

# Fetch or build FLAVOUR's kernel, as its row of tests/kernels says; prints
# its cache directory.
kernel_dir() {	# kernel_dir FLAVOUR
	local lane arch
	kernel_known "$1"
	read -r lane arch < <(kernel_rows name="$1" -- lane arch)
	if [ "$lane" = debug ]; then
		"$SHMDEMO_TESTS/fetch/debug-kernel.sh" "$1"
	else
		"${arch}_fetch" "$1"
	fi
}

# The QEMU command line for KERNEL_DIR and the initramfs $initramfs, with
# the console on the serial port, into the array qemu (its architecture's,
# tests/arch/). The guest's memory and $scale, how much slower it runs, are
# its row's (tests/kernels).
qemu_command() {	# qemu_command KERNEL_DIR [KERNEL_ARG...]
	local kdir=$1 arch console
	shift
	arch=$(< "$kdir/arch") console=$(< "$kdir/arch")_console
	scale=$(< "$kdir/scale")
	# Debian zeroes every allocation (init_on_alloc): turned off, the test
	# that the buffer starts zeroed shows the driver's zeroing, not Debian's.
	# loglevel=5, not quiet: KERN_WARNING and KERN_DEFAULT lines reach the
	# console, so a WARN, UBSAN or lockdep report keeps its frames and Call
	# Trace there even if the guest never gets to init's log check.
	local cmdline="console=${!console} loglevel=5 panic=-1"
	cmdline+=" oops=panic init_on_alloc=0"
	# A busy host slows TCG's timer until the IO-APIC check fails and the
	# kernel panics ("IO-APIC + timer doesn't work"): skip that check.
	cmdline+=" no_timer_check"
	"${arch}_qemu_command" "$kdir" "$(< "$kdir/memory")" \
		"$cmdline $* SHMDEMO_TIME_SCALE=$scale ${SHMDEMO_APPEND:-}"
}

# Boot KERNEL_DIR with the job's initramfs in OUT_DIR; the console goes to LOG.
# TIMEOUT and the test programs' time limits (SHMDEMO_TIME_SCALE) are
# multiplied by the kernel's scale: KASAN, lockdep and kmemleak under TCG
# are slower, and so is an emulated arm64 (tests/kernels). A lane that
# defines job_resumes resumes the saved guest instead (tests/lib/resume.sh),
# unless it cannot.
boot() {	# boot KERNEL_DIR OUT_DIR LOG TIMEOUT
	local initramfs=$2/initramfs-$job.cpio log=$3 limit=$4 qemu scale status=0
	rm -f "$log"	# a stale log must not pass for this boot's
	if job_resumes; then
		saved_boot "$1" "$2" "$log" "$limit" 5 "initramfs-$job.job.cpio" || status=$?
		[ "$status" -eq 3 ] || return "$status"
	fi
	qemu_command "$1"
	timeout -k 5 $((limit * scale)) "${qemu[@]}" -serial stdio \
		< /dev/null | sed -u 's/\r$//' | tee "$log"
}
