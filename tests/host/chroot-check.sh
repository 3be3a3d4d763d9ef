#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A build root entered with chroot alone, as in a default Docker container
# (tests/lib/chroot.sh), taken here on purpose (SHMDEMO_BUILDROOT_WAY=chroot):
# the module built for KERNEL_DIR's kernel with its files staged in and back, the
# staged build directory gone from the root after, the kernel's directory
# staged once; and a build that names nothing to stage refused, naming
# docker run's option. Silent when all hold; needs root (a user's build
# roots never take that way).
# Usage: tests/host/chroot-check.sh KERNEL_DIR
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
kdir=${1:?usage: chroot-check.sh KERNEL_DIR}
[ "$(id -u)" = 0 ] || die "chroot needs root"
root=$("$SHMDEMO_TESTS/fetch/buildroot.sh" "$(cat "$kdir/buildroot")")
out=$SHMDEMO_TESTS/out/stage-$(cat "$kdir/release")
rm -rf "$out"
export SHMDEMO_BUILDROOT_WAY=chroot
fail=0
bad() { say "$*"; fail=1; }

build_module "$kdir" "$out" 2> "$out.log" || bad "the module did not build:" "$(tail -n 5 "$out.log")"
vermagic=$(modinfo -F vermagic "$out/kmod/shmdemo.ko" 2> /dev/null) || true
[ "${vermagic%% *}" = "$(cat "$kdir/release")" ] ||
	bad "$out/kmod/shmdemo.ko: vermagic '$vermagic', not for $(cat "$kdir/release")"
[ ! -e "$root$out" ] || bad "$root$out: the staged build directory is left in the root"
[ "$kdir/ready" -ef "$root$kdir/ready" ] || bad "$root$kdir: the kernel is not staged as hard links"

msg=$("$SHMDEMO_TESTS/fetch/buildroot.sh" "$(cat "$kdir/buildroot")" run true 2>&1) &&
	bad "a build with nothing to stage ran"
grep -q -e '--privileged' <<< "$msg" ||
	bad "a build with nothing to stage was refused without naming docker run's option: $msg"
rm -rf "$out" "$out.log"
exit "$fail"
