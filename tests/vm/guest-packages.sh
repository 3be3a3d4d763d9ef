#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-vm, in the guest: steps 1 to 7, the Debian packages as the
# teacher's page (course/teacher.md) installs them. Sourced by guest.sh.

install_ours() {	# install_ours [APT_OPTION...]: the teacher's page's apt install
	(cd "$debs" && apt install -y "$@" ./shmdemo-dkms_*.deb ./shmdemo-utils_*.deb) ||
		fail "apt install failed"
}

install_packages() {
	install_ours
	dkms status
	dkms_installed "$(uname -r)"
	getent group shmdemo || fail "no group shmdemo"
	dpkg -L shmdemo-dkms shmdemo-utils > "$state/dpkg-L"
}

load_by_udev() {
	modprobe shmdemo pages=4
	node_ok 4
}

at_boot_config() {	# the teacher's page's two files, then a reboot
	echo shmdemo > /etc/modules-load.d/shmdemo.conf
	echo 'options shmdemo pages=4' > /etc/modprobe.d/shmdemo.conf
}

loaded_at_boot() {
	grep -q '^shmdemo ' /proc/modules || fail "shmdemo is not loaded"
	node_ok 4
}

# The module trees of a kernel that this guest (no network, sound, USB or
# sensors) never loads: dpkg does not unpack them (path-exclude). depmod,
# which DKMS runs at each install and removal, decompresses every module
# (tests/vm/README.md: Speed under TCG, for the figures). What is left still
# boots the guest (its disk drivers and ext4) and builds shmdemo.
skip_modules() {
	local dir
	for dir in drivers/media drivers/iio drivers/net drivers/usb drivers/hwmon \
		drivers/comedi drivers/mtd drivers/infiniband drivers/bluetooth \
		drivers/staging net sound; do
		echo "path-exclude=/lib/modules/*/kernel/$dir/*"
		echo "path-exclude=/usr/lib/modules/*/kernel/$dir/*"
	done > /etc/dpkg/dpkg.cfg.d/shmdemo-vm-modules
}

# The second kernel, offline: its postinst runs DKMS for it.
second_kernel() {
	local rel
	skip_modules
	(cd "$debs" && apt install -y ./linux-*.deb ./pahole_*.deb ./libbpf1_*.deb \
		./libdw1_*.deb ./libelf1_*.deb) || fail "apt install of the kernel failed"
	rel=$(cd /boot && ls vmlinuz-6.12* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[ -n "$rel" ] || fail "no 6.12 kernel in /boot"
	dkms status
	dkms_installed "$rel"
	mkdir -p "$payload/boot"
	cp "/boot/vmlinuz-$rel" "/boot/initrd.img-$rel" "$payload/boot/"
	echo "$rel" > "$state/second"
}

on_second_kernel() {
	[ "$(uname -r)" = "$(cat "$state/second")" ] ||
		fail "running $(uname -r), not $(cat "$state/second")"
	grep -q '^shmdemo ' /proc/modules || fail "shmdemo was not loaded at boot"
	modprobe -r shmdemo
	modprobe shmdemo
	node_ok 4
	student_runs
}

# Installed again on the second kernel, the first one's headers still there:
# dh_dkms builds for the running kernel and the newest (both the second), the
# package's own postinst for the first as well.
every_kernel() {
	local build kernels=0
	modprobe -r shmdemo
	install_ours --reinstall
	dkms status
	for build in /lib/modules/*/build; do
		kernels=$((kernels + 1))
		build=${build%/build}
		dkms_installed "${build#/lib/modules/}"
	done
	[ "$kernels" -ge 2 ] || fail "$kernels kernel with headers: nothing to show"
}

purge_leaves_nothing() {
	local left
	modprobe -r shmdemo
	rm -f /etc/modules-load.d/shmdemo.conf /etc/modprobe.d/shmdemo.conf
	apt purge -y shmdemo-dkms shmdemo-utils || fail "apt purge failed"
	# Every file the packages held is gone, and so is any directory of ours.
	left=$(while read -r path; do
		if [ -d "$path" ]; then
			case $path in *shmdemo*) echo "$path" ;; esac
		elif [ -e "$path" ]; then
			echo "$path"
		fi
	done < "$state/dpkg-L")
	[ -z "$left" ] || fail "left from dpkg -L: $left"
	# The test's own files are all named shmdemo-vm* (image.sh, the unit,
	# this state); the packages have none of that name.
	left=$(find / -xdev \( -name '*shmdemo*' -o -name 'user_demo*' \) \
		! -name 'shmdemo-vm*' ! -path "$state/*" ! -path '/home/*' 2>/dev/null)
	[ -z "$left" ] || fail "left after the purge: $left"
	! grep -rl shmdemo /lib/modules/*/modules.dep ||
		fail "shmdemo is still in modules.dep"
	[ ! -e /var/lib/dkms/shmdemo ] || fail "the DKMS tree is still there"
}
