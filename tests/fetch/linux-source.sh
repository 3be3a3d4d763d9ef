#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pull a few paths out of Debian's linux-source package into a cache
# directory, once. The package is downloaded, never installed, and only the
# named members of its tarball are extracted, never the whole tree.
# Usage: tests/fetch/linux-source.sh PACKAGE DIR PATH...
#   PATH is relative to the top of the kernel tree (scripts/checkpatch.pl,
#   tools/memory-model); it lands at DIR/PATH. DIR/version holds the
#   package's version and DIR/ready marks a finished extraction.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

pkg=${1:?usage: linux-source.sh PACKAGE DIR PATH...}
dir=${2:?usage: linux-source.sh PACKAGE DIR PATH...}
shift 2
[ $# -gt 0 ] || die "no path to extract"
[ -e "$dir/ready" ] && exit 0
# One extraction at a time into DIR: wait for another to finish.
mkdir -p "${dir%/*}"
exec 9> "$dir.lock"
flock 9
[ -e "$dir/ready" ] && exit 0

say "extracting $* from $pkg (once)"
rm -rf "$dir" && mkdir -p "$dir"
tmp=$(mktemp -d "$dir.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
apt_download "$tmp" "$pkg"
member=$(dpkg-deb -c "$tmp"/*.deb | grep -o './usr/src/linux-source-[^ ]*\.tar\.xz')
dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -xO "$member" |
	nice xz -dc | tar -x -C "$tmp" --wildcards --strip-components=1 \
		"${@/#/*/}"
for path in "$@"; do
	[ -e "$tmp/$path" ] || die "$pkg has no $path"
	mkdir -p "$(dirname "$dir/$path")"
	mv "$tmp/$path" "$dir/$path"
done
dpkg-deb -f "$tmp"/*.deb Version > "$dir/version"
touch "$dir/ready"
