# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/lib.sh: an i386 (x86 32-bit) guest, Debian's 686
# kernel, behind the names every file of tests/arch/ defines
# (tests/arch/amd64.sh lists them). It is the kernel the web lab boots
# (course/web/). The kernel and its headers come through the private apt
# with i386 as its architecture, with amd64's kbuild tools
# (tests/fetch/kernel.sh); the module is built by the kernel's gcc-12 in
# the bookworm build root (the 686 headers add -m32). An amd64 host cannot
# run i386 programs: the guest programs are cross-compiled
# (tests/Makefile, CROSS_COMPILE=i686-linux-gnu-) in the bookworm build
# root with i386 as its second architecture (tests/fetch/buildroot.sh
# bookworm-i386), which has libkmod, busybox and stress-ng for i386 too.
# The suite's *32 twins run natively there.

i386_elf_machine=03
i386_console=ttyS0
# Always set: i386's *32 twins (tests/Makefile) are native programs too,
# static and with a 64-bit off_t, run beside the dynamic ones.
i386_compat_option=CONFIG_X86_32

i386_page_size() {	# i386_page_size CONFIG
	echo 4k
}

i386_root() {
	"$SHMDEMO_TESTS/fetch/buildroot.sh" bookworm-i386
}

i386_prepare() {	# i386_prepare PROGS
	[ "$SHMDEMO_HOST_ARCH" = amd64 ] ||
		die "Linux $flavour is an i386 guest, built on an amd64 host only"
	"$SHMDEMO_TESTS/fetch/deps.sh" i386
	I386_ROOT=$(i386_root)
	# What the build reads and writes, staged where nothing can be
	# mounted (tests/lib/chroot.sh).
	mkdir -p "$SHMDEMO_TESTS/out/i386"
	SHMDEMO_BUILDROOT_READ=$SHMDEMO_TOP SHMDEMO_BUILDROOT_BIND=$SHMDEMO_TESTS/out/i386 \
		programs_make "$SHMDEMO_TESTS/fetch/buildroot.sh" bookworm-i386 run \
		make -s -C "$SHMDEMO_TOP/tests" CROSS_COMPILE=i686-linux-gnu- \
		${1:+PROGS="$1"} \
		2>&1 | { grep -v 'statically linked applications' >&2 || true; }
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# A built program, the cross-compiled one; an absolute path, the root's file.
i386_guest_file() {	# i386_guest_file PROG
	case $1 in
	/*)	echo "${I386_ROOT:-$(i386_root)}$1" ;;
	*)	echo "$SHMDEMO_TESTS/out/i386/$1" ;;
	esac
}

# The libraries: the ELF's NEEDED entries, found in the root's i386
# library directories, and theirs in turn (nothing of i386 runs here).
i386_install_program() {	# i386_install_program STAGE PROGRAM DEST
	local stage=$1 root=${I386_ROOT:-$(i386_root)} todo=("$2") lib dir need
	cp "$2" "$stage/$3"
	grep -q ELF <<< "$(head -c 4 "$2")" || return 0	# a script
	while [ ${#todo[@]} -gt 0 ]; do
		for need in $(readelf -dW "${todo[0]}" |
				sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			for dir in /lib/i386-linux-gnu /usr/lib/i386-linux-gnu /lib; do
				lib=$dir/$need
				[ -e "$root$lib" ] || continue
				[ -e "$stage$lib" ] || {
					(cd "$root" && cp -L --parents ".$lib" "$stage")
					todo+=("$root$lib")
				}
				break
			done
		done
		todo=("${todo[@]:1}")
	done
	# The dynamic loader the programs name: a link, as in the root, to
	# the file NEEDED brought in.
	lib=$(readelf -lW "$2" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
	[ -z "$lib" ] || [ -e "$stage$lib" ] || (cd "$root" && cp -P --parents ".$lib" "$stage")
}

# This host's kernel runs no i386 program: qemu-user's static i386
# emulator runs the (static) busybox, with no binfmt_misc registration.
# Its name: qemu-i386-static (Debian 12; a link to qemu-user's from 13),
# qemu-i386 (Debian 13's qemu-user, static itself).
i386_applets() {	# i386_applets BUSYBOX
	local qemu=qemu-i386-static
	command -v "$qemu" > /dev/null || qemu=qemu-i386
	"$qemu" "$1" --list
}

# kbuild runs in the bookworm build root, as for amd64's 6.1: the 686
# headers' Makefile adds -m32.
i386_kbuild() {	# i386_kbuild KERNEL_DIR OUT_DIR
	kbuild=(in_buildroot "$1" make -C "$1/build")
}

i386_fetch() {	# i386_fetch FLAVOUR
	"$SHMDEMO_TESTS/fetch/kernel.sh" "$1"
}

i386_accel() {	# i386_accel KERNEL_DIR
	echo tcg
}

# The bzImage: a 32-bit vmlinux has no PVH entry in Debian's 686 build.
# vmalloc=384M: a 32-bit kernel's vmalloc area is about 120 MiB by
# default, less than the module's largest buffer (256 MiB, pages=65536,
# tests/guest/test_lifecycle.c).
i386_qemu_command() {	# i386_qemu_command KERNEL_DIR MEMORY CMDLINE
	qemu=(qemu-system-i386 -nodefaults -no-user-config -display none
		-no-reboot -M pc -accel tcg -smp "$smp" -m "$2"
		-kernel "$1/vmlinuz-$(< "$1/release")" -initrd "$initramfs"
		-append "$3 vmalloc=384M")
}
