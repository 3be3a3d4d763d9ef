# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make race. The seed's program and user_demo,
# N times each, counted by tests/guest/race.

job_programs() {
	echo user/user_demo tests/bench/seed_demo tests/guest/race
}

job_resumes() { :; }

job_commands() {	# job_commands RELEASE
	printf '%s\n' "/bin/insmod /lib/modules/$1/extra/shmdemo.ko${insmod_args:+ $insmod_args}" \
		"/bin/race $race_runs /bin/seed_demo /bin/user_demo" \
		"/bin/rmmod shmdemo"
}

# Both programs N times on one CPU; prints the count lines (the
# conditions go to stderr). Fails if the guest did not finish, or as
# race_verdict says.
do_race() {	# do_race KERNEL_DIR OUT_DIR
	local log=$2/console-race.log
	# Two seconds per pair of runs: TCG on a busy host took 1.4.
	boot "$1" "$2" "$log" $((120 + 2 * race_runs)) > /dev/null || true
	guest_finished "$log" || return 1
	sed -n 's/^# conditions on /# /p' "$log" >&2
	race_verdict "$log"
}

# The race job's console LOG judged: prints race's result lines (counts,
# crashes, inconclusive), says why it fails. It fails on a crashed run, an
# inconclusive race (seed_demo missed too rarely to show it), a user_demo
# miss, a non-zero exit of any guest command, or a count line missing.
race_verdict() {	# race_verdict LOG
	local lines status=0
	lines=$(grep -E -e '^(seed|user)_demo: [0-9]+ of [0-9]+ runs (read no message|crashed)$' \
		-e '^inconclusive: ' "$1")
	printf '%s\n' "$lines"
	if grep -q ' runs crashed$' <<< "$lines"; then
		say "a run crashed (a signal or a non-zero exit): see $1"
		status=1
	fi
	if grep -q '^inconclusive: ' <<< "$lines"; then
		say "the race is inconclusive: seed_demo's child did not run first often enough"
		status=1
	fi
	if grep -Eq '^user_demo: [1-9][0-9]* of [0-9]+ runs read no message$' <<< "$lines"; then
		say "user_demo missed a message: the device's handoff is broken"
		status=1
	fi
	if [ "$(printf '%s\n' "$lines" | grep -c ' runs read no message$')" -ne 2 ] ||
	   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$1"; then
		[ "$status" -ne 0 ] || say "the race job failed in the guest: see $1"
		status=1
	fi
	return "$status"
}

