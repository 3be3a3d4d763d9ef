// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 3 KERNEL=debug: the KASAN exercise's checker, run in the guest
 * of a debug kernel (tests/lanes/grade.sh; the folder's file "kernels"
 * names their lane). Its one case passes when the bug the exercise asks
 * for is in, and KASAN reports it: a use after free in shmdemo_release.
 * The debug kernels have KFENCE too, which samples an allocation now and
 * then; an object it sampled is its to check, not KASAN's, and the same
 * bug is then its report (CI's run of 8 Dec 01:31, on debug-7.3). So either
 * report counts. init's own log check then reports it too, as it should.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>
#include "harness.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* The kernel log, NUL-terminated; NULL if it cannot be read. */
static char *kernel_log(void)
{
	int len = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
	char *buf;

	if (len <= 0)
		return NULL;
	buf = calloc(1, len + 1);
	if (!buf)
		return NULL;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, len);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool caught(void)
{
	char *log;
	bool logged, reported;

	if (module_load("") < 0 ||
	    system("/bin/user_demo -m use-after-free > /dev/null") != 0) {
		diag("could not load the module and run user_demo");
		return false;
	}
	log = kernel_log();
	if (!log) {
		diag("cannot read the kernel log");
		return false;
	}
	logged = strstr(log, "shmdemo: closed after seq ");
	reported =
		strstr(log, "KASAN: slab-use-after-free in shmdemo_release") ||
		strstr(log, "KASAN: use-after-free in shmdemo_release") ||
		strstr(log, "KFENCE: use-after-free read in shmdemo_release");
	free(log);
	if (!logged)
		diag("no \"shmdemo: closed after seq N\" in the kernel log");
	else if (!reported)
		diag("no KASAN or KFENCE report of the use after free");
	return logged && reported;
}

static const struct test_case cases[] = {
	{ "TODO 1: KASAN or KFENCE reports a use after free in shmdemo_release",
	  caught },
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run_cases(cases, ARRAY_SIZE(cases), 60);
}
