# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/boot.sh: the saved guest that make run, shell and
# race resume instead of booting (the lanes that define job_resumes).
#
# A guest's base image (busybox, init, Debian's 9p modules, user_demo's
# libraries; no module, no program) is booted once; when init says "shmdemo-guest: ready" QEMU
# saves it, running, with its migration to a file. A run resumes that
# file (-incoming), waits for QEMU's RESUME event, and sends the go
# line on the console: the host's time, a seed for the entropy pool, the
# console's log level and the job's cpio archives. init sets the clock,
# reseeds, mounts the 9p export "job" (the job's OUT_DIR; a mounted export
# would have blocked the save), unpacks them, and goes on as after a boot.
#
# The state is $SHMDEMO_CACHE/saved/RELEASE/KEY.zst (zstd: 95 MB made 21
# on 6.1), KEY the checksum of
# what the guest is made of: the kernel, the base image, QEMU and its
# command line. Any of them changed, the guest is saved anew. A state that
# is truncated, corrupt (zstd's checksum), refused by QEMU or that does not
# answer the go line is removed and saved anew, once; then the run boots
# as SNAPSHOT=0 does.

# Why KERNEL_DIR's guest boots rather than resumes; nothing if it resumes.
resume_refused() {	# resume_refused KERNEL_DIR
	if [ "${SHMDEMO_SNAPSHOT:-1}" = 0 ]; then
		echo "SNAPSHOT=0"
	elif [ -n "${SHMDEMO_APPEND:-}" ]; then
		echo "SHMDEMO_APPEND gives its kernel a command line of its own"
	elif ! modules_tree "$1" "$(< "$1/release")" > /dev/null; then
		echo "no modules tree for it, so no 9p to give a resumed guest its job"
	fi
}

# The saved guest's image in OUT_DIR: what every guest has, Debian's 9p
# modules, and the script that loads them, which is also init's mark of a
# saved guest (/etc/shmdemo/resume); and the shared libraries of
# user_demo, which every lane that resumes runs, so that a job's archive
# holds its own files only (saved_job_archive). Its files' checksums go
# beside it, in OUT_DIR/initramfs-base.cpio.sums. Sets $initramfs.
base_initramfs() {	# base_initramfs OUT_DIR KERNEL_DIR RELEASE
	local out=$1 stage=$1/initramfs-base tree file
	initramfs=$out/initramfs-base.cpio
	guest_arch=$(guest_arch "$out")
	tree=$(modules_tree "$2" "$3")
	! initramfs_current "$(base_key "$tree")" || return 0
	rm -rf "$stage" "$initramfs.key"
	stage_base "$stage"
	stage_9p_modules "$stage" "$tree" "lib/modules/$3/9p" > "$stage/etc/shmdemo/resume"
	install_program "$stage" "$(guest_file "$guest_arch" user/user_demo)" bin/user_demo
	rm "$stage/bin/user_demo"
	(cd "$stage" && find . -type f | LC_ALL=C sort | xargs md5sum) > "$initramfs.sums"
	# The libraries' files, for the key.
	(cd "$stage" && find . -type f ! -path ./init ! -path './bin/*' ! -path './etc/*' \
		! -path './lib/modules/*' | LC_ALL=C sort) |
		while read -r file; do guest_file "$guest_arch" "${file#.}"; done > "$initramfs.libs"
	initramfs_write "$stage" "$(base_key "$tree")"
}

# The base image's key: the 9p modules, the files every guest has, and
# the libraries it was made with.
base_key() {	# base_key TREE
	local libs=()
	[ ! -e "$initramfs.libs" ] || mapfile -t libs < "$initramfs.libs"
	{ modules_9p "$1"; files_key "${libs[@]}"; } | md5sum
}

# The job's tree at STAGE, as the cpio archive a resumed guest of
# OUT_DIR's base image unpacks: without the files the base has the same
# (its sums), nor busybox's links.
saved_job_archive() {	# saved_job_archive STAGE OUT_DIR
	local sums=$2/initramfs-base.cpio.sums sum file
	local -A base=()
	if [ -e "$sums" ]; then
		while read -r sum file; do
			base[$file]=$sum
		done < "$sums"
	fi
	(
		cd "$1" && find . ! -lname busybox | LC_ALL=C sort | while read -r file; do
			if [ -n "${base[$file]:-}" ] && [ -f "$file" ]; then
				sum=$(md5sum < "$file")
				[ "${sum%% *}" != "${base[$file]}" ] || continue
			fi
			printf '%s\n' "$file"
		done | cpio -o -H newc --quiet
	)
}

# The saved guest's QEMU, the same at the save and at every resume: the
# array qemu of tests/lib/boot.sh, with the 9p exports "job" (OUT_DIR,
# read-only) and "src" (the source tree, make shell's /src).
saved_qemu() {	# saved_qemu KERNEL_DIR OUT_DIR
	qemu_command "$1"
	qemu+=(-virtfs "local,path=$2,mount_tag=job,security_model=none,readonly=on"
		-virtfs "local,path=$SHMDEMO_TOP,mount_tag=src,security_model=none")
}

# The key of the saved guest of $qemu and $initramfs: QEMU's binary, the
# kernel's image, the base image's key, and the command line, whose tree's
# paths are names (a copy of the tree resumes the same guest).
saved_key() {	# saved_key OUT_DIR
	local word prev=
	{
		stat -L -c '%s %Y' "$(command -v "${qemu[0]}")"
		cat "$initramfs.key"
		for word in "${qemu[@]}"; do
			[ "$prev" != -kernel ] || stat -L -c '%s %Y' "$word"
			word=${word//"$1"/OUT} word=${word//"$SHMDEMO_TOP"/TOP}
			printf '%s\n' "$word"
			prev=$word
		done
	} | md5sum | cut -c1-16
}

# QMP, QEMU's machine protocol, over the pipes DIR/qmp.in and DIR/qmp.out
# (QEMU's -chardev pipe): the file descriptors qmp_in and qmp_out.
qmp_args() {	# qmp_args DIR: the array's words for QEMU, one a line
	printf '%s\n' -chardev "pipe,id=qmp,path=$1/qmp" -mon chardev=qmp,mode=control \
		-pidfile "$1/pid"
}

qmp_open() {	# qmp_open DIR
	mkfifo "$1/qmp.in" "$1/qmp.out"
	exec {qmp_in}<>"$1/qmp.in" {qmp_out}<>"$1/qmp.out"
}

qmp_close() {
	exec {qmp_in}>&- {qmp_out}>&-
}

# Send COMMAND (JSON); print its reply. Fails on an error, or with no reply
# within SECONDS. Events on the way are skipped.
qmp() {	# qmp SECONDS COMMAND
	local line
	printf '%s\n' "$2" >&"$qmp_in"
	while IFS= read -r -t "$1" -u "$qmp_out" line; do
		case $line in
		'{"return"'*)	printf '%s\n' "$line"; return 0 ;;
		'{"error"'*)	printf '%s\n' "$line"; return 1 ;;
		esac
	done
	return 1
}

# QEMU's greeting, then the capabilities that open the session.
qmp_greet() {
	local line
	IFS= read -r -t 30 -u "$qmp_out" line && [[ $line == '{"QMP"'* ]] &&
		qmp 10 '{"execute": "qmp_capabilities"}' > /dev/null
}

# Wait until FILE has a line that matches PATTERN (grep -E), for at most
# SECONDS, while the process PID lives (and a second after, for the pipe
# that writes FILE).
wait_for_line() {	# wait_for_line FILE PATTERN SECONDS PID
	local n=0
	until grep -Eq "$2" "$1" 2> /dev/null; do
		if ! kill -0 "$4" 2> /dev/null; then
			sleep 1
			grep -Eq "$2" "$1" 2> /dev/null
			return
		fi
		[ "$n" -lt $(($3 * 20)) ] || return 1
		sleep 0.05
		n=$((n + 1))
	done
}

# Boot the base image of $qemu and save the guest into STATE when init is
# ready. Its console goes to OUT_DIR/console-save.log.
saved_make() {	# saved_make OUT_DIR STATE RELEASE
	local log=$1/console-save.log state=$2 dir pid status=1 qmp_in qmp_out t0 reply
	local -a extra
	dir=$(mktemp -d)
	qmp_open "$dir"
	mapfile -t extra < <(qmp_args "$dir")
	say "# saving a booted guest of Linux $3 for the next runs to resume (SNAPSHOT=0 boots instead)"
	t0=$(date +%s.%N)
	rm -f "$log" "$state.part"
	"${qemu[@]}" "${extra[@]}" -serial "file:$log" < /dev/null > "$dir/qemu.out" 2>&1 &
	pid=$!
	if qmp_greet &&
	   wait_for_line "$log" '^shmdemo-guest: ready' $((120 * scale)) "$pid" &&
	   qmp 10 "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:zstd -q -1 -T1 > '$state.part'\"}}" > /dev/null; then
		while reply=$(qmp 10 '{"execute": "query-migrate"}') &&
		      grep -Eq '"status": "(setup|active|device)"' <<< "$reply"; do
			sleep 0.05
		done
		if grep -q '"status": "completed"' <<< "$reply"; then
			stat -c %s "$state.part" > "$state.size"
			mv "$state.part" "$state"
			status=0
		fi
	fi
	qmp 5 '{"execute": "quit"}' > /dev/null || kill "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null || true
	qmp_close
	if [ "$status" -eq 0 ]; then
		say "# saved in $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s: $state ($(du -m "$state" | cut -f1) MB)"
	else
		say "# the guest of Linux $3 could not be saved: see $log"
		sed 's/^/# qemu: /' "$dir/qemu.out" >&2
		rm -f "$state.part"
	fi
	rm -rf "$dir"
	return "$status"
}

# The states a kernel keeps beside the one being saved: the
# SAVED_KEEP - 1 used last (a resume touches its state). Another copy of
# the tree, or a tree before its last change, has its own key and state;
# one unused for a day is stale, and so are all but the newest.
SAVED_KEEP=3
saved_prune() {	# saved_prune DIR
	find "$1" -maxdepth 1 -name '*.zst' -mtime +0 -printf '%p\n%p.size\n' | xargs -r rm -f
	ls -t "$1"/*.zst 2> /dev/null | tail -n +"$SAVED_KEEP" |
		sed 'p; s/$/.size/' | xargs -r rm -f
}

# Why STATE cannot be resumed: missing, or not the size it was saved with.
saved_broken() {	# saved_broken STATE
	[ -e "$1" ] || { echo missing; return; }
	[ "$(stat -c %s "$1")" = "$(cat "$1.size" 2>/dev/null)" ] ||
		echo "not the size it was saved with"
}

# After QEMU is started on DIR's pipes with the saved state: wait until
# the guest runs (nothing goes to its console before: it could be lost),
# send the go line on the console FD, and wait for init's answer in LOG.
# With TTY, a file descriptor of the terminal, relay it to the console
# then. Exits 3, with why in DIR/why, if the guest did not resume.
resume_control() {	# resume_control DIR FD LOG LEVEL TTY ARCHIVE...
	local dir=$1 con=$2 log=$3 level=$4 tty=$5 reply seed now pid=
	shift 5
	SECONDS=0
	fail() {
		echo "$1" > "$dir/why"
		[ -z "$pid" ] || kill "$pid" 2> /dev/null
		exit 3
	}
	qemu_refused() { fail "QEMU did not load it: $(head -c 300 "$dir/qemu.err" | tr '\n' ' ')"; }
	qmp_greet || fail "QEMU did not answer on QMP"
	# QEMU's pid, from the file it wrote before it answered. It removes the
	# file when it exits, so the file cannot say later that QEMU is gone (a
	# state it refused had this wait 30 s for a QEMU that had exited).
	pid=$(cat "$dir/pid" 2> /dev/null) || qemu_refused
	# Running already, or QEMU's RESUME event when it is (an event comes
	# after the answer to a command sent before it). A busy host may keep
	# an answer past 2 s: then QEMU must still live.
	reply=$(qmp 2 '{"execute": "query-status"}') || true
	if [[ $reply != *'"status": "running"'* ]]; then
		until IFS= read -r -t 0.5 -u "$qmp_out" reply &&
		      [[ $reply == *'"event": "RESUME"'* ]]; do
			if { [[ -n $reply && $reply != '{"'* ]]; } ||
			   ! kill -0 "$pid" 2> /dev/null; then
				qemu_refused
			fi
			# zstd refused it, and QEMU waits for more of an empty stream.
			if [ -s "$dir/zstd" ] && [ "$(< "$dir/zstd")" != 0 ]; then
				fail "zstd found it corrupt"
			fi
			[ "$SECONDS" -lt 30 ] || fail "not loaded in 30 s"
			reply=
		done
	fi
	# Loaded, but whole? zstd says so once it has checked the checksum.
	until [ -s "$dir/zstd" ]; do
		[ "$SECONDS" -lt 60 ] || fail "zstd did not end in 60 s"
		sleep 0.01
	done
	[ "$(< "$dir/zstd")" = 0 ] || fail "zstd found it corrupt"
	seed=$(od -An -tx1 -N32 /dev/urandom)
	# The time in seconds and microseconds, whatever the locale's point.
	now=${EPOCHREALTIME/[!0-9]/ }
	printf 'go %s %s %s %s\n' "${now% *} ${now#* }000" "${seed//[$' \n']/}" "$level" "$*" >&"$con"
	if [ -n "$tty" ]; then
		cat <&"$tty" >&"$con" &
		echo $! > "$dir/relay"
	fi
	wait_for_line "$log" '^shmdemo-guest: resumed' $((15 * scale)) "$pid" ||
		fail "no answer from the resumed guest in $((15 * scale)) s"
}

# Resume STATE and give it the job's ARCHIVES (files of OUT_DIR): the
# console on stdout and in LOG, the terminal's input to it when stdin is a
# terminal. LIMIT as boot's. Exits 3 if the guest did not resume, with
# why in DIR/why; else QEMU's status.
saved_resume() {	# saved_resume DIR OUT_DIR STATE LOG LIMIT LEVEL ARCHIVE...
	local dir=$1 state=$3 log=$4 limit=$5 level=$6 ctl con tty= term status=0 qmp_in qmp_out
	local -a extra
	# zstd's status, in DIR/zstd: it checks the frame's checksum at its end.
	local incoming="exec:zstd -qdc '$state'; echo \$? > '$dir/zstd'"
	shift 6
	qmp_open "$dir"
	mapfile -t extra < <(qmp_args "$dir")
	mkfifo "$dir/con"
	exec {con}<>"$dir/con"
	if [ -t 0 ]; then
		exec {tty}<&0
		term=$(stty -g)
		# The terminal as it was, whatever ends the run.
		trap 'stty "$term"' EXIT
		stty raw -echo
	fi
	resume_control "$dir" "$con" "$log" "$level" "$tty" "$@" &
	ctl=$!
	if [ -n "$tty" ]; then
		"${qemu[@]}" "${extra[@]}" -incoming "$incoming" \
			-chardev stdio,id=con,signal=off -serial chardev:con \
			< "$dir/con" 2> "$dir/qemu.err" | tee -a "$log" || status=$?
		stty "$term"
		trap - EXIT
		[ ! -e "$dir/relay" ] || kill "$(< "$dir/relay")" 2> /dev/null || true
		exec {tty}<&-
	else
		timeout -k 5 $((limit * scale)) "${qemu[@]}" "${extra[@]}" \
			-incoming "$incoming" -serial stdio < "$dir/con" \
			2> "$dir/qemu.err" | sed -u 's/\r$//' | tee -a "$log" || status=$?
	fi
	wait "$ctl" || status=$?
	exec {con}>&-
	qmp_close
	[ "$status" -eq 3 ] || sed 's/^/# qemu: /' "$dir/qemu.err" >&2
	return "$status"
}

# Run the job in KERNEL_DIR's saved guest, whose module and archives are
# in OUT_DIR: resumed, or booted and saved first when its state is missing,
# stale or bad. The console as saved_resume's. Fails with status 3, having
# said why in one line, when the caller should boot instead.
saved_boot() {	# saved_boot KERNEL_DIR OUT_DIR LOG LIMIT LEVEL ARCHIVE...
	local kdir=$1 out=$2 log=$3 limit=$4 release why key saved state try dir status
	local qemu scale initramfs
	shift 4
	release=$(< "$kdir/release")
	why=$(resume_refused "$kdir")
	if [ -n "$why" ]; then
		[ "$why" = SNAPSHOT=0 ] || say "# Linux $release boots, no saved guest: $why"
		return 3
	fi
	# The base image: made current by make_initramfs, with the job's
	# archives (tests/lib/initramfs.sh).
	initramfs=$out/initramfs-base.cpio
	[ -e "$initramfs.key" ] || base_initramfs "$out" "$kdir" "$release"
	saved_qemu "$kdir" "$out"
	key=$(saved_key "$out")
	saved=$SHMDEMO_CACHE/saved/$release state=$saved/$key.zst
	mkdir -p "$saved"
	rm -f "$log"
	for try in 1 2; do
		why=$(saved_broken "$state")
		if [ -n "$why" ]; then
			[ "$why" = missing ] ||
				say "# the saved guest $state is $why: removed, saved anew"
			(
				flock 9
				[ -z "$(saved_broken "$state")" ] || {
					rm -f "$state" "$state.size"
					saved_prune "$saved"
					saved_make "$out" "$state" "$release"
				}
			) 9> "$saved/lock" || return 3
		else
			touch "$state"	# used: not stale
		fi
		dir=$(mktemp -d)
		status=0
		saved_resume "$dir" "$out" "$state" "$log" "$limit" "$@" || status=$?
		why=$(cat "$dir/why" 2> /dev/null || true)
		rm -rf "$dir"
		[ "$status" -eq 3 ] || return "$status"
		say "# the saved guest of Linux $release did not resume ($why): removed"
		rm -f "$state" "$state.size"
	done
	say "# Linux $release boots, no saved guest"
	return 3
}
