// SPDX-License-Identifier: GPL-2.0
/*
 * race - the seed's race, counted: run each PROGRAM N times, each run with
 * a message of its own, and count the runs whose child did not print that
 * message. seed_demo takes the message as its argument, user_demo as -m.
 *
 *	race N PROGRAM...
 *	seed_demo: 500 of 500 runs read no message
 *
 * The race gets a fair chance: this process and everything it starts run
 * on CPU 0 only (sched_setaffinity), so parent and child cannot run at
 * once, and where the kernel still has kernel.sched_child_runs_first
 * (CFS, up to 6.5), the child runs first after fork. A "# conditions:"
 * line says which of the two held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_FIRST "/proc/sys/kernel/sched_child_runs_first"

/* Run PROG with MSG; returns whether it printed exactly MSG as the child. */
static int read_message(const char *prog, const char *msg)
{
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	char out[512], want[256];
	size_t len = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (!strcmp(base, "user_demo"))
			execl(prog, prog, "-m", msg, (char *)NULL);
		else
			execl(prog, prog, msg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	snprintf(want, sizeof(want), "Child reads: %s\n", msg);
	return !strcmp(out, want);
}

/* kernel.sched_child_runs_first=1 if the kernel has it; says which. */
static const char *child_first(void)
{
	int fd = open(CHILD_FIRST, O_WRONLY);

	if (fd < 0)
		return "no kernel.sched_child_runs_first on this kernel";
	if (write(fd, "1", 1) != 1) {
		close(fd);
		return "kernel.sched_child_runs_first could not be set";
	}
	close(fd);
	return "kernel.sched_child_runs_first=1";
}

int main(int argc, char **argv)
{
	char msg[128];
	struct utsname un;
	cpu_set_t one;
	int runs = argc < 3 ? 0 : atoi(argv[1]);
	int i, p;

	if (runs < 1) {
		fprintf(stderr, "usage: race N PROGRAM...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	uname(&un);
	printf("# conditions on Linux %s: %s, %s\n", un.release,
	       sched_setaffinity(0, sizeof(one), &one) ?
		       "affinity to CPU 0 failed" :
		       "parent and child on CPU 0 (sched_setaffinity)",
	       child_first());
	for (p = 2; p < argc; p++) {
		const char *base = strrchr(argv[p], '/') ?
					   strrchr(argv[p], '/') + 1 :
					   argv[p];
		int missed = 0;

		for (i = 1; i <= runs; i++) {
			snprintf(msg, sizeof(msg), "%s run %d of %d", base, i,
				 runs);
			missed += !read_message(argv[p], msg);
		}
		printf("%s: %d of %d runs read no message\n", base, missed,
		       runs);
	}
	return 0;
}
