// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 1: the CLEAR ioctl's checker, run in the guest
 * (tests/lanes/grade.sh) and built against the workspace's header. One case
 * per TODO of solution.patch, named after it. The module is loaded afresh
 * with pages=4 (tests/guest/device.c); the cases use the number the
 * exercise asks for, whatever the header says, so that each TODO is judged
 * on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

#define CLEAR _IO(SHMDEMO_IOC_MAGIC, 4)

static bool header(void)
{
#ifdef SHMDEMO_IOC_CLEAR
	if (SHMDEMO_IOC_CLEAR == CLEAR)
		return true;
	diag("SHMDEMO_IOC_CLEAR is %#lx, _IO(SHMDEMO_IOC_MAGIC, 4) is %#lx",
	     (unsigned long)SHMDEMO_IOC_CLEAR, (unsigned long)CLEAR);
	return false;
#else
	diag("kmod/uapi/linux/shmdemo.h defines no SHMDEMO_IOC_CLEAR");
	return false;
#endif
}

static bool clears(void)
{
	int fd = dev_open(O_RDWR);
	__u64 before, after;

	if (fd < 0 || !dev_fill('x') || !notify(fd))
		return false;
	before = dev_info(fd).seq;
	if (ioctl(fd, CLEAR) < 0) {
		diag("CLEAR on an O_RDWR file: %s%s", strerror(errno),
		     errno == ENOTTY ? " (is TODO 1 done?)" : "");
		return false;
	}
	after = dev_info(fd).seq;
	close(fd);
	return dev_holds(0, "after CLEAR") &&
	       expect_eq(after, before,
			 "seq after CLEAR (it publishes nothing)");
}

static bool read_only(void)
{
	int fd = dev_open(O_RDONLY);

	if (fd < 0 || !dev_fill('r'))
		return false;
	if (!expect_errno(ioctl(fd, CLEAR), EBADF, "CLEAR on an O_RDONLY file"))
		return false;
	close(fd);
	return dev_holds('r', "after a refused CLEAR");
}

static bool program(void)
{
	char want[64], got[64] = "";
	FILE *out;
	int status;

	if (!dev_fill('p'))
		return false;
	out = popen("/bin/shmdemo_clear", "r");
	if (!out) {
		diag("popen: %s", strerror(errno));
		return false;
	}
	if (!fgets(got, sizeof(got), out))
		got[0] = '\0';
	status = pclose(out);
	snprintf(want, sizeof(want), "cleared %zu bytes\n", size);
	if (strcmp(got, want)) {
		diag("shmdemo_clear printed \"%.*s\", not \"%.*s\"",
		     (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"),
		     want);
		return false;
	}
	return expect_eq(status, 0, "shmdemo_clear's exit status") &&
	       dev_holds(0, "after shmdemo_clear");
}

static const struct test_case cases[] = {
	{ "TODO 1: the header defines SHMDEMO_IOC_CLEAR as _IO(SHMDEMO_IOC_MAGIC, 4)",
	  header },
	{ "TODO 2: CLEAR zeroes the whole buffer and leaves seq alone",
	  clears },
	{ "TODO 3: CLEAR on an O_RDONLY file fails with EBADF, the buffer untouched",
	  read_only },
	{ "TODO 4: shmdemo_clear prints \"cleared SIZE bytes\" and the buffer is zero",
	  program },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
