# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make grade. A student's workspace
# (make exercise N: course/exercises/workspace.sh) is built for the guest
# kernel, its module in place of the tree's, and the exercise's checker
# (course/exercises/N-NAME/check.c) runs in the guest. The output is TAP,
# one case per TODO of the exercise, named after it, and a last line
# "score: X/Y"; the exit status is 0 for a full score. A case the checker
# skips, as it cannot judge it on this kernel (a TODO on the other mmap
# path), counts neither way: Y is the TODOs judged.
#   SHMDEMO_EXERCISE  the exercise's number
#   SHMDEMO_WORK      the workspace (default: exercises/N in the tree)

exercise=${SHMDEMO_EXERCISE:-}
[ -n "$exercise" ] || die "which exercise? make grade N (the numbers: $("$SHMDEMO_TOP/course/exercises/workspace.sh" list | paste -sd' '))"
exercise_dir=$("$SHMDEMO_TOP/course/exercises/workspace.sh" dir "$exercise") || exit
work=${SHMDEMO_WORK:-$SHMDEMO_TOP/exercises/$exercise}
[ -d "$work/kmod" ] || die "no workspace in $work: make exercise $exercise writes it"
work=$(cd "$work" && pwd)
# The workspace's kmod/shmdemo.c and kmod/uapi replace the tree's (build_module).
export SHMDEMO_MODULE_SRC=$work
bin=$work/.out/bin

# The exercise's TODOs, "NUMBER<TAB>TEXT" a line, from its solution.
mapfile -t grade_todos < <("$SHMDEMO_TOP/course/exercises/workspace.sh" todos "$exercise")
[ ${#grade_todos[@]} -gt 0 ] || die "$exercise_dir/solution.patch has no TODO"

# The student's programs: user/*.c of the workspace, one program each.
student_programs() {
	local f
	for f in "$work"/user/*.c; do
		[ -e "$f" ] && echo "$bin/$(basename "$f" .c)"
	done
	return 0
}

# The amd64 kernels the exercise is meant for (its folder's file lanes).
grade_kernels() {
	"$SHMDEMO_TOP/course/exercises/workspace.sh" kernels "$exercise" amd64
}

job_out() { echo "$work/.out/$1"; }

job_programs() {
	echo user/user_demo "$bin/check" $(student_programs)
}

job_commands() {	# job_commands RELEASE
	echo /bin/check
}

job_resumes() { :; }

# make check's memory-model rule (tests/litmus/code.sh) on the workspace's
# module, for a checker to read in the guest: /etc/shmdemo/litmus-code,
# "holds", or "broken" and what code.sh said (exercise 9's RESET).
litmus_code() { echo "$work/.out/litmus-code"; }
job_key() { cat "$(litmus_code)"; }
job_stage() { cp "$(litmus_code)" "$1/etc/shmdemo/litmus-code"; }

# Every TODO failed, with WHY: the code did not build, or the guest never
# reported it.
grade_all_failed() {	# grade_all_failed WHY
	local todo
	tap_plan "${#grade_todos[@]}"
	for todo in "${grade_todos[@]}"; do
		ok 1 "TODO ${todo%%$'\t'*}: ${todo#*$'\t'} # $1"
	done
	echo "score: 0/${#grade_todos[@]}"
	exit 1
}

# Build everything before the guest: the checker and the student's programs
# with the host's compiler (amd64 guests take them), then the module, in the
# kernel's build root. Anything that does not build scores nothing.
job_before() {
	local kdir out f says cflags=(-I"$work/kmod/uapi" -Wall -Wextra -O2 -g)
	[ "$(kernel_field "$kernel_arg" arch)" = amd64 ] ||
		die "make grade runs on x86-64 guests: its programs are the host's build"
	mkdir -p "$bin"
	{ if says=$("$SHMDEMO_TESTS/litmus/code.sh" "$work/kmod/shmdemo.c" 2>&1); then
		echo holds
	else
		echo broken && printf '%s\n' "$says"
	fi; } > "$(litmus_code)"
	echo "# exercise $exercise (${exercise_dir##*/}), workspace $work, Linux $kernel_arg"
	# An exercise may be meant for some kernels (the debug kernels'
	# KASAN, 7.x's .mmap_prepare): elsewhere it is graded all the same,
	# with a note.
	grep -qxF -- "$kernel_arg" <<< "$(grade_kernels)" ||
		echo "# exercise $exercise is meant for the kernels $(grade_kernels | paste -sd' ') (make grade $exercise KERNEL=$(grade_kernels | head -n 1)): on $kernel_arg its checker may not see what it looks for"
	cc "${cflags[@]}" -Werror -I"$SHMDEMO_TESTS/guest" -o "$bin/check" \
		"$exercise_dir/check.c" "$SHMDEMO_TESTS"/guest/{harness,device}.c ||
		die "the checker $exercise_dir/check.c does not build"
	for f in $(student_programs); do
		cc "${cflags[@]}" -o "$f" "$work/user/${f##*/}.c" ||
			grade_all_failed "$work/user/${f##*/}.c does not build"
	done
	# guest.sh fetches it again next, and says which release it is.
	kdir=$(kernel_dir "$kernel_arg" 2> /dev/null) || kdir=$(kernel_dir "$kernel_arg")
	out=$(job_out "$(cat "$kdir/release")")
	module_up_to_date "$kdir" "$out" || build_module "$kdir" "$out" ||
		grade_all_failed "$work/kmod/shmdemo.c does not build for Linux $(cat "$kdir/release")"
}

# Boot, run the checker, and print its cases and the score. A case the
# checker never reported (a crash, a hang, a panic) is a failed one.
do_grade() {	# do_grade KERNEL_DIR OUT_DIR
	local log=$2/console-grade.log expected=$2/expected-grade.txt line n=0 x=0 y=${#grade_todos[@]} skipped=0
	local todo e lines
	echo "# running the checker in Linux ${2##*/}, in QEMU"
	boot "$1" "$2" "$log" 300 > /dev/null || true
	job_expected "$2" "${2##*/}" > "$expected"
	# The checker's lines, between its markers.
	mapfile -t lines < <(sed -n '\|^shmdemo-guest: begin /bin/check|,\|^shmdemo-guest: exit=|p' "$log" |
		grep -E '^(ok|not ok|#) ' || true)
	tap_plan "$y"
	for todo in "${grade_todos[@]}"; do
		n=$((n + 1))
		line=$(printf '%s\n' "${lines[@]}" | grep -E "^(not )?ok $n - TODO ${todo%%$'\t'*}:" || true)
		if [ -z "$line" ]; then
			ok 1 "TODO ${todo%%$'\t'*}: ${todo#*$'\t'} # the checker never reported it"
			continue
		fi
		# Its diagnostics: the comment lines before it.
		printf '%s\n' "${lines[@]}" | awk -v n="$n" '
			/^(not )?ok / { if ($0 ~ "^(not )?ok " n " ") { printf "%s", held; exit } held = ""; next }
			{ held = held $0 "\n" }'
		# The checker's line as it printed it, numbered as the TODO's.
		case $line in not*) ok 1 "${line#not ok $n - }" ;; *) ok 0 "${line#ok $n - }" ;; esac
		case $line in ok*'# SKIP'*) skipped=$((skipped + 1)) ;; ok*) x=$((x + 1)) ;; esac
	done
	# The checker and init's own checks must hold too: a plan of other
	# than one case per TODO, a crash, or a kernel report.
	read -r _ _ _ e < <(tally "$log" "$expected" 2> "$2/tally-grade.txt")
	cat "$2/tally-grade.txt"
	[ "$e" = "$y" ] || echo "# the checker has $e cases, the exercise $y TODOs"
	grep -E '^not ok - |^# kernel: ' "$log" || true
	guest_finished "$log" || echo "# the guest did not finish: see $log"
	echo "score: $x/$((y - skipped))"
	[ "$x" -eq $((y - skipped)) ] && [ "$x" -gt 0 ]
}
