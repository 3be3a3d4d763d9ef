// SPDX-License-Identifier: GPL-2.0
/*
 * test_multiproc - several processes on /dev/shmdemo: data that persists
 * across opens, one NOTIFY waking many waiters, strict ping-pong between a
 * parent and its child and between two separately started programs (this
 * one again, as "test_multiproc peer send|echo"), and processes churning
 * open/mmap/munmap/close at once. One of the device's test programs, which
 * share tests/guest/device.c: each loads the module afresh with pages=4.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

static bool test_persists_across_open(void)
{
	int fd = dev_open(O_RDWR);
	char buf[8] = "";

	if (!expect_eq(pwrite(fd, "stays", 6, 3 * page), 6, "pwrite"))
		return false;
	close(fd);
	fd = dev_open(O_RDONLY);
	return expect_eq(pread(fd, buf, 6, 3 * page), 6, "pread") &&
	       expect_eq(strcmp(buf, "stays"), 0, "data after close and open");
}

static bool test_notify_wakes_all(void)
{
	int fd = dev_open(O_RDWR), i;
	__u64 seen = dev_info(fd).seq;
	pid_t pids[16];
	bool ok = true;

	for (i = 0; i < 16; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			__u64 s = seen;

			_exit(ioctl(fd, SHMDEMO_IOC_WAIT, &s) || s != seen + 1);
		}
	}
	for (i = 0; i < 16; i++)
		if (!blocked_in(pids[i], SYS_ioctl))
			return false;
	notify(fd);
	for (i = 0; i < 16; i++)
		ok &= child_passed(pids[i]);
	return ok;
}

/*
 * Strict ping-pong over the buffer: the sender writes "ping N" and
 * NOTIFYs, the echo WAITs, checks it, writes "pong N" and NOTIFYs back.
 * A lost wake-up hangs, and the case's time limit turns that into a failure.
 */
static bool pingpong_send(int fd, char *p, int rounds)
{
	char want[32];
	__u64 seq;
	int i;

	for (i = 0; i < rounds; i++) {
		snprintf(p, 32, "ping %d", i);
		seq = notify(fd);
		if (ioctl(fd, SHMDEMO_IOC_WAIT, &seq) < 0)
			return expect_ok(-1, "sender WAIT");
		snprintf(want, sizeof(want), "pong %d", i);
		if (strcmp(p + 64, want)) {
			diag("round %d: sender read \"%s\"", i, p + 64);
			return false;
		}
	}
	return true;
}

static bool pingpong_echo(int fd, char *p, int rounds, __u64 seen)
{
	char want[32];
	int i;

	for (i = 0; i < rounds; i++) {
		if (ioctl(fd, SHMDEMO_IOC_WAIT, &seen) < 0)
			return expect_ok(-1, "echo WAIT");
		snprintf(want, sizeof(want), "ping %d", i);
		if (strcmp(p, want)) {
			diag("round %d: echo read \"%s\"", i, p);
			return false;
		}
		snprintf(p + 64, 32, "pong %d", i);
		seen = notify(fd);
	}
	return true;
}

static bool test_pingpong(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	__u64 seen = dev_info(fd).seq;
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	pid = fork();
	if (pid == 0)
		_exit(!pingpong_echo(fd, p, 2000, seen));
	return pingpong_send(fd, p, 2000) && child_passed(pid);
}

/* "test_multiproc peer send|echo": one side of test_unrelated_programs. */
static int peer_main(const char *role)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return 1;
	if (!strcmp(role, "echo"))
		return !pingpong_echo(fd, p, 500, dev_info(fd).seq);
	return !pingpong_send(fd, p, 500);
}

static pid_t start_peer(const char *role)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/proc/self/exe", "test_multiproc", "peer", role,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool test_unrelated_programs(void)
{
	pid_t echo = start_peer("echo"), send;

	if (!blocked_in(echo, SYS_ioctl))
		return false;
	send = start_peer("send");
	return child_passed(send) && child_passed(echo);
}

/* Word I of round R of WORKER: unique to each of them. */
static unsigned int churn_word(int worker, int r, size_t i)
{
	return worker << 24 | r << 12 | i;
}

static bool churn(int worker, int rounds)
{
	size_t i, n = page / sizeof(unsigned int);
	int r;

	for (r = 0; r < rounds; r++) {
		int fd = dev_open(O_RDWR);
		unsigned int *p = map(fd, NR_PAGES * page,
				      PROT_READ | PROT_WRITE, MAP_SHARED, 0);

		if (p == MAP_FAILED)
			return expect_ok(-1, "mmap");
		p += worker * n;
		for (i = 0; i < n; i++)
			p[i] = churn_word(worker, r, i);
		for (i = 0; i < n; i++)
			if (p[i] != churn_word(worker, r, i))
				return expect_eq(p[i], churn_word(worker, r, i),
						 "word written by this worker");
		munmap(p - worker * n, NR_PAGES * page);
		notify(fd);
		close(fd);
	}
	return true;
}

static bool test_concurrent_churn(void)
{
	long before = dev_attr("mappings");
	pid_t pids[NR_PAGES];
	bool ok = true;
	int i;

	for (i = 0; i < NR_PAGES; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(!churn(i, 300));
	}
	for (i = 0; i < NR_PAGES; i++)
		ok &= child_passed(pids[i]);
	return ok && expect_eq(dev_attr("mappings"), before,
			       "mappings back to where they were");
}

static const struct test_case cases[] = {
	{ "data persists across close and open", test_persists_across_open },
	{ "one NOTIFY wakes 16 waiters", test_notify_wakes_all },
	{ "2000 strict ping-pong rounds between parent and child",
	  test_pingpong },
	{ "two separately started programs exchange 500 messages",
	  test_unrelated_programs },
	{ "4 processes loop open/mmap/write/verify/munmap/close/notify",
	  test_concurrent_churn },
};

int main(int argc, char **argv)
{
	device_init();
	if (argc == 3 && !strcmp(argv[1], "peer"))
		return peer_main(argv[2]);
	return device_run(cases, ARRAY_SIZE(cases));
}
