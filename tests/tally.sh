# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/guest.sh: counting the TAP results in a guest's log.

# must not pass for a short run.
tally() {	# tally LOG: prints "PASSED FAILED", and why for the hidden ones
	awk '
	function close_block() {
		if (!open)
			return
		missing = plan >= 0 ? plan - done : 0
		if (missing > 0) {
			bad += missing
			print "# " name ": " missing " of " plan " cases never reported" > "/dev/stderr"
		} else if (status != 0 && !failed_here) {
			bad++
			print "# " name ": exit status " status " with no failing case" > "/dev/stderr"
		}
		open = 0
	}
	/^shmdemo-(guest|host): begin / {
		name = $0; sub(/^[^:]*: begin /, "", name)
		open = 1; plan = -1; done = 0; failed_here = 0; next
	}
	/^shmdemo-(guest|host): exit=/ {
		status = $2; sub(/^exit=/, "", status); close_block(); next
	}
	open && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
	/^ok / { good++; done++; next }
	/^not ok / { bad++; done++; failed_here = 1; next }
	END { close_block(); print good + 0, bad + 0 }' "$1"
}

passed=0 failed=0 skipped=0
count() {	# count LOG NAME: add its results to the totals and the summary
	local p f s
	read -r p f < <(tally "$1")
	# A program the guest cannot run at all says so on a "# SKIP" line.
	s=$(grep -c '^# SKIP ' "$1") || true
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	summary+=("$(printf '%-28s %4d passed, %d failed' "$2" "$p" "$f")$(
		[ "$s" -eq 0 ] || echo ", $s skipped")")
}

