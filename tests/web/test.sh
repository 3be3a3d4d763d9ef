#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-web: make web's site (SHMDEMO_WEB), its size and boot.json
# checked, then booted in Debian's headless chromium (tests/web/chromium.py)
# and in Node (tests/web/node.mjs), each typing what a student would:
# insmod, user_demo -m web, make race's loop at a small N, rmmod, dmesg.
# Each console is judged here: one TAP line per step, between the host's
# program markers, and the last line "N passed, N failed"
# (tests/lib/tally.sh).
# SHMDEMO_WEB_RUNS: race's runs of each program (20).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/tap.sh"
. "$SHMDEMO_TESTS/lib/tally.sh"
. "$SHMDEMO_TESTS/lib/reports.sh"

web=${SHMDEMO_WEB:?make test-web sets SHMDEMO_WEB}
[ -e "$web/boot.json" ] || die "no site in $web: run make web first"
"$SHMDEMO_TESTS/fetch/deps.sh" test-web
runs=${SHMDEMO_WEB_RUNS:-20}
out=$SHMDEMO_TESTS/out/web-test
mkdir -p "$out"

# What is typed, each command followed by a line that prints its exit status.
steps=("insmod shmdemo.ko" "./user_demo -m web"
       "./race $runs ./seed_demo ./user_demo" "rmmod shmdemo"
       "test -e /sys/module/shmdemo" "dmesg")
typed=()
for i in "${!steps[@]}"; do
	typed+=("${steps[i]}" "echo \"step=$((i + 1)) exit=\$?\"")
done

# STEP's exit status in LOG, as its echo line printed it.
step_exit() {	# step_exit LOG STEP
	sed -n "s/^step=$2 exit=\([0-9]*\)\$/\1/p" "$1"
}

# Judge one browser's run: TIMES, its driver's "# time" lines; LOG, its
# console with the carriage returns and escape sequences taken out.
judge() {	# judge NAME LOG TIMES
	local name=$1 log=$2 times=$3 prompt lines reports first
	tap_plan 7
	cat "$times"
	prompt=$(sed -n 's/^# time prompt \([0-9.]*\)$/\1/p' "$times")
	ok "$([ -n "$prompt" ]; echo $?)" "$name: a prompt in /root${prompt:+ after $prompt s}"
	ok "$([ "$(step_exit "$log" 1)" = 0 ]; echo $?)" "$name: insmod shmdemo.ko"
	ok "$(grep -qx 'Child reads: web' "$log" && [ "$(step_exit "$log" 2)" = 0 ]; echo $?)" \
		"$name: ./user_demo -m web prints Child reads: web"
	# user_demo must never miss, nor crash; how often seed_demo missed
	# (make race's "inconclusive" under 10%) depends on the emulator's
	# timing, and is only shown.
	ok "$(grep -qx "user_demo: 0 of $runs runs read no message" "$log" &&
		! grep -q ' runs crashed$' "$log"; echo $?)" \
		"$name: race $runs: $(grep -m1 '^user_demo: ' "$log" || echo 'no user_demo line')$(
		sed -n '1s/^seed_demo: \(.*\)/ (seed_demo: \1)/p' <(grep '^seed_demo: ' "$log"))"
	ok "$([ "$(step_exit "$log" 4)" = 0 ]; echo $?)" "$name: rmmod shmdemo"
	ok "$([ "$(step_exit "$log" 5)" = 1 ]; echo $?)" "$name: no /sys/module/shmdemo after rmmod"
	read -r lines reports first < <(console_reports "$log")
	ok "$([ "$reports" -eq 0 ] && [ "$lines" -gt 0 ]; echo $?)" \
		"$name: no kernel report in dmesg ($lines kernel lines${first:+; the first report: $first})"
}

# Run DRIVER... (it writes the raw console to $out/NAME.raw), then judge
# it between the host's program markers, into $out/NAME.tap.
browser() {	# browser NAME DRIVER...
	local name=$1 raw=$out/$1.raw log=$out/console-$1.log status=0
	shift
	rm -f "$raw" "$log"
	echo "# $name: booting $web"
	"$@" "$web" "$raw" 600 "${typed[@]}" > "$out/$name.times" || status=$?
	[ -e "$raw" ] || : > "$raw"
	tr -d '\r' < "$raw" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' > "$log"
	{
		echo "shmdemo-host: begin web $name"
		tap_n=0
		judge "$name" "$log" "$out/$name.times"
		echo "shmdemo-host: exit=$status web $name"
	} | tee "$out/$name.tap"
	count "$out/$name.tap" "web lab ($name)"
	say "console log: $log"
}

# The site itself: within its budget, and every file boot.json names there.
budget=$((15 * 1000 * 1000))
site() {
	local size missing
	tap_plan 2
	size=$(du -sb "$web" | cut -f1)
	ok "$([ "$size" -le "$budget" ]; echo $?)" "site: $size bytes, the budget $budget"
	missing=$(/usr/bin/python3 -c 'import json, os, sys
boot = json.load(open(os.path.join(sys.argv[1], "boot.json")))
for key in "kernel", "initrd", "bios", "vga_bios", "wasm":
    if not os.path.isfile(os.path.join(sys.argv[1], boot.get(key, ""))):
        print(key)' "$web" | paste -sd' ')
	ok "$([ -z "$missing" ]; echo $?)" "site: boot.json's kernel, initrd, bios, vga_bios and wasm are its files${missing:+ (missing: $missing)}"
}

summary=()
{
	echo "shmdemo-host: begin web site"
	site
	echo "shmdemo-host: exit=0 web site"
} | tee "$out/site.tap"
count "$out/site.tap" "web lab (the site)"
browser chromium /usr/bin/python3 "$SHMDEMO_TESTS/web/chromium.py"
SHMDEMO_V86_MODULE=$("$SHMDEMO_TESTS/web/npm.sh" v86)/build/libv86.mjs \
	browser node node "$SHMDEMO_TESTS/web/node.mjs"
printf '%s\n' "${summary[@]}"
tally_summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
