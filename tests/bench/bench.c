// SPDX-License-Identifier: GPL-2.0
/*
 * bench - time /dev/shmdemo against the kernel's other ways of sharing
 * memory and of waking a process, inside the test guest.
 *
 *	# insmod shmdemo.ko pages=65536
 *	# bench map handoff fanout
 *	# bench e2e /bin/user_demo /bin/seed_demo
 *	# rmmod shmdemo; insmod shmdemo.ko pages=65536 huge=1
 *	# bench map_huge
 *
 * Each section prints one CSV line per figure (see bench.h); the host turns
 * them into a table, a plot and the ratios. Timings under TCG say little in
 * absolute terms: compare figures of one run with each other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

static const char *progname = "bench";

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

bool figure_report(struct figure *fig)
{
	unsigned int i, n = fig->reps;
	double median;

	printf("# %s %s %ld:", fig->section, fig->name, fig->param);
	for (i = 0; i < n; i++)
		printf(" %.2f", fig->us[i]);
	putchar('\n');
	if (n < BENCH_MIN_REPS) {
		bench_fail(fig->section, fig->name, "%u repetitions of %d", n,
			   BENCH_MIN_REPS);
		return false;
	}
	qsort(fig->us, n, sizeof(fig->us[0]), cmp_double);
	if (n % 2)
		median = fig->us[n / 2];
	else
		median = (fig->us[n / 2 - 1] + fig->us[n / 2]) / 2;
	printf("bench,%s,%s,%ld,%ld,%u,%.2f,%.2f,%.2f\n", fig->section,
	       fig->name, fig->param, sysconf(_SC_NPROCESSORS_ONLN), n, median,
	       fig->us[0], fig->us[n - 1]);
	fflush(stdout);
	return true;
}

void bench_fail(const char *section, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s %s: ", progname, section, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool wait_ok(int pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return false;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s SECTION...\n"
		"       %s e2e DEVICE_PROGRAM ANON_PROGRAM\n"
		"Sections: map, handoff, fanout (need " BENCH_DEVICE
		" with pages=65536),\n"
		"map_huge (with pages=65536 huge=1).\n"
		"Exit status: 0 if every figure was measured, 1 if not,\n"
		"2 on a usage error.\n",
		progname, progname);
}

int main(int argc, char **argv)
{
	bool ok = true;
	int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "e2e")) {
		if (argc != 4) {
			usage(stderr);
			return 2;
		}
		return bench_e2e(argv[2], argv[3]) ? 0 : 1;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "map")) {
			ok &= bench_map();
		} else if (!strcmp(argv[i], "map_huge")) {
			ok &= bench_map_huge();
		} else if (!strcmp(argv[i], "handoff")) {
			ok &= bench_handoff();
		} else if (!strcmp(argv[i], "fanout")) {
			ok &= bench_fanout();
		} else {
			usage(stderr);
			return 2;
		}
	}
	return ok ? 0 : 1;
}
