#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing shmdemo need.
# Usage: tests/deps.sh [extra-package...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# perl: W=1 builds run the kernel's kernel-doc, which needs more than perl-base.
# debian-archive-keyring: the private apt (tests/apt.sh) checks Debian's
# archives with it; debootstrap makes the build roots (tests/buildroot.sh);
# kmod: depmod, for the guest kernels' modules.dep.
# trinity: the system call fuzzer of the debug job, copied into its guest.
pkgs=(gcc make libc6-dev pkg-config libkmod-dev pahole perl trinity
      gcc-multilib stress-ng qemu-system-x86 busybox-static cpio xz-utils zstd
      debian-archive-keyring debootstrap kmod
      "$@")

# One dpkg-query for all of them: it prints nothing for an unknown package.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" \
	2>/dev/null | awk '$2 == "installed" { print $1 }') || true
missing=()
for pkg in "${pkgs[@]}"; do
	grep -qxF "$pkg" <<< "$installed" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

say "installing: ${missing[*]}"
apt_lists_present || apt_update
# Other apt and dpkg runs on this machine: wait for their lock, not fail.
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
	 --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
if ! as_root "${install[@]}" >&2; then
	apt_update
	as_root "${install[@]}" >&2 || die "could not install ${missing[*]}"
fi
