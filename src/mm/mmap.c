/*
 * mm/mmap.c, mm/mprotect.c, mm/mlock.c (and mm/vma.c):
 * the VMAs of an address space.
 *
 * Models: VMAs ordered by address (a GSequence stands in for the maple
 * tree), get_unmapped_area top-down from mmap_base, vma_merge of compatible
 * neighbours, split_vma, do_munmap, mprotect_fixup (with Committed_AS
 * charged when a private mapping becomes writable), mlock/munlock with
 * RLIMIT_MEMLOCK (8 MiB for unprivileged users) and the Mlocked/Unevictable accounting,
 * brk with do_brk_flags, vm_stat_account's total/data/exec/stack counters,
 * max_map_count, overcommit charging of accountable mappings.
 * Simplifies: the stack does not grow beyond its initial VMA; mlock's
 * LRU move is counters only.  The madvise advices are in madvise.c.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/huge_mm.h"
#include "mmsim/pagemap.h"
#include "mmsim/slab.h"
#include "mmsim/log2.h"
#include "hugetlb_internal.h"

#define MMAP_MIN_ADDR 0x10000UL
#define RLIMIT_MEMLOCK_BYTES (8UL << 20)

#define VM_STACK VM_GROWSDOWN
#define VM_MERGE_MASK (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | \
		       VM_MAYSHARE | VM_GROWSDOWN | VM_LOCKED | VM_DONTCOPY | VM_ACCOUNT | VM_NORESERVE)

static gint vma_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct vm_area_struct *x = a, *y = b;

	(void)data;
	return x->vm_start < y->vm_start ? -1 : x->vm_start > y->vm_start;
}

struct mm_struct *mm_alloc(struct machine *m)
{
	struct mm_struct *mm = g_new0(struct mm_struct, 1);

	mm->machine = m;
	mm->slab_obj = kmem_cache_alloc(m, model_cache(m, MC_MM_STRUCT), GFP_KERNEL);
	mm->mmap = g_sequence_new(NULL);
	mm->pgd = pt_alloc(m, mm, 0);
	if (!mm->pgd) {
		kmem_cache_free(m, model_cache(m, MC_MM_STRUCT), mm->slab_obj);
		g_sequence_free(mm->mmap);
		g_free(mm);
		return NULL;
	}
	mm->mm_users = 1;
	mm->task_size = TASK_SIZE;
	malloc_state_init(&mm->malloc);
	return mm;
}

void vma_file_id(const struct vm_area_struct *vma, unsigned int *major, unsigned int *minor, unsigned long *ino)
{
	if (vma->vm_file) {
		*major = vma->vm_file->f_inode->dev_major;
		*minor = vma->vm_file->f_inode->dev_minor;
		*ino = vma->vm_file->f_inode->i_ino;
	} else if (vma->file) {
		/* a stable inode number per path, as a filesystem would give */
		*major = 8;
		*minor = 1;
		*ino = g_str_hash(vma->file) % 4000000 + 1000;
	} else {
		*major = *minor = 0;
		*ino = 0;
	}
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = g_slice_new0(struct vm_area_struct);

	vma->vm_mm = mm;
	vma->slab_obj = kmem_cache_alloc(mm->machine, model_cache(mm->machine, MC_VM_AREA_STRUCT), GFP_KERNEL);
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	struct machine *m = vma->vm_mm->machine;

	if (vma->anon_vma) {
		anon_vma_unlink(vma);
		anon_vma_put(vma->anon_vma);
	}
	kmem_cache_free(m, model_cache(m, MC_ANON_VMA_CHAIN), vma->avc_obj);
	kmem_cache_free(m, model_cache(m, MC_ANON_VMA_CHAIN), vma->fork_avc_obj);
	kmem_cache_free(m, model_cache(m, MC_ANON_VMA), vma->fork_av_obj);
	kmem_cache_free(m, model_cache(m, MC_VM_AREA_STRUCT), vma->slab_obj);
	g_free(vma->name);
	if (vma->file)
		g_ref_string_release(vma->file);
	g_slice_free(struct vm_area_struct, vma);
}

/* anon_vma_prepare: an anon_vma and the chain object linking the VMA to it */
struct anon_vma *anon_vma_get(struct vm_area_struct *vma)
{
	if (!vma->anon_vma) {
		struct machine *m = vma->vm_mm->machine;

		vma->anon_vma = g_new0(struct anon_vma, 1);
		vma->anon_vma->root = vma->anon_vma;
		vma->anon_vma->refcount = 1;
		vma->anon_vma->machine = m;
		vma->anon_vma->slab_obj = kmem_cache_alloc(m, model_cache(m, MC_ANON_VMA), GFP_KERNEL);
		if (!vma->avc_obj)
			vma->avc_obj = kmem_cache_alloc(m, model_cache(m, MC_ANON_VMA_CHAIN), GFP_KERNEL);
		vma->anon_vma->vmas = g_ptr_array_new();
		anon_vma_link(vma);
	}
	return vma->anon_vma;
}

/* anon_vma_chain_link / unlink_anon_vmas: the VMAs an anon page may be
 * mapped in, for rmap */
void anon_vma_link(struct vm_area_struct *vma)
{
	g_ptr_array_add(vma->anon_vma->vmas, vma);
}

void anon_vma_unlink(struct vm_area_struct *vma)
{
	g_ptr_array_remove_fast(vma->anon_vma->vmas, vma);
}

void anon_vma_free(struct anon_vma *av)
{
	kmem_cache_free(av->machine, model_cache(av->machine, MC_ANON_VMA), av->slab_obj);
	g_ptr_array_free(av->vmas, TRUE);
	g_free(av);
}

void anon_vma_put(struct anon_vma *av)
{
	/* pages still pointing at it keep it alive (fork shares pages) */
	if (--av->refcount <= 0 && av->nr_pages == 0)
		anon_vma_free(av);
}

void vma_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	g_sequence_insert_sorted(mm->mmap, vma, vma_cmp, NULL);
	mm->map_count++;
}

static GSequenceIter *vma_iter(struct mm_struct *mm, struct vm_area_struct *vma)
{
	return g_sequence_lookup(mm->mmap, vma, vma_cmp, NULL);
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct key = { .vm_start = addr };
	GSequenceIter *it = g_sequence_search(mm->mmap, &key, vma_cmp, NULL);

	/* it: the first VMA starting after addr; the one before may hold addr */
	if (!g_sequence_iter_is_begin(it)) {
		struct vm_area_struct *prev = g_sequence_get(g_sequence_iter_prev(it));

		if (prev->vm_end > addr)
			return prev;
	}
	return g_sequence_iter_is_end(it) ? NULL : g_sequence_get(it);
}

struct vm_area_struct *find_vma_by_name(struct mm_struct *mm, const char *name)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma)
		if (vma->name && !strcmp(vma->name, name))
			return vma;
	return NULL;
}

void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
	mm->total_vm += (unsigned long)npages;
	if ((flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC)
		mm->exec_vm += (unsigned long)npages;
	else if (flags & VM_STACK)
		mm->stack_vm += (unsigned long)npages;
	else if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE)
		mm->data_vm += (unsigned long)npages;
	update_hiwater_vm(mm);
}

/* accountable_mapping: private writable memory is charged to Committed_AS
 * (hugetlb pages are reserved instead) */
static bool accountable_mapping(unsigned long vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE | VM_HUGETLB)) == VM_WRITE;
}

unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* Remove a VMA: its pages, its accounting, its node */
static void remove_vma(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	GSequenceIter *it = vma_iter(mm, vma);

	zap_page_range(m, mm, vma, vma->vm_start, vma->vm_end);
	if (vma->hugetlb)
		hugetlb_vm_op_close(m, vma);
	vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
	if (vma->vm_flags & VM_ACCOUNT) {
		vm_unacct_memory(m, (long)vma_pages(vma));
		mm->committed -= vma_pages(vma);
	}
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm -= vma_pages(vma);
	if (vma->vm_file)
		vma_file_detach(m, vma);
	g_sequence_remove(it);
	mm->map_count--;
	vm_area_free(vma);
}

/* split_vma: vma keeps [start, addr), a new VMA gets [addr, end) */
static struct vm_area_struct *__split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr)
{
	struct vm_area_struct *new = vm_area_alloc(mm);
	unsigned long obj = new->slab_obj;

	*new = *vma;
	new->slab_obj = obj;  /* its own vm_area_struct object, and chain (anon_vma_clone) */
	new->fork_av_obj = new->fork_avc_obj = 0;
	new->avc_obj = new->anon_vma ? kmem_cache_alloc(mm->machine, model_cache(mm->machine, MC_ANON_VMA_CHAIN),
							GFP_KERNEL) : 0;
	new->vm_start = addr;
	new->vm_pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	new->name = g_strdup(vma->name);
	new->file = vma_file_path_get(vma->file);
	if (new->anon_vma) {
		new->anon_vma->refcount++;
		anon_vma_link(new);
	}
	if (new->vm_file)
		vma_file_attach(new);
	if (new->hugetlb)
		hugetlb_vm_op_open(new);
	vma->vm_end = addr;
	vma_insert(mm, new);
	return new;
}

/* split_vma: refused (NULL) once the process has max_map_count VMAs */
static struct vm_area_struct *split_vma(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
					unsigned long addr)
{
	if (mm->map_count >= m->sysctl.max_map_count)
		return NULL;
	return __split_vma(mm, vma, addr);
}

static bool vmas_mergeable(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	/* is_mergeable_vma: soft-dirty tracking does not keep VMAs apart */
	if (a->vm_end != b->vm_start || a->kind != b->kind || ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY))
		return false;
	if (a->kind == VMA_STACK || a->kind == VMA_VDSO || a->kind == VMA_VVAR || a->hugetlb || b->hugetlb)
		return false;
	if (g_strcmp0(a->name, b->name) || g_strcmp0(a->file, b->file) || !mpol_equal(&a->vm_policy, &b->vm_policy))
		return false;
	if (a->file && a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	if (a->vm_file != b->vm_file || (a->vm_file && a->vm_pgoff + vma_pages(a) != b->vm_pgoff))
		return false;
	/* anon_vmas must be the same, or one side has none yet */
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* vma_merge: fold vma into its neighbours where they are compatible */
struct vm_area_struct *vma_merge_neighbours(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	GSequenceIter *it = vma_iter(mm, vma);

	if (!g_sequence_iter_is_begin(it)) {
		struct vm_area_struct *prev = g_sequence_get(g_sequence_iter_prev(it));

		if (vmas_mergeable(prev, vma)) {
			prev->vm_end = vma->vm_end;
			prev->vm_flags |= vma->vm_flags & VM_SOFTDIRTY;
			if (!prev->anon_vma && vma->anon_vma) {
				anon_vma_unlink(vma);
				prev->anon_vma = vma->anon_vma;
				vma->anon_vma = NULL;
				anon_vma_link(prev);
			}
			if (vma->vm_file)
				vma_file_detach(m, vma);
			g_sequence_remove(it);
			mm->map_count--;
			vm_area_free(vma);
			vma = prev;
			it = vma_iter(mm, vma);
		}
	}
	it = g_sequence_iter_next(it);
	if (!g_sequence_iter_is_end(it)) {
		struct vm_area_struct *next = g_sequence_get(it);

		if (vmas_mergeable(vma, next)) {
			vma->vm_end = next->vm_end;
			vma->vm_flags |= next->vm_flags & VM_SOFTDIRTY;
			if (!vma->anon_vma && next->anon_vma) {
				anon_vma_unlink(next);
				vma->anon_vma = next->anon_vma;
				next->anon_vma = NULL;
				anon_vma_link(vma);
			}
			if (next->vm_file)
				vma_file_detach(m, next);
			g_sequence_remove(it);
			mm->map_count--;
			vm_area_free(next);
		}
	}
	return vma;
}

/* Every VMA of [start, end) split to fit inside it; false if a hole */
bool range_mapped(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long a = start;

	while (a < end) {
		struct vm_area_struct *vma = find_vma(mm, a);

		if (!vma || vma->vm_start > a)
			return false;
		a = vma->vm_end;
	}
	return true;
}

/* Apply fn to every VMA of [start, end), splitting at the edges. */
int for_each_vma_in_range(struct machine *m, struct task_struct *t, unsigned long start,
				 unsigned long end, vma_range_fn fn, void *arg)
{
	struct mm_struct *mm = t->mm;
	unsigned long a = start;
	int err = 0;

	while (a < end && !err) {
		struct vm_area_struct *vma = find_vma(mm, a);

		if (!vma || vma->vm_start >= end)
			break;
		if (vma->vm_start < a && !(vma = split_vma(m, mm, vma, a)))
			return -ENOMEM;
		if (vma->vm_end > end && !split_vma(m, mm, vma, end))
			return -ENOMEM;
		a = vma->vm_end;
		err = fn(m, t, vma, arg);
	}
	return err;
}

/* A split of a hugetlb VMA at start or end that is not huge-page aligned */
static bool hugetlb_split_refused(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *a = find_vma(mm, start), *b = find_vma(mm, end);

	return (a && a->hugetlb && a->vm_start < start && hugetlb_vm_op_split(a, start)) ||
	       (b && b->hugetlb && b->vm_start < end && hugetlb_vm_op_split(b, end));
}

int do_munmap(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *first = find_vma(mm, start);

	/* punching a hole in one VMA adds one: refused at max_map_count */
	if (first && first->vm_start < start && end < first->vm_end &&
	    mm->map_count >= m->sysctl.max_map_count)
		return -ENOMEM;
	/* hugetlb_vm_op_split: a hugetlb VMA splits only at its page size */
	if (hugetlb_split_refused(mm, start, end))
		return -EINVAL;
	for (;;) {
		struct vm_area_struct *vma = find_vma(mm, start);

		if (!vma || vma->vm_start >= end)
			break;
		if (vma->vm_start < start) {
			__split_vma(mm, vma, start);
			continue;
		}
		if (vma->vm_end > end)
			__split_vma(mm, vma, end);
		remove_vma(m, mm, vma);
	}
	free_empty_pgtables(m, mm);
	return 0;
}

/* The top-down allocator below mmap_base (unmapped_area_topdown), the
 * start aligned to align (a power of two: hugetlb_get_unmapped_area) */
static unsigned long get_unmapped_area_aligned(struct mm_struct *mm, unsigned long len, unsigned long align)
{
	unsigned long gap_end = mm->mmap_base;
	GSequenceIter *it = g_sequence_get_end_iter(mm->mmap);

	while (!g_sequence_iter_is_begin(it)) {
		struct vm_area_struct *vma;

		it = g_sequence_iter_prev(it);
		vma = g_sequence_get(it);
		if (vma->vm_start >= gap_end)
			continue;
		if (vma->vm_end <= gap_end && gap_end - vma->vm_end >= len &&
		    ((gap_end - len) & ~(align - 1)) >= vma->vm_end)
			return (gap_end - len) & ~(align - 1);
		gap_end = MIN(gap_end, vma->vm_start);
	}
	return gap_end >= len + MMAP_MIN_ADDR && ((gap_end - len) & ~(align - 1)) >= MMAP_MIN_ADDR ?
		       (gap_end - len) & ~(align - 1) : 0;
}

unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long len)
{
	return get_unmapped_area_aligned(mm, len, PAGE_SIZE);
}

static unsigned long calc_vm_prot_bits(int prot)
{
	return ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

/* Put a new VMA in place, charged and accounted; merges with neighbours */
static struct vm_area_struct *mmap_region(struct machine *m, struct task_struct *t, unsigned long addr,
					  unsigned long len, unsigned long vm_flags, enum vma_kind kind,
					  const char *name, const char *file, unsigned long pgoff,
					  struct file *vm_file, int *err)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;
	long charged = 0;

	/* do_mmap: too many mappings */
	if (mm->map_count > m->sysctl.max_map_count) {
		*err = -ENOMEM;
		return NULL;
	}
	if (accountable_mapping(vm_flags)) {
		charged = (long)(len >> PAGE_SHIFT);
		if ((*err = __vm_enough_memory(m, t, charged)))
			return NULL;
		vm_flags |= VM_ACCOUNT;
		mm->committed += (unsigned long)charged;
	}
	vma = vm_area_alloc(mm);
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	/* __mmap_complete: a new or expanded VMA is soft-dirty as a whole */
	vma->vm_flags = vm_flags | VM_SOFTDIRTY;
	vma->kind = kind;
	vma->name = g_strdup(name);
	vma->file = file ? g_ref_string_new_intern(file) : NULL;
	vma->vm_pgoff = (file || vm_file) ? pgoff : addr >> PAGE_SHIFT;
	if (vm_file) {
		vma->vm_file = vm_file;
		vma_file_attach(vma);
	}
	vma_insert(mm, vma);
	vm_stat_account(mm, vm_flags, (long)(len >> PAGE_SHIFT));
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	*err = 0;
	return (vm_flags & VM_SHARED) ? vma : vma_merge_neighbours(m, mm, vma);
}

int do_mmap_fixed(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
		  unsigned long vm_flags, enum vma_kind kind, const char *file, unsigned long pgoff)
{
	int err;

	mmap_region(m, t, addr, len, vm_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, kind, NULL, file,
		    pgoff, NULL, &err);
	return err;
}

/* Fault in [start, end) the way __mm_populate does */
static int populate_range(struct machine *m, struct task_struct *t, unsigned long start, unsigned long end)
{
	unsigned long a = start;

	while (a < end) {
		struct vm_area_struct *vma = find_vma(t->mm, a);
		bool write;
		unsigned long stop;

		if (!vma || vma->vm_start >= end)
			break;
		if (a < vma->vm_start)
			a = vma->vm_start;
		stop = MIN(end, vma->vm_end);
		/* writable private memory is populated with write faults */
		write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
		if (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))
			for (; a < stop; a += PAGE_SIZE) {
				int err = fatal_signal_pending(t) ? -EINTR : handle_mm_fault(m, t, vma, a, write);

				if (err)
					return err;
			}
		a = stop;
	}
	update_hiwater_rss(t->mm);
	return 0;
}

/* The address of a new mapping (MAP_FIXED, a hint, or a free gap),
 * aligned to align; or a negative errno */
static long mmap_pick_addr(struct machine *m, struct mm_struct *mm, unsigned long addr, unsigned long len,
			   int flags, unsigned long align)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (align - 1))
			return -EINVAL;
		if (addr < MMAP_MIN_ADDR || addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if (flags & MAP_FIXED_NOREPLACE) {
			struct vm_area_struct *clash = find_vma(mm, addr);

			if (clash && clash->vm_start < addr + len)
				return -EEXIST;
		} else {
			int err = do_munmap(m, mm, addr, len);

			if (err)
				return err;
		}
	} else {
		/* a hint is taken when the range is free (arch_get_unmapped_area) */
		struct vm_area_struct *next;

		addr = ALIGN_UP(addr, align);
		next = addr ? find_vma(mm, addr) : NULL;
		/* larger private anonymous mappings start PMD-aligned
		 * (__get_unmapped_area: no hint, a whole number of PMDs) */
		if (!addr && (flags & MAP_ANONYMOUS) && !(flags & MAP_SHARED) && align == PAGE_SIZE &&
		    !(len & ~HPAGE_PMD_MASK))
			addr = thp_get_unmapped_area_vmflags(mm, len);
		else if (!addr || addr < MMAP_MIN_ADDR || addr + len > mm->mmap_base || addr + len < addr ||
			 (next && next->vm_start < addr + len))
			addr = get_unmapped_area_aligned(mm, len, align);
		if (!addr)
			addr = get_unmapped_area_aligned(mm, len, align);
		if (!addr)
			return -ENOMEM;
	}
	return (long)addr;
}

/* MAP_HUGETLB: hugetlbfs_file_mmap's reservation, or the mapping goes */
static long mmap_hugetlb_setup(struct machine *m, struct vm_area_struct *vma, struct hstate *hs)
{
	unsigned long addr = vma->vm_start, len = vma->vm_end - vma->vm_start;
	int err = hugetlb_vma_setup(m, vma, hs);

	if (err) {
		do_munmap(m, vma->vm_mm, addr, len);
		return err;
	}
	return (long)addr;
}

static long do_mmap(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot,
		    int flags, const char *name, struct file *file, unsigned long pgoff)
{
	struct mm_struct *mm = t->mm;
	unsigned long vm_flags;
	struct vm_area_struct *vma;
	struct hstate *hs = NULL;
	long picked;
	int err;

	if (!mm)
		return -EINVAL;
	if (!len || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)) || ((flags & MAP_SHARED) && (flags & MAP_PRIVATE)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if ((flags & MAP_HUGETLB) && (err = hugetlb_mmap_prepare(m, flags, &len, &hs)))
		return err;
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	picked = mmap_pick_addr(m, mm, addr, len, flags, hs ? huge_page_size(hs) : PAGE_SIZE);
	if (picked < 0)
		return picked;
	addr = (unsigned long)picked;
	vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (flags & MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	if (hs)
		vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
	if ((flags & MAP_SHARED) && (flags & MAP_ANONYMOUS) && !hs) {
		/* shared anonymous memory is shmem: charged as a whole */
		if ((err = __vm_enough_memory(m, t, (long)(len >> PAGE_SHIFT))))
			return err;
		vm_flags |= VM_ACCOUNT;
		mm->committed += len >> PAGE_SHIFT;
	}
	if (file) {
		vma = mmap_region(m, t, addr, len, vm_flags, VMA_FILE, name, file->f_inode->path, pgoff, file, &err);
	} else if ((flags & MAP_SHARED) && !hs) {
		/* shared anonymous memory is a shmem file (shmem_zero_setup) */
		struct file *shm = shmem_zero_setup(m, len);

		vma = mmap_region(m, t, addr, len, vm_flags, VMA_ANON, name, NULL, 0, shm, &err);
		fput(m, shm);  /* the VMA holds it now */
	} else {
		vma = mmap_region(m, t, addr, len, vm_flags, VMA_ANON, name, NULL, 0, NULL, &err);
	}
	if (!vma) {
		if (vm_flags & VM_ACCOUNT) {
			vm_unacct_memory(m, (long)(len >> PAGE_SHIFT));
			mm->committed -= len >> PAGE_SHIFT;
		}
		return err;
	}
	if (hs && (picked = mmap_hugetlb_setup(m, vma, hs)) < 0)
		return picked;
	if (flags & MAP_POPULATE)
		populate_range(m, t, addr, addr + len);
	return (long)addr;
}

/* MAP_POPULATE faults pages in: an OOM kill of t takes effect on return */
long sys_mmap(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot,
	      int flags, const char *name)
{
	struct task_struct *prev = syscall_enter(m, t);
	int pid = t->pid;
	long ret = do_mmap(m, t, addr, len, prot, flags | MAP_ANONYMOUS, name, NULL, 0);

	return syscall_exit_oom(m, pid, prev, ret);
}

/* mmap of a simulated file: checked like open(2) then mmap(2); name, if
 * given, makes the mapping a TARGET (maps still shows the file's path) */
long sys_mmap_file(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot,
		   int flags, const char *path, unsigned long pgoff, const char *name)
{
	struct task_struct *prev;
	struct inode *inode;
	int pid = t->pid;
	int err;

	if (!t->mm)
		return -EINVAL;
	if ((err = sim_lookup(m, path, &inode)))
		return err == -EISDIR ? -ENODEV : err;  /* mmap of a directory */
	if ((flags & MAP_ANONYMOUS) || !len)
		return -EINVAL;
	if (pgoff + (PAGE_ALIGN(len) >> PAGE_SHIFT) < pgoff || pgoff > (ULONG_MAX >> PAGE_SHIFT))
		return -EOVERFLOW;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_mmap(m, t, addr, len, prot, flags, name, task_file(m, t, inode), pgoff));
}

int sys_munmap(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len)
{
	if (!t->mm || (addr & ~PAGE_MASK) || !len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (addr + len > TASK_SIZE || addr + len < addr)
		return -EINVAL;
	return do_munmap(m, t->mm, addr, len);
}

struct mprotect_arg {
	unsigned long newflags_bits;
	long charged;   /* pages charged for the VMA about to be changed */
};

/* mprotect_fixup's charge comes before the VMA is split, as in the
 * kernel: a refusal leaves this VMA whole */
static bool mprotect_needs_charge(const struct vm_area_struct *vma, unsigned long newflags_bits)
{
	return (newflags_bits & VM_WRITE) &&
	       !(vma->vm_flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE)) && vma->kind != VMA_STACK;
}

static int mprotect_fixup(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg)
{
	struct mprotect_arg *a = arg;
	struct mm_struct *mm = t->mm;
	unsigned long newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | a->newflags_bits;
	long pages = (long)vma_pages(vma);

	/* a private mapping turning writable was charged before the split */
	if (a->charged) {
		newflags |= VM_ACCOUNT;
		mm->committed += (unsigned long)a->charged;
		a->charged = 0;
	}
	vm_stat_account(mm, vma->vm_flags, -pages);
	vm_stat_account(mm, newflags, pages);
	if ((vma->vm_flags & VM_WRITE) && !(newflags & VM_WRITE))
		change_pte_range_wrprotect(mm, vma->vm_start, vma->vm_end);
	vma->vm_flags = newflags;
	vma_merge_neighbours(m, mm, vma);
	return 0;
}

int sys_mprotect(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot)
{
	struct mprotect_arg a;
	unsigned long end;

	if (!t->mm || (addr & ~PAGE_MASK) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (!len)
		return 0;
	if (!range_mapped(t->mm, addr, end))
		return -ENOMEM;
	a.newflags_bits = calc_vm_prot_bits(prot);
	a.charged = 0;
	for (unsigned long at = addr; at < end;) {
		struct vm_area_struct *vma = find_vma(t->mm, at);
		unsigned long lo, hi;
		int err;

		if (!vma || vma->vm_start >= end)
			break;
		lo = MAX(at, vma->vm_start);
		hi = MIN(end, vma->vm_end);
		if (mprotect_needs_charge(vma, a.newflags_bits)) {
			if ((err = __vm_enough_memory(m, t, (long)((hi - lo) >> PAGE_SHIFT))))
				return err;
			a.charged = (long)((hi - lo) >> PAGE_SHIFT);
		}
		if ((vma->vm_start < lo && !(vma = split_vma(m, t->mm, vma, lo))) ||
		    (vma->vm_end > hi && !split_vma(m, t->mm, vma, hi))) {
			if (a.charged)
				vm_unacct_memory(m, a.charged);
			return -ENOMEM;
		}
		at = vma->vm_end;
		if ((err = mprotect_fixup(m, t, vma, &a)))
			return err;
	}
	return 0;
}

/* ---- mlock ---- */

/* mlock_folio / munlock_folio: a page is unevictable while any locked VMA
 * maps it; like the kernel's folio->mlock_count, the count lives where the
 * LRU links would be (page->prev) */
static void mlock_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	struct page *page;
	struct zone *zone;
	bool lock = arg != NULL;

	(void)vma;
	(void)addr;
	if (pte_special(pte))
		return;
	page = pfn_to_page(m, pte_pfn(pte));
	if (page_test(page, PG_mlocked)) {
		if (lock) {
			page->prev++;
			return;
		}
		if (--page->prev > 0)
			return;
	} else if (!lock) {
		return;
	}
	zone = pfn_zone(m, pte_pfn(pte));
	/* the page moves to or from the unevictable list */
	__mod_zone_page_state(zone, NR_MLOCK, lock ? 1 : -1);
	count_vm_event(m, lock ? UNEVICTABLE_PGMLOCKED : UNEVICTABLE_PGMUNLOCKED);
	if (lock) {
		lru_mlock_folio(m, pte_pfn(pte));
		page_set(page, PG_mlocked);
		page->prev = 1;
	} else {
		page_clear(page, PG_mlocked);
		page->prev = PFN_NONE;
		lru_munlock_folio(m, pte_pfn(pte));
	}
}

/* A page leaving a locked VMA (zap, COW copy) is unlocked first */
void munlock_page_pte(struct machine *m, pte_t pte)
{
	mlock_pte(m, NULL, 0, pte, NULL);
}

void mlock_page_pte(struct machine *m, pte_t pte)
{
	mlock_pte(m, NULL, 0, pte, (void *)1);
}

static int mlock_fixup(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg)
{
	bool lock = arg != NULL;
	long pages = (long)vma_pages(vma);
	int err = 0;

	if (lock == !!(vma->vm_flags & VM_LOCKED))
		return 0;
	if (lock) {
		/* the pages there now are locked by the walk; the ones populate
		 * faults in are locked by the fault path (mlock_new_folio) */
		walk_page_range(m, vma, vma->vm_start, vma->vm_end, mlock_pte, (void *)1);
		vma->vm_flags |= VM_LOCKED;
		t->mm->locked_vm += (unsigned long)pages;
		err = populate_range(m, t, vma->vm_start, vma->vm_end);
	} else {
		walk_page_range(m, vma, vma->vm_start, vma->vm_end, mlock_pte, NULL);
		vma->vm_flags &= ~VM_LOCKED;
		t->mm->locked_vm -= (unsigned long)pages;
	}
	vma_merge_neighbours(m, t->mm, vma);
	return err;
}

static unsigned long locked_in_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long locked = 0;
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma) {
		if (!(vma->vm_flags & VM_LOCKED) || vma->vm_end <= start || vma->vm_start >= end)
			continue;
		locked += (MIN(end, vma->vm_end) - MAX(start, vma->vm_start)) >> PAGE_SHIFT;
	}
	return locked;
}

static int do_mlock(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, bool lock)
{
	unsigned long start = addr & PAGE_MASK, end;

	if (!t->mm)
		return -EINVAL;
	len = PAGE_ALIGN(len + (addr & ~PAGE_MASK));
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!len)
		return 0;
	if (lock && t->uid != 0) {
		unsigned long want = t->mm->locked_vm + (len >> PAGE_SHIFT) - locked_in_range(t->mm, start, end);

		if (want > (RLIMIT_MEMLOCK_BYTES >> PAGE_SHIFT))
			return -ENOMEM;
	}
	if (!range_mapped(t->mm, start, end))
		return -ENOMEM;
	return for_each_vma_in_range(m, t, start, end, mlock_fixup, lock ? (void *)1 : NULL);
}

int sys_mlock(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len)
{
	struct task_struct *prev = syscall_enter(m, t);
	int pid = t->pid;
	int err = do_mlock(m, t, addr, len, true);

	return (int)syscall_exit_oom(m, pid, prev, err);
}

int sys_munlock(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len)
{
	return do_mlock(m, t, addr, len, false);
}

/* ---- brk ---- */

unsigned long sys_brk(struct machine *m, struct task_struct *t, unsigned long brk)
{
	struct mm_struct *mm = t->mm;
	unsigned long newbrk, oldbrk;
	struct vm_area_struct *next, *heap;
	int err;

	if (!mm || brk < mm->start_brk)
		return mm ? mm->brk : 0;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		return brk;
	}
	if (brk <= mm->brk) {
		/* shrinking: unmap what is above the new break */
		mm->brk = brk;
		do_munmap(m, mm, newbrk, oldbrk - newbrk);
		return brk;
	}
	next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > next->vm_start)
		return mm->brk;
	heap = oldbrk > mm->start_brk ? find_vma(mm, oldbrk - 1) : NULL;
	if (heap && heap->kind == VMA_HEAP && heap->vm_end == oldbrk) {
		/* do_brk_flags: expand the heap VMA in place */
		long pages = (long)((newbrk - oldbrk) >> PAGE_SHIFT);

		/* do_brk_flags: the map count before the charge */
		if (mm->map_count > m->sysctl.max_map_count)
			return mm->brk;
		if (__vm_enough_memory(m, t, pages))
			return mm->brk;
		mm->committed += (unsigned long)pages;
		heap->vm_end = newbrk;
		vm_stat_account(mm, heap->vm_flags, pages);
	} else {
		if (!mmap_region(m, t, oldbrk, newbrk - oldbrk,
				 VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, VMA_HEAP, NULL, NULL, 0,
				 NULL, &err))
			return mm->brk;
	}
	mm->brk = brk;
	return brk;
}

void mmput(struct machine *m, struct mm_struct *mm)
{
	if (--mm->mm_users > 0)
		return;
	/* exit_mmap: every VMA goes, then the page tables */
	while (g_sequence_get_length(mm->mmap) > 0)
		remove_vma(m, mm, g_sequence_get(g_sequence_get_begin_iter(mm->mmap)));
	free_pgd(m, mm);
	ksm_exit(m, mm);
	g_sequence_free(mm->mmap);
	malloc_state_destroy(&mm->malloc);
	kmem_cache_free(m, model_cache(m, MC_MM_STRUCT), mm->slab_obj);
	g_free(mm);
}
