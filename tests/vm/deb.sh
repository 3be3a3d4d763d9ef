#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: build shmdemo-dkms and shmdemo-utils with dpkg-buildpackage in a
# copy of the tree (its products go to the parent directory), put them in
# tests/out/deb/ and run lintian on them.
# Usage: tests/vm/deb.sh [--check] [--out DIR]
#   --check   silent on success, for make check: prints the build log only if
#             the build fails, and lintian's findings (errors and warnings)
#   --out DIR where the packages go (emptied first), tests/out/deb by
#             default: make check builds in its own, so that CI's make deb
#             and make test-vm, in another lane, keep theirs
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

check=false out=$SHMDEMO_TESTS/out/deb
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=true; shift ;;
	--out)	out=$(realpath -m "${2:?--out needs a directory}"); shift 2 ;;
	*)	die "usage: tests/vm/deb.sh [--check] [--out DIR]" ;;
	esac
done

"$SHMDEMO_TESTS/fetch/deps.sh" deb

cd "$SHMDEMO_TOP"
version=$(make -s version)
src=$out/build/shmdemo-$version
rm -rf "$out" && mkdir -p "$src"
# The working tree as it is (committed or not), without build products.
tar -c --exclude=./.git --exclude=./tests/out . | tar -x -C "$src"
(cd "$src" && make -s clean > /dev/null)

log=$out/build.log
if $check; then
	(cd "$src" && dpkg-buildpackage -us -uc -b) > "$log" 2>&1 ||
		{ cat "$log"; die "dpkg-buildpackage failed"; }
else
	(cd "$src" && dpkg-buildpackage -us -uc -b) 2>&1 | tee "$log"
fi
mv "$out"/build/*.deb "$out"/build/*.changes "$out"/build/*.buildinfo "$out"/
rm -rf "$out/build"
$check || ls -l "$out"/*.deb

# lintian prints errors and warnings (any output is a finding) and fails on
# them; outside --check, info tags are shown too.
changes=$(compgen -G "$out/shmdemo_${version}_*.changes")
# (As root, lintian says so first: not a finding.)
if $check; then
	lintian --fail-on error,warning "$changes" 2>&1 |
		grep -v '^running with root privileges is not recommended!$' || true
	[ "${PIPESTATUS[0]}" -eq 0 ]
else
	say "lintian $changes"
	lintian --display-info --fail-on error,warning "$changes"
fi
