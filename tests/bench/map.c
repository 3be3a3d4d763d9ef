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
 * With 2 MiB pages (bench map_huge, the module loaded with huge=1), at
 * 65536 pages only:
 *	shmdemo_huge     as shmdemo: the module maps PMDs where the kernel can
 *	hugetlb          as memfd_populated, of a MFD_HUGETLB memfd whose huge
 *	                 pages are reserved (/proc/sys/vm/nr_hugepages) and
 *	                 allocated before the first repetition
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
#define MAP_MAX_CASES 4

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

/* A memfd of LEN bytes (MFD_FLAGS) with every page allocated; false on error. */
static bool populate_file(size_t len, unsigned int mfd_flags)
{
	populated_fd = memfd_create("bench-populated", MFD_CLOEXEC | mfd_flags);
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

static bool populate_memfd(size_t len)
{
	return populate_file(len, 0);
}

static bool populate_hugetlb(size_t len)
{
	return populate_file(len, MFD_HUGETLB);
}

static void unpopulate_memfd(void)
{
	if (populated_fd >= 0)
		close(populated_fd);
	populated_fd = -1;
}

/* Cases that take turns, and the file they map, made before them. */
struct map_set {
	const char *populated; /* the case that maps it, for its failure */
	bool (*populate)(size_t len);
	size_t n;
	struct map_case cases[MAP_MAX_CASES];
};

static const struct map_set map_cases = {
	.populated = "memfd_populated",
	.populate = populate_memfd,
	.n = 4,
	.cases = { { "shmdemo", map_shmdemo },
		   { "memfd_populated", map_memfd_populated },
		   { "anon", map_anon },
		   { "memfd", map_memfd } },
};

static const struct map_set map_huge_cases = {
	.populated = "hugetlb",
	.populate = populate_hugetlb,
	.n = 2,
	.cases = { { "shmdemo_huge", map_shmdemo },
		   { "hugetlb", map_memfd_populated } },
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

/* SET's cases at NR pages, taking turns repetition by repetition. */
static bool map_figures(const struct map_set *set, long nr, bool with_device)
{
	const struct map_case *cases = set->cases;
	const size_t n = set->n;
	unsigned int rep, reps = map_reps(nr);
	struct figure figs[MAP_MAX_CASES];
	bool failed[MAP_MAX_CASES];
	struct map_tally tally[MAP_MAX_CASES] = { 0 };
	bool ok = true;
	size_t i;
	double us;

	for (i = 0; i < n; i++) {
		figs[i] = (struct figure){ .section = "map",
					   .name = cases[i].name,
					   .param = nr };
		failed[i] = cases[i].map == map_shmdemo && !with_device;
	}
	if (!set->populate(nr * sysconf(_SC_PAGESIZE)))
		bench_fail("map", set->populated, "%ld pages: %s", nr,
			   strerror(errno));
	/* A first, unclocked round faults in the program and page tables. */
	for (rep = 0; rep <= reps; rep++) {
		for (i = 0; i < n; i++) {
			if (failed[i])
				continue;
			us = map_once(&cases[i], nr, &tally[i]);
			if (us < 0) {
				bench_fail("map", cases[i].name,
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
		       cases[i].name, nr, (double)tally[i].faults / (reps + 1));
		/* Means, the unclocked first round included. */
		printf("# map %s, %ld pages: %.0f us mapping, %.0f us touching\n",
		       cases[i].name, nr, tally[i].map_us / (reps + 1),
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
		ok &= map_figures(&map_cases, map_pages[i], with_device);
	return ok;
}

/* A number from a line "KEY N" of the file at PATH; -1 if none. */
static long file_number(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long n = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) &&
		    sscanf(line + klen, "%ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static bool set_nr_hugepages(long nr)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", nr) > 0;
	return !fclose(f) && ok;
}

/*
 * shmdemo_huge against a hugetlb memfd, at 65536 pages; the module loaded
 * with pages=65536 huge=1. The huge pages are reserved for the run and
 * given back after it.
 */
bool bench_map_huge(void)
{
	static const char nr_path[] = "/proc/sys/vm/nr_hugepages";
	long page = sysconf(_SC_PAGESIZE), before, want, got, hp_kb;
	bool with_device = map_device_ready(), ok = with_device;
	char level[8] = "?";
	FILE *f = fopen("/sys/class/misc/shmdemo/map_level", "r");

	if (f) {
		if (fscanf(f, "%7s", level) != 1)
			strcpy(level, "?");
		fclose(f);
	}
	printf("# map shmdemo_huge: the module maps with %s (map_level)\n",
	       level);
	hp_kb = file_number("/proc/meminfo", "Hugepagesize:");
	before = file_number(nr_path, "");
	if (hp_kb <= 0 || before < 0) {
		bench_fail("map", "hugetlb", "no huge pages here (%s)",
			   nr_path);
		return false;
	}
	want = before + (MAP_MAX_PAGES * page / 1024 + hp_kb - 1) / hp_kb;
	if (!set_nr_hugepages(want))
		bench_fail("map", "hugetlb", "%s: %s", nr_path,
			   strerror(errno));
	got = file_number(nr_path, "");
	printf("# map hugetlb: %ld huge pages of %ld kB reserved\n",
	       got - before, hp_kb);
	ok &= map_figures(&map_huge_cases, MAP_MAX_PAGES, with_device);
	if (!set_nr_hugepages(before))
		bench_fail("map", "hugetlb", "%s back to %ld: %s", nr_path,
			   before, strerror(errno));
	return ok;
}
