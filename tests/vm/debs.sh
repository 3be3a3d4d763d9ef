#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The second kernel that make test-vm installs in the guest, offline:
# bookworm's 6.12 image and headers, and what they need that the image lacks
# (linux-kbuild-6.12 depends on pahole). Downloaded once into the cache.
# Usage: tests/vm/debs.sh   prints the directory that holds the .debs
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

meta=linux-image-6.12-amd64
image=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$image" ]; then
	mkdir -p "$SHMDEMO_CACHE"
	apt_update "$SHMDEMO_CACHE/deps.log" || true
	image=$(apt-cache depends "$meta" | awk '/Depends: linux-image-/ { print $2; exit }')
fi
[ -n "$image" ] || die "apt knows no $meta"
kver=${image#linux-image-}
kver=${kver%-amd64}
dir=$SHMDEMO_CACHE/vm/debs-$kver
if [ ! -e "$dir/ready" ]; then
	rm -rf "$dir" && mkdir -p "$dir"
	apt_download "$dir" "$image" "linux-headers-$kver-amd64" \
		"linux-headers-$kver-common" "linux-kbuild-$kver" \
		pahole libbpf1 libdw1 libelf1
	touch "$dir/ready"
fi
echo "$dir"
