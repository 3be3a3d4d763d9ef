// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 8 KERNEL=latest: the two mmap paths' checker, run in the guest
 * (tests/lanes/grade.sh; the folder's file lanes names the 7.x kernels,
 * where the probe of kmod/Kbuild finds .mmap_prepare). Its one case: on a
 * kernel that has the .mmap_prepare path (map_kernel_pages_complete() in
 * /proc/kallsyms), the workspace's module took .mmap all the same, as
 * modinfo's mmap_path and the module's own symbols say, and the device's
 * row of the guide's experiment 8 is what .mmap_prepare gives: 0 write
 * faults, one read fault a page after MADV_DONTNEED, the data kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* Does /proc/kallsyms name SYMBOL (in module MODULE, or in the kernel)? */
static int kallsyms_has(const char *symbol, const char *module)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], mod[64];
	int found = 0;

	if (!f) {
		diag("/proc/kallsyms: %s", strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		mod[0] = '\0';
		if (sscanf(line, "%*s %*s %255s [%63[^]]]", name, mod) < 1)
			continue;
		found = !strcmp(name, symbol) && !strcmp(mod, module);
	}
	fclose(f);
	return found;
}

/* modinfo's mmap_path of the module file, into PATH; false if none. */
static bool mmap_path(char *path, size_t len)
{
	static const char key[] = "mmap_path=";
	FILE *f = fopen(module_path(), "r");
	char *buf = NULL, *p;
	size_t n = 0, size_read;
	bool found = false;

	if (!f) {
		diag("%s: %s", module_path(), strerror(errno));
		return false;
	}
	/* The .modinfo strings are NUL-separated: read the file whole. */
	for (;;) {
		char *more = realloc(buf, n + 65536 + 1);

		if (!more)
			break;
		buf = more;
		size_read = fread(buf + n, 1, 65536, f);
		n += size_read;
		if (size_read < 65536)
			break;
	}
	fclose(f);
	/* The last string ends, whatever the file holds. */
	if (buf)
		buf[n] = '\0';
	for (p = buf; buf && !found && p + sizeof(key) <= buf + n; p++) {
		found = (p == buf || p[-1] == '\0') &&
			!memcmp(p, key, sizeof(key) - 1);
		if (found)
			snprintf(path, len, "%s", p + sizeof(key) - 1);
	}
	free(buf);
	if (!found)
		diag("%s has no modinfo mmap_path", module_path());
	return found;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* The device's row of experiment 8 (user/faults_demo.c), pages=4. */
static bool faults_row(void)
{
	int fd = dev_open(O_RDWR);
	long before, writes, reads;
	volatile char *p;
	size_t i;
	bool kept = true;

	if (fd < 0)
		return false;
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	if (!expect_eq(dev_attr("mappings"), 1, "mappings while mapped"))
		return false;
	before = minor_faults();
	for (i = 0; i < size; i += page)
		p[i] = 'a' + i / page;
	writes = minor_faults() - before;
	if (madvise((void *)p, size, MADV_DONTNEED)) {
		diag("madvise: %s", strerror(errno));
		return false;
	}
	before = minor_faults();
	for (i = 0; i < size; i += page)
		kept &= p[i] == (char)('a' + i / page);
	reads = minor_faults() - before;
	munmap((void *)p, size);
	diag("experiment 8: %d pages, %ld write faults, %ld read faults after DONTNEED, %s",
	     NR_PAGES, writes, reads, kept ? "kept" : "lost");
	return expect_eq(writes, 0, "write faults (mmap inserts every page)") &&
	       expect_eq(reads, NR_PAGES, "read faults after MADV_DONTNEED") &&
	       expect_eq(kept, 1, "the data kept after MADV_DONTNEED") &&
	       expect_eq(dev_attr("mappings"), 0, "mappings after munmap");
}

static bool forced(void)
{
	char path[32] = "";
	int prepare = kallsyms_has("map_kernel_pages_complete", "");

	if (prepare < 0)
		return false;
	if (!prepare) {
		diag("no map_kernel_pages_complete in /proc/kallsyms: this kernel");
		diag("has no .mmap_prepare to force .mmap over (KERNEL=latest has)");
		return false;
	}
	if (!mmap_path(path, sizeof(path)))
		return false;
	if (strcmp(path, "mmap")) {
		diag("the module took .%s (modinfo mmap_path)", path);
		diag("is SHMDEMO_FORCE_MMAP := 1 in kmod/Kbuild, and does the probe heed it?");
		return false;
	}
	if (kallsyms_has("shmdemo_mmap", "shmdemo") != 1 ||
	    kallsyms_has("shmdemo_mmap_prepare", "shmdemo") != 0) {
		diag("modinfo says mmap; /proc/kallsyms should then have");
		diag("shmdemo_mmap, and no shmdemo_mmap_prepare, in the module");
		return false;
	}
	return faults_row();
}

static const struct test_case cases[] = {
	{ "TODO 1: SHMDEMO_FORCE_MMAP := 1 gives .mmap on 7.x, with experiment 8's counts",
	  forced },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
