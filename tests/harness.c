// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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
	kill(-pid, SIGKILL);	/* whatever the case left behind */
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		diag("timed out after %u s", timeout_s);
	else if (WIFSIGNALED(status))
		diag("killed by signal %d (%s)", WTERMSIG(status),
		     strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* SHMDEMO_TIME_SCALE=N stretches every limit, for slow (debug) kernels. */
static unsigned int time_scale(void)
{
	const char *s = getenv("SHMDEMO_TIME_SCALE");
	unsigned long n = s ? strtoul(s, NULL, 10) : 1;

	return n ? n : 1;
}

int run_cases(const struct test_case *cases, size_t n, unsigned int timeout_s)
{
	size_t i, failed = 0;

	timeout_s *= time_scale();

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		bool pass = run_case(&cases[i], timeout_s);

		printf("%sok %zu - %s\n", pass ? "" : "not ", i + 1, cases[i].name);
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
	struct shmdemo_info info = { 0, 0 };

	if (ioctl(fd, SHMDEMO_IOC_INFO, &info) < 0)
		diag("SHMDEMO_IOC_INFO: %s", strerror(errno));
	return info;
}

const char *module_path(void)
{
	const char *p = getenv("SHMDEMO_KO");

	return p ? p : "kmod/shmdemo.ko";
}

/* Run FN on the shmdemo module: from its .ko file, or by name. */
static int with_module(bool from_path, int (*fn)(struct kmod_module *, const void *),
		       const void *arg)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, 0);
	if (from_path)
		err = kmod_module_new_from_path(ctx, module_path(), &mod);
	else
		err = kmod_module_new_from_name(ctx, "shmdemo", &mod);
	if (err == 0)
		err = fn(mod, arg);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return err;
}

static int do_insert(struct kmod_module *mod, const void *params)
{
	return kmod_module_insert_module(mod, 0, params);
}

static int do_remove(struct kmod_module *mod, const void *unused)
{
	(void)unused;
	return kmod_module_remove_module(mod, KMOD_REMOVE_NOWAIT);
}

static int do_initstate(struct kmod_module *mod, const void *unused)
{
	(void)unused;
	return kmod_module_get_initstate(mod);
}

static int do_refcnt(struct kmod_module *mod, const void *unused)
{
	(void)unused;
	return kmod_module_get_refcnt(mod);
}

int module_load(const char *params)
{
	return with_module(true, do_insert, params ? params : "");
}

int module_unload(void)
{
	return with_module(false, do_remove, NULL);
}

bool module_loaded(void)
{
	return with_module(false, do_initstate, NULL) == KMOD_MODULE_LIVE;
}

int module_refcnt(void)
{
	return with_module(false, do_refcnt, NULL);
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
