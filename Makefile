# SPDX-License-Identifier: GPL-2.0
#
# shmdemo: the module goes through the kernel's build system (see Kbuild);
# this file adds the user programs and the targets people type. make help
# lists them, from the "## " note on each target's line, and the variables
# they take, from the "#= " lines.
#
#= KERNEL=     the guest kernel, a row of tests/kernels (default: the first)
#= KERNELS=    make test's kernels (default: the table's test lane)
#= HUGE_KERNELS=  make test-huge's kernels (default: 6.12 latest arm64-latest)
#= PAGES=N     insmod's pages= in make run, shell and race
#= ARGS='...'  user_demo's options in make run, with their quotes as typed
#= N=500       make race's runs of each program
#= SNAPSHOT=0  make run, shell and race boot their guest, not resume a saved one
#= KDIR=       a kernel build tree, for make modules and install
#= DESTDIR= PREFIX=   make install's root and prefix
#= SHMDEMO_GROUP=shmdemo   the group the udev rule gives /dev/shmdemo
#= WORK=       make exercise and grade's workspace (default: exercises/N)
#= WEB=tests/out/web   make web's folder, which web-serve and test-web serve
#= WEB_PORT=8000   make web-serve's port on localhost

# The one version, for the packages, MODULE_VERSION (kmod/Kbuild reads it
# too; tests/Makefile asks make version) and user_demo --version:
# debian/changelog's, without a Debian revision. Read where a recipe uses
# it, not at every make: make run need not.
VERSION = $(shell head -n 1 debian/changelog | cut -d' ' -f2 | tr -d '()' | sed 's/-[^-]*$$//')

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
export SHMDEMO_HOST_ARCH ?= $(shell tests/lib/kernels.sh host-arch)
KERNEL ?= $(shell tests/lib/kernels.sh default)
KERNELS ?= $(shell tests/lib/kernels.sh lane test)
ARM64_KERNELS ?= $(shell tests/lib/kernels.sh lane test arm64)
DEBUG_KERNELS ?= $(shell tests/lib/kernels.sh lane debug amd64)
# make test-huge's: the kernels whose rows map 2 MiB PMDs (huge=1).
HUGE_KERNELS ?= 6.12 latest arm64-latest

CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARNINGS := -Wall -Wextra $(WERROR)
UAPI := -Ikmod/uapi
KMOD_CFLAGS = $(shell pkg-config --cflags libkmod 2>/dev/null)

# The host's user programs; the guest's, the test programs among them, are
# tests/programs' rows, which tests/Makefile builds into tests/out/.
USER_PROGS := user/user_demo user/faults_demo user/mmap_try

.PHONY: all deps modules user guest-progs run shell race guest-module test test-arm64 test-huge test-debug debug bench check clean
.PHONY: install install-modules install-user uninstall

all: modules user	## the module for KDIR (your running kernel) and the user programs

modules: kdir-present	## the module alone, for KDIR
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

user: $(USER_PROGS)	## user_demo and the experiments' helpers, for this machine

USER_SRCS := user/user_demo.c user/cli.c
user/user_demo: $(USER_SRCS) user/cli.h kmod/uapi/linux/shmdemo.h debian/changelog
	$(CC) $(UAPI) -DSHMDEMO_VERSION='"$(VERSION)"' $(WARNINGS) $(CFLAGS) $(KMOD_CFLAGS) \
		-o $@ $(USER_SRCS) $(LDFLAGS)

# The experiments' helpers (course/guide.md), and any program of yours:
# make user/NAME builds user/NAME.c against the ABI header.
user/%: user/%.c kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

# The guest programs (tests/programs), into tests/out/host.
guest-progs:	## the guest programs of tests/programs, into tests/out/host
	$(MAKE) -C tests

# make run, shell and race take these (course/guide.md: Working in the guest); exported, so that
# ARGS reaches the scripts with its quotes as typed.
export SHMDEMO_PAGES = $(PAGES)
export SHMDEMO_ARGS = $(ARGS)
export SHMDEMO_RACE_RUNS = $(N)
# A guest saved once, resumed by make run, shell and race (tests/lib/resume.sh).
export SHMDEMO_SNAPSHOT = $(SNAPSHOT)

# The host packages of every target, installed once by root (or through
# sudo); the targets then run as any user (tests/fetch/deps.sh).
deps:	## every target's Debian packages, once, as root (sudo make deps)
	@tests/fetch/deps.sh --all

run:	## build, boot a Debian kernel in QEMU, run user_demo there
	@tests/lanes/guest.sh run $(KERNEL)

# An interactive shell in the guest, the source tree at /src.
shell:	## the same guest with a shell on the terminal, /src shared
	@tests/lanes/guest.sh shell $(KERNEL)

# The seed's race next to user_demo, N runs each (500 by default).
race:	## the original program's race beside user_demo, counted
	@tests/lanes/guest.sh race $(KERNEL)

# Rebuild the module for KERNEL's guest, for insmod from /src in make shell.
guest-module:	## rebuild the module for KERNEL, for insmod from /src in make shell
	@tests/lanes/guest.sh module $(KERNEL)

test:	## the test suite, in the guests and on the host
	@tests/lanes/guest.sh test $(KERNELS)

test-arm64:	## the suite on Debian's arm64 kernels, 4 and 16 KiB pages
	@tests/lanes/guest.sh test $(ARM64_KERNELS)

test-huge:	## the suite with huge=1 (2 MiB PMDs) on 6.12, latest and arm64-latest
	@tests/lanes/guest.sh huge $(HUGE_KERNELS)

check:	## the static checks: W=1, sparse, checkpatch, cppcheck, analyzer, herd7
	@tests/static/check.sh

# Written every time: SHMDEMO_GROUP may differ from the last make.
user/70-shmdemo.rules: user/70-shmdemo.rules.in FORCE
	@case '$(SHMDEMO_GROUP)' in *[!a-z0-9_-]*|'') \
		echo "SHMDEMO_GROUP='$(SHMDEMO_GROUP)' is not a group name"; exit 1;; esac
	sed 's/@SHMDEMO_GROUP@/$(SHMDEMO_GROUP)/g' $< > $@

install: install-modules install-user	## the module, user_demo, its man page, the ABI header, a udev rule

# A headers package has no signing key: sign only when KDIR has one. And
# modules_install leaves depmod to System.map, which headers packages lack.
MODULE_SIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

install-modules: modules kdir-release	## the module alone, into /lib/modules/RELEASE/extra
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod KERNELRELEASE=$(KDIR_RELEASE) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra $(MODULE_SIGN) \
		modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(KDIR_RELEASE)

install-user: user user/70-shmdemo.rules	## all of make install but the module
	$(INSTALL) -D -m 0755 user/user_demo $(DESTDIR)$(BINDIR)/user_demo
	$(INSTALL) -D -m 0644 user/user_demo.1 $(DESTDIR)$(MANDIR)/man1/user_demo.1
	$(INSTALL) -D -m 0644 kmod/uapi/linux/shmdemo.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/shmdemo.h
	$(INSTALL) -D -m 0644 user/70-shmdemo.rules \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmdemo.rules

MODDIR = $(DESTDIR)/lib/modules/$(KDIR_RELEASE)

uninstall: kdir-release	## what make install put in place
	rm -f $(MODDIR)/extra/shmdemo.ko $(MODDIR)/extra/shmdemo.ko.*
	[ ! -d $(MODDIR)/extra ] || rmdir --ignore-fail-on-non-empty $(MODDIR)/extra
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(KDIR_RELEASE)
	rm -f $(DESTDIR)$(BINDIR)/user_demo \
		$(DESTDIR)$(MANDIR)/man1/user_demo.1 \
		$(DESTDIR)$(INCLUDEDIR)/linux/shmdemo.h \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmdemo.rules

bench:	## the benchmarks, in the guest (tests/README.md: Performance)
	@tests/lanes/guest.sh bench $(KERNEL)

# The graded exercises (course/exercises/README.md): make exercise N writes
# a workspace, make grade N grades it in the guest. The number is a goal of
# its own (make grade 1) or EX=N.
.PHONY: exercise grade test-grade
EXERCISE_GOALS := $(filter exercise grade,$(MAKECMDGOALS))
ifneq ($(EXERCISE_GOALS),)
EX ?= $(firstword $(filter-out $(EXERCISE_GOALS),$(MAKECMDGOALS)))
$(filter-out $(EXERCISE_GOALS),$(MAKECMDGOALS)):
	@:
endif
WORK ?= exercises/$(EX)
export SHMDEMO_EXERCISE = $(EX)
export SHMDEMO_WORK = $(WORK)

exercise:	## make exercise N: exercise N's skeleton, into exercises/N (WORK=)
	@course/exercises/workspace.sh new '$(EX)' '$(WORK)'
	@echo "exercise $(EX): your workspace is $(WORK); its TODOs:"
	@grep -rn --exclude-dir=.out 'TODO [0-9]*:' '$(WORK)' | sort -k4,4n | sed 's/^/  /'
	@echo "make grade $(EX) grades it (KERNEL=... picks the guest's kernel)"

# Without N: each workspace of exercises/, in turn.
grade:	## make grade [N]: build your workspace, run exercise N's checker in the guest, print the score
	@if [ -n '$(EX)' ]; then tests/lanes/guest.sh grade $(KERNEL); else \
		status=0 found=; \
		for w in exercises/[0-9]*/; do \
			[ -d "$$w" ] || continue; \
			n=$${w#exercises/} n=$${n%/} found=1; \
			SHMDEMO_EXERCISE=$$n SHMDEMO_WORK=$$w tests/lanes/guest.sh grade $(KERNEL) || status=1; \
		done; \
		[ -n "$$found" ] || { echo "no workspace in exercises/: make exercise N writes one"; status=1; }; \
		exit $$status; fi

# Both ends of every exercise's checker, on the oldest and newest mmap paths,
# and on the debug kernels for the exercises meant for them (KASAN).
GRADE_KERNELS ?= $(KERNEL) latest $(DEBUG_KERNELS)
test-grade:	## each exercise's skeleton scores below full and its solution full, in the guest
	@tests/host/grade-check.sh $(GRADE_KERNELS)

# The web lab (course/web/, tests/web/): a static site that boots WEB_KERNEL,
# the first i386 row of tests/kernels (6.1-686; v86 emulates a 32-bit x86),
# in a browser.
WEB ?= tests/out/web
WEB_KERNEL ?= $(firstword $(shell tests/lib/kernels.sh lane - i386))
WEB_PORT ?= 8000
export SHMDEMO_WEB = $(abspath $(WEB))
.PHONY: web web-serve test-web
web:	## the web lab: Linux, shmdemo and a shell in a browser, a static site in WEB
	@tests/lanes/guest.sh web $(WEB_KERNEL)

web-serve:	## serve make web's site on localhost (WEB_PORT), for a browser
	@tests/web/serve.sh $(WEB_PORT)

test-web: web	## make web's site in headless chromium, and in Node: insmod, user_demo, race, rmmod
	@tests/web/test.sh

.PHONY: version deb test-vm dkms-src help
version:	## debian/changelog's version, the one every part takes
	@echo $(VERSION)

deb:	## the Debian packages, in tests/out/deb/, checked by lintian
	@tests/vm/deb.sh

test-vm:	## a Debian 12 VM installs the packages; a student uses the device
	@tests/vm/run.sh

# The source tree that the shmdemo-dkms package installs, for DKMS by hand.
DKMS_SRC = $(DESTDIR)/usr/src/shmdemo-$(VERSION)
dkms-src:	## the module's source for DKMS in /usr/src, without the package
	$(INSTALL) -D -m 0644 -t $(DKMS_SRC)/kmod kmod/Kbuild $(wildcard kmod/*.[ch])
	$(INSTALL) -D -m 0644 -t $(DKMS_SRC)/kmod/uapi/linux kmod/uapi/linux/shmdemo.h
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf

test-debug:	## the suite, fault sweeps and kmemleak on the debug kernels
	@tests/lanes/guest.sh debug $(DEBUG_KERNELS)

# gdb on a debug kernel's guest (KERNEL= one of DEBUG_KERNELS; the first by
# default): a breakpoint in the module, user_demo typed in from gdb.
debug:	## gdb attached to the guest of a debug kernel, the module's symbols loaded
	@tests/lanes/guest.sh gdb $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),$(firstword $(DEBUG_KERNELS)))

clean:	## the build products
	$(MAKE) -C tests clean
	$(MAKE) -C tests clean OUTPUT=$(CURDIR)/tests/out/arm64
	$(MAKE) -C tests clean OUTPUT=$(CURDIR)/tests/out/i386
	rm -f $(USER_PROGS) user/70-shmdemo.rules
	rm -rf tests/bench/out
	rm -rf .tmp_versions Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	cd kmod && rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers

help:	## this list
	@echo 'Targets:'
	@sed -n 's/^\([a-z][a-z0-9-]*\):.*\t## \(.*\)/  make \1\t\2/p' $(MAKEFILE_LIST) | expand -t 22
	@echo 'Variables:'
	@sed -n 's/^#= /  /p' $(MAKEFILE_LIST)
