#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Which libraries user_demo loads, as the dynamic loader reports them
# (LD_DEBUG=files): on its common path (open, map, fork, publish, read) libc
# alone, as the seed program (tests/bench/seed_demo.c); libkmod only when it
# explains a missing device or inserts the module (--load), through dlopen
# (user/cli.c). Runs in the guest under busybox sh; prints TAP.

. /bin/tap.sh	# tests/lib/tap.sh

# loads WANT ARGS...: user_demo ARGS exits with WANT. The files the loader
# opened go to /tmp/loads, one a line, what user_demo printed to
# /tmp/loads.out and /tmp/loads.err; both are shown as TAP comments.
loads() {
	want=$1
	shift
	LD_DEBUG=files timeout 30 /bin/user_demo "$@" > /tmp/loads.out 2> /tmp/loads.err
	status=$?
	sed -n 's/.*[[:space:]]file=\([^ /]*\) .*/\1/p' /tmp/loads.err | sort -u > /tmp/loads
	sed 's/^/# loaded: /' /tmp/loads
	grep -v '^ *[0-9][0-9]*:' /tmp/loads.err | sed 's/^/# /'
	[ "$status" -eq "$want" ] || { echo "# exit $status, not $want"; return 1; }
}

common_path_libc_only() {
	loads 0 -m libraries || return 1
	grep -qx 'Child reads: libraries' /tmp/loads.out &&
		[ "$(cat /tmp/loads)" = libc.so.6 ]
}

not_loaded_opens_libkmod() {
	loads 1 || return 1
	grep -q 'the shmdemo module is not loaded' /tmp/loads.err &&
		grep -qx libkmod.so.2 /tmp/loads
}

load_opens_libkmod() {
	loads 0 -m loaded --load "$SHMDEMO_KO" || return 1
	grep -qx 'Child reads: loaded' /tmp/loads.out &&
		grep -qx libkmod.so.2 /tmp/loads
}

rmmod shmdemo 2>/dev/null
tap_plan 6
tap_check "insmod shmdemo.ko" insmod "$SHMDEMO_KO"
tap_check "user_demo's common path loads libc alone, as the seed" \
	common_path_libc_only
tap_check "rmmod shmdemo" rmmod shmdemo
tap_check "module not loaded: user_demo opens libkmod to say so (exit 1)" \
	not_loaded_opens_libkmod
tap_check "--load opens libkmod and inserts the module" load_opens_libkmod
tap_check "rmmod after --load" rmmod shmdemo
tap_status
