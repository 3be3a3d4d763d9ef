# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts in tests/: paths and small helpers.

SHMDEMO_TOP=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
# tests/: lib/ (sourced), fetch/ (kernels, roots, packages), lanes/ (what
# each make target boots), guest/ (the guest's programs), host/ and static/
# (checks run on the host), arch/, bench/, litmus/, readme/ and vm/.
SHMDEMO_TESTS=$SHMDEMO_TOP/tests
# A CI runner may start us without HOME: take it from the password database.
: "${HOME:=$(getent passwd "$EUID" | cut -d: -f6)}"
export HOME
SHMDEMO_CACHE=${SHMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmdemo}

. "$SHMDEMO_TESTS/lib/apt.sh"
# The kernel table, tests/kernels, and the host's architecture.
. "$SHMDEMO_TESTS/lib/kernels.sh"

say() { printf '%s\n' "$*" >&2; }
die() { say "${0##*/}: $*"; exit 1; }
# The test programs (tests/Makefile) are built by one make at a time: CI's
# lanes, or a user's two terminals, may start two builds of one program.
# COMMAND may be a function (tests/arch/arm64.sh's in_root).
programs_make() {	# programs_make COMMAND...: COMMAND runs make -C tests
	mkdir -p "$SHMDEMO_TESTS/out"
	(
		flock 9
		"$@"
	) 9> "$SHMDEMO_TESTS/out/.programs.lock"
}
# What each guest architecture does its own way (tests/arch/amd64.sh).
for arch_file in "$SHMDEMO_TESTS"/arch/*.sh; do
	[ -e "$arch_file" ] || die "no architecture in $SHMDEMO_TOP/tests/arch/"
	. "$arch_file"
done
unset arch_file

# Run a command as root: directly; through sudo, which asks for the password
# on a terminal; or, with neither, say what root must run. Root is what
# id -u says, not $EUID: tests/host/test_hosts.sh (rules 5 and 6) stands in
# for root with an id of its own on PATH, as a user without sudo too.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
		sudo "$@"
	elif command -v sudo > /dev/null && [ -t 0 ]; then
		say "root is needed for: $*"
		sudo "$@"
	else
		die "root is needed for: $*. Have root run 'make deps' in this tree" \
		    "once (it installs every package the targets use), or run:" \
		    "sudo $*"
	fi
}

# Why this host refuses root a mount namespace, or nothing where it gives
# one: a container without CAP_SYS_ADMIN (Docker's default, whose seccomp
# profile refuses namespaces too), or a plain chroot, whose / is no mount
# point that unshare could make private. Asked as root.
mount_namespace_refused() {
	if ! mountpoint -q /; then
		echo "/ is not a mount point (a plain chroot?)"
	elif ! unshare --mount true 2> /dev/null; then
		echo "this host refuses root a mount namespace (a container without CAP_SYS_ADMIN?)"
	fi
}

# Stop where WHAT, run as root, would need a mount namespace and gets none,
# saying why and which option of docker run allows one.
need_mount_namespace() {	# need_mount_namespace WHAT [WHY]
	local why=${2:-}
	[ "$EUID" = 0 ] || return 0
	[ -n "$why" ] || why=$(mount_namespace_refused)
	[ -z "$why" ] || die "$1 needs a mount namespace, and $why; in Docker," \
		"run the container with --privileged"
}

# sudo make from a user's shell would leave root's files in the user's tree
# and fill root's cache: only make deps (tests/fetch/deps.sh) is meant for it.
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] &&
   [ "${0##*/}" != deps.sh ] &&
   [ "$(stat -c %U "$SHMDEMO_TOP")" = "$SUDO_USER" ]; then
	die "run make as $SUDO_USER, without sudo: as root it would leave" \
	    "root-owned files in $SHMDEMO_TOP. Only the packages need root," \
	    "once: sudo make deps"
fi

# The host's apt, which installs the packages of tests/fetch/deps.sh only.
# Can it install every PACKAGE from the lists it has now? apt answers,
# whatever form its lists take: plain, or .gz, .lz4, .xz, .zst under
# Acquire::GzipIndexes, as Docker's Debian images keep them.
apt_installable() {	# apt_installable PACKAGE...
	local policy
	policy=$(apt-cache policy "$@" 2> /dev/null) || return 1
	[ "$(grep -c '^  Candidate: ' <<< "$policy")" -eq $# ] &&
		! grep -q '^  Candidate: (none)$' <<< "$policy"
}

# Refresh the host's lists, apt's output appended to LOG. One source that
# fails (an extra source mid-sync: "File has unexpected size") stops
# nothing: the lists of the others are new, and the install that follows
# decides. apt's own lines about it, which name the source, go to stderr;
# the status is apt's.
apt_update() {	# apt_update LOG
	local out status=0
	say "updating the apt package lists"
	out=$(as_root apt-get update -q 2>&1) || status=$?
	printf '%s\n' "$out" >> "$1"
	[ "$status" -ne 0 ] || return 0
	say "warning: apt-get update exited with status $status; going on with the lists it has. What apt said:"
	grep -E '^(E|W|Err):' <<< "$out" | sed 's/^/  /' >&2 || true
	return "$status"
}

# The module's C sources, kmod/shmdemo.c and kmod/uapi/: the tree's, or
# those of the directory SHMDEMO_MODULE_SRC names (a student's workspace,
# make grade); the build files are the tree's, but for a kmod/Kbuild of
# the workspace's own (exercise 8's).
module_src() {
	echo "${SHMDEMO_MODULE_SRC:-$SHMDEMO_TOP}"
}

# Build the module for one kernel, out of the source tree, with W=1 and any
# extra kbuild arguments (C=2, say), with that kernel's compiler, in its
# build root: the host's compiler never decides. Diagnostics go to stderr.
build_module() {	# build_module KERNEL_DIR OUT_DIR [KBUILD_ARG...]
	local kdir=$1 out=$2 src
	shift 2
	src=$(module_src)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)		# kbuild needs M= absolute
	# Sources only: an in-tree build's products (a stale shmdemo.mod.c) stay out.
	(cd "$SHMDEMO_TOP" && cp -a --parents Kbuild kmod/Kbuild debian/changelog "$out")
	(cd "$src" && cp -a --parents kmod/shmdemo.c kmod/uapi "$out")
	[ ! -e "$src/kmod/Kbuild" ] || cp -a "$src/kmod/Kbuild" "$out/kmod/Kbuild"
	# OUT_DIR may be neither in the tree nor in the cache (test_lab's).
	# Where nothing can be mounted, these two are all the build root
	# gets (tests/lib/chroot.sh).
	local -x SHMDEMO_BUILDROOT_BIND="${SHMDEMO_BUILDROOT_BIND:-} $out"
	local -x SHMDEMO_BUILDROOT_KERNEL=$kdir
	local kbuild
	"$(< "$kdir/arch")_kbuild" "$kdir" "$out"
	# The kernel's notes about itself are not the module's diagnostics.
	# Those name the sources in the tree, not the copies the next run replaces.
	"${kbuild[@]}" -s M="$out" W=1 "$@" modules 2>&1 >/dev/null |
		{ grep -v -e '^Skipping BTF generation' \
			-e 'CONFIG_X86_X32 enabled but no binutils support' || true; } |
		sed -e "s#$out/\(kmod/shmdemo\.c\|kmod/uapi/\)#$src/\1#g" \
		    -e "s#$out/\(kmod/Kbuild\|Kbuild\)#$SHMDEMO_TOP/\1#g" >&2
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# Is OUT_DIR's module newer than its sources and the kernel's build tree?
# Then kbuild would only confirm it, which takes seconds.
module_up_to_date() {	# module_up_to_date KERNEL_DIR OUT_DIR
	local ko=$2/kmod/shmdemo.ko own=()
	[ -e "$ko" ] || return 1
	[ ! -e "$(module_src)/kmod/Kbuild" ] || own=("$(module_src)/kmod/Kbuild")
	[ -z "$(cd "$SHMDEMO_TOP" && find Kbuild kmod/Kbuild debian/changelog \
		"$(module_src)"/kmod/shmdemo.c "$(module_src)"/kmod/uapi "${own[@]}" \
		"$1/release" -newer "$ko" | head -1)" ]
}

# Stop, naming the known flavours, when FLAVOUR is not a row of tests/kernels.
kernel_known() {	# kernel_known FLAVOUR
	local error
	error=$(kernel_field "$1" name 2>&1 > /dev/null) || die "$error"
}

# Write what FLAVOUR's row says of its kernel into the kernel's cache
# directory, beside release: arch, scale, memory and buildroot, one file
# each, read by the boot and the module build (rewritten only when they
# change), and kconfig, a link to its CONFIG. The page size the row
# promises must be the kernel's.
kernel_record() {	# kernel_record KERNEL_DIR FLAVOUR CONFIG
	local dir=$1 column value was pages row=()
	kernel_known "$2"
	read -ra row < <(kernel_rows name="$2" -- arch scale memory buildroot pages)
	for column in arch scale memory buildroot; do
		value=${row[0]} row=("${row[@]:1}") was=
		[ ! -e "$dir/$column" ] || read -r was < "$dir/$column"
		[ "$was" = "$value" ] || echo "$value" > "$dir/$column"
	done
	[ "$(readlink "$dir/kconfig")" = "$3" ] || ln -sfn "$3" "$dir/kconfig"
	pages=$("$(< "$dir/arch")_page_size" "$3")
	[ "$pages" = "${row[0]}" ] ||
		die "$2: the table says ${row[0]} pages, its kernel has $pages"
}

# Run COMMAND with the compiler KERNEL_DIR's kernel was built with, in the
# build root its buildroot file names (tests/fetch/buildroot.sh).
in_buildroot() {	# in_buildroot KERNEL_DIR COMMAND...
	local kdir=$1
	shift
	[ -s "$kdir/buildroot" ] || die "$kdir names no build root"
	"$SHMDEMO_TESTS/fetch/buildroot.sh" "$(< "$kdir/buildroot")" run "$@"
}

# Download Debian 12 packages into DIR (not installed), through the private
# apt (tests/lib/apt.sh), whatever the host's apt sources say.
apt_download() {	# apt_download DIR PACKAGE...
	papt_download bookworm "$@"
}
