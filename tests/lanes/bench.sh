# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lanes/guest.sh: make bench. The benchmarks, with 2 vCPUs and
# then 1; the table, CSV and plot go to tests/bench/out/
# (tests/bench/report.sh).

. "$SHMDEMO_TESTS/bench/load.sh"

job_programs() {
	echo user/user_demo tests/bench/bench tests/bench/seed_demo
}

# With 2 vCPUs every section, and map_huge with the module reloaded
# huge=1; with 1 the handoff only.
job_commands() {	# job_commands RELEASE
	echo "/bin/insmod /lib/modules/$1/extra/shmdemo.ko pages=65536"
	if [ "$smp" -eq 1 ]; then
		echo "/bin/bench handoff"
	else
		echo "/bin/bench map handoff fanout"
		echo "/bin/bench e2e /bin/user_demo /bin/seed_demo"
		# 2 MiB pages: the device with huge=1, against hugetlb.
		echo "/bin/rmmod shmdemo"
		echo "/bin/insmod /lib/modules/$1/extra/shmdemo.ko pages=65536 huge=1"
		echo "/bin/bench map_huge"
	fi
	echo "/bin/rmmod shmdemo"
}

# Boot with 2 vCPUs, then 1; collect the figures, then the report.
do_bench() {	# do_bench KERNEL_DIR OUT_DIR
	local out=$SHMDEMO_TESTS/bench/out log ok=0 smp release
	release=$(cat "$1/release")
	mkdir -p "$out"
	load_quiet "$(load_now)" ||
		say "# warning: the host's load average is $(load_now) (quiet is below" \
		    "$bench_quiet_load): this run's ratios will say little"
	bench_header "$1" "$release" > "$out/bench.csv"
	for smp in 2 1; do
		make_initramfs "$2" "$release"
		log=$2/console-bench-$smp.log
		say "# guest: Linux $release, $smp vCPU(s)"
		boot "$1" "$2" "$log" 1800 | awk '
			/^\[ *[0-9.]*\] / && !begun { next }
			/^\[ *[0-9.]*\] [a-z_]+: loading out-of-tree module taints kernel\.$/ { next }
			/^shmdemo-guest: begin / { begun = 1; sub(/^shmdemo-guest: begin \/bin\//, "guest# "); print; next }
			/^shmdemo-guest: / || /^ok / || /^\[ *[0-9.]*\] reboot: / { next }
			/^# [a-z]+ [a-z_]+ [0-9]+:/ { next }	# the raw samples
			{ print }' >&2 || true
		if ! guest_finished "$log" ||
		   grep -q -e '^not ok' -e '^shmdemo-guest: exit=[1-9]' "$log"; then
			say "a measurement failed to run: see $log"
			ok=1
		fi
		grep '^bench,' "$log" | cut -d, -f2- >> "$out/bench.csv" || true
	done
	echo "# host load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" \
		>> "$out/bench.csv"
	"$SHMDEMO_TESTS/bench/report.sh" "$out/bench.csv" || ok=1
	return "$ok"
}

# What the figures were taken on, as CSV comment lines, and the column names.
bench_header() {	# bench_header KERNEL_DIR RELEASE
	# Which QEMU the guests run, from the command line a boot would use.
	local qemu initramfs=/dev/null smp=1 scale
	qemu_command "$1"
	local mem
	mem=$(cat "$1/memory")
	echo "# guest: Linux $2, ${mem%?} ${mem: -1}iB, $(accel "$1")," \
		"$("${qemu[0]}" --version | head -1)"
	echo "# host: $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
		"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "section,case,param,vcpus,reps,median_us,min_us,max_us"
}

