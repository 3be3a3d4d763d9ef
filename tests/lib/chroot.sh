#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A build root entered with chroot alone, where this host refuses root a
# mount namespace (tests/fetch/buildroot.sh says when): nothing can be
# bound into the root, so what the command reads and writes is staged
# inside it, at the paths it has outside. Sourced by buildroot.sh.
#   SHMDEMO_BUILDROOT_KERNEL  the kernel's directory, which the command
#                only reads: hard links (a copy across file systems),
#                made again only when the kernel's ready file is another
#   SHMDEMO_BUILDROOT_READ    other directories it only reads: hard links
#                (a copy across file systems), removed from the root after
#   SHMDEMO_BUILDROOT_BIND    the directories it writes: copied in before
#                (over what READ staged), copied back after, and removed
# A command that names none of them (a whole kernel's build) cannot run there.
# /dev and /proc cannot be bound either: the device nodes and the one
# /proc file a module build opens are made inside.

# The device nodes a build opens, made where the root lacks them (the
# container's own /dev cannot be bound in).
chroot_devices() {	# chroot_devices ROOT
	local name kind major minor
	while read -r name kind major minor; do
		[ -c "$1/dev/$name" ] && continue
		rm -f "$1/dev/$name"
		mknod -m 666 "$1/dev/$name" "$kind" "$major" "$minor"
	done <<- EOF
		null c 1 3
		zero c 1 5
		full c 1 7
		random c 1 8
		urandom c 1 9
		tty c 5 0
	EOF
}

# No proc file system can be mounted at ROOT/proc. The one file a module
# build opens there, objtool's (7.x) /proc/self/maps, which it reads for
# its stack's range (to name a stack overflow in its crash handler), is
# written there: the maps of a process like it, made by the same kernel.
chroot_proc() {	# chroot_proc ROOT
	mountpoint -q "$1/proc" && return 0
	mkdir -p "$1/proc/self"
	cat /proc/self/maps > "$1/proc/self/maps.new"
	mv "$1/proc/self/maps.new" "$1/proc/self/maps"
}

# DIR at NEW (which must not exist) as hard links, or, across file
# systems (a tree mounted into a container), as a copy: cp -al's partial
# tree goes first.
hardlink_copy() {	# hardlink_copy DIR NEW
	cp -al "$1" "$2" 2> /dev/null && return 0
	rm -rf "$2"
	cp -a "$1" "$2"
}

# The kernel's directory, hard-linked into ROOT once per state of it: the
# same ready file inside and out is the same state. Another run staging it
# at the same time waits for this one. The kernels staged beside it whose
# directory is gone outside go too: their links would keep a deleted
# kernel's files on the disk.
chroot_kernel() {	# chroot_kernel ROOT KERNEL_DIR
	local inside=$1$2 old
	mkdir -p "${inside%/*}"
	(
		flock 8
		[ "$2/ready" -ef "$inside/ready" ] && exit 0
		for old in "${inside%/*}"/*/; do
			old=${old%/}
			[ -e "${old#"$1"}" ] || rm -rf "$old" "$old.lock"
		done
		rm -rf "$inside" "$inside.new"
		hardlink_copy "$2" "$inside.new"
		mv "$inside.new" "$inside"
	) 8> "$inside.lock"
}

# Run COMMAND in ROOT with chroot, its directories staged around it. WHY
# (buildroot.sh's) says why no mount namespace.
chroot_run() {	# chroot_run ROOT COMMAND...
	local root=$1 dir status=0
	shift
	local dirs=(${SHMDEMO_BUILDROOT_BIND:-}) reads=(${SHMDEMO_BUILDROOT_READ:-})
	if [ -z "${SHMDEMO_BUILDROOT_KERNEL:-}" ] && [ ${#dirs[@]} -eq 0 ] &&
	   [ ${#reads[@]} -eq 0 ]; then
		need_mount_namespace "a build that names no directory to stage (a whole kernel's)" "$why"
	fi
	chroot_devices "$root"
	chroot_proc "$root"
	[ -z "${SHMDEMO_BUILDROOT_KERNEL:-}" ] || chroot_kernel "$root" "$SHMDEMO_BUILDROOT_KERNEL"
	for dir in "${reads[@]}"; do
		rm -rf "$root$dir" && mkdir -p "${root}${dir%/*}"
		hardlink_copy "$dir" "$root$dir"
	done
	for dir in "${dirs[@]}"; do
		rm -rf "$root$dir" && mkdir -p "$root$dir"
		cp -a "$dir/." "$root$dir/"
	done
	chroot "$root" "$@" || status=$?
	for dir in "${dirs[@]}"; do
		cp -a "$root$dir/." "$dir/"
		rm -rf "$root$dir"
	done
	for dir in "${reads[@]}"; do
		rm -rf "$root$dir"
	done
	return "$status"
}
