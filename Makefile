# SPDX-License-Identifier: GPL-2.0
#
# shmdemo: the module goes through the kernel's build system (see Kbuild);
# this file adds the user programs and the targets people type.
#
#   make run      build, boot a Debian kernel in QEMU, run user_demo there
#   make test     the test suite, in the guest and on the host
#   make bench    the benchmarks, in the guest (tests/bench/PERFORMANCE.md)
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

TEST_PROGS := tests/test_device tests/test_lifecycle tests/test_user_demo
BENCH_SRCS := $(addprefix tests/bench/,bench.c map.c handoff.c fanout.c e2e.c)
BENCH_PROGS := tests/bench/bench tests/bench/seed_demo
GUEST_PROGS := user/user_demo $(TEST_PROGS) $(BENCH_PROGS) tests/guest/init

.PHONY: all modules user guest-progs run test bench clean

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

tests/bench/bench: $(BENCH_SRCS) tests/bench/bench.h kmod/uapi/linux/shmdemo.h
	$(CC) $(UAPI) $(WARNINGS) $(CFLAGS) -o $@ $(BENCH_SRCS) $(LDFLAGS)

tests/bench/seed_demo: tests/bench/seed_demo.c
	$(CC) $(WARNINGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

tests/guest/init: tests/guest/init.c
	$(CC) $(WARNINGS) $(CFLAGS) -static -o $@ $<

guest-progs: $(GUEST_PROGS)

run:
	@tests/guest.sh run $(KERNEL)

test:
	@tests/guest.sh test $(KERNELS)

bench:
	@tests/guest.sh bench $(KERNEL)

clean:
	rm -f $(GUEST_PROGS)
	rm -rf tests/bench/out
	rm -rf .tmp_versions Module.symvers modules.order
	cd kmod && rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order
