#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian guest kernel and its headers into the cache, never into /boot.
# Usage: tests/kernel.sh FLAVOUR   (6.1, 6.1-rt or 6.12)
# Prints the kernel's cache directory, which holds:
#   release   the kernel release (uname -r in the guest)
#   vmlinux   the uncompressed kernel, booted through its PVH entry point
#   build     the headers tree, usable as KDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:?usage: kernel.sh 6.1|6.1-rt|6.12}
case $flavour in
6.1)	meta=linux-image-amd64 ;;
6.1-rt)	meta=linux-image-rt-amd64 ;;
6.12)	meta=linux-image-6.12-amd64 ;;
*)	die "unknown kernel flavour '$flavour' (use 6.1, 6.1-rt or 6.12)" ;;
esac

# The package names that PACKAGE depends on, matching a pattern.
depends_on() {
	apt-cache depends --no-recommends --no-suggests "$1" 2>/dev/null |
		awk -v pat="$2" '$1 ~ /Depends:/ && $2 ~ pat { print $2 }'
}

image=$(depends_on "$meta" '^linux-image-')
if [ -z "$image" ]; then
	apt_update
	image=$(depends_on "$meta" '^linux-image-')
fi
[ -n "$image" ] || die "apt knows no package $meta"
image=${image%%$'\n'*}
release=${image#linux-image-}
release=${release%-unsigned}
dir=$SHMDEMO_CACHE/kernels/$release

if [ ! -e "$dir/ready" ]; then
	headers=linux-headers-$release
	pkgs=("$image" "$headers" $(depends_on "$headers" '^linux-(headers|kbuild)-'))
	say "fetching ${pkgs[*]}"
	rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
	apt_download "$dir/debs" "${pkgs[@]}"
	for deb in "$dir"/debs/linux-headers-* "$dir"/debs/linux-kbuild-*; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	dpkg-deb --fsys-tarfile "$dir"/debs/"$image"_*.deb |
		tar -x -C "$dir" --strip-components=2 "./boot/vmlinuz-$release" \
			"./boot/config-$release"
	rm -rf "$dir/debs"

	# The headers' Makefile includes its -common twin by absolute path.
	build=$dir/root/usr/src/linux-headers-$release
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$build/Makefile"
	ln -sfn "$build" "$dir/build"

	"$(dirname "$0")/extract-vmlinux.sh" "$dir/vmlinuz-$release" "$dir/vmlinux"
	echo "$release" > "$dir/release"
	touch "$dir/ready"
fi
echo "$dir"
