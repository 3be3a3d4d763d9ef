// SPDX-License-Identifier: GPL-2.0
/*
 * test_lifecycle - loading and unloading shmdemo.ko: rmmod is refused while
 * a file or a mapping is alive, every load starts zeroed, bad parameters
 * are refused, and unloading gives the buffer back. Leaves it unloaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#ifndef SHMDEMO_NO_LIBKMOD
#include <libkmod.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static size_t page;

#ifndef SHMDEMO_NO_LIBKMOD
/* The module's reference count, read the way kmod's tools read it. */
static int module_refcnt(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	int ret = -ENOMEM;

	if (!ctx)
		return ret;
	ret = kmod_module_new_from_name(ctx, "shmdemo", &mod);
	if (ret == 0)
		ret = kmod_module_get_refcnt(mod);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}
#else
/* The 32-bit build has no 32-bit libkmod: the file libkmod reads. */
static int module_refcnt(void)
{
	char buf[32];

	if (read_file("/sys/module/shmdemo/refcnt", buf, sizeof(buf)) < 0)
		return -errno;
	return atoi(buf);
}
#endif

/* Load with PARAMS, unloading first if needed; says why on failure. */
static bool fresh_load(const char *params)
{
	int err;

	if (module_loaded())
		module_unload();
	err = module_load(params);
	if (err < 0)
		diag("insert %s %s: %s", module_path(), params, strerror(-err));
	return err == 0;
}

static bool expect_unload(int want, const char *what)
{
	int err = module_unload();

	if (err == want)
		return true;
	diag("%s: unload returned %s, expected %s", what,
	     err ? strerrorname_np(-err) : "0",
	     want ? strerrorname_np(-want) : "0");
	return false;
}

static bool test_busy_while_open(void)
{
	int fd;

	if (!fresh_load(""))
		return false;
	fd = dev_open(O_RDWR);
	if (!expect_unload(-EAGAIN, "file open"))
		return false;
	close(fd);
	return expect_unload(0, "after close");
}

static bool test_busy_while_mapped(void)
{
	void *p;
	int fd;

	if (!fresh_load(""))
		return false;
	fd = dev_open(O_RDWR);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	close(fd);
	if (!expect_unload(-EAGAIN, "mapping outlives its fd") ||
	    !expect_eq(module_refcnt(), 1, "refcount while mapped"))
		return false;
	munmap(p, page);
	return expect_eq(module_refcnt(), 0, "refcount after munmap") &&
	       expect_unload(0, "after munmap");
}

static bool test_fork_holds_module(void)
{
	int fd, pipefd[2];
	bool held;
	char c;
	void *p;
	pid_t pid;

	if (!fresh_load(""))
		return false;
	if (pipe(pipefd) < 0)
		return expect_ok(-1, "pipe");
	fd = dev_open(O_RDWR);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		close(pipefd[0]);
		close(pipefd[1]);
		return expect_ok(-1, "mmap");
	}
	pid = fork();
	if (pid == 0) {
		close(fd);
		close(pipefd[1]);
		read(pipefd[0], &c, 1); /* hold the inherited mapping */
		_exit(0);
	}
	close(fd);
	close(pipefd[0]);
	munmap(p, page);
	held = expect_unload(-EAGAIN, "a child still maps it");
	/* The child lets go in any case: it must not outlive the case. */
	close(pipefd[1]);
	waitpid(pid, NULL, 0);
	return held &&
	       expect_eq(module_refcnt(), 0,
			 "refcount after the child exits") &&
	       expect_unload(0, "after the child exits");
}

static bool test_zeroed_every_load(void)
{
	static const char zero[16];
	char buf[sizeof(zero)];
	int i;

	for (i = 0; i < 5; i++) {
		int fd;

		if (!fresh_load("pages=2"))
			return false;
		fd = dev_open(O_RDWR);
		if (!expect_eq(pread(fd, buf, sizeof(buf), page), sizeof(buf),
			       "pread"))
			return false;
		if (memcmp(buf, zero, sizeof(buf)))
			return expect_eq(buf[0], 0,
					 "first byte after a reload");
		pwrite(fd, "dirty", 5, page);
		close(fd);
		if (!expect_unload(0, "unload"))
			return false;
	}
	return true;
}

/*
 * How many lines of the kernel log hold NEEDLE, leaving out those that
 * hold SKIP if it is not NULL; -1 if the log cannot be read.
 */
static int kernel_log_lines(const char *needle, const char *skip)
{
	char *log = malloc(1 << 20), *line, *next;
	int len, n = 0;

	if (!log)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, (1 << 20) - 1);
	if (len < 0) {
		free(log);
		return -1;
	}
	log[len] = '\0';
	for (line = log; *line; line = next) {
		char *end = line + strcspn(line, "\n");

		next = *end ? end + 1 : end;
		*end = '\0';
		n += strstr(line, needle) && !(skip && strstr(line, skip));
	}
	free(log);
	return n;
}

/* How many times the kernel log holds NEEDLE; -1 if it cannot be read. */
static int kernel_log_count(const char *needle)
{
	return kernel_log_lines(needle, NULL);
}

/* Loading with PARAMS fails with EINVAL and adds a log line saying LOG. */
static bool refused(const char *params, const char *log)
{
	int err, before = log ? kernel_log_count(log) : 0;

	if (module_loaded())
		module_unload();
	err = module_load(params);
	if (!expect_eq(err, -EINVAL, params) ||
	    !expect_eq(module_loaded(), 0, "not loaded afterwards"))
		return false;
	if (log && kernel_log_count(log) <= before) {
		diag("no new kernel log line saying \"%s\"", log);
		return false;
	}
	return true;
}

/* The module's limit, 256 MiB, in the running kernel's pages. */
static unsigned long max_pages(void)
{
	return (256UL << 20) / page;
}

/* Loading with pages=N is refused, and the log names the range. */
static bool refused_pages(unsigned long n)
{
	char params[32], log[96];

	snprintf(params, sizeof(params), "pages=%lu", n);
	snprintf(log, sizeof(log),
		 "shmdemo: pages=%lu is out of range: use 1 to %lu", n,
		 max_pages());
	return refused(params, log);
}

static bool test_pages_zero(void)
{
	return refused_pages(0);
}

static bool test_pages_too_many(void)
{
	return refused_pages(max_pages() + 1);
}

static bool test_pages_not_a_number(void)
{
	return refused("pages=abc", "invalid for parameter `pages'") &&
	       refused("pages=-1", NULL);
}

static bool test_largest_buffer(void)
{
	long before = vmalloc_used_kb(), after;
	struct shmdemo_info info;
	char params[32];
	int fd;

	snprintf(params, sizeof(params), "pages=%lu", max_pages());
	if (!fresh_load(params))
		return false;
	fd = dev_open(O_RDWR);
	info = dev_info(fd);
	close(fd);
	if (!expect_eq(info.size, 256 << 20, "size") ||
	    !expect_unload(0, "unload"))
		return false;
	after = vmalloc_used_kb();
	/*
	 * A leaked buffer would keep 256 MiB; allow for unrelated churn. From
	 * 7.x that includes the module loader's execmem cache, which vmallocs
	 * 2 MiB at a time and gives it back later, from a work item.
	 */
	if (after - before > 8 * 1024) {
		diag("VmallocUsed grew from %ld kB to %ld kB", before, after);
		return false;
	}
	return true;
}

static bool test_works_after_refusals(void)
{
	int fd;
	__u64 seq = 0;

	if (!fresh_load(""))
		return false;
	fd = dev_open(O_RDWR);
	if (!expect_ok(ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq), "NOTIFY") ||
	    !expect_eq(seq, 1, "first seq after a load"))
		return false;
	close(fd);
	return expect_unload(0, "unload");
}

/*
 * A successful load prints nothing, as upstream drivers do. The kernel's own
 * line about a first out-of-tree or unsigned module ("... tainting
 * kernel") is not the module's, and is left out.
 */
static bool test_load_is_quiet(void)
{
	int before;

	if (module_loaded())
		module_unload();
	before = kernel_log_lines("shmdemo", "taint");
	if (!expect_eq(module_load(""), 0, "load"))
		return false;
	if (!expect_eq(kernel_log_lines("shmdemo", "taint"), before,
		       "the module's kernel log lines after a load"))
		return false;
	return expect_unload(0, "unload");
}

/*
 * The value of modinfo's KEY in the module file, as modinfo(8) would print
 * it, into VAL; the 32-bit build has no libkmod, so the .modinfo strings
 * ("key=value") are looked for in the file itself.
 */
static bool module_info(const char *key, char *val, size_t size)
{
	static char ko[32 << 20];
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	char needle[64];
	const char *p;
	size_t len, n = 0;
	ssize_t ret = 1;

	while (fd >= 0 && ret > 0 && n < sizeof(ko) - 1) {
		ret = read(fd, ko + n, sizeof(ko) - 1 - n);
		n += ret > 0 ? ret : 0;
	}
	if (fd < 0 || ret < 0) {
		diag("%s: %s", module_path(), strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	ko[n] = '\0';
	len = snprintf(needle, sizeof(needle), "%s=", key);
	p = memmem(ko, n, needle, len);
	if (!p || (p > ko && p[-1])) {
		diag("%s: no %s in its modinfo", module_path(), key);
		return false;
	}
	snprintf(val, size, "%s", p + len);
	return true;
}

/*
 * The mmap path the build took, against the kernel's: .mmap_prepare where
 * the core maps an array of kernel pages (7.1 on), .mmap before.
 */
static bool test_mmap_path(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	const char *want;
	char got[32];

	if (!expect_ok(uname(&u), "uname") ||
	    !expect_eq(sscanf(u.release, "%d.%d", &major, &minor), 2,
		       u.release) ||
	    !module_info("mmap_path", got, sizeof(got)))
		return false;
	want = major > 7 || (major == 7 && minor >= 1) ? "mmap_prepare" :
							 "mmap";
	if (strcmp(got, want)) {
		diag("kernel %s: mmap_path is %s, expected %s", u.release, got,
		     want);
		return false;
	}
	diag("kernel %s: mmap_path %s", u.release, got);
	return true;
}

static const struct test_case cases[] = {
	{ "rmmod is refused (EAGAIN) while a file is open",
	  test_busy_while_open },
	{ "rmmod is refused while a mapping outlives its fd; refcount 0 after munmap",
	  test_busy_while_mapped },
	{ "a forked child's mapping holds the module too",
	  test_fork_holds_module },
	{ "every load starts with a zeroed buffer (5 reloads)",
	  test_zeroed_every_load },
	{ "pages=0 is refused with EINVAL and a log line", test_pages_zero },
	{ "pages=N past 256 MiB (65537 of 4 KiB) is refused with EINVAL and a log line",
	  test_pages_too_many },
	{ "pages=abc and pages=-1 are refused with EINVAL",
	  test_pages_not_a_number },
	{ "pages=N of 256 MiB (65536 of 4 KiB) loads, and unloading frees the buffer",
	  test_largest_buffer },
	{ "the module works after refused loads", test_works_after_refusals },
	{ "a successful load prints nothing in the kernel log",
	  test_load_is_quiet },
	{ "the build took the kernel's mmap path (.mmap_prepare from 7.1)",
	  test_mmap_path },
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	return run_cases(cases, ARRAY_SIZE(cases), 60);
}
