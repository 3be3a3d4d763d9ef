#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-vm: boot a full Debian 12 system (systemd, udev, dkms) in QEMU,
# with no network, and in it install the packages of make deb, use the device
# as a student, reboot, add a second kernel, purge; then the README's by-hand
# paths, each in a fresh copy of the image. One TAP line per step; the last
# line is "N passed, N failed". Logs: tests/out/vm/.
# Usage: tests/vm/run.sh [SCENARIO...]   (packages make-install dkms-by-hand)
# Environment: SHMDEMO_VM_TIMEOUT (seconds per boot, default 2400),
#              SHMDEMO_VM_MEM (MiB, default 2048), SHMDEMO_VM_SMP (default 2)
#              SHMDEMO_VM_OUT (the logs; default tests/out/vm),
#              SHMDEMO_VM_APPEND (more kernel arguments: init=/bin/false panics)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

scenarios=("$@")
[ $# -gt 0 ] || scenarios=(packages make-install dkms-by-hand)
timeout=${SHMDEMO_VM_TIMEOUT:-2400}

"$here/../deps.sh" debootstrap qemu-utils qemu-system-x86 e2fsprogs >&2
image=$("$here/image.sh")
release=$(cat "$image/release")
kernel_debs=$("$here/debs.sh")
"$here/deb.sh" --check >&2

out=${SHMDEMO_VM_OUT:-$SHMDEMO_TOP/tests/out/vm}
rm -rf "$out" && mkdir -p "$out/payload/debs"
cp "$here/guest.sh" "$out/payload/"
cp "$SHMDEMO_TOP"/tests/out/deb/shmdemo-dkms_*.deb \
	"$SHMDEMO_TOP"/tests/out/deb/shmdemo-utils_*.deb "$out/payload/debs/"
# The source as a clone has it (tracked and new files, no build products).
(cd "$SHMDEMO_TOP" && git ls-files -co --exclude-standard -z |
	tar -c --null -T - -f "$out/payload/shmdemo-src.tar")

passed=0 failed=0 n=0
tap() {	# tap ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}

boot() {	# boot SCENARIO NUMBER VMLINUZ INITRD: one QEMU run, until it exits
	local log=$out/$1-$2
	say "$1: boot $2 ($(basename "$3")), console log $log.console"
	timeout "$timeout" qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
		-machine q35 -m "${SHMDEMO_VM_MEM:-2048}" -smp "${SHMDEMO_VM_SMP:-2}" \
		-nodefaults -display none -no-reboot -nic none \
		-kernel "$3" -initrd "$4" \
		-append "root=/dev/vda rw console=ttyS0 quiet panic=-1 ${SHMDEMO_VM_APPEND:-}" \
		-drive "file=$out/$1.qcow2,if=virtio,format=qcow2" \
		-drive "file=$out/$1-payload.img,if=virtio,format=raw" \
		-serial "file:$log.console" -serial "file:$log.tap" ||
		say "$1: boot $2: QEMU exited with status $? (124: timed out after ${timeout}s)"
	touch "$log.tap"
}

scenario() {	# scenario NAME EXPECTED_STEPS
	local name=$1 expected=$2 seen=0 nboot kernel initrd marker line rel
	qemu-img create -q -f qcow2 -F qcow2 -b "$image/base.qcow2" "$out/$name.qcow2"
	echo "$name" > "$out/payload/scenario"
	local extra=()
	[ "$name" != packages ] || extra=("$kernel_debs"/*.deb)
	[ ${#extra[@]} -eq 0 ] || cp "${extra[@]}" "$out/payload/debs/"
	mkfs.ext4 -q -F -L payload -d "$out/payload" "$out/$name-payload.img" 1G > /dev/null
	[ ${#extra[@]} -eq 0 ] || (cd "$out/payload/debs" && rm -f "${extra[@]##*/}")
	kernel=$image/vmlinuz-$release initrd=$image/initrd.img-$release
	for nboot in 1 2 3 4; do
		boot "$name" "$nboot" "$kernel" "$initrd"
		marker=
		while IFS= read -r line; do
			line=${line%$'\r'}
			case $line in
			"ok - "*) tap ok "$name: ${line#ok - }"; seen=$((seen + 1)) ;;
			"not ok - "*) tap not-ok "$name: ${line#not ok - }"; seen=$((seen + 1)) ;;
			"shmdemo-vm: "*) marker=${line#shmdemo-vm: } ;;
			*) echo "$line" ;;
			esac
		done < "$out/$name-$nboot.tap"
		case $marker in
		reboot) ;;
		"boot "*)
			rel=${marker#boot }
			kernel=$out/vmlinuz-$rel initrd=$out/initrd.img-$rel
			debugfs -R "dump /boot/vmlinuz-$rel $kernel" "$out/$name-payload.img" 2>/dev/null
			debugfs -R "dump /boot/initrd.img-$rel $initrd" "$out/$name-payload.img" 2>/dev/null
			[ -s "$kernel" ] && [ -s "$initrd" ] ||
				{ echo "# no vmlinuz or initrd for $rel on the payload disk"; break; }
			;;
		done) break ;;
		*)
			echo "# $name: boot $nboot stopped without its end marker (a hang or a panic):"
			grep -a -m 5 -E 'Kernel panic|BUG:|Oops|emergency mode|Call Trace' \
				"$out/$name-$nboot.console" | sed 's/^/#   /' || true
			break ;;
		esac
	done
	while [ "$seen" -lt "$expected" ]; do
		tap not-ok "$name: a step that never ran (the guest stopped early)"
		seen=$((seen + 1))
	done
	rm -f "$out/$name.qcow2" "$out/$name-payload.img"
}

for s in "${scenarios[@]}"; do
	case $s in
	packages) scenario packages 8 ;;
	make-install|dkms-by-hand) scenario "$s" 1 ;;
	*) die "unknown scenario '$s'" ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
