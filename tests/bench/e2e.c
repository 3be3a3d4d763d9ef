// SPDX-License-Identifier: GPL-2.0
/*
 * e2e - the whole demo as a user runs it: fork, exec, the program's own
 * parent and child, exit, reaped. user_demo (the device) against the
 * original exercise on MAP_SHARED | MAP_ANONYMOUS memory (seed_demo).
 * Their output goes to /dev/null.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define E2E_REPS	21
#define E2E_WARMUP	2

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* One run of PROG, in microseconds; -1 if it could not run or failed. */
static double e2e_once(const char *prog)
{
	char *const argv[] = { (char *)prog, NULL };
	uint64_t t0, t1;
	pid_t pid;
	int fd;

	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execv(prog, argv);
		_exit(127);
	}
	if (!wait_ok(pid)) {
		errno = ECHILD;
		return -1;
	}
	t1 = now_ns();
	return (t1 - t0) / 1e3;
}

static bool e2e_figure(const char *prog)
{
	struct figure fig = { .section = "e2e", .name = base_name(prog) };
	unsigned int i;
	double us;

	for (i = 0; i < E2E_WARMUP + E2E_REPS; i++) {
		us = e2e_once(prog);
		if (us < 0) {
			bench_fail("e2e", fig.name, "%s did not exit with 0",
				   prog);
			return false;
		}
		if (i >= E2E_WARMUP)
			fig.us[fig.reps++] = us;
	}
	return figure_report(&fig);
}

bool bench_e2e(const char *device_prog, const char *anon_prog)
{
	bool ok = e2e_figure(device_prog);

	return e2e_figure(anon_prog) && ok;
}
