# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/boot.sh: the guest's initramfs, busybox, init, the
# job's programs with their libraries, the module and the job's commands.
# Uses the lane's job_programs, job_commands, job_alloc_failures, job_key
# and job_stage (tests/lib/jobs.sh, tests/lanes/), and $job.

# The guest's architecture (amd64, arm64: tests/arch/), the machine the
# module in OUT_DIR was built for.
guest_arch() {	# guest_arch OUT_DIR
	local machine arch_file arch var
	machine=$(od -An -tx1 -j18 -N1 "$1/kmod/shmdemo.ko" | tr -d ' ')
	for arch_file in "$SHMDEMO_TESTS"/arch/*.sh; do
		arch=${arch_file##*/} && arch=${arch%.sh} var=${arch}_elf_machine
		[ "${!var}" != "$machine" ] || { echo "$arch"; return; }
	done
	die "$1/kmod/shmdemo.ko is for ELF machine $machine, which no tests/arch/ file names"
}

# The file a guest of ARCH is given for PROG, a path of tests/programs or
# an absolute one: a script is its source, whatever the guest; a program is
# the architecture's.
guest_file() {	# guest_file ARCH PROG
	case $2 in
	/*)	"${1}_guest_file" "$2" ;;
	*.sh)	echo "$SHMDEMO_TOP/$2" ;;
	*)	"${1}_guest_file" "$2" ;;
	esac
}

# Copy PROGRAM (a file guest_file names) and the shared libraries it needs
# into the tree at STAGE, for a guest of $guest_arch: those it links, and
# those it opens with dlopen (user_demo's libkmod), with theirs, from the
# directory its C library came from.
install_program() {	# install_program STAGE PROGRAM DEST
	local so dir src
	"${guest_arch}_install_program" "$@"
	for so in $(dlopened "$2"); do
		dir=$(find "$1" -name libc.so.6 -printf '%h\n' -quit)
		src=$(guest_file "$guest_arch" "/${dir#"$1"/}/$so")
		[ -e "$dir/$so" ] || [ ! -e "$src" ] ||
			install_program "$1" "$src" "${dir#"$1"/}/$so"
	done
}

# The sonames a dynamically linked ELF names among its read-only strings:
# the libraries it may dlopen.
dlopened() {	# dlopened FILE
	grep -q NEEDED <<< "$(readelf -dW "$1" 2>/dev/null)" || return 0
	readelf -p .rodata "$1" 2>/dev/null |
		grep -o 'lib[[:alnum:]_+-]*\.so\.[0-9][0-9.]*' | sort -u || true
}

# The guest's initramfs for this job, built only when its inputs changed:
# the programs, the module, init, and the job's commands (their checksum is
# the key). An uncompressed initramfs: TCG is slow at decompressing.
# Sets $initramfs, the file boot() gives QEMU.
make_initramfs() {	# make_initramfs OUT_DIR RELEASE [KERNEL_DIR]
	local out=$1 release=$2 kdir=${3:-} stage=$1/initramfs-$job prog key base=
	local progs=() p
	guest_arch=$(guest_arch "$out")
	# For tests/lanes/decode-oops.sh, which kernel this module was built for.
	[ -z "$kdir" ] || ln -sfn "$kdir" "$out/kernel"
	# A guest that resumes gets what its saved base image lacks: the
	# base first, its key in this one's (tests/lib/resume.sh). Made for
	# SNAPSHOT=0 too, so that its runs and the resumed ones share this
	# initramfs rather than rebuild it in turn.
	if [ -n "$kdir" ] && job_resumes && modules_tree "$kdir" "$release" > /dev/null; then
		base_initramfs "$out" "$kdir" "$release"
		base=$(< "$initramfs.key")
	fi
	initramfs=$out/initramfs-$job.cpio
	for prog in $(job_programs); do
		progs+=("$(guest_file "$guest_arch" "$prog")")
	done
	key=$({
		job_commands "$release"
		job_alloc_failures
		job_key "$kdir" "$release"
		echo "$base"
		# and the scripts that stage it.
		files_key "${progs[@]}" "$out/kmod/shmdemo.ko" \
			"$SHMDEMO_TESTS"/lib/tap.sh "$SHMDEMO_TESTS/lanes/$job.sh"
	} | md5sum)
	! initramfs_current "$key" || return 0
	rm -rf "$stage" "$initramfs.key"
	stage_base "$stage"
	mkdir -p "$stage/lib/modules/$release/extra"
	for prog in "${progs[@]}"; do
		rm -f "$stage/bin/${prog##*/}"
		install_program "$stage" "$prog" "bin/${prog##*/}"
	done
	# The shell programs' TAP vocabulary.
	cp "$SHMDEMO_TESTS/lib/tap.sh" "$stage/bin/tap.sh"
	job_commands "$release" > "$stage/etc/shmdemo/job"
	job_alloc_failures > "$stage/etc/shmdemo/alloc-failures"
	cp "$out/kmod/shmdemo.ko" "$stage/lib/modules/$release/extra/"
	job_stage "$stage" "$kdir" "$release"
	# Without what a saved guest has already, for it (tests/lib/resume.sh).
	[ -z "$base" ] || saved_job_archive "$stage" "$out" > "${initramfs%.cpio}.job.cpio"
	initramfs_write "$stage" "$key"
}

# Each FILE's name, size and time, a line each: an initramfs's key is made
# of its files', with the base's (busybox, init, the scripts that stage it).
files_key() {	# files_key FILE...
	stat -L -c '%n %s %Y' "$@" "$(guest_file "$guest_arch" /bin/busybox)" \
		"$(guest_file "$guest_arch" tests/guest/init)" \
		"$SHMDEMO_TESTS"/lib/{initramfs,resume}.sh \
		"$SHMDEMO_TESTS/arch/$guest_arch.sh"
}

# Is $initramfs there, and made with KEY?
initramfs_current() {	# initramfs_current KEY
	[ -e "$initramfs" ] && [ "$(cat "$initramfs.key" 2>/dev/null)" = "$1" ]
}

# The tree at STAGE into $initramfs, uncompressed, with KEY beside it; the
# tree is removed.
initramfs_write() {	# initramfs_write STAGE KEY
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$initramfs"
	rm -rf "$1"
	echo "$2" > "$initramfs.key"
}

# What every guest has: busybox and its applets, init, the users, the
# mount points. Uses $guest_arch.
stage_base() {	# stage_base STAGE
	local stage=$1 applet
	mkdir -p "$stage"/{bin,dev,etc/shmdemo,proc,sys,tmp}
	install_program "$stage" "$(guest_file "$guest_arch" /bin/busybox)" bin/busybox
	for applet in $("${guest_arch}_applets" "$stage/bin/busybox"); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	rm -f "$stage/bin/init"
	install_program "$stage" "$(guest_file "$guest_arch" tests/guest/init)" init
	printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
}

# Debian's modules for RELEASE, unpacked by tests/fetch/kernel.sh with their
# modules.dep; none for the debug kernel, nor for arm64's.
modules_tree() {	# modules_tree KERNEL_DIR RELEASE
	local tree=$1/modules/lib/modules/$2
	[ -e "$tree/modules.dep" ] && echo "$tree"
}

# The modules that 9p over virtio needs, dependencies first, as paths in
# the modules tree; none if the kernel has them built in.
modules_9p() {	# modules_9p TREE
	awk '
	{ name = $1; sub(/:$/, "", name); deps[name] = $0; sub(/^[^:]*:[ ]*/, "", deps[name]) }
	function base(path) { sub(/.*\//, "", path); sub(/\.ko(\.[a-z]+)?$/, "", path); return path }
	function add(path,   n, d, i) {
		if (path in seen)
			return
		seen[path] = 1
		n = split(deps[path], d, " ")
		for (i = n; i >= 1; i--)
			add(d[i])
		print path
	}
	END {
		for (m in deps)
			if (base(m) ~ /^(9p|9pnet_virtio|virtio_pci)$/)
				want[base(m)] = m
		for (b in want)
			order[b == "virtio_pci" ? 1 : b == "9pnet_virtio" ? 2 : 3] = want[b]
		for (i = 1; i <= 3; i++)
			if (i in order)
				add(order[i])
	}' "$1/modules.dep"
}

# Put the 9p modules of KERNEL_DIR's TREE into the initramfs at STAGE, in
# /DIR, uncompressed (busybox insmod reads plain .ko files only); prints
# the insmod lines that load them, in order.
stage_9p_modules() {	# stage_9p_modules STAGE TREE DIR
	local mod name
	mkdir -p "$1/$3"
	for mod in $(modules_9p "$2"); do
		name=$(basename "${mod%.xz}" .zst)
		case $mod in
		*.xz)	xz -dc "$2/$mod" ;;
		*.zst)	zstd -qdc "$2/$mod" ;;
		*)	cat "$2/$mod" ;;
		esac > "$1/$3/$name"
		echo "insmod /$3/$name 2>/dev/null"
	done
}
