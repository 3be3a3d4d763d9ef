#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-vm, in the guest: run the steps due at this boot as root, the way
# the teacher's page and the guide tell a teacher and a student, and print one TAP line per step
# on the second serial port. The payload disk (/run/payload) carries this
# script and the steps it sources (guest-packages.sh, guest-by-hand.sh), the
# packages and the source; the steps reached so far are kept on
# the root disk, so that a reboot in the middle resumes after it. Each boot
# ends with a line the host acts on:
#   shmdemo-vm: reboot          boot the same kernel again
#   shmdemo-vm: boot RELEASE    boot RELEASE (its vmlinuz and initrd are
#                               copied to the payload disk's boot/)
#   shmdemo-vm: done            the scenario is over
# Every boot that gets to its end line checks its kernel log and taint
# first, as one more TAP line (boot_checked).
# Scenarios (the payload's "scenario" file): packages (steps 1-7, three boots),
# make-install and dkms-by-hand (step 8, each in a fresh image), and report
# (run.sh's verdict-report: a boot that makes a report on purpose).
set -uo pipefail
exec > /dev/ttyS1 2>&1

payload=/run/payload
state=/var/lib/shmdemo-vm
mkdir -p "$state"
scenario=$(cat "$payload/scenario")
phase=$(cat "$state/phase" 2>/dev/null || echo 1)
debs=$payload/debs
export DEBIAN_FRONTEND=noninteractive
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

. "$payload/tap.sh"	# tests/lib/tap.sh: the host numbers its lines (tap_relay)

student=student		# in the group: uses the device without sudo
visitor=visitor		# not in the group
expect_demo='Child reads: Hello, child process!'

echo "# shmdemo-vm: scenario $scenario, phase $phase, kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"

# step N DESCRIPTION FUNCTION: one TAP line (the host numbers them); the
# function's output is shown, as comments, only when it fails. The function
# runs with errexit, in a subshell of its own (not in a || list, where bash
# would ignore errexit): its first failing command fails the step.
step() {
	local n=$1 desc=$2 out=/run/shmdemo-vm-step.log status=0 start=$SECONDS
	shift 2
	# The console (ttyS0) shows it as it runs: where a timed-out boot was.
	(set -e; "$@") 2>&1 | tee "$out" > /dev/ttyS0
	status=${PIPESTATUS[0]}
	tap_unnumbered "$status" "$n: $desc"
	[ "$status" -eq 0 ] || tail -n 40 "$out" | sed 's/^/#   /'
	# Where the time goes, for whoever makes make test-vm faster.
	echo "# step $n took $((SECONDS - start)) s"
}

fail() { echo "$*"; return 1; }

# DKMS says the module is built and installed for RELEASE. (grep reads all of
# dkms's output: with -q, dkms would write into a closed pipe.)
dkms_installed() {	# dkms_installed RELEASE
	dkms status -m shmdemo -k "$1" | grep ': installed$' > /dev/null ||
		fail "dkms status does not say shmdemo is installed for $1"
}

# The taint flags in TAINT as the kernel prints them (P, W, O, E...).
taint_letters() {	# taint_letters TAINT
	local letters=PFSRMBUDAWCIOELKXTN i out=
	for ((i = 0; i < ${#letters}; i++)); do
		[ $(($1 >> i & 1)) -eq 0 ] || out+=${letters:i:1}
	done
	echo "${out:--}"
}

# The kernel's verdict on this boot. Its log, as the journal keeps it (the
# whole boot, from "Linux version", however much the ring buffer has
# wrapped since), has no report of tests/report-patterns, and journald
# missed no record of it. The taint is at most out-of-tree (O, 4096) and
# unsigned module (E, 8192): what a module that DKMS or make install built
# gives on Debian's kernels, which have no key for it.
# Says every fault it finds, not just the first.
boot_checked() {
	local log=/run/shmdemo-vm-kernel.log taint first bad=0
	grep -v '^#' "$payload/report-patterns" > /run/shmdemo-vm-patterns
	journalctl -b 0 -o cat --no-pager -t systemd-journald \
		> /run/shmdemo-vm-journald.log
	journalctl -k -b 0 -o cat --no-pager > "$log" ||
		fail "journalctl -k failed"
	grep -q '^Linux version ' "$log" ||
		{ echo "the journal does not have the boot's first kernel line"; bad=1; }
	if first=$(grep -E -m 1 -f /run/shmdemo-vm-patterns "$log"); then
		echo "a kernel report: $first"
		bad=1
	fi
	if first=$(grep -E -m 1 'Missed [0-9]+ kernel messages' \
		/run/shmdemo-vm-journald.log); then
		echo "journald: $first"
		bad=1
	fi
	taint=$(cat /proc/sys/kernel/tainted)
	echo "# boot $(uname -r): $(wc -l < "$log") kernel log lines, taint $taint ($(taint_letters "$taint"))" > /dev/ttyS1
	if [ $((taint & ~(4096 | 8192))) -ne 0 ]; then
		echo "taint $taint ($(taint_letters "$taint")): more than O and E"
		bad=1
	fi
	return "$bad"
}

next() {	# next PHASE MARKER...: check the boot, keep the phase, leave it
	step boot "$(uname -r): the kernel log has no report, the taint at most O and E" \
		boot_checked
	echo "$1" > "$state/phase"
	shift
	sync
	echo "shmdemo-vm: $*"
	if [ "$1" = "done" ]; then
		systemctl --check-inhibitors=no poweroff 2> /dev/ttyS0
	else
		systemctl --check-inhibitors=no reboot 2> /dev/ttyS0
	fi
	exit 0
}

# The node as udev left it, and the parameter the module was loaded with.
node_ok() {	# node_ok PAGES
	udevadm settle
	local node
	node=$(stat -c '%A %U %G' /dev/shmdemo) || return 1
	[ "$node" = 'crw-rw---- root shmdemo' ] ||
		fail "/dev/shmdemo is '$node', not 'crw-rw---- root shmdemo'"
	[ "$(cat /sys/module/shmdemo/parameters/pages)" = "$1" ] ||
		fail "pages is $(cat /sys/module/shmdemo/parameters/pages), not $1"
}

# The student's run: a login shell (their PATH, their groups from /etc/group),
# their own uid, no sudo.
student_runs() {
	local out
	id "$student"
	out=$(runuser -l "$student" -c user_demo) ||
		fail "user_demo exited $? as $student: $out"
	[ "$out" = "$expect_demo" ] || fail "user_demo printed '$out'"
}

visitor_refused() {
	local out status=0
	out=$(runuser -l "$visitor" -c user_demo 2>&1) || status=$?
	echo "$out"
	[ "$status" -ne 0 ] || fail "user_demo exited 0 for $visitor"
	grep -q 'permission denied' <<< "$out" || fail "no permission message"
}

add_users() {	# the teacher's part: students join the group
	useradd -m -s /bin/bash "$student" 2>/dev/null || true
	useradd -m -s /bin/bash "$visitor" 2>/dev/null || true
	adduser --quiet "$student" shmdemo
}

. "$payload/guest-packages.sh"
. "$payload/guest-by-hand.sh"

case $scenario:$phase in
packages:1)
	step 1 "apt install ./shmdemo-dkms_*.deb ./shmdemo-utils_*.deb: dkms status says installed" \
		install_packages
	step 2 "modprobe shmdemo pages=4: /dev/shmdemo is crw-rw---- root shmdemo, by the udev rule" \
		load_by_udev
	add_users
	step 3 "student, in group shmdemo, runs user_demo without sudo" student_runs
	step 4 "visitor, not in the group, gets user_demo's permission message and a non-zero exit" \
		visitor_refused
	at_boot_config
	next 2 reboot
	;;
packages:2)
	step 5 "modules-load.d and modprobe.d: loaded at boot with pages=4" loaded_at_boot
	result=$(step 6 "second kernel installed offline: DKMS built shmdemo for it" \
		second_kernel)
	echo "$result"
	case $result in ok*) next 3 boot "$(cat "$state/second")" ;; esac
	next 4 "done"
	;;
packages:3)
	step 6 "booted $(uname -r): modprobe shmdemo, the node and user_demo work" on_second_kernel
	step 6 "apt install --reinstall on $(uname -r): DKMS builds for every kernel with headers" \
		every_kernel
	step 7 "apt purge shmdemo-dkms shmdemo-utils: no module, no DKMS tree, no rule, nothing left" \
		purge_leaves_nothing
	next 4 "done"
	;;
make-install:1)
	step 8 "by hand: make install, the group, the student, make uninstall" by_make_install
	next 2 "done"
	;;
dkms-by-hand:1)
	step 8 "by hand: make dkms-src, dkms add/install, make install-user, the student" by_dkms_hand
	next 2 "done"
	;;
report:1)
	# A backtrace of every CPU (a Call Trace in the log), and the taint
	# a WARN leaves (W, 512): the boot's check must fail on both.
	echo l > /proc/sysrq-trigger
	echo 512 > /proc/sys/kernel/tainted
	sleep 2
	next 2 "done"
	;;
*)
	echo "shmdemo-vm: done"
	systemctl --check-inhibitors=no poweroff 2> /dev/ttyS0
	;;
esac
