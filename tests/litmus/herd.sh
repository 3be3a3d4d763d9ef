#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run herd7 with the Linux-kernel memory model (LKMM) on litmus tests.
#
# herdtools7 is packaged in Debian sid only, so herd7 runs in a sid build
# root (tests/fetch/buildroot.sh herd: made once, by mmdebstrap, and
# entered without root), which sees the cache and the tree at their own
# paths. The model, tools/memory-model/ of the kernel tree, comes from
# Debian's linux-source package (tests/fetch/linux-source.sh).
#
# Usage: tests/litmus/herd.sh --versions    what runs, as "# " lines
#        tests/litmus/herd.sh FILE.litmus   herd7's output for FILE
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

source_pkg=${SHMDEMO_LKMM_PKG:-linux-source-6.12}
lkmm=$SHMDEMO_CACHE/linux-source/$source_pkg/memory-model
"$SHMDEMO_TESTS/fetch/linux-source.sh" "$source_pkg" "$lkmm" tools/memory-model

in_root() { "$SHMDEMO_TESTS/fetch/buildroot.sh" herd run "$@"; }

case ${1:?usage: herd.sh --versions | FILE.litmus} in
--versions)
	echo "# herd7: $(in_root herd7 -version | head -n 1)" \
		"(Debian sid $(in_root dpkg-query -W -f='${Version}' herdtools7))"
	echo "# model: tools/memory-model/ of $source_pkg $(cat "$lkmm/version")"
	;;
*)
	[ -f "$1" ] || die "no litmus test $1"
	in_root sh -c 'cd "$1" && exec herd7 -conf linux-kernel.cfg "$2"' sh \
		"$lkmm/tools/memory-model" "$(realpath "$1")"
	;;
esac
