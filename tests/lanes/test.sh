# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make test's guest, the suite of
# tests/programs on each kernel, tallied against its expected counts; and,
# around the guests, make test's checks on the host: user_demo's options
# and the README checker before, then on the first kernel the lab targets
# as a student types them, a provoked kernel report, the guide's experiments.

job_programs() {
	echo "$suite_programs"
}

job_commands() {	# job_commands RELEASE
	printf '%s\n' "${suite_commands[@]}" | compat_skipped "$1"
}

# A host-side check that boots the first kernel, on amd64 only: on another
# it prints why it skips (make test runs it). With no WHY, on any
# architecture. COMMAND gets the kernel.
first_kernel_check() {	# first_kernel_check SUMMARY LOG NAME WHY COMMAND...
	local label=$1 log=$SHMDEMO_TESTS/out/$2.log name=$3 why=$4
	shift 4
	if [ -z "$why" ] || [ "$(kernel_field "${kernels[0]}" arch)" = amd64 ]; then
		host_program "$name" "$@" "${kernels[0]}" | tee "$log"
	else
		echo "# SKIP $name: $why" | tee "$log"
	fi
	count "$log" "$label"
}

job_before() {
	local log=$SHMDEMO_TESTS/out/host-tests.log

	mkdir -p "${log%/*}"
	echo "# host: user_demo option parsing, the guide checker, the Spanish documents"
	{
		host_program "test_user_demo host" \
			env USER_DEMO="$SHMDEMO_TESTS/out/host/user/user_demo" \
			"$SHMDEMO_TESTS/out/host/tests/guest/test_user_demo" host
		"$SHMDEMO_TESTS/readme/host.sh"
	} | tee "$log"
	count "$log" host
	echo "# host: make shell, race and run as a student types them (${kernels[0]})"
	first_kernel_check lab lab-tests "test_lab.sh ${kernels[0]}" \
		"make test checks the lab targets on x86-64" "$SHMDEMO_TESTS/host/test_lab.sh"
	echo "# host: make run and shell resume a saved guest (${kernels[0]})"
	first_kernel_check "saved guest" resume-tests "test_resume.sh ${kernels[0]}" "" \
		"$SHMDEMO_TESTS/host/test_resume.sh"
}

job_after() {
	# A kernel report provoked on purpose must reach the console log whole.
	# report-check.sh knows x86's report format (<TASK>), not arm64's.
	first_kernel_check "kernel report (${kernels[0]})" report-check \
		"report-check ${kernels[0]}" \
		"it reads x86 kernel reports; make test runs it" \
		"$SHMDEMO_TESTS/host/report-check.sh"

	# The guide's experiments, as written, in make shell on the first kernel.
	echo "# guide experiments (course/guide.md), in make shell KERNEL=${kernels[0]}"
	first_kernel_check "guide experiments" readme-experiments \
		"guide experiments" "x86-64 outputs; make test runs them" \
		"$SHMDEMO_TESTS/readme/run.sh"
}
