// SPDX-License-Identifier: GPL-2.0
/*
 * The device's test programs' common part (device.h), built into every test
 * program beside tests/guest/harness.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

size_t page;
size_t size;

void device_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	size = NR_PAGES * page;
}

int device_run(const struct test_case *cases, size_t n)
{
	char params[32];
	int err;

	printf("# %zu-bit build, pages of %zu bytes\n", sizeof(long) * 8, page);
	snprintf(params, sizeof(params), "pages=%d", NR_PAGES);
	if (module_loaded())
		module_unload();
	err = module_load(params);
	if (err < 0) {
		printf("Bail out! could not insert %s: %s\n", module_path(),
		       strerror(-err));
		return 1;
	}
	return run_cases(cases, n, 20);
}

void *map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

bool expect_map_errno(int fd, size_t len, int prot, int flags, off_t off,
		      int want, const char *what)
{
	void *p = map(fd, len, prot, flags, off);

	if (p != MAP_FAILED)
		munmap(p, len);
	return expect_errno(p == MAP_FAILED ? -1 : 0, want, what);
}

short poll_now(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret = poll(&pfd, 1, 0);

	if (ret < 0) {
		diag("poll: %s", strerror(errno));
		return -1;
	}
	return ret == 1 ? pfd.revents : 0;
}

short poll_pri(int fd)
{
	return poll_now(fd, POLLPRI);
}

__u64 notify(int fd)
{
	__u64 seq = 0;

	if (ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq) < 0)
		diag("SHMDEMO_IOC_NOTIFY: %s", strerror(errno));
	return seq;
}

bool fd_fill(int fd, char c)
{
	char *buf = malloc(size);
	bool ok;

	if (!buf)
		return false;
	memset(buf, c, size);
	ok = expect_eq(pwrite(fd, buf, size, 0), size, "pwrite");
	free(buf);
	return ok;
}

bool mem_holds(const char *p, size_t len, char c, const char *what)
{
	size_t i = 0;

	while (i < len && p[i] == c)
		i++;
	if (i < len)
		diag("%s: byte %zu is 0x%02x, not 0x%02x", what, i,
		     (unsigned char)p[i], (unsigned char)c);
	return i == len;
}

bool fd_holds(int fd, char c, const char *what)
{
	char *buf = malloc(size);
	bool ok = buf && expect_eq(pread(fd, buf, size, 0), size, "pread") &&
		  mem_holds(buf, size, c, what);

	free(buf);
	return ok;
}

bool dev_fill(char c)
{
	int fd = dev_open(O_RDWR);
	bool ok = fd >= 0 && fd_fill(fd, c);

	if (fd >= 0)
		close(fd);
	return ok;
}

bool dev_holds(char c, const char *what)
{
	int fd = dev_open(O_RDONLY);
	bool ok = fd >= 0 && fd_holds(fd, c, what);

	if (fd >= 0)
		close(fd);
	return ok;
}

bool handoff(int wait_fd, const char *r, int notify_fd, char *w, __u64 seen,
	     const char *msg)
{
	pid_t pid;

	w[0] = 0;
	pid = fork();
	if (pid == 0) {
		__u64 s = seen;

		_exit(ioctl(wait_fd, SHMDEMO_IOC_WAIT, &s) || s != seen + 1 ||
		      strcmp(r, msg));
	}
	if (!blocked_in(pid, SYS_ioctl))
		return false;
	strcpy(w, msg);
	return expect_eq(notify(notify_fd), seen + 1, "NOTIFY") &&
	       child_passed(pid);
}
