# SPDX-License-Identifier: GPL-2.0
# Sourced by the host-side scripts: what an arm64 guest needs beyond an x86
# one. The module and the guest programs are cross-compiled in the build
# roots of tests/arm64-root.sh (tests/Makefile), qemu-user runs the arm64
# kbuild tools there, and the guest boots under qemu-system-aarch64 -M virt
# -cpu max with TCG, with bookworm's arm64 busybox and stress-ng.

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
	[ -e "$conf" ] || "$SHMDEMO_TOP/tests/deps.sh" arm64
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

# x86_64 or arm64: the machine the module in OUT_DIR was built for.
guest_arch() {	# guest_arch OUT_DIR
	case $(od -An -tx1 -j18 -N1 "$1/kmod/shmdemo.ko" | tr -d ' ') in
	b7)	echo arm64 ;;
	*)	echo x86_64 ;;
	esac
}

# The guest programs (PROGS, all of tests/programs without), cross-compiled
# into tests/out/arm64 by tests/Makefile in the bookworm root.
arm64_programs() {	# arm64_programs [PROGS]
	in_root "$ARM64_ROOT" "$SHMDEMO_TOP" -- \
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

# qemu_command (tests/boot.sh) for an arm64 KERNEL_DIR: the array qemu.
# TCG emulates arm64 on x86 several times more slowly than x86 (2000
# ping-pong rounds, whose every hand-off wakes the other vCPU, took over
# 80 s on a loaded 2-core host): the arm64 rows of tests/kernels have a
# time scale of 8. pauth-impdef: TCG's emulation of the architected pointer
# authentication is slower yet.
arm64_qemu_command() {	# arm64_qemu_command KERNEL_DIR MEMORY CMDLINE
	qemu=(qemu-system-aarch64 -nodefaults -no-user-config -display none
		-no-reboot -M virt -cpu max,pauth-impdef=on -accel tcg
		-smp "$smp" -m "$2" -kernel "$1/Image" -initrd "$initramfs"
		-append "$3 SHMDEMO_TIME_SCALE=$scale ${SHMDEMO_APPEND:-}")
}

# The suite's commands for RELEASE, on stdin. A kernel built without
# CONFIG_COMPAT (Debian's 16K-page arm64 kernel) runs no 32-bit program:
# each *32 command becomes a line saying so, which counts neither as passed
# nor as failed (tests/tally.sh counts it as skipped).
compat_skip() {	# compat_skip RELEASE
	local config=$SHMDEMO_CACHE/kernels/$1/config
	if [ -e "$config" ] && ! grep -q '^CONFIG_COMPAT=y' "$config"; then
		sed "s|^/bin/\([a-z_]*32\)\$|/bin/echo # SKIP \1: Linux $1 is built without CONFIG_COMPAT, so it runs no 32-bit (AArch32) program|"
	else
		cat
	fi
}
