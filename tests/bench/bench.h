/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench - what the shmdemo benchmarks share: a clock, the figures they
 * report, and a way to say that a measurement failed.
 *
 * A figure is the median of at least BENCH_MIN_REPS repetitions, printed
 * with its minimum and maximum as one CSV line that the host collects:
 *
 *	bench,SECTION,CASE,PARAM,VCPUS,REPS,MEDIAN_US,MIN_US,MAX_US
 */
#ifndef SHMDEMO_BENCH_H
#define SHMDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MIN_REPS 5
#define BENCH_MAX_REPS 64
#define BENCH_DEVICE "/dev/shmdemo"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct figure {
	const char *section; /* map, handoff, fanout, e2e */
	const char *name; /* what was measured: shmdemo, anon, ... */
	long param; /* pages, waiters, or 0 */
	unsigned int reps;
	double us[BENCH_MAX_REPS];
};

/* CLOCK_MONOTONIC, in nanoseconds. */
uint64_t now_ns(void);

/* Sort the samples and print the figure's line; false if it has too few. */
bool figure_report(struct figure *fig);

/* Say on stderr that a measurement failed, and why. */
void bench_fail(const char *section, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Wait for PID; true if it exited with status 0. */
bool wait_ok(int pid);

/* The sections; each returns true if every one of its figures was measured. */
bool bench_map(void);
bool bench_map_huge(void);
bool bench_handoff(void);
bool bench_fanout(void);
bool bench_e2e(const char *device_prog, const char *anon_prog);

#endif /* SHMDEMO_BENCH_H */
