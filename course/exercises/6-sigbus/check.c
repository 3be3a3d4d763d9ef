// SPDX-License-Identifier: GPL-2.0
/*
 * make grade 6: the SIGBUS exercise's checker, run in the guest
 * (tests/lanes/grade.sh). One case per TODO of solution.patch, named after
 * it. The module is loaded afresh with pages=4 (tests/guest/device.c).
 * TODOs 1 and 2 are the same change on the two mmap paths, of which a
 * kernel builds one (modinfo's mmap_path names it): the other's case is a
 * skip, which make grade counts neither way. TODO 3, the program, is judged
 * against the module as it is: killed by SIGBUS where the module lets the
 * mapping grow, "mremap: Bad address" where it does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* Does the module map with .mmap_prepare? From its modinfo, in the file. */
static bool mmap_prepare(void)
{
	static const char tag[] = "mmap_path=mmap_prepare";
	FILE *f = fopen(module_path(), "r");
	char *ko;
	long len;
	bool found;

	if (!f) {
		diag("open %s: %s", module_path(), strerror(errno));
		exit(EXIT_FAILURE);
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ko = malloc(len);
	if (!ko || fread(ko, 1, len, f) != (size_t)len) {
		diag("read %s", module_path());
		exit(EXIT_FAILURE);
	}
	found = memmem(ko, len, tag, sizeof(tag));
	free(ko);
	fclose(f);
	return found;
}

/* The VmFlags of the mapping at P, from /proc/self/smaps, into FLAGS. */
static bool vm_flags(const void *p, char *flags, size_t size)
{
	char start[32], *line = NULL;
	size_t cap = 0;
	bool in = false, found = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return false;
	snprintf(start, sizeof(start), "%lx-", (unsigned long)p);
	while (!found && getline(&line, &cap, f) > 0) {
		if (strchr(line, '-') &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = !strncmp(line, start, strlen(start));
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			/* " rd wr sh ... ": a space each side of each flag. */
			line[strcspn(line, "\n")] = ' ';
			snprintf(flags, size, "%s", line + 8);
			found = true;
		}
	}
	free(line);
	fclose(f);
	if (!found)
		diag("no VmFlags for %p in /proc/self/smaps", p);
	return found;
}

static bool has_flag(const char *flags, const char *flag)
{
	char word[8];

	snprintf(word, sizeof(word), " %s ", flag);
	return strstr(flags, word);
}

/* Touching byte OFF of P, in a child: which signal killed it, 0 if none. */
static int touch(volatile char *p, size_t off)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		(void)p[off];
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * The module's side: a mapping of the whole buffer grows by a page with
 * mremap(MREMAP_MAYMOVE); the buffer's pages stay the buffer's, the new one
 * gives SIGBUS; VM_DONTDUMP stays; an mmap past the end is still refused;
 * and the mapping's count goes back to 0.
 */
static bool grows(bool on_prepare, const char *path)
{
	char flags[256], byte = 0;
	int fd;
	char *p, *q;
	int sig;
	bool ok;

	if (mmap_prepare() != on_prepare)
		skip_case("this kernel maps with .%s: KERNEL=%s judges %s",
			  on_prepare ? "mmap" : "mmap_prepare",
			  on_prepare ? "latest" : "6.1", path);
	fd = dev_open(O_RDWR);
	if (fd < 0)
		return false;
	p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		diag("mmap of %zu bytes: %s", size, strerror(errno));
		return false;
	}
	q = mremap(p, size, size + page, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		diag("mremap from %zu to %zu bytes: %s%s", size, size + page,
		     strerror(errno),
		     errno == EFAULT ? " (VM_DONTEXPAND is still set)" : "");
		munmap(p, size);
		close(fd);
		return false;
	}
	ok = vm_flags(q, flags, sizeof(flags));
	if (ok && has_flag(flags, "de")) {
		diag("VmFlags:%s- de (VM_DONTEXPAND) is still there", flags);
		ok = false;
	}
	if (ok && !has_flag(flags, "dd")) {
		diag("VmFlags:%s- dd (VM_DONTDUMP) is gone: keep it", flags);
		ok = false;
	}
	q[0] = 'g';
	ok = ok && expect_eq(pread(fd, &byte, 1, 0), 1, "pread") &&
	     expect_eq(byte, 'g', "byte 0, written through the grown mapping");
	sig = touch(q, size - 1);
	if (ok && sig) {
		diag("reading the buffer's last byte: signal %d (%s)", sig,
		     strsignal(sig));
		ok = false;
	}
	sig = touch(q, size);
	if (ok && sig != SIGBUS) {
		diag("reading the page past the buffer: %s, not SIGBUS",
		     sig > 0 ? strsignal(sig) : "no signal");
		ok = false;
	}
	munmap(q, size + page);
	ok = ok &&
	     expect_map_errno(fd, size + page, PROT_READ, MAP_SHARED, 0, EINVAL,
			      "mmap of a page more than the buffer");
	close(fd);
	return ok &&
	       expect_eq(dev_attr("mappings"), 0, "mappings after munmap");
}

static bool prepare_grows(void)
{
	return grows(true, ".mmap_prepare");
}

static bool mmap_grows(void)
{
	return grows(false, ".mmap");
}

/* /bin/grow's output (stdout and stderr) into OUT; its wait status. */
static int run_grow(char *out, size_t size)
{
	FILE *f = popen("exec /bin/grow 2>&1", "r");
	size_t n;

	if (!f) {
		diag("popen: %s", strerror(errno));
		return -1;
	}
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	/* One line, for the diagnostics. */
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	while (n--)
		if (out[n] == '\n')
			out[n] = '|';
	return pclose(f);
}

static bool program(void)
{
	int fd = dev_open(O_RDWR), status;
	bool may_grow;
	char out[512];
	void *p, *q;

	if (fd < 0)
		return false;
	/* What the module does, as the program will find it. */
	p = map(fd, size, PROT_READ, MAP_SHARED, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag("mmap: %s", strerror(errno));
		return false;
	}
	q = mremap(p, size, size + page, MREMAP_MAYMOVE);
	may_grow = q != MAP_FAILED;
	munmap(may_grow ? q : p, may_grow ? size + page : size);

	status = run_grow(out, sizeof(out));
	if (status == -1)
		return false;
	if (may_grow) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
			return true;
		diag("the mapping may grow: grow should die of SIGBUS (status 0x%x)",
		     status);
		diag("grow printed: %s", out);
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
	    strstr(out, "mremap: Bad address"))
		return true;
	diag("the mapping may not grow (VM_DONTEXPAND): grow should fail (status 0x%x)",
	     status);
	diag("with \"mremap: Bad address\"; it printed: %s", out);
	return false;
}

static const struct test_case cases[] = {
	{ "TODO 1: .mmap_prepare: mremap() grows a mapping, the page past the buffer gives SIGBUS",
	  prepare_grows },
	{ "TODO 2: .mmap: mremap() grows a mapping, the page past the buffer gives SIGBUS",
	  mmap_grows },
	{ "TODO 3: grow grows its mapping and touches the new page: SIGBUS, or mremap's EFAULT",
	  program },
};

int main(void)
{
	device_init();
	return device_run(cases, ARRAY_SIZE(cases));
}
