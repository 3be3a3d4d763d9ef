# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: counting the TAP results in a guest's log.
# tests/host/test_tally.sh checks it against crafted logs (make check).

# Count a log's TAP results. Each program runs between "begin" and "exit="
# marker lines; it must print a plan ("1..N") and then exactly N results,
# numbered 1 to N in order. A program that printed no plan (whatever its
# exit status), stopped before its plan was done, reported more cases than
# planned, repeated or skipped a test number, never got to its exit marker,
# or failed without a failing case counts as failures too: a crash must not
# pass for a short run. A log with no program at all fails.
#
# Skips are never passes: "ok N - x # SKIP why" is a skipped case, a plan
# "1..0 # SKIP why" a skipped program, and a "# SKIP why" line outside any
# program a skipped program too (inside a program it is a comment, and the
# program is judged by its plan).
#
# EXPECTED, if given, is the job's program list (tests/lib/jobs.sh,
# job_expected): one line per program, "N<TAB>COMMAND", N the number of
# cases its plan must give. Every program of the list must begin and exit
# (once per line), none other may run, and each must plan exactly its N
# cases: a mismatch fails, naming the program. An empty list fails.
tally() {	# tally LOG [EXPECTED]: prints "PASSED FAILED SKIPPED EXPECTED_CASES"
	awk -v expected="${2:-}" '
	function hidden(why) {
		bad++
		print "# " name ": " why > "/dev/stderr"
	}
	function skip_directive(line) {
		return line ~ /#[ \t]*[Ss][Kk][Ii][Pp]([^A-Za-z]|$)/
	}
	function close_block() {
		if (!open)
			return
		if (plan < 0)
			hidden("no TAP plan (" status ")")
		else if (skip_all) {
			if (done > 0)
				hidden(done " cases reported after a plan that skips them all")
			else if (status != "exit status 0")
				hidden("skipped all its cases, then " status)
			else
				skipped++
		} else if (plan == 0)
			hidden("a plan of no case, and no SKIP to say why")
		else if (done < plan) {
			bad += plan - done - 1
			hidden(plan - done " of " plan " cases never reported (" status ")")
		} else if (done > plan)
			hidden(done " cases reported, " plan " planned")
		else if (status != "exit status 0" && !failed_here)
			hidden(status " with no failing case")
		if (expected != "" && (name in want_cases) && plan >= 0) {
			if (want_cases[name] == "?")
				hidden("no expected case count: tests/lib/jobs.sh could not read one from the program")
			else if (plan != want_cases[name])
				hidden("planned " plan " cases, the job expects " want_cases[name] " (its case table as built; see tests/lib/jobs.sh, job_expected)")
		}
		open = 0
	}
	# A result line: its test number must be the next one.
	function result(line, passed,    n) {
		n = line
		sub(/^(not )?ok/, "", n)
		if (n ~ /^ +[0-9]+([^0-9]|$)/) {
			sub(/^ +/, "", n); sub(/[^0-9].*/, "", n); n += 0
		} else
			n = -1
		done++
		if (skip_all)
			return	# close_block() fails the program
		if (n != done) {
			hidden(n < 0 ? "result " done " has no test number" : \
			       "test number " n " where " done " was due (a repeat or a gap)")
			return
		}
		if (!passed) {
			bad++
			failed_here = 1
		} else if (skip_directive(line))
			skipped++
		else
			good++
	}
	BEGIN {
		while (expected != "" && (getline line < expected) > 0) {
			if (line == "" || line ~ /^#/)
				continue
			tab = index(line, "\t")
			cmd = substr(line, tab + 1)
			want[cmd]++
			want_cases[cmd] = substr(line, 1, tab - 1)
			order[++nwant] = cmd
			if (want_cases[cmd] ~ /^[0-9]+$/)
				expected_cases += want_cases[cmd]
		}
		if (expected != "")
			close(expected)
	}
	FNR == 1 && expected != "" && !nwant {
		name = "the job"
		hidden("its program list is empty: the guest was asked to run nothing")
	}
	/^shmdemo-(guest|host): begin / {
		close_block()
		name = $0; sub(/^[^:]*: begin /, "", name)
		open = 1; plan = -1; done = 0; failed_here = 0; skip_all = 0
		programs++
		status = "it never got to its exit marker"
		if (expected != "") {
			if (want[name] > 0)
				want[name]--
			else
				hidden("ran, but is not in the job'"'"'s program list")
		}
		next
	}
	/^shmdemo-(guest|host): exit=/ {
		status = $2; sub(/^exit=/, "exit status ", status)
		close_block(); next
	}
	open && plan < 0 && /^1\.\.[0-9]+[ \t]*(#.*)?$/ {
		plan = $0; sub(/^1\.\./, "", plan); sub(/[^0-9].*/, "", plan)
		plan += 0
		skip_all = plan == 0 && skip_directive($0)
		next
	}
	open && /^ok([ \t]|$)/ { result($0, 1); next }
	open && /^not ok([ \t]|$)/ { result($0, 0); next }
	# Outside any program: init'"'"'s own checks, and programs skipped whole.
	/^ok([ \t]|$)/ { if (skip_directive($0)) skipped++; else good++; next }
	/^not ok([ \t]|$)/ { bad++; next }
	!open && /^# SKIP / { skipped++; next }
	END {
		close_block()
		name = "the log"
		if (NR == 0 && expected != "" && !nwant)
			hidden("its program list is empty: the guest was asked to run nothing")
		if (!programs && !skipped)
			hidden("no program ran, and none said it skipped")
		for (i = 1; i <= nwant; i++) {
			cmd = order[i]
			while (want[cmd] > 0) {
				want[cmd]--
				name = cmd
				hidden("in the job'"'"'s program list, never began")
			}
		}
		print good + 0, bad + 0, skipped + 0, expected_cases + 0
	}' "$1"
}

# The last line of every run (make test, check, test-debug, test-vm):
# "N passed, N failed", and ", N skipped" when any was.
tally_summary() {	# tally_summary PASSED FAILED SKIPPED
	echo "$1 passed, $2 failed$([ "$3" -eq 0 ] || echo ", $3 skipped")"
}

passed=0 failed=0 skipped=0
count() {	# count LOG NAME [EXPECTED]: add its results to the totals and the summary
	local p f s e
	read -r p f s e < <(tally "$1" "${3:-}")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	summary+=("$(printf '%-28s %4d passed, %d failed' "$2" "$p" "$f")$(
		[ "$s" -eq 0 ] || echo ", $s skipped")$(
		[ -z "${3:-}" ] || echo " ($e cases expected, and init's checks)")")
}
