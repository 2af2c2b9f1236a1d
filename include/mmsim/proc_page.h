/*
 * Page-level state as procfs's binary files show it: the KPF_* bits of
 * /proc/kpageflags (include/uapi/linux/kernel-page-flags.h and the
 * kernel-internal ones of include/linux/kernel-page-flags.h), the PM_*
 * bits of /proc/PID/pagemap (fs/proc/task_mmu.c), and clear_refs.
 */
#ifndef MMSIM_PROC_PAGE_H
#define MMSIM_PROC_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mm_types.h"

struct machine;

enum kpageflags_bit {
	KPF_LOCKED = 0,
	KPF_ERROR = 1,
	KPF_REFERENCED = 2,
	KPF_UPTODATE = 3,
	KPF_DIRTY = 4,
	KPF_LRU = 5,
	KPF_ACTIVE = 6,
	KPF_SLAB = 7,
	KPF_WRITEBACK = 8,
	KPF_RECLAIM = 9,
	KPF_BUDDY = 10,
	KPF_MMAP = 11,
	KPF_ANON = 12,
	KPF_SWAPCACHE = 13,
	KPF_SWAPBACKED = 14,
	KPF_COMPOUND_HEAD = 15,
	KPF_COMPOUND_TAIL = 16,
	KPF_HUGE = 17,
	KPF_UNEVICTABLE = 18,
	KPF_HWPOISON = 19,
	KPF_NOPAGE = 20,
	KPF_KSM = 21,
	KPF_THP = 22,
	KPF_OFFLINE = 23,
	KPF_ZERO_PAGE = 24,
	KPF_IDLE = 25,
	KPF_PGTABLE = 26,
	/* kernel-internal, shown as they are (page-types -r reads them) */
	KPF_RESERVED = 32,
	KPF_MLOCKED = 33,
};

/* One u64 per page frame (KPMSIZE) */
#define KPMSIZE 8
#define KPMMASK (KPMSIZE - 1)

/* get_max_dump_pfn: max_pfn rounded up to a whole section (sparsemem) */
unsigned long get_max_dump_pfn(const struct machine *m);
/* stable_page_flags of the page at pfn: KPF_NOPAGE for a hole */
uint64_t stable_page_flags(struct machine *m, unsigned long pfn);
/* kpagecount's value: the page's mappings by page tables
 * (folio_precise_page_mapcount), 0 for a free or kernel page */
uint64_t kpagecount(struct machine *m, unsigned long pfn);

/* pagemap entries (fs/proc/task_mmu.c) */
#define PM_ENTRY_BYTES 8
#define PM_PFRAME_BITS 55
#define PM_PFRAME_MASK ((1ULL << PM_PFRAME_BITS) - 1)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_UFFD_WP (1ULL << 57)
#define PM_GUARD_REGION (1ULL << 58)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/*
 * pagemap_read's walk: out[i] is the entry of the virtual page at
 * start + i * PAGE_SIZE, for [start, end) (page-aligned, end within the
 * task's address space).  show_pfn: the reader may see page frame
 * numbers and swap locations (CAP_SYS_ADMIN at open); otherwise they
 * read 0.
 */
void pagemap_entries(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
		     bool show_pfn, uint64_t *out);

/* What a write to clear_refs asks (fs/proc/task_mmu.c enum clear_refs_types) */
enum clear_refs_types {
	CLEAR_REFS_ALL = 1,
	CLEAR_REFS_ANON,
	CLEAR_REFS_MAPPED,
	CLEAR_REFS_SOFT_DIRTY,
	CLEAR_REFS_MM_HIWATER_RSS,
	CLEAR_REFS_LAST,
};

/* clear_refs_write's work: 0, or -EINVAL for a type out of range */
int clear_refs(struct machine *m, struct task_struct *t, int type);

#endif
