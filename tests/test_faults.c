// SPDX-License-Identifier: GPL-2.0
/*
 * test_faults - loading shmdemo.ko while allocations fail. The sweep loads
 * it with pages=16 and the Nth slab or page allocation of the load failed,
 * for N = 1, 2, 3... until a load ends before reaching its Nth allocation:
 * N - 1 is then the number of injection points covered. Every load must fail
 * with an errno and leave no module, device or vmalloc memory behind, or
 * succeed, work and unload. Afterwards the module must work normally.
 *
 * Needs a kernel with FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS
 * (tests/debug.config) and debugfs mounted; fails, never skips, without
 * them. Leaves the module unloaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"

#define NR_PAGES 16
#define PARAMS "pages=16"
/* Far more allocations than a load makes: a sweep that gets here is stuck. */
#define MAX_POINTS 100000
#define FAULT_DIR "/sys/kernel/debug"
#define FAIL_NTH "/proc/thread-self/fail-nth"

static size_t page;

/* Write VAL to the debugfs attribute ATTR of fault injector NAME. */
static bool set_attr(const char *name, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAULT_DIR "/%s/%s", name, attr);
	return write_file(path, val);
}

static long read_attr(const char *name, const char *attr)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), FAULT_DIR "/%s/%s", name, attr);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		diag("read %s: %s", path, strerror(errno));
		return -1;
	}
	return strtol(buf, NULL, 0);
}

/*
 * fail-nth fails the Nth call of the task that wrote it, whatever the
 * injector's probability (0: nothing fails at random); by default both
 * injectors leave sleeping allocations alone, and fail_page_alloc order 0.
 */
static bool test_configure(void)
{
	static const char *const injectors[] = { "failslab",
						 "fail_page_alloc" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(injectors); i++) {
		if (!set_attr(injectors[i], "ignore-gfp-wait", "N") ||
		    !set_attr(injectors[i], "verbose", "1") ||
		    !expect_eq(read_attr(injectors[i], "probability"), 0,
			       "probability"))
			return false;
	}
	if (!set_attr("fail_page_alloc", "min-order", "0") ||
	    !set_attr("fail_page_alloc", "ignore-gfp-highmem", "N"))
		return false;
	return expect_ok(access(FAIL_NTH, R_OK | W_OK), FAIL_NTH);
}

/* The device of a loaded module answers with the size it was given. */
static bool device_works(void)
{
	struct shmdemo_info info;
	int fd = dev_open(O_RDWR);

	if (fd < 0)
		return false;
	info = dev_info(fd);
	close(fd);
	return expect_eq(info.size, NR_PAGES * page, "size");
}

struct sweep {
	unsigned int points; /* loads that had an allocation failed */
	unsigned int failed; /* ... and failed */
	unsigned int absorbed; /* ... and succeeded all the same */
	unsigned int by_errno[256];
};

/* Arm fail-nth; 0 disarms it. The sweep cannot go on without it. */
static void set_fail_nth(int nth_fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		diag("write %u to %s: %s", n, FAIL_NTH, strerror(errno));
		exit(1);
	}
}

/*
 * Load the module with its Nth allocation failed; *injected says whether the
 * load got that far (fail-nth reads 0 once it has failed one). Only
 * finit_module runs while fail-nth is armed: the count is the task's, so any
 * other system call would use it up.
 */
static int load_failing_nth(int ko, int nth_fd, unsigned int n, bool *injected)
{
	char buf[16];
	int ret, err;
	ssize_t len;

	set_fail_nth(nth_fd, n);
	ret = syscall(SYS_finit_module, ko, PARAMS, 0);
	err = errno;
	len = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	/* A count left over would fail a later allocation of this task. */
	set_fail_nth(nth_fd, 0);
	if (len <= 0) {
		diag("read %s: %s", FAIL_NTH, strerror(errno));
		exit(1);
	}
	buf[len] = '\0';
	*injected = strtoul(buf, NULL, 10) == 0;
	return ret ? -err : 0;
}

/* One load of the sweep: it must fail cleanly, or succeed and unload. */
static bool sweep_one(struct sweep *s, int ko, int nth_fd, unsigned int n,
		      bool *done)
{
	bool injected;
	int err = load_failing_nth(ko, nth_fd, n, &injected);

	*done = !injected;
	if (injected)
		s->points++;
	if (err == 0) {
		s->absorbed += injected;
		if (!device_works())
			return false;
		err = module_unload();
		if (err)
			diag("N=%u: unload: %s", n, strerror(-err));
		return err == 0;
	}
	if (!injected) {
		diag("N=%u: the load failed with nothing injected: %s", n,
		     strerror(-err));
		return false;
	}
	s->failed++;
	s->by_errno[-err & 255]++;
	if (module_loaded()) {
		diag("N=%u: the load failed (%s) but left the module loaded", n,
		     strerrorname_np(-err));
		return false;
	}
	if (access(dev_path(), F_OK) == 0 || errno != ENOENT) {
		diag("N=%u: the load failed (%s) but left %s", n,
		     strerrorname_np(-err), dev_path());
		return false;
	}
	return true;
}

static void sweep_report(const struct sweep *s)
{
	char line[512];
	int len = 0, e;

	diag("fault sweep: %u injection points: %u loads failed, %u succeeded all the same",
	     s->points, s->failed, s->absorbed);
	for (e = 1; e < 256; e++)
		if (s->by_errno[e])
			len += snprintf(line + len, sizeof(line) - len,
					" %s x%u", strerrorname_np(e),
					s->by_errno[e]);
	if (len)
		diag("fault sweep: the failed loads returned%s", line);
}

static bool test_sweep(void)
{
	static struct sweep s;
	long before, after;
	bool done = false;
	unsigned int n;
	int ko, nth_fd;

	if (module_loaded() && module_unload() < 0)
		return false;
	ko = open(module_path(), O_RDONLY | O_CLOEXEC);
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (!expect_ok(ko, module_path()) || !expect_ok(nth_fd, FAIL_NTH))
		return false;
	/*
	 * Fault in and lock every page, and bind every symbol, that the armed
	 * window uses: a page fault there would take the count instead.
	 */
	if (!expect_ok(mlockall(MCL_CURRENT | MCL_FUTURE), "mlockall"))
		return false;
	load_failing_nth(-1, nth_fd, 0, &done);
	done = false;
	before = vmalloc_used_kb();
	for (n = 1; n <= MAX_POINTS && !done; n++)
		if (!sweep_one(&s, ko, nth_fd, n, &done))
			return false;
	sweep_report(&s);
	if (!done) {
		diag("no load completed within %u injection points",
		     MAX_POINTS);
		return false;
	}
	/* A sweep that injected nothing tested nothing. */
	if (!expect_eq(s.points > 0, 1, "injection points"))
		return false;
	after = vmalloc_used_kb();
	/* Less than the buffer: one failed load that kept it would show. */
	if (after - before >= NR_PAGES * (long)page / 1024) {
		diag("VmallocUsed grew from %ld kB to %ld kB", before, after);
		return false;
	}
	return true;
}

/* After the sweep: a plain load, the mapping, NOTIFY and WAIT. */
static bool test_works_after_sweep(void)
{
	__u64 seq = 0, seen = 0;
	char buf[8] = "";
	char *p;
	int err, fd;

	err = module_load(PARAMS);
	if (err < 0) {
		diag("insert %s %s: %s", module_path(), PARAMS, strerror(-err));
		return false;
	}
	fd = dev_open(O_RDWR);
	if (fd < 0)
		return false;
	p = mmap(NULL, NR_PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p + (NR_PAGES - 1) * page, "sweep");
	if (!expect_ok(ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq), "NOTIFY") ||
	    !expect_eq(seq, 1, "first seq after a load") ||
	    !expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "WAIT") ||
	    !expect_eq(seen, 1, "WAIT returns the seq") ||
	    !expect_eq(pread(fd, buf, 6, (NR_PAGES - 1) * page), 6, "pread") ||
	    !expect_eq(strcmp(buf, "sweep"), 0, "read() sees the store"))
		return false;
	munmap(p, NR_PAGES * page);
	close(fd);
	err = module_unload();
	if (err)
		diag("unload: %s", strerror(-err));
	return err == 0;
}

static const struct test_case cases[] = {
	{ "fault injection fails sleeping slab and order-0 page allocations",
	  test_configure },
	{ "loads with their Nth allocation failed fail cleanly or unload",
	  test_sweep },
	{ "after the sweep, pages=16 loads, maps, and NOTIFY/WAIT work",
	  test_works_after_sweep },
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	return run_cases(cases, ARRAY_SIZE(cases), 300);
}
