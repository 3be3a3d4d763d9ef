# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make guest-module, which rebuilds the module
# for KERNEL, for insmod from /src in make shell; no guest boots.

job_programs() { :; }
job_commands() { :; }

# Where make guest-module put the module, and how to load it in the shell.
do_module() {	# do_module KERNEL_DIR OUT_DIR
	say "built $2/kmod/shmdemo.ko; in make shell KERNEL=$kernel_arg:"
	say "  rmmod shmdemo; insmod /src/tests/out/${2##*/}/kmod/shmdemo.ko"
}
