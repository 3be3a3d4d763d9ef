# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/guest.sh: the guest's initramfs, the kernel it boots, and
# the QEMU command line. Uses job_programs, job_commands and
# job_alloc_failures from tests/jobs.sh, and $smp from the caller.

# Copy PROGRAM and the shared libraries it needs into the tree at STAGE.
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

# The programs each job needs in the guest, and the commands it runs there.
# An uncompressed initramfs: TCG is slow at decompressing.
make_initramfs() {	# make_initramfs OUT_DIR RELEASE
	local out=$1 release=$2 stage=$1/initramfs prog applet
	guest_arch=$(guest_arch "$out")
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,etc/shmdemo,proc,sys,tmp} \
		"$stage/lib/modules/$release/extra"
	install_program "$stage" /bin/busybox bin/busybox
	for applet in $("$stage/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	rm -f "$stage/bin/init"
	install_program "$stage" "$SHMDEMO_TOP/tests/guest/init" init
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
	arm64-*) "$here/arm64-kernel.sh" "$1" ;;
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
	if [ "$(guest_arch "$out")" = arm64 ]; then
		arm64_boot "$kdir" "$out" "$log" "$limit" \
			"$cmdline ${SHMDEMO_APPEND:-}"
		return
	fi
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
