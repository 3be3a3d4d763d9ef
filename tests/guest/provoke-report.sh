#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make the kernel print a report with a stack dump, on purpose: SysRq-l, a
# backtrace of every active CPU. It comes at the log levels a WARN uses
# (KERN_WARNING for its header, KERN_DEFAULT for the frames), so it shows
# whether the console log keeps such a report whole (tests/host/report-check.sh).
. /bin/tap.sh	# tests/lib/tap.sh
tap_plan 1
provoke() {
	echo l > /proc/sysrq-trigger && sleep 2
}
tap_check "SysRq-l asked for a backtrace of every CPU" provoke
