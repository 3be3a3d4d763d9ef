# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/guest.sh: counting the TAP results in a guest's log.
# tests/test_tally.sh checks it against crafted logs (make check).

# Count a log's TAP results. Each program runs between "begin" and "exit="
# marker lines; it must print a plan ("1..N") and then exactly N results. A
# program that printed no plan (whatever its exit status), stopped before
# its plan was done, reported more cases than planned, never got to its
# exit marker, or failed without a failing case counts as failures too: a
# crash must not pass for a short run.
tally() {	# tally LOG: prints "PASSED FAILED", and why for the hidden ones
	awk '
	function hidden(why) {
		bad++
		print "# " name ": " why > "/dev/stderr"
	}
	function close_block() {
		if (!open)
			return
		if (plan < 0)
			hidden("no TAP plan (" status ")")
		else if (done < plan) {
			bad += plan - done - 1
			hidden(plan - done " of " plan " cases never reported (" status ")")
		} else if (done > plan)
			hidden(done " cases reported, " plan " planned")
		else if (status != "exit status 0" && !failed_here)
			hidden(status " with no failing case")
		open = 0
	}
	/^shmdemo-(guest|host): begin / {
		close_block()
		name = $0; sub(/^[^:]*: begin /, "", name)
		open = 1; plan = -1; done = 0; failed_here = 0
		status = "it never got to its exit marker"; next
	}
	/^shmdemo-(guest|host): exit=/ {
		status = $2; sub(/^exit=/, "exit status ", status)
		close_block(); next
	}
	open && plan < 0 && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
	/^ok / { good++; done++; next }
	/^not ok / { bad++; done++; failed_here = 1; next }
	END { close_block(); print good + 0, bad + 0 }' "$1"
}

passed=0 failed=0
count() {	# count LOG NAME: add its results to the totals and the summary
	local p f
	read -r p f < <(tally "$1")
	passed=$((passed + p)) failed=$((failed + f))
	summary+=("$(printf '%-28s %4d passed, %d failed' "$2" "$p" "$f")")
}
