# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make test's guest, the suite of
# tests/programs on each kernel, tallied against its expected counts.

job_programs() {
	echo "$suite_programs"
}

job_commands() {	# job_commands RELEASE
	printf '%s\n' "${suite_commands[@]}" | compat_skipped "$1"
}
