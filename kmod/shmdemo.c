// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo - a buffer of kernel memory that processes share through mmap
 *
 * /dev/shmdemo gives every process that opens it the same buffer, allocated
 * and zeroed when the module loads. A writer fills it and publishes with
 * NOTIFY; a reader sleeps in WAIT until then:
 *
 *	fd = open("/dev/shmdemo", O_RDWR);
 *	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *	strcpy(p, "hello"); ioctl(fd, SHMDEMO_IOC_NOTIFY, &seq);  // writer
 *	ioctl(fd, SHMDEMO_IOC_WAIT, &seen); puts(p);               // reader
 *
 * State and invariants:
 * - shmdemo_buf and shmdemo_pages are set up by init and left alone until
 *   exit. No lock guards their contents: they are plain shared memory, and
 *   userspace orders its accesses with NOTIFY/WAIT.
 * - shmdemo_seq only grows. NOTIFY increments it with a fully ordered atomic
 *   (the release); every reader of it uses an acquire load, so buffer stores
 *   made before a NOTIFY are visible to whoever observes its value.
 * - Each open file remembers the last seq reported to it (INFO or WAIT);
 *   poll reports readable while the device's seq differs from it.
 * - Lifetime: fops.owner pins the module while a file is open, and every
 *   mapping holds its file, so rmmod cannot free the buffer under a user.
 *   The pages are ordinary refcounted pages, never marked reserved.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/shmdemo.h>

/*
 * pages=N counts the running kernel's pages (PAGE_SIZE: 4, 16 or 64 KiB on
 * arm64), so the limit is in bytes: 65536 pages of 4 KiB, 16384 of 16 KiB.
 */
#define SHMDEMO_MAX_BYTES (256UL << 20)
#define SHMDEMO_MAX_PAGES (SHMDEMO_MAX_BYTES >> PAGE_SHIFT)

static unsigned int shmdemo_nr_pages = 1;
module_param_named(pages, shmdemo_nr_pages, uint, 0444);
MODULE_PARM_DESC(pages,
		 "buffer size in kernel pages (PAGE_SIZE each), up to 256 MiB (default 1)");

static void *shmdemo_buf;
static struct page **shmdemo_pages;
static atomic64_t shmdemo_seq = ATOMIC64_INIT(0);
static atomic_t shmdemo_nr_mappings = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(shmdemo_waitq);

struct shmdemo_file {
	atomic64_t seen; /* last seq reported to this open file */
};

/*
 * 6.3 made vma->vm_flags read-only behind helpers that 6.1 lacks; Kbuild
 * defines SHMDEMO_HAVE_VM_FLAGS_MOD when the kernel's headers have them.
 */
#ifdef SHMDEMO_HAVE_VM_FLAGS_MOD
static void shmdemo_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
				 vm_flags_t clear)
{
	vm_flags_mod(vma, set, clear);
}
#else
static void shmdemo_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
				 vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

static size_t shmdemo_size(void)
{
	return (size_t)shmdemo_nr_pages << PAGE_SHIFT;
}

static u64 shmdemo_seq_read(void)
{
	return atomic64_read_acquire(&shmdemo_seq);
}

/* Refault after MADV_DONTNEED, or a page the batch at mmap time left out. */
static vm_fault_t shmdemo_fault(struct vm_fault *vmf)
{
	if (vmf->pgoff >= shmdemo_nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = shmdemo_pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

/* Called for every copy of a mapping: fork, split, mremap move. */
static void shmdemo_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(&shmdemo_nr_mappings);
}

static void shmdemo_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(&shmdemo_nr_mappings);
}

static const struct vm_operations_struct shmdemo_vm_ops = {
	.open = shmdemo_vm_open,
	.close = shmdemo_vm_close,
	.fault = shmdemo_fault,
};

static int shmdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long nr = vma_pages(vma);
	int ret;

	/* VM_MAYSHARE: a MAP_SHARED mapping of an O_RDONLY file lacks VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= shmdemo_nr_pages ||
	    nr > shmdemo_nr_pages - vma->vm_pgoff)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	shmdemo_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	vma->vm_ops = &shmdemo_vm_ops;

	/* Map the whole range now, in one batch; the fault handler refills. */
	ret = vm_insert_pages(vma, vma->vm_start, shmdemo_pages + vma->vm_pgoff,
			      &nr);
	if (ret)
		return ret;

	atomic_inc(&shmdemo_nr_mappings);
	return 0;
}

static int shmdemo_open(struct inode *inode, struct file *file)
{
	struct shmdemo_file *sf;

	sf = kmalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	atomic64_set(&sf->seen, shmdemo_seq_read());
	file->private_data = sf;
	return 0;
}

static int shmdemo_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t shmdemo_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	return simple_read_from_buffer(buf, count, ppos, shmdemo_buf,
				       shmdemo_size());
}

static ssize_t shmdemo_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	if (count && *ppos >= shmdemo_size())
		return -ENOSPC;
	return simple_write_to_buffer(shmdemo_buf, shmdemo_size(), ppos, buf,
				      count);
}

static loff_t shmdemo_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence, shmdemo_size());
}

/* SEQ was reported to this file: concurrent reports never move it back. */
static void shmdemo_file_saw(struct shmdemo_file *sf, u64 seq)
{
	s64 old = atomic64_read(&sf->seen);

	do {
		if ((u64)old >= seq)
			return;
	} while (!atomic64_try_cmpxchg(&sf->seen, &old, seq));
}

/* USIZE: the struct size the caller was built with, at least ours. */
static long shmdemo_ioctl_info(struct shmdemo_file *sf, void __user *argp,
			       size_t usize)
{
	struct shmdemo_info info = {
		.size = shmdemo_size(),
		.seq = shmdemo_seq_read(),
	};

	if (copy_to_user(argp, &info, sizeof(info)) ||
	    clear_user(argp + sizeof(info), usize - sizeof(info)))
		return -EFAULT;
	shmdemo_file_saw(sf, info.seq);
	return 0;
}

static long shmdemo_ioctl_notify(u64 __user *argp)
{
	/* Fully ordered: buffer stores before it are published with it. */
	u64 seq = atomic64_inc_return(&shmdemo_seq);

	wake_up_interruptible_poll(&shmdemo_waitq, EPOLLIN | EPOLLRDNORM);
	return put_user(seq, argp);
}

/* WAIT's wake-up condition: seq moved past SEEN; *SEQ is the value read. */
static bool shmdemo_seq_moved(u64 seen, u64 *seq)
{
	*seq = shmdemo_seq_read();
	return *seq != seen;
}

static long shmdemo_ioctl_wait(struct file *file, struct shmdemo_file *sf,
			       u64 __user *argp)
{
	u64 seen, seq;
	int ret;

	if (get_user(seen, argp))
		return -EFAULT;

	if (!shmdemo_seq_moved(seen, &seq)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		/* -ERESTARTSYS: EINTR, or a restart under SA_RESTART. */
		ret = wait_event_interruptible(shmdemo_waitq,
					       shmdemo_seq_moved(seen, &seq));
		if (ret)
			return ret;
	}

	if (put_user(seq, argp))
		return -EFAULT;
	shmdemo_file_saw(sf, seq);
	return 0;
}

/* INFO of any struct size from ours up: callers built for later versions. */
static bool shmdemo_is_info(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == SHMDEMO_IOC_MAGIC &&
	       _IOC_NR(cmd) == _IOC_NR(SHMDEMO_IOC_INFO) &&
	       _IOC_DIR(cmd) == _IOC_READ &&
	       _IOC_SIZE(cmd) >= sizeof(struct shmdemo_info);
}

static long shmdemo_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct shmdemo_file *sf = file->private_data;
	void __user *argp = (void __user *)arg;

	if (shmdemo_is_info(cmd))
		return shmdemo_ioctl_info(sf, argp, _IOC_SIZE(cmd));

	switch (cmd) {
	case SHMDEMO_IOC_NOTIFY:
		return shmdemo_ioctl_notify(argp);
	case SHMDEMO_IOC_WAIT:
		return shmdemo_ioctl_wait(file, sf, argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t shmdemo_poll(struct file *file, poll_table *wait)
{
	struct shmdemo_file *sf = file->private_data;

	poll_wait(file, &shmdemo_waitq, wait);
	if (shmdemo_seq_read() != atomic64_read(&sf->seen))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static const struct file_operations shmdemo_fops = {
	.owner = THIS_MODULE,
	.open = shmdemo_open,
	.release = shmdemo_release,
	.read = shmdemo_read,
	.write = shmdemo_write,
	.llseek = shmdemo_llseek,
	.mmap = shmdemo_mmap,
	.poll = shmdemo_poll,
	.unlocked_ioctl = shmdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /sys/class/misc/shmdemo/{size,seq,mappings}, for watching from a shell. */
static ssize_t shmdemo_size_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%zu\n", shmdemo_size());
}

static ssize_t shmdemo_seq_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", shmdemo_seq_read());
}

static ssize_t shmdemo_mappings_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&shmdemo_nr_mappings));
}

static struct device_attribute shmdemo_attr_size =
	__ATTR(size, 0444, shmdemo_size_show, NULL);
static struct device_attribute shmdemo_attr_seq =
	__ATTR(seq, 0444, shmdemo_seq_show, NULL);
static struct device_attribute shmdemo_attr_mappings =
	__ATTR(mappings, 0444, shmdemo_mappings_show, NULL);

static struct attribute *shmdemo_attrs[] = {
	&shmdemo_attr_size.attr,
	&shmdemo_attr_seq.attr,
	&shmdemo_attr_mappings.attr,
	NULL,
};
ATTRIBUTE_GROUPS(shmdemo);

static struct miscdevice shmdemo_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "shmdemo",
	.fops = &shmdemo_fops,
	.groups = shmdemo_groups,
	.mode = 0600,
};

static int __init shmdemo_init(void)
{
	unsigned int i;
	int ret;

	if (shmdemo_nr_pages < 1 || shmdemo_nr_pages > SHMDEMO_MAX_PAGES) {
		pr_err("pages=%u is out of range: use 1 to %lu\n",
		       shmdemo_nr_pages, SHMDEMO_MAX_PAGES);
		return -EINVAL;
	}

	shmdemo_buf = vmalloc_user(shmdemo_size());
	if (!shmdemo_buf)
		return -ENOMEM;

	shmdemo_pages = kvmalloc_array(shmdemo_nr_pages, sizeof(*shmdemo_pages),
				       GFP_KERNEL);
	if (!shmdemo_pages) {
		ret = -ENOMEM;
		goto out_free_buf;
	}
	for (i = 0; i < shmdemo_nr_pages; i++)
		shmdemo_pages[i] = vmalloc_to_page(shmdemo_buf + i * PAGE_SIZE);

	ret = misc_register(&shmdemo_misc);
	if (ret)
		goto out_free_pages;

	pr_info("%zu bytes at /dev/%s\n", shmdemo_size(), shmdemo_misc.name);
	return 0;

out_free_pages:
	kvfree(shmdemo_pages);
out_free_buf:
	vfree(shmdemo_buf);
	return ret;
}

static void __exit shmdemo_exit(void)
{
	misc_deregister(&shmdemo_misc);
	kvfree(shmdemo_pages);
	vfree(shmdemo_buf);
}

module_init(shmdemo_init);
module_exit(shmdemo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The shmdemo developers");
MODULE_DESCRIPTION("Kernel buffer shared with userspace through mmap");
MODULE_VERSION("1.0.0");
