#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian guest kernel and its headers into the cache, never into /boot,
# through the project's own apt (tests/lib/apt.sh).
# Usage: tests/fetch/kernel.sh FLAVOUR      prints the kernel's cache directory
#        tests/fetch/kernel.sh --list       prints make test's amd64 flavours
#        tests/fetch/kernel.sh --host       those the host's own gcc builds for
# FLAVOUR: an amd64 or i386 row of tests/kernels that is not a debug one.
# An i386 kernel comes through the private apt with i386 as its
# architecture; its kbuild tools (fixdep, modpost) must run on this amd64
# host, so its linux-kbuild package is the amd64 build of the same version.
# The directory, $SHMDEMO_CACHE/kernels/RELEASE, holds:
#   release    the kernel release (uname -r in the guest)
#   vmlinux    the uncompressed kernel, booted through its PVH entry point
#   build      the headers tree, usable as KDIR
#   buildroot  the Debian suite whose gcc-N, the compiler the kernel was
#              built with, builds modules for it (tests/fetch/buildroot.sh)
#   arch, scale, memory   the flavour's row of tests/kernels (kernel_record)
#   modules/lib/modules/RELEASE   Debian's modules, with modules.dep
#   ready      present once all of the above is
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/unpack.sh"

flavour=${1:?usage: kernel.sh FLAVOUR|--list|--host (FLAVOUR: a row of tests/kernels)}
case $flavour in
--list)	kernel_rows arch=amd64 lane=test -- name
	exit 0 ;;
# The flavours built by the host's own Debian release's compiler, which
# the host's dkms and make install use (make check); none on sid.
--host)	suite=$(. /etc/os-release 2> /dev/null && echo "${VERSION_CODENAME:-}")
	kernel_rows arch=amd64 lane=test buildroot="$suite" -- name
	exit 0 ;;
esac
kernel_known "$flavour"
read -r arch profile meta lane < <(kernel_rows name="$flavour" -- arch profile package lane)
case $arch in amd64|i386) ;; *) false ;; esac && [ "$lane" != debug ] ||
	die "$flavour is not an amd64 or i386 kernel package: tests/fetch/arm64-kernel.sh and" \
	    "tests/fetch/debug-kernel.sh fetch the others (tests/lib/boot.sh: kernel_dir)"
export SHMDEMO_ARCH=$arch

# The package names that PACKAGE depends on, matching a pattern. apt-cache
# exits 100 for a package it does not know: that is an empty answer here.
depends_on() {	# depends_on PACKAGE PATTERN
	{ papt "$profile" apt-cache depends --no-recommends --no-suggests "$1" \
		2>/dev/null || true; } |
		awk -v pat="$2" '$1 ~ /Depends:/ && $2 ~ pat { print $2 }'
}

# The kernel package META names now, as "RELEASE IMAGE-PACKAGE". The answer is
# kept: while the lists are younger than a day, apt is not even run, and
# without a network the last answer stands.
resolve() {
	local answer=$SHMDEMO_CACHE/apt/$SHMDEMO_ARCH/resolved/$flavour
	local key="$profile $meta" image release fresh=1
	local first= second=
	[ ! -e "$answer" ] || { read -r first; read -r second; } < "$answer"
	if apt_lists_fresh "$profile" && [ "$answer" -nt "$(apt_profile_dir "$profile")/updated" ] &&
	   [ "$first" = "$key" ]; then
		echo "$second"
		return
	fi
	apt_profile_ready "$profile" || fresh=0
	if [ "$fresh" = 0 ] && [ -s "$answer" ] && [ "$(head -n 1 "$answer")" = "$key" ]; then
		say "using the last resolution of $flavour"
		sed -n 2p "$answer"
		return
	fi
	image=$(depends_on "$meta" '^linux-image-')
	[ -n "$image" ] || die "$profile has no package $meta (or it depends on no linux-image-*)"
	image=${image%%$'\n'*}
	release=${image#linux-image-}
	release=${release%-unsigned}
	mkdir -p "${answer%/*}"
	printf '%s\n%s %s\n' "$key" "$release" "$image" > "$answer.new"
	mv "$answer.new" "$answer"
	echo "$release $image"
}

read -r release image < <(resolve)
say "kernel $flavour: $release ($meta from $profile)"
dir=$SHMDEMO_CACHE/kernels/$release
[ -d "$SHMDEMO_CACHE/kernels" ] || mkdir -p "$SHMDEMO_CACHE/kernels"
# Two runs fetching the same kernel at once would corrupt it: one waits.
exec 9> "$dir.lock"
flock 9

# Kernels cached before the modules were kept get them on their own.
if [ -e "$dir/ready" ] && [ ! -e "$dir/modules/lib/modules/$release/modules.dep" ]; then
	say "fetching the modules of $release"
	rm -rf "$dir/debs" && mkdir -p "$dir/debs"
	papt_download "$profile" "$dir/debs" "$image" \
		$(depends_on "$image" '^linux-(modules|base)-')
	mkdir -p "$dir/modules-tmp"
	unpack_image "$dir/modules-tmp" "$release" "$dir"/debs/*.deb
	mv "$dir/modules-tmp/modules" "$dir/modules"
	rm -rf "$dir/debs" "$dir/modules-tmp"
fi

if [ ! -e "$dir/ready" ]; then
	headers=linux-headers-$release
	pkgs=("$image" $(depends_on "$image" '^linux-(binary|modules|base)-')
	      "$headers" $(depends_on "$headers" '^linux-(headers|kbuild)-'))
	say "fetching ${pkgs[*]}"
	rm -rf "$dir" && mkdir -p "$dir/debs/image" "$dir/root"
	if [ "$arch" != amd64 ]; then
		kbuild=$(printf '%s\n' "${pkgs[@]}" | grep '^linux-kbuild-')
		mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | grep -vx "$kbuild")
		version=$(papt "$profile" apt-cache show --no-all-versions "$kbuild" |
			sed -n 's/^Version: //p')
		SHMDEMO_ARCH=amd64 papt_download "$profile" "$dir/debs" "$kbuild=$version"
	fi
	papt_download "$profile" "$dir/debs" "${pkgs[@]}"
	for deb in "$dir"/debs/linux-headers-* "$dir"/debs/linux-kbuild-*; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	mv "$dir"/debs/linux-image-* "$dir"/debs/image/
	mv "$dir"/debs/linux-binary-* "$dir"/debs/linux-modules-* \
		"$dir"/debs/linux-base-* "$dir"/debs/image/ 2>/dev/null || true
	unpack_image "$dir" "$release" "$dir"/debs/image/*.deb
	rm -rf "$dir/debs"

	# The headers' Makefile names its own directory (7.x) and includes its
	# -common twin by absolute path.
	build=$dir/root/usr/src/linux-headers-$release
	sed -i -e "s|^include /usr/src/|include $dir/root/usr/src/|" \
	       -e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$dir/root/usr/src/|" "$build/Makefile"
	ln -sfn "$build" "$dir/build"

	"$(dirname "$0")/extract-vmlinux.sh" "$dir/vmlinuz-$release" "$dir/vmlinux"
	echo "$release" > "$dir/release"
	touch "$dir/ready"
fi
kernel_record "$dir" "$flavour" "$dir/config-$release"
echo "$dir"
