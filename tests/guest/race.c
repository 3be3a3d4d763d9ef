// SPDX-License-Identifier: GPL-2.0
/*
 * race - the seed's race, counted: run each PROGRAM N times, each run with
 * a message of its own, and count the runs whose child did not print that
 * message. seed_demo takes the message as its argument, user_demo as -m.
 *
 *	race [--no-tuning] N RACY [CORRECT...]
 *	seed_demo: 500 of 500 runs read no message
 *	user_demo: 0 of 500 runs read no message
 *
 * RACY is the program that shows the race (seed_demo): it must miss in at
 * least MIN_PERCENT of its runs, or the run proves nothing and race prints
 * an "inconclusive" line. Each CORRECT program (user_demo) must never miss.
 * A run that was killed by a signal or exited non-zero is a crash, counted
 * on a line of its own and never as a miss; any crash fails too. race
 * exits 0 only if none of these rules was broken.
 *
 * The race gets a fair chance, from outside: the programs run as they are.
 * A "# conditions" line says which of these held:
 * - this process and everything it starts run on CPU 0 only
 *   (sched_setaffinity), so parent and child cannot run at once;
 * - on CFS (up to 6.5), kernel.sched_child_runs_first=1, so the child runs
 *   first after fork, and a scheduling latency of 160 ms with a minimum
 *   granularity of 80 ms, so it is not preempted before it has printed;
 * - on EEVDF (6.6 and later), a base slice of 80 ms, and each run's parent
 *   asks for a slice of 100 ms (sched_setattr, SCHED_OTHER) with
 *   SCHED_FLAG_RESET_ON_FORK, so its child comes back with the base slice,
 *   whose earlier deadline preempts the parent at fork (PREEMPT_SHORT);
 * - on PREEMPT_RT, where those were not enough, the hold: each run is
 *   traced, and at its first fork the parent is kept stopped until the
 *   child has exited or sleeps.
 * The system-wide settings go back to what they were at the end.
 * --no-tuning changes no system-wide setting (sysctl, debugfs): for trying
 * race on a host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIN_PERCENT 10
#define SLICE_NS (100 * 1000 * 1000ULL)
#define HOLD_MAX_MS 2000
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#endif

/* sched_setattr(2)'s argument; glibc 2.36 has neither it nor a wrapper. */
struct race_sched_attr {
	__u32 size;
	__u32 sched_policy;
	__u64 sched_flags;
	__s32 sched_nice;
	__u32 sched_priority;
	__u64 sched_runtime;
	__u64 sched_deadline;
	__u64 sched_period;
};

/* A scheduler setting in a file: where, what to write, how to name it. */
struct knob {
	const char *path;
	const char *value;
	const char *held;
	char old[32];
	int set;
};

/* The CFS knobs: sysctls up to 5.12, debugfs from 5.13; first found wins. */
static struct knob knobs[] = {
	{ .path = "/proc/sys/kernel/sched_child_runs_first",
	  .value = "1",
	  .held = "kernel.sched_child_runs_first=1" },
	{ .path = "/proc/sys/kernel/sched_latency_ns",
	  .value = "160000000",
	  .held = "CFS latency 160 ms" },
	{ .path = "/sys/kernel/debug/sched/latency_ns",
	  .value = "160000000",
	  .held = "CFS latency 160 ms" },
	{ .path = "/proc/sys/kernel/sched_min_granularity_ns",
	  .value = "80000000",
	  .held = "min granularity 80 ms" },
	{ .path = "/sys/kernel/debug/sched/min_granularity_ns",
	  .value = "80000000",
	  .held = "min granularity 80 ms" },
	{ .path = "/sys/kernel/debug/sched/base_slice_ns",
	  .value = "80000000",
	  .held = "EEVDF base slice 80 ms" },
};

struct run_counts {
	int missed;
	int crashed;
};

/* The conditions each run gets: set once, then read by every run. */
static struct {
	int slice; /* the parent's slice, reset in its child */
	int hold; /* the parent held at fork until its child is done */
} cond;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int sched_attr_slice(__u64 runtime, __u64 flags)
{
	struct race_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_OTHER,
		.sched_flags = flags,
		.sched_runtime = runtime,
	};

	return syscall(SYS_sched_setattr, 0, &attr, 0);
}

/*
 * Does this kernel take a custom slice (EEVDF, 6.12 and later)? Set one,
 * read it back, and go back to the default: only each run's parent keeps
 * it. Older kernels accept sched_runtime for SCHED_OTHER and ignore it.
 */
static int slice_works(void)
{
	struct race_sched_attr attr;
	int ok;

	if (sched_attr_slice(SLICE_NS, 0))
		return 0;
	ok = !syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) &&
	     attr.sched_runtime == SLICE_NS;
	sched_attr_slice(0, 0);
	return ok;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* Set KNOB, keeping its old value; returns whether it now holds. */
static int knob_set(struct knob *k)
{
	int fd = open(k->path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, k->old, sizeof(k->old) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	k->old[n] = '\0';
	k->set = !write_file(k->path, k->value);
	return k->set;
}

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].set)
			write_file(knobs[i].path, knobs[i].old);
}

static void add(char *line, size_t size, const char *what)
{
	size_t len = strlen(line);

	snprintf(line + len, size - len, ", %s", what);
}

/* Apply what this kernel allows, and print the "# conditions" line. */
static void set_conditions(int tuning)
{
	char line[512];
	struct utsname un;
	cpu_set_t one;
	size_t i;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	uname(&un);
	snprintf(line, sizeof(line), "# conditions on Linux %s: %s", un.release,
		 sched_setaffinity(0, sizeof(one), &one) ?
			 "affinity to CPU 0 failed" :
			 "parent and child on CPU 0 (sched_setaffinity)");
	for (i = 0; tuning && i < ARRAY_SIZE(knobs); i++)
		if (!strstr(line, knobs[i].held) && knob_set(&knobs[i]))
			add(line, sizeof(line), knobs[i].held);
	if (tuning && !knobs[0].set)
		add(line, sizeof(line),
		    "no kernel.sched_child_runs_first on this kernel");
	cond.slice = slice_works();
	if (cond.slice)
		add(line, sizeof(line),
		    "parent's slice 100 ms, the child's the default (sched_setattr, SCHED_FLAG_RESET_ON_FORK)");
	cond.hold = !!strstr(un.version, "PREEMPT_RT");
	if (cond.hold)
		add(line, sizeof(line),
		    "PREEMPT_RT: the parent held at fork until its child has exited or sleeps (ptrace)");
	printf("%s\n", line);
}

/* The child's side of a run: the parent's slice, then PROG with MSG. */
static void exec_run(const char *prog, const char *msg, int out)
{
	dup2(out, 1);
	if (cond.slice &&
	    sched_attr_slice(SLICE_NS, SCHED_FLAG_RESET_ON_FORK)) {
		perror("race: sched_setattr");
		_exit(126);
	}
	if (cond.hold &&
	    (ptrace(PTRACE_TRACEME, 0, NULL, NULL) || raise(SIGSTOP))) {
		perror("race: ptrace");
		_exit(126);
	}
	if (!strcmp(base_name(prog), "user_demo"))
		execl(prog, prog, "-m", msg, (char *)NULL);
	else
		execl(prog, prog, msg, (char *)NULL);
	perror(prog);
	_exit(127);
}

/* The state letter of PID in /proc/PID/stat, or 0 once it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * The hold: PARENT is stopped in its fork event. Let its new child CHILD
 * go, and keep the parent stopped until the child has exited (a zombie,
 * as its stopped parent cannot reap it) or sleeps (user_demo's in WAIT),
 * HOLD_MAX_MS at most; then let the parent go too.
 */
static void hold_parent(pid_t parent, pid_t child)
{
	struct timeval start, now;
	int status;
	char state;

	gettimeofday(&start, NULL);
	if (waitpid(child, &status, __WALL) == child)
		ptrace(PTRACE_DETACH, child, NULL, NULL);
	do {
		usleep(1000);
		state = proc_state(child);
		gettimeofday(&now, NULL);
	} while (state && state != 'Z' && state != 'S' &&
		 (now.tv_sec - start.tv_sec) * 1000 +
				 (now.tv_usec - start.tv_usec) / 1000 <
			 HOLD_MAX_MS);
	ptrace(PTRACE_DETACH, parent, NULL, NULL);
}

/*
 * Follow the traced PID from its first stop to its first fork, and hold
 * it there; returns waitpid's result if it ended before, or 0.
 */
static pid_t follow_to_fork(pid_t pid, int *status)
{
	unsigned long child;
	int sig = 0;

	if (waitpid(pid, status, 0) != pid || !WIFSTOPPED(*status))
		return pid;
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	for (;;) {
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
		if (waitpid(pid, status, 0) != pid || !WIFSTOPPED(*status))
			return pid;
		sig = *status >> 16 ? 0 : WSTOPSIG(*status);
		if (*status >> 16 == PTRACE_EVENT_FORK &&
		    !ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child)) {
			hold_parent(pid, child);
			return 0;
		}
	}
}

/* Run PROG with MSG once; count a crash, or a child that missed MSG. */
static void run_once(const char *prog, const char *msg, struct run_counts *c)
{
	char out[512], want[256];
	size_t len = 0;
	int p[2], status, reaped;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0) {
		c->crashed++;
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		exec_run(prog, msg, p[1]);
	}
	close(p[1]);
	/* With the hold, a program that ended before it forked is reaped. */
	reaped = pid > 0 && cond.hold && follow_to_fork(pid, &status);
	while (len < sizeof(out) - 1 &&
	       (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(p[0]);
	if (pid < 0 || (!reaped && waitpid(pid, &status, 0) != pid) ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		c->crashed++;
		return;
	}
	snprintf(want, sizeof(want), "Child reads: %s\n", msg);
	c->missed += !!strcmp(out, want);
}

/* PROG RUNS times; prints its count lines and returns its counts. */
static struct run_counts run_program(const char *prog, int runs)
{
	const char *base = base_name(prog);
	struct run_counts c = { 0, 0 };
	char msg[128];
	int i;

	for (i = 1; i <= runs; i++) {
		snprintf(msg, sizeof(msg), "%s run %d of %d", base, i, runs);
		run_once(prog, msg, &c);
	}
	printf("%s: %d of %d runs read no message\n", base, c.missed, runs);
	if (c.crashed)
		printf("%s: %d of %d runs crashed\n", base, c.crashed, runs);
	return c;
}

int main(int argc, char **argv)
{
	int tuning = !(argc > 1 && !strcmp(argv[1], "--no-tuning"));
	char **progs = argv + 2 + !tuning;
	int nprogs = argc - 2 - !tuning;
	int runs = nprogs < 1 ? 0 : atoi(progs[-1]);
	struct run_counts c;
	int failed, p;

	if (runs < 1) {
		fprintf(stderr,
			"usage: race [--no-tuning] N RACY [CORRECT...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	set_conditions(tuning);
	c = run_program(progs[0], runs);
	failed = c.crashed;
	if (c.missed * 100 < MIN_PERCENT * runs) {
		printf("inconclusive: %s missed in %d of %d runs, under %d%%\n",
		       base_name(progs[0]), c.missed, runs, MIN_PERCENT);
		failed = 1;
	}
	for (p = 1; p < nprogs; p++) {
		c = run_program(progs[p], runs);
		failed |= c.missed | c.crashed;
	}
	knobs_restore();
	return failed ? 1 : 0;
}
