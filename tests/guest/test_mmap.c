// SPDX-License-Identifier: GPL-2.0
/*
 * test_mmap - the mapping rules of /dev/shmdemo, each with the errno it must
 * give (flags, ranges and offsets, exec), and how a mapping behaves through
 * mprotect, mremap, madvise, munmap of a part, MAP_FIXED, fork,
 * /proc/self/mem and process_vm_readv, with the VMAs sysfs counts. One of
 * the device's test programs, which share tests/guest/device.c: each loads the
 * module afresh with pages=4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

static bool test_map_matches_read_write(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[6] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(pwrite(fd, "write", 6, page + 1), 6, "pwrite") ||
	    !expect_eq(strcmp(p + page + 1, "write"), 0,
		       "mapping sees write()"))
		return false;
	strcpy(p + 2 * page - 6, "store");
	return expect_eq(pread(fd, buf, 6, 2 * page - 6), 6, "pread") &&
	       expect_eq(strcmp(buf, "store"), 0, "read() sees the store");
}

static bool test_map_private(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, page, PROT_READ, MAP_PRIVATE, 0, EINVAL,
				"MAP_PRIVATE");
}

static bool test_map_length_zero(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, 0, PROT_READ, MAP_SHARED, 0, EINVAL,
				"length 0");
}

static bool test_map_outside(void)
{
	int fd = dev_open(O_RDWR);
	int rw = PROT_READ | PROT_WRITE;

	return expect_map_errno(fd, page, rw, MAP_SHARED, size, EINVAL,
				"offset at the end") &&
	       expect_map_errno(fd, page, rw, MAP_SHARED, size + page, EINVAL,
				"offset past the end") &&
	       expect_map_errno(fd, size + page, rw, MAP_SHARED, 0, EINVAL,
				"longer than the buffer") &&
	       expect_map_errno(fd, 2 * page, rw, MAP_SHARED, size - page,
				EINVAL, "crossing the end");
}

/*
 * A 64-bit process passes the byte offset, and the kernel's range check
 * sees it wrap (EOVERFLOW). A 32-bit one goes through mmap2, whose offset
 * is a page number: glibc truncates it to the last page number, which the
 * driver's own check refuses (EINVAL).
 */

static bool test_map_offset_overflow(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, 2 * page, PROT_READ, MAP_SHARED,
				-(off_t)page,
				sizeof(long) == 8 ? EOVERFLOW : EINVAL,
				"offset + length wraps");
}

static bool test_map_exec(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, page, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
				EPERM, "PROT_EXEC");
}

static bool test_mprotect_exec(void)
{
	int fd = dev_open(O_RDWR);
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	return expect_errno(mprotect(p, page, PROT_READ | PROT_EXEC), EACCES,
			    "mprotect(PROT_EXEC)");
}

static bool test_mremap_grow(void)
{
	int fd = dev_open(O_RDWR);
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	const void *q;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	q = mremap(p, page, 2 * page, MREMAP_MAYMOVE);
	return expect_errno(q == MAP_FAILED ? -1 : 0, EFAULT, "mremap grow");
}

static bool test_mremap_shrink_move(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char *hole;
	const char *q;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "shrink");
	if (!expect_ok(mremap(p, 2 * page, page, 0) == MAP_FAILED ? -1 : 0,
		       "mremap shrink"))
		return false;
	/* Move it to a spot known to be free. */
	hole = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = mremap(p, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	if (!expect_ok(q == MAP_FAILED ? -1 : 0, "mremap move"))
		return false;
	return expect_eq(q == hole, 1, "moved to the new address") &&
	       expect_eq(strcmp(q, "shrink"), 0, "data after shrink and move");
}

static bool test_not_dumped(void)
{
	int fd = dev_open(O_RDWR);
	const char *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	char head[64], line[256];
	bool in_vma = false, dd = false;
	FILE *f;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	snprintf(head, sizeof(head), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return expect_ok(-1, "/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head))) {
			in_vma = true;
		} else if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			dd = strstr(line, " dd");
			break;
		}
	}
	fclose(f);
	return expect_eq(in_vma, 1, "mapping in smaps") &&
	       expect_eq(dd, 1, "VmFlags has dd (not dumped)");
}

static bool test_madv_dontneed(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p + page, "kept");
	if (!expect_ok(madvise(p, 2 * page, MADV_DONTNEED), "MADV_DONTNEED"))
		return false;
	return expect_eq(strcmp(p + page, "kept"), 0, "data after refault");
}

static bool test_proc_mem(void)
{
	int fd = dev_open(O_RDWR), mem;
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "debug");
	madvise(p, page, MADV_DONTNEED); /* make the read fault it in */
	mem = open("/proc/self/mem", O_RDONLY);
	return expect_eq(pread(mem, buf, 6, (off_t)(unsigned long)p), 6,
			 "pread /proc/self/mem") &&
	       expect_eq(strcmp(buf, "debug"), 0,
			 "data through /proc/self/mem");
}

static bool test_outlives_close(void)
{
	int fd = dev_open(O_RDWR), fd2;
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	close(fd);
	strcpy(p, "after");
	fd2 = dev_open(O_RDONLY);
	return expect_eq(pread(fd2, buf, 6, 0), 6, "pread") &&
	       expect_eq(strcmp(buf, "after"), 0, "store after close(fd)");
}

static bool test_fork_shares(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "from parent");
	pid = fork();
	if (pid == 0)
		_exit(strcmp(p, "from parent") || !strcpy(p, "from child"));
	return child_passed(pid) && expect_eq(strcmp(p, "from child"), 0,
					      "parent sees the child's store");
}

static bool test_every_page_offset(void)
{
	int fd = dev_open(O_RDWR);
	size_t i;

	for (i = 0; i < NR_PAGES; i++) {
		unsigned int tag = 0x5a000000 + i;

		if (!expect_eq(pwrite(fd, &tag, sizeof(tag), i * page), 4,
			       "pwrite"))
			return false;
	}
	for (i = 0; i < NR_PAGES; i++) {
		unsigned int *p =
			map(fd, page, PROT_READ, MAP_SHARED, i * page);

		if (p == MAP_FAILED)
			return expect_ok(-1, "mmap at a page offset");
		if (!expect_eq(*p, 0x5a000000 + i,
			       "tag of the page at that offset"))
			return false;
		munmap(p, page);
	}
	return true;
}

/*
 * mappings counts VMAs: +1 per mmap, +1 per fork's copy and per split, the
 * same after mremap moves one, never moved by an mmap that failed.
 */
static bool test_mappings_count_vmas(void)
{
	int fd = dev_open(O_RDWR), go[2];
	long before = dev_attr("mappings");
	/* Where the mapping moves to: a hole of our own. */
	char *to = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char *p, *q;
	pid_t pid;
	bool ok;

	if (!expect_map_errno(fd, page, PROT_READ, MAP_PRIVATE, 0, EINVAL,
			      "MAP_PRIVATE") ||
	    !expect_map_errno(fd, page, PROT_READ, MAP_SHARED, size, EINVAL,
			      "past the end") ||
	    !expect_map_errno(fd, page, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
			      EPERM, "PROT_EXEC") ||
	    !expect_eq(dev_attr("mappings"), before, "after failed mmaps"))
		return false;
	p = map(fd, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(dev_attr("mappings"), before + 1, "after mmap"))
		return false;
	if (pipe(go) < 0)
		return expect_ok(-1, "pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		_exit(read(go[0], &c, 1) != 1);
	}
	close(go[0]);
	/* The child is woken whatever the count: it must not outlive us. */
	ok = expect_eq(dev_attr("mappings"), before + 2, "with a child");
	ok = expect_eq(write(go[1], "x", 1), 1, "wake the child") && ok;
	close(go[1]);
	if (!ok || !child_passed(pid) ||
	    !expect_eq(dev_attr("mappings"), before + 1, "child gone"))
		return false;
	q = mremap(p, 3 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (q == MAP_FAILED)
		return expect_ok(-1, "mremap move");
	if (!expect_eq(dev_attr("mappings"), before + 1, "after mremap") ||
	    !expect_ok(munmap(q + page, page), "munmap of the middle") ||
	    !expect_eq(dev_attr("mappings"), before + 2, "after the split") ||
	    !expect_ok(munmap(q, 3 * page), "munmap of the rest"))
		return false;
	return expect_eq(dev_attr("mappings"), before, "after munmap");
}

static bool test_unrelated_openers(void)
{
	int a = dev_open(O_RDWR), b = dev_open(O_RDWR);
	char *pa = map(a, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	const char *pb = map(b, page, PROT_READ, MAP_SHARED, 0);

	if (pa == MAP_FAILED || pb == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(pa, "one buffer");
	return expect_eq(strcmp(pb, "one buffer"), 0, "second open sees it");
}

static bool test_partial_munmap(void)
{
	int fd = dev_open(O_RDWR);
	long before = dev_attr("mappings");
	char *p = map(fd, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	int status;
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "first");
	strcpy(p + 2 * page, "third");
	if (!expect_ok(munmap(p + page, page), "munmap of the middle page") ||
	    !expect_eq(dev_attr("mappings"), before + 2,
		       "mappings after the split"))
		return false;
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(p[page]); /* must fault */
	}
	if (!expect_eq(strcmp(p, "first"), 0, "first page") ||
	    !expect_eq(strcmp(p + 2 * page, "third"), 0, "third page"))
		return false;
	waitpid(pid, &status, 0);
	return expect_eq(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, 1,
			 "touching the unmapped page raises SIGSEGV");
}

static bool test_map_fixed(void)
{
	int fd = dev_open(O_RDWR);
	char *anon = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *p;

	memset(anon, 'A', 2 * page);
	if (!expect_eq(pwrite(fd, "fixed", 6, page), 6, "pwrite"))
		return false;
	p = mmap(anon, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 page);
	if (p == MAP_FAILED)
		return expect_ok(-1, "MAP_FIXED mmap");
	return expect_eq(p == anon, 1, "mapped at the fixed address") &&
	       expect_eq(strcmp(p, "fixed"), 0,
			 "device page replaced the old one") &&
	       expect_eq(anon[page], 'A', "the page after it untouched");
}

static bool test_process_vm_readv(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";
	struct iovec local = { buf, 7 }, remote;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "remote");
	madvise(p, page, MADV_DONTNEED); /* make the read fault it in */
	remote.iov_base = p;
	remote.iov_len = 7;
	return expect_eq(process_vm_readv(getpid(), &local, 1, &remote, 1, 0),
			 7, "process_vm_readv") &&
	       expect_eq(strcmp(buf, "remote"), 0, "data");
}

static const struct test_case cases[] = {
	{ "mapping, read() and write() see the same bytes",
	  test_map_matches_read_write },
	{ "MAP_PRIVATE fails with EINVAL", test_map_private },
	{ "length 0 fails with EINVAL (core mm, before the driver)",
	  test_map_length_zero },
	{ "offset or length outside the buffer fails with EINVAL",
	  test_map_outside },
	{ "offset + length overflow fails (EOVERFLOW; EINVAL through mmap2)",
	  test_map_offset_overflow },
	{ "PROT_EXEC fails with EPERM", test_map_exec },
	{ "mprotect cannot add PROT_EXEC (EACCES)", test_mprotect_exec },
	{ "mremap cannot grow the mapping (EFAULT)", test_mremap_grow },
	{ "mremap shrink and move keep the data", test_mremap_shrink_move },
	{ "mapping is left out of core dumps", test_not_dumped },
	{ "MADV_DONTNEED then access sees the same data", test_madv_dontneed },
	{ "/proc/self/mem reads the mapping", test_proc_mem },
	{ "mapping outlives close(fd)", test_outlives_close },
	{ "fork shares the mapping", test_fork_shares },
	{ "every page maps at its own offset", test_every_page_offset },
	{ "two opens share one buffer", test_unrelated_openers },
	{ "mappings counts VMAs through fork, mremap, split and failed mmaps",
	  test_mappings_count_vmas },
	{ "partial munmap keeps the rest; the hole faults",
	  test_partial_munmap },
	{ "MAP_FIXED over an existing mapping", test_map_fixed },
	{ "process_vm_readv reads the mapping", test_process_vm_readv },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
