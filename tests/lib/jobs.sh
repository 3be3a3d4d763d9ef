# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh and tests/host/report-check.sh before the lane's own
# file (tests/lanes/JOB.sh).

# What a lane (a job the guest runs) is: a file of tests/lanes/, named for
# the job, that defines
#   job_programs              the programs its guest gets (tests/programs'
#                             paths, or absolute ones)
#   job_commands RELEASE      the command lines init runs, one a line
# and may define
#   job_alloc_failures        the programs whose allocations fail on purpose
#                             (init's log check accepts their reports)
#   job_key KERNEL_DIR RELEASE, job_stage STAGE KERNEL_DIR RELEASE
#                             more of the initramfs, and what keys it
#   job_resumes               (true) make JOB resumes the saved guest
#                             rather than booting (tests/lib/resume.sh)
#   job_before, job_after     checks on the host before the guests boot and
#                             after they are tallied, counted with them
#                             (count, tests/lib/tally.sh; make test's)
#   job_out RELEASE           the directory of its module, initramfs and
#                             console logs, named RELEASE (tests/out/RELEASE)
#   do_JOB                    how make JOB shows its guest (run, race,
#                             shell, module, bench); test and debug are
#                             tallied by tests/lanes/guest.sh
# This file holds what the lanes share: the suite, the expected counts,
# the parameters of make run, race and shell.
job_alloc_failures() { :; }
job_resumes() { false; }
job_key() { :; }
job_stage() { :; }
job_before() { :; }
job_after() { :; }
job_out() { echo "$SHMDEMO_TESTS/out/$1"; }

# Run a test program on the host, its TAP between the marks tally reads
# (job_before and job_after's checks).
host_program() {	# host_program NAME COMMAND...
	local name=$1 status=0
	shift
	echo "shmdemo-host: begin $name"
	"$@" || status=$?
	echo "shmdemo-host: exit=$status $name"
}

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
done < <(awk '!/^#/ && NF && $4 == "yes" { print $1, $2, $3 }' "$SHMDEMO_TESTS/programs")
suite_programs+=" /usr/bin/stress-ng"

# The suite's commands for RELEASE, on stdin. A kernel built without its
# architecture's option for 32-bit programs (ARCH_compat_option in
# tests/arch/; its configuration is the kernel directory's kconfig) runs
# none: each *32 command becomes a program that plans no case and says why
# ("1..0 # SKIP ..."), which tests/lib/tally.sh counts as skipped, never as
# passed, and the job's program list expects with 0 cases.
compat_skipped() {	# compat_skipped RELEASE
	local kdir=$SHMDEMO_TESTS/out/$1/kernel option
	option=$(< "$kdir/arch")_compat_option
	if ! grep -q "^${!option}=y" "$kdir/kconfig"; then
		sed "s|^/bin/\([a-z_]*32\)\$|/bin/echo '1..0 # SKIP \1: Linux $1 is built without ${!option}, so it runs no 32-bit program'|"
	else
		cat
	fi
}

# What tests/lib/tally.sh expects of the job on RELEASE, whose module and
# programs are in OUT_DIR: one line per command, "N<TAB>COMMAND", N the
# cases its plan must give, read from the program as built, never written
# here: a C test program's case table (the size of its cases[] array in its
# symbol table), a shell test program's "tap_plan N" line (tests/lib/tap.sh). Adding a case
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
	# struct test_case (tests/guest/harness.h): a name and a function, two pointers.
	case $size in
	''|*[!0-9a-fx]*|*$'\n'*) echo '?' ;;
	*)	if [ -n "$ptr" ] && [ $((size % (2 * ptr))) -eq 0 ]; then
			echo $((size / (2 * ptr)))
		else
			echo '?'
		fi ;;
	esac
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
# goes to insmod, as modprobe would take it from /proc/cmdline; the test
# programs take it before their own (make test-huge: shmdemo.huge=1), and
# the other jobs that load the module refuse it.
job_parameters() {
	local pages=${SHMDEMO_PAGES:-} word words=() from_cmdline=()
	for word in ${SHMDEMO_APPEND:-}; do
		case $word in shmdemo.*=*) from_cmdline+=("${word#shmdemo.}") ;; esac
	done
	if [ ${#from_cmdline[@]} -gt 0 ]; then
		case $job in
		run|race) ;;
		# The test programs put them before their own (harness.c).
		test|huge|debug) from_cmdline=() ;;
		shell)	die "SHMDEMO_APPEND=shmdemo.${from_cmdline[0]}: busybox insmod does not read the kernel command line; in make shell, type: insmod shmdemo.ko ${from_cmdline[*]}" ;;
		*)	die "SHMDEMO_APPEND=shmdemo.${from_cmdline[0]}: the $job job loads the module with its own parameters; module parameters work with make run, race, test and test-debug" ;;
		esac
		[ -z "$pages" ] || [ ${#from_cmdline[@]} -eq 0 ] ||
			die "PAGES=$pages and shmdemo.${from_cmdline[0]} on the kernel command line: give one of them"
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

