#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uncompressed arm64 Image inside a Debian vmlinuz: a gzipped Image, or
# an EFI zboot image (a PE file whose header names its compressed payload).
# QEMU loads the plain Image directly.
# Usage: tests/fetch/arm64-image.sh VMLINUZ OUT
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

in=${1:?usage: arm64-image.sh VMLINUZ OUT} out=${2:?}

le32() {	# le32 OFFSET: the little-endian 32-bit word at OFFSET of $in
	od -An -tu4 -j"$1" -N4 --endian=little "$in" | tr -d ' '
}

case $(head -c 2 "$in" | od -An -tx1 | tr -d ' ') in
1f8b)	gzip -dc < "$in" > "$out" ;;
4d5a)	if [ "$(tail -c +5 "$in" | head -c 4)" = zimg ]; then
		# zboot: payload offset at 8, size at 12, compression name at 24.
		case $(tail -c +25 "$in" | head -c 4 | tr -d '\0') in
		gzip)	unpack=(gzip -dc) ;;
		zstd)	unpack=(zstd -dcq) ;;
		xzkern|xz) unpack=(xz -dc) ;;
		*)	die "$in: unknown zboot compression" ;;
		esac
		tail -c +$(($(le32 8) + 1)) "$in" | head -c "$(le32 12)" |
			"${unpack[@]}" > "$out"
	else
		cp "$in" "$out"	# an Image is itself a PE file
	fi ;;
*)	cp "$in" "$out" ;;
esac
# Every arm64 Image has the magic "ARM\x64" at offset 56.
[ "$(tail -c +57 "$out" | head -c 4 | od -An -tx1 | tr -d ' ')" = 41524d64 ] ||
	die "$in: no arm64 Image found"
