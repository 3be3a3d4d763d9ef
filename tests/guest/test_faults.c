// SPDX-License-Identifier: GPL-2.0
/*
 * test_faults - loading shmdemo.ko while allocations fail. The sweep loads
 * it with pages=16 and the Nth slab or page allocation of the load failed,
 * for N = 1, 2, 3... until a load ends before reaching its Nth allocation:
 * N - 1 is then the number of injection points covered. Every load must fail
 * with ENOMEM or EBUSY and leave no module, device or vmalloc memory behind,
 * or succeed, work and unload. Afterwards the module must work normally.
 *
 * Its arguments are more module parameters, after pages=16, and so are the
 * kernel command line's shmdemo.NAME=VALUE words, before it: the debug lane
 * runs it again as "test_faults huge=1", its buffer in 2 MiB folios.
 *
 * Needs a kernel with FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS
 * (tests/fetch/debug.config) and debugfs mounted; fails, never skips, without
 * them. Leaves the module unloaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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
/* pages=16 and the arguments; with the command line's words before them. */
static char params[256], load_params[512];

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
		    !set_attr(injectors[i], "verbose", "0") ||
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
 * Whether the count armed by set_fail_nth ran out, that is, whether the
 * Nth allocation was failed (fail-nth reads 0 once it has failed one);
 * disarms it.
 */
static bool fail_nth_fired(int nth_fd)
{
	char buf[16];
	ssize_t len = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	/* A count left over would fail a later allocation of this task. */
	set_fail_nth(nth_fd, 0);
	if (len <= 0) {
		diag("read %s: %s", FAIL_NTH, strerror(errno));
		exit(1);
	}
	buf[len] = '\0';
	return strtoul(buf, NULL, 10) == 0;
}

/*
 * Load the module with its Nth allocation failed; *injected says whether the
 * load got that far. Only finit_module runs while fail-nth is armed: the
 * count is the task's, so any other system call would use it up.
 */
static int load_failing_nth(int ko, int nth_fd, unsigned int n, bool *injected)
{
	int ret, err;

	set_fail_nth(nth_fd, n);
	ret = syscall(SYS_finit_module, ko, load_params, 0);
	err = errno;
	*injected = fail_nth_fired(nth_fd);
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
	/*
	 * What a load can say when an allocation fails: ENOMEM, from the
	 * module loader and from shmdemo_init (vmalloc_user, kvmalloc_array,
	 * and misc_register's device), or EBUSY, which misc_register returns
	 * when its minor cannot be allocated (drivers/char/misc.c). Anything
	 * else is an errno that no allocation failure should give.
	 */
	if (err != -ENOMEM && err != -EBUSY) {
		diag("N=%u: the load failed with %s, neither ENOMEM nor EBUSY",
		     n, strerrorname_np(-err));
		return false;
	}
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

/*
 * Load KO with its Nth allocation failed, for N = 1, 2, ... until a load
 * completes: each fails cleanly or works, and nothing it allocated stays.
 */
static bool sweep_loads(int ko, int nth_fd)
{
	static struct sweep s;
	long before, after;
	bool done = false;
	unsigned int n;

	/*
	 * Fault in and lock every page, and bind every symbol, that the armed
	 * window uses: a page fault there would take the count instead.
	 */
	if (!expect_ok(mlockall(MCL_CURRENT | MCL_FUTURE), "mlockall"))
		return false;
	load_failing_nth(-1, nth_fd, 0, &done);
	done = false;
	before = vmalloc_used_kb();
	if (before < 0)
		return expect_ok(-1, "VmallocUsed from /proc/meminfo");
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
	if (after < 0)
		return expect_ok(-1, "VmallocUsed from /proc/meminfo");
	/* Less than the buffer: one failed load that kept it would show. */
	if (after - before >= NR_PAGES * (long)page / 1024) {
		diag("VmallocUsed grew from %ld kB to %ld kB", before, after);
		return false;
	}
	return true;
}

static bool test_sweep(void)
{
	int ko, nth_fd;
	bool ok;

	if (module_loaded() && module_unload() < 0)
		return false;
	ko = open(module_path(), O_RDONLY | O_CLOEXEC);
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ok = expect_ok(ko, module_path()) && expect_ok(nth_fd, FAIL_NTH) &&
	     sweep_loads(ko, nth_fd);
	if (nth_fd >= 0)
		close(nth_fd);
	if (ko >= 0)
		close(ko);
	return ok;
}

/* After the sweep: a plain load, the mapping, NOTIFY and WAIT. */
static bool test_works_after_sweep(void)
{
	__u64 seq = 0, seen = 0;
	char buf[8] = "";
	char *p;
	int err, fd;

	err = module_load(params);
	if (err < 0) {
		diag("insert %s %s: %s", module_path(), params, strerror(-err));
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
	return module_teardown("mappings");
}

/*
 * The call sweeps: with the module loaded (pages=16), every system call that
 * reaches the device runs with its Nth allocation failed, for N = 1, 2, 3...
 * until a call ends before its Nth allocation. A failed call must return one
 * of the errnos listed for it and leave no mapping, module reference or
 * vmalloc memory behind; a call that succeeded all the same must work.
 *
 * A sweep that injected nothing tested nothing, and fails ("no injection
 * point"), unless the call says why it has none (none_why): then its case
 * is a SKIP giving that reason, and only if the sweep found none indeed.
 * The ioctls, read and write allocate nothing of their own, so their
 * argument buffer is a memfd mapped anew for every call, untouched: the
 * call's first copy to or from it faults, and that fault allocates the page
 * tables and the page, which fail-nth fails. The device's copy_to_user,
 * get_user or put_user then fails, and the call must say EFAULT.
 */
#define MAX_CALL_POINTS 10000
/*
 * Each alone in its 512 GiB: a mapping there needs new page tables at every
 * level, and its munmap frees them again. MAP_HINT: the device's mappings;
 * MOVE_HINT: where mremap moves one; ARG_HINT: the argument buffers.
 */
#define MAP_HINT ((void *)0x300000000000UL)
#define MOVE_HINT ((void *)0x308000000000UL)
#define ARG_HINT ((void *)0x310000000000UL)
/* More than poll keeps on its stack: the rest comes from the allocators. */
#define POLL_FDS 64

struct call_ctx {
	int fd, epfd;
	char *map;
	size_t len;
	void *arg; /* the argument buffer (arg_map), or MAP_FAILED */
	size_t arg_len;
	long ret;
	bool injected; /* the call had its Nth allocation failed */
	bool short_io; /* ... and moved fewer bytes than asked */
	long mappings; /* the device's mappings before the call */
	struct pollfd pfd[POLL_FDS];
	pthread_t helper;
	bool helper_started;
};

struct call {
	const char *name;
	long (*run)(struct call_ctx *c, const struct call *call); /* armed */
	bool (*worked)(struct call_ctx *c, const struct call *call);
	size_t npages; /* mmap, read, write: pages; poll: entries */
	int errno_ok; /* what a failed call may return (mmap: EFAULT too) */
	bool (*setup)(struct call_ctx *c, const struct call *call);
	/* Why the call may have no injection point; NULL: it must have one. */
	const char *none_why;
};

/* What every call sweep found, shared with the process that reports it. */
struct call_result {
	int points; /* -1 until the sweep is done */
	unsigned int failed, absorbed, short_io;
	unsigned int by_errno[256];
};

#define NR_CALLS 17
static struct call_result *results;
static unsigned int *next_call; /* the index of the next call to sweep */

static long module_refcnt(void)
{
	char buf[32];

	if (read_file("/sys/module/shmdemo/refcnt", buf, sizeof(buf)) < 0) {
		diag("read /sys/module/shmdemo/refcnt: %s", strerror(errno));
		return -1;
	}
	return strtol(buf, NULL, 10);
}

/*
 * The VMAs of this process that map the device, from /proc/self/maps: during
 * the sweeps nobody else maps it, so the device's mappings count must be
 * this.
 */
static long device_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	size_t dlen = strlen(dev_path());
	char line[512];
	long n = 0;

	if (!f) {
		diag("open /proc/self/maps: %s", strerror(errno));
		exit(EXIT_FAILURE);
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		if (len > dlen && line[len - dlen - 1] == ' ' &&
		    !strncmp(line + len - dlen, dev_path(), dlen))
			n++;
	}
	fclose(f);
	return n;
}

static bool setup_open(struct call_ctx *c, const struct call *call)
{
	(void)call;
	c->fd = dev_open(O_RDWR);
	return c->fd >= 0;
}

/*
 * The argument buffer: LEN bytes of a new memfd at ARG_HINT, mapped after
 * the sweep's mlockall(MCL_CURRENT), so neither locked nor faulted in.
 * INIT, if given, goes in through pwrite(): the page is then in the page
 * cache and the call's fault allocates the page tables only.
 */
static bool arg_map(struct call_ctx *c, size_t len, const void *init,
		    size_t init_len)
{
	int mfd = memfd_create("shmdemo-arg", MFD_CLOEXEC);
	bool ok;

	if (!expect_ok(mfd, "memfd_create"))
		return false;
	ok = expect_ok(ftruncate(mfd, len), "ftruncate of the memfd") &&
	     (!init || expect_eq(pwrite(mfd, init, init_len, 0), init_len,
				 "pwrite to the memfd"));
	if (ok) {
		c->arg = mmap(ARG_HINT, len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED_NOREPLACE, mfd, 0);
		ok = expect_ok(c->arg == MAP_FAILED ? -1 : 0,
			       "mmap of the argument buffer");
		c->arg_len = len;
	}
	close(mfd);
	return ok;
}

/* The device open, and an argument buffer of one page, untouched. */
static bool setup_arg(struct call_ctx *c, const struct call *call)
{
	return setup_open(c, call) && arg_map(c, page, NULL, 0);
}

static long run_open(struct call_ctx *c, const struct call *call)
{
	(void)call;
	c->fd = open(dev_path(), O_RDWR | O_CLOEXEC);
	return c->fd;
}

static bool worked_open(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return expect_eq(dev_info(c->fd).size, NR_PAGES * page, "INFO's size");
}

static long run_mmap(struct call_ctx *c, const struct call *call)
{
	c->len = call->npages * page;
	c->map = mmap(MAP_HINT, c->len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, 0);
	return c->map == MAP_FAILED ? -1 : 0;
}

/* A store through the new mapping is what read() sees, in its last page. */
static bool worked_mmap(struct call_ctx *c, const struct call *call)
{
	char got = 0;
	off_t off = call->npages * page - 1;

	c->map[off] = (char)(call->npages + 'a');
	return expect_eq(pread(c->fd, &got, 1, off), 1, "pread") &&
	       expect_eq(got, (char)(call->npages + 'a'),
			 "read() sees the store");
}

static long run_info(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return ioctl(c->fd, SHMDEMO_IOC_INFO, c->arg);
}

static bool worked_info(struct call_ctx *c, const struct call *call)
{
	const struct shmdemo_info *info = c->arg;

	(void)call;
	return expect_eq(info->size, NR_PAGES * page, "INFO's size");
}

static long run_notify(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return ioctl(c->fd, SHMDEMO_IOC_NOTIFY, c->arg);
}

/* NOTIFY and WAIT return the seq: nobody else notifies during the sweep. */
static bool worked_seq(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return expect_eq(*(__u64 *)c->arg, dev_attr("seq"), "the seq returned");
}

/*
 * WAIT that returns at once: it reads 0 from the untouched page, and seq is
 * made to differ from 0 first.
 */
static bool setup_wait(struct call_ctx *c, const struct call *call)
{
	__u64 seq;

	if (!setup_open(c, call))
		return false;
	if (dev_attr("seq") == 0 &&
	    !expect_ok(ioctl(c->fd, SHMDEMO_IOC_NOTIFY, &seq), "NOTIFY"))
		return false;
	return arg_map(c, page, NULL, 0);
}

static long run_wait(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return ioctl(c->fd, SHMDEMO_IOC_WAIT, c->arg);
}

/*
 * WAIT that sleeps: a helper thread (whose allocations are its own, not
 * counted) notifies 20 ms after the armed thread lets it go.
 */
static volatile int helper_go;

static void *notify_later(void *arg)
{
	struct call_ctx *c = arg;
	__u64 seq;

	while (!__atomic_load_n(&helper_go, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(20000);
	if (ioctl(c->fd, SHMDEMO_IOC_NOTIFY, &seq) < 0)
		diag("helper's NOTIFY: %s", strerror(errno));
	return NULL;
}

/* WAIT's argument is the current seq: the page is filled, not yet mapped. */
static bool setup_wait_sleep(struct call_ctx *c, const struct call *call)
{
	__u64 seq;
	int err;

	if (!setup_open(c, call))
		return false;
	seq = dev_attr("seq");
	if (!arg_map(c, page, &seq, sizeof(seq)))
		return false;
	helper_go = 0;
	err = pthread_create(&c->helper, NULL, notify_later, c);
	if (err) {
		diag("pthread_create: %s", strerror(err));
		return false;
	}
	c->helper_started = true;
	return true;
}

static long run_wait_sleep(struct call_ctx *c, const struct call *call)
{
	__atomic_store_n(&helper_go, 1, __ATOMIC_RELEASE);
	return run_wait(c, call);
}

/* read and write: to or from NPAGES pages of a memfd, untouched. */
static bool setup_io(struct call_ctx *c, const struct call *call)
{
	return setup_open(c, call) && arg_map(c, call->npages * page, NULL, 0);
}

static long run_read(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return pread(c->fd, c->arg, c->arg_len, 0);
}

static long run_write(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return pwrite(c->fd, c->arg, c->arg_len, 0);
}

/*
 * Every byte, or, when a page of the buffer could not be faulted in, the
 * pages before it: the copy stops at the page it could not reach.
 */
static bool worked_io(struct call_ctx *c, const struct call *call)
{
	(void)call;
	if (c->ret == (long)c->arg_len)
		return true;
	if (c->injected && c->ret > 0 && c->ret % (long)page == 0) {
		c->short_io = true;
		return true;
	}
	return expect_eq(c->ret, c->arg_len, "bytes transferred");
}

/* Nothing to report yet: poll sleeps its 1 ms on every entry's queue. */
static bool setup_poll(struct call_ctx *c, const struct call *call)
{
	size_t i;

	if (!setup_open(c, call))
		return false;
	dev_info(c->fd); /* this file has seen the current seq */
	for (i = 0; i < POLL_FDS; i++)
		c->pfd[i] = (struct pollfd){ .fd = c->fd, .events = POLLPRI };
	return true;
}

static long run_poll(struct call_ctx *c, const struct call *call)
{
	return poll(c->pfd, call->npages, 1);
}

static bool worked_poll(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return expect_eq(c->ret, 0, "poll's ready count");
}

static bool setup_epoll(struct call_ctx *c, const struct call *call)
{
	if (!setup_open(c, call))
		return false;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	return expect_ok(c->epfd, "epoll_create1");
}

static long run_epoll(struct call_ctx *c, const struct call *call)
{
	struct epoll_event ev = { .events = EPOLLPRI };

	(void)call;
	return epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Registered once: a second ADD of the same file says so. */
static bool worked_epoll(struct call_ctx *c, const struct call *call)
{
	struct epoll_event ev = { .events = EPOLLPRI };

	(void)call;
	return expect_errno(epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd, &ev),
			    EEXIST, "a second EPOLL_CTL_ADD");
}

/*
 * The calls that copy the device's VMA, or drop one: fork (vm_open in the
 * child), an mremap move (vm_open of the copy, vm_close of the old one), a
 * munmap of a middle page (a split: vm_open of each new part, vm_close of
 * the middle). The mapping is set up unarmed, whole, with a mark in its
 * last page; c->mappings is the count with it.
 */
#define MARK 'm'

static bool setup_map(struct call_ctx *c, const struct call *call)
{
	if (!setup_open(c, call))
		return false;
	if (run_mmap(c, call) < 0)
		return expect_ok(-1, "mmap of the device");
	c->map[c->len - 1] = MARK;
	c->mappings = dev_attr("mappings");
	return true;
}

/* The child checks the mark, and its copy counted, through its mapping. */
static bool child_sees(const struct call_ctx *c)
{
	return expect_eq(c->map[c->len - 1], MARK, "the mark in the child") &&
	       expect_eq(dev_attr("mappings"), 2 * c->mappings,
			 "mappings with the child's copy");
}

static long run_fork(struct call_ctx *c, const struct call *call)
{
	pid_t pid = fork();

	(void)call;
	if (pid == 0)
		_exit(child_sees(c) ? 0 : 1);
	return pid;
}

/* The child has exited: its copy of the VMA went with it. */
static bool worked_fork(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return child_passed((pid_t)c->ret) &&
	       expect_eq(dev_attr("mappings"), c->mappings,
			 "mappings after the child's exit");
}

static long run_mremap(struct call_ctx *c, const struct call *call)
{
	void *p = mremap(c->map, c->len, c->len, MREMAP_MAYMOVE | MREMAP_FIXED,
			 MOVE_HINT);

	(void)call;
	if (p == MAP_FAILED)
		return -1;
	c->map = p;
	return 0;
}

/* Moved: one VMA still, the mark with it, and stores reach the buffer. */
static bool worked_mremap(struct call_ctx *c, const struct call *call)
{
	return expect_eq(c->map[c->len - 1], MARK, "the mark after the move") &&
	       expect_eq(dev_attr("mappings"), c->mappings,
			 "mappings after the move") &&
	       worked_mmap(c, call);
}

static long run_split(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return munmap(c->map + page, page);
}

/* Two VMAs where one was: the count says so, and the mark is there. */
static bool worked_split(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return expect_eq(dev_attr("mappings"), c->mappings + 1,
			 "mappings after the split") &&
	       expect_eq(device_vmas(), c->mappings + 1,
			 "the device's VMAs after the split") &&
	       expect_eq(c->map[c->len - 1], MARK, "the mark after the split");
}

/* The page tables stay; the pages go, for shmdemo_fault to put back. */
static bool setup_refault(struct call_ctx *c, const struct call *call)
{
	return setup_map(c, call) &&
	       expect_ok(madvise(c->map, c->len, MADV_DONTNEED),
			 "MADV_DONTNEED");
}

static long run_refault(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return *(volatile char *)(c->map + c->len - 1);
}

static bool worked_refault(struct call_ctx *c, const struct call *call)
{
	(void)call;
	return expect_eq(c->ret, MARK, "the refaulted page's mark");
}

#define NO_POINT_POLL1                                                         \
	"no injection point: poll of one entry allocates nothing (its pollfd " \
	"and its wait entry fit in poll's stack; poll64 outgrows them)"
#define NO_POINT_REFAULT                                                    \
	"no injection point: the refault allocates nothing (MADV_DONTNEED " \
	"keeps the page tables; shmdemo_fault only takes a page reference)"

static const struct call calls[NR_CALLS] = {
	{ "open", run_open, worked_open, 0, ENOMEM, NULL, NULL },
	{ "mmap1", run_mmap, worked_mmap, 1, ENOMEM, setup_open, NULL },
	{ "mmap16", run_mmap, worked_mmap, NR_PAGES, ENOMEM, setup_open, NULL },
	{ "INFO", run_info, worked_info, 0, EFAULT, setup_arg, NULL },
	{ "NOTIFY", run_notify, worked_seq, 0, EFAULT, setup_arg, NULL },
	{ "WAIT", run_wait, worked_seq, 0, EFAULT, setup_wait, NULL },
	{ "WAIT_sleeping", run_wait_sleep, worked_seq, 0, EFAULT,
	  setup_wait_sleep, NULL },
	{ "read1", run_read, worked_io, 1, EFAULT, setup_io, NULL },
	{ "read16", run_read, worked_io, NR_PAGES, EFAULT, setup_io, NULL },
	{ "write16", run_write, worked_io, NR_PAGES, EFAULT, setup_io, NULL },
	{ "poll1", run_poll, worked_poll, 1, ENOMEM, setup_poll,
	  NO_POINT_POLL1 },
	{ "poll64", run_poll, worked_poll, POLL_FDS, ENOMEM, setup_poll, NULL },
	{ "epoll_ctl", run_epoll, worked_epoll, 0, ENOMEM, setup_epoll, NULL },
	{ "fork", run_fork, worked_fork, NR_PAGES, ENOMEM, setup_map, NULL },
	{ "mremap_move", run_mremap, worked_mremap, NR_PAGES, ENOMEM, setup_map,
	  NULL },
	{ "munmap_split", run_split, worked_split, NR_PAGES, ENOMEM, setup_map,
	  NULL },
	{ "refault", run_refault, worked_refault, NR_PAGES, 0, setup_refault,
	  NO_POINT_REFAULT },
};

/* Undo what the setup and the call left: the helper, mapping and files. */
static void undo(struct call_ctx *c)
{
	if (c->helper_started) {
		__atomic_store_n(&helper_go, 1, __ATOMIC_RELEASE);
		pthread_join(c->helper, NULL);
	}
	if (c->map != MAP_FAILED)
		munmap(c->map, c->len);
	if (c->arg != MAP_FAILED)
		munmap(c->arg, c->arg_len);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->fd >= 0)
		close(c->fd);
}

/*
 * Run CALL once with its Nth allocation failed (N = 0: none). *INJECTED
 * says whether the call got that far. Checks what the call left behind.
 */
static bool call_nth(const struct call *call, int nth_fd, unsigned int n,
		     struct call_result *r, bool *injected)
{
	struct call_ctx c = {
		.fd = -1, .epfd = -1, .map = MAP_FAILED, .arg = MAP_FAILED
	};
	long mappings = dev_attr("mappings"), refcnt = module_refcnt();
	bool ok = true;
	int err;

	if (mappings < 0 || refcnt < 0)
		return false;
	c.mappings = mappings;
	if (call->setup && !call->setup(&c, call)) {
		undo(&c);
		return false;
	}
	set_fail_nth(nth_fd, n);
	c.ret = call->run(&c, call);
	err = errno;
	*injected = fail_nth_fired(nth_fd) && n;
	c.injected = *injected;
	if (c.ret >= 0) {
		ok = call->worked(&c, call);
		if (c.short_io)
			r->short_io++;
		else
			r->absorbed += *injected;
	} else if (!*injected) {
		diag("%s, N=%u: failed with nothing injected: %s", call->name,
		     n, strerrorname_np(err));
		ok = false;
	} else {
		r->failed++;
		r->by_errno[err & 255]++;
		/*
		 * vm_insert_pages() returns EFAULT when a pud or pmd table
		 * cannot be allocated (insert_pages(), mm/memory.c), ENOMEM
		 * for a pte table.
		 */
		if (err != call->errno_ok &&
		    !(call->run == run_mmap && err == EFAULT)) {
			diag("%s, N=%u: failed with %s", call->name, n,
			     strerrorname_np(err));
			ok = false;
		}
	}
	/*
	 * Before the undo: the count is the VMAs that map the device,
	 * whatever the call left (a failed mmap no mapping, a failed fork no
	 * copy, a failed munmap perhaps one split of the two).
	 */
	ok &= expect_eq(dev_attr("mappings"), device_vmas(),
			"mappings after the call, against /proc/self/maps");
	undo(&c);
	ok &= expect_eq(dev_attr("mappings"), mappings,
			"mappings after the undo") &
	      expect_eq(module_refcnt(), refcnt,
			"module refcnt after the undo");
	if (!ok)
		diag("%s, N=%u%s", call->name, n,
		     *injected ? "" : " (past the last injection point)");
	return ok;
}

static void call_report(const struct call *call, const struct call_result *r)
{
	char line[512] = "";
	int len = 0, e;

	for (e = 1; e < 256; e++)
		if (r->by_errno[e])
			len += snprintf(line + len, sizeof(line) - len,
					" %s x%u", strerrorname_np(e),
					r->by_errno[e]);
	diag("%s: %d injection points: %u calls failed%s%s, %u short, %u succeeded all the same",
	     call->name, r->points, r->failed, len ? ":" : "", line,
	     r->short_io, r->absorbed);
}

static bool sweep_call(size_t i)
{
	const struct call *call = &calls[i];
	struct call_result *r = &results[i];
	long before, after;
	bool injected = false;
	unsigned int n;
	int nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);

	if (!expect_ok(nth_fd, FAIL_NTH) ||
	    !expect_ok(mlockall(MCL_CURRENT), "mlockall"))
		return false;
	/* Once with nothing injected: binds symbols and faults pages in. */
	if (!call_nth(call, nth_fd, 0, r, &injected))
		return false;
	before = vmalloc_used_kb();
	if (before < 0)
		return expect_ok(-1, "VmallocUsed from /proc/meminfo");
	for (n = 1; n <= MAX_CALL_POINTS; n++) {
		if (!call_nth(call, nth_fd, n, r, &injected))
			return false;
		if (!injected)
			break;
	}
	if (injected) {
		diag("%s: still failing after %u injection points", call->name,
		     MAX_CALL_POINTS);
		return false;
	}
	r->points = n - 1;
	call_report(call, r);
	if (!r->points && !call->none_why) {
		diag("%s: no injection point: the sweep tested nothing",
		     call->name);
		return false;
	}
	after = vmalloc_used_kb();
	if (after < 0)
		return expect_ok(-1, "VmallocUsed from /proc/meminfo");
	if (after - before >= NR_PAGES * (long)page / 1024) {
		diag("%s: VmallocUsed grew from %ld kB to %ld kB", call->name,
		     before, after);
		return false;
	}
	if (!r->points)
		skip_case("%s", call->none_why);
	return true;
}

/* Loaded for the call sweeps; which mmap path it took, from its symbols. */
static bool test_load_for_calls(void)
{
	char line[256];
	bool prepare = false, mmap_op = false;
	FILE *f;
	int err = module_load(params);

	if (err < 0) {
		diag("insert %s %s: %s", module_path(), params, strerror(-err));
		return false;
	}
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return expect_ok(-1, "/proc/kallsyms");
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "\t[shmdemo]"))
			continue;
		if (strstr(line, " shmdemo_mmap_prepare"))
			prepare = true;
		if (strstr(line, " shmdemo_mmap\t"))
			mmap_op = true;
	}
	fclose(f);
	if (prepare)
		diag("mmap path: .mmap_prepare (shmdemo_mmap_prepare in /proc/kallsyms)");
	else if (mmap_op)
		diag("mmap path: .mmap, vm_insert_pages (shmdemo_mmap in /proc/kallsyms)");
	else
		diag("mmap path: neither shmdemo_mmap_prepare nor shmdemo_mmap in /proc/kallsyms");
	return prepare || mmap_op;
}

/*
 * The cases of the call sweeps, in the order of calls[]: each takes the
 * next call (the cases run one after the other, each in a child process).
 */
static bool test_next_call(void)
{
	unsigned int i = __atomic_fetch_add(next_call, 1, __ATOMIC_RELAXED);

	return i < NR_CALLS && module_loaded() && sweep_call(i);
}

/* The figures of every call sweep on one line, then the unload. */
static bool test_unload_after_calls(void)
{
	char line[512];
	int len = 0;
	size_t i;

	for (i = 0; i < NR_CALLS; i++) {
		if (results[i].points >= 0)
			len += snprintf(line + len, sizeof(line) - len,
					" %s=%d", calls[i].name,
					results[i].points);
		else
			len += snprintf(line + len, sizeof(line) - len, " %s=?",
					calls[i].name);
	}
	diag("injection points:%s", line);
	return module_teardown("mappings");
}

static const struct test_case cases[] = {
	{ "fault injection fails sleeping slab and order-0 page allocations",
	  test_configure },
	{ "loads with their Nth allocation failed fail cleanly or unload",
	  test_sweep },
	{ "pages=16 loads for the call sweeps; the mmap path is known",
	  test_load_for_calls },
	{ "open with its Nth allocation failed: ENOMEM or works",
	  test_next_call },
	{ "mmap of 1 page, Nth allocation failed: ENOMEM or maps",
	  test_next_call },
	{ "mmap of 16 pages, Nth allocation failed: ENOMEM or maps",
	  test_next_call },
	{ "INFO into an untouched page, Nth allocation failed: EFAULT or works",
	  test_next_call },
	{ "NOTIFY into an untouched page, Nth allocation failed: EFAULT or works",
	  test_next_call },
	{ "WAIT (returning at once), Nth allocation failed: EFAULT or works",
	  test_next_call },
	{ "WAIT (sleeping until a NOTIFY), Nth allocation failed: EFAULT or works",
	  test_next_call },
	{ "read of 1 page, Nth allocation failed: EFAULT or reads",
	  test_next_call },
	{ "read of 16 pages, Nth allocation failed: EFAULT, short or reads",
	  test_next_call },
	{ "write of 16 pages, Nth allocation failed: EFAULT, short or writes",
	  test_next_call },
	{ "poll of 1 entry, Nth allocation failed: ENOMEM or times out",
	  test_next_call },
	{ "poll of 64 entries, Nth allocation failed: ENOMEM or times out",
	  test_next_call },
	{ "epoll_ctl ADD with its Nth allocation failed: ENOMEM or registers",
	  test_next_call },
	{ "fork of a mapped process, Nth allocation failed: ENOMEM or copies",
	  test_next_call },
	{ "mremap move, Nth allocation failed: ENOMEM or moves",
	  test_next_call },
	{ "munmap of a middle page, Nth allocation failed: ENOMEM or splits",
	  test_next_call },
	{ "refault after MADV_DONTNEED with its Nth allocation failed",
	  test_next_call },
	{ "after the call sweeps, no mapping is left and the module unloads",
	  test_unload_after_calls },
	{ "after the sweep, pages=16 loads, maps, and NOTIFY/WAIT work",
	  test_works_after_sweep },
};

int main(int argc, char **argv)
{
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	snprintf(params, sizeof(params), "%s", PARAMS);
	for (a = 1; a < argc; a++)
		snprintf(params + strlen(params),
			 sizeof(params) - strlen(params), " %s", argv[a]);
	module_params(load_params, sizeof(load_params), params);
	diag("module parameters: %s", load_params);
	/* Each case runs in a child: the sweeps' figures go to shared memory. */
	results = mmap(NULL, sizeof(*results) * NR_CALLS + sizeof(*next_call),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);
	if (results == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	next_call = (unsigned int *)(results + NR_CALLS);
	for (i = 0; i < NR_CALLS; i++)
		results[i].points = -1;
	return run_cases(cases, ARRAY_SIZE(cases), 300);
}
