#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cached Debian 12 system that make test-vm boots: debootstrap into a
# directory, an ext4 image of it made with mkfs.ext4 -d (no loop device, no
# mount), kept as a qcow2 base that each run overlays, beside the bookworm
# kernel and initrd it boots with.
# Usage: tests/vm/image.sh   prints the image's cache directory, which holds:
#   base.qcow2   the system (root file system on the whole disk, no partitions)
#   vmlinuz-*, initrd.img-*, release   the kernel it boots first
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

# Everything the guest needs, with no network: systemd and udev, dkms and
# the compiler, sudo, the kernel and its headers, and what make install needs.
PACKAGES=systemd,systemd-sysv,udev,kmod,dkms,gcc,make,libc6-dev,sudo,adduser,
PACKAGES+=linux-image-amd64,linux-headers-amd64,initramfs-tools,
PACKAGES+=libkmod-dev,pkg-config,procps,man-db
MIRROR=${SHMDEMO_MIRROR:-http://deb.debian.org/debian}
SIZE=${SHMDEMO_VM_SIZE:-6G}

# A new image whenever this script changes.
key=$(cat "$0" "$here/shmdemo-vm.service" | sha256sum | cut -c1-12)
dir=$SHMDEMO_CACHE/vm/bookworm-$key
if [ -e "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root: run make test-vm as root"
# One build at a time: a second make test-vm waits, then finds it made.
mkdir -p "${dir%/*}"
exec 9> "$dir.lock"
flock 9
if [ -e "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi
rm -rf "$dir" && mkdir -p "$dir"
root=$dir/root

say "debootstrap bookworm into $root (a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$MIRROR" \
	> "$dir/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$dir/debootstrap.log" >&2; die "debootstrap failed"; }

# The guest's configuration: the whole disk is its root file system.
echo shmdemo-vm > "$root/etc/hostname"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$root/etc/fstab"
chroot "$root" passwd -d root > /dev/null
# Nothing that runs on a timer or waits for a network that is not there.
for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
	fstrim.timer systemd-networkd-wait-online.service serial-getty@ttyS0.service \
	getty@tty1.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# Speed under TCG, with no change to what the steps prove: an initrd made in
# the guest holds only what this disk needs (the first one, made on the host
# by debootstrap, keeps MODULES=most); dpkg does not fsync every file of a
# kernel's thousands (the disk is a throwaway overlay); man-db does not
# rebuild its index after each install (man still finds the pages).
echo MODULES=dep > "$root/etc/initramfs-tools/conf.d/shmdemo-vm"
echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/shmdemo-vm"
rm -f "$root/var/lib/man-db/auto-update"
# The run's driver: mount the payload disk and run its script, once per boot.
install -D -m 0644 "$here/shmdemo-vm.service" \
	"$root/etc/systemd/system/shmdemo-vm.service"
ln -sf ../shmdemo-vm.service \
	"$root/etc/systemd/system/multi-user.target.wants/shmdemo-vm.service"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages

release=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
cp "$root/boot/vmlinuz-$release" "$root/boot/initrd.img-$release" "$dir/"
echo "$release" > "$dir/release"

say "making the ext4 image ($SIZE, sparse)"
truncate -s "$SIZE" "$dir/base.raw"
mkfs.ext4 -q -F -L shmdemo-vm -d "$root" "$dir/base.raw"
qemu-img convert -O qcow2 "$dir/base.raw" "$dir/base.qcow2"
rm -rf "$dir/base.raw" "$root"

touch "$dir/ready"
echo "$dir"
