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
	local out=$1 release=$2 kdir=${3:-} stage=$1/initramfs-$job prog applet key
	local progs=() p
	initramfs=$out/initramfs-$job.cpio
	guest_arch=$(guest_arch "$out")
	# For tests/lanes/decode-oops.sh, which kernel this module was built for.
	[ -z "$kdir" ] || ln -sfn "$kdir" "$out/kernel"
	for prog in $(job_programs); do
		progs+=("$(guest_file "$guest_arch" "$prog")")
	done
	key=$({
		job_commands "$release"
		job_alloc_failures
		job_key "$kdir" "$release"
		# and the scripts that stage it.
		for p in "${progs[@]}" "$(guest_file "$guest_arch" /bin/busybox)" \
			 "$(guest_file "$guest_arch" tests/guest/init)" \
			 "$out/kmod/shmdemo.ko" "$SHMDEMO_TESTS"/lib/{initramfs,tap}.sh \
			 "$SHMDEMO_TESTS/arch/$guest_arch.sh" \
			 "$SHMDEMO_TESTS/lanes/$job.sh"; do
			stat -L -c '%n %s %Y' "$p"
		done
	} | md5sum)
	if [ -e "$initramfs" ] && [ "$(cat "$initramfs.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -rf "$stage" "$initramfs.key"
	mkdir -p "$stage"/{bin,dev,etc/shmdemo,proc,sys,tmp} \
		"$stage/lib/modules/$release/extra"
	install_program "$stage" "$(guest_file "$guest_arch" /bin/busybox)" bin/busybox
	for applet in $("${guest_arch}_applets" "$stage/bin/busybox"); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	rm -f "$stage/bin/init"
	install_program "$stage" "$(guest_file "$guest_arch" tests/guest/init)" init
	for prog in "${progs[@]}"; do
		rm -f "$stage/bin/${prog##*/}"
		install_program "$stage" "$prog" "bin/${prog##*/}"
	done
	# The shell programs' TAP vocabulary.
	cp "$SHMDEMO_TESTS/lib/tap.sh" "$stage/bin/tap.sh"
	job_commands "$release" > "$stage/etc/shmdemo/job"
	job_alloc_failures > "$stage/etc/shmdemo/alloc-failures"
	cp "$out/kmod/shmdemo.ko" "$stage/lib/modules/$release/extra/"
	printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
	job_stage "$stage" "$kdir" "$release"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		> "$initramfs"
	rm -rf "$stage"
	echo "$key" > "$initramfs.key"
}
