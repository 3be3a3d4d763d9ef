// SPDX-License-Identifier: GPL-2.0
/*
 * test_ioctl - the ioctl ABI of /dev/shmdemo: INFO and its struct sizes,
 * NOTIFY, WAIT (at once, non-blocking, sleeping, ended or restarted by a
 * signal), and unknown commands and bad pointers refused. One of the
 * device's test programs, which share tests/guest/device.c: each loads the module
 * afresh with pages=4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

#define INFO_FILLED (SHMDEMO_INFO_SIZE | SHMDEMO_INFO_SEQ)

static bool test_info(void)
{
	int fd = dev_open(O_RDWR);
	struct shmdemo_info info = dev_info(fd);

	return expect_eq(info.size, NR_PAGES * page, "size") &&
	       expect_eq(info.mask, INFO_FILLED, "mask: size and seq filled") &&
	       expect_eq(sizeof(info), SHMDEMO_INFO_SIZE_VER1,
			 "sizeof(struct shmdemo_info)");
}

/*
 * INFO with a struct of USIZE bytes (SHMDEMO_IOC_INFO's number for that
 * size), filled with 0xff beforehand: the driver must write size and seq,
 * then the mask if it fits, and zero whatever the caller has beyond.
 */
static bool info_of_size(unsigned int usize)
{
	__u64 buf[6], want_mask = usize >= 24 ? INFO_FILLED : ~0ULL;
	unsigned int i, n = usize / 8;
	int fd = dev_open(O_RDWR);
	char what[48];

	memset(buf, 0xff, sizeof(buf));
	snprintf(what, sizeof(what), "INFO with a %u-byte struct", usize);
	if (!expect_ok(ioctl(fd, _IOC(_IOC_READ, SHMDEMO_IOC_MAGIC, 1, usize),
			     buf),
		       what) ||
	    !expect_eq(buf[0], size, "size") ||
	    !expect_eq(buf[1], dev_info(fd).seq, "seq") ||
	    !expect_eq(buf[2], want_mask, "mask, or untouched past the struct"))
		return false;
	for (i = 3; i < n; i++)
		if (!expect_eq(buf[i], 0, "a field the driver does not know"))
			return false;
	for (i = n > 3 ? n : 3; i < ARRAY_SIZE(buf); i++)
		if (!expect_eq(buf[i], ~0ULL, "past the caller's struct"))
			return false;
	return true;
}

/*
 * Every struct size: the first version's (16: size and seq, nothing written
 * past them), this one's (24: and the mask), a later, longer one's (32 and
 * 48: the unknown fields zeroed, the mask saying they were not filled), and
 * one shorter than the first version (8), refused with ENOTTY.
 */
static bool test_info_sizes(void)
{
	int fd = dev_open(O_RDWR);
	__u64 buf[2] = { 7, 7 };

	return info_of_size(SHMDEMO_INFO_SIZE_VER0) &&
	       info_of_size(SHMDEMO_INFO_SIZE_VER1) && info_of_size(32) &&
	       info_of_size(48) &&
	       expect_errno(ioctl(fd, _IOC(_IOC_READ, SHMDEMO_IOC_MAGIC, 1, 8),
				  buf),
			    ENOTTY, "INFO with an 8-byte struct") &&
	       expect_eq(buf[0], 7, "the 8-byte struct untouched");
}

static bool test_notify(void)
{
	int fd = dev_open(O_RDWR);
	__u64 before = dev_info(fd).seq;

	return expect_eq(notify(fd), before + 1, "NOTIFY's value") &&
	       expect_eq(dev_info(fd).seq, before + 1, "INFO after NOTIFY");
}

static bool test_wait_returns_at_once(void)
{
	int fd = dev_open(O_RDWR);
	__u64 cur = dev_info(fd).seq, seen = cur + 1000;

	return expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "WAIT") &&
	       expect_eq(seen, cur, "WAIT's value");
}

static bool test_wait_nonblock(void)
{
	int fd = dev_open(O_RDWR | O_NONBLOCK);
	__u64 seen = dev_info(fd).seq;

	return expect_errno(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), EAGAIN,
			    "WAIT on O_NONBLOCK");
}

static bool test_wait_sleeps_until_notify(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	return handoff(fd, p, fd, p, dev_info(fd).seq, "published");
}

/* The handler tells the parent, through this pipe, that the signal landed. */
static int signal_pipe[2];

static void on_signal(int sig)
{
	char c = (char)sig;

	if (write(signal_pipe[1], &c, 1) != 1)
		_exit(3);
}

/*
 * A child WAITs with a SIGUSR1 handler installed with FLAGS; the parent
 * signals it once it sleeps. Under SA_RESTART, the parent waits for the
 * handler to have run, then for the child to sleep again in the restarted
 * call, and only then NOTIFYs: a WAIT that returned instead fails.
 */
static bool wait_with_signal(int flags, bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	int fd = dev_open(O_RDWR);
	__u64 seen = dev_info(fd).seq;
	char c;
	pid_t pid;

	if (!expect_ok(pipe(signal_pipe), "pipe"))
		return false;
	sigaction(SIGUSR1, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		__u64 s = seen;
		int ret;

		ret = ioctl(fd, SHMDEMO_IOC_WAIT, &s);
		if (restart)
			_exit(!expect_ok(ret, "WAIT under SA_RESTART") ||
			      !expect_eq(s, seen + 1, "WAIT's value"));
		_exit(!expect_errno(ret, EINTR, "WAIT interrupted"));
	}
	if (!blocked_in(pid, SYS_ioctl))
		return false;
	kill(pid, SIGUSR1);
	if (!expect_eq(read(signal_pipe[0], &c, 1), 1, "the handler ran"))
		return false;
	if (restart) {
		if (!blocked_in(pid, SYS_ioctl))
			return false;
		notify(fd);
	}
	return child_passed(pid);
}

static bool test_wait_eintr(void)
{
	return wait_with_signal(0, false);
}

static bool test_wait_sa_restart(void)
{
	return wait_with_signal(SA_RESTART, true);
}

static bool test_unknown_ioctl(void)
{
	int fd = dev_open(O_RDWR);
	__u64 arg = 0;

	return expect_errno(ioctl(fd, _IOR(SHMDEMO_IOC_MAGIC, 99, __u64), &arg),
			    ENOTTY, "unknown number") &&
	       expect_errno(ioctl(fd, _IOR('x', 1, __u64), &arg), ENOTTY,
			    "foreign magic") &&
	       expect_errno(ioctl(fd, _IOR(SHMDEMO_IOC_MAGIC, 1, __u32), &arg),
			    ENOTTY, "INFO with a struct shorter than 16 bytes");
}

static bool test_bad_pointers(void)
{
	int fd = dev_open(O_RDWR);
	/* An address with nothing mapped behind it. */
	void *bad =
		mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return expect_errno(ioctl(fd, SHMDEMO_IOC_INFO, NULL), EFAULT,
			    "INFO") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_INFO, bad), EFAULT, "INFO") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_NOTIFY, bad), EFAULT,
			    "NOTIFY") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_WAIT, bad), EFAULT, "WAIT") &&
	       expect_errno(read(fd, bad, 16), EFAULT, "read") &&
	       expect_errno(write(fd, bad, 16), EFAULT, "write");
}

static const struct test_case cases[] = {
	{ "INFO reports the size of 4 pages, and a mask of size and seq",
	  test_info },
	{ "INFO of 16, 24, 32, 48 bytes: what fits, the mask, zeroes; 8: ENOTTY",
	  test_info_sizes },
	{ "NOTIFY increments seq and returns it", test_notify },
	{ "WAIT returns at once when seq differs", test_wait_returns_at_once },
	{ "WAIT on an O_NONBLOCK file fails with EAGAIN", test_wait_nonblock },
	{ "WAIT sleeps until NOTIFY and sees the stores",
	  test_wait_sleeps_until_notify },
	{ "a signal ends WAIT with EINTR", test_wait_eintr },
	{ "WAIT restarts after a signal under SA_RESTART",
	  test_wait_sa_restart },
	{ "unknown ioctl fails with ENOTTY", test_unknown_ioctl },
	{ "bad pointers fail with EFAULT", test_bad_pointers },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
