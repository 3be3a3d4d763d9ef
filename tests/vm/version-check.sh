#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debian/changelog holds the version: make, kmod/Kbuild and dkms.conf (through
# dh_dkms -V or make dkms-src) derive it. The man page is written by hand:
# prove that its .TH line names that version and the changelog's date.
# Silent on success (make check treats any output as a finding).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
cd "$SHMDEMO_TOP"

version=$(make -s version)
date=$(date -u -d "$(sed -n 's/^ -- .*>  //p' debian/changelog | head -n 1)" +%F)
th=$(grep '^\.TH ' user/user_demo.1)
[ "$th" = ".TH USER_DEMO 1 $date \"shmdemo $version\" \"User Commands\"" ] ||
	echo "user/user_demo.1: '$th' is not the release of debian/changelog ($version, $date)"
grep -q '^PACKAGE_VERSION="#MODULE_VERSION#"$' dkms.conf ||
	echo "dkms.conf: PACKAGE_VERSION must be #MODULE_VERSION#, filled in from debian/changelog"
