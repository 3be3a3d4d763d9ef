// SPDX-License-Identifier: GPL-2.0
/*
 * test_device - the /dev/shmdemo contract: mmap rules, the ioctl ABI,
 * poll, and read/write/lseek, each with the errno it must give.
 * Loads the module with pages=4 (reloading it if it was loaded) so that
 * the buffer is fresh and spans several pages: tests/device.c, which also
 * holds the helpers below that map, poll and publish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "device.h"

/* arm64 has no poll system call: its libc's poll() calls ppoll. */
#ifdef SYS_poll
#define POLL_SYSCALL SYS_poll
#else
#define POLL_SYSCALL SYS_ppoll
#endif

static bool test_node(void)
{
	struct stat st;

	if (!expect_ok(stat(dev_path(), &st), "stat"))
		return false;
	return expect_eq(S_ISCHR(st.st_mode), 1, "is a character device") &&
	       expect_eq(st.st_mode & 07777, 0600, "mode");
}

static bool test_zeroed_at_load(void)
{
	char *buf = malloc(size);
	int fd = dev_open(O_RDONLY);
	bool ok = false;
	size_t i;

	if (!buf || fd < 0 ||
	    !expect_eq(pread(fd, buf, size, 0), size, "pread"))
		goto out;
	for (i = 0; i < size && !buf[i]; i++)
		;
	ok = i == size || expect_eq(buf[i], 0, "byte after load");
out:
	free(buf);
	return ok;
}

#define INFO_FILLED (SHMDEMO_INFO_SIZE | SHMDEMO_INFO_SEQ)

static bool test_info(void)
{
	int fd = dev_open(O_RDWR);
	struct shmdemo_info info = dev_info(fd);

	return expect_eq(info.size, NR_PAGES * page, "size") &&
	       expect_eq(info.mask, INFO_FILLED, "mask: size and seq filled") &&
	       expect_eq(sizeof(info), SHMDEMO_INFO_SIZE_VER1,
			 "sizeof(struct shmdemo_info)");
}

/*
 * INFO with a struct of USIZE bytes (SHMDEMO_IOC_INFO's number for that
 * size), filled with 0xff beforehand: the driver must write size and seq,
 * then the mask if it fits, and zero whatever the caller has beyond.
 */
static bool info_of_size(unsigned int usize)
{
	__u64 buf[6], want_mask = usize >= 24 ? INFO_FILLED : ~0ULL;
	unsigned int i, n = usize / 8;
	int fd = dev_open(O_RDWR);
	char what[48];

	memset(buf, 0xff, sizeof(buf));
	snprintf(what, sizeof(what), "INFO with a %u-byte struct", usize);
	if (!expect_ok(ioctl(fd, _IOC(_IOC_READ, SHMDEMO_IOC_MAGIC, 1, usize),
			     buf),
		       what) ||
	    !expect_eq(buf[0], size, "size") ||
	    !expect_eq(buf[1], dev_info(fd).seq, "seq") ||
	    !expect_eq(buf[2], want_mask, "mask, or untouched past the struct"))
		return false;
	for (i = 3; i < n; i++)
		if (!expect_eq(buf[i], 0, "a field the driver does not know"))
			return false;
	for (i = n > 3 ? n : 3; i < ARRAY_SIZE(buf); i++)
		if (!expect_eq(buf[i], ~0ULL, "past the caller's struct"))
			return false;
	return true;
}

/*
 * Every struct size: the first version's (16: size and seq, nothing written
 * past them), this one's (24: and the mask), a later, longer one's (32 and
 * 48: the unknown fields zeroed, the mask saying they were not filled), and
 * one shorter than the first version (8), refused with ENOTTY.
 */
static bool test_info_sizes(void)
{
	int fd = dev_open(O_RDWR);
	__u64 buf[2] = { 7, 7 };

	return info_of_size(SHMDEMO_INFO_SIZE_VER0) &&
	       info_of_size(SHMDEMO_INFO_SIZE_VER1) && info_of_size(32) &&
	       info_of_size(48) &&
	       expect_errno(ioctl(fd, _IOC(_IOC_READ, SHMDEMO_IOC_MAGIC, 1, 8),
				  buf),
			    ENOTTY, "INFO with an 8-byte struct") &&
	       expect_eq(buf[0], 7, "the 8-byte struct untouched");
}

static bool test_map_matches_read_write(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[6] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(pwrite(fd, "write", 6, page + 1), 6, "pwrite") ||
	    !expect_eq(strcmp(p + page + 1, "write"), 0,
		       "mapping sees write()"))
		return false;
	strcpy(p + 2 * page - 6, "store");
	return expect_eq(pread(fd, buf, 6, 2 * page - 6), 6, "pread") &&
	       expect_eq(strcmp(buf, "store"), 0, "read() sees the store");
}

static bool test_map_private(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, page, PROT_READ, MAP_PRIVATE, 0, EINVAL,
				"MAP_PRIVATE");
}

static bool test_map_length_zero(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, 0, PROT_READ, MAP_SHARED, 0, EINVAL,
				"length 0");
}

static bool test_map_outside(void)
{
	int fd = dev_open(O_RDWR);
	int rw = PROT_READ | PROT_WRITE;

	return expect_map_errno(fd, page, rw, MAP_SHARED, size, EINVAL,
				"offset at the end") &&
	       expect_map_errno(fd, page, rw, MAP_SHARED, size + page, EINVAL,
				"offset past the end") &&
	       expect_map_errno(fd, size + page, rw, MAP_SHARED, 0, EINVAL,
				"longer than the buffer") &&
	       expect_map_errno(fd, 2 * page, rw, MAP_SHARED, size - page,
				EINVAL, "crossing the end");
}

/*
 * A 64-bit process passes the byte offset, and the kernel's range check
 * sees it wrap (EOVERFLOW). A 32-bit one goes through mmap2, whose offset
 * is a page number: glibc truncates it to the last page number, which the
 * driver's own check refuses (EINVAL).
 */
static bool test_map_offset_overflow(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, 2 * page, PROT_READ, MAP_SHARED,
				-(off_t)page,
				sizeof(long) == 8 ? EOVERFLOW : EINVAL,
				"offset + length wraps");
}

static bool test_map_exec(void)
{
	int fd = dev_open(O_RDWR);

	return expect_map_errno(fd, page, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
				EPERM, "PROT_EXEC");
}

static bool test_mprotect_exec(void)
{
	int fd = dev_open(O_RDWR);
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	return expect_errno(mprotect(p, page, PROT_READ | PROT_EXEC), EACCES,
			    "mprotect(PROT_EXEC)");
}

static bool test_mremap_grow(void)
{
	int fd = dev_open(O_RDWR);
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0), *q;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	q = mremap(p, page, 2 * page, MREMAP_MAYMOVE);
	return expect_errno(q == MAP_FAILED ? -1 : 0, EFAULT, "mremap grow");
}

static bool test_mremap_shrink_move(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char *hole, *q;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "shrink");
	if (!expect_ok(mremap(p, 2 * page, page, 0) == MAP_FAILED ? -1 : 0,
		       "mremap shrink"))
		return false;
	/* Move it to a spot known to be free. */
	hole = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = mremap(p, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	if (!expect_ok(q == MAP_FAILED ? -1 : 0, "mremap move"))
		return false;
	return expect_eq(q == hole, 1, "moved to the new address") &&
	       expect_eq(strcmp(q, "shrink"), 0, "data after shrink and move");
}

static bool test_not_dumped(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	char head[64], line[256];
	bool in_vma = false, dd = false;
	FILE *f;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	snprintf(head, sizeof(head), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return expect_ok(-1, "/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head))) {
			in_vma = true;
		} else if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			dd = strstr(line, " dd");
			break;
		}
	}
	fclose(f);
	return expect_eq(in_vma, 1, "mapping in smaps") &&
	       expect_eq(dd, 1, "VmFlags has dd (not dumped)");
}

static bool test_madv_dontneed(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p + page, "kept");
	if (!expect_ok(madvise(p, 2 * page, MADV_DONTNEED), "MADV_DONTNEED"))
		return false;
	return expect_eq(strcmp(p + page, "kept"), 0, "data after refault");
}

static bool test_proc_mem(void)
{
	int fd = dev_open(O_RDWR), mem;
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "debug");
	madvise(p, page, MADV_DONTNEED); /* make the read fault it in */
	mem = open("/proc/self/mem", O_RDONLY);
	return expect_eq(pread(mem, buf, 6, (off_t)(unsigned long)p), 6,
			 "pread /proc/self/mem") &&
	       expect_eq(strcmp(buf, "debug"), 0,
			 "data through /proc/self/mem");
}

static bool test_outlives_close(void)
{
	int fd = dev_open(O_RDWR), fd2;
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	close(fd);
	strcpy(p, "after");
	fd2 = dev_open(O_RDONLY);
	return expect_eq(pread(fd2, buf, 6, 0), 6, "pread") &&
	       expect_eq(strcmp(buf, "after"), 0, "store after close(fd)");
}

static bool test_fork_shares(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "from parent");
	pid = fork();
	if (pid == 0)
		_exit(strcmp(p, "from parent") || !strcpy(p, "from child"));
	return child_passed(pid) && expect_eq(strcmp(p, "from child"), 0,
					      "parent sees the child's store");
}

static bool test_every_page_offset(void)
{
	int fd = dev_open(O_RDWR);
	size_t i;

	for (i = 0; i < NR_PAGES; i++) {
		unsigned int tag = 0x5a000000 + i;

		if (!expect_eq(pwrite(fd, &tag, sizeof(tag), i * page), 4,
			       "pwrite"))
			return false;
	}
	for (i = 0; i < NR_PAGES; i++) {
		unsigned int *p =
			map(fd, page, PROT_READ, MAP_SHARED, i * page);

		if (p == MAP_FAILED)
			return expect_ok(-1, "mmap at a page offset");
		if (!expect_eq(*p, 0x5a000000 + i,
			       "tag of the page at that offset"))
			return false;
		munmap(p, page);
	}
	return true;
}

static bool test_rdonly_fd(void)
{
	int fd = dev_open(O_RDONLY);
	void *p;

	if (!expect_map_errno(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			      EACCES, "O_RDONLY, PROT_WRITE"))
		return false;
	p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "O_RDONLY, PROT_READ");
	return expect_errno(mprotect(p, page, PROT_READ | PROT_WRITE), EACCES,
			    "mprotect(PROT_WRITE) of a read-only mapping");
}

static bool test_wronly_fd(void)
{
	int fd = dev_open(O_WRONLY);

	return expect_map_errno(fd, page, PROT_WRITE, MAP_SHARED, 0, EACCES,
				"O_WRONLY");
}

/* Read access may watch the device but not publish on it. */
static bool test_rdonly_notify(void)
{
	int fd = dev_open(O_RDONLY), rw = dev_open(O_RDWR);
	__u64 before = dev_info(rw).seq, arg = 12345;
	long sysfs_before = dev_attr("seq");

	return expect_errno(ioctl(fd, SHMDEMO_IOC_NOTIFY, &arg), EBADF,
			    "NOTIFY on O_RDONLY") &&
	       expect_eq(arg, 12345, "NOTIFY's argument untouched") &&
	       expect_eq(dev_info(rw).seq, before,
			 "seq after the refused NOTIFY") &&
	       expect_eq(dev_attr("seq"), sysfs_before,
			 "sysfs seq after the refused NOTIFY") &&
	       expect_eq(poll_pri(fd), 0, "no POLLPRI from the refused NOTIFY");
}

static bool test_wronly_notify(void)
{
	int fd = dev_open(O_WRONLY), rw = dev_open(O_RDWR);
	__u64 before = dev_info(rw).seq;

	return expect_eq(notify(fd), before + 1, "NOTIFY on O_WRONLY") &&
	       expect_eq(dev_info(rw).seq, before + 1, "INFO after it");
}

/* INFO, poll, WAIT, read and a read-only mapping all work on O_RDONLY. */
static bool test_rdonly_reader(void)
{
	/* The child waits on a file of its own: a shared one shares "seen". */
	int fd = dev_open(O_RDONLY), child_fd = dev_open(O_RDONLY);
	int rw = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	char *w = map(rw, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	__u64 seen = dev_info(fd).seq, seq = seen + 1;
	char buf[16] = "";

	if (p == MAP_FAILED || w == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(poll_pri(fd), 0, "poll before NOTIFY") ||
	    !handoff(child_fd, p, rw, w, seen, "for readers") ||
	    !expect_eq(poll_pri(fd), POLLPRI, "poll after NOTIFY") ||
	    !expect_eq(dev_info(fd).seq, seq, "INFO") ||
	    !expect_eq(poll_pri(fd), 0, "poll after INFO"))
		return false;
	seen = 0;
	return expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "WAIT") &&
	       expect_eq(seen, seq, "WAIT's value") &&
	       expect_eq(pread(fd, buf, 12, 0), 12, "read") &&
	       expect_eq(strcmp(buf, "for readers"), 0, "read's data");
}

static bool test_notify(void)
{
	int fd = dev_open(O_RDWR);
	__u64 before = dev_info(fd).seq;

	return expect_eq(notify(fd), before + 1, "NOTIFY's value") &&
	       expect_eq(dev_info(fd).seq, before + 1, "INFO after NOTIFY");
}

static bool test_wait_returns_at_once(void)
{
	int fd = dev_open(O_RDWR);
	__u64 cur = dev_info(fd).seq, seen = cur + 1000;

	return expect_ok(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), "WAIT") &&
	       expect_eq(seen, cur, "WAIT's value");
}

static bool test_wait_nonblock(void)
{
	int fd = dev_open(O_RDWR | O_NONBLOCK);
	__u64 seen = dev_info(fd).seq;

	return expect_errno(ioctl(fd, SHMDEMO_IOC_WAIT, &seen), EAGAIN,
			    "WAIT on O_NONBLOCK");
}

static bool test_wait_sleeps_until_notify(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	return handoff(fd, p, fd, p, dev_info(fd).seq, "published");
}

/* The handler tells the parent, through this pipe, that the signal landed. */
static int signal_pipe[2];

static void on_signal(int sig)
{
	char c = (char)sig;

	if (write(signal_pipe[1], &c, 1) != 1)
		_exit(3);
}

/*
 * A child WAITs with a SIGUSR1 handler installed with FLAGS; the parent
 * signals it once it sleeps. Under SA_RESTART, the parent waits for the
 * handler to have run, then for the child to sleep again in the restarted
 * call, and only then NOTIFYs: a WAIT that returned instead fails.
 */
static bool wait_with_signal(int flags, bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	int fd = dev_open(O_RDWR);
	__u64 seen = dev_info(fd).seq;
	char c;
	pid_t pid;

	if (!expect_ok(pipe(signal_pipe), "pipe"))
		return false;
	sigaction(SIGUSR1, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		__u64 s = seen;
		int ret;

		ret = ioctl(fd, SHMDEMO_IOC_WAIT, &s);
		if (restart)
			_exit(!expect_ok(ret, "WAIT under SA_RESTART") ||
			      !expect_eq(s, seen + 1, "WAIT's value"));
		_exit(!expect_errno(ret, EINTR, "WAIT interrupted"));
	}
	if (!blocked_in(pid, SYS_ioctl))
		return false;
	kill(pid, SIGUSR1);
	if (!expect_eq(read(signal_pipe[0], &c, 1), 1, "the handler ran"))
		return false;
	if (restart) {
		if (!blocked_in(pid, SYS_ioctl))
			return false;
		notify(fd);
	}
	return child_passed(pid);
}

static bool test_wait_eintr(void)
{
	return wait_with_signal(0, false);
}

static bool test_wait_sa_restart(void)
{
	return wait_with_signal(SA_RESTART, true);
}

/* write() never blocks, so poll says writable at once, on every file. */
static bool test_poll_writable(void)
{
	int fds[] = { dev_open(O_RDWR), dev_open(O_RDONLY),
		      dev_open(O_WRONLY) };
	int out = POLLOUT | POLLWRNORM, other = dev_open(O_RDWR);
	struct pollfd pfd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		pfd = (struct pollfd){ .fd = fds[i],
				       .events = POLLOUT | POLLWRNORM };
		if (!expect_eq(poll(&pfd, 1, 0), 1, "poll for writing") ||
		    !expect_eq(pfd.revents, out, "revents before NOTIFY"))
			return false;
	}
	notify(other);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN | POLLOUT };
	return expect_eq(poll(&pfd, 1, 0), 1, "poll after NOTIFY") &&
	       expect_eq(pfd.revents, POLLIN | POLLOUT,
			 "readable and writable after NOTIFY");
}

/*
 * POLLIN | POLLRDNORM always, on every file; POLLPRI from a NOTIFY until
 * INFO or WAIT reports it to this file, and read() does not clear it.
 */
static bool test_poll(void)
{
	int fds[] = { dev_open(O_RDWR), dev_open(O_RDONLY) };
	int fd = fds[0], other = dev_open(O_RDWR);
	short in = POLLIN | POLLRDNORM;
	unsigned int i;
	__u64 seen;
	char c;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (!expect_eq(poll_now(fds[i], in), in, "readable after open"))
			return false;
	if (!expect_eq(poll_pri(fd), 0, "no POLLPRI after open"))
		return false;
	notify(other);
	if (!expect_eq(poll_now(fd, in | POLLPRI), in | POLLPRI,
		       "POLLPRI and readable after NOTIFY") ||
	    !expect_eq(pread(fd, &c, 1, 0), 1, "read") ||
	    !expect_eq(poll_pri(fd), POLLPRI, "POLLPRI after read()"))
		return false;
	dev_info(fd);
	if (!expect_eq(poll_now(fd, in | POLLPRI), in,
		       "readable, no POLLPRI, after INFO"))
		return false;
	notify(other);
	seen = 0;
	ioctl(fd, SHMDEMO_IOC_WAIT, &seen);
	return expect_eq(poll_pri(fd), 0, "no POLLPRI after WAIT");
}

/* A child asks for POLLPRI and sleeps until the parent's NOTIFY. */
static bool test_poll_wakes(void)
{
	int fd = dev_open(O_RDWR);
	pid_t pid;

	dev_info(fd);
	pid = fork();
	if (pid == 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };

		_exit(poll(&pfd, 1, -1) != 1 || pfd.revents != POLLPRI);
	}
	if (!blocked_in(pid, POLL_SYSCALL))
		return false;
	notify(fd);
	return child_passed(pid);
}

static bool test_unknown_ioctl(void)
{
	int fd = dev_open(O_RDWR);
	__u64 arg = 0;

	return expect_errno(ioctl(fd, _IOR(SHMDEMO_IOC_MAGIC, 99, __u64), &arg),
			    ENOTTY, "unknown number") &&
	       expect_errno(ioctl(fd, _IOR('x', 1, __u64), &arg), ENOTTY,
			    "foreign magic") &&
	       expect_errno(ioctl(fd, _IOR(SHMDEMO_IOC_MAGIC, 1, __u32), &arg),
			    ENOTTY, "INFO with a struct shorter than 16 bytes");
}

static bool test_bad_pointers(void)
{
	int fd = dev_open(O_RDWR);
	/* An address with nothing mapped behind it. */
	void *bad =
		mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return expect_errno(ioctl(fd, SHMDEMO_IOC_INFO, NULL), EFAULT,
			    "INFO") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_INFO, bad), EFAULT, "INFO") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_NOTIFY, bad), EFAULT,
			    "NOTIFY") &&
	       expect_errno(ioctl(fd, SHMDEMO_IOC_WAIT, bad), EFAULT, "WAIT") &&
	       expect_errno(read(fd, bad, 16), EFAULT, "read") &&
	       expect_errno(write(fd, bad, 16), EFAULT, "write");
}

static bool test_read_edges(void)
{
	int fd = dev_open(O_RDONLY);
	char buf[64];

	return expect_eq(pread(fd, buf, sizeof(buf), size), 0,
			 "read at the end") &&
	       expect_eq(pread(fd, buf, sizeof(buf), size + 100), 0,
			 "read past the end") &&
	       expect_eq(pread(fd, buf, sizeof(buf), size - 10), 10,
			 "read across the end");
}

static bool test_write_edges(void)
{
	int fd = dev_open(O_RDWR);
	char buf[64] = "";

	return expect_errno(pwrite(fd, buf, sizeof(buf), size), ENOSPC,
			    "write at the end") &&
	       expect_errno(pwrite(fd, buf, sizeof(buf), size + 1), ENOSPC,
			    "write past the end") &&
	       expect_eq(pwrite(fd, buf, sizeof(buf), size - 10), 10,
			 "write across the end") &&
	       expect_eq(pwrite(fd, buf, 0, size), 0, "empty write at the end");
}

static bool test_lseek(void)
{
	int fd = dev_open(O_RDWR);

	return expect_eq(lseek(fd, 0, SEEK_END), size, "SEEK_END") &&
	       expect_eq(lseek(fd, -1, SEEK_END), size - 1, "SEEK_END - 1") &&
	       expect_eq(lseek(fd, 10, SEEK_SET), 10, "SEEK_SET") &&
	       expect_eq(lseek(fd, 5, SEEK_CUR), 15, "SEEK_CUR") &&
	       expect_errno(lseek(fd, 1, SEEK_END), EINVAL, "past the end") &&
	       expect_errno(lseek(fd, size + 1, SEEK_SET), EINVAL,
			    "SEEK_SET past the end") &&
	       expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "negative");
}

static const struct {
	const char *name;
	int mode;
} sysfs_attrs[] = { { "size", 0444 }, { "seq", 0400 }, { "mappings", 0400 } };

static void sysfs_path(char *path, size_t len, const char *name)
{
	snprintf(path, len, "/sys/class/misc/shmdemo/%s", name);
}

/* Read-only; size for everyone, seq and mappings for root only. */
static bool test_sysfs_modes(void)
{
	char path[128];
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysfs_attrs); i++) {
		sysfs_path(path, sizeof(path), sysfs_attrs[i].name);
		if (!expect_ok(stat(path, &st), path) ||
		    !expect_eq(st.st_mode & 07777, sysfs_attrs[i].mode, path) ||
		    !expect_errno(open(path, O_WRONLY), EACCES, path))
			return false;
	}
	return true;
}

/* A non-root user reads size; seq and mappings fail with EACCES. */
static bool test_sysfs_non_root(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char path[128], buf[32];
		unsigned int i;
		bool ok = true;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		for (i = 0; i < ARRAY_SIZE(sysfs_attrs); i++) {
			sysfs_path(path, sizeof(path), sysfs_attrs[i].name);
			if (sysfs_attrs[i].mode & 0004)
				ok &= expect_ok(read_file(path, buf,
							  sizeof(buf)),
						path);
			else
				ok &= expect_errno(open(path, O_RDONLY), EACCES,
						   path);
		}
		_exit(!ok);
	}
	return child_passed(pid);
}

static bool test_sysfs(void)
{
	int fd = dev_open(O_RDWR);
	long before = dev_attr("mappings");
	void *p = map(fd, page, PROT_READ, MAP_SHARED, 0);
	bool ok;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	ok = expect_eq(dev_attr("size"), size, "size") &&
	     expect_eq(dev_attr("seq"), dev_info(fd).seq, "seq") &&
	     expect_eq(dev_attr("mappings"), before + 1, "mappings after mmap");
	munmap(p, page);
	return ok &&
	       expect_eq(dev_attr("mappings"), before, "mappings after munmap");
}

/*
 * mappings counts VMAs: +1 per mmap, +1 per fork's copy and per split, the
 * same after mremap moves one, never moved by an mmap that failed.
 */
static bool test_mappings_count_vmas(void)
{
	int fd = dev_open(O_RDWR), go[2];
	long before = dev_attr("mappings");
	/* Where the mapping moves to: a hole of our own. */
	char *to = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char *p, *q;
	pid_t pid;
	bool ok;

	if (!expect_map_errno(fd, page, PROT_READ, MAP_PRIVATE, 0, EINVAL,
			      "MAP_PRIVATE") ||
	    !expect_map_errno(fd, page, PROT_READ, MAP_SHARED, size, EINVAL,
			      "past the end") ||
	    !expect_map_errno(fd, page, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
			      EPERM, "PROT_EXEC") ||
	    !expect_eq(dev_attr("mappings"), before, "after failed mmaps"))
		return false;
	p = map(fd, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	if (!expect_eq(dev_attr("mappings"), before + 1, "after mmap"))
		return false;
	if (pipe(go) < 0)
		return expect_ok(-1, "pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		_exit(read(go[0], &c, 1) != 1);
	}
	close(go[0]);
	/* The child is woken whatever the count: it must not outlive us. */
	ok = expect_eq(dev_attr("mappings"), before + 2, "with a child");
	ok = expect_eq(write(go[1], "x", 1), 1, "wake the child") && ok;
	close(go[1]);
	if (!ok || !child_passed(pid) ||
	    !expect_eq(dev_attr("mappings"), before + 1, "child gone"))
		return false;
	q = mremap(p, 3 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (q == MAP_FAILED)
		return expect_ok(-1, "mremap move");
	if (!expect_eq(dev_attr("mappings"), before + 1, "after mremap") ||
	    !expect_ok(munmap(q + page, page), "munmap of the middle") ||
	    !expect_eq(dev_attr("mappings"), before + 2, "after the split") ||
	    !expect_ok(munmap(q, 3 * page), "munmap of the rest"))
		return false;
	return expect_eq(dev_attr("mappings"), before, "after munmap");
}

static bool test_unrelated_openers(void)
{
	int a = dev_open(O_RDWR), b = dev_open(O_RDWR);
	char *pa = map(a, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char *pb = map(b, page, PROT_READ, MAP_SHARED, 0);

	if (pa == MAP_FAILED || pb == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(pa, "one buffer");
	return expect_eq(strcmp(pb, "one buffer"), 0, "second open sees it");
}

static bool test_partial_munmap(void)
{
	int fd = dev_open(O_RDWR);
	long before = dev_attr("mappings");
	char *p = map(fd, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	int status;
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "first");
	strcpy(p + 2 * page, "third");
	if (!expect_ok(munmap(p + page, page), "munmap of the middle page") ||
	    !expect_eq(dev_attr("mappings"), before + 2,
		       "mappings after the split"))
		return false;
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(p[page]); /* must fault */
	}
	if (!expect_eq(strcmp(p, "first"), 0, "first page") ||
	    !expect_eq(strcmp(p + 2 * page, "third"), 0, "third page"))
		return false;
	waitpid(pid, &status, 0);
	return expect_eq(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, 1,
			 "touching the unmapped page raises SIGSEGV");
}

static bool test_map_fixed(void)
{
	int fd = dev_open(O_RDWR);
	char *anon = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	memset(anon, 'A', 2 * page);
	if (!expect_eq(pwrite(fd, "fixed", 6, page), 6, "pwrite"))
		return false;
	p = mmap(anon, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 page);
	if (p == MAP_FAILED)
		return expect_ok(-1, "MAP_FIXED mmap");
	return expect_eq(p == anon, 1, "mapped at the fixed address") &&
	       expect_eq(strcmp(p, "fixed"), 0,
			 "device page replaced the old one") &&
	       expect_eq(anon[page], 'A', "the page after it untouched");
}

static bool test_process_vm_readv(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char buf[8] = "";
	struct iovec local = { buf, 7 }, remote;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	strcpy(p, "remote");
	madvise(p, page, MADV_DONTNEED); /* make the read fault it in */
	remote.iov_base = p;
	remote.iov_len = 7;
	return expect_eq(process_vm_readv(getpid(), &local, 1, &remote, 1, 0),
			 7, "process_vm_readv") &&
	       expect_eq(strcmp(buf, "remote"), 0, "data");
}

/* select(2) with FD in readfds and exceptfds: 'r', 'x' or "rx" if set. */
static const char *select_now(int fd)
{
	struct timeval tv = { 0, 0 };
	fd_set rfds, xfds;
	int ret;

	FD_ZERO(&rfds);
	FD_ZERO(&xfds);
	FD_SET(fd, &rfds);
	FD_SET(fd, &xfds);
	ret = select(fd + 1, &rfds, NULL, &xfds, &tv);
	if (ret < 0)
		return strerror(errno);
	if (FD_ISSET(fd, &rfds))
		return FD_ISSET(fd, &xfds) ? "rx" : "r";
	return FD_ISSET(fd, &xfds) ? "x" : "";
}

static bool expect_select(int fd, const char *want, const char *what)
{
	const char *got = select_now(fd);

	if (!strcmp(got, want))
		return true;
	diag("%s: select says \"%s\", expected \"%s\"", what, got, want);
	return false;
}

/* select: readable always; in exceptfds (POLLPRI) from NOTIFY until INFO. */
static bool test_select(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	pid_t pid;

	if (!expect_select(fd, "r", "after open"))
		return false;
	notify(other);
	if (!expect_select(fd, "rx", "after NOTIFY") ||
	    !expect_select(fd, "rx", "again, no INFO yet"))
		return false;
	dev_info(fd);
	if (!expect_select(fd, "r", "after INFO"))
		return false;

	/* A select() that sleeps on exceptfds alone wakes at a NOTIFY. */
	pid = fork();
	if (pid == 0) {
		struct timeval tv = { 10 * time_scale(), 0 };
		fd_set xfds;

		FD_ZERO(&xfds);
		FD_SET(fd, &xfds);
		_exit(select(fd + 1, NULL, NULL, &xfds, &tv) != 1);
	}
	sleep_ms(100);
	notify(other);
	return child_passed(pid);
}

static bool test_select_write(void)
{
	int fd = dev_open(O_RDWR);
	struct timeval tv = { 0, 0 };
	fd_set wfds;
	int ret;

	FD_ZERO(&wfds);
	FD_SET(fd, &wfds);
	ret = select(fd + 1, NULL, &wfds, NULL, &tv);
	return expect_ok(ret, "select for writing") &&
	       expect_eq(ret, 1, "select for writing, no timeout") &&
	       expect_eq(FD_ISSET(fd, &wfds), 1, "fd is writable");
}

static bool test_epoll_write(void)
{
	int fd = dev_open(O_RDWR);
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	return expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev),
			 "EPOLL_CTL_ADD") &&
	       expect_eq(epoll_wait(ep, &out, 1, 0), 1, "epoll for writing") &&
	       expect_eq(out.events, EPOLLOUT, "events");
}

#define ROUNDS 20

/*
 * Events epoll reports for FD (registered on EP) within TIMEOUT_MS, and
 * their mask in *EVENTS: epoll_wait is called until it returns nothing at
 * once, up to 10 times, so that a loop that would spin shows as 10.
 */
static int epoll_count(int ep, int timeout_ms, unsigned int *events)
{
	struct epoll_event out;
	int n = 0;

	*events = 0;
	while (n < 10) {
		int ret = epoll_wait(ep, &out, 1, n ? 0 : timeout_ms);

		if (ret < 0)
			diag("epoll_wait: %s", strerror(errno));
		if (ret <= 0)
			break;
		*events |= out.events;
		n++;
	}
	return n;
}

static int epoll_on(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		diag("epoll: %s", strerror(errno));
		return -1;
	}
	return ep;
}

/*
 * The loop the header recommends, level-triggered: wait for EPOLLPRI, answer
 * with INFO. One event per publication, none while nothing is published (a
 * loop that read() instead, or did nothing, would spin: 10 events), and one
 * for two publications made before it looked.
 */
static bool test_epoll_level(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLPRI);
	struct epoll_event ev;
	unsigned int events;
	__u64 seq;
	int i;

	if (ep < 0 || !expect_eq(epoll_count(ep, 0, &events), 0, "at first"))
		return false;
	for (i = 0; i < ROUNDS; i++) {
		seq = notify(i % 2 ? other : fd);
		if (!expect_eq(epoll_wait(ep, &ev, 1, 5000), 1,
			       "epoll_wait after NOTIFY") ||
		    !expect_eq(ev.events, EPOLLPRI, "EPOLLPRI") ||
		    !expect_eq(dev_info(fd).seq, seq, "INFO") ||
		    !expect_eq(epoll_count(ep, 0, &events), 0, "after INFO"))
			return false;
	}
	notify(other);
	seq = notify(other);
	if (!expect_eq(epoll_wait(ep, &ev, 1, 5000), 1,
		       "two NOTIFYs, then epoll_wait") ||
	    !expect_eq(dev_info(fd).seq, seq, "INFO sees the second") ||
	    !expect_eq(epoll_count(ep, 0, &events), 0, "after INFO"))
		return false;
	/* Level-triggered, the event stays until INFO: read() is no answer. */
	notify(other);
	return expect_eq(pread(fd, &(char){ 0 }, 1, 0), 1, "read") &&
	       expect_eq(epoll_count(ep, 0, &events), 10,
			 "read() leaves EPOLLPRI");
}

/*
 * Edge-triggered, EPOLLIN | EPOLLPRI: EPOLLIN once when registered (the
 * buffer is readable), then one event per NOTIFY whether or not the loop
 * answers with INFO, and none in between.
 */
static bool test_epoll_edge(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLIN | EPOLLPRI | EPOLLET);
	unsigned int events;
	int i;

	if (ep < 0 || !expect_eq(epoll_count(ep, 0, &events), 1, "at first") ||
	    !expect_eq(events, EPOLLIN, "EPOLLIN at first"))
		return false;
	for (i = 0; i < ROUNDS; i++) {
		notify(other);
		if (!expect_eq(epoll_count(ep, 5000, &events), 1,
			       "events for one NOTIFY") ||
		    !expect_eq(events, EPOLLIN | EPOLLPRI,
			       "EPOLLIN | EPOLLPRI"))
			return false;
		if (i % 2)
			dev_info(fd);
	}
	return true;
}

/* An epoll_wait that sleeps on EPOLLPRI wakes at a NOTIFY. */
static bool test_epoll_wakes(void)
{
	int fd = dev_open(O_RDWR), other = dev_open(O_RDWR);
	int ep = epoll_on(fd, EPOLLPRI);
	pid_t pid;

	if (ep < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct epoll_event out;

		_exit(epoll_wait(ep, &out, 1, 10000 * time_scale()) != 1 ||
		      out.events != EPOLLPRI);
	}
	sleep_ms(100);
	notify(other);
	return child_passed(pid);
}

static bool test_persists_across_open(void)
{
	int fd = dev_open(O_RDWR);
	char buf[8] = "";

	if (!expect_eq(pwrite(fd, "stays", 6, 3 * page), 6, "pwrite"))
		return false;
	close(fd);
	fd = dev_open(O_RDONLY);
	return expect_eq(pread(fd, buf, 6, 3 * page), 6, "pread") &&
	       expect_eq(strcmp(buf, "stays"), 0, "data after close and open");
}

static bool test_notify_wakes_all(void)
{
	int fd = dev_open(O_RDWR), i;
	__u64 seen = dev_info(fd).seq;
	pid_t pids[16];
	bool ok = true;

	for (i = 0; i < 16; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			__u64 s = seen;

			_exit(ioctl(fd, SHMDEMO_IOC_WAIT, &s) || s != seen + 1);
		}
	}
	for (i = 0; i < 16; i++)
		if (!blocked_in(pids[i], SYS_ioctl))
			return false;
	notify(fd);
	for (i = 0; i < 16; i++)
		ok &= child_passed(pids[i]);
	return ok;
}

/*
 * Strict ping-pong over the buffer: the sender writes "ping N" and
 * NOTIFYs, the echo WAITs, checks it, writes "pong N" and NOTIFYs back.
 * A lost wake-up hangs, and the case's time limit turns that into a failure.
 */
static bool pingpong_send(int fd, char *p, int rounds)
{
	char want[32];
	__u64 seq;
	int i;

	for (i = 0; i < rounds; i++) {
		snprintf(p, 32, "ping %d", i);
		seq = notify(fd);
		if (ioctl(fd, SHMDEMO_IOC_WAIT, &seq) < 0)
			return expect_ok(-1, "sender WAIT");
		snprintf(want, sizeof(want), "pong %d", i);
		if (strcmp(p + 64, want)) {
			diag("round %d: sender read \"%s\"", i, p + 64);
			return false;
		}
	}
	return true;
}

static bool pingpong_echo(int fd, char *p, int rounds, __u64 seen)
{
	char want[32];
	int i;

	for (i = 0; i < rounds; i++) {
		if (ioctl(fd, SHMDEMO_IOC_WAIT, &seen) < 0)
			return expect_ok(-1, "echo WAIT");
		snprintf(want, sizeof(want), "ping %d", i);
		if (strcmp(p, want)) {
			diag("round %d: echo read \"%s\"", i, p);
			return false;
		}
		snprintf(p + 64, 32, "pong %d", i);
		seen = notify(fd);
	}
	return true;
}

static bool test_pingpong(void)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	__u64 seen = dev_info(fd).seq;
	pid_t pid;

	if (p == MAP_FAILED)
		return expect_ok(-1, "mmap");
	pid = fork();
	if (pid == 0)
		_exit(!pingpong_echo(fd, p, 2000, seen));
	return pingpong_send(fd, p, 2000) && child_passed(pid);
}

/* "test_device peer send|echo": one side of test_unrelated_programs. */
static int peer_main(const char *role)
{
	int fd = dev_open(O_RDWR);
	char *p = map(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return 1;
	if (!strcmp(role, "echo"))
		return !pingpong_echo(fd, p, 500, dev_info(fd).seq);
	return !pingpong_send(fd, p, 500);
}

static pid_t start_peer(const char *role)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/proc/self/exe", "test_device", "peer", role,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool test_unrelated_programs(void)
{
	pid_t echo = start_peer("echo"), send;

	if (!blocked_in(echo, SYS_ioctl))
		return false;
	send = start_peer("send");
	return child_passed(send) && child_passed(echo);
}

/* Word I of round R of WORKER: unique to each of them. */
static unsigned int churn_word(int worker, int r, size_t i)
{
	return worker << 24 | r << 12 | i;
}

static bool churn(int worker, int rounds)
{
	size_t i, n = page / sizeof(unsigned int);
	int r;

	for (r = 0; r < rounds; r++) {
		int fd = dev_open(O_RDWR);
		unsigned int *p = map(fd, NR_PAGES * page,
				      PROT_READ | PROT_WRITE, MAP_SHARED, 0);

		if (p == MAP_FAILED)
			return expect_ok(-1, "mmap");
		p += worker * n;
		for (i = 0; i < n; i++)
			p[i] = churn_word(worker, r, i);
		for (i = 0; i < n; i++)
			if (p[i] != churn_word(worker, r, i))
				return expect_eq(p[i], churn_word(worker, r, i),
						 "word written by this worker");
		munmap(p - worker * n, NR_PAGES * page);
		notify(fd);
		close(fd);
	}
	return true;
}

static bool test_concurrent_churn(void)
{
	long before = dev_attr("mappings");
	pid_t pids[NR_PAGES];
	bool ok = true;
	int i;

	for (i = 0; i < NR_PAGES; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(!churn(i, 300));
	}
	for (i = 0; i < NR_PAGES; i++)
		ok &= child_passed(pids[i]);
	return ok && expect_eq(dev_attr("mappings"), before,
			       "mappings back to where they were");
}

static bool test_non_root(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		_exit(!expect_errno(open(dev_path(), O_RDWR), EACCES,
				    "O_RDWR") ||
		      !expect_errno(open(dev_path(), O_RDONLY), EACCES,
				    "O_RDONLY"));
	}
	return child_passed(pid);
}

static const struct test_case cases[] = {
	{ "buffer is zeroed at load", test_zeroed_at_load },
	{ "node is a character device, mode 0600", test_node },
	{ "INFO reports the size of 4 pages, and a mask of size and seq",
	  test_info },
	{ "INFO of 16, 24, 32, 48 bytes: what fits, the mask, zeroes; 8: ENOTTY",
	  test_info_sizes },
	{ "mapping, read() and write() see the same bytes",
	  test_map_matches_read_write },
	{ "MAP_PRIVATE fails with EINVAL", test_map_private },
	{ "length 0 fails with EINVAL (core mm, before the driver)",
	  test_map_length_zero },
	{ "offset or length outside the buffer fails with EINVAL",
	  test_map_outside },
	{ "offset + length overflow fails (EOVERFLOW; EINVAL through mmap2)",
	  test_map_offset_overflow },
	{ "PROT_EXEC fails with EPERM", test_map_exec },
	{ "mprotect cannot add PROT_EXEC (EACCES)", test_mprotect_exec },
	{ "mremap cannot grow the mapping (EFAULT)", test_mremap_grow },
	{ "mremap shrink and move keep the data", test_mremap_shrink_move },
	{ "mapping is left out of core dumps", test_not_dumped },
	{ "MADV_DONTNEED then access sees the same data", test_madv_dontneed },
	{ "/proc/self/mem reads the mapping", test_proc_mem },
	{ "mapping outlives close(fd)", test_outlives_close },
	{ "fork shares the mapping", test_fork_shares },
	{ "every page maps at its own offset", test_every_page_offset },
	{ "O_RDONLY: PROT_WRITE and mprotect(PROT_WRITE) fail with EACCES",
	  test_rdonly_fd },
	{ "O_WRONLY: mmap fails with EACCES", test_wronly_fd },
	{ "two opens share one buffer", test_unrelated_openers },
	{ "NOTIFY increments seq and returns it", test_notify },
	{ "NOTIFY on O_RDONLY fails with EBADF; seq and waiters untouched",
	  test_rdonly_notify },
	{ "NOTIFY on O_WRONLY works", test_wronly_notify },
	{ "O_RDONLY: INFO, poll, WAIT, read and a read-only mapping work",
	  test_rdonly_reader },
	{ "WAIT returns at once when seq differs", test_wait_returns_at_once },
	{ "WAIT on an O_NONBLOCK file fails with EAGAIN", test_wait_nonblock },
	{ "WAIT sleeps until NOTIFY and sees the stores",
	  test_wait_sleeps_until_notify },
	{ "a signal ends WAIT with EINTR", test_wait_eintr },
	{ "WAIT restarts after a signal under SA_RESTART",
	  test_wait_sa_restart },
	{ "poll: POLLIN always, POLLPRI from NOTIFY until INFO or WAIT",
	  test_poll },
	{ "poll for POLLPRI sleeps until NOTIFY", test_poll_wakes },
	{ "poll: writable (POLLOUT | POLLWRNORM) at once, on any file",
	  test_poll_writable },
	{ "select for writing returns at once", test_select_write },
	{ "epoll: EPOLLOUT at once", test_epoll_write },
	{ "unknown ioctl fails with ENOTTY", test_unknown_ioctl },
	{ "bad pointers fail with EFAULT", test_bad_pointers },
	{ "read at or past the end returns 0, across it is short",
	  test_read_edges },
	{ "write at the end fails with ENOSPC, across it is short",
	  test_write_edges },
	{ "lseek: SEEK_END is the size, past the end or negative EINVAL",
	  test_lseek },
	{ "sysfs shows size, seq and mappings", test_sysfs },
	{ "sysfs size is mode 0444, seq and mappings 0400", test_sysfs_modes },
	{ "a non-root process reads sysfs size, gets EACCES on seq and mappings",
	  test_sysfs_non_root },
	{ "mappings counts VMAs through fork, mremap, split and failed mmaps",
	  test_mappings_count_vmas },
	{ "partial munmap keeps the rest; the hole faults",
	  test_partial_munmap },
	{ "MAP_FIXED over an existing mapping", test_map_fixed },
	{ "process_vm_readv reads the mapping", test_process_vm_readv },
	{ "select: readable always, exceptfds from NOTIFY until INFO",
	  test_select },
	{ "epoll, level-triggered EPOLLPRI and INFO: one event per NOTIFY",
	  test_epoll_level },
	{ "epoll, edge-triggered: one event per NOTIFY, never more",
	  test_epoll_edge },
	{ "epoll_wait for EPOLLPRI sleeps until NOTIFY", test_epoll_wakes },
	{ "data persists across close and open", test_persists_across_open },
	{ "one NOTIFY wakes 16 waiters", test_notify_wakes_all },
	{ "2000 strict ping-pong rounds between parent and child",
	  test_pingpong },
	{ "two separately started programs exchange 500 messages",
	  test_unrelated_programs },
	{ "4 processes loop open/mmap/write/verify/munmap/close/notify",
	  test_concurrent_churn },
	{ "a non-root process gets EACCES on the 0600 node", test_non_root },
};

int main(int argc, char **argv)
{
	device_init();
	if (argc == 3 && !strcmp(argv[1], "peer"))
		return peer_main(argv[2]);
	return device_run(cases, ARRAY_SIZE(cases));
}
