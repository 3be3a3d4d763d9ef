# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: the guest's initramfs, the kernel it boots, and
# the QEMU command line. Uses the lane's job_programs, job_commands,
# job_alloc_failures, job_key and job_stage (tests/lib/jobs.sh, tests/lanes/),
# and $smp from the caller.

. "$(dirname "${BASH_SOURCE[0]}")/reports.sh"

# The guest's architecture (amd64, arm64: tests/arch/), the machine the
# module in OUT_DIR was built for.
guest_arch() {	# guest_arch OUT_DIR
	local machine arch_file arch var
	machine=$(od -An -tx1 -j18 -N1 "$1/kmod/shmdemo.ko" | tr -d ' ')
	for arch_file in "$SHMDEMO_TESTS"/arch/*.sh; do
		arch=${arch_file##*/} && arch=${arch%.sh} var=${arch}_elf_machine
		[ "${!var}" != "$machine" ] || { echo "$arch"; return; }
	done
	die "$1/kmod/shmdemo.ko is for ELF machine $machine, which no tests/arch/ file names"
}

# The file a guest of ARCH is given for PROG, a path of tests/programs or
# an absolute one: a script is its source, whatever the guest; a program is
# the architecture's.
guest_file() {	# guest_file ARCH PROG
	case $2 in
	/*)	"${1}_guest_file" "$2" ;;
	*.sh)	echo "$SHMDEMO_TOP/$2" ;;
	*)	"${1}_guest_file" "$2" ;;
	esac
}

# Copy PROGRAM (a file guest_file names) and the shared libraries it needs
# into the tree at STAGE, for a guest of $guest_arch.
install_program() {	# install_program STAGE PROGRAM DEST
	"${guest_arch}_install_program" "$@"
}

# The guest's initramfs for this job, built only when its inputs changed:
# the programs, the module, init, and the job's commands (their checksum is
# the key). An uncompressed initramfs: TCG is slow at decompressing.
# Sets $initramfs, the file boot() gives QEMU.
make_initramfs() {	# make_initramfs OUT_DIR RELEASE [KERNEL_DIR]
	local out=$1 release=$2 kdir=${3:-} stage=$1/initramfs-$job prog applet key
	local progs=() p
	initramfs=$out/initramfs-$job.cpio
	guest_arch=$(guest_arch "$out")
	# For tests/lanes/decode-oops.sh, which kernel this module was built for.
	[ -z "$kdir" ] || ln -sfn "$kdir" "$out/kernel"
	for prog in $(job_programs); do
		progs+=("$(guest_file "$guest_arch" "$prog")")
	done
	key=$({
		job_commands "$release"
		job_alloc_failures
		job_key "$kdir" "$release"
		# and the scripts that stage it.
		for p in "${progs[@]}" "$(guest_file "$guest_arch" /bin/busybox)" \
			 "$(guest_file "$guest_arch" tests/guest/init)" \
			 "$out/kmod/shmdemo.ko" "$SHMDEMO_TESTS"/{boot,tap}.sh \
			 "$SHMDEMO_TESTS/lanes/$job.sh"; do
			stat -L -c '%n %s %Y' "$p"
		done
	} | md5sum)
	if [ -e "$initramfs" ] && [ "$(cat "$initramfs.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -rf "$stage" "$initramfs.key"
	mkdir -p "$stage"/{bin,dev,etc/shmdemo,proc,sys,tmp} \
		"$stage/lib/modules/$release/extra"
	install_program "$stage" "$(guest_file "$guest_arch" /bin/busybox)" bin/busybox
	for applet in $("$stage/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	rm -f "$stage/bin/init"
	install_program "$stage" "$(guest_file "$guest_arch" tests/guest/init)" init
	for prog in "${progs[@]}"; do
		rm -f "$stage/bin/${prog##*/}"
		install_program "$stage" "$prog" "bin/${prog##*/}"
	done
	# The shell programs' TAP vocabulary.
	cp "$SHMDEMO_TESTS/lib/tap.sh" "$stage/bin/tap.sh"
	job_commands "$release" > "$stage/etc/shmdemo/job"
	job_alloc_failures > "$stage/etc/shmdemo/alloc-failures"
	cp "$out/kmod/shmdemo.ko" "$stage/lib/modules/$release/extra/"
	printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
	job_stage "$stage" "$kdir" "$release"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		> "$initramfs"
	rm -rf "$stage"
	echo "$key" > "$initramfs.key"
}

# kvm or tcg, for KERNEL_DIR's architecture.
accel() {	# accel KERNEL_DIR
	"$(cat "$1/arch")_accel" "$1"
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
	arch=$(cat "$kdir/arch") console=$(cat "$kdir/arch")_console
	scale=$(cat "$kdir/scale")
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
	"${arch}_qemu_command" "$kdir" "$(cat "$kdir/memory")" \
		"$cmdline $* SHMDEMO_TIME_SCALE=$scale ${SHMDEMO_APPEND:-}"
}

# Boot KERNEL_DIR with the job's initramfs in OUT_DIR; the console goes to LOG.
# TIMEOUT and the test programs' time limits (SHMDEMO_TIME_SCALE) are
# multiplied by the kernel's scale: KASAN, lockdep and kmemleak under TCG
# are slower, and so is an emulated arm64 (tests/kernels).
boot() {	# boot KERNEL_DIR OUT_DIR LOG TIMEOUT
	local initramfs=$2/initramfs-$job.cpio log=$3 limit=$4 qemu scale
	rm -f "$log"	# a stale log must not pass for this boot's
	qemu_command "$1"
	timeout -k 5 $((limit * scale)) "${qemu[@]}" -serial stdio \
		< /dev/null | sed -u 's/\r$//' | tee "$log"
}

# A kernel report with shmdemo frames in LOG, shown decoded to source
# lines (tests/lanes/decode-oops.sh). Not for the debug job, whose fault sweep
# makes allocation failure reports on purpose.
show_kernel_report() {	# show_kernel_report LOG
	local out=${1%/*} vmlinux=/dev/null
	[ "$job" != debug ] || return 0
	grep -qE 'BUG:|WARNING:|Oops|general protection' "$1" &&
		grep -q '\[shmdemo\]' "$1" || return 0
	[ ! -e "$out/kernel/vmlinux" ] || vmlinux=$out/kernel/vmlinux
	say "# the kernel's report, shmdemo's frames decoded:"
	"$SHMDEMO_TESTS/lanes/decode-oops.sh" "$1" "$out" "$vmlinux" >&2 || true
}

# Did the guest get to its end marker? Says why not. Whether it did or not,
# the host's scan of the console for kernel reports adds its TAP line to LOG
# (tests/lib/reports.sh).
guest_finished() {	# guest_finished LOG
	show_kernel_report "$1"
	# shellcheck disable=SC2046	# one word per program
	console_verdict "$1" $(job_alloc_failures) || true
	grep -q '^shmdemo-guest: end status=' "$1" && return 0
	if grep -q 'Kernel panic' "$1"; then
		say "the guest kernel panicked: see $1"
	else
		say "the guest stopped before its end marker (timeout or crash): see $1"
	fi
	return 1
}
