// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 10: the per-open private buffer's checker, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it; each loads the module afresh with the parameters it needs. The leak
 * check needs no debug kernel: over 1024 opens, a leaked buffer shows in
 * /proc/vmallocinfo (vmalloc_used_kb()), and a leaked page array (512
 * bytes with pages=64) in the kmalloc caches of /proc/slabinfo, well above
 * what the rest of the kernel moves them by after a warm-up. kmemleak, on
 * the debug kernels, is the by-hand check of the exercise's text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

#define FILES 16
/* The leak check's buffer: 256 KiB, and its page array 512 bytes. */
#define LEAK_PAGES 64
#define LEAK_ROUNDS 1024

/* The module loaded afresh with PARAMS; says why not. */
static bool load(const char *params)
{
	int err;

	if (module_loaded()) {
		err = module_unload();
		if (err) {
			diag("unload: %s", strerror(-err));
			return false;
		}
	}
	err = module_load(params);
	if (err == -ENOENT || err == -EINVAL)
		diag("insmod shmdemo.ko %s: %s (is there a parameter private?)",
		     params, strerror(-err));
	else if (err)
		diag("insmod shmdemo.ko %s: %s", params, strerror(-err));
	return err == 0;
}

/*
 * The kmalloc caches' objects in use, in kB, from /proc/slabinfo; -1 if it
 * cannot be read.
 */
static long kmalloc_kb(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long active, objsize, total = 0, num;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &num,
			   &objsize) == 4 &&
		    !strncmp(name, "kmalloc-", 8))
			total += active * objsize;
	fclose(f);
	return total / 1024;
}

/*
 * How much vmalloc memory FILES opens take while they are open, in *KB
 * (the kernel's own may move it a little either way); false if one failed.
 */
static bool opens_take_kb(long *kb)
{
	int fds[FILES], i, n = 0;
	long before = vmalloc_used_kb(), during;

	for (i = 0; i < FILES; i++) {
		fds[i] = dev_open(O_RDWR);
		n += fds[i] >= 0;
	}
	during = vmalloc_used_kb();
	for (i = 0; i < FILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	*kb = during - before;
	return n == FILES;
}

static bool allocates(void)
{
	long shared, own, want = FILES * (long)size / 1024;

	if (!load("pages=4") || !opens_take_kb(&shared) ||
	    !load("pages=4 private=1") || !opens_take_kb(&own))
		return false;
	diag("%d opens take %ld kB of vmalloc memory without private=1, %ld kB with it",
	     FILES, shared, own);
	if (own < want - want / 4) {
		diag("with private=1, %d opens should take about %ld kB", FILES,
		     want);
		return false;
	}
	if (shared >= want / 2) {
		diag("without private=1, opens should allocate no buffer");
		return false;
	}
	return true;
}

/*
 * One open of the device: mapped, written, unmapped and closed; with FORK,
 * a child writes through its copy of the mapping first (forks are slow
 * under TCG: one round in 16 or 64 takes one).
 */
static bool use_once(size_t len, bool fork_too)
{
	int fd = dev_open(O_RDWR);
	char *p;
	pid_t pid;

	if (fd < 0)
		return false;
	p = map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	memset(p, 'u', len);
	if (!fork_too)
		return !munmap(p, len);
	pid = fork();
	if (pid == 0) {
		p[0] = 'c';
		_exit(0);
	}
	if (pid < 0 || !child_passed(pid) || p[0] != 'c') {
		diag("the fork's child did not write through its copy of the mapping");
		munmap(p, len);
		return false;
	}
	return !munmap(p, len);
}

static bool frees(void)
{
	size_t len = LEAK_PAGES * page;
	long vm_before, vm_after, km_before, km_after;
	int i;

	if (!load("pages=64 private=1"))
		return false;
	/* Nothing allocated, nothing leaked: that proves nothing. */
	vm_before = vmalloc_used_kb();
	i = dev_open(O_RDWR);
	vm_after = vmalloc_used_kb();
	if (i >= 0)
		close(i);
	if (vm_after - vm_before < (long)len / 1024 / 2) {
		diag("an open with private=1 allocates no buffer (TODO 1): nothing to free yet");
		return false;
	}
	/* A warm-up, so that the kernel's own caches are filled first. */
	for (i = 0; i < LEAK_ROUNDS / 4; i++)
		if (!use_once(len, i % 16 == 0))
			return false;
	vm_before = vmalloc_used_kb();
	km_before = kmalloc_kb();
	for (i = 0; i < LEAK_ROUNDS; i++)
		if (!use_once(len, i % 64 == 0))
			return false;
	vm_after = vmalloc_used_kb();
	km_after = kmalloc_kb();
	diag("%d opens, mapped and closed: vmalloc %+ld kB, kmalloc %+ld kB",
	     LEAK_ROUNDS, vm_after - vm_before, km_after - km_before);
	if (km_before < 0 || km_after < 0) {
		diag("cannot read /proc/slabinfo: %s", strerror(errno));
		return false;
	}
	/* A leak of each buffer is 256 MiB here, of each page array 512 KiB. */
	if (vm_after - vm_before >= 4 * (long)len / 1024) {
		diag("the files' buffers are not freed at their last close");
		return false;
	}
	if (km_after - km_before >= LEAK_ROUNDS * LEAK_PAGES * 8 / 1024 / 2) {
		diag("each open leaves a kmalloc'ed object (the page array?)");
		return false;
	}
	return module_teardown("mappings after the opens");
}

/* The module loaded with private=1, and two opens of it. */
static bool two_files(int *a, int *b)
{
	if (!load("pages=4 private=1"))
		return false;
	*a = dev_open(O_RDWR);
	*b = dev_open(O_RDWR);
	return *a >= 0 && *b >= 0;
}

static bool read_write(void)
{
	int a, b, c;
	bool ok;

	if (!two_files(&a, &b))
		return false;
	ok = fd_fill(a, 'a') && fd_fill(b, 'b') &&
	     fd_holds(a, 'a', "private=1: the first file, after the second") &&
	     fd_holds(b, 'b', "private=1: the second file");
	c = dev_open(O_RDONLY);
	ok = ok && c >= 0 && fd_holds(c, 0, "private=1: a new open");
	close(a);
	close(b);
	if (c >= 0)
		close(c);
	if (!ok || !load("pages=4"))
		return false;
	/* Without the parameter, one buffer for everyone, as before. */
	return dev_fill('s') &&
	       dev_holds('s', "without private=1, another open");
}

static bool maps(void)
{
	int a, b;
	char *pa, *pb, out[256] = "";
	FILE *demo;
	bool ok;

	if (!two_files(&a, &b))
		return false;
	pa = map(a, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	pb = map(b, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (pa == MAP_FAILED || pb == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	memset(pa, 'x', size);
	ok = mem_holds(pb, size, 0, "private=1: another file's mapping") &&
	     !madvise(pa, size, MADV_DONTNEED) &&
	     mem_holds(pa, size, 'x', "private=1: refaulted after DONTNEED") &&
	     fd_holds(a, 'x', "private=1: read() of the mapped file");
	munmap(pa, size);
	munmap(pb, size);
	close(a);
	close(b);
	if (!ok)
		return false;
	/* user_demo's parent and child share one file, so one buffer. */
	demo = popen("/bin/user_demo -m private", "r");
	if (!demo) {
		diag("popen: %s", strerror(errno));
		return false;
	}
	while (fgets(out, sizeof(out), demo) &&
	       strncmp(out, "Child reads:", 12))
		;
	if (pclose(demo) != 0 || strcmp(out, "Child reads: private\n")) {
		diag("private=1: user_demo -m private: \"%.*s\", not \"Child reads: private\"",
		     (int)strcspn(out, "\n"), out);
		return false;
	}
	return dev_holds(0, "private=1: a new open after user_demo") &&
	       module_teardown("mappings after user_demo");
}

static const struct test_case cases[] = {
	{ "TODO 1: with private=1, each open() allocates a buffer of its own",
	  allocates },
	{ "TODO 2: a file's buffer is freed at its last close, and nothing leaks",
	  frees },
	{ "TODO 3: read() and write() use the file's buffer; without private=1, the shared one",
	  read_write },
	{ "TODO 4: mmap and faults map the file's pages; user_demo works with private=1",
	  maps },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
