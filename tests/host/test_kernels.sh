#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel table, tests/kernels, and its reader, tests/lib/kernels.sh: the
# real table taken whole, its profiles known to the private apt; the
# reader's lanes, defaults and cells on a crafted table, and one bad row per
# way a row can be wrong, each refused with its line named. Prints nothing when all hold; otherwise a line per miss. Run
# by make check.
set -euo pipefail
tests=$(cd "$(dirname "$0")/.." && pwd)
. "$tests/lib/kernels.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
miss() { echo "$*"; status=1; }

# expect WHAT WANT COMMAND...: COMMAND's output, on one line, is WANT.
expect() {
	local what=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1 | paste -sd' ') || true
	[ "$got" = "$want" ] || miss "$what: got '$got', expected '$want'"
}

# The real table: every row taken, every profile one the private apt knows.
kernel_rows -- name > /dev/null 2> "$tmp/why" || miss "tests/kernels: $(cat "$tmp/why")"
while read -r name profile; do
	(SHMDEMO_MIRROR=http://mirror.invalid/debian . "$tests/lib/lib.sh" &&
	 profile_suites "$profile") > /dev/null 2>&1 ||
		miss "$name: tests/lib/apt.sh has no profile $profile"
done < <(kernel_rows -- name profile)

# The reader, on a table of its own.
cat > "$tmp/table" <<'END'
# name  arch   profile   package                pages  buildroot  scale  memory  lane
a1      amd64  bookworm  linux-image-amd64      4k     bookworm   1      1G      test
a2      amd64  bookworm  linux-image-amd64      4k     bookworm   1      1G      -
r1      arm64  bookworm  linux-image-arm64      16k    bookworm   8      1G      test

a3      amd64  sid       linux-image-amd64      4k     trixie     1      1G      test
d1      amd64  bookworm  linux-source-6.12      4k     bookworm   6      2G      debug
END
export SHMDEMO_KERNEL_TABLE=$tmp/table
expect "a test lane, in order" "a1 a3" kernels_of test amd64
expect "arm64's test lane" "r1" kernels_of test arm64
expect "the debug lane" "d1" kernels_of debug
expect "amd64's default" a1 kernel_default amd64
expect "arm64's default" r1 kernel_default arm64
expect "cells" "16k 8" kernel_rows name=r1 -- pages scale
expect "rows by two columns" "a1 a2 d1" kernel_rows arch=amd64 profile=bookworm -- name
expect "one cell" linux-source-6.12 kernel_field d1 package
expect "an unknown flavour" "unknown kernel flavour 'nope' (known: a1 a2 r1 a3 d1)" \
	kernel_field nope arch
kernel_field nope arch > /dev/null 2>&1 && miss "an unknown flavour: no failure"
expect "an unknown column" "no column colour" kernel_field a1 colour

# Tables with a bad row: the reader's table with LINE appended.
refused() {	# refused WHAT MESSAGE LINE
	{ cat "$tmp/table"; echo "$3"; } > "$tmp/bad"
	SHMDEMO_KERNEL_TABLE=$tmp/bad expect "$1" \
		"$tmp/bad:$(wc -l < "$tmp/bad"): $2" kernel_rows -- name
}
good="mine amd64 bookworm linux-image-amd64 4k bookworm 1 1G"
refused "a short row" "8 cells, not 9" "$good"
refused "a long row" "10 cells, not 9" "$good - extra"
refused "a name twice" "flavour a1 twice" "${good/mine/a1} -"
refused "an architecture" "arch mips, not one of tests/arch/: amd64 arm64 i386" "${good/amd64/mips} -"
refused "a page size" "pages 8k, not 4k, 16k or 64k" "${good/4k/8k} -"
refused "a scale" "scale 0, not a whole number" "${good/ 1 / 0 } -"
refused "a memory size" "memory 1GB, not like 1G or 512M" "${good/1G/1GB} -"
refused "a lane" "lane tests, not test, debug or -" "$good tests"
refused "a debug row that is no source" \
	"a debug row is amd64, built from a linux-source package" "$good debug"
# Columns not named before the rows.
grep -v '^# name ' "$tmp/table" > "$tmp/bad"
SHMDEMO_KERNEL_TABLE=$tmp/bad expect "no column names" \
	"$tmp/bad:1: no \"# name ...\" line naming the columns before the rows" kernel_rows -- name
exit "$status"
