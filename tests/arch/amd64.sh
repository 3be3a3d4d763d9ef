# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/lib.sh: an amd64 (x86-64) guest. Every file of
# tests/arch/ is named for its Debian architecture ARCH, the arch column of
# tests/kernels, and defines the same names for it:
#   ARCH_elf_machine          e_machine of its ELF programs, in hex
#   ARCH_console              the guest's serial console
#   ARCH_compat_option        the kernel option that runs 32-bit programs
#   ARCH_page_size CONFIG     the page size a kernel's configuration
#                             gives, as tests/kernels writes it (4k)
#   ARCH_prepare PROGS        what its guests need beyond the host's build
#                             of the programs (PROGS; empty: all of them)
#   ARCH_guest_file PROG      the file its guest is given for PROG, a
#                             program of tests/programs or an absolute path
#                             (a script is the same for every guest)
#   ARCH_install_program STAGE FILE DEST   FILE and its libraries, into the
#                             initramfs tree STAGE
#   ARCH_applets BUSYBOX      the applets of its busybox, one a line
#   ARCH_kbuild KERNEL_DIR OUT_DIR   the array kbuild: the command that
#                             runs make for the kernel's modules, its KDIR
#                             and flags, with OUT_DIR (M=) in its reach
#   ARCH_fetch FLAVOUR        fetch a Debian kernel of its; prints its cache
#                             directory (a debug kernel is built alike for
#                             every architecture, tests/fetch/debug-kernel.sh)
#   ARCH_accel KERNEL_DIR     kvm or tcg
#   ARCH_qemu_command KERNEL_DIR MEMORY CMDLINE   the array qemu, booting
#                             the kernel with $initramfs
# The callers pick the file by the kernel's arch (tests/lib/boot.sh).

amd64_elf_machine=3e
amd64_console=ttyS0
amd64_compat_option=CONFIG_IA32_EMULATION

amd64_page_size() {	# amd64_page_size CONFIG
	echo 4k
}

# The programs are the host's own build, tests/out/host: an amd64 host only.
amd64_prepare() {	# amd64_prepare PROGS
	[ "$SHMDEMO_HOST_ARCH" = amd64 ] && return 0
	die "Linux $flavour is an x86-64 guest, which this $SHMDEMO_HOST_ARCH host" \
	    "does not build for: use one of $(kernels_of test "$SHMDEMO_HOST_ARCH" | paste -sd' ')"
}

# A built program, the host's; an absolute path, the host's file.
amd64_guest_file() {	# amd64_guest_file PROG
	case $1 in
	/*)	echo "$1" ;;
	*)	echo "$SHMDEMO_TESTS/out/host/$1" ;;
	esac
}

# The libraries are the host's, which ldd lists.
amd64_install_program() {	# amd64_install_program STAGE FILE DEST
	local stage=$1 lib
	cp "$2" "$stage/$3"
	for lib in $(ldd "$2" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage"
	done
}

amd64_applets() {	# amd64_applets BUSYBOX
	"$1" --list
}

# kbuild runs in the build root of the kernel's compiler (tests/fetch/buildroot.sh).
# OUT_DIR is bound there by build_module (SHMDEMO_BUILDROOT_BIND).
amd64_kbuild() {	# amd64_kbuild KERNEL_DIR OUT_DIR
	kbuild=(in_buildroot "$1" make -C "$1/build")
}

amd64_fetch() {	# amd64_fetch FLAVOUR
	"$SHMDEMO_TESTS/fetch/kernel.sh" "$1"
}

# KVM if /dev/kvm boots a kernel (it can exist and hang), else TCG.
# SHMDEMO_ACCEL=kvm|tcg overrides; the answer is kept per host kernel.
amd64_accel() {	# amd64_accel KERNEL_DIR
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
			-m 256M -serial stdio -kernel "$(amd64_kernel_image "$1")" \
			-append "console=ttyS0 panic=-1" < /dev/null 2>/dev/null) || true
		case $out in *'Kernel panic'*) accel=kvm ;; esac
	fi
	say "accelerator: $accel (kept in $stamp; SHMDEMO_ACCEL=kvm|tcg overrides)"
	mkdir -p "$SHMDEMO_CACHE" && echo "$accel" > "$stamp"
	echo "$accel"
}

# The uncompressed vmlinux boots faster (PVH entry, no decompressor), but
# KASAN breaks the PVH entry: the debug kernel comes as a bzImage.
amd64_kernel_image() {	# amd64_kernel_image KERNEL_DIR
	if [ -e "$1/bzImage" ]; then
		echo "$1/bzImage"
	else
		echo "$1/vmlinux"
	fi
}

amd64_qemu_command() {	# amd64_qemu_command KERNEL_DIR MEMORY CMDLINE
	local accel=(-accel tcg)
	[ "$(amd64_accel "$1")" != kvm ] || accel=(-accel kvm -cpu host)
	qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none
		-no-reboot -M pc "${accel[@]}" -smp "$smp" -m "$2"
		-kernel "$(amd64_kernel_image "$1")" -initrd "$initramfs"
		-append "$3")
}
