# SPDX-License-Identifier: GPL-2.0
# The one TAP vocabulary of the test programs written in shell: sourced on
# the host, and staged into every guest as /bin/tap.sh (tests/lib/initramfs.sh),
# where busybox sh runs it. Summaries ("N passed, N failed") are
# tests/lib/tally.sh's.
#   tap_plan N                  the plan, "1..N"
#   ok STATUS NAME              "ok N - NAME" when STATUS is 0, else "not ok"
#   tap_check NAME COMMAND...   ok for COMMAND's exit status
#   tap_status                  0 if no case failed, else 1: the exit status
tap_n=0 tap_failed=0

tap_plan() {	# tap_plan N
	echo "1..$1"
}

ok() {	# ok STATUS NAME
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

tap_check() {	# tap_check NAME COMMAND...
	tap_name=$1
	shift
	if "$@"; then
		ok 0 "$tap_name"
	else
		ok 1 "$tap_name"
	fi
}

tap_status() {
	[ "$tap_failed" -eq 0 ]
}
