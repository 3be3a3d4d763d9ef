# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts in tests/: paths and small helpers.

SHMDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A CI runner may start us without HOME: take it from the password database.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME
SHMDEMO_CACHE=${SHMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmdemo}

. "$SHMDEMO_TOP/tests/apt.sh"

say() { printf '%s\n' "$*" >&2; }
die() { say "${0##*/}: $*"; exit 1; }

# Run a command as root: directly, through sudo, or tell the user what to run.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		die "needs root; run: sudo $*"
	fi
}

# The host's apt, which installs the packages of tests/deps.sh only.
apt_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null
}

apt_update() {
	say "updating the apt package lists"
	as_root apt-get update -q >&2 || die "apt-get update failed"
}

# Build the module for one kernel, out of the source tree, with W=1 and any
# extra kbuild arguments (C=2, say), with that kernel's compiler (in a build
# root if the host has no such compiler). Diagnostics go to stderr.
build_module() {	# build_module KERNEL_DIR OUT_DIR [KBUILD_ARG...]
	local kdir=$1 out=$2
	shift 2
	mkdir -p "$out"
	out=$(cd "$out" && pwd)		# kbuild needs M= absolute
	# Sources only: an in-tree build's products (a stale shmdemo.mod.c) stay out.
	(cd "$SHMDEMO_TOP" &&
	 cp -a --parents Kbuild kmod/Kbuild kmod/shmdemo.c kmod/uapi debian/changelog "$out")
	# The kernel's notes about itself are not the module's diagnostics.
	# Those name the sources in the tree, not the copies the next run replaces.
	in_buildroot "$kdir" make -s -C "$kdir/build" M="$out" W=1 \
		$(host_cc "$kdir") "$@" modules 2>&1 >/dev/null |
		{ grep -v -e '^Skipping BTF generation' \
			-e 'CONFIG_X86_X32 enabled but no binutils support' || true; } |
		sed "s#$out/\(kmod/shmdemo\.c\|kmod/uapi/\|kmod/Kbuild\|Kbuild\)#$SHMDEMO_TOP/\1#g" >&2
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# Is OUT_DIR's module newer than its sources and the kernel's build tree?
# Then kbuild would only confirm it, which takes seconds.
module_up_to_date() {	# module_up_to_date KERNEL_DIR OUT_DIR
	local ko=$2/kmod/shmdemo.ko
	[ -e "$ko" ] || return 1
	[ -z "$(cd "$SHMDEMO_TOP" && find Kbuild kmod/Kbuild kmod/shmdemo.c \
		kmod/uapi "$1/release" -newer "$ko" | head -1)" ]
}

# CC=gcc when KERNEL_DIR is built on the host and the host lacks the gcc-N
# its kernel was built with (bullseye's 5.10: gcc-10; gcc-12 builds it).
host_cc() {	# host_cc KERNEL_DIR
	local cc
	[ ! -s "$1/buildroot" ] || return 0
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' \
		"$1/build/include/config/auto.conf" 2>/dev/null)
	[ -z "$cc" ] || command -v "$cc" > /dev/null || echo CC=gcc
}

# Run COMMAND with the compiler KERNEL_DIR's kernel was built with: in the
# build root its buildroot file names (tests/buildroot.sh), else on the host.
in_buildroot() {	# in_buildroot KERNEL_DIR COMMAND...
	local kdir=$1
	shift
	if [ -s "$kdir/buildroot" ]; then
		"$SHMDEMO_TOP/tests/buildroot.sh" "$(cat "$kdir/buildroot")" run "$@"
	else
		"$@"
	fi
}

# Download Debian 12 packages into DIR (not installed), through the private
# apt (tests/apt.sh), whatever the host's apt sources say.
apt_download() {	# apt_download DIR PACKAGE...
	papt_download bookworm "$@"
}
