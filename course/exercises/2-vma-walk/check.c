// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 2: the VMA walk's checker, run in the guest
 * (tests/lanes/grade.sh) and built against the workspace's header. One case
 * per TODO of solution.patch, named after it. The module is loaded afresh
 * with pages=4 (tests/guest/device.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* SHMDEMO_IOC_VMAS answers VMAS and PAGES on FD, in state WHAT. */
static bool counts(int fd, __u32 vmas, __u32 pages, const char *what)
{
	struct shmdemo_vmas v = { 0 };

	if (ioctl(fd, SHMDEMO_IOC_VMAS, &v) < 0) {
		diag("SHMDEMO_IOC_VMAS, %s: %s", what, strerror(errno));
		return false;
	}
	if (v.vmas == vmas && v.pages == pages)
		return true;
	diag("%s: %u VMAs of %u pages, expected %u of %u", what, v.vmas,
	     v.pages, vmas, pages);
	return false;
}

static bool walk(void)
{
	int fd = dev_open(O_RDWR);
	char *p, *anon;
	pid_t pid;

	if (fd < 0 || !counts(fd, 0, 0, "no mapping"))
		return false;
	/* Memory that is not the device's, mapped next to it, is not counted. */
	anon = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED || anon == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	if (!counts(fd, 1, NR_PAGES, "the whole buffer mapped"))
		return false;
	if (!expect_ok(munmap(p + page, page), "munmap of the second page") ||
	    !counts(fd, 2, NR_PAGES - 1, "after munmap of the second page"))
		return false;
	/* A child has the same VMAs, its own; its parent's new one is not its. */
	pid = fork();
	if (pid == 0)
		_exit(counts(fd, 2, NR_PAGES - 1, "in a forked child") ? 0 : 1);
	if (!child_passed(pid))
		return false;
	if (map(fd, page, PROT_READ, MAP_SHARED, 0) == MAP_FAILED)
		return false;
	return counts(fd, 3, NR_PAGES, "a third mapping of one page");
}

static bool program(void)
{
	char got[64] = "";
	FILE *out = popen("/bin/vmas", "r");

	if (!out) {
		diag("popen: %s", strerror(errno));
		return false;
	}
	if (!fgets(got, sizeof(got), out))
		got[0] = '\0';
	if (!expect_eq(pclose(out), 0, "vmas's exit status"))
		return false;
	if (strcmp(got, "2 VMAs, 3 pages\n")) {
		diag("vmas printed \"%.*s\", not \"2 VMAs, 3 pages\"",
		     (int)strcspn(got, "\n"), got);
		return false;
	}
	return true;
}

static const struct test_case cases[] = {
	{ "TODO 1: SHMDEMO_IOC_VMAS counts the caller's VMAs of the device and their pages",
	  walk },
	{ "TODO 2: vmas asks SHMDEMO_IOC_VMAS and prints \"2 VMAs, 3 pages\" (pages=4)",
	  program },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
