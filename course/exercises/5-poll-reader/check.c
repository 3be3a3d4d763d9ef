// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 5: the polling reader's checker, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it. The student's /bin/reader runs in the background, its output in a
 * pipe, while user_demo publishes messages, one run at a time, as the
 * exercise's "solved when" says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

struct reader {
	pid_t pid;
	int out; /* its standard output */
	char held[256]; /* what it printed and was not taken yet */
	size_t len;
};

static bool reader_start(struct reader *r)
{
	int pfd[2];

	if (pipe(pfd) < 0) {
		diag("pipe: %s", strerror(errno));
		return false;
	}
	r->len = 0;
	r->pid = fork();
	if (r->pid < 0) {
		diag("fork: %s", strerror(errno));
		return false;
	}
	if (r->pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execl("/bin/reader", "reader", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	r->out = pfd[0];
	return true;
}

/* Does PID map the device? */
static bool maps_device(pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, "/dev/shmdemo");
	free(line);
	fclose(f);
	return found;
}

/* Has the reader mapped the device? Then it has opened it, before. */
static bool reader_ready(struct reader *r)
{
	unsigned int i;

	for (i = 0; i < 5000 * time_scale(); i++) {
		if (maps_device(r->pid))
			return true;
		sleep_ms(1);
	}
	diag("reader never mapped /dev/shmdemo");
	return false;
}

static void reader_stop(struct reader *r)
{
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	close(r->out);
}

/*
 * The reader's next line, without its newline, into LINE: false if none
 * came within MS milliseconds, or the reader ended.
 */
static bool reader_line(struct reader *r, char *line, size_t size, int ms)
{
	struct pollfd pfd = { .fd = r->out, .events = POLLIN };
	char *nl;
	ssize_t n;

	while (!(nl = memchr(r->held, '\n', r->len))) {
		if (r->len == sizeof(r->held)) {
			diag("reader printed a line of %zu bytes or more",
			     r->len);
			return false;
		}
		if (poll(&pfd, 1, ms * time_scale()) <= 0)
			return false;
		n = read(r->out, r->held + r->len, sizeof(r->held) - r->len);
		if (n <= 0)
			return false;
		r->len += n;
	}
	*nl = '\0';
	snprintf(line, size, "%s", r->held);
	r->len -= nl + 1 - r->held;
	memmove(r->held, nl + 1, r->len);
	return true;
}

static bool publish(const char *msg)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "/bin/user_demo -m '%s' > /dev/null", msg);
	if (system(cmd) != 0) {
		diag("%s failed", cmd);
		return false;
	}
	return true;
}

/* Before any publication the reader sleeps in poll(), and prints nothing. */
static bool sleeps(void)
{
	struct reader r;
	char line[256];
	bool ok;

	if (!reader_start(&r))
		return false;
	ok = blocked_in(r.pid, SYS_poll);
	if (!ok)
		diag("reader does not sleep in poll() before the first publication");
	if (ok && reader_line(&r, line, sizeof(line), 500)) {
		diag("reader printed \"%s\" before any publication", line);
		ok = false;
	}
	reader_stop(&r);
	return ok;
}

/* Each publication's message printed once, in order, and nothing else. */
static bool prints(void)
{
	static const char *const msgs[] = { "first", "second", "third" };
	struct reader r;
	char line[256];
	size_t i;
	bool ok = true;

	if (!reader_start(&r))
		return false;
	/* A publication before its open is not news to it. */
	ok = reader_ready(&r);
	for (i = 0; ok && i < ARRAY_SIZE(msgs); i++) {
		ok = publish(msgs[i]);
		if (ok && !reader_line(&r, line, sizeof(line), 5000)) {
			diag("user_demo -m %s: reader printed nothing",
			     msgs[i]);
			ok = false;
		} else if (ok && strcmp(line, msgs[i])) {
			diag("user_demo -m %s: reader printed \"%s\"%s",
			     msgs[i], line,
			     i ? " (is POLLPRI cleared: TODO 2?)" : "");
			ok = false;
		}
	}
	if (ok && reader_line(&r, line, sizeof(line), 500)) {
		diag("reader printed \"%s\" again, with no new publication",
		     line);
		ok = false;
	}
	reader_stop(&r);
	return ok;
}

static const struct test_case cases[] = {
	{ "TODO 1: reader sleeps in poll() until a publication", sleeps },
	{ "TODO 2: each user_demo -m TEXT makes reader print TEXT, once",
	  prints },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
