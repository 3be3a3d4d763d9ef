# SPDX-License-Identifier: GPL-2.0
# The guest programs cross-compiled for an arm64 guest, into $(OUT), in the
# bookworm build root (tests/arm64-root.sh bookworm):
#   make -f tests/cross.mk OUT=tests/out/arm64
# The arm64 programs link libkmod:arm64 as on x86, and the guest gets the
# libraries from that root too. The *32 programs are armhf (AArch32)
# builds of the same sources, for the compat path: static and without
# libkmod (SHMDEMO_NO_LIBKMOD), as the x86 32-bit builds are. (aarch64's
# linker aligns segments to 64 KiB already.)

CROSS64 ?= aarch64-linux-gnu-
CROSS32 ?= arm-linux-gnueabihf-
OUT ?= tests/out/arm64
CFLAGS ?= -O2 -g
# The version, as the Makefile takes it from debian/changelog, for user_demo
# and for test_user_demo, which expects it.
VERSION := $(shell head -n 1 debian/changelog | cut -d' ' -f2 | tr -d '()' | sed 's/-[^-]*$$//')
FLAGS := -Ikmod/uapi -DSHMDEMO_VERSION='"$(VERSION)"' -Wall -Wextra -Werror $(CFLAGS)
HARNESS := tests/harness.c tests/harness.h kmod/uapi/linux/shmdemo.h debian/changelog

PROGS := user/user_demo tests/test_device tests/test_lifecycle \
	 tests/test_user_demo tests/test_faults tests/test_kmemleak \
	 tests/test_device32 tests/test_lifecycle32 tests/test_user_demo32 \
	 tests/bench/seed_demo tests/guest/init tests/guest/race

all: $(addprefix $(OUT)/,$(PROGS))

$(OUT)/user/user_demo: user/user_demo.c user/cli.c user/cli.h \
		       kmod/uapi/linux/shmdemo.h debian/changelog
	@mkdir -p $(@D)
	$(CROSS64)gcc $(FLAGS) -o $@ user/user_demo.c user/cli.c -lkmod

# armhf's linker aligns segments to 4 KiB, which a 16 KiB-page kernel
# cannot map (the program dies with SIGSEGV before main): 64 KiB fits all.
$(OUT)/tests/test_%32: tests/test_%.c $(HARNESS)
	@mkdir -p $(@D)
	$(CROSS32)gcc $(FLAGS) -static -DSHMDEMO_NO_LIBKMOD \
		-D_FILE_OFFSET_BITS=64 -Wl,-z,max-page-size=0x10000 \
		-o $@ $< tests/harness.c

$(OUT)/tests/test_%: tests/test_%.c $(HARNESS)
	@mkdir -p $(@D)
	$(CROSS64)gcc $(FLAGS) -o $@ $< tests/harness.c -lkmod

$(OUT)/tests/bench/seed_demo: tests/bench/seed_demo.c
	@mkdir -p $(@D)
	$(CROSS64)gcc $(FLAGS) -o $@ $<

$(OUT)/tests/guest/init: tests/guest/init.c
	@mkdir -p $(@D)
	$(CROSS64)gcc $(FLAGS) -static -o $@ $<

$(OUT)/tests/guest/race: tests/guest/race.c
	@mkdir -p $(@D)
	$(CROSS64)gcc $(FLAGS) -o $@ $<

.PHONY: all
