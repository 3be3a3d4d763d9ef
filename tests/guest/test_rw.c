// SPDX-License-Identifier: GPL-2.0
/*
 * test_rw - read(), write() and lseek() on /dev/shmdemo: a buffer zeroed at
 * load, its edges, each with the errno it must give, and the sysfs
 * attributes that describe it. One of the device's test programs, which
 * share tests/guest/device.c: each loads the module afresh with pages=4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

static bool test_zeroed_at_load(void)
{
	char *buf = malloc(size);
	int fd = dev_open(O_RDONLY);
	bool ok = false;
	size_t i;

	if (!buf || fd < 0 ||
	    !expect_eq(pread(fd, buf, size, 0), size, "pread"))
		goto out;
	for (i = 0; i < size && !buf[i]; i++)
		;
	ok = i == size || expect_eq(buf[i], 0, "byte after load");
out:
	free(buf);
	return ok;
}

static bool test_read_edges(void)
{
	int fd = dev_open(O_RDONLY);
	char buf[64];

	return expect_eq(pread(fd, buf, sizeof(buf), size), 0,
			 "read at the end") &&
	       expect_eq(pread(fd, buf, sizeof(buf), size + 100), 0,
			 "read past the end") &&
	       expect_eq(pread(fd, buf, sizeof(buf), size - 10), 10,
			 "read across the end");
}

static bool test_write_edges(void)
{
	int fd = dev_open(O_RDWR);
	char buf[64] = "";

	return expect_errno(pwrite(fd, buf, sizeof(buf), size), ENOSPC,
			    "write at the end") &&
	       expect_errno(pwrite(fd, buf, sizeof(buf), size + 1), ENOSPC,
			    "write past the end") &&
	       expect_eq(pwrite(fd, buf, sizeof(buf), size - 10), 10,
			 "write across the end") &&
	       expect_eq(pwrite(fd, buf, 0, size), 0, "empty write at the end");
}

static bool test_lseek(void)
{
	int fd = dev_open(O_RDWR);

	return expect_eq(lseek(fd, 0, SEEK_END), size, "SEEK_END") &&
	       expect_eq(lseek(fd, -1, SEEK_END), size - 1, "SEEK_END - 1") &&
	       expect_eq(lseek(fd, 10, SEEK_SET), 10, "SEEK_SET") &&
	       expect_eq(lseek(fd, 5, SEEK_CUR), 15, "SEEK_CUR") &&
	       expect_errno(lseek(fd, 1, SEEK_END), EINVAL, "past the end") &&
	       expect_errno(lseek(fd, size + 1, SEEK_SET), EINVAL,
			    "SEEK_SET past the end") &&
	       expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "negative");
}

static bool test_sysfs(void)
{
	int fd = dev_open(O_RDWR);
	long before = dev_attr("mappings");
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	bool ok;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	ok = expect_eq(dev_attr("size"), size, "size") &&
	     expect_eq(dev_attr("seq"), dev_info(fd).seq, "seq") &&
	     expect_eq(dev_attr("mappings"), before + 1, "mappings after mmap");
	munmap(p, page);
	return ok &&
	       expect_eq(dev_attr("mappings"), before, "mappings after munmap");
}

static const struct test_case cases[] = {
	{ "buffer is zeroed at load", test_zeroed_at_load },
	{ "read at or past the end returns 0, across it is short",
	  test_read_edges },
	{ "write at the end fails with ENOSPC, across it is short",
	  test_write_edges },
	{ "lseek: SEEK_END is the size, past the end or negative EINVAL",
	  test_lseek },
	{ "sysfs shows size, seq and mappings", test_sysfs },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
