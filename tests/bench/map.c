// SPDX-License-Identifier: GPL-2.0
/*
 * map - map N pages and write one byte to each, four ways.
 *
 * Mapping existing pages:
 *	shmdemo          open /dev/shmdemo, mmap MAP_SHARED (the module's
 *	                 pages, allocated at load time)
 *	memfd_populated  mmap MAP_SHARED | MAP_POPULATE of a memfd whose pages
 *	                 were allocated once, before the first repetition
 * Including allocation (every repetition allocates and zeroes its pages):
 *	anon             mmap MAP_SHARED | MAP_ANONYMOUS (shmem, faulted page
 *	                 by page)
 *	memfd            memfd_create + ftruncate + mmap MAP_SHARED |
 *	                 MAP_POPULATE
 *
 * The clock covers everything up to the last byte written; unmapping and
 * closing come after it, since they free what the next repetition
 * allocates again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/shmdemo.h>
#include "bench.h"

#define MAP_MAX_PAGES 65536

static const long map_pages[] = { 1, 64, 4096, MAP_MAX_PAGES };

struct map_case {
	const char *name;
	/* Map LEN bytes into *P; returns an fd to close (or -1), -2 on error. */
	int (*map)(size_t len, char **p);
};

static int map_shmdemo(size_t len, char **p)
{
	int fd = open(BENCH_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -2;
	*p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*p == MAP_FAILED) {
		close(fd);
		return -2;
	}
	return fd;
}

static int map_anon(size_t len, char **p)
{
	*p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	return *p == MAP_FAILED ? -2 : -1;
}

static int map_memfd(size_t len, char **p)
{
	int fd = memfd_create("bench", MFD_CLOEXEC);

	if (fd < 0)
		return -2;
	if (ftruncate(fd, len) < 0)
		goto out_close;
	*p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  fd, 0);
	if (*p == MAP_FAILED)
		goto out_close;
	return fd;

out_close:
	close(fd);
	return -2;
}

/* The memfd that memfd_populated maps, and its size; -1 when there is none. */
static int populated_fd = -1;
static size_t populated_len;

static int map_memfd_populated(size_t len, char **p)
{
	if (populated_fd < 0 || len != populated_len) {
		errno = EINVAL;
		return -2;
	}
	*p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  populated_fd, 0);
	return *p == MAP_FAILED ? -2 : -1;
}

/* A memfd of LEN bytes with every page allocated; false on error. */
static bool populate_memfd(size_t len)
{
	populated_fd = memfd_create("bench-populated", MFD_CLOEXEC);
	if (populated_fd < 0)
		return false;
	if (ftruncate(populated_fd, len) < 0 ||
	    fallocate(populated_fd, 0, 0, len) < 0) {
		close(populated_fd);
		populated_fd = -1;
		return false;
	}
	populated_len = len;
	return true;
}

static void unpopulate_memfd(void)
{
	if (populated_fd >= 0)
		close(populated_fd);
	populated_fd = -1;
}

static const struct map_case map_cases[] = {
	{ "shmdemo", map_shmdemo },
	{ "memfd_populated", map_memfd_populated },
	{ "anon", map_anon },
	{ "memfd", map_memfd },
};

static void touch_pages(volatile char *p, long nr, long page)
{
	long i;

	for (i = 0; i < nr; i++)
		p[i * page] = 1;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* What one case took apart from its figure: faults, and time per phase. */
struct map_tally {
	long faults; /* minor page faults */
	double map_us; /* in mmap (and open, memfd_create...) */
	double touch_us; /* in writing one byte to each page */
};

/*
 * One repetition: the time to map and touch NR pages, or -1 on error; the
 * page faults taken meanwhile and the time of each phase go to *TALLY.
 */
static double map_once(const struct map_case *mc, long nr,
		       struct map_tally *tally)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = nr * page;
	uint64_t t0, t1, t2;
	char *p;
	int fd;

	tally->faults -= minor_faults();
	t0 = now_ns();
	fd = mc->map(len, &p);
	if (fd == -2)
		return -1;
	t1 = now_ns();
	touch_pages(p, nr, page);
	t2 = now_ns();
	tally->faults += minor_faults();
	tally->map_us += (t1 - t0) / 1e3;
	tally->touch_us += (t2 - t1) / 1e3;

	munmap(p, len);
	if (fd >= 0)
		close(fd);
	return (t2 - t0) / 1e3;
}

/* Big mappings take long under TCG: fewer repetitions there. */
static unsigned int map_reps(long nr)
{
	return nr >= 4096 ? 7 : 21;
}

/* The four cases at NR pages, taking turns repetition by repetition. */
static bool map_figures(long nr, bool with_device)
{
	const size_t n = ARRAY_SIZE(map_cases);
	unsigned int rep, reps = map_reps(nr);
	struct figure figs[ARRAY_SIZE(map_cases)];
	bool failed[ARRAY_SIZE(map_cases)];
	struct map_tally tally[ARRAY_SIZE(map_cases)] = { 0 };
	bool ok = true;
	size_t i;
	double us;

	for (i = 0; i < n; i++) {
		figs[i] = (struct figure){ .section = "map",
					   .name = map_cases[i].name,
					   .param = nr };
		failed[i] = map_cases[i].map == map_shmdemo && !with_device;
	}
	if (!populate_memfd(nr * sysconf(_SC_PAGESIZE)))
		bench_fail("map", "memfd_populated", "%ld pages: %s", nr,
			   strerror(errno));
	/* A first, unclocked round faults in the program and page tables. */
	for (rep = 0; rep <= reps; rep++) {
		for (i = 0; i < n; i++) {
			if (failed[i])
				continue;
			us = map_once(&map_cases[i], nr, &tally[i]);
			if (us < 0) {
				bench_fail("map", map_cases[i].name,
					   "%ld pages: %s", nr,
					   strerror(errno));
				failed[i] = true;
			} else if (rep) {
				figs[i].us[figs[i].reps++] = us;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (failed[i]) {
			ok = false;
			continue;
		}
		printf("# map %s, %ld pages: %.1f page faults per mapping\n",
		       map_cases[i].name, nr,
		       (double)tally[i].faults / (reps + 1));
		/* Means, the unclocked first round included. */
		printf("# map %s, %ld pages: %.0f us mapping, %.0f us touching\n",
		       map_cases[i].name, nr, tally[i].map_us / (reps + 1),
		       tally[i].touch_us / (reps + 1));
		ok &= figure_report(&figs[i]);
	}
	unpopulate_memfd();
	return ok;
}

/* The device must hold the largest mapping. */
static bool map_device_ready(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct shmdemo_info info;
	int fd, ret;

	fd = open(BENCH_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		bench_fail("map", "shmdemo", "%s: %s", BENCH_DEVICE,
			   strerror(errno));
		return false;
	}
	ret = ioctl(fd, SHMDEMO_IOC_INFO, &info);
	close(fd);
	if (ret < 0 || info.size < (__u64)MAP_MAX_PAGES * page) {
		bench_fail("map", "shmdemo",
			   "the buffer must hold %d pages: load with pages=%d",
			   MAP_MAX_PAGES, MAP_MAX_PAGES);
		return false;
	}
	return true;
}

bool bench_map(void)
{
	bool with_device = map_device_ready(), ok = with_device;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map_pages); i++)
		ok &= map_figures(map_pages[i], with_device);
	return ok;
}
