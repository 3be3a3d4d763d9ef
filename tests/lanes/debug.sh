# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make test-debug's guest, on the debug kernels:
# a kmemleak scan around the suite, the fault sweeps (again with the
# buffer in 2 MiB folios, huge=1), the torture and trinity; then, on the
# host, make debug's scripted gdb session on each.

job_programs() {
	echo "$suite_programs" tests/guest/test_faults tests/guest/test_kmemleak \
		tests/guest/test_torture tests/guest/trinity.sh /usr/bin/trinity
}

# The fuzzing: the torture's time before SHMDEMO_TIME_SCALE (the
# kernel's scale in tests/kernels: 6 on the debug kernels), and trinity's
# wall time, which is not scaled.
torture_seconds=${SHMDEMO_TORTURE_SECONDS:-10}
trinity_seconds=${SHMDEMO_TRINITY_SECONDS:-120}

job_commands() {	# job_commands RELEASE
	printf '%s\n' "/bin/test_kmemleak clear" "${suite_commands[@]}" \
		/bin/test_faults "/bin/test_faults huge=1" \
		"/bin/test_torture $torture_seconds" \
		"/bin/sh /bin/trinity.sh $trinity_seconds" \
		"/bin/test_kmemleak check"
}

# The program whose allocations fail on purpose: init's log check accepts
# the allocator's reports of its failures, and nobody else's.
job_alloc_failures() {
	echo test_faults
}

# make debug, scripted (tests/lanes/gdb.sh), on each debug kernel in turn:
# a breakpoint in the module's mmap hook, and user_demo's call behind it.
job_after() {
	local flavour log
	for flavour in "${kernels[@]}"; do
		log=$SHMDEMO_TESTS/out/gdb-check-$flavour.log
		echo "# make debug, scripted, on $flavour"
		host_program "make debug KERNEL=$flavour" env SHMDEMO_GDB_CHECK=1 \
			"$SHMDEMO_TESTS/lanes/guest.sh" gdb "$flavour" | tee "$log"
		count "$log" "make debug ($flavour)"
	done
}
