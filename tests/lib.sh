# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts in tests/: paths and small helpers.

SHMDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHMDEMO_CACHE=${SHMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmdemo}

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

apt_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null
}

apt_update() {
	say "updating the apt package lists"
	as_root apt-get update -q >&2 || die "apt-get update failed"
}
