// SPDX-License-Identifier: GPL-2.0
/*
 * user_demo - the parent/child mmap exercise, on a page the kernel owns
 *
 * The parent maps /dev/shmdemo, forks, writes a message into the mapping and
 * publishes it with SHMDEMO_IOC_NOTIFY. The child sleeps in SHMDEMO_IOC_WAIT
 * until that publication and prints what it reads:
 *
 *	$ ./user_demo
 *	Child reads: Hello, child process!
 *
 * The classic version maps MAP_SHARED | MAP_ANONYMOUS memory and lets the
 * child read whenever the scheduler runs it, possibly before the parent has
 * written. Here the device both holds the memory and tells the child when
 * the message is there, so every run prints the message (as long as no other
 * program uses the device at the same time: its buffer and its NOTIFYs are
 * shared by every opener).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libkmod.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/shmdemo.h>

#define USER_DEMO_VERSION SHMDEMO_VERSION /* make: debian/changelog */
#define EXIT_USAGE 2
#define PARSE_CONTINUE (-1)

struct options {
	const char *message;
	const char *device;
	const char *load;
	bool verbose;
};

static const char *progname = "user_demo";

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

static int usage_error(const char *what)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n",
		progname, what, progname);
	return EXIT_USAGE;
}

/* Returns PARSE_CONTINUE, or the status to exit with. */
static int parse_options(int argc, char **argv, struct options *opt)
{
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
		case ':':
			return usage_error("an option needs an argument");
		default:
			return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	return PARSE_CONTINUE;
}

/* Insert PATH through libkmod, as insmod does; loaded already is fine. */
static int load_module(const char *path)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err;

	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		fprintf(stderr, "%s: could not create a libkmod context\n",
			progname);
		return -ENOMEM;
	}
	err = kmod_module_new_from_path(ctx, path, &mod);
	if (err < 0)
		goto out;
	err = kmod_module_insert_module(mod, 0, NULL);
	if (err == -EEXIST)
		err = 0;
out:
	if (err < 0)
		fprintf(stderr, "%s: could not insert %s: %s\n", progname, path,
			strerror(-err));
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return err;
}

static bool module_loaded(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	bool loaded = false;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return false;
	kmod_set_log_priority(ctx, 0);
	if (kmod_module_new_from_name(ctx, "shmdemo", &mod) == 0)
		loaded = kmod_module_get_initstate(mod) == KMOD_MODULE_LIVE;
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return loaded;
}

static int open_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int err = errno; /* libkmod, below, may change errno */

	if (fd >= 0)
		return fd;
	if (err == ENOENT && !module_loaded())
		fprintf(stderr,
			"%s: the shmdemo module is not loaded: load it with 'sudo insmod kmod/shmdemo.ko', or run %s --load kmod/shmdemo.ko\n",
			progname, progname);
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
	return -1;
}

/* The child: sleep until the parent publishes, then print the message. */
static int child(int fd, const char *buf, size_t len, __u64 seen, bool verbose)
{
	if (ioctl(fd, SHMDEMO_IOC_WAIT, &seen) < 0) {
		fprintf(stderr, "%s: child: SHMDEMO_IOC_WAIT: %s\n", progname,
			strerror(errno));
		return EXIT_FAILURE;
	}
	if (verbose)
		fprintf(stderr, "%s: child %d woke at seq %llu\n", progname,
			(int)getpid(), (unsigned long long)seen);
	printf("Child reads: %.*s\n", (int)strnlen(buf, len), buf);
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", progname,
				strerror(errno));
			return EXIT_FAILURE;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "%s: child killed by signal %d\n", progname,
		WTERMSIG(status));
	return EXIT_FAILURE;
}

/* The parent: write the message, publish it, and wait for the child. */
static int parent(int fd, char *buf, const char *message, pid_t pid,
		  bool verbose)
{
	__u64 seq;

	strcpy(buf, message);
	if (ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq) < 0) {
		fprintf(stderr, "%s: SHMDEMO_IOC_NOTIFY: %s\n", progname,
			strerror(errno));
		kill(pid, SIGTERM);
		wait_child(pid);
		return EXIT_FAILURE;
	}
	if (verbose)
		fprintf(stderr, "%s: parent %d wrote %zu bytes, seq %llu\n",
			progname, (int)getpid(), strlen(message) + 1,
			(unsigned long long)seq);
	return wait_child(pid);
}

static int run_demo(const struct options *opt, int fd)
{
	size_t need = strlen(opt->message) + 1;
	long page = sysconf(_SC_PAGESIZE);
	struct shmdemo_info info;
	size_t len;
	char *buf;
	pid_t pid;
	int ret;

	if (ioctl(fd, SHMDEMO_IOC_INFO, &info) < 0) {
		fprintf(stderr, "%s: %s: SHMDEMO_IOC_INFO: %s\n", progname,
			opt->device, strerror(errno));
		return EXIT_FAILURE;
	}
	if (need > info.size) {
		fprintf(stderr,
			"%s: the message takes %zu bytes with its final NUL, but the buffer holds %llu\n",
			progname, need, (unsigned long long)info.size);
		return usage_error("message too long");
	}
	if (opt->verbose)
		fprintf(stderr, "%s: %s: %llu bytes, seq %llu\n", progname,
			opt->device, (unsigned long long)info.size,
			(unsigned long long)info.seq);

	/* Map only the pages the message needs. */
	len = (need + page - 1) / page * page;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "%s: %s: mmap: %s\n", progname, opt->device,
			strerror(errno));
		return EXIT_FAILURE;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", progname, strerror(errno));
		ret = EXIT_FAILURE;
	} else if (pid == 0) {
		_exit(child(fd, buf, len, info.seq, opt->verbose));
	} else {
		ret = parent(fd, buf, opt->message, pid, opt->verbose);
	}
	munmap(buf, len);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.message = "Hello, child process!",
		.device = "/dev/shmdemo",
	};
	int fd, ret;

	ret = parse_options(argc, argv, &opt);
	if (ret != PARSE_CONTINUE)
		return ret;
	if (opt.load && load_module(opt.load) < 0)
		return EXIT_FAILURE;

	fd = open_device(opt.device);
	if (fd < 0)
		return EXIT_FAILURE;
	ret = run_demo(&opt, fd);
	close(fd);
	return ret;
}
