#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make the kernel print a report with a stack dump, on purpose: SysRq-l, a
# backtrace of every active CPU. It comes at the log levels a WARN uses
# (KERN_WARNING for its header, KERN_DEFAULT for the frames), so it shows
# whether the console log keeps such a report whole (tests/report-check.sh).
echo "1..1"
if echo l > /proc/sysrq-trigger; then
	sleep 2
	echo "ok 1 - SysRq-l asked for a backtrace of every CPU"
else
	echo "not ok 1 - SysRq-l asked for a backtrace of every CPU"
fi
