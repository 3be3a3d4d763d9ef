#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# trinity, Debian's system call fuzzer, aimed at /dev/shmdemo for a fixed
# time, as user nobody, with the system calls that reach the device only.
# Runs in the debug guest (busybox sh), prints TAP.
#
# Usage: sh trinity.sh [SECONDS]   (default 300)
#
# -V /dev/shmdemo makes the device trinity's only file: the fds it opens at
# start (and maps, and hands to every child), and the path it passes to
# open. --enable-fds=pseudo turns off every other kind of fd (sockets,
# pipes, perf, ...). fork is not in the list: trinity marks it AVOID and never
# calls it, but its children are forks that inherit the mappings of the
# device. trinity refuses to run as root without --dropprivs, which waits
# 10 s and switches only its children: so it runs as nobody from the start,
# and the device is opened to everyone (0666) for the run.
#
# trinity's ioctls do not reach NOTIFY: it draws command numbers from the
# tables of the drivers it knows, or at random, never shmdemo's (on the
# debug kernels, 7 to 15 ioctls in 120 s, all refused, seq still 0). So the
# seq it leaves is a diag line, and the check that seq moves comes after
# it: the fuzzed device must still hand a message over (user_demo) and
# move seq by one.
secs=${1:-300}
log=/tmp/trinity.log
syscalls="open mmap mremap madvise ioctl read write lseek poll"

. /bin/tap.sh	# tests/lib/tap.sh
tap_plan 4

st=0
insmod "$SHMDEMO_KO" pages=16 && chmod 0666 /dev/shmdemo || st=1
ok $st "pages=16 loads; /dev/shmdemo is opened to everyone for the fuzzer"

args="-q -l off --stats -C 4 -V /dev/shmdemo --enable-fds=pseudo"
for s in $syscalls; do
	args="$args -c $s"
done
echo "# trinity $args, for $secs s"
start=$(date +%s)
# SIGINT is trinity's own way to stop: it reaps its children and prints the
# count. SIGKILL a minute later, should it hang.
(cd /tmp && timeout -s INT -k 60 "$secs" \
	su -s /bin/sh nobody -c "exec /bin/trinity $args") < /dev/null > "$log" 2>&1
status=$?
end=$(date +%s)
ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls\. Successes: \([0-9]*\) *Failures: \([0-9]*\).*/\1 \2 \3/p' "$log" | tail -n 1)
st=0
if [ -z "$ran" ]; then
	echo "# trinity printed no syscall count (exit status $status); its log ends:"
	tail -n 20 "$log" | sed 's/^/#   /'
	st=1
else
	set -- $ran
	echo "# trinity: $1 syscalls in $((end - start)) s ($2 succeeded, $3 failed), exit status $status"
	[ "$1" -gt 0 ] || st=1
fi
# Aimed at the device: it must be trinity's file, and the seq that
# NOTIFY bumps shows whether a fuzzed ioctl ever got through.
if ! grep -q 'Added [1-9][0-9]* filenames from /dev/shmdemo' "$log"; then
	echo "# trinity did not take /dev/shmdemo as its file; its log begins:"
	head -n 20 "$log" | sed 's/^/#   /'
	st=1
fi
awk '/^(32|64)bit:$/ { arch = substr($0, 1, 2) "-bit " }
	/attempted:/ { sub(/^ */, ""); print "# trinity: " arch $0 }' "$log"
echo "# seq after trinity: $(cat /sys/class/misc/shmdemo/seq) (only a NOTIFY moves it)"
if grep -q 'became tainted' "$log"; then
	echo "# trinity says the kernel became tainted:"
	grep 'became tainted' "$log" | sed 's/^/#   /'
	st=1
fi
ok $st "trinity ran for $secs s on /dev/shmdemo as nobody and counted its syscalls"

# Children that trinity left behind still hold files and mappings.
i=0
while ps | grep -q '[t]rinity' && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done

# The device still hands off: one NOTIFY, seq one further.
st=0
before=$(cat /sys/class/misc/shmdemo/seq)
/bin/user_demo -m "after trinity" > /tmp/user_demo.log 2>&1 || st=1
after=$(cat /sys/class/misc/shmdemo/seq)
sed 's/^/# user_demo: /' /tmp/user_demo.log
echo "# seq before user_demo: $before, after: $after"
case $before$after in *[!0-9]*|'') st=1 ;; esac
[ "$st" -eq 0 ] && [ "$after" -eq $((before + 1)) ] || st=1
ok $st "after trinity, user_demo hands a message over and seq moves by one"

st=0
mappings=$(cat /sys/class/misc/shmdemo/mappings)
if [ "$mappings" != 0 ]; then
	echo "# mappings after trinity: $mappings"
	st=1
fi
rmmod shmdemo || st=1
ok $st "after trinity, no mapping is left and the module unloads"
tap_status
