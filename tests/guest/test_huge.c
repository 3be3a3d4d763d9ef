// SPDX-License-Identifier: GPL-2.0
/*
 * test_huge - huge=1: a buffer of 2 MiB folios, and mappings whose address
 * and offset agree modulo 2 MiB filled with PMDs. Which path a loaded
 * module takes is /sys/class/misc/shmdemo/map_level; the page tables a
 * mapping costs are VmPTE in /proc/self/status (PTE tables of 4 KiB, each
 * mapping 2 MiB). The rules: PMDs where the kernel inserts them for a
 * driver (6.12 on, with transparent huge pages built in) and pages are
 * 4 KiB; PTEs for an unaligned mapping, after a split, and when the 2 MiB
 * allocation fails (huge_fail=N makes the Nth fail); and every access
 * (read/write, fork, mremap, MADV_DONTNEED, /proc/self/mem,
 * process_vm_readv) sees the same bytes either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "harness.h"

#define MIB (1UL << 20)
#define PIECE (2 * MIB)
#define BUF_PAGES 1024 /* 4 MiB with 4 KiB pages: two 2 MiB pieces */

static size_t page;

/* Load the module afresh with PARAMS; says why not. */
static bool load(const char *params)
{
	int err;

	if (module_loaded() && module_unload() < 0) {
		diag("rmmod: %s", strerror(errno));
		return false;
	}
	err = module_load(params);
	if (err < 0)
		diag("insmod %s: %s", params, strerror(-err));
	return err == 0;
}

static bool load_huge(void)
{
	char params[64];

	snprintf(params, sizeof(params), "pages=%d huge=1", BUF_PAGES);
	return load(params);
}

/* "pmd" or "pte", from sysfs; "" if unreadable. */
static const char *map_level(void)
{
	static const char path[] = "/sys/class/misc/shmdemo/map_level";
	static char buf[16];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return "";
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/*
 * The rule: PMDs need 6.12 or later, transparent huge pages built in
 * (PREEMPT_RT kernels may lack them), and 4 KiB pages (a PMD maps 32 MiB
 * with 16 KiB pages).
 */
static bool kernel_maps_pmds(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return page == 4096 && (major > 6 || (major == 6 && minor >= 12)) &&
	       access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
}

/* This process's page tables, in kB. */
static long vmpte_kb(void)
{
	char buf[4096];
	const char *line;

	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	line = strstr(buf, "VmPTE:");
	return line ? strtol(line + 6, NULL, 10) : -1;
}

/*
 * What one PTE table maps: a table is a page of entries, each mapping a
 * page; an entry is 8 bytes on 64-bit kernels, 4 or 8 on i386 (a
 * pointer's size is the lower bound). 2 MiB with 4 KiB pages, 32 MiB with
 * 16 KiB ones.
 */
static size_t pte_span(void)
{
	return page / sizeof(void *) * page;
}

/* The PTE tables of LEN bytes from a span-aligned address, in kB. */
static long pte_tables_kb(size_t len)
{
	return (long)((len + pte_span() - 1) / pte_span() * (page >> 10));
}

/*
 * The PTE tables LEN bytes need wherever they lie, in kB: the spans they
 * cover whole, which no neighbour can share. 0 when a table spans more.
 */
static long pte_tables_min_kb(size_t len)
{
	size_t whole = len / pte_span();

	return whole > 1 ? (long)((whole - 1) * (page >> 10)) : 0;
}

/* A mapping where the kernel chose costs its PTE tables, where VmPTE shows it. */
static bool pte_cost_ok(long cost, size_t len)
{
	if (!pte_tables_min_kb(len)) {
		diag("a PTE table spans %zu KiB, more than the mapping: VmPTE tells nothing",
		     pte_span() >> 10);
		return true;
	}
	return expect_eq(cost >= pte_tables_min_kb(len), 1, "its PTE tables");
}

/* Write a mark at the start of each page of P, LEN bytes. */
static void mark_pages(char *p, size_t len, char tag)
{
	size_t off;

	for (off = 0; off < len; off += page)
		snprintf(p + off, 24, "%c%zu", tag, off / page);
}

/* Each page of P shows the mark mark_pages() gave it at page FIRST + i. */
static bool marks_match(const char *p, size_t len, size_t first, char tag,
			const char *what)
{
	char want[24];
	size_t off;

	for (off = 0; off < len; off += page) {
		snprintf(want, sizeof(want), "%c%zu", tag, first + off / page);
		if (strcmp(p + off, want)) {
			diag("%s: page %zu holds '%.23s', not '%s'", what,
			     off / page, p + off, want);
			return false;
		}
	}
	return true;
}

/*
 * Map LEN bytes at offset OFF and touch every page; *COST is what the page
 * tables grew by, in kB.
 */
static char *map_touched(int fd, void *at, size_t len, off_t off, long *cost)
{
	long before = vmpte_kb();
	int flags = MAP_SHARED | (at ? MAP_FIXED : 0);
	char *p = mmap(at, len, PROT_READ | PROT_WRITE, flags, fd, off);
	size_t i;

	if (p == MAP_FAILED)
		return p;
	for (i = 0; i < len; i += page)
		(void)*(volatile char *)(p + i);
	*cost = vmpte_kb() - before;
	return p;
}

/*
 * A spot with FREE bytes of room, reserved and released, aligned to 2 MiB
 * and to a PTE table's span, and the spans it lies in free too: no page
 * table covers them yet (a 16 KiB-page table spans 32 MiB, and the
 * libraries may lie in the next one).
 */
static char *aligned_hole(size_t free)
{
	size_t align = pte_span() > PIECE ? pte_span() : PIECE;
	size_t room = (free + align - 1) / align * align + align;
	char *r =
		mmap(NULL, room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *at;

	if (r == MAP_FAILED)
		return NULL;
	at = (char *)(((uintptr_t)r + align - 1) & ~(align - 1));
	munmap(r, room);
	return at;
}

/*
 * Load with huge=1 and map the whole buffer where the kernel chooses,
 * every page touched: MAP_FAILED (and says why) if either fails.
 */
static char *map_buffer(int *fd, long *cost)
{
	char *p;

	if (!load_huge())
		return MAP_FAILED;
	*fd = dev_open(O_RDWR);
	p = map_touched(*fd, NULL, BUF_PAGES * page, 0, cost);
	if (p == MAP_FAILED)
		expect_ok(-1, "mmap");
	return p;
}

static bool test_param_bad(void)
{
	if (module_loaded() && module_unload() < 0)
		return expect_ok(-1, "rmmod");
	return expect_eq(module_load("huge=maybe"), -EINVAL,
			 "insmod huge=maybe") &&
	       expect_eq(module_loaded(), 0, "not loaded");
}

/* /sys/module/shmdemo/parameters/huge is WANT ("Y" or "N"). */
static bool huge_param_is(const char *want)
{
	char buf[8] = "";

	read_file("/sys/module/shmdemo/parameters/huge", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = 0;
	if (strcmp(buf, want))
		diag("parameters/huge: '%s', not '%s'", buf, want);
	return !strcmp(buf, want);
}

static bool test_level_pte_without_huge(void)
{
	if (!load("pages=1024 huge=0"))
		return false;
	return expect_eq(strcmp(map_level(), "pte"), 0, "map_level is pte") &&
	       huge_param_is("N");
}

static bool test_level_huge(void)
{
	const char *want = kernel_maps_pmds() ? "pmd" : "pte";

	if (!load_huge())
		return false;
	diag("map_level %s with huge=1 (this kernel: %s)", map_level(), want);
	return expect_eq(strcmp(map_level(), want), 0, "map_level") &&
	       huge_param_is("Y");
}

/*
 * make test-huge's pass: shmdemo.huge=1 on the kernel command line reaches
 * a load that does not name huge (harness.c's module_load()).
 */
static bool test_cmdline_huge(void)
{
	char cmdline[4096] = "";
	bool on;

	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	on = strstr(cmdline, "shmdemo.huge=1");
	diag("shmdemo.huge=1 %s on the kernel command line",
	     on ? "is" : "is not");
	return load("pages=1024") && huge_param_is(on ? "Y" : "N");
}

/* The whole buffer, mapped where the kernel chooses: aligned, no PTEs. */
static bool test_aligned_no_pte(void)
{
	size_t len = BUF_PAGES * page;
	bool pmd = kernel_maps_pmds();
	long cost;
	int fd;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	diag("%zu KiB at %p: page tables grew by %ld kB", len >> 10, p, cost);
	if (!pmd)
		return pte_cost_ok(cost, len);
	return expect_eq((uintptr_t)p % PIECE, 0, "address 2 MiB-aligned") &&
	       expect_eq(cost < pte_tables_kb(len), 1, "no PTE table");
}

static bool test_read_write_agree(void)
{
	size_t len = BUF_PAGES * page;
	char buf[24], want[24];
	long cost;
	int fd;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	mark_pages(p, len, 'm');
	snprintf(want, sizeof(want), "m%d", BUF_PAGES - 1);
	if (!expect_eq(pread(fd, buf, sizeof(buf), len - page), sizeof(buf),
		       "pread") ||
	    !expect_eq(strcmp(buf, want), 0, "read() sees the last store") ||
	    !expect_eq(pwrite(fd, "written", 8, PIECE + 3), 8, "pwrite"))
		return false;
	snprintf(want, sizeof(want), "m%zu", PIECE / page);
	return expect_eq(strcmp(p + PIECE + 3, "written"), 0,
			 "the mapping sees write()") &&
	       expect_eq(strncmp(p + PIECE, want, 3), 0,
			 "the bytes before it stay");
}

/*
 * MAP_FIXED at a 2 MiB boundary from offset 4096: address and offset
 * disagree modulo 2 MiB, so no PMD fits although the first 2 MiB of
 * addresses is whole. PTEs, and each page at its own offset.
 */
static bool test_unaligned_falls_back(void)
{
	size_t len = 2 * PIECE - 2 * page;
	char *at = aligned_hole(2 * PIECE);
	long cost;
	int fd;
	char *p;

	if (!at)
		return expect_ok(-1, "reserve");
	if (!load_huge())
		return false;
	fd = dev_open(O_RDWR);
	if (!expect_eq(pwrite(fd, "offset one", 11, page), 11, "pwrite"))
		return false;
	p = map_touched(fd, at, len, page, &cost);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	diag("%zu KiB at %p, offset %zu: page tables grew by %ld kB", len >> 10,
	     p, page, cost);
	return expect_eq(cost >= pte_tables_kb(len), 1, "its PTE tables") &&
	       expect_eq(strcmp(p, "offset one"), 0, "the bytes") &&
	       expect_eq(dev_attr("mappings"), 1, "mappings");
}

static bool test_dontneed_refault(void)
{
	size_t len = BUF_PAGES * page;
	long cost;
	int fd;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	mark_pages(p, len, 'd');
	if (!expect_ok(madvise(p, len, MADV_DONTNEED), "MADV_DONTNEED") ||
	    !marks_match(p, len, 0, 'd', "after MADV_DONTNEED"))
		return false;
	/* Half a piece: its PMD is split and zapped, and refaults. */
	return expect_ok(madvise(p + MIB, page, MADV_DONTNEED),
			 "MADV_DONTNEED of one page") &&
	       marks_match(p, len, 0, 'd', "after a split");
}

static bool test_partial_munmap_splits(void)
{
	size_t len = BUF_PAGES * page, hole = PIECE / 2;
	long cost, grown;
	int fd, status;
	pid_t pid;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	mark_pages(p, len, 's');
	cost = vmpte_kb();
	if (!expect_ok(munmap(p + hole, page), "munmap of one page") ||
	    !expect_eq(dev_attr("mappings"), 2, "mappings after the split"))
		return false;
	if (!marks_match(p, hole, 0, 's', "before the hole") ||
	    !marks_match(p + hole + page, len - hole - page, hole / page + 1,
			 's', "after the hole"))
		return false;
	grown = vmpte_kb() - cost;
	diag("page tables grew by %ld kB after the split", grown);
	if (kernel_maps_pmds() &&
	    !expect_eq(grown >= pte_tables_kb(page), 1,
		       "the split piece takes a PTE table"))
		return false;
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(p[hole]); /* must fault */
	}
	waitpid(pid, &status, 0);
	if (!expect_eq(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, 1,
		       "the hole raises SIGSEGV"))
		return false;
	munmap(p, len);
	return expect_eq(dev_attr("mappings"), 0, "after munmap");
}

static bool test_fork_shares(void)
{
	size_t len = BUF_PAGES * page;
	long cost;
	pid_t pid;
	int fd;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	mark_pages(p, len, 'f');
	pid = fork();
	if (pid == 0) {
		if (!marks_match(p, len, 0, 'f', "the child"))
			_exit(1);
		strcpy(p + PIECE + page, "from the child");
		_exit(0);
	}
	return child_passed(pid) &&
	       expect_eq(strcmp(p + PIECE + page, "from the child"), 0,
			 "the parent sees the child's store") &&
	       expect_eq(dev_attr("mappings"), 1, "mappings after the child");
}

static bool test_mremap_move(void)
{
	size_t len = BUF_PAGES * page;
	const char *q;
	char *p, *at;
	long cost;
	int fd;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	mark_pages(p, len, 'r');
	at = aligned_hole(len); /* after the mmap, which could take it */
	if (!at)
		return expect_ok(-1, "reserve");
	q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at);
	if (q == MAP_FAILED)
		return expect_ok(-1, "mremap");
	return marks_match(q, len, 0, 'r', "after the move") &&
	       expect_eq(dev_attr("mappings"), 1, "mappings");
}

static bool test_remote_reads(void)
{
	char buf[16] = "", path[64];
	struct iovec local = { buf, 8 }, remote;
	long cost;
	int fd, mem;
	char *p;

	p = map_buffer(&fd, &cost);
	if (p == MAP_FAILED)
		return false;
	strcpy(p + PIECE + 5, "remote");
	remote.iov_base = p + PIECE + 5;
	remote.iov_len = 8;
	if (!expect_eq(process_vm_readv(getpid(), &local, 1, &remote, 1, 0), 8,
		       "process_vm_readv") ||
	    !expect_eq(strcmp(buf, "remote"), 0, "process_vm_readv's bytes"))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/mem", getpid());
	mem = open(path, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	return expect_eq(pread(mem, buf, 8, (uintptr_t)(p + PIECE + 5)), 8,
			 "/proc/self/mem") &&
	       expect_eq(strcmp(buf, "remote"), 0, "/proc/self/mem's bytes");
}

/* pages=600: one whole piece and a part; the part takes PTEs. */
static bool test_partial_piece(void)
{
	size_t len = 600 * page;
	char buf[16];
	int fd;
	char *p;

	if (!load("pages=600 huge=1"))
		return false;
	fd = dev_open(O_RDWR);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	mark_pages(p, len, 'p');
	return marks_match(p, len, 0, 'p', "600 pages") &&
	       expect_eq(pread(fd, buf, sizeof(buf), len - page), sizeof(buf),
			 "pread of the last page") &&
	       expect_eq(strcmp(buf, p + len - page), 0, "its bytes") &&
	       expect_eq(dev_attr("size"), (long)len, "size");
}

/*
 * A failed 2 MiB allocation (the second of two) gives the first back and
 * loads with pages: map_level pte, the whole buffer zeroed and mapped.
 */
static bool test_alloc_failure_falls_back(void)
{
	size_t len = BUF_PAGES * page, i;
	char params[64];
	long cost;
	int fd;
	char *p;

	snprintf(params, sizeof(params), "pages=%d huge=1 huge_fail=2",
		 BUF_PAGES);
	if (!load(params))
		return false;
	if (!expect_eq(strcmp(map_level(), "pte"), 0, "map_level is pte"))
		return false;
	fd = dev_open(O_RDWR);
	p = map_touched(fd, NULL, len, 0, &cost);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	for (i = 0; i < len; i++)
		if (p[i]) {
			diag("byte %zu is %d", i, p[i]);
			return expect_eq(p[i], 0, "zeroed");
		}
	return pte_cost_ok(cost, len);
}

static bool test_unload(void)
{
	if (!load_huge())
		return false;
	return module_teardown("mappings at the end");
}

static const struct test_case cases[] = {
	{ "huge=maybe fails with EINVAL", test_param_bad },
	{ "without huge=1, map_level is pte", test_level_pte_without_huge },
	{ "huge=1: map_level is pmd where the kernel maps PMDs, else pte",
	  test_level_huge },
	{ "the kernel command line's shmdemo.huge=1 reaches the module",
	  test_cmdline_huge },
	{ "huge=1: an aligned mapping costs no PTE table (VmPTE)",
	  test_aligned_no_pte },
	{ "huge=1: mapping, read() and write() see the same bytes",
	  test_read_write_agree },
	{ "huge=1: address and offset unaligned to each other fall back to PTEs",
	  test_unaligned_falls_back },
	{ "huge=1: MADV_DONTNEED, whole and split, refaults the same bytes",
	  test_dontneed_refault },
	{ "huge=1: partial munmap splits a PMD; mappings counts both halves",
	  test_partial_munmap_splits },
	{ "huge=1: fork shares the PMD mapping", test_fork_shares },
	{ "huge=1: mremap move keeps the bytes", test_mremap_move },
	{ "huge=1: process_vm_readv and /proc/self/mem read a PMD",
	  test_remote_reads },
	{ "huge=1 with pages=600: the part past the last piece maps too",
	  test_partial_piece },
	{ "huge=1: a failed 2 MiB allocation falls back to pte, zeroed",
	  test_alloc_failure_falls_back },
	{ "huge=1: the module unloads with no mapping left", test_unload },
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	printf("# pages of %zu bytes; this kernel %s PMDs\n", page,
	       kernel_maps_pmds() ? "maps" : "does not map");
	return run_cases(cases, ARRAY_SIZE(cases), 30);
}
