#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl, fetched once from Debian's linux-source
# package into the cache. Only the script and the data files it reads are
# extracted, never the whole tree.
# Usage: tests/checkpatch.sh [checkpatch option...] FILE...
#        tests/checkpatch.sh --path   print the script's path and exit
set -euo pipefail
. "$(dirname "$0")/lib.sh"

source_pkg=${SHMDEMO_CHECKPATCH_PKG:-linux-source-6.12}
dir=$SHMDEMO_CACHE/checkpatch/$source_pkg

# What checkpatch.pl reads next to itself: the word lists it checks against.
files=(checkpatch.pl spelling.txt const_structs.checkpatch)

# Download the linux-source package and pull FILES out of its tarball.
fetch() {
	local tmp member f
	say "fetching checkpatch.pl from $source_pkg (once)"
	rm -rf "$dir" && mkdir -p "$dir"
	tmp=$(mktemp -d "$dir.XXXXXX")
	apt_download "$tmp" "$source_pkg"
	member=$(dpkg-deb -c "$tmp"/*.deb | grep -o './usr/src/linux-source-[^ ]*\.tar\.xz')
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -xO "$member" |
		nice xz -dc | tar -x -C "$tmp" --wildcards --strip-components=2 \
			"${files[@]/#/*/scripts/}"
	for f in "${files[@]}"; do
		[ -f "$tmp/$f" ] || die "$source_pkg has no scripts/$f"
		mv "$tmp/$f" "$dir/"
	done
	dpkg-deb -f "$tmp"/*.deb Version > "$dir/version"
	rm -rf "$tmp"
	chmod +x "$dir/checkpatch.pl"
	touch "$dir/ready"
}

[ -e "$dir/ready" ] || fetch
if [ "${1:-}" = --path ]; then
	echo "$dir/checkpatch.pl"
	exit 0
fi
exec "$dir/checkpatch.pl" "$@"
