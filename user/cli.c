// SPDX-License-Identifier: GPL-2.0
/*
 * user_demo's command line, --load, and the error messages that say what
 * to do next. The exercise itself is in user_demo.c.
 *
 * libkmod is opened with dlopen, on --load and when the device is missing,
 * and never otherwise: linked, it and what it links (libcrypto, libzstd,
 * liblzma) would be loaded on every run, and the exercise's own path would
 * cost a third more than the program it replaces.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

#define USER_DEMO_VERSION SHMDEMO_VERSION /* make: debian/changelog */
/* The library's ABI, as its package (libkmod2) installs it. */
#define LIBKMOD_SONAME "libkmod.so.2"

const char *progname = "user_demo";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTION]...\n"
		"Share a message between a parent and its child through /dev/shmdemo.\n"
		"\n"
		"  -m, --message TEXT  message the parent writes (default: \"Hello, child process!\")\n"
		"  -d, --device PATH   device node to use (default: /dev/shmdemo)\n"
		"  -l, --load PATH.ko  insert the module first, unless it is loaded already\n"
		"  -v, --verbose       also print the buffer size, seq values and pids\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n"
		"Exit status: 0 when the child read the message, 1 on a failure,\n"
		"2 on a usage error.\n",
		progname);
}

static int usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	return EXIT_USAGE;
}

static const struct option longopts[] = {
	{ "message", required_argument, NULL, 'm' },
	{ "device", required_argument, NULL, 'd' },
	{ "load", required_argument, NULL, 'l' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char shortopts[] = ":m:d:l:vhV";

/* How many long options NAME (LEN bytes) abbreviates. */
static int long_matches(const char *name, size_t len)
{
	const struct option *o;
	int n = 0;

	for (o = longopts; o->name; o++)
		n += !strncmp(o->name, name, len);
	return n;
}

/*
 * Why getopt_long refused an option (C: ':' or '?'), naming the option as
 * the user typed it. A short one is optopt, wherever it sits in a cluster:
 * inside "-xv" getopt has not moved past the word yet, so argv[optind - 1]
 * may be the previous word. A refused long option always ends its word, and
 * glibc tells it apart: optopt is 0 when it is unknown or ambiguous, its
 * value when it lacks an argument (as a short one at the end of a word
 * does) or got one it does not take (which no short option can).
 */
static int bad_option(int c, char **argv)
{
	const char *word = argv[optind - 1];
	int len = (int)strcspn(word, "=");
	bool is_long = !strncmp(word, "--", 2) &&
		       (!optopt || c == ':' ||
			(optopt != ':' && strchr(shortopts, optopt)));
	char name[64];

	if (is_long)
		snprintf(name, sizeof(name), "%.*s", len, word);
	else
		snprintf(name, sizeof(name), "-%c", optopt);
	if (c == ':')
		return usage_error("option '%s' needs an argument", name);
	if (is_long && optopt)
		return usage_error("option '%s' takes no argument", name);
	if (is_long && long_matches(word + 2, len - 2) > 1)
		return usage_error("option '%s' is ambiguous", name);
	return usage_error("unknown option '%s'", name);
}

int parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			opt->message = optarg;
			break;
		case 'd':
			opt->device = optarg;
			break;
		case 'l':
			opt->load = optarg;
			break;
		case 'v':
			opt->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", progname, USER_DEMO_VERSION);
			return EXIT_SUCCESS;
		default:
			return bad_option(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return PARSE_CONTINUE;
}

/*
 * The libkmod calls user_demo makes, each typed by <libkmod.h>'s prototype,
 * resolved on first use. open_libkmod() fails, and dlerror() says why, when
 * the library or one of them is missing.
 */
static struct {
	__typeof__(kmod_new) *new;
	__typeof__(kmod_unref) *unref;
	__typeof__(kmod_set_log_priority) *set_log_priority;
	__typeof__(kmod_module_new_from_name) *module_new_from_name;
	__typeof__(kmod_module_new_from_path) *module_new_from_path;
	__typeof__(kmod_module_insert_module) *module_insert_module;
	__typeof__(kmod_module_get_initstate) *module_get_initstate;
	__typeof__(kmod_module_get_path) *module_get_path;
	__typeof__(kmod_module_unref) *module_unref;
} kmod;

static bool open_libkmod(void)
{
	const struct {
		const char *name;
		void **call;
	} calls[] = {
		{ "kmod_new", (void **)&kmod.new },
		{ "kmod_unref", (void **)&kmod.unref },
		{ "kmod_set_log_priority", (void **)&kmod.set_log_priority },
		{ "kmod_module_new_from_name",
		  (void **)&kmod.module_new_from_name },
		{ "kmod_module_new_from_path",
		  (void **)&kmod.module_new_from_path },
		{ "kmod_module_insert_module",
		  (void **)&kmod.module_insert_module },
		{ "kmod_module_get_initstate",
		  (void **)&kmod.module_get_initstate },
		{ "kmod_module_get_path", (void **)&kmod.module_get_path },
		{ "kmod_module_unref", (void **)&kmod.module_unref },
		{ NULL, NULL }
	};
	static bool opened;
	void *lib;
	size_t i;

	if (opened)
		return true;
	lib = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return false;
	for (i = 0; calls[i].name; i++) {
		*calls[i].call = dlsym(lib, calls[i].name);
		if (!*calls[i].call)
			return false;
	}
	opened = true;
	return true;
}

int load_module(const char *path)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err;

	if (!open_libkmod()) {
		fprintf(stderr, "%s: could not insert %s: %s\n", progname, path,
			dlerror());
		return -ELIBACC;
	}
	ctx = kmod.new(NULL, NULL);
	if (!ctx) {
		fprintf(stderr, "%s: could not create a libkmod context\n",
			progname);
		return -ENOMEM;
	}
	err = kmod.module_new_from_path(ctx, path, &mod);
	if (err < 0)
		goto out;
	err = kmod.module_insert_module(mod, 0, NULL);
	if (err == -EEXIST)
		err = 0;
out:
	if (err < 0)
		fprintf(stderr, "%s: could not insert %s: %s\n", progname, path,
			strerror(-err));
	kmod.module_unref(mod);
	kmod.unref(ctx);
	return err;
}

/*
 * Whether the module is loaded (LIVE) and whether modprobe can find it:
 * installed for the running kernel, as the Debian package or make install
 * put it, is a modules.dep entry. Without libkmod, neither.
 */
static void module_state(bool *loaded, bool *installed)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;

	*loaded = false;
	*installed = false;
	if (!open_libkmod())
		return;
	ctx = kmod.new(NULL, NULL);
	if (!ctx)
		return;
	kmod.set_log_priority(ctx, 0);
	if (kmod.module_new_from_name(ctx, "shmdemo", &mod) == 0) {
		*loaded = kmod.module_get_initstate(mod) == KMOD_MODULE_LIVE;
		*installed = kmod.module_get_path(mod);
	}
	kmod.module_unref(mod);
	kmod.unref(ctx);
}

/*
 * How to load the module, for the machine this runs on: modprobe where it
 * is installed, insmod of the build where it is not, and, for a user who
 * is not root (a student on a lab machine), whom to ask.
 */
static void not_loaded(bool installed)
{
	const char *ko = access("shmdemo.ko", F_OK) ? "kmod/shmdemo.ko" :
						      "shmdemo.ko";

	if (geteuid() && installed)
		fprintf(stderr,
			"%s: the shmdemo module is not loaded, and loading it takes root: ask your teacher (or whoever administers this machine) to run 'sudo modprobe shmdemo'\n",
			progname);
	else if (geteuid())
		fprintf(stderr,
			"%s: the shmdemo module is not loaded, and loading it takes root: ask your teacher (or whoever administers this machine) to load it, or on your own machine run 'sudo insmod %s'\n",
			progname, ko);
	else if (installed)
		fprintf(stderr,
			"%s: the shmdemo module is not loaded: load it with 'modprobe shmdemo'\n",
			progname);
	else
		fprintf(stderr,
			"%s: the shmdemo module is not loaded: load it with 'insmod %s', or run %s --load %s\n",
			progname, ko, progname, ko);
}

int open_failed(const char *path, int err)
{
	bool loaded = false, installed = false;

	if (err == ENOENT)
		module_state(&loaded, &installed);
	if (err == ENOENT && !loaded)
		not_loaded(installed);
	else if (err == ENOENT)
		fprintf(stderr,
			"%s: %s: no such device node (the module is loaded: is devtmpfs mounted on /dev?)\n",
			progname, path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr,
			"%s: %s: permission denied (run as root, or join the group that the udev rule of make install gives it to)\n",
			progname, path);
	else
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(err));
	return EXIT_FAILURE;
}

int message_too_long(size_t need, unsigned long long size, size_t page)
{
	fprintf(stderr,
		"%s: message too long: it takes %zu bytes with its final NUL, the buffer holds %llu; unload the module (rmmod shmdemo) and load it again with pages=%zu or more to make it larger\n",
		progname, need, size, (need + page - 1) / page);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	return EXIT_FAILURE;
}

int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return fail("waitpid");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "%s: child killed by signal %d\n", progname,
		WTERMSIG(status));
	return EXIT_FAILURE;
}
