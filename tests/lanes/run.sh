# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make run. The module is loaded with PAGES,
# user_demo runs with ARGS, and the session is shown as typed in a shell.

job_programs() {
	echo user/user_demo
}

job_resumes() { :; }

job_commands() {	# job_commands RELEASE
	printf '%s\n' "/bin/insmod /lib/modules/$1/extra/shmdemo.ko${insmod_args:+ $insmod_args}" \
		"/bin/user_demo${run_args:+ $run_args}" "/bin/rmmod shmdemo"
}

# Show the guest session as a transcript; exit with user_demo's status.
do_run() {	# do_run KERNEL_DIR OUT_DIR
	local log=$2/console-run.log status
	# The console has the kernel's warnings (tests/lib/boot.sh): the boot's and
	# the taint notice are hidden here, the log keeps them.
	boot "$1" "$2" "$log" 120 | awk '
		/^\[ *[0-9.]*\] / && !begun { next }
		/^\[ *[0-9.]*\] [a-z_]+: loading out-of-tree module taints kernel\.$/ { next }
		/^shmdemo-guest: begin / { begun = 1; sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
		/^shmdemo-guest: exit=0 / || /^shmdemo-guest: (end|resumed)/ || /^ok / { next }
		/^shmdemo-guest: exit=/ { sub(/^shmdemo-guest: exit=/, ""); sub(/ .*/, ""); print "(exit status " $0 ")"; next }
		/^\[ *[0-9.]*\] reboot: / { next }
		{ print }' || true
	guest_finished "$log" || return 1
	status=$(sed -n 's|^shmdemo-guest: exit=\([0-9]*\) /bin/user_demo.*|\1|p' "$log")
	[ -n "$status" ] || return 1
	# A failed insmod or rmmod, or a kernel log check, fails the run too.
	if [ "$status" -eq 0 ] &&
	   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$log"; then
		return 1
	fi
	return "$status"
}

