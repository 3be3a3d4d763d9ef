#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Real clients nobody here wrote, against the device: busybox's dd, head,
# od and wc, then Debian's stress-ng device stressor for a bounded time.
# Runs in the guest under busybox sh; prints TAP. Every client runs under
# timeout(1), so a client that loops (dd retrying a write the device keeps
# refusing) fails its case. The kernel log is checked by init afterwards.

. /bin/tap.sh	# tests/lib/tap.sh
# The kernel's page size (4096, 16384, ...), as the kernel reports it for a
# mapping of this shell; the buffer is one page (pages=1).
page=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps)

# same EXPECTED COMMAND...: COMMAND prints exactly EXPECTED.
same() {
	want=$1
	shift
	got=$("$@" 2>/dev/null)
	[ "$got" = "$want" ] && return 0
	echo "# expected '$want', got '$got'"
	return 1
}

dd_write_at_end() {
	out=$(timeout 30 dd if=/dev/zero of=/dev/shmdemo bs="$page" count=2 2>&1)
	status=$?
	echo "$out" | grep -q 'No space left on device' && [ $status -ne 0 ]
}

wc_bytes() {
	timeout 30 wc -c < /dev/shmdemo | tr -d ' '
}

dd_write() {
	printf 'written by dd' |
		timeout 30 dd of=/dev/shmdemo bs=13 count=1 conv=notrunc 2>/dev/null
}

stress() {
	timeout 60 stress-ng --dev 2 --dev-file /dev/shmdemo --timeout 5s --metrics-brief \
		> /tmp/stress-ng.log 2>&1
	status=$?
	sed 's/^/# /' /tmp/stress-ng.log
	return $status
}

rmmod shmdemo 2>/dev/null
tap_plan 8
tap_check "insmod shmdemo.ko" insmod "$SHMDEMO_KO"
tap_check "dd writes at offset 0" dd_write
tap_check "head reads what dd wrote" \
	same 'written by dd' timeout 30 head -c 13 /dev/shmdemo
tap_check "od dumps the first bytes" \
	same '   w   r   i   t   t   e   n' timeout 30 od -An -c -N 7 /dev/shmdemo
tap_check "wc counts the whole buffer, one page" same "$page" wc_bytes
tap_check "dd past the end: No space left on device" dd_write_at_end
tap_check "stress-ng --dev on /dev/shmdemo for 5 s" stress
tap_check "rmmod after the clients" rmmod shmdemo
tap_status
