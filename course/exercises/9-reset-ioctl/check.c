// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 9: the RESET ioctl's checker, run in the guest
 * (tests/lanes/grade.sh) and built against the workspace's header. One case
 * per TODO of solution.patch, named after it. The module is loaded afresh
 * with pages=4 (tests/guest/device.c); the cases use the number the
 * exercise asks for, whatever the header says, so that each TODO is judged
 * on its own. make check's memory-model rule comes from the host: grade.sh
 * runs tests/litmus/code.sh on the workspace's module and leaves its verdict
 * in /etc/shmdemo/litmus-code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

#define RESET _IO(SHMDEMO_IOC_MAGIC, 6)
#define LITMUS_CODE "/etc/shmdemo/litmus-code"

static bool header(void)
{
#ifdef SHMDEMO_IOC_RESET
	if (SHMDEMO_IOC_RESET == RESET)
		return true;
	diag("SHMDEMO_IOC_RESET is %#lx, _IO(SHMDEMO_IOC_MAGIC, 6) is %#lx",
	     (unsigned long)SHMDEMO_IOC_RESET, (unsigned long)RESET);
	return false;
#else
	diag("kmod/uapi/linux/shmdemo.h defines no SHMDEMO_IOC_RESET");
	return false;
#endif
}

/* RESET on FD succeeds; says why not. */
static bool reset(int fd, const char *what)
{
	if (ioctl(fd, RESET) == 0)
		return true;
	diag("RESET %s: %s%s", what, strerror(errno),
	     errno == ENOTTY ? " (are TODO 1 and TODO 2 done?)" : "");
	return false;
}

/* tests/litmus/code.sh's verdict on the workspace's kmod/shmdemo.c. */
static bool litmus_rule(void)
{
	FILE *f = fopen(LITMUS_CODE, "r");
	char line[512];
	bool ok;

	if (!f) {
		diag("%s: %s", LITMUS_CODE, strerror(errno));
		return false;
	}
	ok = fgets(line, sizeof(line), f) && !strcmp(line, "holds\n");
	if (!ok) {
		diag("make check's memory-model rule fails (tests/litmus/code.sh):");
		diag("NOTIFY must stay the one write of shmdemo_seq");
		while (fgets(line, sizeof(line), f))
			diag("  %.*s", (int)strcspn(line, "\n"), line);
	}
	fclose(f);
	return ok;
}

static bool zeroes(void)
{
	int rw = dev_open(O_RDWR), ro = dev_open(O_RDONLY);
	bool ok;

	if (rw < 0 || ro < 0 || !dev_fill('x') || !notify(rw))
		return false;
	ok = reset(rw, "on an O_RDWR file") && dev_holds(0, "after RESET") &&
	     dev_fill('r') &&
	     expect_errno(ioctl(ro, RESET), EBADF,
			  "RESET on an O_RDONLY file") &&
	     dev_holds('r', "after a refused RESET");
	close(rw);
	close(ro);
	return litmus_rule() && ok;
}

/* PID, asleep in WAIT, exits with status 0 within 5 seconds. */
static bool woke(pid_t pid)
{
	int status, i;

	for (i = 0; i < 100 * (int)time_scale(); i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return true;
			diag("the process in WAIT woke with the wrong seq (status 0x%x)",
			     status);
			return false;
		}
		sleep_ms(50);
	}
	diag("a process asleep in WAIT at the RESET is still asleep");
	diag("does RESET wake the waiters, and does WAIT see seq 0?");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return false;
}

static bool counts_from_zero(void)
{
	int fd = dev_open(O_RDWR);
	__u64 seen;
	char *p;
	pid_t pid;

	if (fd < 0 || !notify(fd) || !notify(fd))
		return false;
	seen = dev_info(fd).seq;
	if (seen < 2) {
		diag("seq is %llu after two NOTIFYs", (unsigned long long)seen);
		return false;
	}
	/* A process asleep in WAIT at the RESET wakes with seq 0. */
	pid = fork();
	if (pid == 0) {
		__u64 s = seen;

		_exit(ioctl(fd, SHMDEMO_IOC_WAIT, &s) || s != 0);
	}
	if (!blocked_in_ioctl(pid, SHMDEMO_IOC_WAIT) || !reset(fd, "") ||
	    !woke(pid))
		return false;
	/* INFO and sysfs say 0, and this file has nothing new to poll. */
	if (!expect_eq(dev_info(fd).seq, 0, "INFO's seq after RESET") ||
	    !expect_eq(dev_attr("seq"), 0, "/sys/class/misc/shmdemo/seq") ||
	    !expect_eq(poll_pri(fd), 0, "POLLPRI after RESET and INFO"))
		return false;
	/* The next NOTIFY is 1; poll reports it until INFO, then no more. */
	if (!expect_eq(notify(fd), 1, "the first NOTIFY after RESET") ||
	    !expect_eq(poll_pri(fd), POLLPRI, "POLLPRI after that NOTIFY") ||
	    !expect_eq(dev_info(fd).seq, 1, "INFO's seq after it") ||
	    !expect_eq(poll_pri(fd), 0, "POLLPRI after INFO"))
		return false;
	/* And the handoff works from there. */
	p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	return handoff(fd, p, fd, p, 1, "after the reset");
}

/* Run COMMAND; its first line of output in LINE. */
static int run(const char *command, char *line, size_t len)
{
	FILE *out = popen(command, "r");

	line[0] = '\0';
	if (!out) {
		diag("popen %s: %s", command, strerror(errno));
		return -1;
	}
	if (!fgets(line, len, out))
		line[0] = '\0';
	while (getc(out) != EOF)
		;
	return pclose(out);
}

static bool program(void)
{
	char want[64], got[128];
	int status;

	if (!expect_eq(system("/bin/user_demo > /dev/null"), 0, "user_demo"))
		return false;
	status = run("/bin/shmdemo_reset", got, sizeof(got));
	snprintf(want, sizeof(want), "reset %zu bytes, seq 0\n", size);
	if (strcmp(got, want)) {
		diag("shmdemo_reset printed \"%.*s\", not \"%.*s\"",
		     (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"),
		     want);
		return false;
	}
	if (!expect_eq(status, 0, "shmdemo_reset's exit status") ||
	    !dev_holds(0, "after shmdemo_reset") ||
	    !expect_eq(dev_attr("seq"), 0, "/sys/class/misc/shmdemo/seq"))
		return false;
	status = run("/bin/user_demo -m again", got, sizeof(got));
	return expect_eq(status, 0, "user_demo after shmdemo_reset");
}

static const struct test_case cases[] = {
	{ "TODO 1: the header defines SHMDEMO_IOC_RESET as _IO(SHMDEMO_IOC_MAGIC, 6)",
	  header },
	{ "TODO 2: RESET zeroes the buffer, EBADF if O_RDONLY; NOTIFY writes seq alone",
	  zeroes },
	{ "TODO 3: after RESET, INFO, sysfs, NOTIFY, WAIT and poll count from 0",
	  counts_from_zero },
	{ "TODO 4: shmdemo_reset prints \"reset SIZE bytes, seq 0\"; user_demo works after",
	  program },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
