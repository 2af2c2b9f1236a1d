/*
 * Tasks and address spaces: task_struct, mm_struct, vm_area_struct, page
 * tables (include/linux/sched.h, mm_types.h, mm.h, pgtable.h).
 *
 * The engine's process API (mm/fork.c, mm/mmap.c, mm/memory.c, ...):
 * functions return 0, an address/PID, or a negative errno as the kernel's
 * system calls do.  Nothing here knows about FUSE.
 */
#ifndef MMSIM_MM_TYPES_H
#define MMSIM_MM_TYPES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mempolicy.h"

struct machine;
struct cgroup;

/* ---- vm_flags (include/linux/mm.h) ---- */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_PFNMAP 0x00000400UL
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_LOCKONFAULT 0x00080000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_HUGETLB 0x00400000UL
#define VM_SYNC 0x00800000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_DONTDUMP 0x04000000UL
#define VM_SOFTDIRTY 0x08000000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_MERGEABLE 0x80000000UL

/* prot and mmap flags as in uapi/asm-generic/mman*.h */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_FIXED_NOREPLACE 0x100000

/* madvise advice (uapi/asm-generic/mman-common.h) */
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_COLLAPSE 25

/* What a VMA is, for maps' pathname column */
enum vma_kind {
	VMA_ANON,   /* anonymous; [anon:NAME] when named */
	VMA_FILE,   /* a file mapping: program text, data, shared libraries */
	VMA_HEAP,   /* [heap] */
	VMA_STACK,  /* [stack] */
	VMA_VVAR,   /* [vvar] */
	VMA_VVAR_VCLOCK, /* [vvar_vclock] (6.13+) */
	VMA_VDSO,   /* [vdso] */
};

struct anon_vma {
	struct anon_vma *root;
	int refcount;
	unsigned long nr_pages;  /* anon pages whose page->private points here */
	GPtrArray *vmas;         /* the VMAs that use it (anon_vma_chain): rmap */
	struct machine *machine;
	unsigned long slab_obj;  /* its anon_vma slab object */
};

struct mm_struct;
struct hugetlb_map;

struct vm_area_struct {
	unsigned long vm_start, vm_end;  /* [start, end) in bytes */
	unsigned long vm_flags;
	unsigned long vm_pgoff;          /* file offset in pages, or start >> PAGE_SHIFT for anon */
	struct mm_struct *vm_mm;
	struct anon_vma *anon_vma;
	enum vma_kind kind;
	char *name;                      /* anon name (name= / PR_SET_VMA_ANON_NAME), or NULL */
	char *file;                      /* path of a file mapping: an interned GRefString,
					    one copy however many VMAs map the path */
	struct file *vm_file;            /* a simulated file (include/mmsim/pagemap.h), or NULL */
	unsigned long slab_obj;          /* its vm_area_struct slab object */
	unsigned long avc_obj;           /* its anon_vma_chain object, with anon_vma */
	/* anon_vma_fork: a forked VMA's own anon_vma and the chain to it (the
	 * model shares the parent's anon_vma for rmap; these are its objects) */
	unsigned long fork_av_obj, fork_avc_obj;
	struct hugetlb_map *hugetlb;     /* VM_HUGETLB: its pages and reservations (mm/hugetlb.c) */
	struct mempolicy vm_policy;      /* mbind's; MPOL_DEFAULT: none (the task's applies) */
};

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/*
 * A page-table page: 512 entries.  Upper levels hold child pointers; the
 * PTE level holds pte_t values.  `pfn` is the buddy page that backs it in
 * the model (NR_PAGETABLE, VmPTE, pgtables_bytes count whole pages).  The
 * host keeps only the parts in use: chunks of PT_CHUNK entries, the first
 * PT_SMALL_CHUNKS chunks a table uses allocated one by one, and when it
 * needs more, the whole table at once (`bulk`, every entry at its own
 * index; the small chunks keep theirs).  A chunk never moves while its
 * table lives, so a pte_t * stays valid as long as the table.
 */
typedef uint64_t pte_t;
#define PTRS_PER_TABLE 512
#define PT_CHUNK_SHIFT 3
#define PT_CHUNK (1u << PT_CHUNK_SHIFT)
#define PT_NR_CHUNKS (PTRS_PER_TABLE >> PT_CHUNK_SHIFT)
#define PT_SMALL_CHUNKS 3
struct pt_page {
	pte_t *small[PT_SMALL_CHUNKS];
	pte_t *bulk;                       /* all PTRS_PER_TABLE entries, or NULL */
	unsigned long pfn;
	uint16_t nr_used;                  /* entries that are not 0 */
	/* 2 bits per chunk: 0 in bulk (absent without it), s: small[s - 1] */
	uint8_t map[PT_NR_CHUNKS / 4];
};

static inline unsigned int pt_chunk_small(const struct pt_page *t, unsigned int k)
{
	return (t->map[k >> 2] >> ((k & 3) << 1)) & 3;
}
/* Chunk k's entries, or NULL when the host has none for it (all 0) */
static inline pte_t *pt_chunk(const struct pt_page *t, unsigned int k)
{
	unsigned int s = pt_chunk_small(t, k);

	if (s)
		return t->small[s - 1];
	return t->bulk ? t->bulk + (k << PT_CHUNK_SHIFT) : NULL;
}
/* Entry i's slot, or NULL when its chunk is absent (the entry is 0) */
static inline pte_t *pt_slot(const struct pt_page *t, unsigned int i)
{
	pte_t *c = pt_chunk(t, i >> PT_CHUNK_SHIFT);

	return c ? c + (i & (PT_CHUNK - 1)) : NULL;
}
static inline pte_t pt_entry(const struct pt_page *t, unsigned int i)
{
	const pte_t *p = pt_slot(t, i);

	return p ? *p : 0;
}

/* pte bits (x86: present, rw, user, accessed, dirty; a software bit for
 * the shared zero page) and the pfn above PAGE_SHIFT */
#define _PAGE_PRESENT (1ULL << 0)
#define _PAGE_RW (1ULL << 1)
#define _PAGE_USER (1ULL << 2)
#define _PAGE_ACCESSED (1ULL << 5)
#define _PAGE_DIRTY (1ULL << 6)
#define _PAGE_SPECIAL (1ULL << 9) /* the zero page: no struct page accounting */
/* NUMA balancing's hinting mark (x86 _PAGE_PROTNONE, bit 8): the kernel
 * clears _PAGE_PRESENT and pte_present() still holds; the model keeps
 * _PAGE_PRESENT and the next access goes to do_numa_page */
#define _PAGE_PROTNONE (1ULL << 8)
/* soft-dirty (CONFIG_MEM_SOFT_DIRTY): a software bit set with every
 * dirtying, cleared only by clear_refs; a swap pte keeps it in bit 7,
 * below the swap offset */
#define _PAGE_SOFT_DIRTY (1ULL << 11)
#define _PAGE_SWP_SOFT_DIRTY (1ULL << 7)
#define _PAGE_DIRTY_BITS (_PAGE_DIRTY | _PAGE_SOFT_DIRTY)
#define PTE_PFN_SHIFT 12
static inline bool pte_present(pte_t pte) { return pte & _PAGE_PRESENT; }
static inline unsigned long pte_pfn(pte_t pte) { return (unsigned long)(pte >> PTE_PFN_SHIFT); }
static inline bool pte_write(pte_t pte) { return pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t pte) { return pte & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t pte) { return pte & _PAGE_SPECIAL; }
static inline bool pte_protnone(pte_t pte) { return (pte & (_PAGE_PROTNONE | _PAGE_PRESENT)) == (_PAGE_PROTNONE | _PAGE_PRESENT); }
static inline bool pte_soft_dirty(pte_t pte) { return pte & _PAGE_SOFT_DIRTY; }
static inline bool pte_swp_soft_dirty(pte_t pte) { return pte & _PAGE_SWP_SOFT_DIRTY; }

/*
 * Swap entries (include/linux/swapops.h, arch/x86/include/asm/pgtable_64.h).
 * swp_entry_t is the arch-independent form: type in the top bits, offset
 * below.  In a pte (not present, not none) x86-64 keeps the type in the
 * top 5 bits and the offset inverted from bit 9 (L1TF mitigation), so a
 * swap pte is never 0 and never has _PAGE_PRESENT.
 */
#define MAX_SWAPFILES_SHIFT 5
typedef struct {
	unsigned long val;
} swp_entry_t;
#define SWP_TYPE_SHIFT (63 - MAX_SWAPFILES_SHIFT) /* BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT */
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)
static inline swp_entry_t swp_entry(unsigned long type, unsigned long offset)
{
	return (swp_entry_t){ (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned int swp_type(swp_entry_t e) { return (unsigned int)(e.val >> SWP_TYPE_SHIFT); }
static inline unsigned long swp_offset(swp_entry_t e) { return e.val & SWP_OFFSET_MASK; }
#define __SWP_TYPE_BITS 5
#define __SWP_OFFSET_FIRST_BIT 9 /* _PAGE_BIT_PROTNONE + 1 */
#define __SWP_OFFSET_SHIFT (__SWP_OFFSET_FIRST_BIT + __SWP_TYPE_BITS)
static inline bool pte_none(pte_t pte) { return pte == 0; }
static inline bool is_swap_pte(pte_t pte) { return !pte_none(pte) && !pte_present(pte); }
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	unsigned long type = (unsigned long)(pte >> (64 - __SWP_TYPE_BITS));
	unsigned long offset = (unsigned long)(~pte << __SWP_TYPE_BITS >> __SWP_OFFSET_SHIFT);

	return swp_entry(type, offset);
}
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return (~(pte_t)swp_offset(e) << __SWP_OFFSET_SHIFT >> __SWP_TYPE_BITS) |
	       ((pte_t)swp_type(e) << (64 - __SWP_TYPE_BITS));
}

/* glibc malloc's view of a process (a simplified ptmalloc main arena);
 * the trees are NULL until its first malloc or free */
struct malloc_state {
	GTree *chunks;          /* addr -> size of live chunks */
	GTree *mmapped;         /* addr -> size of chunks served by mmap */
	GTree *free_chunks;     /* chunk addr -> size of freed heap chunks */
	unsigned long top;      /* first free byte above the last chunk */
	unsigned long mmap_threshold; /* 128 KiB, then dynamic (glibc's mp_) */
	unsigned long trim_threshold; /* 128 KiB, then 2 x mmap_threshold */
};

struct mm_struct {
	GSequence *mmap;             /* vm_area_struct *, ordered by vm_start */
	struct pt_page *pgd;
	/* the last PTE table a fault used and the 2 MiB it maps: consecutive
	 * faults skip the walk (a TLB for the simulator, not for the model) */
	struct pt_page *pte_cache;
	unsigned long pte_cache_base;
	int map_count;
	int mm_users;                /* tasks sharing it (threads) */
	unsigned long total_vm, locked_vm, pinned_vm, data_vm, exec_vm, stack_vm;
	unsigned long hiwater_rss, hiwater_vm;
	long rss_stat[NR_MM_COUNTERS];
	unsigned long pgtables_bytes;
	unsigned long committed;     /* pages charged to Committed_AS (VM_ACCOUNT) */
	unsigned long mmap_base, task_size;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long def_flags;
	struct malloc_state malloc;
	struct machine *machine;
	unsigned long slab_obj;      /* its mm_struct slab object */
	struct ksm_mm_slot *ksm_slot; /* mm/ksm.c: registered with ksmd, or NULL */
	/* NUMA balancing (task_numa_work): when the next scan may run (ns, 0:
	 * not yet set), where it resumes, and the full passes so far */
	uint64_t numa_next_scan;
	unsigned long numa_scan_offset;
	int numa_scan_seq;
};

/* x86-64 kernel stacks: 16 KiB (arch/x86/include/asm/page_64_types.h) */
#define THREAD_SIZE_ORDER 2
#define THREAD_SIZE (PAGE_SIZE << THREAD_SIZE_ORDER)

#define PF_FORKNOEXEC 0x00000040 /* forked but didn't exec */
#define PF_MEMALLOC 0x00000800   /* may dip into the reserves (kswapd) */
#define PF_NOFREEZE 0x00008000
#define PF_KSWAPD 0x00020000
#define PF_KTHREAD 0x00200000
#define PF_RANDOMIZE 0x00400000 /* randomize virtual address space */
#define TASK_COMM_LEN 16

struct task_struct {
	int pid, tgid;
	struct task_struct *real_parent;
	char comm[TASK_COMM_LEN];
	GByteArray *cmdline;         /* argv, NUL-separated, NUL-terminated; empty for kthreads */
	GByteArray *environ;         /* shared between tasks: replaced, never modified in place */
	unsigned int flags;          /* PF_KTHREAD */
	char state;                  /* 'R', 'S', 'I', 'Z' */
	unsigned int uid, gid;
	int nice;
	int cpu;                     /* the CPU it last ran on */
	int home_node;
	cpumask_t cpus_allowed;      /* sched_setaffinity's mask */
	struct mempolicy mempolicy;  /* set_mempolicy's; MPOL_DEFAULT: none */
	int il_prev;                 /* the last node of task-counter interleaving */
	unsigned int il_weight;      /* weighted interleave: pages left on il_prev */
	uint64_t start_time_ns;      /* simulated time of fork/spawn */
	uint64_t utime_ns, stime_ns; /* CPU time the model accounts */
	unsigned long min_flt, maj_flt;
	unsigned long nvcsw, nivcsw;
	short oom_score_adj;
	/* SIGKILL from the OOM killer delivered while the task was in the
	 * kernel (tsk_is_oom_victim + fatal_signal_pending): it dies when
	 * the system call it is in returns (syscall_exit_oom) */
	bool oom_victim;
	/* being built by fork or spawn: not yet on the task list as far as
	 * the OOM killer is concerned (copy_process attaches it last) */
	bool in_copy_process;
	bool in_lru_fault;           /* MGLRU: a fault on a VMA with recency */
	struct cgroup *cgroups;      /* its cgroup v2 (the root by default) */
	unsigned int memcg_nr_pages_over_high; /* charged past memory.high, for the return to user space */
	struct mm_struct *mm;        /* NULL for kernel threads */
	unsigned long kernel_stack_pfn; /* THREAD_SIZE block from the buddy allocator */
	GHashTable *files;           /* struct inode * -> struct file *: open files */
	uint64_t delayacct_blkio_ns; /* time waiting for block I/O */
	uint64_t ioac_rchar, ioac_wchar; /* bytes read and written (proc/PID/io) */
	/* struct task_io_accounting's other fields: read and write calls,
	 * bytes read from the disk (submit_bio), bytes dirtied, dirty bytes
	 * truncated before writeback */
	uint64_t ioac_syscr, ioac_syscw, ioac_read_bytes, ioac_write_bytes, ioac_cancelled_write_bytes;
	unsigned int nr_dirtied, nr_dirtied_pause; /* balance_dirty_pages ratelimit */
	uint64_t dirty_paused_when;  /* ns: when its last dirty throttle pause ended */
	unsigned long stack;         /* THREAD_SIZE kernel stack: a vmalloc address (VMAP_STACK) */
	/* its slab objects (copy_process): task_struct, pid, signal_struct,
	 * and for user processes sighand_struct, files_struct, fs_struct */
	unsigned long slab_task, slab_pid, slab_signal, slab_sighand, slab_files, slab_fs;
	struct task_files *exe_files; /* the mapped program and libraries (filp, dentries) */
	struct numa_task *numa;      /* NUMA balancing's state (numa_balancing.c), or NULL */
};

/* ---- tasks (kernel/fork.c, kernel/exit.c, kernel/pid.c) ---- */
/* include/linux/threads.h on 64 bits: 4M PIDs */
#define PID_MAX_LIMIT 4194304
/* PIDs of live tasks in ascending order (for readdir) */
GArray *task_pids(struct machine *m);
struct task_struct *find_task_by_pid(struct machine *m, int pid);
/* RLIMIT_SIGPENDING as fork_init sets it: max_threads / 2 */
unsigned long rlimit_sigpending_default(const struct machine *m);
/* A process as if a shell ran NAME: program text, data, heap, libraries,
 * stack, vdso.  pid 0 = the next free PID. */
int sys_spawn(struct machine *m, const char *name, int pid, const char *cgroup, struct task_struct **out);
/* The same on CPU cpu (pinned to it, as taskset -c starts a program), or
 * wherever the next task goes (-1); EINVAL for a CPU that does not exist */
int sys_spawn_on(struct machine *m, const char *name, int pid, const char *cgroup, int cpu,
		 struct task_struct **out);
int sys_fork(struct machine *m, struct task_struct *parent, const char *name, int pid,
	     struct task_struct **out);
int sys_exit(struct machine *m, struct task_struct *t);
/* SIGSEGV: the fault path's kill, with the kernel's segfault log line */
void force_sig_segv(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long ip,
		    bool write);

/* ---- address space (mm/mmap.c, mm/mprotect.c, mm/madvise.c, mm/mlock.c) ---- */
long sys_mmap(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
	      int prot, int flags, const char *name);
int sys_munmap(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len);
int sys_mprotect(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot);
int sys_madvise(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int advice);
int sys_mlock(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len);
int sys_munlock(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len);
/* brk(2): returns the new break (or the old one when refused, as Linux) */
unsigned long sys_brk(struct machine *m, struct task_struct *t, unsigned long brk);
long glibc_malloc(struct machine *m, struct task_struct *t, unsigned long size);
int glibc_free(struct machine *m, struct task_struct *t, unsigned long addr);

/* Loads (write=false) or stores to every page of [addr, addr+len): demand
 * faults, zero page, COW.  -EFAULT when the task was killed by SIGSEGV. */
int access_process_range(struct machine *m, struct task_struct *t, unsigned long addr,
			 unsigned long len, bool write);

/* The device and inode maps shows for a file mapping: its file's, or for
 * a program image a stable number per path (0 for anonymous memory) */
void vma_file_id(const struct vm_area_struct *vma, unsigned int *major, unsigned int *minor, unsigned long *ino);

/* VMA lookup */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr); /* first with end > addr */
struct vm_area_struct *find_vma_by_name(struct mm_struct *mm, const char *name);
/* Iterate VMAs in address order */
#define for_each_vma(mm, it, vma)                                                    \
	for (GSequenceIter *it = g_sequence_get_begin_iter((mm)->mmap);              \
	     !g_sequence_iter_is_end(it) && ((vma) = g_sequence_get(it), 1);         \
	     it = g_sequence_iter_next(it))

/* Page-table walk over [start, end): fn sees each present pte */
typedef void (*pte_walk_fn)(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte, void *arg);
void walk_page_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end, pte_walk_fn fn, void *arg);
/* The same over the swap ptes (non-present entries) only */
void walk_swap_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end, pte_walk_fn fn, void *arg);

/* mm counters (include/linux/mm.h get_mm_counter / get_mm_rss) */
static inline unsigned long get_mm_counter(const struct mm_struct *mm, int member)
{
	return mm->rss_stat[member] > 0 ? (unsigned long)mm->rss_stat[member] : 0;
}
static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/* mm/util.c: overcommit and Committed_AS */
unsigned long vm_commit_limit(const struct machine *m);
long vm_memory_committed(const struct machine *m);
/* include/uapi/linux/oom.h: the range of oom_score_adj */
#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
/* oom_badness-based score shown in proc/PID/oom_score (0..2000 as Linux) */
long oom_score(struct machine *m, struct task_struct *t);
/* A system call of t starts: t becomes current; returns the task that
 * was current, for syscall_exit_oom. */
struct task_struct *syscall_enter(struct machine *m, struct task_struct *t);
/* ... and returns: the outermost return delivers an OOM kill that came
 * meanwhile (the task exits: -ESRCH, else ret).  pid identifies t, which
 * may be gone (SIGSEGV) when this runs. */
long syscall_exit_oom(struct machine *m, int pid, struct task_struct *prev, long ret);
static inline bool fatal_signal_pending(const struct task_struct *t) { return t && t->oom_victim; }

#endif
