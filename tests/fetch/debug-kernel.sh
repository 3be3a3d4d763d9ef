#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a debug guest kernel (KASAN, lockdep, kmemleak, UBSAN, KFENCE, fault
# injection) from Debian's linux-source-VERSION and tests/fetch/debug.config, into
# the cache, never into /boot. The package is downloaded through the private
# apt (tests/lib/apt.sh), not installed.
# Usage: tests/fetch/debug-kernel.sh [FLAVOUR | --all]
#   FLAVOUR  a debug row of tests/kernels, which names the linux-source
#            package, the apt profile it comes from and the build root whose
#            gcc builds it: debug (linux-source-6.12 of bookworm, gcc-12;
#            the default) or debug-7.3 (trixie-backports, trixie's gcc-14)
#   --all    every one of them in turn (CI builds them ahead of make test-debug)
# Prints the kernel's cache directory, keyed by the source package's version
# and the fragment's hash, which holds (as tests/fetch/kernel.sh's do):
#   release    the kernel release (uname -r in the guest)
#   bzImage    the kernel QEMU boots (vmlinux's PVH entry point does not
#              work with KASAN)
#   build      the built source tree, usable as KDIR; its vmlinux has
#              DWARF, and vmlinux-gdb.py the kernel's gdb scripts (make debug)
#   buildroot  the build root it was built in: modules are built there too
#   arch, scale, memory   the flavour's row (kernel_record)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

if [ "${1:-}" = --all ]; then
	for flavour in $(kernels_of debug amd64); do
		"$0" "$flavour" > /dev/null
	done
	exit
fi
flavour=${1:-$(kernels_of debug amd64 | head -n 1)}
kernel_known "$flavour"
read -r lane profile pkg buildroot < <(kernel_rows name="$flavour" -- lane profile package buildroot)
[ "$lane" = debug ] && [ "${pkg#linux-source-}" != "$pkg" ] ||
	die "$flavour is not a debug kernel built from linux-source (tests/kernels)"
fragment=$here/debug.config
top=$SHMDEMO_CACHE/debug-kernel

# The version apt would fetch of PACKAGE, or nothing.
candidate() {	# candidate PACKAGE
	{ papt "$profile" apt-cache policy "$1" 2>/dev/null || true; } |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# Download the source package into $top/debs (once) and print the .deb's path.
fetch_source() {	# fetch_source VERSION
	local deb=$top/debs/${pkg}_${1/:/%3a}_all.deb
	if [ ! -s "$deb" ]; then
		say "fetching $pkg $1"
		mkdir -p "$top/debs"
		papt_download "$profile" "$top/debs" "$pkg=$1"
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
# an option silently when a dependency is missing. An option this kernel's
# Kconfig no longer has (7.x folded PROC_SYSCTL into SYSCTL) is only named.
check_config() {	# check_config CONFIG
	local line sym missing=()
	while read -r line; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		case $line in
		'# CONFIG_'*' is not set')
			grep -q "^$sym=" "$1" || continue ;;
		CONFIG_*)
			! grep -qxF "$line" "$1" || continue ;;
		*)	continue ;;
		esac
		if grep -rqE "^[[:space:]]*(menu)?config ${sym#CONFIG_}\$" \
			--include='Kconfig*' src; then
			missing+=("$line")
		else
			say "not in the Kconfig of $(cat src/include/config/kernel.release 2>/dev/null || echo this tree): $line"
		fi
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
	# Absolute paths: in a build root, the command starts in its /.
	local kmake=(in_buildroot "$1" make -C "$1/src" ARCH=x86_64
		     -j"${SHMDEMO_BUILD_JOBS:-2}")
	cd "$1"
	: > build.log
	say "configuring: tinyconfig + ${fragment#$SHMDEMO_TOP/}"
	logged "${kmake[@]}" tinyconfig
	logged in_buildroot "$1" "$1/src/scripts/kconfig/merge_config.sh" -m \
		-O "$1/src" "$1/src/.config" "$fragment"
	logged "${kmake[@]}" olddefconfig
	check_config src/.config || die "the debug kernel's configuration is incomplete"
	say "building the debug kernel (${kmake[*]:6}${buildroot:+, in the $buildroot build root}); log: $1/build.log"
	# bzImage, and modules for Module.symvers, which M= builds link against.
	logged "${kmake[@]}" bzImage modules
	[ -s src/Module.symvers ] || die "the build left no Module.symvers"
	"${kmake[@]}" -s kernelrelease > release
	ln -sfn src/arch/x86/boot/bzImage bzImage
	ln -sfn src build
	echo "$((SECONDS - start))" > build-seconds
	say "built $(cat release) in $((SECONDS - start)) s"
}

# Young lists answer without apt touching the network; without a network,
# old ones still name the version that was built.
apt_profile_ready "$profile" || true
version=$(candidate "$pkg")
[ -n "$version" ] || die "$profile has no package $pkg"
hash=$(sha256sum "$fragment" | cut -c1-12)
dir=$top/$version-$hash

mkdir -p "$top"
exec 9> "$dir.lock"
flock 9
if [ ! -e "$dir/ready" ]; then
	deb=$(fetch_source "$version")
	mkdir -p "$dir"
	echo "$buildroot" > "$dir/buildroot"
	[ -e "$dir/unpacked" ] || { unpack "$deb" "$dir" && touch "$dir/unpacked"; }
	(build "$dir")
	touch "$dir/ready"
fi
# make debug's gdb helpers (vmlinux-gdb.py and its constants), made apart
# from the build so that a tree built before they were asked for gets them.
if grep -q '^CONFIG_GDB_SCRIPTS=y' "$dir/src/.config" &&
   [ ! -e "$dir/src/scripts/gdb/linux/constants.py" ]; then
	say "making the kernel's gdb scripts"
	(cd "$dir" && logged in_buildroot "$dir" make -C "$dir/src" ARCH=x86_64 scripts_gdb)
fi
kernel_record "$dir" "$flavour" "$dir/src/.config"
echo "$dir"
