/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmdemo: a buffer of kernel memory that processes share through mmap(2).
 *
 * The device node is /dev/shmdemo. Every opener, related or not, sees the same
 * buffer of shmdemo_info.size bytes (a multiple of the page size). The buffer
 * is zeroed when the module is loaded and lives until it is unloaded.
 *
 *	int fd = open("/dev/shmdemo", O_RDWR);
 *	long page = sysconf(_SC_PAGESIZE);	// 4096, 16384 or 65536
 *	char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *	strcpy(p, "hello");
 *	ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq);	// wakes SHMDEMO_IOC_WAIT
 *
 * Publication protocol: the device keeps one counter, seq, starting at 0 at
 * every load. A writer stores into the buffer, then calls NOTIFY, which
 * increments seq. A reader calls WAIT with the last seq it saw; WAIT returns
 * once seq differs from it.
 *
 * The buffer and seq are shared by every user of the device: a NOTIFY from
 * any process wakes every WAIT. Two pairs of programs that use the device at
 * once must agree on who writes where, as with any shared memory.
 *
 * Memory ordering: NOTIFY has release semantics and an INFO or WAIT that
 * observes a seq value has acquire semantics. Every store to the buffer
 * (through a mapping, or write(2)) that the notifier made before NOTIFY is
 * therefore visible to a process whose INFO or WAIT returned the value that
 * NOTIFY produced, or a later one. Stores made without NOTIFY carry no
 * ordering guarantee beyond that of ordinary shared memory. (On CPUs whose
 * data caches alias, such as some ARMv6, MIPS and PA-RISC parts, read(2) and
 * write(2) would disagree with a mapping: the module refuses to load there,
 * or, on kernels before 6.9 for those architectures, to build.)
 *
 * Access: publishing needs write access. A file opened O_RDONLY may INFO,
 * WAIT, poll, read(2) and map the buffer PROT_READ, but its NOTIFY fails
 * with EBADF; O_WRONLY and O_RDWR files may NOTIFY.
 *
 * mmap(2): MAP_SHARED only, inside the buffer, never executable: a process
 * with the READ_IMPLIES_EXEC personality, whose every PROT_READ implies
 * PROT_EXEC, cannot map it. read(2), write(2) and lseek(2) treat the buffer
 * as a file of fixed size.
 */
#ifndef _UAPI_LINUX_SHMDEMO_H
#define _UAPI_LINUX_SHMDEMO_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct shmdemo_info - what SHMDEMO_IOC_INFO reports
 * @size: size of the buffer in bytes, a multiple of the page size
 * @seq:  the current publication count
 * @mask: which fields the driver filled: SHMDEMO_INFO_* bits
 *
 * Versioned by size, as struct pidfd_info is: later versions append __u64
 * fields, each with a bit in @mask, and existing fields never move. The
 * struct's size is part of SHMDEMO_IOC_INFO's number, and the driver accepts
 * any size from SHMDEMO_INFO_SIZE_VER0 up. It copies the fields that fit in
 * the caller's struct and zeroes the rest of it. So a program built against
 * an older, shorter struct gets the fields it knows, and one built against a
 * newer, longer struct reads in @mask which fields this driver filled: a
 * field whose bit is clear holds 0 only because the driver does not know it.
 * A @mask of 0 comes from a driver older than @mask itself, which filled
 * @size and @seq only.
 */
struct shmdemo_info {
	__u64 size;
	__u64 seq;
	__u64 mask;
};

#define SHMDEMO_INFO_SIZE_VER0 16 /* size, seq */
#define SHMDEMO_INFO_SIZE_VER1 24 /* and mask */

#define SHMDEMO_INFO_SIZE _BITULL(0) /* @size is filled */
#define SHMDEMO_INFO_SEQ _BITULL(1) /* @seq is filled */

#define SHMDEMO_IOC_MAGIC 0xE6

/*
 * SHMDEMO_IOC_INFO - fill a struct shmdemo_info.
 * Never blocks. The seq it returns becomes the value this open file last saw
 * (see poll below). Errors: EFAULT if the argument cannot be written; ENOTTY
 * if the size in the number is below SHMDEMO_INFO_SIZE_VER0 (16 bytes).
 */
#define SHMDEMO_IOC_INFO _IOR(SHMDEMO_IOC_MAGIC, 1, struct shmdemo_info)

/*
 * SHMDEMO_IOC_NOTIFY - publish: atomically increment seq, wake every waiter
 * (WAIT and poll), and store the new value in the __u64 argument.
 * Never blocks. Errors: EBADF if the file was not opened for writing (seq
 * and the waiters are left alone); EFAULT if the argument cannot be written
 * (seq has been incremented and the waiters woken all the same).
 */
#define SHMDEMO_IOC_NOTIFY _IOR(SHMDEMO_IOC_MAGIC, 2, __u64)

/*
 * SHMDEMO_IOC_WAIT - wait for a publication.
 * In: the last seq the caller saw. Returns at once if seq differs from it,
 * else sleeps until a NOTIFY changes it. Out: the seq WAIT observed, which
 * differs from the argument (another NOTIFY may have moved it on since),
 * and which also becomes the value this open file last saw.
 * Errors: EAGAIN if seq equals the argument and the file is O_NONBLOCK;
 * EINTR if a signal arrived while sleeping (the call is restarted instead
 * when the handler was installed with SA_RESTART); EFAULT if the argument
 * cannot be read or written.
 */
#define SHMDEMO_IOC_WAIT _IOWR(SHMDEMO_IOC_MAGIC, 3, __u64)

/*
 * poll(2), select(2), epoll(7):
 * - EPOLLIN | EPOLLRDNORM and EPOLLOUT | EPOLLWRNORM always: the buffer is a
 *   file of fixed size, and read(2) and write(2) never block.
 * - EPOLLPRI while seq differs from the value this open file last saw: the
 *   value at open(2), or the highest one returned to it by INFO or WAIT
 *   since. Only INFO and WAIT clear it; read(2) does not. Files shared across
 *   fork(2) share this value. This is how kernfs signals a changed attribute
 *   (sysfs_notify()); select(2) reports it in exceptfds.
 * So wait for EPOLLPRI (POLLPRI), not EPOLLIN, and answer each wake-up with
 * INFO (or WAIT), which reads the new seq and clears EPOLLPRI. A
 * level-triggered loop then sees one event per publication (one for several
 * that came before it looked), and none while nothing new is published. An
 * edge-triggered loop sees one event per NOTIFY (one for several between two
 * of its epoll_wait(2) calls), INFO or not. A NOTIFY wakes only pollers that
 * asked for EPOLLPRI.
 *
 * /sys/class/misc/shmdemo/mappings counts the VMAs that map the device, in
 * every process: a fork's copy counts, and so does each piece of a mapping
 * that a partial munmap(2) or mprotect(2) split in two.
 *
 * Any other ioctl fails with ENOTTY. 32-bit programs use the same numbers.
 */

#endif /* _UAPI_LINUX_SHMDEMO_H */
