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
 * Two ways to map it, chosen when the module is built (Kbuild probes the
 * kernel's headers, says which, and modinfo's mmap_path names it):
 * - .mmap (older kernels): core mm builds the VMA, hands it to the driver,
 *   and the driver checks it, edits its flags and inserts the pages itself
 *   with vm_insert_pages(), on a VMA that is already live.
 * - .mmap_prepare (kernels with mmap_action_map_kernel_pages(), 7.x): the
 *   driver only describes the mapping it wants, in a struct vm_area_desc:
 *   it checks the request, sets the flags and says "map these kernel
 *   pages". Core mm then builds the VMA, inserts the pages, and unmaps the
 *   VMA again if that fails. Upstream moves drivers this way
 *   (Documentation/filesystems/mmap_prepare.rst): a driver never holds a
 *   live VMA it could change behind the core's back.
 *
 * huge=1 (6.12 on, with 2 MiB PMDs: x86-64 and arm64 with 4 KiB pages)
 * allocates the buffer in physically contiguous, aligned 2 MiB folios, and
 * a mapping whose address and offset agree modulo 2 MiB gets one PMD per
 * folio from ->huge_fault instead of 512 PTEs; get_unmapped_area hands out
 * such addresses. Other mappings, kernels and page sizes keep the PTEs, and
 * /sys/class/misc/shmdemo/map_level says which the module uses.
 *
 * State and invariants:
 * - shmdemo_buf, shmdemo_pages and shmdemo_pmd are set up by init and left
 *   alone until exit. No lock guards the buffer's contents: it is plain
 *   shared memory, and userspace orders its accesses with NOTIFY/WAIT.
 * - shmdemo_seq only grows. NOTIFY increments it with a fully ordered atomic
 *   (the release); every reader of it uses an acquire load, so buffer stores
 *   made before a NOTIFY are visible to whoever observes its value. Only a
 *   file opened for writing may NOTIFY.
 * - Each open file remembers the last seq reported to it (INFO or WAIT);
 *   poll reports EPOLLPRI while the device's seq differs from it, and
 *   EPOLLIN and EPOLLOUT always.
 * - shmdemo_nr_mappings counts the VMAs that map the device. A VMA is
 *   counted once the mapping is complete, and is then marked by
 *   vm_private_data pointing at the counter; copies of it (fork, split,
 *   mremap) inherit the mark and are counted too, and only marked VMAs are
 *   uncounted when they go. So a mapping that failed half way, which core mm
 *   closes, never moves the count.
 * - Lifetime: fops.owner pins the module while a file is open, and every
 *   mapping holds its file, so rmmod cannot free the buffer under a user.
 *   The pages are ordinary refcounted pages (of 2 MiB folios with huge=1),
 *   never marked reserved. A PMD maps a folio without a reference, as
 *   vfio-pci's do: the file the mapping holds keeps it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cacheinfo.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#ifdef SHMDEMO_HAVE_PFN_T
#include <linux/pfn_t.h>
#endif
#include <linux/shmdemo.h>

/*
 * pages=N counts the running kernel's pages (PAGE_SIZE: 4, 16 or 64 KiB on
 * arm64), so the limit is in bytes: 65536 pages of 4 KiB, 16384 of 16 KiB.
 */
#define SHMDEMO_MAX_BYTES (256UL << 20)
#define SHMDEMO_MAX_PAGES (SHMDEMO_MAX_BYTES >> PAGE_SHIFT)

/*
 * read() and write() reach the buffer through its vmalloc address, a mapping
 * through its user address. Where the data cache aliases (VIVT, or VIPT with
 * a cache way larger than a page: some ARM, MIPS, PA-RISC, SPARC, ...) the
 * two addresses of one page can sit in different cache lines, and a store
 * through one stays invisible through the other until someone flushes.
 * Keeping them coherent would take a flush of every user alias of the page
 * at every read, write and NOTIFY (Documentation/core-api/cachetlb.rst),
 * which needs a list of all VMAs and could not be tested on x86-64 or arm64,
 * where those flushes are empty. So the module refuses such CPUs: at load
 * time where the kernel can tell (6.9 on, cpu_dcache_is_aliasing()), and at
 * build time on older kernels for the architectures whose caches may alias.
 */
#if !defined(CONFIG_ARCH_HAS_CPU_CACHE_ALIASING) &&                            \
	(defined(CONFIG_ARC) || defined(CONFIG_ARM) || defined(CONFIG_CSKY) || \
	 defined(CONFIG_M68K) || defined(CONFIG_MIPS) ||                       \
	 defined(CONFIG_NIOS2) || defined(CONFIG_PARISC) ||                    \
	 defined(CONFIG_SH) || defined(CONFIG_SPARC) ||                        \
	 defined(CONFIG_XTENSA))
#error "shmdemo: data caches may alias here and only 6.9 on can tell: use 6.9+"
#endif
#ifndef cpu_dcache_is_aliasing
#define cpu_dcache_is_aliasing() false /* before 6.9, on a non-aliasing arch */
#endif

static unsigned int shmdemo_nr_pages = 1;
module_param_named(pages, shmdemo_nr_pages, uint, 0444);
MODULE_PARM_DESC(pages,
		 "kernel pages (PAGE_SIZE each), up to 256 MiB (default 1)");

/*
 * A PMD needs a kernel that inserts one for a driver (vmf_insert_pfn_pmd()
 * with CONFIG_ARCH_SUPPORTS_PMD_PFNMAP: 6.12 on) and PMDs of 2 MiB: with
 * 16 KiB pages a PMD maps 32 MiB, with 64 KiB pages 512 MiB.
 */
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#define SHMDEMO_CAN_PMD 1
#define SHMDEMO_PMD_PAGES BIT(PMD_ORDER)
#else
#define SHMDEMO_CAN_PMD 0
#endif

static bool shmdemo_huge;
module_param_named(huge, shmdemo_huge, bool, 0444);
MODULE_PARM_DESC(huge, "2 MiB PMDs for aligned mappings, where possible");

/* The fallback's test: the Nth 2 MiB allocation fails, as if fragmented. */
static unsigned int shmdemo_huge_fail;
module_param_named(huge_fail, shmdemo_huge_fail, uint, 0444);
MODULE_PARM_DESC(huge_fail, "tests: fail the Nth 2 MiB piece of huge=1");

static void *shmdemo_buf;
static struct page **shmdemo_pages;
static bool shmdemo_pmd; /* the buffer is 2 MiB folios, mapped with PMDs */
static atomic64_t shmdemo_seq = ATOMIC64_INIT(0);
static atomic_t shmdemo_nr_mappings = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(shmdemo_waitq);

struct shmdemo_file {
	atomic64_t seen; /* last seq reported to this open file */
};

static size_t shmdemo_size(void)
{
	return (size_t)shmdemo_nr_pages << PAGE_SHIFT;
}

static u64 shmdemo_seq_read(void)
{
	return atomic64_read_acquire(&shmdemo_seq);
}

/*
 * Refault after the page tables were zapped (MADV_DONTNEED, say): mmap
 * inserted every page of the range, and a batch that fails half way fails
 * the whole mmap rather than leave pages out. A mapping that holds PMDs
 * is filled here too, wherever shmdemo_huge_fault() falls back.
 */
static vm_fault_t shmdemo_fault(struct vm_fault *vmf)
{
	if (vmf->pgoff >= shmdemo_nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = shmdemo_pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

/* vm_private_data of a counted VMA (see "State and invariants" above). */
#define SHMDEMO_COUNTED ((void *)&shmdemo_nr_mappings)

/* Called for every copy of a VMA: fork, split, mremap move. */
static void shmdemo_vm_open(struct vm_area_struct *vma)
{
	if (vma->vm_private_data == SHMDEMO_COUNTED)
		atomic_inc(&shmdemo_nr_mappings);
}

static void shmdemo_vm_close(struct vm_area_struct *vma)
{
	if (vma->vm_private_data == SHMDEMO_COUNTED)
		atomic_dec(&shmdemo_nr_mappings);
}

/* Is pages [PGOFF, PGOFF + NR) inside the buffer? */
static bool shmdemo_range_ok(unsigned long pgoff, unsigned long nr)
{
	return pgoff < shmdemo_nr_pages && nr <= shmdemo_nr_pages - pgoff;
}

#if SHMDEMO_CAN_PMD
/*
 * Can a PMD map the folio at PGOFF at ADDR, in a VMA [START, END)? ADDR
 * and PGOFF are 2 MiB-aligned, the PMD lies in the VMA, and its folio is
 * all buffer (the last one may be partly past the end).
 */
static bool shmdemo_pmd_fits(unsigned long addr, pgoff_t pgoff,
			     unsigned long start, unsigned long end)
{
	return shmdemo_pmd && IS_ALIGNED(addr, PMD_SIZE) &&
	       IS_ALIGNED(pgoff, SHMDEMO_PMD_PAGES) && addr >= start &&
	       addr + PMD_SIZE <= end &&
	       shmdemo_range_ok(pgoff, SHMDEMO_PMD_PAGES);
}

/* Does a mapping of [START, END) at PGOFF hold at least one PMD? */
static bool shmdemo_vma_pmd(unsigned long start, unsigned long end,
			    pgoff_t pgoff)
{
	unsigned long addr = ALIGN(start, PMD_SIZE);

	return shmdemo_pmd_fits(addr, pgoff + ((addr - start) >> PAGE_SHIFT),
				start, end);
}

/*
 * A PMD for the 2 MiB the fault is in, where it fits; anything else
 * (another order, an unaligned or short VMA, what a split left) falls back
 * to shmdemo_fault()'s PTEs. The PMD is special (no struct page behind it
 * for the core): unmapping it, or splitting it (munmap or MADV_DONTNEED of
 * part of it), only clears it, and the rest refaults.
 */
static vm_fault_t shmdemo_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PMD_MASK;
	pgoff_t pgoff = vmf->pgoff - ((vmf->address - addr) >> PAGE_SHIFT);
	unsigned long pfn;

	if (order != PMD_ORDER ||
	    !shmdemo_pmd_fits(addr, pgoff, vma->vm_start, vma->vm_end))
		return VM_FAULT_FALLBACK;
	pfn = page_to_pfn(shmdemo_pages[pgoff]);
#ifdef SHMDEMO_HAVE_PFN_T
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn),
				  vmf->flags & FAULT_FLAG_WRITE);
#else
	return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
#endif
}

/*
 * 2 MiB-aligned addresses for mappings of 2 MiB or more, offset by the
 * file offset, where the module maps PMDs; elsewhere the kernel's usual.
 */
static unsigned long shmdemo_get_unmapped_area(struct file *file,
					       unsigned long addr,
					       unsigned long len,
					       unsigned long pgoff,
					       unsigned long flags)
{
	if (shmdemo_pmd)
		return thp_get_unmapped_area(file, addr, len, pgoff, flags);
#ifdef SHMDEMO_HAVE_MM_GUA_MM
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}
#else
static bool shmdemo_vma_pmd(unsigned long start, unsigned long end,
			    pgoff_t pgoff)
{
	return false; /* no PMDs from a driver on this kernel */
}
#endif

#ifdef SHMDEMO_HAVE_MAP_KERNEL_PAGES
/*
 * Core mm calls this once the pages are in, and never after a failure: a
 * failed mapping is unmapped through ->close with vm_private_data still NULL.
 */
static int shmdemo_vm_mapped(unsigned long start, unsigned long end,
			     pgoff_t pgoff, const struct file *file,
			     void **vm_private_data)
{
	*vm_private_data = SHMDEMO_COUNTED;
	atomic_inc(&shmdemo_nr_mappings);
	return 0;
}
#endif

static const struct vm_operations_struct shmdemo_vm_ops = {
	.open = shmdemo_vm_open,
	.close = shmdemo_vm_close,
	.fault = shmdemo_fault,
#ifdef SHMDEMO_HAVE_MAP_KERNEL_PAGES
	.mapped = shmdemo_vm_mapped,
#endif
};

/* A mapping that holds PMDs: nothing is inserted at mmap, faults fill it. */
static const struct vm_operations_struct shmdemo_pmd_vm_ops = {
	.open = shmdemo_vm_open,
	.close = shmdemo_vm_close,
	.fault = shmdemo_fault,
#if SHMDEMO_CAN_PMD
	.huge_fault = shmdemo_huge_fault,
#endif
#ifdef SHMDEMO_HAVE_MAP_KERNEL_PAGES
	.mapped = shmdemo_vm_mapped,
#endif
};

#ifdef SHMDEMO_HAVE_MAP_KERNEL_PAGES
/*
 * The driver describes the mapping; core mm builds it. DESC is a proposal:
 * no VMA exists yet, so nothing here may count it or take a resource.
 * The checks are those of the .mmap below, flag for flag.
 */
static int shmdemo_mmap_prepare(struct vm_area_desc *desc)
{
	/* MAP_SHARED of an O_RDONLY file: VMA_MAYSHARE without VMA_SHARED. */
	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	if (!shmdemo_range_ok(desc->pgoff, vma_desc_pages(desc)))
		return -EINVAL;
	if (vma_desc_test(desc, VMA_EXEC_BIT))
		return -EPERM;

	/*
	 * VM_DONTEXPAND also keeps core mm from merging this VMA with a
	 * neighbour, which ->mapped relies on: it marks and counts exactly
	 * the VMA this call describes, never one grown out of another.
	 */
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);
	/* Mixed: PTEs of refcounted pages beside special PMDs. */
	if (shmdemo_vma_pmd(desc->start, desc->end, desc->pgoff)) {
		vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
		desc->vm_ops = &shmdemo_pmd_vm_ops;
		return 0;
	}
	desc->vm_ops = &shmdemo_vm_ops;

	/*
	 * Core mm inserts pages[0], pages[1], ... from desc->start: it does
	 * not apply desc->pgoff to the array (mm/memory.c,
	 * map_kernel_pages_complete()), so the array starts at our offset.
	 */
	mmap_action_map_kernel_pages_full(desc, shmdemo_pages + desc->pgoff);
	return 0;
}

#define SHMDEMO_MMAP_PATH "mmap_prepare"
#else
/*
 * 6.3 made vma->vm_flags read-only behind helpers; Kbuild defines
 * SHMDEMO_HAVE_VM_FLAGS_MOD where the kernel has them, and older kernels
 * get this one, as upstream wrote it.
 */
#ifndef SHMDEMO_HAVE_VM_FLAGS_MOD
static inline void vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
				vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

/* The driver edits the live VMA and inserts the pages itself. */
static int shmdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long nr = vma_pages(vma);
	int ret;

	/* MAP_SHARED of an O_RDONLY file: VM_MAYSHARE without VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!shmdemo_range_ok(vma->vm_pgoff, nr))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	if (shmdemo_vma_pmd(vma->vm_start, vma->vm_end, vma->vm_pgoff)) {
		/* Mixed: PTEs of refcounted pages beside special PMDs. */
		vm_flags_mod(vma, VM_MIXEDMAP, 0);
		vma->vm_ops = &shmdemo_pmd_vm_ops;
	} else {
		/* Map the whole range now, in one batch; faults refill. */
		vma->vm_ops = &shmdemo_vm_ops;
		ret = vm_insert_pages(vma, vma->vm_start,
				      shmdemo_pages + vma->vm_pgoff, &nr);
		if (ret)
			return ret;
	}

	vma->vm_private_data = SHMDEMO_COUNTED;
	atomic_inc(&shmdemo_nr_mappings);
	return 0;
}

#define SHMDEMO_MMAP_PATH "mmap"
#endif

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

/*
 * USIZE: the struct size the caller was built with, SHMDEMO_INFO_SIZE_VER0
 * or more. A shorter struct gets the fields it has, a longer one has the
 * rest zeroed, and the mask says which fields were filled.
 */
static long shmdemo_ioctl_info(struct shmdemo_file *sf, void __user *argp,
			       size_t usize)
{
	struct shmdemo_info info = {
		.size = shmdemo_size(),
		.seq = shmdemo_seq_read(),
		.mask = SHMDEMO_INFO_SIZE | SHMDEMO_INFO_SEQ,
	};
	size_t ksize = min(usize, sizeof(info));

	if (copy_to_user(argp, &info, ksize) ||
	    clear_user(argp + ksize, usize - ksize))
		return -EFAULT;
	shmdemo_file_saw(sf, info.seq);
	return 0;
}

static long shmdemo_ioctl_notify(u64 __user *argp)
{
	/* Fully ordered: buffer stores before it are published with it. */
	u64 seq = atomic64_inc_return(&shmdemo_seq);

	wake_up_interruptible_poll(&shmdemo_waitq, EPOLLPRI);
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

/* INFO of any struct size from the first version's up, older and newer. */
static bool shmdemo_is_info(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == SHMDEMO_IOC_MAGIC &&
	       _IOC_NR(cmd) == _IOC_NR(SHMDEMO_IOC_INFO) &&
	       _IOC_DIR(cmd) == _IOC_READ &&
	       _IOC_SIZE(cmd) >= SHMDEMO_INFO_SIZE_VER0;
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
		/* Publishing is writing: read access may watch, not publish. */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return shmdemo_ioctl_notify(argp);
	case SHMDEMO_IOC_WAIT:
		return shmdemo_ioctl_wait(file, sf, argp);
	default:
		return -ENOTTY;
	}
}

/*
 * Always readable and writable, as read() and write() never block. A
 * publication this file has not seen is EPOLLPRI, as kernfs signals a
 * changed attribute, until INFO or WAIT reports it (NOTIFY wakes only the
 * pollers that asked for EPOLLPRI).
 */
static __poll_t shmdemo_poll(struct file *file, poll_table *wait)
{
	struct shmdemo_file *sf = file->private_data;
	__poll_t mask = EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &shmdemo_waitq, wait);
	if (shmdemo_seq_read() != atomic64_read(&sf->seen))
		mask |= EPOLLPRI;
	return mask;
}

static const struct file_operations shmdemo_fops = {
	.owner = THIS_MODULE,
	.open = shmdemo_open,
	.release = shmdemo_release,
	.read = shmdemo_read,
	.write = shmdemo_write,
	.llseek = shmdemo_llseek,
#ifdef SHMDEMO_HAVE_MAP_KERNEL_PAGES
	.mmap_prepare = shmdemo_mmap_prepare,
#else
	.mmap = shmdemo_mmap,
#endif
#if SHMDEMO_CAN_PMD
	.get_unmapped_area = shmdemo_get_unmapped_area,
#endif
	.poll = shmdemo_poll,
	.unlocked_ioctl = shmdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * /sys/class/misc/shmdemo/{size,seq,mappings}, for watching from a shell.
 * seq and mappings are root's only (0400): like the 0600 node, they would
 * tell other users when and how much the device is used.
 */
static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%zu\n", shmdemo_size());
}

static ssize_t seq_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%llu\n", shmdemo_seq_read());
}

/* VMAs, not mmap calls: a partial munmap splits one mapping into two. */
static ssize_t mappings_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&shmdemo_nr_mappings));
}

/* "pmd": 2 MiB-aligned mappings take PMDs (huge=1 where it can); else "pte". */
static ssize_t map_level_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n", shmdemo_pmd ? "pmd" : "pte");
}

static DEVICE_ATTR_RO(size);
static DEVICE_ATTR_ADMIN_RO(seq);
static DEVICE_ATTR_ADMIN_RO(mappings);
static DEVICE_ATTR_RO(map_level);

static struct attribute *shmdemo_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_seq.attr,
	&dev_attr_mappings.attr,
	&dev_attr_map_level.attr,
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

#if SHMDEMO_CAN_PMD
static void shmdemo_free_folios(unsigned long nr_pages)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i += SHMDEMO_PMD_PAGES)
		folio_put(page_folio(shmdemo_pages[i]));
}

/*
 * The buffer as 2 MiB folios, each naturally aligned, and one vmap() of
 * them all for read() and write(); the last folio may reach past the end.
 * All or nothing: a failure frees what was allocated.
 */
static int shmdemo_alloc_folios(void)
{
	unsigned long i, j;
	struct folio *folio;

	for (i = 0; i < shmdemo_nr_pages; i += SHMDEMO_PMD_PAGES) {
		folio = NULL;
		if (shmdemo_huge_fail != i / SHMDEMO_PMD_PAGES + 1)
			folio = folio_alloc(GFP_KERNEL | __GFP_ZERO |
						    __GFP_RETRY_MAYFAIL |
						    __GFP_NOWARN,
					    PMD_ORDER);
		if (!folio) {
			pr_warn("huge=1: no free 2 MiB block for 2 MiB piece %lu of %lu (memory fragmented?): using 4 KiB pages\n",
				i / SHMDEMO_PMD_PAGES + 1,
				DIV_ROUND_UP(shmdemo_nr_pages,
					     SHMDEMO_PMD_PAGES));
			goto out_free;
		}
		for (j = i; j < shmdemo_nr_pages && j < i + SHMDEMO_PMD_PAGES;
		     j++)
			shmdemo_pages[j] = folio_page(folio, j - i);
	}

	shmdemo_buf =
		vmap(shmdemo_pages, shmdemo_nr_pages, VM_MAP, PAGE_KERNEL);
	if (!shmdemo_buf) {
		pr_warn("huge=1: no room to map the buffer in the kernel: using 4 KiB pages\n");
		goto out_free;
	}
	return 0;

out_free:
	shmdemo_free_folios(i);
	return -ENOMEM;
}

/*
 * huge=1 where PMDs are 2 MiB: the folios, or false to take pages. Where
 * the kernel cannot, the load stays silent, as every successful load does:
 * map_level says pte.
 */
static bool shmdemo_alloc_huge(void)
{
	return shmdemo_huge && PMD_SIZE == SZ_2M && !shmdemo_alloc_folios();
}
#else
static bool shmdemo_alloc_huge(void)
{
	return false; /* no PMDs from a driver on this kernel: map_level pte */
}
#endif

/* The buffer and its pages: 2 MiB folios (huge=1), or vmalloc's pages. */
static int shmdemo_alloc_buf(void)
{
	unsigned long i;

	shmdemo_pmd = shmdemo_alloc_huge();
	if (shmdemo_pmd)
		return 0;

	shmdemo_buf = vmalloc_user(shmdemo_size());
	if (!shmdemo_buf)
		return -ENOMEM;
	for (i = 0; i < shmdemo_nr_pages; i++)
		shmdemo_pages[i] = vmalloc_to_page(shmdemo_buf + i * PAGE_SIZE);
	return 0;
}

static void shmdemo_free_buf(void)
{
#if SHMDEMO_CAN_PMD
	if (shmdemo_pmd) {
		vunmap(shmdemo_buf);
		shmdemo_free_folios(shmdemo_nr_pages);
		return;
	}
#endif
	vfree(shmdemo_buf);
}

static int __init shmdemo_init(void)
{
	int ret;

	if (cpu_dcache_is_aliasing()) {
		pr_err("this CPU's data cache aliases: read/write and mappings would disagree\n");
		return -EOPNOTSUPP;
	}
	if (shmdemo_nr_pages < 1 || shmdemo_nr_pages > SHMDEMO_MAX_PAGES) {
		pr_err("pages=%u is out of range: use 1 to %lu\n",
		       shmdemo_nr_pages, SHMDEMO_MAX_PAGES);
		return -EINVAL;
	}

	shmdemo_pages = kvmalloc_array(shmdemo_nr_pages, sizeof(*shmdemo_pages),
				       GFP_KERNEL);
	if (!shmdemo_pages)
		return -ENOMEM;

	ret = shmdemo_alloc_buf();
	if (ret)
		goto out_free_pages;

	ret = misc_register(&shmdemo_misc);
	if (ret)
		goto out_free_buf;
	return 0;

out_free_buf:
	shmdemo_free_buf();
out_free_pages:
	kvfree(shmdemo_pages);
	return ret;
}

static void __exit shmdemo_exit(void)
{
	misc_deregister(&shmdemo_misc);
	shmdemo_free_buf();
	kvfree(shmdemo_pages);
}

module_init(shmdemo_init);
module_exit(shmdemo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The shmdemo developers");
MODULE_DESCRIPTION("Kernel buffer shared with userspace through mmap");
MODULE_VERSION(SHMDEMO_VERSION);
/* Which way mmap goes, for modinfo and the tests: "mmap" or "mmap_prepare". */
MODULE_INFO(mmap_path, SHMDEMO_MMAP_PATH);
