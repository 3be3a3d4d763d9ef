// SPDX-License-Identifier: GPL-2.0
/*
 * user_demo - the parent/child mmap exercise, on a page the kernel owns
 *
 * The original exercise maps MAP_SHARED | MAP_ANONYMOUS memory, forks, and
 * lets the child read whenever the scheduler runs it, possibly before the
 * parent has written. Here the memory comes from /dev/shmdemo, and the
 * device also tells the child when the message is there:
 *
 *	open("/dev/shmdemo")      the device, instead of MAP_ANONYMOUS and -1
 *	SHMDEMO_IOC_INFO          how big its buffer is, and its seq counter
 *	mmap(MAP_SHARED, fd)      parent and child map the same kernel pages
 *	fork()
 *	  parent: strcpy, then SHMDEMO_IOC_NOTIFY (seq + 1, wakes the waiters)
 *	  child:  SHMDEMO_IOC_WAIT (sleeps until seq moves), then printf
 *
 *	$ ./user_demo
 *	Child reads: Hello, child process!
 *
 * Every run prints the message, as long as no other program uses the device
 * at the same time: its buffer and its NOTIFYs are shared by every opener.
 * Option parsing, --load and the error messages are in cli.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/shmdemo.h>
#include "cli.h"

/*
 * The child: sleep until the parent publishes, then print the message.
 * A parent that dies first never publishes: its death kills the child,
 * which would otherwise sleep on, holding the module, until someone else's
 * NOTIFY woke it to print their message. PARENT is checked once the signal
 * is armed, as the parent may have died before.
 */
static int child(int fd, const char *buf, size_t len, __u64 seen, pid_t parent,
		 bool verbose)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return fail("child: prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent) {
		fprintf(stderr, "%s: child: the parent died before writing\n",
			progname);
		return EXIT_FAILURE;
	}
	if (ioctl(fd, SHMDEMO_IOC_WAIT, &seen) < 0)
		return fail("child: SHMDEMO_IOC_WAIT");
	if (verbose)
		fprintf(stderr, "%s: child %d woke at seq %llu\n", progname,
			(int)getpid(), (unsigned long long)seen);
	printf("Child reads: %.*s\n", (int)strnlen(buf, len), buf);
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * The parent: write the message, publish it, and wait for the child. The
 * rest of the LEN bytes it mapped is zeroed, so that no tail of an earlier,
 * longer message stays behind its final NUL.
 */
static int parent(int fd, char *buf, size_t len, const char *message, pid_t pid,
		  bool verbose)
{
	size_t need = strlen(message) + 1;
	__u64 seq;

	memcpy(buf, message, need);
	memset(buf + need, 0, len - need);
	if (ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq) < 0) {
		fail("SHMDEMO_IOC_NOTIFY");
		kill(pid, SIGTERM);
		wait_child(pid);
		return EXIT_FAILURE;
	}
	if (verbose)
		fprintf(stderr, "%s: parent %d wrote %zu bytes, seq %llu\n",
			progname, (int)getpid(), need, (unsigned long long)seq);
	return wait_child(pid);
}

static int share_message(int fd, const struct options *opt)
{
	size_t need = strlen(opt->message) + 1;
	long page = sysconf(_SC_PAGESIZE);
	struct shmdemo_info info;
	pid_t pid, self = getpid();
	size_t len;
	char *buf;
	int ret;

	if (page <= 0)
		return fail("sysconf(_SC_PAGESIZE)");
	if (ioctl(fd, SHMDEMO_IOC_INFO, &info) < 0)
		return fail("%s: SHMDEMO_IOC_INFO", opt->device);
	if (need > info.size)
		return message_too_long(need, info.size, page);
	if (opt->verbose)
		fprintf(stderr, "%s: %s: %llu bytes, seq %llu\n", progname,
			opt->device, (unsigned long long)info.size,
			(unsigned long long)info.seq);

	/* Map only the pages the message needs. */
	len = (need + page - 1) / page * page;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		return fail("%s: mmap", opt->device);

	fflush(NULL); /* or the child inherits unwritten output */
	pid = fork();
	if (pid < 0)
		ret = fail("fork");
	else if (pid == 0)
		_exit(child(fd, buf, len, info.seq, self, opt->verbose));
	else
		ret = parent(fd, buf, len, opt->message, pid, opt->verbose);
	munmap(buf, len);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.message = "Hello, child process!",
		.device = "/dev/shmdemo",
	};
	int fd, ret;

	ret = parse_options(argc, argv, &opt);
	if (ret != PARSE_CONTINUE)
		return ret;
	if (opt.load && load_module(opt.load) < 0)
		return EXIT_FAILURE;

	fd = open(opt.device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return open_failed(opt.device, errno);
	ret = share_message(fd, &opt);
	close(fd);
	return ret;
}
