// SPDX-License-Identifier: GPL-2.0
/*
 * init - PID 1 of the shmdemo test guest
 *
 * Mounts the pseudo filesystems, runs the commands the host listed in
 * /etc/shmdemo/job, checks the kernel log (its reports, and that no record
 * of it was lost) and the taint flags, prints the end marker the host waits
 * for, and powers off. The host trusts nothing but that marker: QEMU exits 0
 * even after a guest panic.
 *
 *	init --kmsg FILE [BUFFER_BYTES]
 *
 * checks a crafted dump of /dev/kmsg for lost records instead, on the host
 * (tests/host/test_reports.sh, make check).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <linux/random.h>
#include <termios.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAINT_OOT_MODULE (1UL << 12)
#define TAINT_UNSIGNED_MODULE (1UL << 13)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What the host asked for: one command a line, run in order. */
#define JOB_LIST "/etc/shmdemo/job"
/* The programs whose allocations fail on purpose (the fault sweep), if any. */
#define ALLOC_FAILURES "/etc/shmdemo/alloc-failures"
#define MAX_COMMS 8
/* make shell: this file makes the guest a shell session after the job. */
#define SHELL_MODE "/etc/shmdemo/shell"
/* make shell with stdin from a pipe or a file: the lines to run. */
#define SHELL_INPUT "/etc/shmdemo/input"
#define SHELL_HOME "/root"
/* make shell: what to run before the shell (load 9p, mount /src). */
#define SHELL_SETUP "/etc/shmdemo/setup"
/*
 * A saved guest's image (tests/lib/resume.sh): this script loads 9p; init
 * then waits for its job, which the host gives it after resuming it.
 */
#define RESUME_SETUP "/etc/shmdemo/resume"
#define JOB_MOUNT "/mnt/job"
static void mount_one(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) < 0 && errno != EBUSY)
		printf("# init: mount %s on %s: %s\n", type, dir,
		       strerror(errno));
}

static void mount_filesystems(void)
{
	static char module_path[256];
	struct utsname un;

	mount_one("proc", "/proc");
	mount_one("sysfs", "/sys");
	mount_one("devtmpfs", "/dev");
	mount_one("debugfs", "/sys/kernel/debug");
	mount_one("tmpfs", "/tmp");
	uname(&un);
	snprintf(module_path, sizeof(module_path),
		 "/lib/modules/%s/extra/shmdemo.ko", un.release);
	setenv("SHMDEMO_KO", module_path, 1);
	setenv("PATH", "/bin", 1);
	setenv("HOME", "/tmp", 1);
}

/*
 * Split LINE in place into at most MAX - 1 words, as sh would without
 * expansions: blanks separate words, '...' quotes literally, and a
 * backslash outside quotes takes the next character as it is. Returns the
 * number of words, or -1 for an unterminated quote.
 */
static int split_words(char *line, char **argv, int max)
{
	char *in = line, *out = line;
	int argc = 0;

	for (;;) {
		in += strspn(in, " \t\n");
		if (!*in || argc == max - 1)
			break;
		argv[argc++] = out;
		while (*in && !strchr(" \t\n", *in)) {
			if (*in == '\'') {
				char *end = strchr(in + 1, '\'');

				if (!end)
					return -1;
				memmove(out, in + 1, end - in - 1);
				out += end - in - 1;
				in = end + 1;
			} else if (*in == '\\' && in[1]) {
				*out++ = in[1];
				in += 2;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* Run one command line, split by split_words; returns its exit status. */
static int run(char *line)
{
	char *argv[32];
	int argc, status;
	pid_t pid;

	argc = split_words(line, argv, ARRAY_SIZE(argv));
	if (argc < 0) {
		printf("# init: unterminated quote\n");
		return 127;
	}
	if (!argc)
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		execv(argv[0], argv);
		printf("# init: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Every command of the job, each between markers the host can find. A job
 * that runs nothing fails, unless it is a make shell session.
 */
static int run_job(void)
{
	char line[1024], name[1024];
	FILE *f = fopen(JOB_LIST, "r");
	int status = 0, ret, ran = 0;

	if (!f) {
		printf("# init: %s: %s\n", JOB_LIST, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		strcpy(name, line);
		printf("shmdemo-guest: begin %s\n", name);
		ret = run(line);
		printf("shmdemo-guest: exit=%d %s\n", ret, name);
		if (ret)
			status = 1;
		ran++;
	}
	fclose(f);
	if (!ran && access(SHELL_MODE, F_OK) != 0) {
		printf("not ok - init ran no program: %s lists none\n",
		       JOB_LIST);
		status = 1;
	}
	return status;
}

static int report(int pass, const char *what)
{
	printf("%sok - %s\n", pass ? "" : "not ", what);
	return pass ? 0 : 1;
}

/*
 * The names (comm) of the programs listed in ALLOC_FAILURES; returns how
 * many. Without the file, none: every allocation failure report fails the
 * run.
 */
static int read_alloc_failures(char comms[][16])
{
	FILE *f = fopen(ALLOC_FAILURES, "r");
	char line[64];
	int n = 0;

	if (!f)
		return 0;
	while (n < MAX_COMMS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\n")] = '\0';
		if (line[0])
			snprintf(comms[n++], 16, "%.15s", line);
	}
	fclose(f);
	return n;
}

/* A kernel log line without its "<level>" and "[time stamp]" prefixes. */
static const char *log_message(const char *line)
{
	const char *start = line;

	if (*start == '<' && strchr(start, '>'))
		start = strchr(start, '>') + 1;
	if (*start == '[' && strchr(start, ']'))
		start = strchr(start, ']') + 1;
	return start + strspn(start, " ");
}

/*
 * The page allocator's report of a failed allocation, made by one of COMMS:
 * "<comm>: page allocation failure: ..." or "<comm>: vmalloc error: ...",
 * after the log level and the time stamp.
 */
static bool alloc_failure_report(const char *line, const char comms[][16],
				 int n)
{
	static const char *const what[] = {
		": page allocation failure: ",
		": vmalloc error: ",
	};
	const char *start = log_message(line);
	size_t i;
	int c;

	for (c = 0; c < n; c++) {
		size_t len = strlen(comms[c]);

		if (strncmp(start, comms[c], len))
			continue;
		for (i = 0; i < ARRAY_SIZE(what); i++)
			if (!strncmp(start + len, what[i], strlen(what[i])))
				return true;
	}
	return false;
}

/* A report's separator line: "------------[ cut here ]------------", "====". */
static bool report_rule(const char *line)
{
	const char *msg = log_message(line);

	return !strncmp(msg, "----", 4) || !strncmp(msg, "====", 4);
}

/*
 * Whether the report that began with FIRST ends with LINE. NEXT is the
 * rest of the log. A report ends after its last frame (</TASK>), with the
 * end-trace or rule line that follows it, if any; KASAN and KFENCE, whose
 * allocation and free stacks come after the Call Trace, end at their
 * closing rule.
 */
static bool report_ends(const char *first, const char *line, const char *next)
{
	const char *msg = log_message(line);
	char after[128];

	if (strstr(first, "KASAN") || strstr(first, "KFENCE"))
		return !strncmp(msg, "====", 4);
	if (strstr(msg, "---[ end trace") || !strncmp(msg, "====", 4))
		return true;
	if (!strstr(msg, "</TASK>"))
		return false;
	/* The end marker or rule after </TASK> belongs to the report. */
	snprintf(after, sizeof(after), "%.*s", (int)strcspn(next, "\n"), next);
	return !strstr(after, "---[ end trace") && !report_rule(after);
}

/* A report printed whole, but no longer than this. */
#define REPORT_MAX_LINES 400
/* How far back a Call Trace's header is looked for. */
#define REPORT_HEADER_LINES 16

/*
 * Print the header of a report whose first suspicious line is a Call Trace
 * (a stack dump: "NMI backtrace for cpu 0", then "CPU: 0 PID: ..."): from
 * the line before the last "CPU: " or "task:" line among the RECENT lines,
 * the newest last; nothing if there is none.
 */
static void print_trace_header(char *const *recent, int n)
{
	int i, from = -1;

	for (i = n - 1; i >= 0 && from < 0; i--) {
		const char *msg = log_message(recent[i]);

		if (!strncmp(msg, "CPU: ", 5) || !strncmp(msg, "task:", 5))
			from = i > 0 ? i - 1 : i;
	}
	for (i = from < 0 ? n : from; i < n; i++)
		printf("# kernel: %s\n", recent[i]);
}

/*
 * Any BUG, WARNING, Oops or Call Trace in the kernel log fails the run; so
 * does lockdep turning itself off. The one exception: the stack dump that
 * follows an allocation failure report of a program in ALLOC_FAILURES, up
 * to its </TASK>, may contain a Call Trace (nothing else on the list).
 * Each report found is printed whole, as "# kernel: " lines: from the rule
 * before it, if any, through its frames and Call Trace to its end.
 */
static int check_kernel_log(void)
{
	static const char *const bad[] = {
		"BUG:",
		"WARNING:",
		"Call Trace",
		"Oops",
		"kernel BUG",
		"general protection fault",
		"KASAN",
		"UBSAN",
		"KFENCE",
		"possible recursive locking",
		"circular locking",
		"suspicious RCU usage",
		"detected stall", /* RCU, before its stack dumps */
		"blocked for more than", /* a hung task, before its stack */
		"Kernel panic",
		"turning off the locking correctness validator",
	};
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char comms[MAX_COMMS][16], *log, *line, *save;
	char *recent[REPORT_HEADER_LINES];
	int found = 0, excused = 0, len, ncomms, dumped = 0, nrecent = 0;
	const char *first = NULL;
	bool in_report = false;
	size_t i;

	ncomms = read_alloc_failures(comms);
	log = size > 0 ? malloc(size + 1) : NULL;
	if (!log)
		return report(0, "kernel log readable");
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, size);
	if (len < 0)
		len = 0;
	log[len] = '\0';
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* Inside a report being printed: to its end. */
		if (first) {
			printf("# kernel: %s\n", line);
			if (report_ends(first, line, save) ||
			    ++dumped >= REPORT_MAX_LINES)
				first = NULL;
			continue;
		}
		if (alloc_failure_report(line, comms, ncomms))
			in_report = true;
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (!strstr(line, bad[i]))
				continue;
			if (in_report && !strcmp(bad[i], "Call Trace")) {
				excused++;
				break;
			}
			if (!strcmp(bad[i], "Call Trace"))
				print_trace_header(recent, nrecent);
			else if (nrecent && report_rule(recent[nrecent - 1]))
				printf("# kernel: %s\n", recent[nrecent - 1]);
			nrecent = 0;
			printf("# kernel: %s\n", line);
			if (!report_ends(line, line, save)) {
				first = line;
				dumped = 0;
			}
			found++;
			break;
		}
		if (strstr(line, "</TASK>"))
			in_report = false;
		if (nrecent == REPORT_HEADER_LINES) {
			nrecent--;
			memmove(recent, recent + 1, nrecent * sizeof(*recent));
		}
		recent[nrecent++] = line;
	}
	free(log);
	if (excused)
		printf("# kernel: %d Call Traces of expected allocation failures excepted\n",
		       excused);
	return report(len > 0 && !found,
		      "kernel log has no BUG, WARNING, Oops or Call Trace");
}

/* The kernel log's records: one per read(), in a buffer longer than any. */
#define KMSG "/dev/kmsg"
#define KMSG_RECORD_MAX 16384

/*
 * What a reader of the kernel log's records has seen. Each record carries a
 * sequence number: 0 for the boot's first, one more for each after it.
 */
struct kmsg_count {
	unsigned long long next; /* the sequence number due next */
	unsigned long long records; /* records read */
	unsigned long long bytes; /* their text, unescaped */
	int gaps; /* places where records are missing, or unreadable ones */
	int overwritten; /* reads that failed with EPIPE */
};

/*
 * Count one record, "PRIORITY,SEQUENCE,TIME,FLAGS[,...];TEXT" and its
 * dictionary lines (" KEY=VALUE"), TEXT's unprintable bytes written as
 * \xNN. A sequence number past the one due is a gap: the records between
 * were overwritten in the ring buffer before anyone read them.
 */
static void kmsg_record(struct kmsg_count *c, const char *rec)
{
	unsigned long long seq;
	const char *text = strchr(rec, ';');

	if (!text || sscanf(rec, "%*u,%llu,", &seq) != 1) {
		printf("# kmsg: a record without a sequence number: %.60s\n",
		       rec);
		c->gaps++;
		return;
	}
	if (seq > c->next) {
		printf("# kmsg: records %llu to %llu lost\n", c->next, seq - 1);
		c->gaps++;
	} else if (seq < c->next) {
		printf("# kmsg: record %llu after record %llu\n", seq,
		       c->next - 1);
		c->gaps++;
	}
	c->next = seq + 1;
	c->records++;
	for (text++; *text && *text != '\n'; text++, c->bytes++)
		if (text[0] == '\\' && text[1] == 'x' &&
		    isxdigit((unsigned char)text[2]) &&
		    isxdigit((unsigned char)text[3]))
			text += 3;
}

/* read() said EPIPE: the record due was overwritten while we read. */
static void kmsg_overwritten(struct kmsg_count *c)
{
	printf("# kmsg: read: %s: records overwritten before init read them\n",
	       strerror(EPIPE));
	c->overwritten++;
}

/* Every record /dev/kmsg has, from the oldest it still holds. */
static int read_kmsg(struct kmsg_count *c)
{
	static char rec[KMSG_RECORD_MAX];
	int fd = open(KMSG, O_RDONLY | O_NONBLOCK), err = 0;

	if (fd < 0) {
		printf("# init: %s: %s\n", KMSG, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n > 0) {
			rec[n] = '\0';
			kmsg_record(c, rec);
		} else if (n < 0 && errno == EPIPE) {
			kmsg_overwritten(c);
		} else if (n < 0 && errno != EINTR) {
			/* EAGAIN: no record left to read. */
			err = errno == EAGAIN ? 0 : errno;
			break;
		} else if (n == 0) {
			break;
		}
	}
	close(fd);
	if (err)
		printf("# init: read %s: %s\n", KMSG, strerror(err));
	return err ? -1 : 0;
}

/*
 * The same over FILE, a crafted dump of /dev/kmsg: a record a line as
 * read() gives it, dictionary lines (a blank first) skipped, and a line
 * "EPIPE" where read() would fail with EPIPE.
 */
static int read_kmsg_dump(struct kmsg_count *c, const char *file)
{
	static char line[KMSG_RECORD_MAX];
	FILE *f = fopen(file, "r");

	if (!f) {
		printf("# init: %s: %s\n", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "EPIPE\n"))
			kmsg_overwritten(c);
		else if (line[0] != ' ')
			kmsg_record(c, line);
	}
	fclose(f);
	return 0;
}

/*
 * No record of the kernel log may be lost before init reads it: a report in
 * a lost record would go unchecked. Reads /dev/kmsg (or DUMP, a crafted
 * copy of it) after check_kernel_log(), so that a complete log here means
 * that one was complete too. BUFFER is the log buffer's size in bytes.
 */
static int check_kmsg(const char *dump, long buffer)
{
	struct kmsg_count c = { 0 };
	int ret = dump ? read_kmsg_dump(&c, dump) : read_kmsg(&c);
	bool complete = !ret && c.records && !c.gaps && !c.overwritten;

	printf("# kmsg: %llu records, %llu bytes of text read", c.records,
	       c.bytes);
	if (buffer > 0)
		printf("; the log buffer holds %ld bytes", buffer);
	printf("\n");
	return report(complete, "kernel log complete: no record lost");
}

/* Taint beyond "out-of-tree" (O) and "unsigned" (E) fails the run. */
static int check_taint(void)
{
	unsigned long taint = ~0UL;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &taint) != 1)
			taint = ~0UL;
		fclose(f);
	}
	if (taint & ~(TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE))
		printf("# kernel taint: %lu\n", taint);
	return report(!(taint & ~(TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE)),
		      "kernel taint is at most out-of-tree and unsigned");
}

/* busybox poweroff, halt and reboot signal PID 1: each ends the session. */
static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * The terminal behind /dev/console (ttyS0 here): /dev/console itself cannot
 * be a controlling terminal.
 */
static const char *console_tty(void)
{
	static char path[64] = "/dev/console";
	char name[32];
	FILE *f = fopen("/sys/class/tty/console/active", "r");

	if (f && fscanf(f, "%31s", name) == 1)
		snprintf(path, sizeof(path), "/dev/%s", name);
	if (f)
		fclose(f);
	return path;
}

/*
 * The shell's standard input: the console, as its controlling terminal, so
 * that Ctrl-C and Ctrl-D work; or, when the host piped lines in, a pipe fed
 * from SHELL_INPUT (a pipe, not the file: busybox ash would seek a file).
 */
static int shell_stdin(bool piped)
{
	int fd, p[2];

	if (!piped) {
		fd = open(console_tty(), O_RDWR);
		if (fd >= 0 && ioctl(fd, TIOCSCTTY, 1) < 0)
			perror("# init: TIOCSCTTY");
		return fd;
	}
	fd = open(SHELL_INPUT, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pipe(p) < 0) {
		close(fd);
		return -1;
	}
	if (fork() == 0) {
		char buf[4096];
		ssize_t n;

		close(p[0]);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(p[1], buf, n) != n)
				break;
		_exit(0);
	}
	close(fd);
	close(p[1]);
	return p[0];
}

/*
 * make shell: an interactive busybox shell in SHELL_HOME, where the module
 * and the programs are; -v echoes piped lines after their prompt, so the
 * output reads as a transcript. Returns when the shell exits or when
 * poweroff, halt or reboot asks init to stop.
 */
static void run_shell(void)
{
	bool piped = access(SHELL_INPUT, F_OK) == 0;
	struct sigaction sa = { .sa_handler = request_stop };
	pid_t pid;

	sigaction(SIGUSR1, &sa, NULL); /* halt */
	sigaction(SIGUSR2, &sa, NULL); /* poweroff */
	sigaction(SIGTERM, &sa, NULL); /* reboot */
	if (access(SHELL_SETUP, F_OK) == 0) {
		char setup[] = "/bin/sh " SHELL_SETUP;

		run(setup);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd;

		setsid();
		fd = shell_stdin(piped);
		if (fd < 0) {
			perror("# init: the shell's input");
			_exit(127);
		}
		dup2(fd, 0);
		if (fd > 2)
			close(fd);
		signal(SIGUSR1, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		setenv("HOME", SHELL_HOME, 1);
		/*
		 * $PWD, not \w: busybox abbreviates $HOME to ~ in \w (trixie's
		 * 1.37, the host's busybox on Debian 13), and the guide's
		 * prompts say /root.
		 */
		setenv("PS1", "guest:$PWD# ", 1);
		if (chdir(SHELL_HOME) < 0)
			perror("# init: " SHELL_HOME);
		if (piped)
			execl("/bin/sh", "-sh", "-iv", "+m", (char *)NULL);
		else
			execl("/bin/sh", "-sh", "-i", (char *)NULL);
		perror("# init: /bin/sh");
		_exit(127);
	}
	while (pid > 0 && !stop_requested && waitpid(pid, NULL, 0) != pid)
		;
	if (stop_requested && pid > 0)
		kill(-pid, SIGKILL);
	printf("\n");
}

/*
 * The line the host sends a resumed guest: "go SECONDS NANOSECONDS SEED
 * LOGLEVEL ARCHIVE...", the host's time, 32 bytes of its entropy in hex,
 * the console's log level, and the job's cpio archives in the 9p export
 * "job". Read with the console's echo off, so that it is not shown.
 */
static int read_go_line(char *line, size_t size)
{
	struct termios saved, quiet;
	bool tty = tcgetattr(0, &saved) == 0;
	size_t n = 0;

	if (tty) {
		quiet = saved;
		quiet.c_lflag &= ~(ECHO | ECHONL);
		tcsetattr(0, TCSANOW, &quiet);
	}
	printf("shmdemo-guest: ready\n");
	fflush(stdout);
	while (n + 1 < size) {
		ssize_t got = read(0, line + n, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	return strncmp(line, "go ", 3) ? -1 : 0;
}

/* MemFree of /proc/meminfo, in kB; 0 if it cannot be read. */
static long mem_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Before the save: the page cache dropped, then the free memory taken in
 * zeroed pages and given back, so that it holds zeros, which the
 * migration stream writes as a mark, not a page. The saved state shrinks,
 * and a resume loads less. Taken in steps of ZERO_STEP while the free
 * memory stays well above the kernel's reserve (min_free_kbytes, which
 * THP raises to 45 MB on 1 GB): never so much that it would reclaim or
 * kill.
 */
#define ZERO_STEP (8L << 20)
/* Address space to reserve: more than any guest's memory, less than 3 GB on 32-bit. */
#define ZERO_SPAN ((size_t)1 << (sizeof(long) == 8 ? 40 : 30))
static void zero_free_memory(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
	long spare = 16L << 10, reserve = 0;
	size_t taken = 0, i;
	void *all;

	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	f = fopen("/proc/sys/vm/min_free_kbytes", "r");
	if (!f || fscanf(f, "%ld", &reserve) != 1) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	spare += 2 * reserve + (ZERO_STEP >> 10);
	/* One mapping grown in place, released at once. */
	all = mmap(NULL, ZERO_SPAN, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (all == MAP_FAILED)
		return;
	while (mem_free_kb() > spare && taken + ZERO_STEP <= ZERO_SPAN) {
		char *step = (char *)all + taken;

		if (mprotect(step, ZERO_STEP, PROT_READ | PROT_WRITE) < 0)
			break;
		/* A zero written to a new page leaves it zeroed. */
		for (i = 0; i < ZERO_STEP; i += 4096)
			((volatile char *)step)[i] = 0;
		taken += ZERO_STEP;
	}
	munmap(all, ZERO_SPAN);
}

/* A resumed guest is a new machine: the host's time, fresh entropy. */
static int freshen(long long sec, long nsec, const char *seed)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[32];
	} pool = { .info = { .entropy_count = 256, .buf_size = 32 } };
	struct timespec now = { .tv_sec = sec, .tv_nsec = nsec };
	int i, fd, ret = 0;

	for (i = 0; i < 32; i++)
		if (sscanf(seed + 2 * i, "%2hhx", &pool.buf[i]) != 1)
			return report(0, "the host's seed is 64 hex digits");
	if (clock_settime(CLOCK_REALTIME, &now) < 0)
		ret = report(0, "the clock set to the host's time");
	fd = open("/dev/urandom", O_WRONLY);
	/* RNDRESEEDCRNG: the generator takes the new seed now, not later. */
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &pool) < 0 ||
	    ioctl(fd, RNDRESEEDCRNG) < 0)
		ret = report(0, "the host's seed added to the entropy pool");
	if (fd >= 0)
		close(fd);
	return ret;
}

/* A field of a cpio "newc" header: 8 hex digits at OFFSET. */
static unsigned long cpio_field(const char *header, int offset)
{
	char hex[9];

	memcpy(hex, header + offset, 8);
	hex[8] = '\0';
	return strtoul(hex, NULL, 16);
}

/* Write SIZE bytes of DATA into a new regular file NAME of MODE. */
static int write_file(const char *name, mode_t mode, const char *data,
		      size_t size)
{
	int fd;

	unlink(name);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
	if (fd < 0)
		return -1;
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		data += n;
		size -= n;
	}
	if (fchmod(fd, mode & 07777) < 0 || size) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Unpack the cpio archive of SIZE bytes at ARC ("newc", as the host's
 * cpio -H newc writes it) into /: directories, regular files and symbolic
 * links, each replacing what was there. Done here rather than by busybox
 * cpio: a resumed guest runs every program's code for the first time
 * under TCG, and sh, cat and cpio took 0.15 s for 400 kB.
 */
static int unpack_cpio(const char *arc, size_t size, const char *what)
{
	size_t pos = 0, namesize, filesize;
	char name[4096], target[4096];
	mode_t mode;

	while (pos + 110 <= size && !memcmp(arc + pos, "070701", 6)) {
		mode = cpio_field(arc + pos, 14);
		filesize = cpio_field(arc + pos, 54);
		namesize = cpio_field(arc + pos, 94);
		if (!namesize || namesize > sizeof(name) ||
		    pos + 110 + namesize > size)
			break;
		memcpy(name, arc + pos + 110, namesize);
		name[namesize - 1] = '\0';
		pos = (pos + 110 + namesize + 3) & ~3UL;
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (pos + filesize > size)
			break;
		if (S_ISDIR(mode)) {
			if (mkdir(name, mode & 07777) < 0 && errno != EEXIST)
				goto fail;
		} else if (S_ISREG(mode)) {
			if (write_file(name, mode, arc + pos, filesize) < 0)
				goto fail;
		} else if (S_ISLNK(mode) && filesize < sizeof(target)) {
			memcpy(target, arc + pos, filesize);
			target[filesize] = '\0';
			unlink(name);
			if (symlink(target, name) < 0)
				goto fail;
		} else {
			printf("# init: %s: %s: not a directory, file or link\n",
			       what, name);
			return -1;
		}
		pos = (pos + filesize + 3) & ~3UL;
	}
	printf("# init: %s: not a whole cpio archive\n", what);
	return -1;
fail:
	printf("# init: %s: %s: %s\n", what, name, strerror(errno));
	return -1;
}

/* Read the file PATH whole and unpack it. */
static int unpack_file(const char *path)
{
	struct stat st;
	char *arc = NULL;
	size_t got = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;
	arc = malloc(st.st_size ? st.st_size : 1);
	if (!arc)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, arc + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += n;
	}
	ret = unpack_cpio(arc, got, path);
	free(arc);
	close(fd);
	return ret;
out:
	printf("# init: %s: %s\n", path, strerror(errno));
	free(arc);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The saved guest's wait: load 9p, say "ready" (the host saves the guest
 * here, the first time), then, resumed, take the go line, set the clock
 * and the entropy, and unpack the job's archives from the 9p export "job"
 * (mounted only now: a mounted export blocks the save).
 */
static int wait_for_job(void)
{
	char setup[] = "/bin/sh " RESUME_SETUP, line[1024], path[1200];
	char seed[80], *word, *save;
	long long sec;
	long nsec;
	int loglevel, n, status;
	FILE *f;

	run(setup);
	zero_free_memory();
	if (read_go_line(line, sizeof(line)) < 0 ||
	    sscanf(line, "go %lld %ld %79s %d %n", &sec, &nsec, seed, &loglevel,
		   &n) != 4)
		return report(0, "go TIME SEED LEVEL ARCHIVE... from the host");
	printf("shmdemo-guest: resumed\n");
	status = freshen(sec, nsec, seed);
	f = fopen("/proc/sys/kernel/printk", "w");
	if (f) {
		fprintf(f, "%d\n", loglevel);
		fclose(f);
	}
	mkdir("/mnt", 0755);
	mkdir(JOB_MOUNT, 0755);
	if (mount("job", JOB_MOUNT, "9p", MS_RDONLY,
		  "trans=virtio,version=9p2000.L,msize=262144") < 0)
		return report(0, "the job's 9p export mounted");
	for (word = strtok_r(line + n, " ", &save); word;
	     word = strtok_r(NULL, " ", &save)) {
		snprintf(path, sizeof(path), JOB_MOUNT "/%s", word);
		if (unpack_file(path) < 0)
			status |= report(0, "the job's archive unpacked");
	}
	umount(JOB_MOUNT);
	return status;
}

int main(int argc, char **argv)
{
	int status;

	if (argc >= 3 && !strcmp(argv[1], "--kmsg"))
		return check_kmsg(argv[2], argc > 3 ? atol(argv[3]) : -1);
	mount_filesystems();
	status = access(RESUME_SETUP, F_OK) ? 0 : wait_for_job();
	status |= run_job();
	if (access(SHELL_MODE, F_OK) == 0)
		run_shell();
	status |= check_kernel_log();
	status |= check_kmsg(NULL, klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */,
					   NULL, 0));
	status |= check_taint();

	printf("shmdemo-guest: end status=%d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
