// SPDX-License-Identifier: GPL-2.0
/*
 * faults_demo - count the page faults that three kinds of shared memory take
 *
 * For /dev/shmdemo, MAP_SHARED | MAP_ANONYMOUS memory (the original
 * exercise's) and MAP_PRIVATE | MAP_ANONYMOUS memory, of the device's size:
 * map it, write a byte into each page, drop the page table entries with
 * madvise(MADV_DONTNEED), read each page back, and print the minor faults
 * that each step took (getrusage's ru_minflt) and whether the data survived:
 *
 *	$ ./faults_demo
 *	memory             pages  write faults  read faults after DONTNEED  data
 *	/dev/shmdemo           1             0                           1  kept
 *	...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/shmdemo.h>

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* What became of the data: KEPT of NR pages still held their byte. */
static const char *verdict(size_t kept, size_t nr)
{
	if (kept == nr)
		return "kept";
	return kept ? "partly kept" : "zeroed";
}

/* Map LEN bytes of one kind of memory, fault it twice, print one line. */
static int measure(const char *name, int fd, int flags, size_t len, size_t page)
{
	volatile char *p;
	long before, writes, reads;
	size_t i, kept = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "faults_demo: %s: mmap: %s\n", name,
			strerror(errno));
		return -1;
	}

	before = minor_faults();
	for (i = 0; i < len; i += page)
		p[i] = 'x';
	writes = minor_faults() - before;

	if (madvise((void *)p, len, MADV_DONTNEED) < 0) {
		fprintf(stderr, "faults_demo: %s: madvise: %s\n", name,
			strerror(errno));
		munmap((void *)p, len);
		return -1;
	}

	before = minor_faults();
	for (i = 0; i < len; i += page)
		kept += p[i] == 'x';
	reads = minor_faults() - before;

	printf("%-17s %6zu %13ld %27ld  %s\n", name, len / page, writes, reads,
	       verdict(kept, len / page));
	munmap((void *)p, len);
	return 0;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct shmdemo_info info;
	int fd, ret = 0;

	if (page <= 0) {
		fprintf(stderr, "faults_demo: sysconf(_SC_PAGESIZE): %s\n",
			strerror(errno));
		return EXIT_FAILURE;
	}
	fd = open("/dev/shmdemo", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			"faults_demo: /dev/shmdemo: %s (insmod shmdemo.ko first)\n",
			strerror(errno));
		return EXIT_FAILURE;
	}
	if (ioctl(fd, SHMDEMO_IOC_INFO, &info) < 0) {
		fprintf(stderr, "faults_demo: SHMDEMO_IOC_INFO: %s\n",
			strerror(errno));
		return EXIT_FAILURE;
	}

	printf("memory             pages  write faults  read faults after DONTNEED  data\n");
	ret |= measure("/dev/shmdemo", fd, MAP_SHARED, info.size, page);
	ret |= measure("shared anonymous", -1, MAP_SHARED | MAP_ANONYMOUS,
		       info.size, page);
	ret |= measure("private anonymous", -1, MAP_PRIVATE | MAP_ANONYMOUS,
		       info.size, page);
	close(fd);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
