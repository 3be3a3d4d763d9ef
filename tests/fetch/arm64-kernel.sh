#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian arm64 kernel into the cache, through the private apt with
# arm64 as its architecture (tests/lib/apt.sh), and its headers into the
# build root of its suite (tests/fetch/arm64-root.sh), where the module is
# built with the cross compiler of the kernel's own compiler and its kbuild
# tools.
# Usage: tests/fetch/arm64-kernel.sh FLAVOUR   (an arm64 row of tests/kernels)
# Prints the kernel's cache directory, which holds:
#   release   the kernel release (uname -r in the guest)
#   Image     the uncompressed arm64 kernel image
#   config    the kernel's configuration
#   modules/lib/modules/RELEASE   Debian's modules, with modules.dep (the
#             saved guest's 9p, tests/lib/resume.sh)
#   arm64-root the build root whose /usr/src holds the headers
#   build     the headers, seen from the host
#   arch, scale, memory, buildroot   the flavour's row (kernel_record)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/unpack.sh"

flavour=${1:?usage: arm64-kernel.sh FLAVOUR (an arm64 row of tests/kernels)}
kernel_known "$flavour"
read -r arch profile meta name < <(kernel_rows name="$flavour" -- arch profile package buildroot)
[ "$arch" = arm64 ] || die "$flavour is not an arm64 kernel (tests/kernels)"
root=$("$(dirname "$0")/arm64-root.sh" "$name")
mkdir -p "$SHMDEMO_CACHE/kernels"

# The private apt (tests/lib/apt.sh), as for amd64's kernels, with arm64 as
# its architecture: its own lists and cache in $SHMDEMO_CACHE/apt/arm64/.
arm64_apt() {	# arm64_apt FUNCTION ARG...: a function of tests/lib/apt.sh
	SHMDEMO_ARCH=arm64 "$@"
}
# The packages PACKAGE depends on whose names match PATTERN.
depends_on() {	# depends_on PACKAGE PATTERN
	{ arm64_apt papt "$profile" apt-cache depends --no-recommends \
		--no-suggests "$1" 2>/dev/null || true; } |
		awk -v pat="$2" '$1 ~ /Depends:/ {
			name = $2
			sub(/^</, "", name)
			sub(/>$/, "", name)
			if (name ~ pat)
				print name
		}'
}

# Lists older than a day are refreshed; offline, the old ones do.
arm64_apt apt_profile_ready "$profile" || true
image=$(depends_on "$meta" '^linux-image-' | head -n 1)
[ -n "$image" ] || die "no package $meta in the $profile lists (arm64)"
release=${image#linux-image-}
release=${release%-unsigned}
dir=$SHMDEMO_CACHE/kernels/$release

headers=linux-headers-$release
# A build root made anew has lost the headers, and a kernel fetched before
# its modules were kept has none: fetch them again.
if [ ! -e "$dir/ready" ] || [ ! -d "$root/usr/src/$headers" ] ||
   [ ! -e "$dir/modules/lib/modules/$release/modules.dep" ]; then
	# From 7.x the image package is empty: the kernel is in linux-binary-*,
	# the modules in linux-modules-*.
	boot=("$image" $(depends_on "$image" '^linux-(binary|base|modules)-'))
	build=("$headers" $(depends_on "$headers" '^linux-(headers|kbuild|base)-'))
	say "fetching ${boot[*]} ${build[*]} ($profile, arm64)"
	rm -rf "$dir" && mkdir -p "$dir/debs"
	arm64_apt papt_download "$profile" "$dir/debs" "${boot[@]}" "${build[@]}"
	# The kernel, its config and its modules.
	debs=()
	for pkg in "${boot[@]}"; do
		debs+=("$dir/debs/$pkg"_*.deb)
	done
	unpack_image "$dir" "$release" "${debs[@]}"
	# --keep-directory-symlink: the root's /lib is a symlink to usr/lib.
	for pkg in "${build[@]}"; do
		dpkg-deb --fsys-tarfile "$dir/debs/$pkg"_*.deb |
			tar -x --keep-directory-symlink -C "$root"
	done
	"$(dirname "$0")/arm64-image.sh" "$dir/vmlinuz-$release" "$dir/Image"
	mv "$dir/config-$release" "$dir/config"
	rm -rf "$dir/debs" "$dir/vmlinuz-$release"
	[ -d "$root/usr/src/$headers" ] || die "$headers has no /usr/src/$headers"
	ln -sfn "$root/usr/src/$headers" "$dir/build"
	echo "$root" > "$dir/arm64-root"
	echo "$release" > "$dir/release"
	touch "$dir/ready"
fi
kernel_record "$dir" "$flavour" "$dir/config"
echo "$dir"
