// SPDX-License-Identifier: GPL-2.0
/*
 * test_poll - poll, select and epoll on /dev/shmdemo: always readable and
 * writable, POLLPRI from a NOTIFY until INFO or WAIT reports it, level- and
 * edge-triggered, and a sleeper woken by NOTIFY. One of the device's test
 * programs, which share tests/guest/device.c: each loads the module afresh with
 * pages=4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* arm64 has no poll system call: its libc's poll() calls ppoll. */
#ifdef SYS_poll
#define POLL_SYSCALL SYS_poll
#else
#define POLL_SYSCALL SYS_ppoll
#endif

/* write() never blocks, so poll says writable at once, on every file. */
static bool test_poll_writable(void)
{
	int fds[] = { dev_open(O_RDWR), dev_open(O_RDONLY),
		      dev_open(O_WRONLY) };
	int out = POLLOUT | POLLWRNORM, other = dev_open(O_RDWR);
	struct pollfd pfd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		pfd = (struct pollfd){ .fd = fds[i],
				       .events = POLLOUT | POLLWRNORM };
		if (!expect_eq(poll(&pfd, 1, 0), 1, "poll for writing") ||
		    !expect_eq(pfd.revents, out, "revents before NOTIFY"))
			return false;
	}
	notify(other);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN | POLLOUT };
	return expect_eq(poll(&pfd, 1, 0), 1, "poll after NOTIFY") &&
	       expect_eq(pfd.revents, POLLIN | POLLOUT,
			 "readable and writable after NOTIFY");
}

/*
 * POLLIN | POLLRDNORM always, on every file; POLLPRI from a NOTIFY until
 * INFO or WAIT reports it to this file, and read() does not clear it.
 */
static bool test_poll(void)
{
	int fds[] = { dev_open(O_RDWR), dev_open(O_RDONLY) };
	int fd = fds[0], other = dev_open(O_RDWR);
	short in = POLLIN | POLLRDNORM;
	unsigned int i;
	__u64 seen;
	char c;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (!expect_eq(poll_now(fds[i], in), in, "readable after open"))
			return false;
	if (!expect_eq(poll_pri(fd), 0, "no POLLPRI after open"))
		return false;
	notify(other);
	if (!expect_eq(poll_now(fd, in | POLLPRI), in | POLLPRI,
		       "POLLPRI and readable after NOTIFY") ||
	    !expect_eq(pread(fd, &c, 1, 0), 1, "read") ||
	    !expect_eq(poll_pri(fd), POLLPRI, "POLLPRI after read()"))
		return false;
	dev_info(fd);
	if (!expect_eq(poll_now(fd, in | POLLPRI), in,
		       "readable, no POLLPRI, after INFO"))
		return false;
	notify(other);
	seen = 0;
	ioctl(fd, SHMDEMO_IOC_WAIT, &seen);
	return expect_eq(poll_pri(fd), 0, "no POLLPRI after WAIT");
}

/* A child asks for POLLPRI and sleeps until the parent's NOTIFY. */
static bool test_poll_wakes(void)
{
	int fd = dev_open(O_RDWR);
	pid_t pid;

	dev_info(fd);
	pid = fork();
	if (pid == 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };

		_exit(poll(&pfd, 1, -1) != 1 || pfd.revents != POLLPRI);
	}
	if (!blocked_in(pid, POLL_SYSCALL))
		return false;
	notify(fd);
	return child_passed(pid);
}

/* select(2) with FD in readfds and exceptfds: 'r', 'x' or "rx" if set. */
static const char *select_now(int fd)
{
	struct timeval tv = { 0, 0 };
	fd_set rfds, xfds;
	int ret;

	FD_ZERO(&rfds);
	FD_ZERO(&xfds);
	FD_SET(fd, &rfds);
	FD_SET(fd, &xfds);
	ret = select(fd + 1, &rfds, NULL, &xfds, &tv);
	if (ret < 0)
		return strerror(errno);
	if (FD_ISSET(fd, &rfds))
		return FD_ISSET(fd, &xfds) ? "rx" : "r";
	return FD_ISSET(fd, &xfds) ? "x" : "";
}

static bool expect_select(int fd, const char *want, const char *what)
{
	const char *got = select_now(fd);

	if (!strcmp(got, want))
		return true;
	diag("%s: select says \"%s\", expected \"%s\"", what, got, want);
	return false;
}

/* select: readable always; in exceptfds (POLLPRI) from NOTIFY until INFO. */
static bool test_select(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	pid_t pid;

	if (!expect_select(fd, "r", "after open"))
		return false;
	notify(other);
	if (!expect_select(fd, "rx", "after NOTIFY") ||
	    !expect_select(fd, "rx", "again, no INFO yet"))
		return false;
	dev_info(fd);
	if (!expect_select(fd, "r", "after INFO"))
		return false;

	/* A select() that sleeps on exceptfds alone wakes at a NOTIFY. */
	pid = fork();
	if (pid == 0) {
		struct timeval tv = { 10 * time_scale(), 0 };
		fd_set xfds;

		FD_ZERO(&xfds);
		FD_SET(fd, &xfds);
		_exit(select(fd + 1, NULL, NULL, &xfds, &tv) != 1);
	}
	sleep_ms(100);
	notify(other);
	return child_passed(pid);
}

static bool test_select_write(void)
{
	int fd = dev_open(O_RDWR);
	struct timeval tv = { 0, 0 };
	fd_set wfds;
	int ret;

	FD_ZERO(&wfds);
	FD_SET(fd, &wfds);
	ret = select(fd + 1, NULL, &wfds, NULL, &tv);
	return expect_ok(ret, "select for writing") &&
	       expect_eq(ret, 1, "select for writing, no timeout") &&
	       expect_eq(FD_ISSET(fd, &wfds), 1, "fd is writable");
}

static bool test_epoll_write(void)
{
	int fd = dev_open(O_RDWR);
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	return expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev),
			 "EPOLL_CTL_ADD") &&
	       expect_eq(epoll_wait(ep, &out, 1, 0), 1, "epoll for writing") &&
	       expect_eq(out.events, EPOLLOUT, "events");
}

#define ROUNDS 20

/*
 * Events epoll reports for FD (registered on EP) within TIMEOUT_MS, and
 * their mask in *EVENTS: epoll_wait is called until it returns nothing at
 * once, up to 10 times, so that a loop that would spin shows as 10.
 */
static int epoll_count(int ep, int timeout_ms, unsigned int *events)
{
	struct epoll_event out;
	int n = 0;

	*events = 0;
	while (n < 10) {
		int ret = epoll_wait(ep, &out, 1, n ? 0 : timeout_ms);

		if (ret < 0)
			diag("epoll_wait: %s", strerror(errno));
		if (ret <= 0)
			break;
		*events |= out.events;
		n++;
	}
	return n;
}

static int epoll_on(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		diag("epoll: %s", strerror(errno));
		return -1;
	}
	return ep;
}

/*
 * The loop the header recommends, level-triggered: wait for EPOLLPRI, answer
 * with INFO. One event per publication, none while nothing is published (a
 * loop that read() instead, or did nothing, would spin: 10 events), and one
 * for two publications made before it looked.
 */
static bool test_epoll_level(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLPRI);
	struct epoll_event ev;
	unsigned int events;
	__u64 seq;
	int i;

	if (ep < 0 || !expect_eq(epoll_count(ep, 0, &events), 0, "at first"))
		return false;
	for (i = 0; i < ROUNDS; i++) {
		seq = notify(i % 2 ? other : fd);
		if (!expect_eq(epoll_wait(ep, &ev, 1, 5000), 1,
			       "epoll_wait after NOTIFY") ||
		    !expect_eq(ev.events, EPOLLPRI, "EPOLLPRI") ||
		    !expect_eq(dev_info(fd).seq, seq, "INFO") ||
		    !expect_eq(epoll_count(ep, 0, &events), 0, "after INFO"))
			return false;
	}
	notify(other);
	seq = notify(other);
	if (!expect_eq(epoll_wait(ep, &ev, 1, 5000), 1,
		       "two NOTIFYs, then epoll_wait") ||
	    !expect_eq(dev_info(fd).seq, seq, "INFO sees the second") ||
	    !expect_eq(epoll_count(ep, 0, &events), 0, "after INFO"))
		return false;
	/* Level-triggered, the event stays until INFO: read() is no answer. */
	notify(other);
	return expect_eq(pread(fd, &(char){ 0 }, 1, 0), 1, "read") &&
	       expect_eq(epoll_count(ep, 0, &events), 10,
			 "read() leaves EPOLLPRI");
}

/*
 * Edge-triggered, EPOLLIN | EPOLLPRI: EPOLLIN once when registered (the
 * buffer is readable), then one event per NOTIFY whether or not the loop
 * answers with INFO, and none in between.
 */
static bool test_epoll_edge(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLIN | EPOLLPRI | EPOLLET);
	unsigned int events;
	int i;

	if (ep < 0 || !expect_eq(epoll_count(ep, 0, &events), 1, "at first") ||
	    !expect_eq(events, EPOLLIN, "EPOLLIN at first"))
		return false;
	for (i = 0; i < ROUNDS; i++) {
		notify(other);
		if (!expect_eq(epoll_count(ep, 5000, &events), 1,
			       "events for one NOTIFY") ||
		    !expect_eq(events, EPOLLIN | EPOLLPRI,
			       "EPOLLIN | EPOLLPRI"))
			return false;
		if (i % 2)
			dev_info(fd);
	}
	return true;
}

/* An epoll_wait that sleeps on EPOLLPRI wakes at a NOTIFY. */
static bool test_epoll_wakes(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLPRI);
	pid_t pid;

	if (ep < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct epoll_event out;

		_exit(epoll_wait(ep, &out, 1, 10000 * time_scale()) != 1 ||
		      out.events != EPOLLPRI);
	}
	sleep_ms(100);
	notify(other);
	return child_passed(pid);
}

static const struct test_case cases[] = {
	{ "poll: POLLIN always, POLLPRI from NOTIFY until INFO or WAIT",
	  test_poll },
	{ "poll for POLLPRI sleeps until NOTIFY", test_poll_wakes },
	{ "poll: writable (POLLOUT | POLLWRNORM) at once, on any file",
	  test_poll_writable },
	{ "select for writing returns at once", test_select_write },
	{ "epoll: EPOLLOUT at once", test_epoll_write },
	{ "select: readable always, exceptfds from NOTIFY until INFO",
	  test_select },
	{ "epoll, level-triggered EPOLLPRI and INFO: one event per NOTIFY",
	  test_epoll_level },
	{ "epoll, edge-triggered: one event per NOTIFY, never more",
	  test_epoll_edge },
	{ "epoll_wait for EPOLLPRI sleeps until NOTIFY", test_epoll_wakes },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
