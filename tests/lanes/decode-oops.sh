#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show the kernel reports (BUG, WARNING, Oops) in a guest's console log with
# their shmdemo frames decoded to "function (kmod/shmdemo.c:LINE)", by the
# kernel's scripts/decode_stacktrace.sh, fetched once from Debian's
# linux-source package as tests/static/checkpatch.sh fetches checkpatch.pl. The
# module carries the debug information: Debian's kernels build modules -g.
# Usage: tests/lanes/decode-oops.sh LOG OUT_DIR [VMLINUX]
#   OUT_DIR holds kmod/shmdemo.ko, as build_module left it; the modules
#   are looked for in OUT_DIR/kmod only, not in a staged initramfs beside it
#        tests/lanes/decode-oops.sh --path   print the script's path and exit
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

source_pkg=${SHMDEMO_DECODE_PKG:-linux-source-6.12}
dir=$SHMDEMO_CACHE/decode/$source_pkg
# decode_stacktrace.sh runs faddr2line-like lookups itself; faddr2line too,
# for a single address by hand.
files=(decode_stacktrace.sh faddr2line)

fetch() {
	local tmp member f debs
	say "fetching decode_stacktrace.sh from $source_pkg (once)"
	rm -rf "$dir" && mkdir -p "$dir"
	tmp=$(mktemp -d "$dir.XXXXXX")
	# The debug kernel's build may have the package already.
	debs=$(compgen -G "$SHMDEMO_CACHE/debug-kernel/debs/${source_pkg}_*.deb" | head -1) ||
		{ apt_download "$tmp" "$source_pkg"; debs=$(ls "$tmp"/*.deb); }
	member=$(dpkg-deb -c "$debs" | grep -o './usr/src/linux-source-[^ ]*\.tar\.xz')
	dpkg-deb --fsys-tarfile "$debs" | tar -xO "$member" |
		nice xz -dc | tar -x -C "$tmp" --wildcards --strip-components=2 \
			"${files[@]/#/*/scripts/}"
	for f in "${files[@]}"; do
		[ -f "$tmp/$f" ] || die "$source_pkg has no scripts/$f"
		mv "$tmp/$f" "$dir/"
		chmod +x "$dir/$f"
	done
	rm -rf "$tmp"
	touch "$dir/ready"
}

[ -e "$dir/ready" ] || fetch
if [ "${1:-}" = --path ]; then
	echo "$dir"
	exit 0
fi
log=${1:?usage: decode-oops.sh LOG OUT_DIR [VMLINUX]}
out=$(cd "${2:?usage: decode-oops.sh LOG OUT_DIR [VMLINUX]}" && pwd)
vmlinux=${3:-/dev/null}

# From the first report to the end: the lines a report is made of.
awk '/BUG:|WARNING:|Oops|general protection fault|Call Trace/ { on = 1 } on' "$log" |
	grep -E 'BUG:|WARNING:|Oops|general protection|RIP:|Call Trace|\+0x[0-9a-f]+/0x[0-9a-f]+' |
	"$dir/decode_stacktrace.sh" "$vmlinux" "$out" "$out/kmod" 2>/dev/null |
	sed "s|$out/kmod/|kmod/|g"
