#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build roots of the arm64 guests: amd64 Debian roots made with
# debootstrap in the cache, never in the host's own system (on the host,
# Debian's cross compilers conflict with gcc-multilib). amd64 on an arm64
# host too, where qemu-user runs them: Debian's cross compilers to arm64
# are built for amd64, and the kernels' headers name them.
#   bookworm  for Linux 6.1: gcc-12's aarch64 cross compiler, the armhf
#             one, and (multiarch) arm64 libc, libkmod-dev, busybox-static
#             and stress-ng, which the guests get
#   trixie    for Linux 7.x: gcc-14's aarch64 cross compiler, arm64 libc
# Debian's arm64 headers name their compiler aarch64-linux-gnu-gcc-N: the
# cross compiler of the same Debian version has that very name. Their kbuild
# tools (fixdep, modpost) are arm64 programs: qemu-user runs them through
# binfmt_misc, with the root's arm64 libc.
# Usage: tests/fetch/arm64-root.sh bookworm|trixie   prints the root's path
# SHMDEMO_MIRROR overrides the Debian mirror (else the host's, else
# deb.debian.org).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

name=${1:?usage: arm64-root.sh bookworm|trixie}
case $name in
bookworm)	pkgs=make,perl,gcc-aarch64-linux-gnu,libc6-dev-arm64-cross,gcc-arm-linux-gnueabihf,libc6-dev-armhf-cross
		arm64=(libc6:arm64 libkmod-dev:arm64 busybox-static:arm64 stress-ng:arm64) ;;
trixie)		pkgs=make,perl,dwarves,gcc-14-aarch64-linux-gnu
		arm64=(libc6:arm64 libelf1t64:arm64) ;;
*)		die "unknown build root '$name' (use bookworm or trixie)" ;;
esac
root=$SHMDEMO_CACHE/arm64/$name

# Its programs are built in a mount namespace (in_root): said before the
# minutes of debootstrap, where none is given (a default container).
need_mount_namespace "the arm64 build root"
arm64_binfmt
if [ ! -e "$root/.shmdemo-ready" ]; then
	"$(dirname "$0")/deps.sh" arm64
	apt_mirror_known
	mirror=$(apt_mirror)
	say "making the $name build root $root"
	as_root rm -rf "$root" "$root.new"
	mkdir -p "${root%/*}"
	as_root debootstrap --arch=amd64 --variant=minbase --include="$pkgs" "$name" \
		"$root.new" "$mirror" >&2 ||
		die "debootstrap of $name failed: see $root.new/debootstrap/debootstrap.log"
	# The archive's Release files may be past Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' \
		> "$root.new/etc/apt/apt.conf.d/99shmdemo"
	# bookworm's kernel updates come through bookworm-security.
	{
		echo "deb $mirror $name main"
		case $name in
		bookworm) echo "deb ${mirror%/debian*}/debian-security $name-security main" ;;
		trixie)	  echo "deb $mirror $name-backports main" ;;
		esac
	} > "$root.new/etc/apt/sources.list"
	in_root "$root.new" -- dpkg --add-architecture arm64
	in_root "$root.new" -- apt-get update -q >&2
	in_root "$root.new" -- env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${arm64[@]}" >&2 ||
		die "could not install ${arm64[*]} in $root.new"
	mv "$root.new" "$root"
	touch "$root/.shmdemo-ready"
fi
echo "$root"
