#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove make install and make uninstall: install into a temporary DESTDIR for
# a cached Debian kernel, check the tree, build a program against the
# installed header, then uninstall and check that nothing of ours is left.
# Silent on success (make check treats any output as a finding).
# Usage: tests/host/install-check.sh [FLAVOUR]   (a kernel of the host's Debian
#   release, tests/fetch/kernel.sh --host; default: the first of tests/kernels)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour=${1:-$(kernel_default amd64)}
kdir=$("$SHMDEMO_TESTS/fetch/kernel.sh" "$flavour")
release=$(cat "$kdir/release")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root prefix=/opt/shmdemo group=students
log=$tmp/make.log

# Build in a copy, so the check leaves the working tree's objects alone.
mkdir -p "$tmp/src"
(cd "$SHMDEMO_TOP" && tar -c --exclude=./tests/out --exclude=./.git . ) |
	tar -x -C "$tmp/src"

run_make() {	# run_make TARGET: quiet unless it fails
	make -C "$tmp/src" KDIR="$kdir/build" DESTDIR="$dest" PREFIX="$prefix" \
		SHMDEMO_GROUP="$group" "$1" > "$log" 2>&1 ||
		{ cat "$log"; die "make $1 failed"; }
}

expect_file() {	# expect_file PATH [MODE]
	[ -f "$dest$1" ] || { say "not installed: $1"; return 1; }
	[ -z "${2:-}" ] || [ "$(stat -c %a "$dest$1")" = "$2" ] ||
		{ say "$1: mode $(stat -c %a "$dest$1"), expected $2"; return 1; }
}

check_tree() {
	local moddir=/lib/modules/$release ko status=0
	ko=$(cd "$dest" && compgen -G ".$moddir/extra/shmdemo.ko*" | head -n 1) ||
		{ say "no shmdemo.ko under $moddir/extra"; status=1; }
	[ -z "$ko" ] || [ "$(modinfo -F name "$dest/$ko")" = shmdemo ] ||
		{ say "$ko is not the shmdemo module"; status=1; }
	grep -q 'extra/shmdemo.ko' "$dest$moddir/modules.dep" 2>/dev/null ||
		{ say "depmod did not run: shmdemo is not in modules.dep"; status=1; }
	expect_file "$prefix/bin/user_demo" 755 || status=1
	expect_file "$prefix/include/linux/shmdemo.h" 644 || status=1
	expect_file "$prefix/share/man/man1/user_demo.1" 644 || status=1
	expect_file /etc/udev/rules.d/70-shmdemo.rules 644 || status=1
	grep -q "GROUP=\"$group\", MODE=\"0660\"" \
		"$dest/etc/udev/rules.d/70-shmdemo.rules" 2>/dev/null ||
		{ say "the udev rule does not give the device to $group"; status=1; }
	grep -q '^user_demo ' <<< "$("$dest$prefix/bin/user_demo" --version)" ||
		{ say "the installed user_demo does not run"; status=1; }
	return "$status"
}

# A program of the user's own, built against the installed header only.
check_header() {
	cat > "$tmp/client.c" <<'EOF'
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/shmdemo.h>

int main(void)
{
	struct shmdemo_info info = { 0 };

	printf("%lu %lu\n", (unsigned long)SHMDEMO_IOC_INFO,
	       (unsigned long)sizeof(info));
	return 0;
}
EOF
	gcc -Wall -Wextra -Werror -I"$dest$prefix/include" -o "$tmp/client" \
		"$tmp/client.c" && "$tmp/client" > /dev/null
}

# After uninstall, only empty directories and depmod's indexes may remain.
check_uninstalled() {
	local left
	left=$(cd "$dest" && find . -type f ! -path "./lib/modules/$release/modules.*")
	[ -z "$left" ] || { say "left after uninstall:" "$left"; return 1; }
}

run_make install
check_tree
check_header
run_make uninstall
check_uninstalled
