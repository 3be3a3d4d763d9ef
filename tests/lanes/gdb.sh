# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make debug, the debugger lab. A debug
# kernel (its vmlinux has DWARF: tests/fetch/debug.config) boots with
# nokaslr and QEMU's gdbstub on a socket beside its console log; init loads
# the module, prints where the kernel put its sections, and starts a shell
# on the console. gdb attaches with the kernel's symbols and the module's
# (add-symbol-file with /sys/module/shmdemo/sections/*), and its command
# "guest LINE" types LINE into that shell and lets the guest run
# (tests/lanes/gdb.py).
#   SHMDEMO_GDB_CHECK=1  the scripted check instead of a session (make
#                        test-debug runs it): a breakpoint in the mmap hook
#                        the module uses, user_demo run, the backtrace and
#                        the caller checked; TAP, exit status 0 if all pass

. "$SHMDEMO_TESTS/lanes/shell.sh"

job_programs() {
	echo user/user_demo
}

job_commands() {	# job_commands RELEASE
	echo "/bin/insmod /lib/modules/$1/extra/shmdemo.ko"
}

job_key() {	# job_key KERNEL_DIR RELEASE
	stat -c '%n %s %Y' "$SHMDEMO_TESTS/lanes/shell.sh" "$SHMDEMO_TESTS/lanes/gdb.sh"
}

# The shell's home, and a setup that prints the module's sections: the
# host waits for "shmdemo-gdb: ready" before gdb attaches.
job_stage() {	# job_stage STAGE KERNEL_DIR RELEASE
	shell_home "$1" "$3"
	cat > "$1/etc/shmdemo/setup" <<'END'
for f in /sys/module/shmdemo/sections/.[!.]* /sys/module/shmdemo/sections/*; do
	[ -r "$f" ] && echo "shmdemo-gdb: section ${f##*/} $(cat "$f")"
done
echo "shmdemo-gdb: ready"
END
}

# The module's sections as add-symbol-file takes them: .text's address,
# then "-s NAME ADDRESS" for every other section the .ko has, from the
# console LOG.
gdb_sections() {	# gdb_sections LOG KO
	local names
	# The sections the module occupies in memory (flag A), by name.
	names=$(readelf -SW "$2" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		awk '$7 ~ /A/ { print $1 }')
	awk -v names="$names" '
		BEGIN { n = split(names, a, "\n"); for (i = 1; i <= n; i++) have[a[i]] = 1 }
		$1 == "shmdemo-gdb:" && $2 == "section" && ($3 in have) {
			if ($3 == ".text") text = $4; else rest = rest " -s " $3 " " $4 }
		END { if (text == "") exit 1; print text rest }' "$1"
}

# The hook the module was built with (modinfo's mmap_path: mmap or
# mmap_prepare), as its function's name.
gdb_hook() {	# gdb_hook KO
	case $(modinfo -F mmap_path "$1") in
	*prepare*) echo shmdemo_mmap_prepare ;;
	*)	echo shmdemo_mmap ;;
	esac
}

# Boot the guest for gdb, its console in OUT_DIR/console-gdb.log (and on
# stderr with SHOW=1), and wait for the module's sections. Sets qemu_pid.
gdb_boot() {	# gdb_boot KERNEL_DIR OUT_DIR SHOW
	local kdir=$1 out=$2 initramfs=$2/initramfs-$job.cpio qemu scale
	local log=$2/console-gdb.log con=$2/gdb-console i
	rm -f "$out/gdb.sock" "$con.in" "$con.out" "$log"
	mkfifo "$con.in" "$con.out"
	qemu_command "$kdir" nokaslr
	"${qemu[@]}" -gdb "unix:$out/gdb.sock,server=on,wait=off" \
		-chardev "pipe,id=con,path=$con" -serial chardev:con &
	qemu_pid=$!
	if [ "$3" = 1 ]; then
		# Not the shell's cursor query (ESC [6n): the terminal's answer
		# would go to gdb's input.
		sed -u 's/\r$//; s/\x1b\[6n//g' < "$con.out" | tee "$log" >&2 &
	else
		sed -u 's/\r$//' < "$con.out" > "$log" &
	fi
	for ((i = 0; i < 300 * scale; i++)); do
		grep -q '^shmdemo-gdb: ready' "$log" 2> /dev/null && return 0
		kill -0 "$qemu_pid" 2> /dev/null || break
		sleep 1
	done
	say "the guest did not get to its shell (see $log)"
	return 1
}

# Power the guest off through its shell; kill it if it does not stop.
gdb_poweroff() {	# gdb_poweroff OUT_DIR
	local i
	printf 'poweroff\n' > "$1/gdb-console.in" || true
	for ((i = 0; i < 60; i++)); do
		kill -0 "$qemu_pid" 2> /dev/null || break
		sleep 1
	done
	kill "$qemu_pid" 2> /dev/null || true
	wait
}

# gdb's start: the kernel and its helpers (vmlinux-gdb.py, lx-*), the
# stub, the module where the guest loaded it, and the guest command.
gdb_init() {	# gdb_init KERNEL_DIR OUT_DIR SECTIONS
	cat <<END
set pagination off
set confirm off
set auto-load python-scripts off
file $1/build/vmlinux
source $1/build/vmlinux-gdb.py
target remote $2/gdb.sock
python gdb.execute("add-symbol-file $2/kmod/shmdemo.ko $3", to_string=True)
echo shmdemo.ko's symbols: loaded where the guest put its sections, .text at ${3%% *}\n
source $SHMDEMO_TESTS/lanes/gdb.py
python shmdemo_setup('$2/gdb-console.in', '$(amd64_guest_file user/user_demo)')
END
}

# The scripted session's checks of gdb's output TRACE and the console LOG.
gdb_backtrace_ok() {	# gdb_backtrace_ok TRACE HOOK
	# From the hook down to the system call's entry: frames that every
	# kernel of the debug lane goes through on the way.
	awk -v hook="$2" '
		/^#[0-9]+ / { frames[++n] = ($3 == "in") ? $4 : $2 }
		END {
			if (frames[1] != hook || frames[n] !~ /^entry_SYSCALL_64/) exit 1
			need["do_mmap"]; need["vm_mmap_pgoff"]; need["do_syscall_64"]
			for (i = 1; i <= n; i++) delete need[frames[i]]
			for (f in need) exit 1
		}' "$1"
}

gdb_guest_ended_ok() {	# gdb_guest_ended_ok LOG
	grep -q '^Child reads: Hello, child process!' "$1" &&
		guest_finished "$1" > /dev/null && ! grep -q '^not ok' "$1"
}

# The scripted session: a breakpoint in the hook, user_demo typed in; at
# the stop, the backtrace and the caller; then the run goes on to its end.
gdb_check() {	# gdb_check KERNEL_DIR OUT_DIR
	local kdir=$1 out=$2 ko=$2/kmod/shmdemo.ko hook sections= i
	local trace=$2/gdb-check.txt log=$2/console-gdb.log
	hook=$(gdb_hook "$ko")
	tap_plan 6
	if gdb_boot "$kdir" "$out" 0; then
		sections=$(gdb_sections "$log" "$ko") || sections=
	fi
	tap_check "the guest loaded the module and printed its sections ($log)" \
		test -n "$sections"
	if [ -z "$sections" ]; then
		kill "$qemu_pid" 2> /dev/null || true
		wait
		for i in 2 3 4 5 6; do ok 1 "not reached: the guest did not get to its shell"; done
		return 1
	fi
	{
		gdb_init "$kdir" "$out" "$sections"
		printf '%s\n' "break $hook" "guest ./user_demo" "bt" "shmdemo-caller" \
			"delete" "detach"
	} > "$out/gdbinit-check"
	timeout -k 5 $((120 * $(cat "$kdir/scale"))) \
		gdb -q -batch -x "$out/gdbinit-check" < /dev/null > "$trace" 2>&1 || true
	sed 's/^/# gdb: /' "$trace"
	tap_check "gdb stopped in $hook, the module's mmap hook ($trace)" \
		grep -Eq "^(Thread [0-9]+ hit )?Breakpoint 1, $hook \\(" "$trace"
	tap_check "the backtrace goes from $hook through do_mmap and vm_mmap_pgoff to the system call's entry, and ends there" \
		gdb_backtrace_ok "$trace" "$hook"
	tap_check "the caller is user_demo, in system call 9, mmap" \
		grep -q '^caller: user_demo (PID [0-9]*), system call 9 (__x64_sys_mmap)' "$trace"
	tap_check "the call returns into user_demo's own code, named with its line" \
		grep -q "^caller: user_demo's call returns to [a-z_]* at user/[a-z_]*\.c:[0-9]" "$trace"
	for ((i = 0; i < 60; i++)); do
		! grep -q '^Child reads: ' "$log" || break
		sleep 1
	done
	gdb_poweroff "$out"
	tap_check "after gdb detached, user_demo finished and the guest's log check passed" \
		gdb_guest_ended_ok "$log"
	tap_status
}

do_gdb() {	# do_gdb KERNEL_DIR OUT_DIR
	local kdir=$1 out=$2 ko=$2/kmod/shmdemo.ko sections status=0
	[ -e "$kdir/build/vmlinux-gdb.py" ] ||
		die "$kdir/build has no vmlinux-gdb.py: make debug needs a debug kernel (KERNEL=$(kernels_of debug amd64 | paste -sd' ' | sed 's/ / or /'))"
	if [ "${SHMDEMO_GDB_CHECK:-}" = 1 ]; then
		gdb_check "$kdir" "$out"
		return
	fi
	gdb_boot "$kdir" "$out" 1 || { kill "$qemu_pid" 2> /dev/null; wait; return 1; }
	sections=$(gdb_sections "$out/console-gdb.log" "$ko")
	gdb_init "$kdir" "$out" "$sections" > "$out/gdbinit"
	cat >&2 <<END

make debug: gdb is attached to Linux $(cat "$kdir/release"), stopped; shmdemo.ko is
loaded and its symbols are in gdb. The guest's console is on this terminal
too. Try:
  break $(gdb_hook "$ko")
  guest ./user_demo          (types it into the guest's shell, and continues)
  bt                         (user_demo's mmap, from the hook down)
  shmdemo-caller             (who called, and from where in user_demo)
  continue
Ctrl-C stops the guest again; quit ends the session.
END
	gdb -q -x "$out/gdbinit" || status=$?
	gdb_poweroff "$out"
	return "$status"
}
