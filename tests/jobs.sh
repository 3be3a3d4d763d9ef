# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/guest.sh: what each job puts in the guest and runs there,
# and how run and bench show their results.

# The guest suite runs on Debian's kernels (test) and on the debug kernel:
# the rows of tests/programs marked suite, in order, each 32-bit build after
# its program, and what they use: user_demo (test_user_demo runs it) and
# stress-ng (clients.sh).
suite_programs=user/user_demo suite_commands=()
while read -r prog kind compat; do
	suite_programs+=" $prog"
	if [ "$kind" = script ]; then
		suite_commands+=("/bin/sh /bin/${prog##*/}")
		continue
	fi
	suite_commands+=("/bin/${prog##*/}")
	[ "$compat" != 32 ] || {
		suite_programs+=" ${prog}32"
		suite_commands+=("/bin/${prog##*/}32")
	}
done < <(awk '!/^#/ && NF && $4 == "yes" { print $1, $2, $3 }' "$SHMDEMO_TOP/tests/programs")
suite_programs+=" /usr/bin/stress-ng"

job_programs() {
	case $job in
	run)	echo user/user_demo ;;
	race)	echo user/user_demo tests/bench/seed_demo tests/guest/race ;;
	shell)	echo "${suite_programs%% /usr/bin/stress-ng}" tests/bench/seed_demo \
			tests/guest/race user/faults_demo user/mmap_try ;;
	test)	echo "$suite_programs" ;;
	bench)	echo user/user_demo tests/bench/bench tests/bench/seed_demo ;;
	debug)	echo "$suite_programs" tests/test_faults tests/test_kmemleak \
			tests/test_torture tests/guest/trinity.sh /usr/bin/trinity ;;
	esac
}

# The debug job's fuzzing: the torture's time before SHMDEMO_TIME_SCALE (the
# kernel's scale in tests/kernels: 6 on the debug kernels), and trinity's
# wall time, which is not scaled.
torture_seconds=${SHMDEMO_TORTURE_SECONDS:-10}
trinity_seconds=${SHMDEMO_TRINITY_SECONDS:-120}

job_commands() {	# job_commands RELEASE
	local ko=/lib/modules/$1/extra/shmdemo.ko
	case $job in
	run)	printf '%s\n' "/bin/insmod $ko${insmod_args:+ $insmod_args}" \
			"/bin/user_demo${run_args:+ $run_args}" "/bin/rmmod shmdemo" ;;
	race)	printf '%s\n' "/bin/insmod $ko${insmod_args:+ $insmod_args}" \
			"/bin/race $race_runs /bin/seed_demo /bin/user_demo" \
			"/bin/rmmod shmdemo" ;;
	shell)	;;
	test)	printf '%s\n' "${suite_commands[@]}" | compat_skipped "$1" ;;
	bench)	bench_commands "$ko" ;;
	debug)	printf '%s\n' "/bin/test_kmemleak clear" "${suite_commands[@]}" \
			/bin/test_faults "/bin/test_torture $torture_seconds" \
			"/bin/sh /bin/trinity.sh $trinity_seconds" \
			"/bin/test_kmemleak check" ;;
	esac
}

# The suite's commands for RELEASE, on stdin. A kernel built without its
# architecture's option for 32-bit programs (ARCH_compat_option in
# tests/arch/; its configuration is the kernel directory's kconfig) runs
# none: each *32 command becomes a program that plans no case and says why
# ("1..0 # SKIP ..."), which tests/tally.sh counts as skipped, never as
# passed, and the job's program list expects with 0 cases.
compat_skipped() {	# compat_skipped RELEASE
	local kdir=$SHMDEMO_TOP/tests/out/$1/kernel option
	option=$(cat "$kdir/arch")_compat_option
	if ! grep -q "^${!option}=y" "$kdir/kconfig"; then
		sed "s|^/bin/\([a-z_]*32\)\$|/bin/echo '1..0 # SKIP \1: Linux $1 is built without ${!option}, so it runs no 32-bit program'|"
	else
		cat
	fi
}

# What tests/tally.sh expects of the job on RELEASE, whose module and
# programs are in OUT_DIR: one line per command, "N<TAB>COMMAND", N the
# cases its plan must give, read from the program as built, never written
# here: a C test program's case table (the size of its cases[] array in its
# symbol table), a shell test program's "tap_plan N" line (tests/tap.sh). Adding a case
# to a program needs nothing here. "?" when N cannot be read, which fails.
job_expected() {	# job_expected OUT_DIR RELEASE
	local cmd
	job_commands "$2" | while IFS= read -r cmd; do
		case $cmd in '#'*|'') continue ;; esac
		printf '%s\t%s\n' "$(expected_cases "$1" "$cmd")" "$cmd"
	done
}

# The file the guest runs as the program NAME of the job.
program_file() {	# program_file OUT_DIR NAME
	local prog
	for prog in $(job_programs); do
		[ "${prog##*/}" = "$2" ] || continue
		guest_file "$(guest_arch "$1")" "$prog"
		return
	done
	return 1
}

# The case count COMMAND's plan must give; "?" if it cannot be read.
expected_cases() {	# expected_cases OUT_DIR COMMAND
	local words file table size ptr n
	read -ra words <<< "$2"
	case ${words[0]} in
	/bin/echo)
		case $2 in *"'1..0 # SKIP "*) echo 0 ;; *) echo '?' ;; esac
		return ;;
	/bin/sh)
		file=$(program_file "$1" "${words[1]##*/}") || { echo '?'; return; }
		n=$(sed -n 's/^tap_plan \([0-9][0-9]*\)$/\1/p' "$file")
		case $n in ''|*[!0-9]*) echo '?' ;; *) echo "$n" ;; esac
		return ;;
	esac
	# Which table of cases a C program runs, by its arguments.
	case ${words[0]##*/} in
	test_user_demo|test_user_demo32) table=guest_cases ;;
	test_kmemleak)	table=${words[1]:-}_cases ;;
	*)		table=cases ;;
	esac
	file=$(program_file "$1" "${words[0]##*/}") || { echo '?'; return; }
	size=$(readelf -sW "$file" 2>/dev/null |
		awk -v t="$table" '$8 == t && $4 == "OBJECT" { print $3 }') || true
	case $(readelf -h "$file" 2>/dev/null | awk '$1 == "Class:" { print $2 }') in
	ELF64)	ptr=8 ;;
	ELF32)	ptr=4 ;;
	*)	ptr= ;;
	esac
	# struct test_case (tests/harness.h): a name and a function, two pointers.
	case $size in
	''|*[!0-9a-fx]*|*$'\n'*) echo '?' ;;
	*)	if [ -n "$ptr" ] && [ $((size % (2 * ptr))) -eq 0 ]; then
			echo $((size / (2 * ptr)))
		else
			echo '?'
		fi ;;
	esac
}

# The programs whose allocations fail on purpose: init's log check accepts
# the allocator's reports of their failures, and nobody else's.
job_alloc_failures() {
	case $job in
	debug)	echo test_faults ;;
	esac
}

# With 2 vCPUs every section; with 1 the handoff only.
bench_commands() {	# bench_commands MODULE
	echo "/bin/insmod $1 pages=65536"
	if [ "$smp" -eq 1 ]; then
		echo "/bin/bench handoff"
	else
		echo "/bin/bench map handoff fanout"
		echo "/bin/bench e2e /bin/user_demo /bin/seed_demo"
	fi
	echo "/bin/rmmod shmdemo"
}

# WORD quoted for init's job lines (and for sh): as it is if it is plain.
quote_word() {	# quote_word WORD
	case $1 in
	''|*[!A-Za-z0-9_./=:,+@%-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
	*)	printf '%s' "$1" ;;
	esac
}

# make run/race/shell's parameters, from the Makefile's PAGES, ARGS and N,
# into insmod_args, run_args (quoted words) and race_runs. A module
# parameter on the kernel command line (shmdemo.pages=4 in SHMDEMO_APPEND)
# goes to insmod, as modprobe would take it from /proc/cmdline; jobs that
# load the module with their own parameters refuse it.
job_parameters() {
	local pages=${SHMDEMO_PAGES:-} word words=() from_cmdline=()
	for word in ${SHMDEMO_APPEND:-}; do
		case $word in shmdemo.*=*) from_cmdline+=("${word#shmdemo.}") ;; esac
	done
	if [ ${#from_cmdline[@]} -gt 0 ]; then
		case $job in
		run|race) ;;
		shell)	die "SHMDEMO_APPEND=shmdemo.${from_cmdline[0]}: busybox insmod does not read the kernel command line; in make shell, type: insmod shmdemo.ko ${from_cmdline[*]}" ;;
		*)	die "SHMDEMO_APPEND=shmdemo.${from_cmdline[0]}: the $job job loads the module with its own parameters; module parameters work with make run and make race" ;;
		esac
		[ -z "$pages" ] || die "PAGES=$pages and shmdemo.${from_cmdline[0]} on the kernel command line: give one of them"
	fi
	if [ -n "$pages" ]; then
		case $job in run|race) ;; *) die "PAGES is for make run and make race; in make shell, type: insmod shmdemo.ko pages=$pages" ;; esac
		case $pages in
		*[!0-9]*|0*) die "PAGES='$pages' is not a number of pages (1 or more)" ;;
		esac
		from_cmdline+=("pages=$pages")
	fi
	insmod_args=
	for word in "${from_cmdline[@]}"; do
		insmod_args+="${insmod_args:+ }$(quote_word "$word")"
	done
	run_args=
	if [ -n "${SHMDEMO_ARGS:-}" ]; then
		[ "$job" = run ] || die "ARGS is for make run (user_demo's options)"
		# xargs splits as sh does ('...', "...", \), with no expansion.
		printf '%s\n' "$SHMDEMO_ARGS" | xargs -r printf '' 2>/dev/null ||
			die "ARGS=$SHMDEMO_ARGS: unbalanced quotes"
		mapfile -d '' words < <(printf '%s\n' "$SHMDEMO_ARGS" | xargs -r printf '%s\0')
		for word in "${words[@]}"; do
			run_args+="${run_args:+ }$(quote_word "$word")"
		done
	fi
	race_runs=${SHMDEMO_RACE_RUNS:-500}
	case $race_runs in
	*[!0-9]*|0*|'') die "N='$race_runs' is not a number of runs (1 or more)" ;;
	esac
}

do_run() {	# do_run KERNEL_DIR OUT_DIR
	local log=$2/console-run.log status
	# The console has the kernel's warnings (tests/boot.sh): the boot's and
	# the taint notice are hidden here, the log keeps them.
	boot "$1" "$2" "$log" 120 | awk '
		/^\[ *[0-9.]*\] / && !begun { next }
		/^\[ *[0-9.]*\] [a-z_]+: loading out-of-tree module taints kernel\.$/ { next }
		/^shmdemo-guest: begin / { begun = 1; sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
		/^shmdemo-guest: exit=0 / || /^shmdemo-guest: end / || /^ok / { next }
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
	if printf '%s\n' "$lines" | grep -q ' runs crashed$'; then
		say "a run crashed (a signal or a non-zero exit): see $1"
		status=1
	fi
	if printf '%s\n' "$lines" | grep -q '^inconclusive: '; then
		say "the race is inconclusive: seed_demo's child did not run first often enough"
		status=1
	fi
	if printf '%s\n' "$lines" | grep -Eq '^user_demo: [1-9][0-9]* of [0-9]+ runs read no message$'; then
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

# Boot with 2 vCPUs, then 1; collect the figures, then the report.
do_bench() {	# do_bench KERNEL_DIR OUT_DIR RELEASE
	local out=$SHMDEMO_TOP/tests/bench/out log ok=0 smp
	mkdir -p "$out"
	bench_header "$1" "$3" > "$out/bench.csv"
	for smp in 2 1; do
		make_initramfs "$2" "$3"
		log=$2/console-bench-$smp.log
		say "# guest: Linux $3, $smp vCPU(s)"
		boot "$1" "$2" "$log" 1800 | awk '
			/^\[ *[0-9.]*\] / && !begun { next }
			/^\[ *[0-9.]*\] [a-z_]+: loading out-of-tree module taints kernel\.$/ { next }
			/^shmdemo-guest: begin / { begun = 1; sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
			/^shmdemo-guest: / || /^ok / || /^\[ *[0-9.]*\] reboot: / { next }
			/^# [a-z]+ [a-z_]+ [0-9]+:/ { next }	# the raw samples
			{ print }' >&2 || true
		if ! guest_finished "$log" ||
		   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$log"; then
			say "a measurement failed to run: see $log"
			ok=1
		fi
		grep '^bench,' "$log" | cut -d, -f2- >> "$out/bench.csv" || true
	done
	echo "# host load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" \
		>> "$out/bench.csv"
	"$SHMDEMO_TOP/tests/bench/report.sh" "$out/bench.csv" || ok=1
	return "$ok"
}

# What the figures were taken on, as CSV comment lines, and the column names.
bench_header() {	# bench_header KERNEL_DIR RELEASE
	local qemu
	qemu_command "$1"
	echo "# guest: Linux $2, $(cat "$1/memory")iB, $(accel "$1")," \
		"$("${qemu[0]}" --version | head -1)"
	echo "# host: $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
		"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "section,case,param,vcpus,reps,median_us,min_us,max_us"
}

