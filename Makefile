# SPDX-License-Identifier: GPL-2.0
#
# shmdemo: the module goes through the kernel's build system (see Kbuild);
# this file adds the user programs and the targets people type.
#
#   make run      build, boot a Debian kernel in QEMU, run user_demo there
#   make test     the test suite, in the guest and on the host
#   make test-debug   the suite, a fault sweep and kmemleak on a debug kernel
#                 built from linux-source-6.12 (tests/DEBUG-LANE.md)
#   make KDIR=/lib/modules/$(uname -r)/build   build for a real machine

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

# The guest kernels: 6.1 (linux-image-amd64), 6.1-rt or 6.12.
KERNEL ?= 6.1
KERNELS ?= 6.1

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra
UAPI := -Ikmod/uapi
KMOD_CFLAGS = $(shell pkg-config --cflags libkmod 2>/dev/null)
KMOD_LIBS = $(shell pkg-config --libs libkmod 2>/dev/null || echo -lkmod)

TEST_PROGS := tests/test_device tests/test_lifecycle tests/test_user_demo \
	      tests/test_faults tests/test_kmemleak
GUEST_PROGS := user/user_demo $(TEST_PROGS) tests/guest/init

.PHONY: all modules user guest-progs run test test-debug clean

all: modules user

modules:
	@test -d $(KDIR) || { echo "No kernel build tree at $(KDIR):"; \
		echo "install linux-headers-$(KERNELRELEASE) or pass KDIR=..."; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: user/user_demo

user/user_demo: user/user_demo.c kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) $(KMOD_CFLAGS) -o $@ $< $(LDFLAGS) $(KMOD_LIBS)

tests/test_%: tests/test_%.c tests/harness.c tests/harness.h kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) $(KMOD_CFLAGS) -o $@ $< tests/harness.c \
		$(LDFLAGS) $(KMOD_LIBS)

tests/guest/init: tests/guest/init.c
	$(CC) $(WARNINGS) $(CFLAGS) -static -o $@ $<

guest-progs: $(GUEST_PROGS)

run:
	@tests/guest.sh run $(KERNEL)

test:
	@tests/guest.sh test $(KERNELS)

test-debug:
	@tests/guest.sh debug

clean:
	rm -f $(GUEST_PROGS)
	rm -rf .tmp_versions Module.symvers modules.order
	cd kmod && rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order
