/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the device's test programs share (test_rw, test_access, test_mmap,
 * test_ioctl, test_poll, test_multiproc, one topic each): a fresh load of
 * the module with pages=NR_PAGES, so that the buffer is zeroed and spans
 * several pages, and the helpers their cases map, poll and publish with.
 */
#ifndef SHMDEMO_TESTS_DEVICE_H
#define SHMDEMO_TESTS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/shmdemo.h>
#include "harness.h"

#define NR_PAGES 4

/* The page size, and the buffer's: NR_PAGES pages. Set by device_init(). */
extern size_t page;
extern size_t size;

/* Line-buffered stdout, page and size: first thing in main(). */
void device_init(void);
/*
 * Load the module with pages=NR_PAGES (unloading it first if it is
 * loaded), then run the cases; returns the exit status.
 */
int device_run(const struct test_case *cases, size_t n);

void *map(int fd, size_t len, int prot, int flags, off_t off);
/* mmap with these arguments fails with errno WANT (a mapping is undone). */
bool expect_map_errno(int fd, size_t len, int prot, int flags, off_t off,
		      int want, const char *what);

/* What poll reports at once for EVENTS, 0 if nothing, -1 if poll failed. */
short poll_now(int fd, short events);
/* POLLPRI: a publication this file has not seen (INFO or WAIT clear it). */
short poll_pri(int fd);

/* NOTIFY on FD: the new seq, 0 if it failed (and says why). */
__u64 notify(int fd);

/*
 * The whole buffer through read(2) and write(2) on FD: fill it with C, or
 * check that every byte holds C (WHAT names the moment in the message
 * otherwise). Both say why they fail. The dev_ ones open files of their own;
 * mem_holds() checks LEN bytes at P (a mapping, say).
 */
bool mem_holds(const char *p, size_t len, char c, const char *what);
bool fd_fill(int fd, char c);
bool fd_holds(int fd, char c, const char *what);
bool dev_fill(char c);
bool dev_holds(char c, const char *what);

/*
 * A child sleeps in WAIT on WAIT_FD, past SEEN; the parent stores MSG
 * through W and publishes with NOTIFY on NOTIFY_FD. The child must wake
 * with seq SEEN + 1 and read MSG through R, its view of the buffer.
 */
bool handoff(int wait_fd, const char *r, int notify_fd, char *w, __u64 seen,
	     const char *msg);

#endif /* SHMDEMO_TESTS_DEVICE_H */
