#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The few Debian modules make shell needs (9p over virtio), for kernels
# cached before tests/kernel.sh kept their whole modules tree: fetched once
# from the image package into the cache, with a modules.dep for them.
# Usage: tests/guest-modules.sh RELEASE   prints the modules tree's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

release=${1:?usage: guest-modules.sh RELEASE}
root=$SHMDEMO_CACHE/guest-modules/$release
tree=$root/lib/modules/$release
if [ ! -e "$root/ready" ]; then
	say "fetching the 9p and virtio modules of $release (once)"
	rm -rf "$root" && mkdir -p "$root/debs"
	apt_download "$root/debs" "linux-image-$release" 2>/dev/null ||
		apt_download "$root/debs" "linux-image-$release-unsigned"
	dpkg-deb --fsys-tarfile "$root"/debs/*.deb |
		tar -x -C "$root" --wildcards \
			"./lib/modules/$release/modules.builtin*" \
			"./lib/modules/$release/modules.order" \
			"./lib/modules/$release/kernel/fs/9p/*" \
			"./lib/modules/$release/kernel/fs/netfs/*" \
			"./lib/modules/$release/kernel/fs/fscache/*" \
			"./lib/modules/$release/kernel/net/9p/*" \
			"./lib/modules/$release/kernel/drivers/virtio/*" 2>/dev/null || true
	rm -rf "$root/debs"
	[ -d "$tree/kernel/net/9p" ] || die "no 9p modules in linux-image-$release"
	depmod -b "$root" "$release" || die "depmod failed for $release"
	touch "$root/ready"
fi
echo "$tree"
