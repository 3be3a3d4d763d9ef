// SPDX-License-Identifier: GPL-2.0
/*
 * test_user_demo - user_demo as a user meets it: its exact output on every
 * run, its options, and one clear line and the right status for each error.
 * "test_user_demo host" runs the cases that need no device (option parsing);
 * with no argument it runs the cases that need the guest's module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

#define CHILD_READS "Child reads: "
#define GREETING CHILD_READS "Hello, child process!\n"

/* Room for a message of one page of the largest size (64 KiB on arm64). */
#define OUTPUT_MAX (65536 + 256)

struct result {
	int status; /* exit status, or -1 if it did not exit */
	char out[OUTPUT_MAX];
	char err[OUTPUT_MAX];
};

static const char *demo_path(void)
{
	const char *p = getenv("USER_DEMO");

	return p ? p : "/bin/user_demo";
}

static void slurp(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
}

/* Run user_demo with ARGS (NULL-terminated), as UID unless it is 0. */
static void run_demo(struct result *r, uid_t uid, const char *const args[])
{
	const char *argv[16] = { demo_path() };
	int out[2], err[2], status, i;
	pid_t pid;

	for (i = 0; i < 14 && args[i]; i++)
		argv[i + 1] = args[i];
	r->status = -1;
	r->out[0] = '\0';
	r->err[0] = '\0';
	if (pipe(out) < 0)
		return;
	if (pipe(err) < 0) {
		close(out[0]);
		close(out[1]);
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	slurp(out[0], r->out, sizeof(r->out));
	slurp(err[0], r->err, sizeof(r->err));
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
}

static bool expect_run(const char *const args[], int status, const char *out,
		       const char *err_has)
{
	struct result r;

	run_demo(&r, 0, args);
	if (!expect_eq(r.status, status, "exit status"))
		goto show;
	if (out && strcmp(r.out, out)) {
		diag("expected stdout \"%s\"", out);
		goto show;
	}
	if (err_has && !strstr(r.err, err_has)) {
		diag("expected stderr to contain \"%s\"", err_has);
		goto show;
	}
	if (!err_has && r.err[0]) {
		diag("expected an empty stderr");
		goto show;
	}
	return true;
show:
	diag("stdout: %s", r.out);
	diag("stderr: %s", r.err);
	return false;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ARGS ((const char *const[]){ NULL })

static bool test_help(void)
{
	struct result r;

	run_demo(&r, 0, ARGS("--help"));
	return expect_eq(r.status, 0, "exit status") &&
	       expect_eq(strncmp(r.out, "Usage: user_demo", 16), 0,
			 "usage on stdout") &&
	       expect_eq(strlen(r.err), 0, "nothing on stderr");
}

static bool test_version(void)
{
	/* debian/changelog's version, which the Makefile gives both programs. */
	static const char version[] = "user_demo " SHMDEMO_VERSION "\n";

	return expect_run(ARGS("--version"), 0, version, NULL) &&
	       expect_run(ARGS("-V"), 0, version, NULL);
}

static bool test_unknown_option(void)
{
	return expect_run(ARGS("--bogus"), 2, "",
			  "user_demo: unknown option '--bogus'\n") &&
	       expect_run(ARGS("--bogus=1"), 2, "",
			  "user_demo: unknown option '--bogus'\n") &&
	       expect_run(ARGS("-x"), 2, "",
			  "user_demo: unknown option '-x'\n") &&
	       expect_run(ARGS("-vx"), 2, "",
			  "user_demo: unknown option '-x'\n") &&
	       expect_run(ARGS("-x"), 2, "", "Try 'user_demo --help'");
}

static bool test_missing_argument(void)
{
	const char *message =
		"user_demo: option '--message' needs an argument\n";

	return expect_run(ARGS("--message"), 2, "", message) &&
	       expect_run(ARGS("-d"), 2, "",
			  "user_demo: option '-d' needs an argument\n") &&
	       expect_run(ARGS("-v", "--load"), 2, "",
			  "user_demo: option '--load' needs an argument\n");
}

static bool test_stray_argument(void)
{
	return expect_run(ARGS("hello"), 2, "",
			  "user_demo: unexpected argument 'hello'\n");
}

static bool test_default(void)
{
	return expect_run(NO_ARGS, 0, GREETING, NULL);
}

/*
 * A message of its own for every run: a child that read before its parent
 * wrote would print the previous run's message (or half of it) and fail.
 * On one CPU, with the child scheduled first after fork where the kernel
 * still offers that (sched_child_runs_first, gone with EEVDF in 6.6), a
 * child that did not wait would read first on every run.
 */
static bool test_every_run(void)
{
	const char *knob = "/proc/sys/kernel/sched_child_runs_first";
	char msg[32], want[64];
	cpu_set_t one;
	int i, fd;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (!expect_ok(sched_setaffinity(0, sizeof(one), &one),
		       "sched_setaffinity"))
		return false;
	fd = open(knob, O_WRONLY);
	if (fd < 0)
		diag("%s: %s: without it, a child that does not wait fails only by chance",
		     knob, strerror(errno));
	if (fd >= 0 && !expect_eq(write(fd, "1", 1), 1, knob))
		return false;
	for (i = 1; i <= 100; i++) {
		snprintf(msg, sizeof(msg), "run %d of 100", i);
		snprintf(want, sizeof(want), "Child reads: %s\n", msg);
		if (!expect_run(ARGS("-m", msg), 0, want, NULL))
			break;
	}
	if (fd >= 0) {
		if (write(fd, "0", 1) != 1)
			diag("%s: could not restore it", knob);
		close(fd);
	}
	return i > 100;
}

static bool test_message(void)
{
	return expect_run(ARGS("--message", "kernel pages!"), 0,
			  "Child reads: kernel pages!\n", NULL) &&
	       expect_run(ARGS("-m", ""), 0, CHILD_READS "\n", NULL);
}

static bool test_verbose(void)
{
	struct result r;
	char size[64];

	/* One page of the running kernel: 4096 or 16384 bytes, say. */
	snprintf(size, sizeof(size), "/dev/shmdemo: %ld bytes, seq ",
		 sysconf(_SC_PAGESIZE));
	run_demo(&r, 0, ARGS("-v"));
	if (expect_eq(r.status, 0, "exit status") &&
	    expect_eq(strcmp(r.out, GREETING), 0, "stdout") &&
	    strstr(r.err, size) && strstr(r.err, "user_demo: parent ") &&
	    strstr(r.err, "user_demo: child "))
		return true;
	diag("stderr: %s", r.err);
	return false;
}

#define TOO_LONG                                                               \
	"user_demo: message too long: it takes %ld bytes with its final NUL, " \
	"the buffer holds %ld; load the module with pages=2 or more to make "  \
	"it larger\n"

static bool test_message_sizes(void)
{
	struct result r;
	long page = sysconf(_SC_PAGESIZE);
	char *msg = malloc(page + 1), *want = malloc(page + 32);
	bool ok = false;

	if (!msg || !want)
		goto out;
	memset(msg, 'x', page - 1);
	msg[page - 1] = '\0';
	snprintf(want, page + 32, "Child reads: %s\n", msg);
	if (!expect_run(ARGS("-m", msg), 0, want, NULL))
		goto out;
	strcat(msg, "x");
	snprintf(want, page + 32, TOO_LONG, page + 1, page);
	/* That one line is all of stderr. */
	run_demo(&r, 0, ARGS("-m", msg));
	ok = expect_eq(r.status, 2, "exit status") &&
	     expect_eq(strcmp(r.err, want), 0, "stderr is that one line");
	if (!ok)
		diag("stderr: %s", r.err);
out:
	free(want);
	free(msg);
	return ok;
}

static bool test_missing_node(void)
{
	return expect_run(ARGS("--device", "/dev/shmdemo-missing"), 1, "",
			  "/dev/shmdemo-missing: no such device node");
}

static bool test_not_a_device(void)
{
	return expect_run(ARGS("--device", "/proc/version"), 1, "",
			  "SHMDEMO_IOC_INFO");
}

static bool test_permission_denied(void)
{
	struct result r;

	run_demo(&r, 65534, NO_ARGS);
	if (expect_eq(r.status, 1, "exit status") &&
	    strstr(r.err, "/dev/shmdemo: permission denied"))
		return true;
	diag("stderr: %s", r.err);
	return false;
}

/* Unload the module, or say why it stays. */
static bool unloaded(void)
{
	int err = module_unload();

	if (err && err != -ENOENT) {
		diag("unload: %s", strerror(-err));
		return false;
	}
	return true;
}

static bool test_not_loaded(void)
{
	return unloaded() &&
	       expect_run(NO_ARGS, 1, "", "module is not loaded") &&
	       expect_run(NO_ARGS, 1, "", "sudo insmod kmod/shmdemo.ko");
}

static bool test_load(void)
{
	return unloaded() &&
	       expect_run(ARGS("--load", module_path()), 0, GREETING, NULL) &&
	       expect_eq(module_loaded(), 1, "loaded by --load") &&
	       expect_run(ARGS("--load", module_path()), 0, GREETING, NULL);
}

static bool test_load_bad_path(void)
{
	return expect_run(ARGS("--load", "/nonexistent.ko"), 1, "",
			  "could not insert /nonexistent.ko");
}

static const struct test_case host_cases[] = {
	{ "user_demo --help prints the usage and exits 0", test_help },
	{ "user_demo --version", test_version },
	{ "an unknown option is a usage error (exit 2)", test_unknown_option },
	{ "an option without its argument is a usage error (exit 2)",
	  test_missing_argument },
	{ "a stray argument is a usage error (exit 2)", test_stray_argument },
};

static const struct test_case guest_cases[] = {
	{ "user_demo prints the greeting from the child", test_default },
	{ "user_demo prints its own message on every one of 100 runs",
	  test_every_run },
	{ "user_demo --message", test_message },
	{ "user_demo -v adds size, seq and pids on stderr", test_verbose },
	{ "a message of size - 1 bytes fits; one more is exit 2",
	  test_message_sizes },
	{ "a missing node is named (exit 1)", test_missing_node },
	{ "a node that is not shmdemo fails INFO (exit 1)", test_not_a_device },
	{ "a non-root user is told permission denied (exit 1)",
	  test_permission_denied },
	{ "module not loaded: says how to load it (exit 1)", test_not_loaded },
	{ "--load inserts the module, and accepts it loaded", test_load },
	{ "--load of a missing file fails (exit 1)", test_load_bad_path },
};

int main(int argc, char **argv)
{
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "host"))
		return run_cases(host_cases, ARRAY_SIZE(host_cases), 20);

	if (module_loaded())
		module_unload();
	err = module_load("");
	if (err < 0) {
		printf("Bail out! could not insert %s: %s\n", module_path(),
		       strerror(-err));
		return 1;
	}
	return run_cases(guest_cases, ARRAY_SIZE(guest_cases), 60);
}
