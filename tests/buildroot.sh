#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian build root: a minbase debootstrap of SUITE with the compiler and
# tools a kernel module build needs, cached under $SHMDEMO_CACHE/buildroots/.
# Kernels built with a newer gcc than the host's (7.x: gcc-14, which bookworm
# lacks) have their modules built in one. Nothing is installed on the host
# besides debootstrap, and nothing goes into /boot or /usr/src.
# Usage: tests/buildroot.sh SUITE                  print the root's directory
#        tests/buildroot.sh SUITE run COMMAND...   run COMMAND inside it
# COMMAND runs as root in a private mount namespace with /proc, /dev, the
# cache and the source tree mounted at the paths they have outside, so
# KDIR=$SHMDEMO_CACHE/kernels/... and M=$SHMDEMO_TOP/... mean the same there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${1:?usage: buildroot.sh SUITE [run COMMAND...]}
shift
# binutils: without it gcc finds no as. perl and python3: W=1 runs
# kernel-doc (Perl up to 6.x, Python from 6.16). sparse: C=2, though 7.x
# turns it off with a warning: its scripts/checker-valid.sh wants
# __typeof_unqual__, which trixie's sparse 0.6.4 lacks (and the headers
# package lacks that script).
# flex, bison, libssl-dev, cpio: building a whole kernel (the debug kernel).
case $suite in
trixie)	gcc=gcc-14 ;;
*)	die "no build root for '$suite' (trixie)" ;;
esac
pkgs=make,binutils,libc6-dev,libelf-dev,bc,kmod,dwarves,$gcc,perl,python3,sparse
pkgs+=,flex,bison,libssl-dev,cpio
hash=$(echo "$pkgs" | sha256sum | cut -c1-8)
root=$SHMDEMO_CACHE/buildroots/$suite-$SHMDEMO_ARCH-$hash

create() {
	local start=$SECONDS
	say "creating the $suite build root in $root (debootstrap, once)"
	rm -rf "$root"
	# debootstrap checks the Release file's signature, not its Valid-Until.
	as_root debootstrap --variant=minbase --arch="$SHMDEMO_ARCH" \
		--keyring="$SHMDEMO_KEYRING" --include="$pkgs" \
		"$suite" "$root" "$(apt_mirror)" > "$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; die "debootstrap failed; see $root.log"; }
	# The kernel's Makefile calls gcc, which this suite's gcc-N is not.
	[ -x "$root/usr/bin/gcc" ] || ln -s "$gcc" "$root/usr/bin/gcc"
	echo "$((SECONDS - start))" > "$root.seconds"
	touch "$root/.ready"
	say "created the $suite build root in $((SECONDS - start)) s"
}

mkdir -p "${root%/*}"
if [ ! -e "$root/.ready" ]; then
	exec 9> "$root.lock"
	flock 9
	[ -e "$root/.ready" ] || create
	exec 9>&-
fi

if [ "${1:-}" != run ]; then
	echo "$root"
	exit 0
fi
shift
# A mount namespace of its own: the mounts vanish with the command.
mounts='set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
for dir in "$SHMDEMO_CACHE" "$SHMDEMO_TOP" ${SHMDEMO_BUILDROOT_BIND:-}; do
	mkdir -p "$root$dir"
	mount --bind "$dir" "$root$dir"
done
exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 "$@"'
# unshare cannot make / private where / is no mount point: a plain chroot.
mountpoint -q / || die "/ is not a mount point (a plain chroot?): the build" \
	"root's mounts need a private namespace; bind-mount the chroot onto itself" \
	"first (mount --bind DIR DIR) and enter it again"
as_root env SHMDEMO_CACHE="$SHMDEMO_CACHE" SHMDEMO_TOP="$SHMDEMO_TOP" \
	SHMDEMO_BUILDROOT_BIND="${SHMDEMO_BUILDROOT_BIND:-}" \
	unshare --mount --propagation private sh -c "$mounts" sh "$root" "$@"
