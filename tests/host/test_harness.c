// SPDX-License-Identifier: GPL-2.0
/*
 * test_harness - the harness's own cases, run on the host by make check:
 * tests/host/harness-check.sh compares what they print, and how tests/lib/tally.sh
 * counts it, with what they must. A skip gives its reason on the case's
 * TAP line; a skip that gives none fails.
 */
#include <stdlib.h>
#include "harness.h"

static bool test_pass(void)
{
	return true;
}

static bool test_skip(void)
{
	skip_case("no %s here", "device");
}

static bool test_skip_no_reason(void)
{
	skip_case(" ");
}

static const struct test_case cases[] = {
	{ "a case that passes", test_pass },
	{ "a case that skips with a reason", test_skip },
	{ "a case that skips without one", test_skip_no_reason },
};

int main(void)
{
	return run_cases(cases, ARRAY_SIZE(cases), 10);
}
