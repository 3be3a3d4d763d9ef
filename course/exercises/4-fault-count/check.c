// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 4: the fault counter's checker, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it. Each case loads the module afresh with pages=4 (tests/guest/device.c),
 * so that the count starts from the load; the faults are those of the
 * guide's experiment 8 (user/faults_demo.c): every page written, its page
 * table entries dropped with MADV_DONTNEED, and read back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

#define FAULTS "/sys/class/misc/shmdemo/faults"

/* A fresh load with pages=NR_PAGES: the count starts again. */
static bool reload(void)
{
	char params[32];
	int err;

	snprintf(params, sizeof(params), "pages=%d", NR_PAGES);
	if (module_loaded())
		module_unload();
	err = module_load(params);
	if (err)
		diag("insmod %s %s: %s", module_path(), params, strerror(-err));
	return !err;
}

/* The attribute's value into *N; false, saying why, if there is none. */
static bool faults(long *n)
{
	char buf[32], *end;

	if (read_file(FAULTS, buf, sizeof(buf)) < 0) {
		diag("read %s: %s%s", FAULTS, strerror(errno),
		     errno == ENOENT ? " (is TODO 3 done?)" : "");
		return false;
	}
	*n = strtol(buf, &end, 10);
	if (end == buf) {
		diag("%s holds \"%.*s\", not a number", FAULTS,
		     (int)strcspn(buf, "\n"), buf);
		return false;
	}
	return true;
}

static bool faults_are(long want, const char *when)
{
	long n;

	if (!faults(&n))
		return false;
	if (n != want)
		diag("%s after %s: %ld, not %ld", FAULTS, when, n, want);
	return n == want;
}

/*
 * Every page of the buffer written, its page table entries dropped, and
 * read back: a fault for each page on the way back, none before.
 */
static bool refault(void)
{
	int fd = dev_open(O_RDWR);
	volatile char *p;
	size_t i, kept = 0;

	if (fd < 0)
		return false;
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag("mmap of %zu bytes: %s", size, strerror(errno));
		return false;
	}
	for (i = 0; i < size; i += page)
		p[i] = 'x';
	if (madvise((void *)p, size, MADV_DONTNEED) < 0) {
		diag("madvise(MADV_DONTNEED): %s", strerror(errno));
		munmap((void *)p, size);
		return false;
	}
	for (i = 0; i < size; i += page)
		kept += p[i] == 'x';
	munmap((void *)p, size);
	return expect_eq(kept, NR_PAGES, "pages that kept their byte");
}

static bool from_zero(void)
{
	return reload() && faults_are(0, "a fresh load");
}

static bool counts(void)
{
	if (!reload())
		return false;
	/* mmap inserts every page it maps: user_demo takes no fault. */
	if (system("/bin/user_demo -m faults > /dev/null") != 0) {
		diag("user_demo failed");
		return false;
	}
	if (!faults_are(0, "user_demo (mmap maps every page: no fault)"))
		return false;
	return refault() &&
	       faults_are(NR_PAGES, "4 refaults after MADV_DONTNEED");
}

static bool attribute(void)
{
	regex_t number;
	char buf[32];
	struct stat st;
	bool ok;

	if (!reload())
		return false;
	if (stat(FAULTS, &st) < 0) {
		diag("stat %s: %s", FAULTS, strerror(errno));
		return false;
	}
	if ((st.st_mode & 07777) != 0444) {
		diag("%s has mode %04o, not 0444 (DEVICE_ATTR_RO)", FAULTS,
		     st.st_mode & 07777);
		return false;
	}
	if (read_file(FAULTS, buf, sizeof(buf)) < 0) {
		diag("read %s: %s", FAULTS, strerror(errno));
		return false;
	}
	if (regcomp(&number, "^[0-9]+\n$", REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&number, buf, 0, NULL, 0);
	regfree(&number);
	if (!ok)
		diag("%s holds \"%s\", not a number and a newline", FAULTS,
		     buf);
	return ok;
}

static const struct test_case cases[] = {
	{ "TODO 1: the count starts from 0: faults reads 0 after a fresh load",
	  from_zero },
	{ "TODO 2: one more per call of shmdemo_fault: 0 after user_demo, 4 after 4 refaults",
	  counts },
	{ "TODO 3: /sys/class/misc/shmdemo/faults, mode 0444, prints the count",
	  attribute },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
