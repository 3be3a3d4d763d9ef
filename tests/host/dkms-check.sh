#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove dkms.conf: "dkms add" and "dkms build" shmdemo for a cached Debian
# kernel with Debian's dkms, in a private dkms tree and source tree, so
# nothing is written to /var/lib/dkms, /usr/src or /lib/modules.
# Silent on success (make check treats any output as a finding).
# Usage: tests/host/dkms-check.sh [FLAVOUR]   (a kernel of the host's Debian release,
#                                          tests/fetch/kernel.sh --host; default: the first of tests/kernels)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour=${1:-$(kernel_default amd64)}
kdir=$("$SHMDEMO_TESTS/fetch/kernel.sh" "$flavour")
release=$(cat "$kdir/release")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/dkms.log

# The source as the package ships it: make dkms-src, which writes
# debian/changelog's version into dkms.conf.
name=shmdemo
version=$(make -s -C "$SHMDEMO_TOP" version)
make -s -C "$SHMDEMO_TOP" dkms-src DESTDIR="$tmp" > /dev/null
mv "$tmp/usr/src" "$tmp/src"
mkdir -p "$tmp/tree"

# A sign-file that does not exist: dkms then neither signs nor makes a key
# in /var/lib/dkms (the cached headers have no key of their own anyway).
dkms() {
	env sign_file=/nonexistent/sign-file dkms "$@" \
		--dkmstree "$tmp/tree" --sourcetree "$tmp/src" >> "$log" 2>&1 ||
		{ cat "$log"; die "dkms $1 failed for $release"; }
}

dkms add -m "$name" -v "$version"
dkms build -m "$name" -v "$version" -k "$release" --kernelsourcedir "$kdir/build"

ko=$(compgen -G "$tmp/tree/$name/$version/$release/*/module/shmdemo.ko*" | head -n 1) ||
	{ cat "$log"; die "dkms built no shmdemo.ko for $release"; }
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$release" ] ||
	die "$ko was built for $(modinfo -F vermagic "$ko"), not $release"
[ "$(modinfo -F version "$ko")" = "$version" ] ||
	die "debian/changelog says version $version, the module $(modinfo -F version "$ko")"
