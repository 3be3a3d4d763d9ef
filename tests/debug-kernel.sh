#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug guest kernel (KASAN, lockdep, kmemleak, UBSAN, KFENCE, fault
# injection) from Debian's linux-source-6.12 and tests/debug.config, into the
# cache, never into /boot. The package is downloaded, not installed.
# Usage: tests/debug-kernel.sh
# Prints the kernel's cache directory, keyed by the source package's version
# and the fragment's hash, which holds (as tests/kernel.sh's do):
#   release   the kernel release (uname -r in the guest)
#   bzImage   the kernel QEMU boots (vmlinux's PVH entry point does not
#             work with KASAN)
#   build     the built source tree, usable as KDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

pkg=linux-source-6.12
fragment=$here/debug.config
top=$SHMDEMO_CACHE/debug-kernel
kmake=(make -C src ARCH=x86_64 -j"${SHMDEMO_BUILD_JOBS:-2}")

# The version apt would fetch of PACKAGE, or nothing.
candidate() {	# candidate PACKAGE
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# Download the source package into $top/debs (once) and print the .deb's path.
fetch_source() {	# fetch_source VERSION
	local deb=$top/debs/${pkg}_${1/:/%3a}_all.deb
	if [ ! -s "$deb" ]; then
		say "fetching $pkg $1"
		mkdir -p "$top/debs"
		apt_download "$top/debs" "$pkg=$1"
	fi
	[ -s "$deb" ] || die "apt-get download left no $deb"
	echo "$deb"
}

# Unpack the kernel tarball that the package ships into DIR/src.
unpack() {	# unpack DEB DIR
	rm -rf "$2/src" && mkdir -p "$2/src"
	say "unpacking $pkg"
	dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$2/src" --strip-components=1
}

# Every line of the fragment must have survived olddefconfig: Kconfig drops
# an option silently when a dependency is missing.
check_config() {	# check_config CONFIG
	local line sym missing=()
	while read -r line; do
		case $line in
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$1" && missing+=("$line") ;;
		CONFIG_*)
			grep -qxF "$line" "$1" || missing+=("$line") ;;
		esac
	done < "$fragment"
	[ ${#missing[@]} -eq 0 ] && return 0
	say "olddefconfig did not keep these lines of ${fragment#$SHMDEMO_TOP/}:"
	printf '  %s\n' "${missing[@]}" >&2
	return 1
}

# Run a build step with its output appended to build.log; on failure, show
# the end of the log and stop.
logged() {	# logged COMMAND...
	"$@" >> build.log 2>&1 && return 0
	tail -n 30 build.log >&2
	die "failed: $*; see $PWD/build.log"
}

# Configure and build the tree in DIR; the log goes to DIR/build.log.
build() {	# build DIR
	local start=$SECONDS
	cd "$1"
	: > build.log
	say "configuring: tinyconfig + ${fragment#$SHMDEMO_TOP/}"
	logged "${kmake[@]}" tinyconfig
	logged src/scripts/kconfig/merge_config.sh -m -O src src/.config "$fragment"
	logged "${kmake[@]}" olddefconfig
	check_config src/.config || die "the debug kernel's configuration is incomplete"
	say "building the debug kernel (${kmake[*]:3}); log: $1/build.log"
	# bzImage, and modules for Module.symvers, which M= builds link against.
	logged "${kmake[@]}" bzImage modules
	[ -s src/Module.symvers ] || die "the build left no Module.symvers"
	"${kmake[@]}" -s kernelrelease > release
	ln -sfn src/arch/x86/boot/bzImage bzImage
	ln -sfn src build
	echo "$((SECONDS - start))" > build-seconds
	say "built $(cat release) in $((SECONDS - start)) s"
}

"$here/deps.sh" flex bison libelf-dev libssl-dev bc

version=$(candidate "$pkg")
if [ -z "$version" ]; then
	apt_update
	version=$(candidate "$pkg")
fi
[ -n "$version" ] || die "apt knows no package $pkg"
hash=$(sha256sum "$fragment" | cut -c1-12)
dir=$top/$version-$hash

mkdir -p "$top"
exec 9> "$dir.lock"
flock 9
if [ ! -e "$dir/ready" ]; then
	deb=$(fetch_source "$version")
	mkdir -p "$dir"
	[ -e "$dir/unpacked" ] || { unpack "$deb" "$dir" && touch "$dir/unpacked"; }
	(build "$dir")
	touch "$dir/ready"
fi
echo "$dir"
