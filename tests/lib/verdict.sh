# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/boot.sh: did a guest finish, and what did its
# kernel report? The console scan itself is tests/lib/reports.sh.

. "${BASH_SOURCE[0]%/*}/reports.sh"

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
