// SPDX-License-Identifier: GPL-2.0
/*
 * fanout - one wake-up, K sleepers: the time from just before the waker's
 * call until the last of the K children runs again, for
 *
 *	shmdemo  K children in SHMDEMO_IOC_WAIT, one SHMDEMO_IOC_NOTIFY
 *	futex    K children in FUTEX_WAIT on a shared word, one FUTEX_WAKE
 *		 of all (for comparison)
 *
 * The waker starts the clock only once every child is asleep (state S in
 * /proc/PID/stat, which after its last store can only be that wait). Each
 * child reads the clock first thing after waking and stores the time in
 * shared memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/shmdemo.h>
#include "bench.h"

#define FANOUT_MAX 64
#define FANOUT_REPS 7
#define FANOUT_SETTLE_MS 10000 /* the longest wait for K sleepers */

static const int fanout_waiters[] = { 1, 4, 16, FANOUT_MAX };

struct fanout_shared {
	int ready; /* children about to sleep */
	int go; /* futex: 1 once woken */
	uint64_t woke_ns[FANOUT_MAX]; /* when each child ran again */
};

struct fanout {
	struct fanout_shared *sh;
	int fd;
	__u64 seen;
};

struct fanout_ops {
	const char *name;
	bool (*sleep)(struct fanout *f); /* in the child */
	bool (*wake)(struct fanout *f); /* in the parent */
};

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static bool shmdemo_sleep(struct fanout *f)
{
	return ioctl(f->fd, SHMDEMO_IOC_WAIT, &f->seen) == 0;
}

static bool shmdemo_wake(struct fanout *f)
{
	__u64 seq;

	return ioctl(f->fd, SHMDEMO_IOC_NOTIFY, &seq) == 0;
}

static bool futex_sleep(struct fanout *f)
{
	while (!__atomic_load_n(&f->sh->go, __ATOMIC_ACQUIRE)) {
		if (futex(&f->sh->go, FUTEX_WAIT, 0) < 0 && errno != EAGAIN &&
		    errno != EINTR)
			return false;
	}
	return true;
}

static bool futex_wake(struct fanout *f)
{
	__atomic_store_n(&f->sh->go, 1, __ATOMIC_RELEASE);
	return futex(&f->sh->go, FUTEX_WAKE, INT_MAX) >= 0;
}

static const struct fanout_ops fanout_cases[] = {
	{ "shmdemo", shmdemo_sleep, shmdemo_wake },
	{ "futex", futex_sleep, futex_wake },
};

static void fanout_child(const struct fanout_ops *ops, struct fanout *f, int i)
{
	bool ok;

	__atomic_fetch_add(&f->sh->ready, 1, __ATOMIC_RELEASE);
	ok = ops->sleep(f);
	f->sh->woke_ns[i] = now_ns();
	_exit(ok ? 0 : 1);
}

/* The state letter of PID: R, S, D, ...; '?' if it cannot be read. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return '?';
	buf[len] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* Wait until all K children have announced themselves and sleep. */
static bool fanout_settle(struct fanout *f, const pid_t *pids, int k)
{
	int waited_ms, i;

	for (waited_ms = 0; waited_ms < FANOUT_SETTLE_MS; waited_ms++) {
		if (__atomic_load_n(&f->sh->ready, __ATOMIC_ACQUIRE) == k) {
			for (i = 0; i < k && proc_state(pids[i]) == 'S'; i++)
				;
			if (i == k)
				return true;
		}
		usleep(1000);
	}
	errno = ETIMEDOUT;
	return false;
}

/* One repetition: fork K sleepers, wake them, time the last one. */
static double fanout_once(const struct fanout_ops *ops, struct fanout *f, int k)
{
	struct shmdemo_info info;
	pid_t pids[FANOUT_MAX] = { 0 };
	uint64_t t0 = 0, last = 0;
	bool ok = true;
	int i, n;

	memset(f->sh, 0, sizeof(*f->sh));
	if (ioctl(f->fd, SHMDEMO_IOC_INFO, &info) < 0)
		return -1;
	f->seen = info.seq;
	for (n = 0; n < k; n++) {
		pids[n] = fork();
		if (pids[n] < 0)
			break;
		if (pids[n] == 0)
			fanout_child(ops, f, n);
	}

	if (n < k || !fanout_settle(f, pids, k)) {
		ok = false;
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	} else {
		t0 = now_ns();
		ok = ops->wake(f);
	}
	for (i = 0; i < n; i++)
		ok &= wait_ok(pids[i]);
	if (!ok)
		return -1;

	for (i = 0; i < k; i++) {
		if (f->sh->woke_ns[i] > last)
			last = f->sh->woke_ns[i];
	}
	return (last - t0) / 1e3;
}

/* Both cases with K waiters, taking turns repetition by repetition. */
static bool fanout_figures(struct fanout *f, int k)
{
	const size_t n = ARRAY_SIZE(fanout_cases);
	struct figure figs[ARRAY_SIZE(fanout_cases)];
	bool failed[ARRAY_SIZE(fanout_cases)] = { false };
	unsigned int rep;
	bool ok = true;
	size_t i;
	double us;

	for (i = 0; i < n; i++)
		figs[i] = (struct figure){ .section = "fanout",
					   .name = fanout_cases[i].name,
					   .param = k };
	for (rep = 0; rep < FANOUT_REPS; rep++) {
		for (i = 0; i < n; i++) {
			if (failed[i])
				continue;
			us = fanout_once(&fanout_cases[i], f, k);
			if (us < 0) {
				bench_fail("fanout", fanout_cases[i].name,
					   "%d waiters: %s", k,
					   strerror(errno));
				failed[i] = true;
				continue;
			}
			figs[i].us[figs[i].reps++] = us;
		}
	}
	for (i = 0; i < n; i++)
		ok &= !failed[i] && figure_report(&figs[i]);
	return ok;
}

bool bench_fanout(void)
{
	struct fanout f;
	bool ok = true;
	size_t i;

	f.fd = open(BENCH_DEVICE, O_RDWR | O_CLOEXEC);
	if (f.fd < 0) {
		bench_fail("fanout", "shmdemo", "%s: %s", BENCH_DEVICE,
			   strerror(errno));
		return false;
	}
	f.sh = mmap(NULL, sizeof(*f.sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f.sh == MAP_FAILED) {
		bench_fail("fanout", "shmdemo", "mmap: %s", strerror(errno));
		close(f.fd);
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(fanout_waiters); i++)
		ok &= fanout_figures(&f, fanout_waiters[i]);
	munmap(f.sh, sizeof(*f.sh));
	close(f.fd);
	return ok;
}
