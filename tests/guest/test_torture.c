// SPDX-License-Identifier: GPL-2.0
/*
 * test_torture - threads and processes racing on /dev/shmdemo while another
 * process keeps trying to unload the module.
 *
 *	test_torture [SECONDS]	(default 10, times $SHMDEMO_TIME_SCALE)
 *
 * NR_PROCS processes of NR_THREADS threads each pick at random, until the
 * time is up: mmap and munmap of a random range, mremap (a refused grow, a
 * move, a shrink), madvise(MADV_DONTNEED) and the refault, fork (the child
 * reads through the inherited mapping and notifies), NOTIFY, non-blocking
 * WAIT, pread, pwrite, and open/INFO/close. Each process also has a thread
 * asleep in a blocking WAIT, woken by the others' NOTIFYs. Every thread owns
 * one slot of the buffer (thread k: page k, byte 64) and checks, through
 * whichever way it reaches the buffer, that the slot holds the last value it
 * stored there. Meanwhile a separate process calls delete_module in a loop:
 * while the device is in use every call must fail with EAGAIN or EBUSY.
 * Afterwards no mapping may be left and the module must unload. The kernel
 * log check of init catches any splat, and test_kmemleak any leak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define NR_PAGES 16
#define PARAMS "pages=16"
#define NR_PROCS 3
#define NR_THREADS 4
#define SLOT_OFFSET 64

enum op {
	OP_MMAP,
	OP_MREMAP,
	OP_MADVISE,
	OP_FORK,
	OP_NOTIFY,
	OP_WAIT,
	OP_READ,
	OP_WRITE,
	OP_OPEN,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"mmap", "mremap", "madvise", "fork", "NOTIFY",
	"WAIT", "read",	  "write",   "open",
};

/* Shared by the test's processes: the figures and the first error. */
struct shared {
	int stop;
	long vmalloc_before;
	unsigned long ops[NR_OPS];
	unsigned long wakeups;
	unsigned long rmmod_again, rmmod_busy, rmmod_other;
	int rmmod_errno;
	unsigned long errors;
	char first_error[256];
	double seconds;
};

static struct shared *sh;
static size_t page;
static unsigned int seconds = 10;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Count an error; the first one is kept for the report. */
static void fail(const char *fmt, ...)
{
	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED) == 0) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(sh->first_error, sizeof(sh->first_error), fmt, ap);
		va_end(ap);
	}
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

static void count(enum op op)
{
	__atomic_fetch_add(&sh->ops[op], 1, __ATOMIC_RELAXED);
}

struct worker {
	int fd; /* O_RDWR, shared by the process's threads */
	int nb_fd; /* O_RDWR | O_NONBLOCK, for WAIT */
	unsigned int id; /* its slot: page id */
	unsigned char value; /* the last value stored in the slot */
	unsigned int seed;
};

static off_t slot(const struct worker *w)
{
	return (off_t)w->id * page + SLOT_OFFSET;
}

/* The slot, in the mapping of its page at PG, holds our last value. */
static void check_slot(struct worker *w, const char *pg, const char *how)
{
	unsigned char got = pg[SLOT_OFFSET];

	if (got != w->value)
		fail("thread %u, %s: slot holds %u, expected %u", w->id, how,
		     got, w->value);
}

static void store_slot(struct worker *w, char *pg)
{
	w->value++;
	pg[SLOT_OFFSET] = (char)w->value;
}

/* A mapping of pages [first, first + n): the slot is in it if id is. */
static char *map_range(struct worker *w, unsigned int first, unsigned int n)
{
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       w->fd, first * page);

	if (p == MAP_FAILED) {
		fail("mmap of %u pages at %u: %s", n, first, strerror(errno));
		return NULL;
	}
	return p;
}

static void do_mmap(struct worker *w)
{
	unsigned int first = rand_r(&w->seed) % NR_PAGES;
	unsigned int n = 1 + rand_r(&w->seed) % (NR_PAGES - first);
	char *p = map_range(w, first, n);

	if (!p)
		return;
	if (w->id >= first && w->id < first + n) {
		char *pg = p + (w->id - first) * page;

		check_slot(w, pg, "mmap");
		store_slot(w, pg);
	}
	munmap(p, n * page);
}

/*
 * A mapping that starts at the slot's page: grow it (refused: the device
 * sets VM_DONTEXPAND), move it onto a reserved range, shrink it to one page.
 */
static void do_mremap(struct worker *w)
{
	size_t len = (NR_PAGES - w->id) * page;
	char *p = map_range(w, w->id, NR_PAGES - w->id), *q, *r;

	if (!p)
		return;
	if (mremap(p, len, len + page, MREMAP_MAYMOVE) != MAP_FAILED ||
	    errno != EFAULT)
		fail("mremap grow: expected EFAULT, got %s",
		     strerrorname_np(errno));
	q = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED) {
		fail("mmap of a reserve: %s", strerror(errno));
		munmap(p, len);
		return;
	}
	r = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	if (r == MAP_FAILED) {
		fail("mremap move: %s", strerror(errno));
		munmap(p, len);
		munmap(q, len);
		return;
	}
	check_slot(w, r, "mremap move");
	store_slot(w, r);
	if (mremap(r, len, page, 0) == MAP_FAILED) {
		fail("mremap shrink: %s", strerror(errno));
	} else {
		check_slot(w, r, "mremap shrink");
		len = page;
	}
	munmap(r, len);
}

static void do_madvise(struct worker *w)
{
	char *p = map_range(w, 0, NR_PAGES);

	if (!p)
		return;
	store_slot(w, p + w->id * page);
	if (madvise(p, NR_PAGES * page, MADV_DONTNEED) < 0)
		fail("madvise: %s", strerror(errno));
	check_slot(w, p + w->id * page, "refault after MADV_DONTNEED");
	munmap(p, NR_PAGES * page);
}

/* The child sees the slot through the inherited mapping, then notifies. */
static void do_fork(struct worker *w)
{
	char *p = map_range(w, 0, NR_PAGES);
	int status;
	__u64 seq;
	pid_t pid;

	if (!p)
		return;
	store_slot(w, p + w->id * page);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
	} else if (pid == 0) {
		if ((unsigned char)p[slot(w)] != w->value)
			_exit(2);
		_exit(ioctl(w->fd, SHMDEMO_IOC_NOTIFY, &seq) < 0 ? 3 : 0);
	} else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		   WEXITSTATUS(status)) {
		fail("fork: the child failed (status %#x)", status);
	}
	munmap(p, NR_PAGES * page);
}

static void do_notify(struct worker *w)
{
	__u64 seq;

	if (ioctl(w->fd, SHMDEMO_IOC_NOTIFY, &seq) < 0)
		fail("NOTIFY: %s", strerror(errno));
}

static void do_wait(struct worker *w)
{
	struct shmdemo_info info = dev_info(w->nb_fd);
	__u64 seen = info.seq;

	if (ioctl(w->nb_fd, SHMDEMO_IOC_WAIT, &seen) < 0 && errno != EAGAIN)
		fail("WAIT, O_NONBLOCK: %s", strerror(errno));
}

static void do_read(struct worker *w)
{
	unsigned char got;

	if (pread(w->fd, &got, 1, slot(w)) != 1)
		fail("pread: %s", strerror(errno));
	else if (got != w->value)
		fail("thread %u, read: slot holds %u, expected %u", w->id, got,
		     w->value);
}

static void do_write(struct worker *w)
{
	unsigned char v = w->value + 1;

	if (pwrite(w->fd, &v, 1, slot(w)) != 1)
		fail("pwrite: %s", strerror(errno));
	else
		w->value = v;
}

static void do_open(struct worker *w)
{
	int fd = open(dev_path(), O_RDONLY | O_CLOEXEC);

	(void)w;
	if (fd < 0) {
		fail("open: %s", strerror(errno));
		return;
	}
	if (dev_info(fd).size != NR_PAGES * page)
		fail("INFO on a new file: wrong size");
	close(fd);
}

static void (*const ops[NR_OPS])(struct worker *) = {
	do_mmap, do_mremap, do_madvise, do_fork, do_notify,
	do_wait, do_read,   do_write,	do_open,
};

static void *work(void *arg)
{
	struct worker *w = arg;

	while (!stopping()) {
		enum op op = rand_r(&w->seed) % NR_OPS;

		ops[op](w);
		count(op);
	}
	return NULL;
}

/* Asleep in WAIT until a NOTIFY; the process notifies once more at the end. */
static void *wait_loop(void *arg)
{
	int fd = *(int *)arg;
	__u64 seen = dev_info(fd).seq;

	while (!stopping()) {
		if (ioctl(fd, SHMDEMO_IOC_WAIT, &seen) < 0) {
			fail("WAIT: %s", strerror(errno));
			break;
		}
		/* Not the NOTIFY that ends the loop: the torture's own only. */
		if (!stopping())
			__atomic_fetch_add(&sh->wakeups, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int worker_process(unsigned int proc)
{
	struct worker w[NR_THREADS];
	pthread_t tid[NR_THREADS], waiter;
	int fd = dev_open(O_RDWR), nb_fd = dev_open(O_RDWR | O_NONBLOCK);
	unsigned int i;
	__u64 seq;

	if (fd < 0 || nb_fd < 0)
		return 1;
	for (i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .fd = fd,
					.nb_fd = nb_fd,
					.id = proc * NR_THREADS + i,
					.seed = getpid() * 31 + i };
		/* The slot starts at the value the worker last left there. */
		if (pread(fd, &w[i].value, 1, slot(&w[i])) != 1)
			return 1;
	}
	if (pthread_create(&waiter, NULL, wait_loop, &fd))
		return 1;
	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&tid[i], NULL, work, &w[i]))
			return 1;
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(tid[i], NULL);
	ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq);
	pthread_join(waiter, NULL);
	return 0;
}

/* delete_module in a loop until told to stop; every call must be refused. */
static int rmmod_process(void)
{
	while (!stopping()) {
		unsigned long *counter = &sh->rmmod_other;

		if (syscall(SYS_delete_module, "shmdemo", O_NONBLOCK) == 0) {
			fail("delete_module succeeded while the device was in use");
			return 1;
		}
		if (errno == EAGAIN)
			counter = &sh->rmmod_again;
		else if (errno == EBUSY)
			counter = &sh->rmmod_busy;
		else
			sh->rmmod_errno = errno;
		__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
		usleep(1000);
	}
	return 0;
}

static bool test_load(void)
{
	int err;

	if (module_loaded() && module_unload() < 0)
		return false;
	err = module_load(PARAMS);
	if (err < 0) {
		diag("insert %s %s: %s", module_path(), PARAMS, strerror(-err));
		return false;
	}
	sh->vmalloc_before = vmalloc_used_kb();
	return expect_ok(sh->vmalloc_before, "VmallocUsed from /proc/meminfo");
}

static pid_t start(int (*fn)(unsigned int), unsigned int arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0)
		diag("fork: %s", strerror(errno));
	return pid;
}

static int rmmod_main(unsigned int unused)
{
	(void)unused;
	return rmmod_process();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool test_torture(void)
{
	unsigned int limit = seconds * time_scale(), i;
	pid_t procs[NR_PROCS], rmmod;
	int holder = dev_open(O_RDWR), status;
	unsigned long total = 0;
	double t0 = now();
	bool ok = true;
	char line[512];
	int len = 0;

	/* Held until the prober has stopped: the device is in use throughout. */
	if (holder < 0)
		return false;
	for (i = 0; i < NR_PROCS; i++)
		procs[i] = start(worker_process, i);
	rmmod = start(rmmod_main, 0);
	sleep(limit);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NR_PROCS; i++) {
		if (procs[i] < 0 || waitpid(procs[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			diag("worker process %u failed (status %#x)", i,
			     status);
			ok = false;
		}
	}
	if (rmmod < 0 || waitpid(rmmod, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		diag("the rmmod process failed");
		ok = false;
	}
	close(holder);
	sh->seconds = now() - t0;
	for (i = 0; i < NR_OPS; i++) {
		total += sh->ops[i];
		len += snprintf(line + len, sizeof(line) - len, " %s=%lu",
				op_names[i], sh->ops[i]);
	}
	diag("torture: %u processes x %u threads, %.1f s: %lu operations:%s",
	     NR_PROCS, NR_THREADS, sh->seconds, total, line);
	diag("torture: %lu wake-ups of the blocking WAITs before the stop",
	     sh->wakeups);
	diag("torture: delete_module refused %lu times (EAGAIN %lu, EBUSY %lu, other %lu)",
	     sh->rmmod_again + sh->rmmod_busy + sh->rmmod_other,
	     sh->rmmod_again, sh->rmmod_busy, sh->rmmod_other);
	if (sh->rmmod_other) {
		diag("delete_module failed with %s",
		     strerrorname_np(sh->rmmod_errno));
		ok = false;
	}
	if (sh->errors) {
		diag("%lu errors; the first: %s", sh->errors, sh->first_error);
		ok = false;
	}
	/* A run that did nothing, or never tried rmmod, tested nothing. */
	for (i = 0; i < NR_OPS; i++)
		ok &= expect_eq(sh->ops[i] > 0, 1, op_names[i]);
	ok &= expect_eq(sh->rmmod_again + sh->rmmod_busy > 0, 1,
			"delete_module attempts");
	/* The NOTIFYs must have woken the blocking WAITs at least once. */
	if (!sh->wakeups) {
		diag("no blocking WAIT ever woke up, after %lu NOTIFYs",
		     sh->ops[OP_NOTIFY]);
		ok = false;
	}
	return ok;
}

/* VmallocUsed is compared with the module still loaded, as at the start. */
static bool test_unload(void)
{
	long after = vmalloc_used_kb();

	if (!expect_ok(after, "VmallocUsed from /proc/meminfo"))
		return false;
	if (after - sh->vmalloc_before >= NR_PAGES * (long)page / 1024) {
		diag("VmallocUsed grew from %ld kB to %ld kB",
		     sh->vmalloc_before, after);
		return false;
	}
	return module_teardown("mappings after the torture");
}

static const struct test_case cases[] = {
	{ "pages=16 loads for the torture", test_load },
	{ "threads and processes race on the device; rmmod is refused",
	  test_torture },
	{ "after the torture: no mapping left, VmallocUsed back, the module unloads",
	  test_unload },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	if (argc > 1)
		seconds = strtoul(argv[1], NULL, 10);
	if (!seconds) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* The torture's time plus two minutes for the rest, scaled. */
	return run_cases(cases, ARRAY_SIZE(cases), seconds + 120);
}
