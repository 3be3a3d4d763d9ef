# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/host/report-check.sh: a guest that provokes a kernel report on
# purpose (tests/guest/provoke-report.sh, SysRq-l).

job_programs() {
	echo tests/guest/provoke-report.sh
}

job_commands() {	# job_commands RELEASE
	echo "/bin/sh /bin/provoke-report.sh"
}
