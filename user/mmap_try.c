// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_try - try one mmap(2) of /dev/shmdemo from the shell
 *
 * Usage: mmap_try [-o OFFSET] [-p] [-t] [-x] LENGTH [COMMAND [ARG]...]
 *   -o OFFSET  map from this offset into the buffer (default 0)
 *   -p         MAP_PRIVATE instead of MAP_SHARED
 *   -t         touch every page, and print how much the page tables grew
 *              (VmPTE in /proc/self/status)
 *   -x         add PROT_EXEC
 *
 * Prints the call and its result the way strace does. On success it closes
 * the file descriptor, so that only the mapping holds the device, runs
 * COMMAND (if any) while the mapping lives, then unmaps:
 *
 *	$ ./mmap_try 8192
 *	mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) = -1 EINVAL (Invalid argument)
 *	$ ./mmap_try 4096 cat /sys/class/misc/shmdemo/mappings
 *	mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) = 0x7f2c9a1b2000
 *	1
 *
 * Exit status: 1 if open or mmap failed, else COMMAND's status (0 without).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"Usage: mmap_try [-o OFFSET] [-p] [-t] [-x] LENGTH [COMMAND [ARG]...]\n");
	return 2;
}

/* This process's page tables, in kB (VmPTE); -1 if unreadable. */
static long vmpte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Read a byte of every page of P, and say what the page tables cost. */
static void touch(const char *p, unsigned long len, long before)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long off;

	for (off = 0; off < len; off += page)
		(void)*(const volatile char *)(p + off);
	printf("touched %lu pages: page tables grew by %ld kB (VmPTE)\n",
	       len / page, vmpte_kb() - before);
}

/* Run ARGV while the caller's mapping lives; returns its exit status. */
static int run(char **argv)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("mmap_try: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "mmap_try: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("mmap_try: waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, fd, c, err;
	unsigned long offset = 0, len;
	bool touch_all = false;
	long before;
	char *end;
	void *p;

	while ((c = getopt(argc, argv, "+o:ptx")) != -1) {
		switch (c) {
		case 'o':
			offset = strtoul(optarg, &end, 0);
			if (*end)
				return usage();
			break;
		case 'p':
			flags = MAP_PRIVATE;
			break;
		case 't':
			touch_all = true;
			break;
		case 'x':
			prot |= PROT_EXEC;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	len = strtoul(argv[optind], &end, 0);
	if (*end)
		return usage();

	fd = open("/dev/shmdemo", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("mmap_try: /dev/shmdemo");
		return 1;
	}
	before = vmpte_kb();
	p = mmap(NULL, len, prot, flags, fd, (off_t)offset);
	err = errno;
	printf("mmap(NULL, %lu, PROT_READ|PROT_WRITE%s, %s, fd, %lu) = ", len,
	       prot & PROT_EXEC ? "|PROT_EXEC" : "",
	       flags == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE", offset);
	close(fd);
	if (p == MAP_FAILED) {
		printf("-1 %s (%s)\n", strerrorname_np(err), strerror(err));
		return 1;
	}
	printf("%p\n", p);
	if (touch_all)
		touch(p, len, before);
	c = argv[optind + 1] ? run(argv + optind + 1) : 0;
	munmap(p, len);
	return c;
}
