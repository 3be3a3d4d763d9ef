#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lab's targets as a student types them, on one kernel, as TAP: a piped
# make shell session checked line by line, make race on a small N, make run
# with PAGES, ARGS and a module parameter on the kernel command line, and
# each error message that points home. Each guest case boots a guest.
# Usage: tests/host/test_lab.sh FLAVOUR
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour=${1:-$(kernel_default)}
unset SHMDEMO_APPEND PAGES ARGS N
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$SHMDEMO_TESTS/lib/tap.sh"
lab() { make -s --no-print-directory -C "$SHMDEMO_TOP" "$@"; }

# Does FILE hold LINES (one a line) in that order, one after the other?
has_lines() {	# has_lines FILE LINES
	awk -v want="$2" '
	BEGIN { n = split(want, w, "\n") }
	{ line[++count] = $0 }
	END {
		for (i = 1; i + n - 1 <= count; i++) {
			for (j = 1; j <= n && line[i + j - 1] == w[j]; j++)
				;
			if (j > n)
				exit 0
		}
		exit 1
	}' "$1"
}

show() { sed 's/^/# /' "$1"; }

release=$(cat "$("$SHMDEMO_TESTS/fetch/kernel.sh" "$flavour")/release")
tap_plan 22

# make shell with a pipe: the guide's three lines, then /src both ways:
# a module rebuilt on the host loaded from /src, a file written to /src.
rm -f "$SHMDEMO_TESTS/out/lab-9p"
lab guest-module KERNEL="$flavour" 2> /dev/null
printf '%s\n' 'insmod shmdemo.ko pages=4' 'cat /sys/class/misc/shmdemo/size' \
	'./user_demo -m hi' 'rmmod shmdemo' \
	"insmod /src/tests/out/$release/kmod/shmdemo.ko" \
	'cat /sys/class/misc/shmdemo/size' 'echo written > /src/tests/out/lab-9p' |
	lab shell KERNEL="$flavour" > "$tmp/shell" 2>&1
status=$?
want="guest:/root# insmod shmdemo.ko pages=4
guest:/root# cat /sys/class/misc/shmdemo/size
16384
guest:/root# ./user_demo -m hi
Child reads: hi
guest:/root# rmmod shmdemo
guest:/root# insmod /src/tests/out/$release/kmod/shmdemo.ko
guest:/root# cat /sys/class/misc/shmdemo/size
4096
guest:/root# echo written > /src/tests/out/lab-9p
guest:/root# "
has_lines "$tmp/shell" "$want" || { show "$tmp/shell"; false; }
ok $? "make shell, piped: each line echoed after the prompt, then its output"
ok "$status" "make shell, piped: exits 0 at the end of its input"
[ "$(cat "$SHMDEMO_TESTS/out/lab-9p" 2>/dev/null)" = written ]
ok $? "make shell: the guest writes to the source tree at /src"

# make race: the two lines, exactly, and the conditions.
lab race KERNEL="$flavour" N=20 > "$tmp/race" 2> "$tmp/race.err"
status=$?
grep -Eq '^seed_demo: [0-9]+ of 20 runs read no message$' "$tmp/race" &&
	[ "$(sed -n 2p "$tmp/race")" = "user_demo: 0 of 20 runs read no message" ] &&
	[ "$(wc -l < "$tmp/race")" -eq 2 ] || { show "$tmp/race"; show "$tmp/race.err"; false; }
ok $? "make race N=20 prints the two count lines, user_demo 0 of 20"
ok "$status" "make race exits 0 when user_demo never missed"
grep -q "^# Linux $release: parent and child on CPU 0 (sched_setaffinity), " "$tmp/race.err" ||
	{ show "$tmp/race.err"; false; }
ok $? "make race says on stderr which conditions held, CPU 0 first"

# race's rules, on the host with stand-in programs: "race run I of N" is
# each run's message; racy misses its first $MISSES runs.
race=$SHMDEMO_TESTS/out/host/tests/guest/race
programs_make make -s -C "$SHMDEMO_TOP/tests" PROGS=tests/guest/race
mkdir -p "$tmp/bin"
stand_in() {	# stand_in NAME SCRIPT
	printf '#!/bin/sh\n%s\n' "$2" > "$tmp/bin/$1" && chmod +x "$tmp/bin/$1"
}
stand_in racy 'i=${1#* run }; i=${i%% of *}
[ "$i" -le "$MISSES" ] && echo "Child reads: " || echo "Child reads: $1"'
stand_in exits3 'echo "Child reads: $1"; exit 3'
stand_in segv 'kill -SEGV $$'
stand_in user_demo '[ "$2" = "user_demo run 7 of 20" ] && echo "Child reads: " || echo "Child reads: $2"'
# race_case MISSES PROGRAM...: race 20 times each; output in $tmp/r, status
race_case() {
	local misses=$1
	shift
	MISSES=$misses "$race" --no-tuning 20 "$@" > "$tmp/r" 2>&1
}
race_case 1 "$tmp/bin/racy"
status=$?
[ "$status" -ne 0 ] && grep -q '^racy: 1 of 20 runs read no message$' "$tmp/r" &&
	grep -q '^inconclusive: racy missed in 1 of 20 runs, under 10%' "$tmp/r" ||
	{ show "$tmp/r"; false; }
ok $? "race: the racy program missing 1 of 20 (5%) is inconclusive, exit non-zero"
race_case 2 "$tmp/bin/racy"
status=$?
[ "$status" -eq 0 ] && ! grep -q inconclusive "$tmp/r" || { show "$tmp/r"; false; }
ok $? "race: missing 2 of 20 (10%) is conclusive, exit 0"
race_case 20 "$tmp/bin/racy" "$tmp/bin/exits3"
status=$?
[ "$status" -ne 0 ] && grep -q '^exits3: 0 of 20 runs read no message$' "$tmp/r" &&
	grep -q '^exits3: 20 of 20 runs crashed$' "$tmp/r" || { show "$tmp/r"; false; }
ok $? "race: a run that printed its message but exited 3 is a crash, exit non-zero"
race_case 20 "$tmp/bin/racy" "$tmp/bin/segv"
status=$?
[ "$status" -ne 0 ] && grep -q '^segv: 0 of 20 runs read no message$' "$tmp/r" &&
	grep -q '^segv: 20 of 20 runs crashed$' "$tmp/r" || { show "$tmp/r"; false; }
ok $? "race: a run killed by SIGSEGV is a crash, not a miss, exit non-zero"
race_case 20 "$tmp/bin/racy" "$tmp/bin/user_demo"
status=$?
[ "$status" -ne 0 ] && grep -q '^user_demo: 1 of 20 runs read no message$' "$tmp/r" ||
	{ show "$tmp/r"; false; }
ok $? "race: one miss of the correct program fails, exit non-zero"

# The host's verdict on a race console log (tests/lanes/race.sh), on crafted
# logs whose race exited 0: the lines decide, not the guest's status.
. "$SHMDEMO_TESTS/lanes/race.sh"
race_log() {	# race_log LINES: a race job's log around LINES
	printf '%s\n' 'shmdemo-guest: begin /bin/race 20 /bin/seed_demo /bin/user_demo' \
		"$@" 'shmdemo-guest: exit=0 /bin/race 20 /bin/seed_demo /bin/user_demo' \
		'shmdemo-guest: end status=0' > "$tmp/log"
	race_verdict "$tmp/log" > "$tmp/verdict" 2>&1
}
race_log 'seed_demo: 20 of 20 runs read no message' 'user_demo: 0 of 20 runs read no message' ||
	{ show "$tmp/verdict"; false; }
ok $? "make race's verdict: seed_demo 20 of 20, user_demo 0 of 20 passes"
race_log 'seed_demo: 1 of 20 runs read no message' \
	'inconclusive: seed_demo missed in 1 of 20 runs, under 10%' \
	'user_demo: 0 of 20 runs read no message'
[ $? -ne 0 ] && grep -q '^the race is inconclusive' "$tmp/verdict" ||
	{ show "$tmp/verdict"; false; }
ok $? "make race's verdict: an inconclusive line fails, and says so"
race_log 'seed_demo: 20 of 20 runs read no message' 'user_demo: 0 of 20 runs read no message' \
	'user_demo: 1 of 20 runs crashed'
[ $? -ne 0 ] && grep -q '^a run crashed' "$tmp/verdict" || { show "$tmp/verdict"; false; }
ok $? "make race's verdict: a crash line fails, and says so"

# make run: PAGES to insmod, ARGS to user_demo with its quotes.
lab run KERNEL="$flavour" PAGES=2 ARGS="-v -m 'two words'" > "$tmp/run" 2>&1
status=$?
grep -q '^user_demo: /dev/shmdemo: 8192 bytes' "$tmp/run" &&
	grep -qx 'Child reads: two words' "$tmp/run" && [ "$status" -eq 0 ] ||
	{ show "$tmp/run"; false; }
ok $? "make run PAGES=2 ARGS=\"-v -m 'two words'\": 8192 bytes, the two words"

# A module parameter on the kernel command line reaches insmod.
SHMDEMO_APPEND=shmdemo.pages=4 lab run KERNEL="$flavour" ARGS=-v > "$tmp/append" 2>&1
status=$?
grep -q '^user_demo: /dev/shmdemo: 16384 bytes' "$tmp/append" && [ "$status" -eq 0 ] ||
	{ show "$tmp/append"; false; }
ok $? "SHMDEMO_APPEND=shmdemo.pages=4 make run: 16384 bytes"

# Refusals, each before anything is built or booted.
refused() {	# refused MESSAGE COMMAND...: fails, and says MESSAGE
	local msg=$1 out
	shift
	out=$("$@" 2>&1 < /dev/null) && { echo "# exit 0: $out"; return 1; }
	grep -qF -- "$msg" <<< "$out" || { echo "# said: $out"; return 1; }
}
refused "make shell takes one KERNEL at a time, not '6.1 6.12'" \
	lab shell KERNEL="6.1 6.12"
ok $? "make shell with two KERNELs is refused"
refused "PAGES='x' is not a number of pages" lab run KERNEL="$flavour" PAGES=x &&
	refused "N='0' is not a number of runs" lab race KERNEL="$flavour" N=0 &&
	refused "unbalanced quotes" lab run KERNEL="$flavour" ARGS="-m 'x"
ok $? "PAGES, N and ARGS that cannot be used are refused, named"
refused "busybox insmod does not read the kernel command line; in make shell, type: insmod shmdemo.ko pages=4" \
	env SHMDEMO_APPEND=shmdemo.pages=4 make -s -C "$SHMDEMO_TOP" shell KERNEL="$flavour"
ok $? "a module parameter on the command line of make shell is refused, with what to type"
refused "make run      (or make shell" lab KERNELRELEASE=0.0-none modules &&
	refused "To build the user programs alone: make user" lab KERNELRELEASE=0.0-none
ok $? "make without kernel headers says how to build for a guest and the user programs alone"

# A compiler error is reported at kmod/shmdemo.c in the source tree.
mkdir -p "$tmp/tree" && (cd "$SHMDEMO_TOP" && cp -a --parents Kbuild kmod debian/changelog tests/lib tests/fetch tests/kernels \
	tests/arch "$tmp/tree")
echo 'static int syntax error here;' >> "$tmp/tree/kmod/shmdemo.c"
line=$(wc -l < "$tmp/tree/kmod/shmdemo.c")
(. "$tmp/tree/tests/lib/lib.sh" && build_module "$("$SHMDEMO_TESTS/fetch/kernel.sh" "$flavour")" "$tmp/out") \
	> "$tmp/cc" 2>&1
grep -q "^$tmp/tree/kmod/shmdemo.c:$line:[0-9]*: error:" "$tmp/cc" || { show "$tmp/cc"; false; }
ok $? "a compiler error names kmod/shmdemo.c:$line in the source tree"

# A shmdemo frame in a kernel report comes out as function (file:line).
out=$SHMDEMO_TESTS/out/$release
read -r size < <(nm -S "$out/kmod/shmdemo.ko" | awk '$4 == "shmdemo_ioctl" { print $2 }')
printf '[   12.345678] WARNING: CPU: 0 PID: 88 at somewhere\n[   12.345678] Call Trace:\n[   12.345678]  shmdemo_ioctl+0x10/0x%x [shmdemo]\n' \
	"0x$size" > "$tmp/oops"
"$SHMDEMO_TESTS/lanes/decode-oops.sh" "$tmp/oops" "$out" > "$tmp/decoded" 2>&1
first=$(grep -n '^static long shmdemo_ioctl(' "$SHMDEMO_TOP/kmod/shmdemo.c" | cut -d: -f1)
got=$(sed -n 's/.*shmdemo_ioctl (kmod\/shmdemo\.c:\([0-9]*\)).*/\1/p' "$tmp/decoded")
[ -n "$got" ] && [ "$got" -ge "${first:-1}" ] && [ "$got" -le $((first + 80)) ] ||
	{ show "$tmp/decoded"; false; }
ok $? "an oops frame shmdemo_ioctl+0x10 decodes to shmdemo_ioctl (kmod/shmdemo.c:$got)"

[ "$tap_failed" -eq 0 ]
