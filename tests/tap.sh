# SPDX-License-Identifier: GPL-2.0
# Sourced by the test programs written in shell: one TAP line per case.
tap_n=0 tap_failed=0

ok() {	# ok STATUS NAME: "ok N - NAME" when STATUS is 0, "not ok" otherwise
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
