#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The saved guest (tests/lib/resume.sh) on one kernel, as TAP: a resumed
# make run prints what a booted one does, two resumed guests differ in
# their entropy and share nothing, a resumed guest has the host's time,
# and a truncated or unloadable state is saved anew while the run passes.
# Usage: tests/host/test_resume.sh FLAVOUR
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/boot.sh"

flavour=${1:-$(kernel_default)}
unset SHMDEMO_APPEND SNAPSHOT PAGES ARGS N
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$SHMDEMO_TESTS/lib/tap.sh"
lab() { make -s --no-print-directory -C "$SHMDEMO_TOP" "$@"; }
show() { sed 's/^/# /' "$@"; }

release=$(cat "$(kernel_dir "$flavour")/release")
out=$SHMDEMO_TESTS/out/$release
saved=$SHMDEMO_CACHE/saved/$release
tap_plan 9

# What make run says of user_demo, and its status: the transcript's
# lines, without init's kmsg count (a boot logs more than a resume).
run_lines() {	# run_lines NAME [VAR=VALUE...]: into $tmp/NAME.*
	local name=$1
	shift
	env "$@" make -s --no-print-directory -C "$SHMDEMO_TOP" run KERNEL="$flavour" \
		> "$tmp/$name.out" 2> "$tmp/$name.err"
	echo "exit $?" >> "$tmp/$name.out"
	grep -v '^# kmsg: ' "$tmp/$name.out" > "$tmp/$name.lines"
	cp "$out/console-run.log" "$tmp/$name.log"
}

# Fill the cache, then a resumed run and a booted one.
lab run KERNEL="$flavour" > /dev/null 2>&1
run_lines resumed
run_lines booted SNAPSHOT=0
# A resumed console begins with init's answer to the go line, a booted one
# with the boot's kernel lines: at any time of its uptime, since the
# console's log level hides the first second's (arm64-6.1's first line came
# at 1.34 s on a busy host).
[ "$(head -n 1 "$tmp/resumed.log")" = "shmdemo-guest: resumed" ] &&
	! grep -q '^shmdemo-guest: resumed' "$tmp/booted.log" &&
	grep -Eq '^\[ *[0-9]+\.[0-9]+\] ' <<< "$(head -n 1 "$tmp/booted.log")" &&
	cmp -s "$tmp/resumed.lines" "$tmp/booted.lines" &&
	grep -qx 'Child reads: Hello, child process!' "$tmp/resumed.lines" &&
	grep -qx 'exit 0' "$tmp/resumed.lines" ||
	{ show "$tmp"/resumed.{out,err} "$tmp"/booted.{out,err}
	  head -n 1 "$tmp"/resumed.log "$tmp"/booted.log | show; false; }
ok $? "make run resumed and SNAPSHOT=0 make run booted print the same lines, exit 0"

# Two resumed shells: each its own random state, nothing of the other.
shell_lines() {	# shell_lines NAME LINE...: into $tmp/NAME.*
	local name=$1
	shift
	printf '%s\n' "$@" | lab shell KERNEL="$flavour" > "$tmp/$name.out" 2> "$tmp/$name.err"
	echo "exit $?" >> "$tmp/$name.out"
	cp "$out/console-shell.log" "$tmp/$name.log"
}
uuid() { sed -n 's/^\([0-9a-f]\{8\}-[0-9a-f-]\{27\}\)$/\1/p' "$1"; }
shell_lines one 'cat /proc/sys/kernel/random/uuid' 'echo earlier > /tmp/earlier'
shell_lines two 'cat /proc/sys/kernel/random/uuid' 'cat /tmp/earlier'
u1=$(uuid "$tmp/one.out") u2=$(uuid "$tmp/two.out")
grep -q '^shmdemo-guest: resumed' "$tmp/one.log" && grep -q '^shmdemo-guest: resumed' "$tmp/two.log" &&
	[ -n "$u1" ] && [ -n "$u2" ] && [ "$u1" != "$u2" ] ||
	{ show "$tmp"/one.{out,err} "$tmp"/two.{out,err}; false; }
ok $? "two resumed guests give different /proc/sys/kernel/random/uuid ($u1, $u2)"
grep -q 'cat: can.t open ./tmp/earlier.: No such file or directory' "$tmp/two.out" &&
	grep -qx 'exit 0' "$tmp/two.out" || { show "$tmp"/two.{out,err}; false; }
ok $? "a file an earlier resumed guest wrote is not in the next one"

# This tree's saved guest (the cache may hold other copies' too, which
# other runs use meanwhile): its key as tests/lib/resume.sh makes it.
state=$(
	kdir=$(kernel_dir "$flavour" 2> /dev/null) job=run smp=2
	initramfs=$out/initramfs-base.cpio
	saved_qemu "$kdir" "$out"
	echo "$saved/$(saved_key "$out").zst"
)

# The clock: the host's time within 5 s, not the time of the save.
before=$(date +%s)
shell_lines clock 'date +%s'
after=$(date +%s)
guest=$(sed -n 's/^\([0-9]\{10\}\)$/\1/p' "$tmp/clock.out")
saved_at=$(stat -c %Y "$state.size")
grep -q '^shmdemo-guest: resumed' "$tmp/clock.log" && [ -n "$guest" ] &&
	[ "$guest" -ge $((before - 5)) ] && [ "$guest" -le $((after + 5)) ] ||
	{ show "$tmp"/clock.{out,err}; false; }
ok $? "a resumed guest's clock is the host's within 5 s (guest $guest, host $before to $after, saved at ${saved_at:-?})"

# A truncated state: removed, saved anew, and the run passes. Beside it,
# other keys' states: four with times ahead of any real one's and one a
# day ago; the save keeps the two used last (SAVED_KEEP), and removes the
# rest, real ones too.
[ -e "$state" ] || echo "# no $state: the cases below fail"
for i in 1 2 3 4 5; do
	echo "other $i" > "$saved/shmdemo-test-$i.zst"
	echo 8 > "$saved/shmdemo-test-$i.zst.size"
	touch -d "$((i == 5 ? -1440 : 10 - i)) minutes" "$saved/shmdemo-test-$i.zst"
done
truncate -s $(($(stat -c %s "$state") / 2)) "$state"
run_lines truncated
grep -q "^# the saved guest $state is not the size it was saved with: removed, saved anew" "$tmp/truncated.err" &&
	[ "$(stat -c %s "$state")" = "$(cat "$state.size")" ] &&
	grep -qx 'exit 0' "$tmp/truncated.out" &&
	grep -q '^shmdemo-guest: resumed' "$tmp/truncated.log" ||
	{ show "$tmp"/truncated.{out,err}; false; }
ok $? "a truncated state is saved anew, with one line, and make run passes"
left=$(cd "$saved" && ls -- *.zst *.size | LC_ALL=C sort | paste -sd' ')
[ "$left" = "$(printf '%s\n' "${state##*/}" "${state##*/}.size" shmdemo-test-{1,2}.zst{,.size} |
	LC_ALL=C sort | paste -sd' ')" ] || { echo "# left in $saved: $left"; false; }
ok $? "the save kept the kernel's two other states used last, and removed the rest"
rm -f "$saved"/shmdemo-test-*

# A corrupt state, its size unchanged (bytes in its middle overwritten),
# and one zstd cannot read (its first bytes overwritten): the same, for the
# reason WHY (grep -E), found as soon as QEMU or zstd gives up, not after
# resume_control's 30 s (QEMU 7.2 waits on for an empty stream, and the
# pid file it removes at its exit cannot say it is gone).
corrupt() {	# corrupt NAME OFFSET WHY
	printf 'shmdemo' | dd of="$state" bs=1 seek="$2" conv=notrunc status=none
	run_lines "$1"
	# The release as it is (6.12.118+deb12's + is no regex), the reason a regex.
	grep -F "# the saved guest of Linux $release did not resume (" "$tmp/$1.err" |
		grep -E "^# the saved guest of Linux [^ ]* did not resume \(($3)" > /dev/null &&
		[ "$(stat -c %s "$state")" = "$(cat "$state.size")" ] &&
		[ "$(od -An -tx1 -N4 "$state" | tr -d ' ')" = 28b52ffd ] &&
		grep -qx 'exit 0' "$tmp/$1.out" &&
		grep -q '^shmdemo-guest: resumed' "$tmp/$1.log" ||
		{ show "$tmp/$1".{out,err}; false; }
}
corrupt middle $(($(stat -c %s "$state") / 2)) 'QEMU did not load it|zstd found it corrupt'
ok $? "a corrupt state is saved anew, with one line (QEMU's or zstd's refusal), and make run passes"
corrupt start 0 'zstd found it corrupt'
ok $? "a state zstd cannot read is saved anew, with one line (zstd's refusal), and make run passes"

# The next run resumes what was saved: no save, no boot.
run_lines again
! grep -q '^# saving' "$tmp/again.err" && grep -q '^shmdemo-guest: resumed' "$tmp/again.log" &&
	grep -qx 'exit 0' "$tmp/again.out" || { show "$tmp"/again.{out,err}; false; }
ok $? "the run after a new save resumes it"

[ "$tap_failed" -eq 0 ]
