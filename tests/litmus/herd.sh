#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run herd7 with the Linux-kernel memory model (LKMM) on litmus tests.
#
# herdtools7 is packaged in Debian sid only, so herd7 runs in a minimal sid
# root made once with debootstrap under $SHMDEMO_CACHE/herd. The model,
# tools/memory-model/ of the kernel tree, comes from Debian's linux-source
# package (tests/fetch/linux-source.sh).
#
# Usage: tests/litmus/herd.sh --versions    what runs, as "# " lines
#        tests/litmus/herd.sh FILE.litmus   herd7's output for FILE
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

source_pkg=${SHMDEMO_LKMM_PKG:-linux-source-6.12}
lkmm=$SHMDEMO_CACHE/linux-source/$source_pkg/memory-model
root=$SHMDEMO_CACHE/herd/sid
mirror=${SHMDEMO_SID_MIRROR:-http://deb.debian.org/debian}

# sid's Release file may be past its Valid-Until: apt in the root is told so.
make_root() {
	local tmp
	say "making a sid root with herdtools7 in $root (once)"
	"$SHMDEMO_TESTS/fetch/deps.sh" check
	rm -rf "$root"
	tmp=$(mktemp -d "$root.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	as_root debootstrap --variant=minbase --include=herdtools7 sid "$tmp" \
		"$mirror" >&2 || die "debootstrap of sid failed"
	echo 'Acquire::Check-Valid-Until "false";' |
		as_root tee "$tmp/etc/apt/apt.conf.d/10shmdemo" > /dev/null
	as_root chroot "$tmp" herd7 -version > /dev/null ||
		die "herd7 does not run in the sid root"
	mv "$tmp" "$root"
	trap - EXIT
	touch "$root/ready"
}

# One maker at a time: another make check may be making it too.
mkdir -p "${root%/*}"
exec 9> "$root.lock"
flock 9
[ -e "$root/ready" ] || make_root
flock -u 9
"$SHMDEMO_TESTS/fetch/linux-source.sh" "$source_pkg" "$lkmm" tools/memory-model

# herd7 sees the model at /lkmm and the test at /litmus in the root.
herd() {	# herd HERD7-ARG...
	as_root mkdir -p "$root/lkmm" "$root/litmus"
	as_root cp -r "$lkmm/tools/memory-model/." "$root/lkmm/"
	as_root chroot "$root" sh -c 'cd /lkmm && exec herd7 "$@"' herd7 "$@"
}

case ${1:?usage: herd.sh --versions | FILE.litmus} in
--versions)
	echo "# herd7: $(as_root chroot "$root" herd7 -version | head -n 1)" \
		"(Debian sid $(as_root chroot "$root" dpkg-query -W -f='${Version}' herdtools7))"
	echo "# model: tools/memory-model/ of $source_pkg $(cat "$lkmm/version")"
	;;
*)
	[ -f "$1" ] || die "no litmus test $1"
	name=${1##*/}
	as_root mkdir -p "$root/litmus"
	as_root cp "$1" "$root/litmus/$name"
	herd -conf linux-kernel.cfg "/litmus/$name"
	;;
esac
