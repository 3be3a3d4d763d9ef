# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make web. The web lab's guest is make
# shell's, without /src: a shell in /root with the module, user_demo,
# seed_demo, race and the experiments' helpers, and a welcome. do_web puts
# the kernel and this initramfs in the static site with its page
# (course/web/) and the emulator (tests/web/site.sh).

. "$SHMDEMO_TESTS/lanes/shell.sh"

job_programs() {
	echo user/user_demo tests/bench/seed_demo tests/guest/race \
		user/faults_demo user/mmap_try
}

# The shell's home, shared with make shell, keys this initramfs too.
job_key() {	# job_key KERNEL_DIR RELEASE
	stat -c '%n %s %Y' "$SHMDEMO_TESTS/lanes/shell.sh"
}

job_stage() {	# job_stage STAGE KERNEL_DIR RELEASE
	shell_home "$1" "$3"
	{
		echo "cat <<'END'"
		web_welcome "$3"
		echo "END"
	} > "$1/etc/shmdemo/setup"
}

web_welcome() {	# web_welcome RELEASE
	cat <<END

shmdemo web lab: Linux $1, Debian's 32-bit x86 kernel, emulated
in your browser. Type first:
  insmod shmdemo.ko
  ./user_demo
Then: ./user_demo -m 'your message'; dmesg | tail; ls; ./user_demo --help
(En español: escribe primero insmod shmdemo.ko y luego ./user_demo)
END
}

do_web() {	# do_web KERNEL_DIR OUT_DIR
	"$SHMDEMO_TESTS/web/site.sh" "$1" "$2/initramfs-web.cpio" "${SHMDEMO_WEB:?}"
}
