# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/lib.sh: an arm64 guest, behind the names every file of
# tests/arch/ defines (tests/arch/amd64.sh lists them). The module and the
# guest programs are cross-compiled in the build roots of
# tests/fetch/arm64-root.sh (tests/Makefile), qemu-user runs the arm64 kbuild
# tools there, and the guest boots under qemu-system-aarch64 -M virt -cpu
# max with TCG, with bookworm's arm64 busybox and stress-ng.

arm64_elf_machine=b7
arm64_console=ttyAMA0
arm64_compat_option=CONFIG_COMPAT

# 4k, 16k or 64k: CONFIG_ARM64_<SIZE>_PAGES.
arm64_page_size() {	# arm64_page_size CONFIG
	awk -F= '$2 == "y" && sub(/^CONFIG_ARM64_/, "", $1) && sub(/_PAGES$/, "", $1) {
		print tolower($1) }' "$1"
}

# The cross-compiled programs, and the bookworm root they take their
# libraries, busybox and stress-ng from.
arm64_prepare() {	# arm64_prepare PROGS
	"$SHMDEMO_TESTS/fetch/deps.sh" arm64
	ARM64_ROOT=$("$SHMDEMO_TESTS/fetch/arm64-root.sh" bookworm)
	arm64_programs "$1"
}

# A built program, the cross-compiled one; an absolute path, the bookworm
# root's file.
arm64_guest_file() {	# arm64_guest_file PROG
	case $1 in
	/*)	echo "$ARM64_ROOT$1" ;;
	*)	echo "$SHMDEMO_TESTS/out/arm64/$1" ;;
	esac
}

# The kernel's own headers, in their build root, with the cross compiler
# of the kernel's compiler (tests/fetch/arm64-root.sh).
arm64_kbuild() {	# arm64_kbuild KERNEL_DIR OUT_DIR
	kbuild=(in_root "$(< "$1/arm64-root")" "$2" --
		make -C "/usr/src/linux-headers-$(< "$1/release")"
		CROSS_COMPILE=aarch64-linux-gnu-)
}

arm64_fetch() {	# arm64_fetch FLAVOUR
	"$SHMDEMO_TESTS/fetch/arm64-kernel.sh" "$1"
}

# TCG: on an x86 host there is no other way, and an arm64 host's KVM is
# not tried yet.
arm64_accel() {	# arm64_accel KERNEL_DIR
	echo tcg
}

# Let the host kernel run arm64 programs through qemu-user-static. The F
# flag opens the interpreter now, so it works inside a chroot too. Only a
# registration is made; nothing is installed. An arm64 host runs them
# itself; the amd64 build roots' programs are the foreign ones there, and
# the qemu-user-static package registers them (systemd-binfmt): nothing is
# registered here, as a wrong x86-64 interpreter would take over every
# program of an x86-64 kernel that runs this in an emulated arm64 root.
arm64_binfmt() {
	local dir=/proc/sys/fs/binfmt_misc
	local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
	if [ "$SHMDEMO_HOST_ARCH" != amd64 ]; then
		[ -e "$dir/qemu-x86_64" ] ||
			say "no qemu-x86_64 in $dir: the amd64 build roots run only" \
			    "if this kernel runs x86-64 programs (systemctl restart" \
			    "systemd-binfmt registers qemu-user-static's)"
		return 0
	fi
	[ -e "$conf" ] || "$SHMDEMO_TESTS/fetch/deps.sh" arm64
	[ -e "$dir/register" ] ||
		as_root mount -t binfmt_misc binfmt_misc "$dir" ||
		die "cannot mount binfmt_misc on $dir"
	if [ -e "$dir/qemu-aarch64" ]; then
		grep -q '^flags:.*F' "$dir/qemu-aarch64" && return 0
		die "$dir/qemu-aarch64 is registered without the F flag:" \
			"remove it (echo -1 > $dir/qemu-aarch64) and run again"
	fi
	grep '^:qemu-aarch64:' "$conf" | as_root tee "$dir/register" > /dev/null ||
		die "cannot register qemu-aarch64 with binfmt_misc"
}

# Run COMMAND in the build root ROOT. /proc and each DIR (at its own path)
# are mounted in a mount namespace of its own: nothing stays mounted.
in_root() {	# in_root ROOT [DIR...] -- COMMAND...
	local root=$1 dirs=()
	shift
	while [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	shift
	need_mount_namespace "the arm64 build root"
	# shellcheck disable=SC2016
	as_root unshare --mount --propagation private sh -ec '
		root=$1 n=$2
		shift 2
		mount -t proc proc "$root/proc"
		while [ "$n" -gt 0 ]; do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift
			n=$((n - 1))
		done
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 "$@"' \
		sh "$root" ${#dirs[@]} "${dirs[@]}" "$@"
}

# The guest programs (PROGS, all of tests/programs without), cross-compiled
# into tests/out/arm64 by tests/Makefile in the bookworm root.
arm64_programs() {	# arm64_programs [PROGS]
	programs_make in_root "$ARM64_ROOT" "$SHMDEMO_TOP" -- \
		make -s -C "$SHMDEMO_TOP/tests" CROSS_COMPILE=aarch64-linux-gnu- \
		${1:+PROGS="$1"} \
		2>&1 | { grep -v 'statically linked applications' >&2 || true; }
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# install_program for an arm64 guest: the libraries come from the bookworm
# root, where the arm64 dynamic loader lists them (under qemu-user).
arm64_install_program() {	# arm64_install_program STAGE PROGRAM DEST
	local stage=$1 src=$2 lib
	cp "$src" "$stage/$3"
	head -c 4 "$src" | grep -q ELF || return 0	# a script
	for lib in $(in_root "$ARM64_ROOT" "$SHMDEMO_TOP" -- \
			/lib/ld-linux-aarch64.so.1 --list "${src#"$ARM64_ROOT"}" \
			2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] ||
			(cd "$ARM64_ROOT" && cp -L --parents ".$lib" "$stage")
	done
}

# qemu-user runs it (arm64_binfmt).
arm64_applets() {	# arm64_applets BUSYBOX
	"$1" --list
}

# The array qemu. TCG emulates arm64 on x86 several times more slowly than
# x86 (2000 ping-pong rounds, whose every hand-off wakes the other vCPU,
# took over 80 s on a loaded 2-core host): the arm64 rows of tests/kernels
# have a time scale of 8. pauth-impdef: TCG's emulation of the architected
# pointer authentication is slower yet.
arm64_qemu_command() {	# arm64_qemu_command KERNEL_DIR MEMORY CMDLINE
	qemu=(qemu-system-aarch64 -nodefaults -no-user-config -display none
		-no-reboot -M virt -cpu max,pauth-impdef=on -accel tcg
		-smp "$smp" -m "$2" -kernel "$1/Image" -initrd "$initramfs"
		-append "$3")
}
