/* SPDX-License-Identifier: GPL-2.0 */
/*
 * user_demo's command line and error messages (cli.c): what the exercise in
 * user_demo.c needs from them.
 */
#ifndef USER_DEMO_CLI_H
#define USER_DEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define EXIT_USAGE 2
#define PARSE_CONTINUE (-1)

struct options {
	const char *message;
	const char *device;
	const char *load;
	bool verbose;
};

extern const char *progname;

/* Returns PARSE_CONTINUE, or the status to exit with. */
int parse_options(int argc, char **argv, struct options *opt);
/* Insert the module at PATH through libkmod; loaded already is fine. */
int load_module(const char *path);
/* Says why opening PATH failed with ERR, and how to fix it; returns 1. */
int open_failed(const char *path, int err);
/* Says how big the buffer is and how to make it larger; returns 2. */
int message_too_long(size_t need, unsigned long long size, size_t page);
/* "progname: WHAT: strerror(errno)" on stderr; returns 1. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reaps PID; returns its exit status, or 1 if it did not exit. */
int wait_child(pid_t pid);

#endif
