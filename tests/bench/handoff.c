// SPDX-License-Identifier: GPL-2.0
/*
 * handoff - the round trip of a strict ping-pong between a parent and its
 * child: the parent passes the turn and sleeps until the child passes it
 * back, thousands of times. Four ways to pass it:
 *
 *	shmdemo  SHMDEMO_IOC_NOTIFY, and SHMDEMO_IOC_WAIT on the last seq seen
 *	eventfd  one eventfd per direction, write(1) and a blocking read
 *	pipe     one pipe per direction, one byte each way
 *	futex    a turn word in MAP_SHARED | MAP_ANONYMOUS memory, FUTEX_WAKE
 *		 after each store and FUTEX_WAIT until it changes
 *
 * A repetition is the mean round trip over a slice of rounds; one child per
 * case plays every slice, after some unclocked rounds that let both sides
 * settle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/shmdemo.h>
#include "bench.h"

#define HANDOFF_SLICES 41 /* the repetitions of a figure */
#define HANDOFF_ROUNDS 150 /* round trips clocked in each */
#define HANDOFF_WARMUP 100 /* unclocked, before the first slice */
#define HANDOFF_LIMIT_S 600 /* a lost wake-up kills the benchmark */

enum {
	PARENT,
	CHILD
};

struct handoff {
	int fd[4];
	__u64 seen; /* shmdemo: the last seq this side saw */
	int *turn; /* futex: PARENT or CHILD, whose turn it is */
};

struct handoff_ops {
	const char *name;
	bool (*setup)(struct handoff *h);
	bool (*pass)(struct handoff *h, int side); /* wake the other side */
	bool (*take)(struct handoff *h, int side); /* sleep until woken */
	void (*teardown)(struct handoff *h);
};

static void close_fds(struct handoff *h)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(h->fd); i++) {
		if (h->fd[i] >= 0)
			close(h->fd[i]);
	}
}

static bool shmdemo_setup(struct handoff *h)
{
	struct shmdemo_info info;

	h->fd[0] = open(BENCH_DEVICE, O_RDWR | O_CLOEXEC);
	if (h->fd[0] < 0 || ioctl(h->fd[0], SHMDEMO_IOC_INFO, &info) < 0)
		return false;
	h->seen = info.seq;
	return true;
}

static bool shmdemo_pass(struct handoff *h, int side __attribute__((unused)))
{
	return ioctl(h->fd[0], SHMDEMO_IOC_NOTIFY, &h->seen) == 0;
}

static bool shmdemo_take(struct handoff *h, int side __attribute__((unused)))
{
	return ioctl(h->fd[0], SHMDEMO_IOC_WAIT, &h->seen) == 0;
}

/* fd[PARENT] carries the turn to the child, fd[CHILD] back to the parent. */
static bool eventfd_setup(struct handoff *h)
{
	h->fd[PARENT] = eventfd(0, EFD_CLOEXEC);
	h->fd[CHILD] = eventfd(0, EFD_CLOEXEC);
	return h->fd[PARENT] >= 0 && h->fd[CHILD] >= 0;
}

static bool eventfd_pass(struct handoff *h, int side)
{
	uint64_t one = 1;

	return write(h->fd[side], &one, sizeof(one)) == sizeof(one);
}

static bool eventfd_take(struct handoff *h, int side)
{
	uint64_t count;

	return read(h->fd[!side], &count, sizeof(count)) == sizeof(count);
}

/* fd[0..1] is the pipe to the child, fd[2..3] the one to the parent. */
static bool pipe_setup(struct handoff *h)
{
	return pipe2(h->fd, O_CLOEXEC) == 0 && pipe2(h->fd + 2, O_CLOEXEC) == 0;
}

static bool pipe_pass(struct handoff *h, int side)
{
	char c = 0;

	return write(h->fd[side == PARENT ? 1 : 3], &c, 1) == 1;
}

static bool pipe_take(struct handoff *h, int side)
{
	char c;

	return read(h->fd[side == PARENT ? 2 : 0], &c, 1) == 1;
}

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static bool futex_setup(struct handoff *h)
{
	h->turn = mmap(NULL, sizeof(*h->turn), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h->turn == MAP_FAILED) {
		h->turn = NULL;
		return false;
	}
	*h->turn = PARENT;
	return true;
}

static bool futex_pass(struct handoff *h, int side)
{
	__atomic_store_n(h->turn, !side, __ATOMIC_RELEASE);
	/* Shared, not FUTEX_PRIVATE: the two sides are two processes. */
	return futex(h->turn, FUTEX_WAKE, 1) >= 0;
}

static bool futex_take(struct handoff *h, int side)
{
	int turn;

	while ((turn = __atomic_load_n(h->turn, __ATOMIC_ACQUIRE)) != side) {
		if (futex(h->turn, FUTEX_WAIT, turn) < 0 && errno != EAGAIN &&
		    errno != EINTR)
			return false;
	}
	return true;
}

static void futex_teardown(struct handoff *h)
{
	if (h->turn)
		munmap(h->turn, sizeof(*h->turn));
}

static const struct handoff_ops handoff_cases[] = {
	{ "shmdemo", shmdemo_setup, shmdemo_pass, shmdemo_take, close_fds },
	{ "eventfd", eventfd_setup, eventfd_pass, eventfd_take, close_fds },
	{ "pipe", pipe_setup, pipe_pass, pipe_take, close_fds },
	{ "futex", futex_setup, futex_pass, futex_take, futex_teardown },
};

/* The child answers every round of the warm-up and of all the slices. */
static void handoff_child(const struct handoff_ops *ops, struct handoff *h)
{
	int i;

	for (i = 0; i < HANDOFF_WARMUP + HANDOFF_SLICES * HANDOFF_ROUNDS; i++) {
		if (!ops->take(h, CHILD) || !ops->pass(h, CHILD))
			_exit(1);
	}
	_exit(0);
}

static bool handoff_rounds(const struct handoff_ops *ops, struct handoff *h,
			   int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		if (!ops->pass(h, PARENT) || !ops->take(h, PARENT))
			return false;
	}
	return true;
}

/* Fork the child and play the unclocked rounds; its pid, or -1. */
static pid_t handoff_start(const struct handoff_ops *ops, struct handoff *h)
{
	pid_t pid;

	if (!ops->setup(h))
		return -1;
	pid = fork();
	if (pid == 0)
		handoff_child(ops, h);
	if (pid > 0 && !handoff_rounds(ops, h, HANDOFF_WARMUP)) {
		kill(pid, SIGKILL);
		wait_ok(pid);
		return -1;
	}
	return pid;
}

/* How often the parent blocked, and how often it was preempted. */
struct switches {
	long blocked;
	long preempted;
};

static void count_switches(struct switches *sw, int sign)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	sw->blocked += sign * ru.ru_nvcsw;
	sw->preempted += sign * ru.ru_nivcsw;
}

/*
 * One slice: the mean round trip of HANDOFF_ROUNDS, in microseconds, and
 * the parent's context switches in it added to *SW.
 */
static double handoff_slice(const struct handoff_ops *ops, struct handoff *h,
			    struct switches *sw)
{
	uint64_t t0, elapsed;

	count_switches(sw, -1);
	t0 = now_ns();
	if (!handoff_rounds(ops, h, HANDOFF_ROUNDS))
		return -1;
	elapsed = now_ns() - t0;
	count_switches(sw, 1);
	return elapsed / 1e3 / HANDOFF_ROUNDS;
}

static void report_switches(const char *name, const struct switches *sw)
{
	double rounds = HANDOFF_SLICES * HANDOFF_ROUNDS;

	printf("# handoff %s: per round trip: %.2f blocks, %.2f preemptions\n",
	       name, sw->blocked / rounds, sw->preempted / rounds);
}

/*
 * Every case keeps its child for the whole run, and the cases take turns
 * slice by slice, so that a slow spell of the machine under the guest falls
 * on all of them alike.
 */
bool bench_handoff(void)
{
	const size_t n = ARRAY_SIZE(handoff_cases);
	struct figure figs[ARRAY_SIZE(handoff_cases)];
	struct handoff h[ARRAY_SIZE(handoff_cases)];
	pid_t pids[ARRAY_SIZE(handoff_cases)];
	struct switches sw[ARRAY_SIZE(handoff_cases)] = { { 0 } };
	bool ok = true;
	unsigned int slice;
	size_t i;
	double us;

	for (i = 0; i < n; i++) {
		figs[i] = (struct figure){ .section = "handoff",
					   .name = handoff_cases[i].name };
		h[i] = (struct handoff){ .fd = { -1, -1, -1, -1 } };
		pids[i] = handoff_start(&handoff_cases[i], &h[i]);
		if (pids[i] < 0)
			bench_fail("handoff", handoff_cases[i].name,
				   "start: %s", strerror(errno));
	}
	alarm(HANDOFF_LIMIT_S);
	for (slice = 0; slice < HANDOFF_SLICES; slice++) {
		for (i = 0; i < n; i++) {
			if (pids[i] < 0)
				continue;
			us = handoff_slice(&handoff_cases[i], &h[i], &sw[i]);
			if (us < 0) {
				bench_fail("handoff", handoff_cases[i].name,
					   "%s", strerror(errno));
				kill(pids[i], SIGKILL);
				wait_ok(pids[i]);
				pids[i] = -1;
				continue;
			}
			figs[i].us[figs[i].reps++] = us;
		}
	}
	alarm(0);
	for (i = 0; i < n; i++) {
		if (pids[i] < 0 || !wait_ok(pids[i])) {
			ok = false;
		} else {
			report_switches(handoff_cases[i].name, &sw[i]);
			ok &= figure_report(&figs[i]);
		}
		handoff_cases[i].teardown(&h[i]);
	}
	return ok;
}
