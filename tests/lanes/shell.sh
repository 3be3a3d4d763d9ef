# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make shell. The guest's shell, the source tree
# shared at /src over 9p (Debian's 9p and virtio modules, loaded at boot).
# Its programs are in /root: the suite's but stress-ng, the seed's program,
# race and the experiments' helpers; init runs no command.

job_programs() {
	echo "${suite_programs%% /usr/bin/stress-ng}" tests/bench/seed_demo \
		tests/guest/race user/faults_demo user/mmap_try
}

job_commands() { :; }

job_resumes() { :; }

# What the shell's initramfs depends on beyond the job's programs.
job_key() {	# job_key KERNEL_DIR RELEASE
	local tree
	tree=$(modules_tree "$1" "$2") || { echo "no modules tree"; return 0; }
	modules_9p "$tree"
}

# The shell's home, /root, with links to the module and the job's
# programs, and the mark that makes init start the shell (also the web
# lab's, tests/lanes/web.sh).
shell_home() {	# shell_home STAGE RELEASE
	local stage=$1 prog
	mkdir -p "$stage/root"
	ln -s "/lib/modules/$2/extra/shmdemo.ko" "$stage/root/shmdemo.ko"
	for prog in $(job_programs); do
		case ${prog##*/} in *.sh|stress-ng) continue ;; esac
		ln -s "/bin/${prog##*/}" "$stage/root/${prog##*/}"
	done
	: > "$stage/etc/shmdemo/shell"
}

# Add the shell's part to the initramfs at STAGE: a home holding the module
# and the programs, the 9p modules (uncompressed: busybox insmod reads
# plain .ko files only), and the setup init runs before the shell.
job_stage() {	# job_stage STAGE KERNEL_DIR RELEASE
	local stage=$1 release=$3 tree
	shell_home "$stage" "$release"
	mkdir -p "$stage/src"
	# Loading 9p and virtio takes seconds under TCG (6.1: init at 6.6 s,
	# 9p at 11.7 s): on a terminal the prompt comes first and /src a moment
	# later; with piped lines /src is there before the first one.
	{
		echo "# make shell: load 9p over virtio, mount the source tree on /src."
		echo "share_src() {"
		# Resumed, 9p is loaded already (and each insmod would be one
		# more program run for the first time under TCG).
		echo "	[ -e /etc/shmdemo/resume ] || {"
		! tree=$(modules_tree "$2" "$release") ||
			stage_9p_modules "$stage" "$tree" "lib/modules/$release/9p" | sed 's/^/		/'
		echo "		:"
		echo "	}"
		echo "	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 src /src 2>/dev/null ||"
		echo "		echo '# /src: no 9p in this guest (no modules tree for $release)'"
		echo "}"
		echo "# Resumed, 9p is loaded already: /src comes before the prompt."
		echo "if [ -e /etc/shmdemo/input ] || [ -e /etc/shmdemo/resume ]; then share_src; else share_src & fi"
		# The shell's own read and echo: no cat to start.
		echo "[ -e /etc/shmdemo/input ] || while IFS= read -r line; do echo \"\$line\"; done <<'END'"
		shell_welcome "$release"
		echo "END"
	} > "$stage/etc/shmdemo/setup"
}

shell_welcome() {	# shell_welcome RELEASE
	cat <<END

shmdemo lab: Linux $1, in QEMU. Here are shmdemo.ko, user_demo, seed_demo
and the test programs. Try:
  insmod shmdemo.ko pages=4; cat /sys/class/misc/shmdemo/size
  ./user_demo -v; dmesg | tail; od -c /dev/shmdemo | head
The source tree is /src (at once after a resume, seconds after a boot).
After editing kmod/shmdemo.c, on the host:
  make guest-module KERNEL=$kernel_arg
then here: rmmod shmdemo; insmod /src/tests/out/$1/kmod/shmdemo.ko
poweroff, exit or Ctrl-D ends the session.
END
}

# Resume the saved guest into the shell, or boot it (tests/lib/resume.sh):
# on the terminal, or, when stdin is not one, with its lines run in the
# guest and echoed after the prompt, ending at its end.
do_shell() {	# do_shell KERNEL_DIR OUT_DIR
	local kdir=$1 out=$2 log status=0
	if [ -t 0 ]; then
		saved_boot "$kdir" "$out" "$out/console-shell-tty.log" 0 4 \
			initramfs-shell.job.cpio || status=$?
		[ "$status" -eq 3 ] || return "$status"
		shell_boot "$kdir" "$out"
		return
	fi
	log=$out/console-shell.log
	# The lines go to init as one more cpio archive.
	mkdir -p "$out/shell-input/etc/shmdemo"
	cat > "$out/shell-input/etc/shmdemo/input"
	(cd "$out/shell-input" && find etc/shmdemo/input | cpio -o -H newc --quiet) \
		> "$out/shell-input.cpio"
	{
		saved_boot "$kdir" "$out" "$log" 600 4 initramfs-shell.job.cpio \
			shell-input.cpio || status=$?
		[ "$status" -ne 3 ] || shell_boot "$kdir" "$out" "$log"
	} | awk '
		/^shmdemo-guest: / || /^ok / || /^\[ *[0-9.]*\] reboot: / { next }
		{ print }' || true
	guest_finished "$log" && ! grep -q '^not ok' "$log"
}

# Boot into the shell, on the terminal, or, with LOG, with the lines of
# OUT_DIR/shell-input.cpio; the console on stdout and in LOG.
shell_boot() {	# shell_boot KERNEL_DIR OUT_DIR [LOG]
	local kdir=$1 out=$2 initramfs=$2/initramfs-shell.cpio qemu scale
	local share=(-virtfs "local,path=$SHMDEMO_TOP,mount_tag=src,security_model=none")
	# The console shows errors and worse only (loglevel=4, the level of
	# quiet): warnings such as insmod's taint note would cut into the
	# session's lines. dmesg has them all, and init's log check after the
	# session prints any report.
	if [ $# -lt 3 ]; then
		qemu_command "$kdir" loglevel=4
		# signal=off: Ctrl-C goes to the guest's shell, not to QEMU.
		"${qemu[@]}" "${share[@]}" -chardev stdio,id=con,signal=off \
			-serial chardev:con
		return
	fi
	# The lines go in the initramfs, as one more cpio archive after it.
	cat "$initramfs" "$out/shell-input.cpio" > "$out/initramfs-shell-piped.cpio"
	initramfs=$out/initramfs-shell-piped.cpio
	qemu_command "$kdir" loglevel=4
	timeout -k 5 $((600 * scale)) "${qemu[@]}" "${share[@]}" -serial stdio \
		< /dev/null | sed -u 's/\r$//' | tee "$3"
}
