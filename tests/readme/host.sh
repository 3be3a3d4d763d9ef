#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host side of the README checks, for make test: the checker's own
# cases, and README.es.md against README.md. Each program's TAP between
# the begin and exit lines that tests/lib/tally.sh counts.
here=$(cd "$(dirname "$0")" && pwd)
top=${here%/tests/readme}

check() {	# check NAME COMMAND...
	local status=0
	echo "shmdemo-host: begin $1"
	shift
	(cd "$top" && "$@") || status=$?
	echo "shmdemo-host: exit=$status"
}

check readme-selftest tests/readme/selftest.sh
check readme-structure perl tests/readme/readme.pl structure README.md README.es.md
