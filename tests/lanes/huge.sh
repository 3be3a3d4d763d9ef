# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make test-huge's guest, make test's
# suite with the module loaded huge=1 (2 MiB PMDs), on the kernels that map
# them (HUGE_KERNELS: 6.12, latest, arm64-latest). The guest boots with
# shmdemo.huge=1, which every test program puts before its own parameters
# (tests/guest/harness.c), as modprobe takes them from /proc/cmdline.

SHMDEMO_APPEND="${SHMDEMO_APPEND:+$SHMDEMO_APPEND }shmdemo.huge=1"

job_programs() {
	echo "$suite_programs"
}

job_commands() {	# job_commands RELEASE
	printf '%s\n' "${suite_commands[@]}" | compat_skipped "$1"
}
