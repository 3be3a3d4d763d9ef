#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing shmdemo need.
# Usage: tests/deps.sh [extra-package...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# perl: W=1 builds run the kernel's kernel-doc, which needs more than perl-base.
pkgs=(gcc make libc6-dev pkg-config libkmod-dev pahole perl
      gcc-multilib stress-ng qemu-system-x86 busybox-static cpio xz-utils zstd
      "$@")

missing=()
while read -r pkg status; do
	[ "$status" = installed ] || missing+=("$pkg")
done < <(for p in "${pkgs[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || s=absent
	echo "$p $s"
done)

[ ${#missing[@]} -eq 0 ] && exit 0

say "installing: ${missing[*]}"
apt_lists_present || apt_update
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
	 -o DPkg::Lock::Timeout=600
	 --no-install-recommends "${missing[@]}")
if ! as_root "${install[@]}" >&2; then
	apt_update
	as_root "${install[@]}" >&2 || die "could not install ${missing[*]}"
fi
