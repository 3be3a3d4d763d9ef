// SPDX-License-Identifier: GPL-2.0
/*
 * e2e - the whole demo as a user runs it: spawned, the program's own
 * parent and child, exit, reaped. user_demo (the device) against the
 * original exercise on MAP_SHARED | MAP_ANONYMOUS memory (seed_demo).
 * Their output goes to /dev/null.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define E2E_REPS 21
#define E2E_WARMUP 2

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * One run of PROG, in microseconds; -1 if it could not run or failed.
 * posix_spawn opens /dev/null as its standard output.
 */
static double e2e_once(const char *prog)
{
	char *const argv[] = { (char *)prog, NULL };
	posix_spawn_file_actions_t actions;
	uint64_t t0, t1;
	pid_t pid;
	int err;

	err = posix_spawn_file_actions_init(&actions);
	if (err)
		goto failed;
	err = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
					       "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	if (!err)
		err = posix_spawn(&pid, prog, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (err)
		goto failed;
	if (!wait_ok(pid)) {
		errno = ECHILD;
		return -1;
	}
	t1 = now_ns();
	return (t1 - t0) / 1e3;
failed:
	errno = err;
	return -1;
}

/* The two programs take turns, run by run. */
bool bench_e2e(const char *device_prog, const char *anon_prog)
{
	const char *const progs[] = { device_prog, anon_prog };
	struct figure figs[ARRAY_SIZE(progs)];
	bool failed[ARRAY_SIZE(progs)] = { false };
	unsigned int rep;
	bool ok = true;
	size_t i;
	double us;

	for (i = 0; i < ARRAY_SIZE(progs); i++)
		figs[i] = (struct figure){ .section = "e2e",
					   .name = base_name(progs[i]) };
	for (rep = 0; rep < E2E_WARMUP + E2E_REPS; rep++) {
		for (i = 0; i < ARRAY_SIZE(progs); i++) {
			if (failed[i])
				continue;
			us = e2e_once(progs[i]);
			if (us < 0) {
				bench_fail("e2e", figs[i].name,
					   "%s did not exit with 0", progs[i]);
				failed[i] = true;
			} else if (rep >= E2E_WARMUP) {
				figs[i].us[figs[i].reps++] = us;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		ok &= !failed[i] && figure_report(&figs[i]);
	return ok;
}
