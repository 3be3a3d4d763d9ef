// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 0: the warm-up's checker, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it. The kernel log is read with klogctl(), as dmesg does.
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

/* Does a line of the kernel log end with LINE? */
static bool log_has(const char *line)
{
	int len = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
	char *buf, *p;
	size_t want = strlen(line);
	bool found = false;

	if (len <= 0)
		return false;
	buf = calloc(1, len + 1);
	if (!buf)
		return false;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, len);
	for (p = strtok(buf, "\n"); n > 0 && p && !found;
	     p = strtok(NULL, "\n"))
		found = strlen(p) >= want &&
			!strcmp(p + strlen(p) - want, line);
	free(buf);
	if (!found)
		diag("no kernel log line ends with \"%s\"", line);
	return found;
}

static bool loaded(void)
{
	int err;

	if (module_loaded())
		module_unload();
	err = module_load("pages=4");
	if (err) {
		diag("insmod %s pages=4: %s", module_path(), strerror(-err));
		return false;
	}
	return log_has("shmdemo: loaded, 4 pages");
}

static bool opened(void)
{
	if (!module_loaded() && module_load("") < 0)
		return false;
	if (system("/bin/user_demo -m warm-up > /dev/null") != 0) {
		diag("user_demo failed");
		return false;
	}
	return log_has("shmdemo: opened by user_demo");
}

static const struct test_case cases[] = {
	{ "TODO 1: insmod shmdemo.ko pages=4 logs \"shmdemo: loaded, 4 pages\"",
	  loaded },
	{ "TODO 2: user_demo's open logs \"shmdemo: opened by user_demo\"",
	  opened },
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run_cases(cases, ARRAY_SIZE(cases), 30);
}
