// SPDX-License-Identifier: GPL-2.0
/*
 * test_access - who may do what with /dev/shmdemo: the node's mode, what a
 * file opened O_RDONLY or O_WRONLY may map and publish, the sysfs
 * attributes' modes, and a non-root process refused. One of the device's
 * test programs, which share tests/guest/device.c: each loads the module afresh
 * with pages=4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

static bool test_node(void)
{
	struct stat st;

	if (!expect_ok(stat(dev_path(), &st), "stat"))
		return false;
	return expect_eq(S_ISCHR(st.st_mode), 1, "is a character device") &&
	       expect_eq(st.st_mode & 07777, 0600, "mode");
}

static bool test_rdonly_fd(void)
{
	int fd = dev_open(O_RDONLY);
	void *p;

	if (!expect_map_errno(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			      EACCES, "O_RDONLY, PROT_WRITE"))
		return false;
	p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "O_RDONLY, PROT_READ");
	return expect_errno(mprotect(p, page, PROT_READ | PROT_WRITE), EACCES,
			    "mprotect(PROT_WRITE) of a read-only mapping");
}

static bool test_wronly_fd(void)
{
	int fd = dev_open(O_WRONLY);

	return expect_map_errno(fd, page, PROT_WRITE, MAP_SHARED, 0, EACCES,
				"O_WRONLY");
}

/* Read access may watch the device but not publish on it. */
static bool test_rdonly_notify(void)
{
	int fd = dev_open(O_RDONLY), rw = dev_open(O_RDWR);
	__u64 before = dev_info(rw).seq, arg = 12345;
	long sysfs_before = dev_attr("seq");

	return expect_errno(ioctl(fd, SHMDEMO_IOC_NOTIFY, &arg), EBADF,
			    "NOTIFY on O_RDONLY") &&
	       expect_eq(arg, 12345, "NOTIFY's argument untouched") &&
	       expect_eq(dev_info(rw).seq, before,
			 "seq after the refused NOTIFY") &&
	       expect_eq(dev_attr("seq"), sysfs_before,
			 "sysfs seq after the refused NOTIFY") &&
	       expect_eq(poll_pri(fd), 0, "no POLLPRI from the refused NOTIFY");
}

static bool test_wronly_notify(void)
{
	int fd = dev_open(O_WRONLY), rw = dev_open(O_RDWR);
	__u64 before = dev_info(rw).seq;

	return expect_eq(notify(fd), before + 1, "NOTIFY on O_WRONLY") &&
	       expect_eq(dev_info(rw).seq, before + 1, "INFO after it");
}

/* INFO, poll, WAIT, read and a read-only mapping all work on O_RDONLY. */
static bool test_rdonly_reader(void)
{
	/* The child waits on a file of its own: a shared one shares "seen". */
	int fd = dev_open(O_RDONLY), child_fd = dev_open(O_RDONLY);
	int rw = dev_open(O_RDWR);
	const char *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	char *w = map(rw, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	__u64 seen = dev_info(fd).seq, seq = seen + 1;
	char buf[16] = "";

	if (p == MAP_FAILED || w == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(poll_pri(fd), 0, "poll before NOTIFY") ||
	    !handoff(child_fd, p, rw, w, seen, "for readers") ||
	    !expect_eq(poll_pri(fd), POLLPRI, "poll after NOTIFY") ||
	    !expect_eq(dev_info(fd).seq, seq, "INFO") ||
	    !expect_eq(poll_pri(fd), 0, "poll after INFO"))
		return false;
	seen = 0;
	return expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "WAIT") &&
	       expect_eq(seen, seq, "WAIT's value") &&
	       expect_eq(pread(fd, buf, 12, 0), 12, "read") &&
	       expect_eq(strcmp(buf, "for readers"), 0, "read's data");
}

static const struct {
	const char *name;
	int mode;
} sysfs_attrs[] = { { "size", 0444 }, { "seq", 0400 }, { "mappings", 0400 } };

static void sysfs_path(char *path, size_t len, const char *name)
{
	snprintf(path, len, "/sys/class/misc/shmdemo/%s", name);
}

/* Read-only; size for everyone, seq and mappings for root only. */
static bool test_sysfs_modes(void)
{
	char path[128];
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysfs_attrs); i++) {
		sysfs_path(path, sizeof(path), sysfs_attrs[i].name);
		if (!expect_ok(stat(path, &st), path) ||
		    !expect_eq(st.st_mode & 07777, sysfs_attrs[i].mode, path) ||
		    !expect_errno(open(path, O_WRONLY), EACCES, path))
			return false;
	}
	return true;
}

/* A non-root user reads size; seq and mappings fail with EACCES. */
static bool test_sysfs_non_root(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char path[128], buf[32];
		unsigned int i;
		bool ok = true;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		for (i = 0; i < ARRAY_SIZE(sysfs_attrs); i++) {
			sysfs_path(path, sizeof(path), sysfs_attrs[i].name);
			if (sysfs_attrs[i].mode & 0004)
				ok &= expect_ok(read_file(path, buf,
							  sizeof(buf)),
						path);
			else
				ok &= expect_errno(open(path, O_RDONLY), EACCES,
						   path);
		}
		_exit(!ok);
	}
	return child_passed(pid);
}

static bool test_non_root(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		_exit(!expect_errno(open(dev_path(), O_RDWR), EACCES,
				    "O_RDWR") ||
		      !expect_errno(open(dev_path(), O_RDONLY), EACCES,
				    "O_RDONLY"));
	}
	return child_passed(pid);
}

static const struct test_case cases[] = {
	{ "node is a character device, mode 0600", test_node },
	{ "O_RDONLY: PROT_WRITE and mprotect(PROT_WRITE) fail with EACCES",
	  test_rdonly_fd },
	{ "O_WRONLY: mmap fails with EACCES", test_wronly_fd },
	{ "NOTIFY on O_RDONLY fails with EBADF; seq and waiters untouched",
	  test_rdonly_notify },
	{ "NOTIFY on O_WRONLY works", test_wronly_notify },
	{ "O_RDONLY: INFO, poll, WAIT, read and a read-only mapping work",
	  test_rdonly_reader },
	{ "sysfs size is mode 0444, seq and mappings 0400", test_sysfs_modes },
	{ "a non-root process reads sysfs size, gets EACCES on seq and mappings",
	  test_sysfs_non_root },
	{ "a non-root process gets EACCES on the 0600 node", test_non_root },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
