# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/guest.sh: the guest's initramfs, the kernel it boots, and
# the QEMU command line. Uses job_programs, job_commands and
# job_alloc_failures from tests/jobs.sh, and $smp from the caller.

. "$(dirname "${BASH_SOURCE[0]}")/reports.sh"

# The file a guest of ARCH (x86_64, arm64) is given for PROG, a path of
# tests/programs or an absolute one: a script is its source; a program,
# tests/Makefile's build for that guest (the host's own, tests/out/host,
# for x86-64); an absolute path, the host's file (for arm64, the one of
# the bookworm root, tests/arm64.sh).
guest_file() {	# guest_file ARCH PROG
	case $1:$2 in
	arm64:/*)	echo "$ARM64_ROOT$2" ;;
	*:/*)		echo "$2" ;;
	*:*.sh)		echo "$SHMDEMO_TOP/$2" ;;
	arm64:*)	echo "$SHMDEMO_TOP/tests/out/arm64/$2" ;;
	*)		echo "$SHMDEMO_TOP/tests/out/host/$2" ;;
	esac
}

# Copy PROGRAM (a file guest_file names) and the shared libraries it needs
# into the tree at STAGE.
install_program() {	# install_program STAGE PROGRAM DEST
	local stage=$1 prog=$2 dest=$3 lib
	if [ "$guest_arch" = arm64 ]; then
		arm64_install_program "$@"
		return
	fi
	cp "$prog" "$stage/$dest"
	for lib in $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage"
	done
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
	# For tests/decode-oops.sh, which kernel this module was built for.
	[ -z "$kdir" ] || ln -sfn "$kdir" "$out/kernel"
	for prog in $(job_programs); do
		progs+=("$(guest_file "$guest_arch" "$prog")")
	done
	key=$({
		job_commands "$release"
		job_alloc_failures
		[ "$job" != shell ] || shell_key "$kdir" "$release"
		# and the scripts that stage it.
		for p in "${progs[@]}" "$(guest_file "$guest_arch" /bin/busybox)" \
			 "$(guest_file "$guest_arch" tests/guest/init)" \
			 "$out/kmod/shmdemo.ko" "$SHMDEMO_TOP"/tests/{boot,shell}.sh; do
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
	job_commands "$release" > "$stage/etc/shmdemo/job"
	job_alloc_failures > "$stage/etc/shmdemo/alloc-failures"
	cp "$out/kmod/shmdemo.ko" "$stage/lib/modules/$release/extra/"
	printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
	[ "$job" != shell ] || shell_stage "$stage" "$kdir" "$release"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		> "$initramfs"
	rm -rf "$stage"
	echo "$key" > "$initramfs.key"
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

# Fetch or build FLAVOUR's kernel, as its row of tests/kernels says; prints
# its cache directory.
kernel_dir() {	# kernel_dir FLAVOUR
	local lane arch
	kernel_known "$1"
	read -r lane arch < <(kernel_rows name="$1" -- lane arch)
	if [ "$lane" = debug ]; then
		"$here/debug-kernel.sh" "$1"
	elif [ "$arch" = arm64 ]; then
		"$here/arm64-kernel.sh" "$1"
	else
		"$here/kernel.sh" "$1"
	fi
}

# The QEMU command line for KERNEL_DIR and the initramfs $initramfs, with
# the console on the serial port, into the array qemu. The guest's memory
# and $scale, how much slower it runs, are its row's (tests/kernels).
qemu_command() {	# qemu_command KERNEL_DIR [KERNEL_ARG...]
	local kdir=$1 accel=(-accel tcg) mem
	shift
	scale=$(cat "$kdir/scale") mem=$(cat "$kdir/memory")
	# Debian zeroes every allocation (init_on_alloc): turned off, the test
	# that the buffer starts zeroed shows the driver's zeroing, not Debian's.
	# loglevel=5, not quiet: KERN_WARNING and KERN_DEFAULT lines reach the
	# console, so a WARN, UBSAN or lockdep report keeps its frames and Call
	# Trace there even if the guest never gets to init's log check.
	local cmdline="console=ttyS0 loglevel=5 panic=-1 oops=panic init_on_alloc=0"
	# A busy host slows TCG's timer until the IO-APIC check fails and the
	# kernel panics ("IO-APIC + timer doesn't work"): skip that check.
	cmdline+=" no_timer_check"
	if [ "$(cat "$kdir/arch")" = arm64 ]; then
		arm64_qemu_command "$kdir" "$mem" "${cmdline/ttyS0/ttyAMA0} $*"
		return
	fi
	if [ "$(choose_accel "$kdir")" = kvm ]; then
		accel=(-accel kvm -cpu host)
	fi
	qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none
		-no-reboot -M pc "${accel[@]}" -smp "$smp" -m "$mem"
		-kernel "$(kernel_image "$kdir")" -initrd "$initramfs"
		-append "$cmdline SHMDEMO_TIME_SCALE=$scale $* ${SHMDEMO_APPEND:-}")
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
# lines (tests/decode-oops.sh). Not for the debug job, whose fault sweep
# makes allocation failure reports on purpose.
show_kernel_report() {	# show_kernel_report LOG
	local out=${1%/*} vmlinux=/dev/null
	[ "$job" != debug ] || return 0
	grep -qE 'BUG:|WARNING:|Oops|general protection' "$1" &&
		grep -q '\[shmdemo\]' "$1" || return 0
	[ ! -e "$out/kernel/vmlinux" ] || vmlinux=$out/kernel/vmlinux
	say "# the kernel's report, shmdemo's frames decoded:"
	"$here/decode-oops.sh" "$1" "$out" "$vmlinux" >&2 || true
}

# Did the guest get to its end marker? Says why not. Whether it did or not,
# the host's scan of the console for kernel reports adds its TAP line to LOG
# (tests/reports.sh).
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

# Show the guest session as a transcript; exit with user_demo's status.
