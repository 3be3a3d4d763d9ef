#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An apt source caught mid-sync, for tests/host/fresh.sh --broken-source:
# its Release names index files of another size than those it serves, so
# apt-get update fails on it ("File has unexpected size ... Mirror sync in
# progress?", exit 100) while the other sources update. It is served on the
# loopback address from DIR until this script is killed; its sources.list
# line is the first line it prints.
# Usage: tests/host/broken-source.sh DIR
set -euo pipefail
dir=${1:?usage: broken-source.sh DIR}
rm -rf "$dir" && mkdir -p "$dir/dists/broken"
cd "$dir/dists/broken"
{
	echo "Origin: shmdemo-broken"
	echo "Suite: broken"
	echo "Codename: broken"
	echo "Date: $(date -u -R)"
	echo "Architectures: amd64 arm64 i386"
	echo "Components: main"
	echo "SHA256:"
	for arch in amd64 arm64 i386; do
		mkdir -p "main/binary-$arch"
		printf 'Package: shmdemo-broken\nVersion: 1\nArchitecture: %s\n\n' \
			"$arch" > "main/binary-$arch/Packages"
		# The checksum and size of the file it will be: one byte more.
		printf ' %s %d main/binary-%s/Packages\n' \
			"$({ cat "main/binary-$arch/Packages"; echo; } | sha256sum | cut -d' ' -f1)" \
			$(($(stat -c %s "main/binary-$arch/Packages") + 1)) "$arch"
	done
} > Release
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "deb [trusted=yes] http://127.0.0.1:$port broken main"
exec python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" > /dev/null 2>&1
