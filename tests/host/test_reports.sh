#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel reports are never lost, tried on crafted logs: the host's console
# scan (tests/lib/reports.sh) finds a report wherever it is on the console, and
# passes a clean one; the guest's init finds a gap in the kernel log's
# sequence numbers (init --kmsg, on a crafted /dev/kmsg dump). Prints
# nothing when every case comes out right; otherwise one line per miss.
# Run by make check.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
tests=$SHMDEMO_TESTS
. "$tests/lib/reports.sh"
. "$tests/lib/tally.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# expect_scan "LINES REPORTS" FIRST WHAT [COMM...] < LOG: the scan of LOG
# finds REPORTS report lines among LINES kernel lines, FIRST the first.
expect_scan() {
	local want=$1 first=$2 what=$3 got
	shift 3
	cat > "$tmp/log"
	got=$(console_reports "$tmp/log" "$@")
	if [ "$got" != "$want${first:+ $first}" ]; then
		echo "scan: $what: got '$got', expected '$want${first:+ $first}'"
		status=1
	fi
}

t='[   12.345678]'
boot="$t Linux version 6.1.0-shmdemo
$t shmdemo: loading out-of-tree module taints kernel."

expect_scan "2 0" "" "a clean boot, and a program's output" <<-EOF
	$boot
	shmdemo-guest: begin /bin/test_mmap
	1..1
	# WARNING: a program's own words are no kernel report
	ok 1 - Call Trace, in a test name
	shmdemo-guest: exit=0 /bin/test_mmap
EOF
expect_scan "3 1" "$t WARNING: CPU: 0 PID: 9 at kmod/shmdemo.c:120 shmdemo_mmap+0x1/0x2 [shmdemo]" \
	"a WARNING" <<-EOF
	$boot
	$t WARNING: CPU: 0 PID: 9 at kmod/shmdemo.c:120 shmdemo_mmap+0x1/0x2 [shmdemo]
EOF
expect_scan "3 1" "ok 3 - mmap$t BUG: KASAN: use-after-free in shmdemo_read" \
	"a report that cut into a program's line" <<-EOF
	$boot
	ok 3 - mmap$t BUG: KASAN: use-after-free in shmdemo_read
EOF
expect_scan "3 1" "# kernel: <4>[    5.000001] WARNING: at lib/x.c:1" \
	"init's copy of a report" <<-EOF
	$boot
	# kernel: <4>[    5.000001] WARNING: at lib/x.c:1
EOF
expect_scan "3 1" "$t ** 4242 printk messages dropped **" \
	"the console lost records" <<-EOF
	$boot
	$t ** 4242 printk messages dropped **
EOF
expect_scan "6 1" "$t Call Trace:" "SysRq-l's backtrace" <<-EOF
	$t sysrq: Show backtrace of all active CPUs
	$t NMI backtrace for cpu 0
	$t CPU: 0 PID: 70 Comm: sh Not tainted 6.1.0 #1
	$t Call Trace:
	$t  <TASK>
	$t  </TASK>
EOF
for report in 'BUG: unable to handle page fault for address: 0' \
	'Oops: 0000 [#1] PREEMPT SMP' 'general protection fault, probably for non-canonical address' \
	'UBSAN: shift-out-of-bounds in kmod/shmdemo.c:3:4' \
	'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	'WARNING: possible circular locking dependency detected' ' *** DEADLOCK ***' \
	'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:' \
	'INFO: task test_multiproc:80 blocked for more than 120 seconds.' \
	'BUG kmalloc-64 (Not tainted): Right Redzone overwritten' \
	'Kernel panic - not syncing: Fatal exception' \
	'Unable to handle kernel NULL pointer dereference at virtual address 0' \
	'Call trace:'; do
	expect_scan "1 1" "$t $report" "$report" <<< "$t $report"
done

# A program whose allocations fail on purpose: its allocator's stack dump.
alloc="$t test_faults: page allocation failure: order:0, mode:0x400cc0
$t CPU: 1 PID: 77 Comm: test_faults Not tainted 6.12.0-shmdemo-debug
$t Call Trace:
$t  <TASK>
$t  dump_stack_lvl+0x5d/0x80
$t  </TASK>"
expect_scan "6 0" "" "an expected allocation failure's Call Trace" test_faults <<< "$alloc"
expect_scan "6 1" "$t Call Trace:" "an allocation failure of a program not listed" \
	<<< "$alloc"
expect_scan "6 1" "$t Call Trace:" "an allocation failure of another program" other \
	<<< "$alloc"
expect_scan "8 1" "$t Call Trace:" "a Call Trace after the expected one's </TASK>" \
	test_faults <<-EOF
	$alloc
	$t CPU: 1 PID: 77 Comm: test_faults Not tainted 6.12.0-shmdemo-debug
	$t Call Trace:
EOF
expect_scan "7 1" "$t WARNING: CPU: 1 PID: 77 at mm/slub.c:9" \
	"a WARNING inside an expected allocation failure" test_faults <<-EOF
	$alloc
	$t WARNING: CPU: 1 PID: 77 at mm/slub.c:9
EOF

# console_verdict: its line goes into the log, and the tally counts it.
verdict() {	# verdict "PASSED FAILED" WHAT: console_verdict, then tally
	local got
	console_verdict "$tmp/log" 2> /dev/null || true
	got=$(tally "$tmp/log" 2> /dev/null | cut -d' ' -f1-2)
	if [ "$got" != "$1" ]; then
		echo "verdict: $2: tally '$got', expected '$1'"
		sed 's/^/  /' "$tmp/log"
		status=1
	fi
}
b='shmdemo-guest: begin /bin/prog' e='shmdemo-guest: exit=0 /bin/prog'
printf '%s\n' "$boot" "$b" 1..1 'ok 1 - a' "$e" 'shmdemo-guest: end status=0' \
	> "$tmp/log"
verdict "2 0" "a clean console passes"
grep -q '^ok - host: no kernel report on the console (2 kernel lines)$' "$tmp/log" ||
	{ echo "verdict: no ok line for a clean console"; status=1; }
printf '%s\n' "$boot" "$b" 1..1 "$t WARNING: CPU: 0 PID: 1 at x.c:1" 'ok 1 - a' "$e" \
	'shmdemo-guest: end status=0' > "$tmp/log"
verdict "1 1" "a WARNING on the console fails the run"
grep -qF "not ok - host: 1 kernel report lines on the console, the first: $t WARNING: CPU: 0 PID: 1 at x.c:1" \
	"$tmp/log" || { echo "verdict: the not ok line does not name the report"; status=1; }

# init --kmsg: the records of a crafted /dev/kmsg dump, their sequence
# numbers checked; its TAP line, its exit status and a line it must print.
programs_make make -s -C "$tests" PROGS=tests/guest/init
# expect_kmsg STATUS LINE WHAT < DUMP: init exits with STATUS and prints LINE.
expect_kmsg() {
	local want=$1 line=$2 what=$3 got=0 verdict=ok
	cat > "$tmp/kmsg"
	"$tests/out/host/tests/guest/init" --kmsg "$tmp/kmsg" 1048576 > "$tmp/out" || got=$?
	[ "$want" -eq 0 ] || verdict="not ok"
	if [ "$got" -ne "$want" ] || ! grep -qxF "$line" "$tmp/out" ||
	   ! grep -qx "$verdict - kernel log complete: no record lost" \
		"$tmp/out"; then
		echo "kmsg: $what: exit status $got, expected $want with '$line' and $verdict:"
		sed 's/^/  /' "$tmp/out"
		status=1
	fi
}
expect_kmsg 0 "# kmsg: 3 records, 54 bytes of text read; the log buffer holds 1048576 bytes" \
	"records 0 to 2, one with an escaped byte and a dictionary" <<-'EOF'
	5,0,0,-;Linux version 6.1.0
	4,1,1200,-;shmdemo: loading\x0a
	 SUBSYSTEM=module
	6,2,1300,-;reboot: Power down
EOF
expect_kmsg 1 "# kmsg: records 0 to 4 lost" "the oldest records overwritten" <<-'EOF'
	5,5,0,-;a
	5,6,0,-;b
EOF
expect_kmsg 1 "# kmsg: records 2 to 4 lost" "records lost in the middle" <<-'EOF'
	5,0,0,-;a
	5,1,0,-;b
	5,5,0,-;c
EOF
expect_kmsg 1 "# kmsg: read: Broken pipe: records overwritten before init read them" \
	"read() fails with EPIPE, then the numbers jump" <<-'EOF'
	5,0,0,-;a
	EPIPE
	5,900,0,-;b
EOF
expect_kmsg 1 "# kmsg: read: Broken pipe: records overwritten before init read them" \
	"read() fails with EPIPE, last" <<-'EOF'
	5,0,0,-;a
	EPIPE
EOF
expect_kmsg 1 "# kmsg: record 1 after record 1" "a record twice" <<-'EOF'
	5,0,0,-;a
	5,1,0,-;b
	5,1,0,-;b
EOF
expect_kmsg 1 "# kmsg: a record without a sequence number: no prefix" \
	"a record without its prefix" <<-'EOF'
	5,0,0,-;a
	no prefix
EOF
expect_kmsg 1 "# kmsg: 0 records, 0 bytes of text read; the log buffer holds 1048576 bytes" \
	"no record at all" < /dev/null

exit "$status"
