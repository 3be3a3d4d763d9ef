#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A new user's machine, made on this one: a fresh minimal Debian root (git
# and make on mmdebstrap's minbase, / a mount point, nothing else), the
# committed tree cloned into it, and make TARGETs run there as a student
# would, one line each. Needs root on this machine.
# Usage: tests/host/fresh.sh [--user] [--cache DIR] [--broken-source] SUITE [ARCH] -- TARGET...
#        tests/host/fresh.sh --docker [--cache DIR] [--broken-source] SUITE -- TARGET...
#   --docker     in a default Docker container of a debian:SUITE image made
#                here (tests/host/fresh-docker.sh), not in a root
#   --user       root runs make deps once, then user "student" (no sudo)
#                runs the targets in a clone of its own
#   --broken-source  apt keeps its lists compressed (Acquire::GzipIndexes,
#                as Docker's Debian images do), and an extra source on the
#                loopback address fails apt-get update (exit 100: an index
#                of the wrong size; tests/host/broken-source.sh)
#   --cache DIR  the user's SHMDEMO_CACHE is DIR, at the same path inside
#                (a warm run); without it the cache starts empty, in
#                ~/.cache/shmdemo
#   SUITE        bookworm, trixie, sid...; ARCH: the host's by default
#   TARGET       a make target with its variables, one word each
#                ("race N=20"); "shell<CMDS" pipes CMDS into make shell,
#                and passes only if the guest got to the end of CMDS
#                with each command's status 0
# Each line: "fresh SUITE/ARCH (root|student): make TARGET: ok|FAILED (N s)".
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

# --docker: the same in a default Docker container (tests/host/fresh-docker.sh).
args=()
for arg; do
	[ "$arg" = --docker ] || args+=("$arg")
done
[ ${#args[@]} -eq $# ] || exec "$SHMDEMO_TESTS/host/fresh-docker.sh" "${args[@]}"

user=root cache= broken=
while [ $# -gt 0 ]; do
	case $1 in
	--user)	user=student; shift ;;
	--cache) cache=$(realpath "$2"); shift 2 ;;
	--broken-source) broken=1; shift ;;
	*)	break ;;
	esac
done
suite=${1:?usage: fresh.sh [--user] [--cache DIR] SUITE [ARCH] -- TARGET...}
shift
arch=$SHMDEMO_HOST_ARCH
if [ "${1:-}" != -- ]; then
	arch=${1:?usage: fresh.sh SUITE [ARCH] -- TARGET...}
	shift
fi
[ "${1:-}" = -- ] || die "usage: fresh.sh [--user] [--cache DIR] SUITE [ARCH] -- TARGET..."
shift
[ $# -gt 0 ] || die "no target"
[ "$(id -u)" = 0 ] || die "makes a root file system: run it as root"
"$SHMDEMO_TESTS/fetch/deps.sh" fresh
# A root of another architecture (arm64 on this amd64 host) runs under qemu-user.
[ "$arch" = "$SHMDEMO_HOST_ARCH" ] || arm64_binfmt

root=$SHMDEMO_CACHE/fresh/$suite-$arch-$user
logs=$SHMDEMO_CACHE/fresh/logs/$suite-$arch-$user
# One run per root: a second would delete the first one's system under it.
mkdir -p "${root%/*}"
exec 8> "$root.lock"
flock -n 8 || die "another tests/host/fresh.sh is using $root"
umount -R "$root" 2>/dev/null || true
rm -rf "$root" "$logs" && mkdir -p "$root" "$logs"

start=$SECONDS
. "$SHMDEMO_TESTS/host/system.sh"
tarball=$(system_tarball "$suite" "$arch" fresh "$logs/mmdebstrap.log")
tar -C "$root" -xf "$tarball" || die "could not unpack $tarball"
say "fresh $suite/$arch root in $((SECONDS - start)) s: $root"

home=/root
[ "$user" = root ] || home=/home/$user
git clone -q "$SHMDEMO_TOP" "$root$home/shmdemo"
[ "$user" = root ] || chroot "$root" chown -R "$user:$user" "$home"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -n "$broken" ]; then
	printf '%s\n' 'Acquire::GzipIndexes "true";' 'Acquire::CompressionTypes::Order:: "gz";' \
		> "$root/etc/apt/apt.conf.d/docker-gzip-indexes"
	coproc broken_source { exec "$SHMDEMO_TESTS/host/broken-source.sh" "$logs/broken-source"; }
	trap 'kill "$broken_source_PID" 2> /dev/null || true' EXIT
	read -r line <&"${broken_source[0]}"
	echo "$line" > "$root/etc/apt/sources.list.d/broken.list"
	say "an extra apt source that fails its update: $line"
fi

# One make run inside the root, in a mount namespace of its own (without
# this script's lock fds, which a student's shell would not have): the root
# bind-mounted onto itself and made the namespace's root (so / is a mount
# point there), /proc, /sys, /dev, and the warm cache if one was given.
in_fresh() {	# in_fresh AS_USER COMMAND
	unshare --mount --pid --fork --propagation private sh -ec '
		root=$1 cache=$2 home=$3 as=$4; shift 4
		# root keeps its own HOME (its cache), in the student tree.
		h=$home; [ "$as" != root ] || h=/root
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount -t sysfs sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmp "$root/tmp"
		# A cache holds its own absolute paths (the headers Makefile
		# includes its -common twin by path): it appears at the same
		# path inside, and SHMDEMO_CACHE names it there.
		if [ -n "$cache" ]; then
			mkdir -p "$root$cache"
			mount --bind "$cache" "$root$cache"
		fi
		# pivot_root, not chroot: the root becomes the mount namespace s
		# own, as on a real machine, and the kernel lets its users make
		# user namespaces, which it refuses to a chrooted process. From
		# here on the programs are the root s own.
		mkdir -p "$root/.old-root"
		cd "$root"
		pivot_root . .old-root
		umount -l /.old-root
		rmdir /.old-root
		cd /
		exec runuser -u "$as" -- env -i TERM=dumb ${cache:+SHMDEMO_CACHE=$cache} \
			HOME="$h" LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/sbin:/bin \
			sh -c "cd $home/shmdemo && $1"' \
		sh "$root" "$cache" "$home" "$@" 8>&- 9>&-
}

# One target as AS_USER, one line for it.
step() {	# step AS_USER LOG LABEL COMMAND
	system_step "fresh $suite/$arch ($user)" "$logs/$2.log" "$3" "$4" in_fresh "$1"
}

status=0
if [ "$user" != root ]; then
	# The teacher's one step as root; the student's tree is the clone above.
	step root deps "make deps (as root)" "make deps" || exit 1
fi
for target in "$@"; do
	log=${target%%<*}
	step "$user" "${log//[^[:alnum:]=.-]/_}" "make ${target%%<*}" "$(system_command "$target")" || status=1
done
# A root that passed is not kept (3 to 4 GB each; its tarball is); one
# that failed is, to look into.
if [ "$status" -eq 0 ]; then
	umount -R "$root" 2>/dev/null || true
	rm -rf --one-file-system "$root"
	echo "fresh $suite/$arch ($user): logs in $logs"
else
	echo "fresh $suite/$arch ($user): logs in $logs, the root kept in $root"
fi
exit "$status"
