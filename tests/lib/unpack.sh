#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian kernel's image packages, unpacked into its cache directory:
# sourced by tests/fetch/kernel.sh (x86) and tests/fetch/arm64-kernel.sh.

# Unpack the image packages of DEBS (the kernel and its modules: from 7.x,
# linux-image-* is empty and depends on linux-binary-*, linux-modules-* and
# linux-base-*, which has modules.builtin and modules.order)
# into DIR: vmlinuz, config, and the modules tree with its modules.dep.
unpack_image() {	# unpack_image DIR RELEASE DEB...
	local dir=$1 release=$2 stage=$1/stage deb mods
	shift 2
	rm -rf "$stage" "$dir/modules" && mkdir -p "$stage" "$dir/modules/lib/modules"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$stage"
	done
	[ ! -f "$stage/boot/config-$release" ] || mv "$stage/boot/config-$release" "$dir/"
	for mods in "$stage/lib/modules/$release" "$stage/usr/lib/modules/$release"; do
		[ ! -d "$mods" ] || mv "$mods" "$dir/modules/lib/modules/"
	done
	# /boot/vmlinuz-RELEASE up to 6.x; from 7.x, /usr/lib/modules/RELEASE/vmlinuz.
	mods=$dir/modules/lib/modules/$release
	[ ! -f "$mods/config" ] || cp "$mods/config" "$dir/config-$release"
	if [ -f "$stage/boot/vmlinuz-$release" ]; then
		mv "$stage/boot/vmlinuz-$release" "$dir/"
	elif [ -f "$mods/vmlinuz" ]; then
		mv "$mods/vmlinuz" "$dir/vmlinuz-$release"
	else
		die "no vmlinuz for $release in the packages"
	fi
	[ -d "$mods/kernel" ] || die "no modules for $release"
	# depmod lives in /usr/sbin, which a user's PATH may not have.
	PATH=$PATH:/usr/sbin:/sbin depmod -b "$dir/modules" "$release" ||
		die "depmod failed for $release"
	rm -rf "$stage"
}
