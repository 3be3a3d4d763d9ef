// SPDX-License-Identifier: GPL-2.0
/*
 * test_kmemleak - kernel memory leaks, through /sys/kernel/debug/kmemleak.
 *
 *	test_kmemleak clear	forget what is unreferenced now (the boot's)
 *	...			the tests
 *	test_kmemleak check	nothing new is unreferenced
 *
 * kmemleak reports an object only once it is MIN_AGE_S old, and only on the
 * second scan that finds it unreferenced (the first one records its
 * checksum), so both steps wait, then scan twice. Needs a kernel with
 * DEBUG_KMEMLEAK (tests/fetch/debug.config); fails, never skips, without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define KMEMLEAK "/sys/kernel/debug/kmemleak"
#define MIN_AGE_S 5
/* The first lines of a report are enough to find the culprit. */
#define MAX_DIAG_LINES 60

static bool command(const char *cmd)
{
	return write_file(KMEMLEAK, cmd);
}

/* Let everything allocated so far come of age, then scan twice. */
static bool scan(void)
{
	sleep(MIN_AGE_S + 1);
	return command("scan") && command("scan");
}

/* The objects kmemleak reports, as diag lines; returns how many. */
static int report(void)
{
	FILE *f = fopen(KMEMLEAK, "r");
	char line[512];
	int objects = 0, lines = 0;

	if (!f) {
		diag("%s: %s", KMEMLEAK, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		objects += strncmp(line, "unreferenced object", 19) == 0;
		if (lines++ < MAX_DIAG_LINES)
			diag("%s", line);
	}
	fclose(f);
	if (lines > MAX_DIAG_LINES)
		diag("(%d more lines)", lines - MAX_DIAG_LINES);
	return objects;
}

/* The periodic scan would report on its own schedule: only ours count. */
static bool test_clear(void)
{
	return command("scan=off") && scan() && command("clear") &&
	       expect_eq(report(), 0, "unreferenced objects after clear");
}

static bool test_check(void)
{
	return scan() && expect_eq(report(), 0, "new unreferenced objects");
}

static const struct test_case clear_cases[] = {
	{ "kmemleak: what the boot left unreferenced is cleared", test_clear },
};

static const struct test_case check_cases[] = {
	{ "kmemleak finds no new unreferenced object", test_check },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "clear") == 0)
		return run_cases(clear_cases, ARRAY_SIZE(clear_cases), 120);
	if (argc == 2 && strcmp(argv[1], "check") == 0)
		return run_cases(check_cases, ARRAY_SIZE(check_cases), 120);
	fprintf(stderr, "usage: %s clear|check\n", argv[0]);
	return 2;
}
