#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian build root: a minbase mmdebstrap of SUITE with the compiler its
# kernels were built with and the tools a module build needs, cached under
# $SHMDEMO_CACHE/buildroots/. Every module is built in its kernel's root
# (tests/fetch/kernel.sh names it), so the host's compiler never matters. Nothing
# is installed on the host, and root is not needed: a user's root is made
# by mmdebstrap in a user namespace and unpacked as the user's own files.
# Usage: tests/fetch/buildroot.sh SUITE                  print the root's directory
#        tests/fetch/buildroot.sh SUITE run COMMAND...   run COMMAND inside it
# COMMAND runs as root (in a user namespace for a user) in a private mount
# namespace with /proc, /dev, the cache and the source tree mounted at the
# paths they have outside, so KDIR=$SHMDEMO_CACHE/kernels/... and
# M=$SHMDEMO_TOP/... mean the same there.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

suite=${1:?usage: buildroot.sh SUITE [run COMMAND...]}
shift
# binutils: without it gcc finds no as. perl and python3: W=1 runs
# kernel-doc (Perl up to 6.x, Python from 6.16). sparse: C=2, though 7.x
# turns it off with a warning: its scripts/checker-valid.sh wants
# __typeof_unqual__, which trixie's sparse 0.6.4 lacks (and the headers
# package lacks that script).
# flex, bison, libssl-dev, cpio: building a whole kernel (the debug kernel).
# bookworm-i386: bookworm with i386 as a second architecture, for the i386
# guests' programs (tests/arch/i386.sh): gcc-12's i686 cross compiler, and
# i386's libkmod, busybox and stress-ng, which those guests get.
name=$suite arches=$SHMDEMO_ARCH
case $suite in
bullseye) gcc=gcc-10 ;;
bookworm) gcc=gcc-12 ;;
trixie)	gcc=gcc-14 ;;
bookworm-i386)
	suite=bookworm gcc=gcc-12 arches+=,i386
	SHMDEMO_BUILDROOT_EXTRA=gcc-i686-linux-gnu,libc6-dev-i386-cross
	SHMDEMO_BUILDROOT_EXTRA+=,libkmod-dev:i386,busybox-static:i386,stress-ng:i386 ;;
herd)	suite=sid gcc= ;;	# herd7, for make check (tests/litmus/herd.sh): sid only
*)	die "no build root for '$suite' (bullseye, bookworm, trixie, bookworm-i386, herd)" ;;
esac
if [ -n "$gcc" ]; then
	pkgs=make,binutils,libc6-dev,libelf-dev,bc,kmod,dwarves,$gcc,perl,python3,sparse
	pkgs+=,flex,bison,libssl-dev,cpio
else
	pkgs=herdtools7
fi
# SHMDEMO_BUILDROOT_EXTRA: more packages, in a root of their own (make
# check's clang-format-14 on a host whose release lacks it).
pkgs+=${SHMDEMO_BUILDROOT_EXTRA:+,$SHMDEMO_BUILDROOT_EXTRA}
# How this user makes and enters a root: as root; in a user namespace
# (mmdebstrap's unshare mode needs subordinate IDs, /etc/subuid); or, where
# the host allows no user namespaces, through sudo.
sudo=
if [ "$(id -u)" = 0 ]; then
	how=root
elif unshare --user --map-root-user true 2> /dev/null; then
	how=user
	grep -q "^$(id -un):" /etc/subuid 2> /dev/null ||
		die "$(id -un) has no subordinate IDs in /etc/subuid, which" \
		    "mmdebstrap needs; root can add them: usermod" \
		    "--add-subuids 100000-165535 --add-subgids 100000-165535 $(id -un)"
else
	how=sudo sudo=as_root
	say "this host allows no unprivileged user namespaces" \
	    "(kernel.apparmor_restrict_unprivileged_userns?): the build root goes through sudo"
fi
hash=$(echo "$pkgs" | sha256sum | cut -c1-8)
root=$SHMDEMO_CACHE/buildroots/$name-$SHMDEMO_ARCH-$hash

# As root, mmdebstrap writes the root where it stays. A user's mmdebstrap
# runs in a user namespace and writes a tarball, unpacked here as the
# user's files (device nodes left out: /dev is the host's, bound).
create() {
	local start=$SECONDS mode=root target=$root.new
	[ "$how" != user ] || mode=unshare target=$root.tar
	apt_mirror_known
	say "creating the $suite build root in $root (mmdebstrap, $mode mode, once)"
	rm -rf "$root" "$root.new" "$root.tar"
	# A download can fail once (a mirror in the middle of a sync): one
	# more try, the first one's log kept beside. Not --quiet: the log
	# keeps apt's own error lines, which mmdebstrap's summary leaves out.
	# The lock's fd stays here: trixie's mmdebstrap hands apt a pipe as
	# the lowest free fd, and its "cat >&11" is a syntax error for dash,
	# which takes one digit (fds 8, 9 and 10 taken in a fresh root).
	local try
	for try in 1 2; do
		$sudo mmdebstrap --mode="$mode" --variant=minbase \
			--arch="$arches" --keyring="$SHMDEMO_KEYRING" --include="$pkgs" \
			--aptopt='Acquire::Check-Valid-Until "false"' \
			"$suite" "$target" "$(apt_mirror)" > "$root.log" 2>&1 9>&- && break
		tail -n 20 "$root.log" >&2
		[ "$try" = 1 ] || die "mmdebstrap failed twice; see $root.log and $root.log.1"
		mv "$root.log" "$root.log.1"
		say "mmdebstrap failed (its log: $root.log.1); trying once more"
		rm -rf "$root.new" "$root.tar"
	done
	if [ "$mode" = unshare ]; then
		mkdir "$root.new"
		tar -C "$root.new" -xf "$root.tar" --exclude='./dev/*' ||
			die "could not unpack $root.tar"
		rm -f "$root.tar"
	fi
	# The kernel's Makefile calls gcc, which this suite's gcc-N is not.
	[ -z "$gcc" ] || [ -x "$root.new/usr/bin/gcc" ] || ln -s "$gcc" "$root.new/usr/bin/gcc"
	mv "$root.new" "$root"
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
# How the root is entered. In a mount namespace of its own, where the
# mounts vanish with the command (a user is root in a user namespace of
# its own, which owns the new /proc). Or, where this host refuses root a
# mount namespace (mount_namespace_refused, tests/lib/lib.sh: a default
# Docker container), with chroot alone: nothing can be mounted there, so
# what the command names is staged inside the root at the same paths
# (tests/lib/chroot.sh: SHMDEMO_BUILDROOT_KERNEL, _READ and _BIND).
# The way is said once, when it is not the last one taken.
# SHMDEMO_BUILDROOT_WAY=chroot takes that way where both are open
# (tests/host/chroot-check.sh).
way=namespace why=
if [ "$how" = root ]; then
	why=$(mount_namespace_refused)
	[ "${SHMDEMO_BUILDROOT_WAY:-}" != chroot ] || why=${why:-SHMDEMO_BUILDROOT_WAY=chroot asks for chroot}
	[ -z "$why" ] || way=chroot
fi
said=$SHMDEMO_CACHE/buildroots/entered-with
if [ "$(cat "$said" 2> /dev/null)" != "$way" ]; then
	[ "$way" = namespace ] ||
		say "buildroot.sh: $why: build roots are entered with chroot, their files staged inside"
	echo "$way" > "$said"
fi
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
if [ "$way" = chroot ]; then
	. "$SHMDEMO_TESTS/lib/chroot.sh"
	chroot_run "$root" "${clean_env[@]}" "$@"
	exit
fi
mounts='set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
for dir in "$SHMDEMO_CACHE" "$SHMDEMO_TOP" ${SHMDEMO_BUILDROOT_BIND:-}; do
	mkdir -p "$root$dir"
	mount --bind "$dir" "$root$dir"
done
exec chroot "$root" "$@"'
userns=()
[ "$how" != user ] || userns=(--map-root-user)
$sudo env SHMDEMO_CACHE="$SHMDEMO_CACHE" SHMDEMO_TOP="$SHMDEMO_TOP" \
	SHMDEMO_BUILDROOT_BIND="${SHMDEMO_BUILDROOT_BIND:-}" \
	unshare "${userns[@]}" --mount --pid --fork --propagation private \
	sh -c "$mounts" sh "$root" "${clean_env[@]}" "$@"
