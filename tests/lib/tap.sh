# SPDX-License-Identifier: GPL-2.0
# The one TAP vocabulary of the test programs written in shell: sourced on
# the host, and staged into every guest as /bin/tap.sh (tests/lib/initramfs.sh),
# where busybox sh runs it. Summaries ("N passed, N failed") are
# tests/lib/tally.sh's.
#   tap_plan N                  the plan, "1..N"
#   ok STATUS NAME              "ok N - NAME" when STATUS is 0, else "not ok"
#   tap_check NAME COMMAND...   ok for COMMAND's exit status
#   tap_status                  0 if no case failed, else 1: the exit status
#   tap_unnumbered STATUS NAME  "ok - NAME" or "not ok - NAME", with no test
#                               number: a check outside any program (init's,
#                               the host's verdict on a console), which
#                               tally.sh counts as one, or a result that a
#                               relay numbers later (make test-vm's guest)
#   tap_relay PREFIX            the unnumbered results read from stdin, as
#                               ok lines named "PREFIX: NAME", the other lines
#                               as they are; tap_relayed counts the results.
#                               (Give it a redirection, not a pipe: in a pipe
#                               it would number in a subshell.)
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

tap_unnumbered() {	# tap_unnumbered STATUS NAME
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
	fi
}

tap_relay() {	# tap_relay PREFIX
	tap_relayed=0
	while IFS= read -r tap_line; do
		case $tap_line in
		"ok - "*) ok 0 "$1: ${tap_line#ok - }" ;;
		"not ok - "*) ok 1 "$1: ${tap_line#not ok - }" ;;
		*) echo "$tap_line"; continue ;;
		esac
		tap_relayed=$((tap_relayed + 1))
	done
}
