#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a target needs, and no more: make run installs
# what it boots with, make test adds its own, and so on. make deps installs
# them all, once, as root or through sudo, for users who have neither.
# Usage: tests/fetch/deps.sh NEED...     (NEED: a name of the table below)
#        tests/fetch/deps.sh --all       every need
#        tests/fetch/deps.sh --list NEED...   the packages, installed or not
#        tests/fetch/deps.sh --needs     the needs' names
# The installer's output goes to a log under $SHMDEMO_CACHE, never to
# stdout or stderr (make check reads those), unless it fails.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

# need    packages (every need but fresh and docker includes run's)
# run: make run and race (their guest programs are 64-bit only).
# libkmod-dev: user_demo names the module through libkmod. mmdebstrap,
# uidmap: the build roots, made as root or in a user namespace
# (tests/fetch/buildroot.sh). debian-archive-keyring: the private apt checks the
# archives with it (tests/lib/apt.sh). kmod: depmod for the guests' modules.
# shell: the 32-bit test programs (compat_ioctl) are in its guest. test:
# those, stress-ng in the guest, perl for the README checker. check: the
# static checks, dkms, the packages, herd7's sid root and the bench
# report's plot (test_bench.sh). debug: the
# fuzzers in its guest (the kernel builds in its build root), and gdb
# for its scripted make debug. debugger: make debug. arm64: the
# arm64 guests, and their build roots under qemu-user. fresh: tests/host/fresh.sh's
# roots, of another architecture too (mmdebstrap asks arch-test); docker:
# its --docker containers (Debian's Docker engine). i386:
# the i386 guest (tests/arch/i386.sh), whose busybox qemu-user lists. web:
# make web (course/web/: seabios's BIOS, npm's v86 and xterm.js, fetched
# over HTTPS: ca-certificates, which a minimal system lacks).
# npm-client: Debian's npm, asked for (tests/web/npm.sh) only where no npm
# is on the PATH (NodeSource's nodejs has its own, and conflicts with it).
# test-web: make test-web's headless chromium, driven by chromium-driver
# through Debian's selenium.
# PACKAGE? is installed where the host's release has it: clang-format-14,
# the version the tree is formatted with, is not in Debian 13, where
# make check runs it in a bookworm build root instead (tests/static/check.sh).
needs="
run    gcc make libc6-dev pkg-config libkmod-dev kmod qemu-system-x86
       busybox-static cpio xz-utils zstd debian-archive-keyring mmdebstrap uidmap
module
shell  gcc-multilib
race
test   gcc-multilib stress-ng perl
check  gcc-multilib stress-ng perl sparse cppcheck clang-format-14? dkms pahole groff-base
       debootstrap build-essential dpkg-dev debhelper dh-dkms lintian gnuplot-nox
deb    build-essential dpkg-dev debhelper dh-dkms lintian
debug  gcc-multilib stress-ng trinity gdb
debugger  gdb
bench  gcc-multilib gnuplot-nox
arm64  gcc-multilib stress-ng perl qemu-system-arm qemu-user-static debootstrap
vm     debootstrap qemu-utils qemu-system-x86 e2fsprogs
fresh  mmdebstrap debian-archive-keyring arch-test qemu-user-static
docker docker.io
i386   qemu-user-static
web    qemu-user-static seabios nodejs ca-certificates
npm-client  npm
test-web  qemu-user-static seabios nodejs ca-certificates chromium chromium-driver python3-selenium
"

need_packages() {	# need_packages NEED
	local line words cur=
	while IFS= read -r line; do
		case $line in [a-z0-9]*) cur=${line%% *} line=${line#"$cur"} ;; esac
		[ "$cur" = "$1" ] || continue
		read -ra words <<< "$line"
		[ ${#words[@]} -eq 0 ] || printf '%s\n' "${words[@]}"
	done <<< "$needs"
}

need_names() {
	awk '/^[a-z0-9]/ { print $1 }' <<< "$needs"
}

list=0 wanted=()
case ${1:-} in
# --all leaves out fresh and docker (CI's own), npm-client (only where no npm is on
# the PATH), and web and test-web (nodejs, chromium): make web and make
# test-web install theirs when first run.
--all)	set -- $(need_names | grep -vx -e fresh -e docker -e npm-client -e web -e test-web) ;;
--needs) need_names; exit 0 ;;
--list)	list=1; shift ;;
esac
[ $# -gt 0 ] || die "usage: deps.sh NEED... | --all | --list NEED..."
for need in "$@"; do
	case $'\n'$needs in
	*$'\n'"$need "*|*$'\n'"$need"$'\n'*) ;;
	*) die "no need '$need' in tests/fetch/deps.sh" ;;
	esac
	[ "$need" = fresh ] || [ "$need" = docker ] || mapfile -t -O ${#wanted[@]} wanted < <(need_packages run)
	mapfile -t -O ${#wanted[@]} wanted < <(need_packages "$need")
done
# A host other than amd64 (arm64) boots arm64 guests: qemu-system-arm, and
# qemu-user-static and debootstrap for their amd64 build roots; gcc-multilib
# (the x86 guests' 32-bit programs) is amd64's only.
if [ "$SHMDEMO_HOST_ARCH" != amd64 ]; then
	mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sed -e '/^gcc-multilib$/d' \
		-e 's/^qemu-system-x86$/qemu-system-arm\nqemu-user-static\ndebootstrap/')
fi
pkgs=() optional=
declare -A seen=()
for pkg in "${wanted[@]}"; do
	[ -z "${seen[$pkg]:-}" ] || continue
	seen[$pkg]=1 pkgs+=("$pkg")
	[[ $pkg != *'?' ]] || optional+="${pkg%\?}"$'\n'
done
if [ "$list" = 1 ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi
pkgs=("${pkgs[@]%\?}")

# One dpkg-query for all of them: it prints nothing for an unknown package.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" \
	2>/dev/null | awk '$2 == "installed" { print $1 }') || true
declare -A have=()
while read -r pkg; do
	[ -z "$pkg" ] || have[$pkg]=1
done <<< "$installed"
missing=()
for pkg in "${pkgs[@]}"; do
	[ -n "${have[$pkg]:-}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get > /dev/null ||
	die "this host has no apt; install the Debian packages (or your system's" \
	    "equivalents) of: ${missing[*]}"
mkdir -p "$SHMDEMO_CACHE"
log=$SHMDEMO_CACHE/deps.log
# The lists are refreshed only when apt cannot install what is missing
# from those it has (they may be absent, or old), and at most once; a
# source whose refresh fails is named, and the install decides.
updated=0
required=()
for pkg in "${missing[@]}"; do
	grep -qxF "$pkg" <<< "$optional" || required+=("$pkg")
done
if [ ${#required[@]} -gt 0 ] && ! apt_installable "${required[@]}"; then
	apt_update "$log" || true
	updated=1
fi
# An optional package the host's release does not have is left out.
for i in "${!missing[@]}"; do
	grep -qxF "${missing[i]}" <<< "$optional" || continue
	apt_installable "${missing[i]}" || unset 'missing[i]'
done
missing=("${missing[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0
say "installing ${#missing[@]} packages (log: $log): ${missing[*]}"
# Other apt and dpkg runs on this machine: wait for their lock, not fail.
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
	 --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
# Install, apt's output kept in out and appended to the log.
try_install() {
	local status=0
	out=$(as_root "${install[@]}" 2>&1) || status=$?
	printf '%s\n' "$out" >> "$log"
	return "$status"
}
try_install && exit 0
# Lists the install found wanting are refreshed once, if not already.
if [ "$updated" = 0 ]; then
	apt_update "$log" || true
	try_install && exit 0
fi
say "apt-get install failed. What apt said:"
grep -E '^(E|W):' <<< "$out" | sed 's/^/  /' >&2 || tail -n 20 <<< "$out" >&2
die "could not install ${missing[*]} (log: $log)"
