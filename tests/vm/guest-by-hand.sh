#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-vm, in the guest: step 8, the by-hand paths of the teacher's
# page, course/teacher.md (make install; DKMS without the package). Sourced
# by guest.sh.

unpack_source() {
	rm -rf /root/shmdemo
	mkdir /root/shmdemo
	tar -x -C /root/shmdemo -f "$payload/shmdemo-src.tar"
}

group_by_hand() {	# course/teacher.md's "Letting a group use the device"
	groupadd --system shmdemo
	useradd -m -s /bin/bash "$student"
	useradd -m -s /bin/bash "$visitor"
	usermod -aG shmdemo "$student"
	udevadm control --reload
}

use_it() {	# load, the node, the student, the visitor
	modprobe shmdemo pages=4
	node_ok 4
	student_runs
	visitor_refused
}

by_make_install() {
	local rel
	rel=$(uname -r)
	unpack_source
	cd /root/shmdemo
	make || fail "make failed"
	make install || fail "make install failed"
	[ -f "/lib/modules/$rel/extra/shmdemo.ko" ] || fail "no extra/shmdemo.ko"
	group_by_hand
	use_it
	modprobe -r shmdemo
	make uninstall || fail "make uninstall failed"
	[ ! -e "/lib/modules/$rel/extra/shmdemo.ko" ] || fail "uninstall left the module"
	[ ! -e /usr/local/bin/user_demo ] || fail "uninstall left user_demo"
}

by_dkms_hand() {
	local version
	unpack_source
	cd /root/shmdemo
	version=$(make -s version)
	make dkms-src || fail "make dkms-src failed"
	dkms add "shmdemo/$version" || fail "dkms add failed"
	dkms install "shmdemo/$version" || fail "dkms install failed"
	dkms_installed "$(uname -r)"
	make install-user || fail "make install-user failed"
	group_by_hand
	use_it
	modprobe -r shmdemo
	dkms remove "shmdemo/$version" --all || fail "dkms remove failed"
	rm -r "/usr/src/shmdemo-$version"
	! find /lib/modules -name 'shmdemo.ko*' | grep . || fail "a module is left"
}
