#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host side of the documents' checks, for make test: the checker's own
# cases, and each Spanish edition of tests/readme/docs against its English
# one. Each program's TAP between the begin and exit lines that
# tests/lib/tally.sh counts.
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
while read -r en es; do
	check "structure $es" perl tests/readme/readme.pl structure "$en" "$es"
done < <("$here/docs.sh" pairs)
