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
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>
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

#define UNKNOWN(opt) "user_demo: unknown option '" opt "'\n"
#define NEEDS(opt) "user_demo: option '" opt "' needs an argument\n"
#define NO_ARG(opt) "user_demo: option '" opt "' takes no argument\n"

static bool test_unknown_long(void)
{
	return expect_run(ARGS("--bogus"), 2, "", UNKNOWN("--bogus")) &&
	       expect_run(ARGS("--bogus=1"), 2, "", UNKNOWN("--bogus")) &&
	       expect_run(ARGS("-v", "--bogus"), 2, "", UNKNOWN("--bogus")) &&
	       expect_run(ARGS("-x"), 2, "", "Try 'user_demo --help'");
}

static bool test_unknown_short(void)
{
	return expect_run(ARGS("-x"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("--verbose", "-x"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("-m", "hi", "-x"), 2, "", UNKNOWN("-x"));
}

/* Inside a cluster: first, in the middle, last; after a long option. */
static bool test_unknown_in_cluster(void)
{
	return expect_run(ARGS("-xv"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("-vxv"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("-vx"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("--verbose", "-xv"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("--message=hi", "-xv"), 2, "", UNKNOWN("-x")) &&
	       expect_run(ARGS("-v", "-vxv"), 2, "", UNKNOWN("-x"));
}

static bool test_missing_argument_long(void)
{
	return expect_run(ARGS("--message"), 2, "", NEEDS("--message")) &&
	       expect_run(ARGS("-v", "--load"), 2, "", NEEDS("--load")) &&
	       expect_run(ARGS("--mess"), 2, "", NEEDS("--mess"));
}

static bool test_missing_argument_short(void)
{
	return expect_run(ARGS("-d"), 2, "", NEEDS("-d")) &&
	       expect_run(ARGS("--verbose", "-d"), 2, "", NEEDS("-d")) &&
	       expect_run(ARGS("-vd"), 2, "", NEEDS("-d")) &&
	       expect_run(ARGS("--verbose", "-vm"), 2, "", NEEDS("-m"));
}

static bool test_long_takes_no_argument(void)
{
	return expect_run(ARGS("--verbose=1"), 2, "", NO_ARG("--verbose")) &&
	       expect_run(ARGS("-v", "--help=x"), 2, "", NO_ARG("--help"));
}

static bool test_ambiguous(void)
{
	return expect_run(ARGS("--ver"), 2, "",
			  "user_demo: option '--ver' is ambiguous\n");
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
	"the buffer holds %ld; unload the module (rmmod shmdemo) and load it " \
	"again with pages=2 or more to make it larger\n"

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

/* No tail of an earlier, longer message stays after the new one's NUL. */
static bool test_no_stale_tail(void)
{
	long page = sysconf(_SC_PAGESIZE), i;
	char *buf = malloc(page);
	int fd = dev_open(O_RDONLY);
	bool ok = false;

	if (!buf || fd < 0 ||
	    !expect_run(ARGS("-m", "a message longer than the next one"), 0,
			CHILD_READS "a message longer than the next one\n",
			NULL) ||
	    !expect_run(ARGS("-m", "hi"), 0, CHILD_READS "hi\n", NULL) ||
	    !expect_eq(pread(fd, buf, page, 0), page, "read the first page"))
		goto out;
	ok = expect_eq(memcmp(buf, "hi", 3), 0, "the message and its NUL");
	for (i = 3; ok && i < page; i++)
		ok = expect_eq(buf[i], 0, "a byte after the message");
	if (!ok)
		diag("byte %ld is not zero", i - 1);
out:
	free(buf);
	close(fd);
	return ok;
}

/*
 * Start user_demo -m orphan under ptrace and stop it as it forks, before it
 * writes and publishes. Returns its pid, and in *CHILD the child's, stopped
 * too (ptrace attached it); -1 on failure. This process is made the
 * orphan's reaper, so that it can wait for the child once the parent dies.
 */
static pid_t demo_stopped_at_fork(pid_t *child)
{
	unsigned long msg;
	int status;
	pid_t pid;

	if (!expect_ok(prctl(PR_SET_CHILD_SUBREAPER, 1),
		       "PR_SET_CHILD_SUBREAPER"))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0)
			_exit(127);
		/* Its child's "the parent died" stays out of the TAP stream. */
		dup2(null, 1);
		dup2(null, 2);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		kill(getpid(), SIGSTOP); /* for the tracer to set its options */
		execl(demo_path(), demo_path(), "-m", "orphan", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    !expect_ok(ptrace(PTRACE_SETOPTIONS, pid, NULL,
			      (void *)(PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL)),
		       "PTRACE_SETOPTIONS"))
		return -1;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	/* Stops before the fork: exec's SIGTRAP, which is not passed on. */
	while (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status)) {
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_FORK << 8))) {
			ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
			*child = (pid_t)msg;
			if (waitpid(*child, &status, __WALL) != *child)
				return -1;
			return pid;
		}
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
	diag("user_demo ended before it forked (status 0x%x)", status);
	return -1;
}

/* Kill the parent PID and reap it. */
static void kill_parent(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The orphaned CHILD must be gone within seconds, killed by SIGKILL (its
 * parent's death signal) or, if KILLED is false, exited with status 1 on
 * its own; the module then unloads, and is loaded again for the next cases.
 */
static bool orphan_gone(pid_t child, bool killed)
{
	unsigned int i;
	int status;

	for (i = 0; i < 1000 * time_scale(); i++) {
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		sleep_ms(10);
	}
	if (i == 1000 * time_scale()) {
		diag("the child %d outlived its parent", (int)child);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return false;
	}
	if (killed ? !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) :
		     !(WIFEXITED(status) && WEXITSTATUS(status) == 1)) {
		diag("the child ended with status 0x%x, expected %s", status,
		     killed ? "SIGKILL" : "exit status 1");
		return false;
	}
	return expect_eq(module_unload(), 0, "rmmod after the child went") &&
	       expect_eq(module_load(""), 0, "insmod again");
}

/* The parent dies while its child sleeps in WAIT: the child goes too. */
static bool test_orphan_waiting(void)
{
	pid_t child, pid = demo_stopped_at_fork(&child);

	if (pid < 0)
		return false;
	ptrace(PTRACE_DETACH, child, NULL, NULL);
	if (!blocked_in_ioctl(child, (unsigned int)SHMDEMO_IOC_WAIT)) {
		kill(child, SIGKILL);
		kill_parent(pid);
		return false;
	}
	kill_parent(pid);
	return orphan_gone(child, true);
}

/* The parent dies before its child runs at all: the child sees it at once. */
static bool test_orphan_at_fork(void)
{
	pid_t child, pid = demo_stopped_at_fork(&child);

	if (pid < 0)
		return false;
	kill_parent(pid);
	ptrace(PTRACE_DETACH, child, NULL, NULL);
	return orphan_gone(child, false);
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

/* user_demo run as UID exits 1 and says WANT on stderr. */
static bool says_as(uid_t uid, const char *want)
{
	struct result r;

	run_demo(&r, uid, NO_ARGS);
	if (expect_eq(r.status, 1, "exit status") && strstr(r.err, want))
		return true;
	diag("expected stderr to contain \"%s\"", want);
	diag("stderr: %s", r.err);
	return false;
}

#define ASK_TEACHER "loading it takes root: ask your teacher"

/* Not installed (the guest has no modules.dep.bin): insmod, or ask. */
static bool test_not_loaded(void)
{
	return unloaded() &&
	       says_as(0, "module is not loaded: load it with 'insmod ") &&
	       says_as(65534, ASK_TEACHER) && says_as(65534, "'sudo insmod ");
}

static void put_be32(FILE *f, uint32_t v)
{
	fputc(v >> 24, f);
	fputc(v >> 16 & 0xff, f);
	fputc(v >> 8 & 0xff, f);
	fputc(v & 0xff, f);
}

/*
 * A modules.dep.bin naming shmdemo, as depmod writes it for an installed
 * module: libkmod's index, version 2.1, of one node, prefix "shmdemo" and
 * the value "extra/shmdemo.ko:", its offset flagged PREFIX and VALUES.
 */
static bool write_moddep(const char *path)
{
	static const char value[] = "extra/shmdemo.ko:";
	FILE *f = fopen(path, "wx");

	if (!f) {
		diag("%s: %s (this case wants a guest without one)", path,
		     strerror(errno));
		return false;
	}
	put_be32(f, 0xb007f457);
	put_be32(f, 0x00020001);
	put_be32(f, 12 | 0x80000000u | 0x40000000u);
	fwrite("shmdemo", 1, sizeof("shmdemo"), f);
	put_be32(f, 1);
	put_be32(f, 0);
	fwrite(value, 1, sizeof(value), f);
	return fclose(f) == 0;
}

/* Installed for the running kernel: modprobe, or ask for it. */
static bool test_not_loaded_installed(void)
{
	struct utsname un;
	char path[256];
	bool ok;

	uname(&un);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep.bin",
		 un.release);
	if (!unloaded() || !write_moddep(path))
		return false;
	ok = says_as(0,
		     "module is not loaded: load it with 'modprobe shmdemo'") &&
	     says_as(65534, ASK_TEACHER) &&
	     says_as(65534, "to run 'sudo modprobe shmdemo'");
	unlink(path);
	return ok;
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
	{ "an unknown long option is named (exit 2)", test_unknown_long },
	{ "an unknown short option is named (exit 2)", test_unknown_short },
	{ "an unknown short option inside a cluster is named, not the word before",
	  test_unknown_in_cluster },
	{ "a long option without its argument is named (exit 2)",
	  test_missing_argument_long },
	{ "a short option without its argument is named, in a cluster too",
	  test_missing_argument_short },
	{ "a long option given an argument it does not take is named (exit 2)",
	  test_long_takes_no_argument },
	{ "an ambiguous abbreviation is named (exit 2)", test_ambiguous },
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
	{ "a new message leaves no tail of a longer one (cat shows none)",
	  test_no_stale_tail },
	{ "the parent killed while the child WAITs: the child goes, rmmod works",
	  test_orphan_waiting },
	{ "the parent killed before the child runs: the child goes, rmmod works",
	  test_orphan_at_fork },
	{ "a missing node is named (exit 1)", test_missing_node },
	{ "a node that is not shmdemo fails INFO (exit 1)", test_not_a_device },
	{ "a non-root user is told permission denied (exit 1)",
	  test_permission_denied },
	{ "module not loaded: insmod for root, ask your teacher for a user (exit 1)",
	  test_not_loaded },
	{ "module installed, not loaded: modprobe for root, ask for a user (exit 1)",
	  test_not_loaded_installed },
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
	/*
	 * A hang guard, not a speed test: the 100 runs took over 60 s with
	 * six guests beside other work on a 2-core TCG host.
	 */
	return run_cases(guest_cases, ARRAY_SIZE(guest_cases), 180);
}
