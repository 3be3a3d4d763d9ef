// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 7: the checker of NOTIFY carrying the length, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it. The module is loaded afresh with pages=4 (tests/guest/device.c); the
 * cases use the numbers the exercise asks for, whatever the header says, so
 * that a wrong header fails TODO 1 alone. The student's /bin/msglen runs
 * with the buffer full of 'X' first, so that a reader looking for a NUL
 * prints too much.
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
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* The ABI the exercise asks for, and the old one, as the tree has it. */
struct msg {
	__u64 seq;
	__u64 len;
};

#define NOTIFY_LEN _IOWR(SHMDEMO_IOC_MAGIC, 7, struct msg)
#define WAIT_LEN _IOWR(SHMDEMO_IOC_MAGIC, 8, struct msg)

#if defined(SHMDEMO_IOC_NOTIFY_LEN) && defined(SHMDEMO_IOC_WAIT_LEN)
static bool number(const char *name, unsigned long got, unsigned long want)
{
	if (got != want)
		diag("%s is %#lx, not %#lx", name, got, want);
	return got == want;
}
#endif

static bool header(void)
{
#if defined(SHMDEMO_IOC_NOTIFY_LEN) && defined(SHMDEMO_IOC_WAIT_LEN)
	/* The old numbers are an ABI: programs built against them run on. */
	return number("SHMDEMO_IOC_NOTIFY_LEN", SHMDEMO_IOC_NOTIFY_LEN,
		      NOTIFY_LEN) &
	       number("SHMDEMO_IOC_WAIT_LEN", SHMDEMO_IOC_WAIT_LEN, WAIT_LEN) &
	       number("SHMDEMO_IOC_INFO", SHMDEMO_IOC_INFO,
		      _IOR(SHMDEMO_IOC_MAGIC, 1, struct shmdemo_info)) &
	       number("SHMDEMO_IOC_NOTIFY", SHMDEMO_IOC_NOTIFY,
		      _IOR(SHMDEMO_IOC_MAGIC, 2, __u64)) &
	       number("SHMDEMO_IOC_WAIT", SHMDEMO_IOC_WAIT,
		      _IOWR(SHMDEMO_IOC_MAGIC, 3, __u64));
#else
	diag("kmod/uapi/linux/shmdemo.h lacks SHMDEMO_IOC_NOTIFY_LEN or SHMDEMO_IOC_WAIT_LEN");
	return false;
#endif
}

/* An ioctl of the new ABI; says why it failed, and which TODO may be why. */
static bool call(int fd, unsigned long cmd, struct msg *m, const char *what)
{
	if (ioctl(fd, cmd, m) == 0)
		return true;
	diag("%s: %s%s", what, strerror(errno),
	     errno == ENOTTY ? " (is TODO 4 done?)" : "");
	return false;
}

static __u64 seq_now(void)
{
	int fd = dev_open(O_RDONLY);
	__u64 seq = fd < 0 ? 0 : dev_info(fd).seq;

	if (fd >= 0)
		close(fd);
	return seq;
}

/*
 * NOTIFY_LEN publishes as NOTIFY does: seq + 1, returned, which the old
 * WAIT sees; a length past the buffer is refused and publishes nothing.
 */
static bool notify_len(void)
{
	int fd = dev_open(O_RDWR | O_NONBLOCK);
	__u64 before = seq_now(), seen = before;
	struct msg m = { .len = 5 };

	if (fd < 0 || !call(fd, NOTIFY_LEN, &m, "NOTIFY_LEN, len 5"))
		return false;
	if (!expect_eq(m.seq, before + 1, "NOTIFY_LEN's seq") ||
	    !expect_eq(seq_now(), before + 1, "INFO's seq after NOTIFY_LEN"))
		return false;
	if (!expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "the old WAIT") ||
	    !expect_eq(seen, before + 1, "the old WAIT's seq"))
		return false;
	m.len = size;
	if (!call(fd, NOTIFY_LEN, &m, "NOTIFY_LEN, len the buffer's size"))
		return false;
	m.len = size + 1;
	if (!expect_errno(ioctl(fd, NOTIFY_LEN, &m), EINVAL,
			  "NOTIFY_LEN, len the buffer's size + 1"))
		return false;
	close(fd);
	return expect_eq(seq_now(), before + 2,
			 "seq after a refused NOTIFY_LEN");
}

/*
 * WAIT_LEN sleeps until a NOTIFY_LEN and returns its seq and length; with
 * nothing new, on an O_NONBLOCK file, it fails with EAGAIN as WAIT does.
 */
static bool wait_len(void)
{
	int fd = dev_open(O_RDWR);
	__u64 before = seq_now();
	struct msg m = { .len = 3 };
	pid_t pid;

	if (fd < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct msg w = { .seq = before };

		if (ioctl(fd, WAIT_LEN, &w) < 0) {
			diag("child: WAIT_LEN: %s%s", strerror(errno),
			     errno == ENOTTY ? " (is TODO 4 done?)" : "");
			_exit(1);
		}
		if (w.seq != before + 1 || w.len != 3) {
			diag("child: WAIT_LEN returned seq %llu, len %llu, not seq %llu, len 3",
			     (unsigned long long)w.seq,
			     (unsigned long long)w.len,
			     (unsigned long long)before + 1);
			_exit(1);
		}
		_exit(0);
	}
	if (!blocked_in_ioctl(pid, WAIT_LEN)) {
		kill(pid, SIGKILL);
		child_passed(pid);
		return false;
	}
	if (!call(fd, NOTIFY_LEN, &m, "NOTIFY_LEN, len 3 (is TODO 2 done?)")) {
		kill(pid, SIGKILL);
		child_passed(pid);
		return false;
	}
	if (!child_passed(pid))
		return false;
	close(fd);
	fd = dev_open(O_RDONLY | O_NONBLOCK);
	m.seq = before + 1;
	return fd >= 0 &&
	       expect_errno(ioctl(fd, WAIT_LEN, &m), EAGAIN,
			    "WAIT_LEN on O_NONBLOCK with nothing new");
}

/*
 * The rules: publishing is writing, so NOTIFY_LEN on an O_RDONLY file is
 * EBADF and publishes nothing; WAIT_LEN is reading, and works there; the
 * old ABI works on beside the new (user_demo).
 */
static bool rules(void)
{
	int ro = dev_open(O_RDONLY | O_NONBLOCK), rw = dev_open(O_RDWR);
	__u64 before = seq_now();
	struct msg m = { .len = 4 };

	if (ro < 0 || rw < 0)
		return false;
	if (!expect_errno(ioctl(ro, NOTIFY_LEN, &m), EBADF,
			  "NOTIFY_LEN on an O_RDONLY file") ||
	    !expect_eq(seq_now(), before, "seq after a refused NOTIFY_LEN"))
		return false;
	if (!call(rw, NOTIFY_LEN, &m, "NOTIFY_LEN on an O_RDWR file"))
		return false;
	m.seq = before;
	m.len = 0;
	if (!call(ro, WAIT_LEN, &m, "WAIT_LEN on an O_RDONLY file") ||
	    !expect_eq(m.len, 4, "WAIT_LEN's len on an O_RDONLY file"))
		return false;
	if (system("/bin/user_demo -m old > /dev/null") != 0) {
		diag("user_demo, built against the old header, failed");
		return false;
	}
	close(ro);
	close(rw);
	return true;
}

/*
 * Fill the buffer with 'X', run /bin/msglen TEXT, its output (stdout and
 * stderr) into OUT; false if it did not end within 10 seconds (killed).
 */
static bool run_msglen(const char *text, char *out, size_t outsize, int *status)
{
	char *fill = malloc(size);
	int fd = dev_open(O_RDWR), pfd[2];
	struct pollfd p;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (!fill || fd < 0 || pipe(pfd) < 0)
		return false;
	memset(fill, 'X', size);
	if (!expect_eq(pwrite(fd, fill, size, 0), size, "filling the buffer"))
		return false;
	free(fill);
	close(fd);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execl("/bin/msglen", "msglen", text, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	p = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	while (n < outsize - 1 && poll(&p, 1, 10000 * time_scale()) > 0 &&
	       (r = read(pfd[0], out + n, outsize - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(pfd[0]);
	kill(-pid, SIGKILL); /* a program, or its child, still there */
	waitpid(pid, status, 0);
	return true;
}

/* msglen's parent: "hi" in the buffer, no NUL after it, length 2 published. */
static bool parent(void)
{
	__u64 before = seq_now();
	char out[512], at[3];
	struct msg m = { .seq = before };
	int status, fd;

	if (!run_msglen("hi", out, sizeof(out), &status))
		return false;
	fd = dev_open(O_RDONLY | O_NONBLOCK);
	if (fd < 0 || !expect_eq(pread(fd, at, 3, 0), 3, "pread"))
		return false;
	if (memcmp(at, "hiX", 3)) {
		diag("the buffer starts with \"%.3s\", not \"hiX\" (the text, no NUL)",
		     at);
		return false;
	}
	if (!expect_eq(seq_now(), before + 1, "seq after msglen hi"))
		return false;
	if (!call(fd, WAIT_LEN, &m,
		  "WAIT_LEN after msglen hi (is TODO 3 done?)"))
		return false;
	close(fd);
	return expect_eq(m.len, 2, "the length msglen hi published");
}

/* TEXT on one line, its newlines as \n, cut at 100 bytes, for a diagnostic. */
static const char *one_line(const char *text)
{
	static char buf[128];
	size_t n = 0;

	for (; *text && n < 100; text++) {
		if (*text == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *text;
		}
	}
	strcpy(buf + n, *text ? "..." : "");
	return buf;
}

/* msglen's child: the length it received, and exactly that many bytes. */
static bool child(void)
{
	const char *want =
		"msglen: child received 5 bytes\nChild reads: hello\n";
	char out[512];
	int status;

	if (!run_msglen("hello", out, sizeof(out), &status))
		return false;
	if (strcmp(out, want)) {
		diag("msglen hello printed \"%s\"", one_line(out));
		diag("and not \"%s\"", one_line(want));
		return false;
	}
	return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
			 "msglen's exit status");
}

static const struct test_case cases[] = {
	{ "TODO 1: struct shmdemo_msg, NOTIFY_LEN 7 and WAIT_LEN 8 (_IOWR), the old numbers kept",
	  header },
	{ "TODO 2: NOTIFY_LEN publishes as NOTIFY does; a length past the buffer is EINVAL",
	  notify_len },
	{ "TODO 3: WAIT_LEN sleeps until NOTIFY_LEN and returns its seq and length",
	  wait_len },
	{ "TODO 4: NOTIFY_LEN on O_RDONLY is EBADF, WAIT_LEN works there; user_demo still works",
	  rules },
	{ "TODO 5: msglen hi leaves \"hi\" and no NUL in the buffer, and publishes length 2",
	  parent },
	{ "TODO 6: msglen hello's child prints \"child received 5 bytes\" and exactly \"hello\"",
	  child },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
