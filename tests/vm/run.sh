#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-vm: boot a full Debian 12 system (systemd, udev, dkms) in QEMU,
# with no network, and in it install the packages of make deb, use the device
# as a student, reboot, add a second kernel, purge; then the teacher's page's by-hand
# paths, each in a fresh copy of the image. One TAP line per step; the last
# line is "N passed, N failed". Logs: tests/out/vm/.
# Each boot that ends as planned adds a TAP line of its own: its kernel log
# has no report and its taint is at most O and E (tests/vm/guest.sh,
# boot_checked).
# Usage: tests/vm/run.sh [SCENARIO...]   (packages make-install dkms-by-hand
#                                         verdict-panic verdict-hang
#                                         verdict-report)
# Environment: SHMDEMO_VM_TIMEOUT (seconds per boot, default 3600),
#              SHMDEMO_VM_MEM (MiB, default 2048), SHMDEMO_VM_SMP (default 1)
#              SHMDEMO_VM_OUT (the logs; default tests/out/vm),
#              SHMDEMO_VM_APPEND (more kernel arguments: init=/bin/false panics)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/tap.sh"

scenarios=("$@")
[ $# -gt 0 ] || scenarios=(packages make-install dkms-by-hand verdict-panic verdict-hang
	verdict-report)
timeout=${SHMDEMO_VM_TIMEOUT:-3600}

"$SHMDEMO_TESTS/fetch/deps.sh" vm
image=$("$here/image.sh")
release=$(cat "$image/release")
kernel_debs=$("$here/debs.sh")
"$here/deb.sh" --check >&2

out=${SHMDEMO_VM_OUT:-$SHMDEMO_TESTS/out/vm}
rm -rf "$out" && mkdir -p "$out/payload/debs"
cp "$here"/guest*.sh "$SHMDEMO_TESTS/lib/tap.sh" "$SHMDEMO_TESTS/report-patterns" \
	"$out/payload/"
cp "$SHMDEMO_TESTS"/out/deb/shmdemo-dkms_*.deb \
	"$SHMDEMO_TESTS"/out/deb/shmdemo-utils_*.deb "$out/payload/debs/"
# The source as a clone has it (tracked and new files, no build products).
(cd "$SHMDEMO_TOP" && git ls-files -co --exclude-standard -z |
	tar -c --null -T - -f "$out/payload/shmdemo-src.tar")

# no_timer_check, as in the suite's guests (tests/lib/boot.sh): a busy host
# slows TCG's timer until the kernel's IO-APIC check fails and it panics at
# once ("IO-APIC + timer doesn't work!" at 0.05 s failed the packages
# scenario's first boot in a cold CI, 7 Dec, at a load of 12).
# watchdog_thresh=60: a soft lockup is reported after 120 s, not 20. A host
# busy enough starves a TCG vCPU that long ("BUG: soft lockup - CPU#1 stuck
# for 22s! [modprobe:211]" failed a boot check of CI's cold run at a load
# of 15 to 18); a guest really stuck still fails its step's time limit.
# One vCPU of the plain qemu64 model: the same guest work (a module built
# twice, the 6.12 kernel installed, depmod, update-initramfs) took 357 s of
# host CPU so, against 404 and 430 s with -cpu max and 2 vCPUs, in about the
# same wall time (7 Dec, alone on the 2-core machine). Two vCPUs of qemu64
# took 345 s, but CI's first run with them lost its 6.12 boot to an int3
# oops in sched_clock_idle_wakeup_event at 2 s: the kernel patched its text
# as the other vCPU ran it, a race of TCG's threads that one vCPU cannot
# have.
boot() {	# boot SCENARIO NUMBER VMLINUZ INITRD: one QEMU run, until it exits
	local log=$out/$1-$2
	say "$1: boot $2 ($(basename "$3")), console log $log.console"
	timeout "$timeout" qemu-system-x86_64 -accel tcg -cpu qemu64 \
		-machine q35 -m "${SHMDEMO_VM_MEM:-2048}" -smp "${SHMDEMO_VM_SMP:-1}" \
		-nodefaults -display none -no-reboot -nic none \
		-kernel "$3" -initrd "$4" \
		-append "root=/dev/vda rw console=ttyS0 quiet panic=-1 no_timer_check watchdog_thresh=60 ${SHMDEMO_VM_APPEND:-}" \
		-drive "file=$out/$1.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-drive "file=$out/$1-payload.img,if=virtio,format=raw,cache=unsafe" \
		-serial "file:$log.console" -serial "file:$log.tap" ||
		echo "# $1: boot $2: QEMU exited with status $? (124: timed out after ${timeout}s)"
	touch "$log.tap"
}

# One scenario in its own overlay, with its own payload disk; its guest's TAP
# lines (unnumbered) and comments go to stdout. RUN names the run's files
# (the scenario's name unless given).
scenario() {	# scenario NAME [RUN]
	local name=${2:-$1} nboot kernel initrd marker line rel payload=$out/${2:-$1}-payload
	qemu-img create -q -f qcow2 -F qcow2 -b "$image/base.qcow2" "$out/$name.qcow2"
	cp -a "$out/payload" "$payload"
	echo "$1" > "$payload/scenario"
	[ "$1" != packages ] || cp "$kernel_debs"/*.deb "$payload/debs/"
	mkfs.ext4 -q -F -L payload -d "$payload" "$out/$name-payload.img" 1G > /dev/null
	rm -rf "$payload"
	kernel=$image/vmlinuz-$release initrd=$image/initrd.img-$release
	for nboot in 1 2 3 4; do
		boot "$name" "$nboot" "$kernel" "$initrd"
		marker=
		while IFS= read -r line; do
			line=${line%$'\r'}
			case $line in
			"ok - "* | "not ok - "*) echo "$line" ;;
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
	rm -f "$out/$name.qcow2" "$out/$name-payload.img"
}

# The verdict's own proof, on every run: the make-install scenario in a guest
# that panics (its init exits) or hangs (its init sleeps, and the time limit
# is cut to a minute: a guest still booting then is cut all the same) must
# fail its step, for that reason; and a boot that makes a kernel report and
# taints the kernel on purpose (the report scenario: SysRq-l's backtraces,
# and W written to /proc/sys/kernel/tainted) must fail its boot check, for
# both.
verdict() {	# verdict panic|hang|report
	local result evidence=() e
	case $1 in
	panic) result=$(SHMDEMO_VM_APPEND=init=/bin/false scenario make-install verdict-panic)
		evidence=('Kernel panic') ;;
	hang) result=$(SHMDEMO_VM_APPEND='init=/bin/sleep infinity' timeout=60 \
			scenario make-install verdict-hang)
		evidence=('status 124') ;;
	report) result=$(scenario report verdict-report)
		evidence=('a kernel report: Call Trace' 'taint [0-9]* ([A-Z]*W[A-Z]*): more than O and E') ;;
	esac
	printf '%s\n' "$result" | sed -n 's/^\(.\)/# \1/p'
	for e in "${evidence[@]}"; do
		grep -q -- "$e" <<< "$result" || break
	done
	if grep -q '^ok - ' <<< "$result"; then
		tap_unnumbered 1 "a guest that ${1}s passed its step"
	elif ! grep -q -- "$e" <<< "$result"; then
		tap_unnumbered 1 "a guest that ${1}s failed, but not for that ('$e' not seen)"
	else
		tap_unnumbered 0 "a guest that ${1}s fails its step (${evidence[*]})"
	fi
}

# The scenarios run side by side, each in its own QEMU: a guest mostly keeps
# one vCPU busy, and the packages scenario's three boots are the longest path,
# so the others run at a lower priority (nice 10 more) and yield to it.
# Each counts its steps and a boot check per boot.
declare -A steps=([packages]=$((9 + 3)) [make-install]=$((1 + 1))
	[dkms-by-hand]=$((1 + 1)) [verdict-panic]=1 [verdict-hang]=1
	[verdict-report]=1)
for s in "${scenarios[@]}"; do
	[ -n "${steps[$s]:-}" ] || die "unknown scenario '$s'"
done
for s in "${scenarios[@]}"; do
	(
		[ "$s" = packages ] || renice -n $(($(nice) + 10)) -p "$BASHPID" > /dev/null
		case $s in
		verdict-*) verdict "${s#verdict-}" ;;
		*) scenario "$s" ;;
		esac
	) > "$out/$s.result" &
done
wait

# Numbered in the order the scenarios were named (tests/lib/tap.sh,
# tap_relay); a step a guest never reached (it hung, panicked or stopped
# early) fails, and so do extra ones.
. "$SHMDEMO_TESTS/lib/tally.sh"
for s in "${scenarios[@]}"; do
	tap_relay "$s" < "$out/$s.result"
	seen=$tap_relayed
	for ((; seen < steps[$s]; seen++)); do
		ok 1 "$s: a step that never ran (the guest stopped early)"
	done
	[ "$seen" -le "${steps[$s]}" ] ||
		ok 1 "$s: $seen steps reported, the scenario has ${steps[$s]}"
done
[ "$tap_n" -gt 0 ] || ok 1 "no scenario ran"
tally_summary "$((tap_n - tap_failed))" "$tap_failed" 0
[ "$tap_failed" -eq 0 ]
