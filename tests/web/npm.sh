#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The web lab's npm packages (tests/web/npm-packages), fetched once with
# npm pack (no install, no scripts run), checked against their pinned
# integrity, and unpacked into $SHMDEMO_CACHE/npm/NAME-VERSION/.
# Usage: tests/web/npm.sh PACKAGE   prints the unpacked package's directory
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

want=${1:?usage: npm.sh PACKAGE (a row of tests/web/npm-packages)}
read -r name version integrity < <(awk -v p="$want" '!/^#/ && $1 == p' \
	"$SHMDEMO_TESTS/web/npm-packages") || die "$want is not in tests/web/npm-packages"
dir=$SHMDEMO_CACHE/npm/${name//\//+}-$version
if [ ! -e "$dir/.ready" ]; then
	# Debian's npm, unless one is on the PATH (NodeSource's nodejs has
	# its own, and conflicts with Debian's package).
	command -v npm > /dev/null || "$SHMDEMO_TESTS/fetch/deps.sh" npm-client
	rm -rf "$dir" "$dir.tmp" && mkdir -p "$dir.tmp"
	say "fetching $name@$version from npm"
	(cd "$dir.tmp" && npm pack --silent "$name@$version" > /dev/null) ||
		die "npm pack $name@$version failed"
	tgz=$(ls "$dir.tmp"/*.tgz)
	got=$(node -e 'const f = require("fs"), c = require("crypto");
		process.stdout.write("sha512-" + c.createHash("sha512")
			.update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
	[ "$got" = "$integrity" ] ||
		die "$name@$version: npm gave $got, tests/web/npm-packages pins $integrity"
	tar -xzf "$tgz" -C "$dir.tmp"
	mv "$dir.tmp/package" "$dir"
	rm -rf "$dir.tmp"
	touch "$dir/.ready"
fi
echo "$dir"
