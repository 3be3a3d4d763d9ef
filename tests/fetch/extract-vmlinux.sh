#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Decompress the kernel ELF image inside a bzImage. Booting that ELF through
# its PVH note skips the decompressor, which is slow under TCG.
# Usage: tests/fetch/extract-vmlinux.sh BZIMAGE OUT
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

in=${1:?usage: extract-vmlinux.sh BZIMAGE OUT} out=${2:?}

try() {	# try MAGIC COMMAND...: decompress from each offset MAGIC occurs at
	local magic=$1 off
	shift
	for off in $(LC_ALL=C grep -obUaP "$magic" "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | "$@" > "$out" 2>/dev/null || true
		if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			return 0
		fi
	done
	return 1
}

try '\xfd7zXZ\x00' xz -dc --single-stream ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x1f\x8b\x08' gzip -dc ||
	die "$in: no xz, zstd or gzip kernel image found"
