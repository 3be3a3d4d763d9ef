// SPDX-License-Identifier: GPL-2.0
/*
 * init - PID 1 of the shmdemo test guest
 *
 * Mounts the pseudo filesystems, runs the job named on the kernel command
 * line (shmdemo=run: load the module and run user_demo; shmdemo=test: run
 * the test programs), checks the kernel log and the taint flags, prints the
 * end marker the host waits for, and powers off. The host trusts nothing but
 * that marker: QEMU exits 0 even after a guest panic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAINT_OOT_MODULE	(1UL << 12)
#define TAINT_UNSIGNED_MODULE	(1UL << 13)

static char module_path[256];

static void mount_one(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) < 0 && errno != EBUSY)
		printf("# init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void mount_filesystems(void)
{
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

/* Run a program to completion; returns its exit status, or 128 + signal. */
static int run(char *const argv[])
{
	int status;
	pid_t pid;

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

static int load_module(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		printf("# init: %s: %s\n", module_path, strerror(errno));
		return -1;
	}
	ret = syscall(SYS_finit_module, fd, "", 0);
	if (ret < 0)
		printf("# init: could not insert %s: %s\n", module_path,
		       strerror(errno));
	close(fd);
	return ret;
}

/* shmdemo=run: what `make run` shows. */
static int run_demo(void)
{
	char *const demo[] = { "/bin/user_demo", NULL };
	int status;

	if (load_module() < 0)
		return 1;
	printf("shmdemo-guest: begin demo\n");
	status = run(demo);
	printf("shmdemo-guest: user_demo exit=%d\n", status);
	if (syscall(SYS_delete_module, "shmdemo", O_NONBLOCK) < 0) {
		printf("# init: could not remove shmdemo: %s\n", strerror(errno));
		status = status ? status : 1;
	}
	return status;
}

/* shmdemo=test: every test program, each printing TAP lines. */
static int run_tests(void)
{
	static const char *const programs[] = {
		"/bin/test_device", "/bin/test_user_demo", "/bin/test_lifecycle",
	};
	int status = 0;
	size_t i;

	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		char *const argv[] = { (char *)programs[i], NULL };
		int ret = run(argv);

		if (ret) {
			printf("# init: %s exited with status %d\n", programs[i], ret);
			status = 1;
		}
	}
	return status;
}

static int report(int pass, const char *what)
{
	printf("%sok - %s\n", pass ? "" : "not ", what);
	return pass ? 0 : 1;
}

/* Any BUG, WARNING, Oops or Call Trace in the kernel log fails the run. */
static int check_kernel_log(void)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "Call Trace", "Oops", "kernel BUG",
		"general protection fault", "KASAN", "UBSAN", "KFENCE",
		"possible recursive locking", "circular locking",
		"suspicious RCU usage", "Kernel panic",
	};
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log, *line, *save;
	int found = 0, len;
	size_t i;

	log = size > 0 ? malloc(size + 1) : NULL;
	if (!log)
		return report(0, "kernel log readable");
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, size);
	if (len < 0)
		len = 0;
	log[len] = '\0';
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(line, bad[i])) {
				printf("# kernel: %s\n", line);
				found++;
				break;
			}
		}
	}
	free(log);
	return report(len > 0 && !found,
		      "kernel log has no BUG, WARNING, Oops or Call Trace");
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

int main(void)
{
	const char *job = getenv("shmdemo");
	int status;

	mount_filesystems();
	if (job && !strcmp(job, "test"))
		status = run_tests();
	else
		status = run_demo();
	status |= check_kernel_log();
	status |= check_taint();

	printf("shmdemo-guest: end status=%d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
