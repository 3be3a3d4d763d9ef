# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts in tests/: paths and small helpers.

SHMDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A CI runner may start us without HOME: take it from the password database.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME
SHMDEMO_CACHE=${SHMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmdemo}

say() { printf '%s\n' "$*" >&2; }
die() { say "${0##*/}: $*"; exit 1; }
# arm64 guests: build roots under qemu-user, cross-compiled programs.
. "$SHMDEMO_TOP/tests/arm64.sh"

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

apt_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null
}

apt_update() {
	say "updating the apt package lists"
	as_root apt-get update -q >&2 || die "apt-get update failed"
}

# Build the module for one kernel, out of the source tree, with W=1 and any
# extra kbuild arguments (C=2, say). Diagnostics go to stderr.
build_module() {	# build_module KERNEL_DIR OUT_DIR [KBUILD_ARG...]
	local kdir=$1 out=$2
	shift 2
	mkdir -p "$out"
	out=$(cd "$out" && pwd)		# kbuild needs M= absolute
	# Sources only: an in-tree build's products (a stale shmdemo.mod.c) stay out.
	(cd "$SHMDEMO_TOP" &&
	 cp -a --parents Kbuild kmod/Kbuild kmod/shmdemo.c kmod/uapi "$out")
	local make=(make -C "$kdir/build")
	# An arm64 kernel's headers: kbuild runs in their build root, with the
	# cross compiler (tests/arm64-root.sh).
	[ ! -e "$kdir/arm64-root" ] ||
		make=(in_root "$(cat "$kdir/arm64-root")" "$out" -- make \
		      -C "/usr/src/linux-headers-$(cat "$kdir/release")" \
		      CROSS_COMPILE=aarch64-linux-gnu-)
	"${make[@]}" -s M="$out" W=1 "$@" modules 2>&1 >/dev/null |
		{ grep -v '^Skipping BTF generation' >&2 || true; }
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# Download Debian packages into DIR (not installed), updating the package
# lists once if a version they name is gone from the archive.
apt_download() {	# apt_download DIR PACKAGE...
	local dir=$1 download
	shift
	download=(apt-get download -q "$@")
	# apt's unprivileged _apt user cannot write to root's cache.
	[ "$(id -u)" = 0 ] && download+=(-o APT::Sandbox::User=root)
	(cd "$dir" && "${download[@]}" >&2) && return 0
	apt_update
	(cd "$dir" && "${download[@]}" >&2) || die "could not download $*"
}
