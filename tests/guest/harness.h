/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP harness for the shmdemo tests. Every case runs in a child
 * process of its own, in its own process group, under a time limit: a crash
 * or a hang (a lost wake-up, say) fails that case and the suite goes on.
 */
#ifndef SHMDEMO_TESTS_HARNESS_H
#define SHMDEMO_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/shmdemo.h>

struct test_case {
	const char *name;
	bool (*fn)(void);
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Run the cases in order, one TAP line each; returns the exit status.
 * Each case gets TIMEOUT_S seconds, times $SHMDEMO_TIME_SCALE if set.
 */
int run_cases(const struct test_case *cases, size_t n, unsigned int timeout_s);

/*
 * Called by a case that cannot run here: ends the case, which prints as
 * "ok N - name # SKIP why", counted as skipped, never as passed. WHY is a
 * printf format and must say something: a skip without a reason fails the
 * case.
 */
void skip_case(const char *why, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* SHMDEMO_TIME_SCALE=N stretches every limit, for slow (debug) kernels. */
unsigned int time_scale(void);

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The call returned -1 with errno WANT; says what it got otherwise. */
bool expect_errno(long ret, int want, const char *what);
/* The call returned something other than -1. */
bool expect_ok(long ret, const char *what);
bool expect_eq(long long got, long long want, const char *what);

/* The device: its node, opened with FLAGS; its size from SHMDEMO_IOC_INFO. */
const char *dev_path(void);
int dev_open(int flags);
struct shmdemo_info dev_info(int fd);

/*
 * The module, from $SHMDEMO_KO: 0 or a negative errno. module_load() puts
 * the kernel command line's shmdemo.NAME=VALUE words before PARAMS, as
 * modprobe would (make test-huge: shmdemo.huge=1); PARAMS win.
 * module_params() writes that string into BUF, for a load made another way.
 */
const char *module_path(void);
void module_params(char *buf, size_t size, const char *params);
int module_load(const char *params);
int module_unload(void);
bool module_loaded(void);
/*
 * A program's last step: no mapping of the device is left (sysfs mappings
 * is 0; WHAT names the count in the message if not), then the module
 * unloads. Says why it fails.
 */
bool module_teardown(const char *what);

/* Read the whole of a small file into BUF; -1 on error. */
long read_file(const char *path, char *buf, size_t size);

/* Write VAL to the file at PATH (a sysfs, debugfs or proc knob); says why not. */
bool write_file(const char *path, const char *val);

/*
 * The device's attribute /sys/class/misc/shmdemo/NAME, and the memory in
 * vmalloc areas in kB, less the module loader's (/proc/vmallocinfo).
 * Neither returns when it cannot read its value: it says why and exits,
 * failing the case that asked (a value of -1 would compare equal to
 * another -1 and pass a check that read nothing).
 */
long dev_attr(const char *name);
long vmalloc_used_kb(void);

void sleep_ms(long ms);
/*
 * Wait until PID sleeps inside system call NR (a number from
 * <sys/syscall.h>), so that what the test does next (a signal, a NOTIFY, a
 * kill) finds it there, however slow the machine. Says so if it never does.
 */
bool blocked_in(pid_t pid, long nr);
/* The same for an ioctl() of command CMD, whatever the program's ABI. */
bool blocked_in_ioctl(pid_t pid, unsigned long cmd);
/* Wait for a child and say whether it exited with status 0. */
bool child_passed(pid_t pid);

#endif /* SHMDEMO_TESTS_HARNESS_H */
