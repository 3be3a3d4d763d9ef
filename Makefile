# SPDX-License-Identifier: GPL-2.0
#
# shmdemo: the module goes through the kernel's build system (see Kbuild);
# this file adds the user programs and the targets people type.
#
#   make run      build, boot a Debian kernel in QEMU, run user_demo there
#                 (PAGES=N for insmod, ARGS='...' for user_demo, KERNEL="6.1 6.12")
#   make shell    the same guest with a shell on the terminal, /src shared
#   make race     the original program's race, counted (N=500 runs)
#   make test     the test suite, in the guest and on the host
#   make test-arm64   the suite on Debian's arm64 kernels, 4 and 16 KiB pages
#   make check    the static checks: W=1, sparse, checkpatch, cppcheck,
#                 gcc -fanalyzer, clang-format, modinfo, install and dkms
#   make bench    the benchmarks, in the guest (tests/README.md: Performance)
#   make test-debug   the suite, a fault sweep and kmemleak on a debug kernel
#                 built from linux-source-6.12 (tests/README.md: the debug-kernel lane)
#   make KDIR=/lib/modules/$(uname -r)/build   build for a real machine
#   make install  the module (for KDIR's release), user_demo, its man page,
#                 the ABI header and a udev rule; DESTDIR and PREFIX honoured
#   make deb      the Debian packages shmdemo-dkms and shmdemo-utils, in
#                 tests/out/deb/, checked by lintian
#   make test-vm  a full Debian 12 system in QEMU installs them and a student
#                 uses the device (tests/vm/README.md)
#   make dkms-src the module's source for DKMS in /usr/src, without the package

# The one version, for the packages, MODULE_VERSION (kmod/Kbuild reads it
# too) and user_demo --version: debian/changelog's, without a Debian revision.
VERSION := $(shell head -n 1 debian/changelog | cut -d' ' -f2 | tr -d '()' | sed 's/-[^-]*$$//')

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
# The release KDIR builds for (the guest's uname -r), from the header the
# module's vermagic comes from: Debian's 6.1 headers have another
# include/config/kernel.release.
KDIR_RELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# udev reads rules from fixed places only; this one is the administrator's.
UDEVRULESDIR ?= /etc/udev/rules.d
# Members of this group may use /dev/shmdemo (the rule makes it 0660).
SHMDEMO_GROUP ?= shmdemo
INSTALL ?= install
DEPMOD ?= depmod

# The guest kernels, from the table tests/kernels: KERNEL, the host's
# architecture's first (6.1 on amd64; make run, shell, race, bench), and
# KERNELS, its test lane (make test, which runs its host-side lab checks on
# the first). An arm64 host boots arm64 guests only; an amd64 one runs them
# in make test-arm64 (TCG).
export SHMDEMO_HOST_ARCH ?= $(shell dpkg --print-architecture 2>/dev/null || \
	uname -m | sed 's/^x86_64$$/amd64/; s/^aarch64$$/arm64/')
KERNEL ?= $(shell tests/kernels.sh default)
KERNELS ?= $(shell tests/kernels.sh lane test)
ARM64_KERNELS ?= $(shell tests/kernels.sh lane test arm64)
DEBUG_KERNELS ?= $(shell tests/kernels.sh lane debug amd64)

CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARNINGS := -Wall -Wextra $(WERROR)
UAPI := -Ikmod/uapi
KMOD_CFLAGS = $(shell pkg-config --cflags libkmod 2>/dev/null)
KMOD_LIBS = $(shell pkg-config --libs libkmod 2>/dev/null || echo -lkmod)

TEST_PROGS := tests/test_device tests/test_lifecycle tests/test_user_demo \
	      tests/test_faults tests/test_kmemleak tests/test_torture
BENCH_SRCS := $(addprefix tests/bench/,bench.c map.c handoff.c fanout.c e2e.c)
BENCH_PROGS := tests/bench/bench tests/bench/seed_demo
TEST_PROGS32 := tests/test_device32 tests/test_user_demo32 tests/test_lifecycle32
USER_PROGS := user/user_demo user/faults_demo user/mmap_try
GUEST_PROGS := $(USER_PROGS) $(TEST_PROGS) $(TEST_PROGS32) $(BENCH_PROGS) \
	tests/guest/init tests/guest/race

.PHONY: all deps modules user guest-progs run shell race guest-module test test-arm64 test-debug bench check clean
.PHONY: install install-modules install-user uninstall

all: modules user

modules: kdir-present
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

.PHONY: kdir-present kdir-release FORCE
kdir-present:
	@test -d $(KDIR) || { echo "No kernel build tree at $(KDIR):"; \
		echo "install linux-headers-$(KERNELRELEASE) or pass KDIR=..."; \
		echo "To build and try it in a Debian guest kernel instead, no headers needed:"; \
		echo "  make run      (or make shell, for a shell in the guest)"; \
		echo "To build the user programs alone: make user (make guest-progs for all)"; \
		exit 1; }

kdir-release: kdir-present
	@test -n "$(KDIR_RELEASE)" || { echo "No UTS_RELEASE in $(KDIR):"; \
		echo "is it a configured kernel build tree?"; exit 1; }

user: $(USER_PROGS)

USER_SRCS := user/user_demo.c user/cli.c
user/user_demo: $(USER_SRCS) user/cli.h kmod/uapi/linux/shmdemo.h debian/changelog
	$(CC) $(UAPI) -DSHMDEMO_VERSION='"$(VERSION)"' $(WARNINGS) $(CFLAGS) $(KMOD_CFLAGS) \
		-o $@ $(USER_SRCS) $(LDFLAGS) $(KMOD_LIBS)

# The experiments' helpers (README.md: Experiments).
user/faults_demo user/mmap_try: user/%: user/%.c kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

tests/test_%: tests/test_%.c tests/harness.c tests/harness.h kmod/uapi/linux/shmdemo.h \
		debian/changelog
	$(CC) $(UAPI) -DSHMDEMO_VERSION='"$(VERSION)"' $(WARNINGS) $(CFLAGS) $(KMOD_CFLAGS) \
		-o $@ $< tests/harness.c \
		$(LDFLAGS) $(KMOD_LIBS)

# The device suite as a 32-bit program, to go through compat_ioctl.
tests/test_%32: tests/test_%.c tests/harness.c tests/harness.h kmod/uapi/linux/shmdemo.h \
		debian/changelog
	$(CC) -m32 -static -D_FILE_OFFSET_BITS=64 -DSHMDEMO_NO_LIBKMOD $(UAPI) \
		-DSHMDEMO_VERSION='"$(VERSION)"' \
		$(WARNINGS) $(CFLAGS) -o $@ $< tests/harness.c
tests/bench/bench: $(BENCH_SRCS) tests/bench/bench.h kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) -o $@ $(BENCH_SRCS) $(LDFLAGS)

tests/bench/seed_demo: tests/bench/seed_demo.c
	$(CC) $(WARNINGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

tests/guest/init: tests/guest/init.c
	$(CC) $(WARNINGS) $(CFLAGS) -static -o $@ $<

tests/guest/race: tests/guest/race.c
	$(CC) $(WARNINGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

guest-progs: $(GUEST_PROGS)

# make run, shell and race take these (README.md: the two commands); exported, so that
# ARGS reaches the scripts with its quotes as typed.
export SHMDEMO_PAGES = $(PAGES)
export SHMDEMO_ARGS = $(ARGS)
export SHMDEMO_RACE_RUNS = $(N)

# The host packages of every target, installed once by root (or through
# sudo); the targets then run as any user (tests/deps.sh).
deps:
	@tests/deps.sh --all

run:
	@tests/guest.sh run $(KERNEL)

# An interactive shell in the guest, the source tree at /src.
shell:
	@tests/guest.sh shell $(KERNEL)

# The seed's race next to user_demo, N runs each (500 by default).
race:
	@tests/guest.sh race $(KERNEL)

# Rebuild the module for KERNEL's guest, for insmod from /src in make shell.
guest-module:
	@tests/guest.sh module $(KERNEL)

test:
	@tests/guest.sh test $(KERNELS)

test-arm64:
	@tests/guest.sh test $(ARM64_KERNELS)

check:
	@tests/check.sh

# Written every time: SHMDEMO_GROUP may differ from the last make.
user/70-shmdemo.rules: user/70-shmdemo.rules.in FORCE
	@case '$(SHMDEMO_GROUP)' in *[!a-z0-9_-]*|'') \
		echo "SHMDEMO_GROUP='$(SHMDEMO_GROUP)' is not a group name"; exit 1;; esac
	sed 's/@SHMDEMO_GROUP@/$(SHMDEMO_GROUP)/g' $< > $@

install: install-modules install-user

# A headers package has no signing key: sign only when KDIR has one. And
# modules_install leaves depmod to System.map, which headers packages lack.
MODULE_SIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

install-modules: modules kdir-release
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod KERNELRELEASE=$(KDIR_RELEASE) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra $(MODULE_SIGN) \
		modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(KDIR_RELEASE)

install-user: user user/70-shmdemo.rules
	$(INSTALL) -D -m 0755 user/user_demo $(DESTDIR)$(BINDIR)/user_demo
	$(INSTALL) -D -m 0644 user/user_demo.1 $(DESTDIR)$(MANDIR)/man1/user_demo.1
	$(INSTALL) -D -m 0644 kmod/uapi/linux/shmdemo.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/shmdemo.h
	$(INSTALL) -D -m 0644 user/70-shmdemo.rules \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmdemo.rules

MODDIR = $(DESTDIR)/lib/modules/$(KDIR_RELEASE)

uninstall: kdir-release
	rm -f $(MODDIR)/extra/shmdemo.ko $(MODDIR)/extra/shmdemo.ko.*
	[ ! -d $(MODDIR)/extra ] || rmdir --ignore-fail-on-non-empty $(MODDIR)/extra
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(KDIR_RELEASE)
	rm -f $(DESTDIR)$(BINDIR)/user_demo \
		$(DESTDIR)$(MANDIR)/man1/user_demo.1 \
		$(DESTDIR)$(INCLUDEDIR)/linux/shmdemo.h \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmdemo.rules

bench:
	@tests/guest.sh bench $(KERNEL)

.PHONY: version deb test-vm dkms-src
version:
	@echo $(VERSION)

deb:
	@tests/vm/deb.sh

test-vm:
	@tests/vm/run.sh

# The source tree that the shmdemo-dkms package installs, for DKMS by hand.
DKMS_SRC = $(DESTDIR)/usr/src/shmdemo-$(VERSION)
dkms-src:
	$(INSTALL) -D -m 0644 -t $(DKMS_SRC)/kmod kmod/Kbuild $(wildcard kmod/*.[ch])
	$(INSTALL) -D -m 0644 -t $(DKMS_SRC)/kmod/uapi/linux kmod/uapi/linux/shmdemo.h
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf

test-debug:
	@tests/guest.sh debug $(DEBUG_KERNELS)

clean:
	rm -f $(GUEST_PROGS) user/70-shmdemo.rules
	rm -rf tests/bench/out
	rm -rf .tmp_versions Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	cd kmod && rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
