#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make web's static site: the page (course/web/), the emulator (v86) and
# the terminal (xterm.js) from npm at their pinned versions
# (tests/web/npm-packages), with their licences; seabios's BIOS images from
# Debian's seabios; the i386 kernel and the web lane's initramfs
# (tests/lanes/web.sh); the module's and user_demo's sources; and
# boot.json, which names the kernel, the initramfs and the command line for
# any tool that boots the same guest (tests/web/node-boot.mjs).
# Usage: tests/web/site.sh KERNEL_DIR INITRAMFS WEB_DIR
# Run by tests/lanes/guest.sh web (make web), after the module and the
# initramfs are built.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

kdir=${1:?usage: site.sh KERNEL_DIR INITRAMFS WEB_DIR} initramfs=${2:?} web=${3:?}
release=$(cat "$kdir/release")
# The guest's kernel command line. console=ttyS0: the page's terminal is
# the serial port. init_on_alloc=0 and no_timer_check as in every guest
# (tests/lib/boot.sh); loglevel=4: warnings stay in dmesg. The rest cuts
# what the lab does not need, found with initcall_debug under v86
# (tests/README.md, The web lab): cryptomgr.notests, the crypto self-tests
# (17 s of an 86 s boot); initcall_blacklist, the kprobe tracer's
# self-test (7 s), the KDF self-test (5.7 s), the certificate list
# (5.6 s) and blake2s's self-test (0.8 s); noisapnp, the ISA PnP probe (3.7 s).
cmdline="console=ttyS0 loglevel=4 init_on_alloc=0 no_timer_check"
cmdline+=" cryptomgr.notests noisapnp initcall_blacklist=init_kprobe_trace"
cmdline+=",crypto_kdf108_init,load_system_certificate_list,blake2s_mod_init"
# The guest's memory, in MiB.
memory=128

v86=$("$SHMDEMO_TESTS/web/npm.sh" v86)
xterm=$("$SHMDEMO_TESTS/web/npm.sh" @xterm/xterm)
for f in /usr/share/seabios/bios.bin /usr/share/seabios/vgabios-stdvga.bin; do
	[ -r "$f" ] || die "no $f: install seabios (tests/fetch/deps.sh web)"
done

rm -rf "$web.new"
mkdir -p "$web.new"/{v86,xterm,bios,linux,source/kmod/uapi/linux,source/user}
cp "$SHMDEMO_TOP"/course/web/* "$web.new/"
cp "$v86/build/libv86.js" "$v86/build/v86.wasm" "$v86/LICENSE" "$web.new/v86/"
cp "$xterm/lib/xterm.js" "$xterm/css/xterm.css" "$xterm/LICENSE" "$web.new/xterm/"
cp /usr/share/seabios/bios.bin "$web.new/bios/seabios.bin"
cp /usr/share/seabios/vgabios-stdvga.bin "$web.new/bios/vgabios.bin"
cp /usr/share/doc/seabios/copyright "$web.new/bios/copyright"
cp "$kdir/vmlinuz-$release" "$web.new/linux/vmlinuz"
# zstd: 11.6 MB of cpio, with libkmod's libcrypto, take 3.9 MB, which
# keeps the site within its 15 MB. v86 unpacks a .zst file itself, given
# its size (boot.json's initrd_size), in a moment; QEMU passes it to the
# kernel, which unpacks it (CONFIG_RD_ZSTD), but under v86 the guest took
# half a minute to. Compressed again only when the initramfs changed.
[ "$initramfs.zst" -nt "$initramfs" ] ||
	zstd -19 -q -f -o "$initramfs.zst" "$initramfs" || die "zstd failed"
cp "$initramfs.zst" "$web.new/linux/initramfs.cpio.zst"
(cd "$SHMDEMO_TOP" && cp kmod/shmdemo.c "$web.new/source/kmod/" &&
 cp kmod/uapi/linux/shmdemo.h "$web.new/source/kmod/uapi/linux/" &&
 cp user/user_demo.c user/cli.c user/cli.h LICENSE "$web.new/source/user/")
mv "$web.new/source/user/LICENSE" "$web.new/source/"

# The kernel's Debian version, from the bzImage's header: its
# kernel_version string, at 0x200 past the offset at 0x20e.
off=$(od -An -tu2 -j $((0x20e)) -N2 "$kdir/vmlinuz-$release")
debian=$(dd if="$kdir/vmlinuz-$release" bs=1 skip=$((off + 512)) count=256 2> /dev/null |
	tr '\0' '\n' | sed -n '1s/.* Debian \([^ ]*\) .*/\1/p')
[ -n "$debian" ] || die "no Debian version in $kdir/vmlinuz-$release"

# What each part is and where its source is.
{
	echo "shmdemo web lab, made by make web from the shmdemo tree"
	echo "(version $(make -s -C "$SHMDEMO_TOP" version))."
	echo
	echo "linux/vmlinuz: Debian's linux-image-$release, unmodified (GPL-2.0);"
	echo "  source: https://sources.debian.org/src/linux/$debian/"
	echo "linux/initramfs.cpio.zst: busybox-static (i386, GPL-2.0, Debian), the"
	echo "  shmdemo module and programs (GPL-2.0, source/), and their libraries."
	echo "v86/: v86 $(sed -n 's/^v86 *\([^ ]*\).*/\1/p' "$SHMDEMO_TESTS/web/npm-packages") from npm (BSD-2-Clause, v86/LICENSE); https://github.com/copy/v86"
	echo "xterm/: xterm.js $(sed -n 's|^@xterm/xterm *\([^ ]*\).*|\1|p' "$SHMDEMO_TESTS/web/npm-packages") from npm (MIT, xterm/LICENSE); https://github.com/xtermjs/xterm.js"
	echo "bios/: SeaBIOS $(dpkg-query -W -f='${Version}' seabios) from Debian's seabios (LGPL-3.0, bios/copyright)"
} > "$web.new/SOURCES.txt"

# boot.json: what the page and the Node check boot.
cat > "$web.new/boot.json" <<END
{
	"release": "$release",
	"kernel": "linux/vmlinuz",
	"initrd": "linux/initramfs.cpio.zst",
	"initrd_size": $(stat -c %s "$initramfs"),
	"cmdline": "$cmdline",
	"memory_mb": $memory,
	"bios": "bios/seabios.bin",
	"vga_bios": "bios/vgabios.bin",
	"wasm": "v86/v86.wasm"
}
END
rm -rf "$web"
mv "$web.new" "$web"
say "make web: the site is $web ($(du -sh --apparent-size "$web" | cut -f1)); make web-serve serves it (with the same WEB=, if one was given)"
