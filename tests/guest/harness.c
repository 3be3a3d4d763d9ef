// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * Why the running case skipped, or "": written by skip_case() in the case's
 * process, read by run_cases() in ours, so in memory both share.
 */
#define SKIP_WHY_MAX 256
static char *skip_why;

void skip_case(const char *why, ...)
{
	va_list ap;
	char *p;
	bool said = false;

	if (!skip_why) {
		diag("skip_case() called outside a case");
		exit(EXIT_FAILURE);
	}
	va_start(ap, why);
	vsnprintf(skip_why, SKIP_WHY_MAX, why, ap);
	va_end(ap);
	/* One TAP line: the reason may not break it. */
	for (p = skip_why; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
		said |= *p != ' ' && *p != '\t';
	}
	if (!said) {
		skip_why[0] = '\0';
		diag("the case skipped without saying why");
		fflush(stdout);
		_exit(EXIT_FAILURE);
	}
	fflush(stdout);
	_exit(EXIT_SUCCESS);
}

static bool run_case(const struct test_case *tc, unsigned int timeout_s)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		diag("fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(timeout_s);
		_exit(tc->fn() ? 0 : 1);
	}
	setpgid(pid, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* whatever the case left behind */
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		diag("timed out after %u s", timeout_s);
	else if (WIFSIGNALED(status))
		diag("killed by signal %d (%s)", WTERMSIG(status),
		     strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

unsigned int time_scale(void)
{
	const char *s = getenv("SHMDEMO_TIME_SCALE");
	unsigned long n = s ? strtoul(s, NULL, 10) : 1;

	return n ? n : 1;
}

int run_cases(const struct test_case *cases, size_t n, unsigned int timeout_s)
{
	size_t i, failed = 0;

	timeout_s *= time_scale();
	/* A case's orphans come back to us, to be killed and reaped with it. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	skip_why = mmap(NULL, SKIP_WHY_MAX, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skip_why == MAP_FAILED) {
		skip_why = NULL;
		diag("mmap: %s", strerror(errno)); /* no plan: the run fails */
		return EXIT_FAILURE;
	}

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		bool pass;

		skip_why[0] = '\0';
		pass = run_case(&cases[i], timeout_s);
		if (pass && skip_why[0])
			printf("ok %zu - %s # SKIP %s\n", i + 1, cases[i].name,
			       skip_why);
		else
			printf("%sok %zu - %s\n", pass ? "" : "not ", i + 1,
			       cases[i].name);
		fflush(stdout);
		failed += !pass;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

bool expect_errno(long ret, int want, const char *what)
{
	int got = errno;

	if (ret == -1 && got == want)
		return true;
	if (ret == -1)
		diag("%s: expected %s, got %s", what, strerrorname_np(want),
		     strerrorname_np(got));
	else
		diag("%s: expected %s, but it returned %ld", what,
		     strerrorname_np(want), ret);
	return false;
}

bool expect_ok(long ret, const char *what)
{
	if (ret != -1)
		return true;
	diag("%s: %s", what, strerror(errno));
	return false;
}

bool expect_eq(long long got, long long want, const char *what)
{
	if (got == want)
		return true;
	diag("%s: expected %lld, got %lld", what, want, got);
	return false;
}

const char *dev_path(void)
{
	const char *p = getenv("SHMDEMO_DEV");

	return p ? p : "/dev/shmdemo";
}

int dev_open(int flags)
{
	int fd = open(dev_path(), flags | O_CLOEXEC);

	if (fd < 0)
		diag("open %s: %s", dev_path(), strerror(errno));
	return fd;
}

struct shmdemo_info dev_info(int fd)
{
	struct shmdemo_info info = { 0 };

	if (ioctl(fd, SHMDEMO_IOC_INFO, &info) < 0)
		diag("SHMDEMO_IOC_INFO: %s", strerror(errno));
	return info;
}

const char *module_path(void)
{
	const char *p = getenv("SHMDEMO_KO");

	return p ? p : "kmod/shmdemo.ko";
}

/* Raw system calls, so that 32-bit builds need no 32-bit libkmod. */
/*
 * The shmdemo.NAME=VALUE words of the kernel command line, as modprobe
 * would pass them (make test-huge boots with shmdemo.huge=1), into BUF as
 * "NAME=VALUE ...", each followed by a space.
 */
static void cmdline_params(char *buf, size_t size)
{
	char line[4096], *word, *save;
	size_t len = 0;

	buf[0] = 0;
	if (read_file("/proc/cmdline", line, sizeof(line)) < 0)
		return;
	for (word = strtok_r(line, "\n ", &save); word;
	     word = strtok_r(NULL, "\n ", &save)) {
		if (strncmp(word, "shmdemo.", 8) || !strchr(word, '='))
			continue;
		len += snprintf(buf + len, size - len, "%s ", word + 8);
		if (len >= size) {
			buf[0] = 0;
			return;
		}
	}
}

void module_params(char *buf, size_t size, const char *params)
{
	/* The program's own parameters come last: they win. */
	cmdline_params(buf, size);
	strncat(buf, params ? params : "", size - strlen(buf) - 1);
}

int module_load(const char *params)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC), ret;
	char all[512];

	if (fd < 0)
		return -errno;
	module_params(all, sizeof(all), params);
	ret = syscall(SYS_finit_module, fd, all, 0);
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int module_unload(void)
{
	return syscall(SYS_delete_module, "shmdemo", O_NONBLOCK) < 0 ? -errno :
								       0;
}

bool module_teardown(const char *what)
{
	int err;

	if (!expect_eq(dev_attr("mappings"), 0, what))
		return false;
	err = module_unload();
	if (err)
		diag("unload: %s", strerror(-err));
	return err == 0;
}

bool module_loaded(void)
{
	char state[16];

	return read_file("/sys/module/shmdemo/initstate", state,
			 sizeof(state)) > 0 &&
	       !strcmp(state, "live\n");
}

long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, val, strlen(val));
		close(fd);
	}
	if (n == (ssize_t)strlen(val))
		return true;
	diag("write %s to %s: %s", val, path, strerror(errno));
	return false;
}

long dev_attr(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/class/misc/shmdemo/%s", name);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		diag("read %s: %s", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	return strtol(buf, NULL, 10);
}

/*
 * VmallocUsed, counted from /proc/vmallocinfo so as to leave out the module
 * loader's execmem areas: from 7.x it keeps a cache of them, 2 MiB at a
 * time, which it fills on a load and empties later from a work item.
 */
long vmalloc_used_kb(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	size_t cap = 0;
	char *line = NULL;
	long n = 0, lines = 0;

	if (!f) {
		diag("open /proc/vmallocinfo: %s", strerror(errno));
		exit(EXIT_FAILURE);
	}
	while (getline(&line, &cap, f) > 0) {
		const char *pages = strstr(line, " pages=");

		lines++;
		if (pages && strstr(line, " vmalloc") &&
		    !strstr(line, "execmem"))
			n += strtol(pages + 7, NULL, 10);
	}
	free(line);
	fclose(f);
	if (!lines) {
		diag("/proc/vmallocinfo is empty");
		exit(EXIT_FAILURE);
	}
	return n * (sysconf(_SC_PAGESIZE) / 1024);
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Is PID asleep in a system call whose number is NR, or, if NR is -1, in an
 * ioctl() of command CMD (whatever the call's number: a 32-bit test may
 * watch a 64-bit program)? From /proc/PID/syscall: "nr arg0 arg1 ...".
 */
static bool asleep_in(pid_t pid, long nr, unsigned long cmd)
{
	char path[64], buf[256];
	const char *state;
	unsigned long arg0, arg1 = 0;
	long got;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	n = sscanf(buf, "%ld %lx %lx", &got, &arg0, &arg1);
	if (n < (nr >= 0 ? 1 : 3))
		return false;
	if (nr >= 0 ? got != nr : arg1 != cmd)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	state = NULL;
	if (read_file(path, buf, sizeof(buf)) > 0)
		state = strrchr(buf, ')');
	return state && state[2] == 'S';
}

static bool wait_asleep(pid_t pid, long nr, unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < 10000 * time_scale(); i++) {
		if (asleep_in(pid, nr, cmd))
			return true;
		sleep_ms(1);
	}
	if (nr >= 0)
		diag("child %d never slept in system call %ld", (int)pid, nr);
	else
		diag("child %d never slept in ioctl 0x%lx", (int)pid, cmd);
	return false;
}

bool blocked_in(pid_t pid, long nr)
{
	return wait_asleep(pid, nr, 0);
}

bool blocked_in_ioctl(pid_t pid, unsigned long cmd)
{
	return wait_asleep(pid, -1, cmd);
}

bool child_passed(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	diag("child failed (status 0x%x)", status);
	return false;
}
