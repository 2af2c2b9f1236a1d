/*
 * Transparent huge pages (include/linux/huge_mm.h, khugepaged.h): the
 * settings of sys/kernel/mm/transparent_hugepage/, the per-size (mTHP)
 * controls and statistics, khugepaged's tunables and counters, and the
 * eligibility rule (thp_vma_allowable_orders) the fault path, smaps and
 * khugepaged share.
 */
#ifndef MMSIM_HUGE_MM_H
#define MMSIM_HUGE_MM_H

#include <stdbool.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

/* The GFP of THP allocations (include/linux/gfp_types.h) */
#define GFP_TRANSHUGE_LIGHT \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* transparent_hugepage_flags' bits */
enum transparent_hugepage_flag {
	TRANSPARENT_HUGEPAGE_FLAG,              /* enabled: always */
	TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG,     /* enabled: madvise */
	TRANSPARENT_HUGEPAGE_DEFRAG_DIRECT_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_OR_MADV_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG,
	TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG,
};

/* The top-level enabled file's values */
enum thp_enabled { THP_ENABLED_ALWAYS, THP_ENABLED_MADVISE, THP_ENABLED_NEVER };
/* A size's anon enabled file: the top level's plus inherit */
enum thpsize_enabled { THPSIZE_ALWAYS, THPSIZE_INHERIT, THPSIZE_MADVISE, THPSIZE_NEVER, NR_THPSIZE_MODES };
/* defrag, in the file's order */
enum thp_defrag { THP_DEFRAG_ALWAYS, THP_DEFRAG_DEFER, THP_DEFRAG_DEFER_MADVISE, THP_DEFRAG_MADVISE,
		  THP_DEFRAG_NEVER, NR_THP_DEFRAG_MODES };
/* shmem_enabled (mm/shmem.c's SHMEM_HUGE_*), in the top-level file's order */
enum shmem_huge { SHMEM_HUGE_ALWAYS, SHMEM_HUGE_WITHIN_SIZE, SHMEM_HUGE_ADVISE, SHMEM_HUGE_NEVER,
		  SHMEM_HUGE_DENY, SHMEM_HUGE_FORCE, NR_SHMEM_HUGE };
/* A size's shmem_enabled */
enum thpsize_shmem { THPSIZE_SHMEM_ALWAYS, THPSIZE_SHMEM_INHERIT, THPSIZE_SHMEM_WITHIN_SIZE,
		     THPSIZE_SHMEM_ADVISE, THPSIZE_SHMEM_NEVER, NR_THPSIZE_SHMEM_MODES };

/* The sizes with a hugepages-<N>kB directory: orders 1 .. PMD (x86-64) */
#define THP_ORDERS_ALL_ANON (((1UL << (HPAGE_PMD_ORDER + 1)) - 1) & ~3UL)
#define THP_ORDERS_ALL_FILE_DEFAULT (((1UL << (HPAGE_PMD_ORDER + 1)) - 1) & ~1UL)
#define THP_ORDERS_ALL (THP_ORDERS_ALL_ANON | THP_ORDERS_ALL_FILE_DEFAULT)

/* Per-size statistics (enum mthp_stat_item), hugepages-<N>kB/stats/ */
#define MTHP_STAT_ITEMS(X)                                                   \
	X(MTHP_STAT_ANON_FAULT_ALLOC, "anon_fault_alloc")                    \
	X(MTHP_STAT_ANON_FAULT_FALLBACK, "anon_fault_fallback")              \
	X(MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE, "anon_fault_fallback_charge") \
	X(MTHP_STAT_ZSWPOUT, "zswpout")                                      \
	X(MTHP_STAT_SWPIN, "swpin")                                          \
	X(MTHP_STAT_SWPIN_FALLBACK, "swpin_fallback")                        \
	X(MTHP_STAT_SWPIN_FALLBACK_CHARGE, "swpin_fallback_charge")          \
	X(MTHP_STAT_SWPOUT, "swpout")                                        \
	X(MTHP_STAT_SWPOUT_FALLBACK, "swpout_fallback")                      \
	X(MTHP_STAT_SHMEM_ALLOC, "shmem_alloc")                              \
	X(MTHP_STAT_SHMEM_FALLBACK, "shmem_fallback")                        \
	X(MTHP_STAT_SHMEM_FALLBACK_CHARGE, "shmem_fallback_charge")          \
	X(MTHP_STAT_SPLIT, "split")                                          \
	X(MTHP_STAT_SPLIT_FAILED, "split_failed")                            \
	X(MTHP_STAT_SPLIT_DEFERRED, "split_deferred")                        \
	X(MTHP_STAT_NR_ANON, "nr_anon")                                      \
	X(MTHP_STAT_NR_ANON_PARTIALLY_MAPPED, "nr_anon_partially_mapped")

#define MTHP_STAT_ENUM(e, name) e,
enum mthp_stat_item { MTHP_STAT_ITEMS(MTHP_STAT_ENUM) NR_MTHP_STAT_ITEMS };
#undef MTHP_STAT_ENUM
extern const char *const mthp_stat_names[NR_MTHP_STAT_ITEMS];

struct thp_state {
	unsigned long flags;                    /* transparent_hugepage_flags */
	unsigned long huge_anon_orders_always, huge_anon_orders_inherit, huge_anon_orders_madvise;
	enum shmem_huge shmem_huge;
	enum thpsize_shmem shmem_order_mode[HPAGE_PMD_ORDER + 1];
	bool split_underused_thp;               /* shrink_underused */
	unsigned long mthp_stats[HPAGE_PMD_ORDER + 1][NR_MTHP_STAT_ITEMS];
	/* mm/khugepaged.c */
	bool khugepaged_running;                /* start_stop_khugepaged's thread */
	unsigned int pages_to_scan, pages_collapsed, full_scans;
	unsigned int scan_sleep_millisecs, alloc_sleep_millisecs;
	unsigned int max_ptes_none, max_ptes_swap, max_ptes_shared;
};

/* thp_vma_allowable_orders' caller (enum tva_type) */
enum tva_type { TVA_SMAPS, TVA_PAGEFAULT, TVA_KHUGEPAGED, TVA_FORCED_COLLAPSE };

void hugepage_init(struct machine *m);
void hugepage_destroy(struct machine *m);

static inline bool thp_flag(const struct machine *m, enum transparent_hugepage_flag f)
{
	return m->thp->flags & (1UL << f);
}
static inline bool hugepage_global_enabled(const struct machine *m)
{
	return thp_flag(m, TRANSPARENT_HUGEPAGE_FLAG) || thp_flag(m, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG);
}
static inline bool hugepage_global_always(const struct machine *m)
{
	return thp_flag(m, TRANSPARENT_HUGEPAGE_FLAG);
}

/* The orders of `orders` a fault, khugepaged or smaps may use in vma */
unsigned long thp_vma_allowable_orders(struct machine *m, struct vm_area_struct *vma, unsigned long vm_flags,
				       enum tva_type type, unsigned long orders);
static inline bool thp_vma_allowable_order(struct machine *m, struct vm_area_struct *vma, unsigned long vm_flags,
					   enum tva_type type, int order)
{
	return thp_vma_allowable_orders(m, vma, vm_flags, type, 1UL << order) != 0;
}
/* Does [addr rounded down to the order, + its size) lie inside vma? */
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr, int order);
/* The start of a new private anonymous mapping of len (a multiple of the
 * PMD size), PMD-aligned, or 0 when no gap takes len plus a PMD */
unsigned long thp_get_unmapped_area_vmflags(struct mm_struct *mm, unsigned long len);
/* The GFP of a THP fault in vma under the defrag setting */
gfp_t vma_thp_gfp_mask(struct machine *m, struct vm_area_struct *vma);

/* The sysfs settings: 0 or -EINVAL, changing nothing on failure */
enum thp_enabled thp_get_enabled(const struct machine *m);
void thp_set_enabled(struct machine *m, enum thp_enabled mode);
enum thp_defrag thp_get_defrag(const struct machine *m);
void thp_set_defrag(struct machine *m, enum thp_defrag mode);
void thp_set_flag(struct machine *m, enum transparent_hugepage_flag f, bool on);
enum thpsize_enabled thpsize_get_enabled(const struct machine *m, int order);
void thpsize_set_enabled(struct machine *m, int order, enum thpsize_enabled mode);
int shmem_set_huge(struct machine *m, enum shmem_huge huge);
int thpsize_set_shmem(struct machine *m, int order, enum thpsize_shmem mode);

/* mm/khugepaged.c */
bool hugepage_pmd_enabled(const struct machine *m);
int start_stop_khugepaged(struct machine *m);
/* min_free_kbytes's floor while THP is on (set_recommended_min_free_kbytes) */
void set_recommended_min_free_kbytes(struct machine *m);
int hugepage_madvise(struct machine *m, struct vm_area_struct *vma, unsigned long *vm_flags, int advice);
void khugepaged_enter_vma(struct machine *m, struct vm_area_struct *vma, unsigned long vm_flags);

static inline void count_mthp_stat(struct machine *m, int order, enum mthp_stat_item item)
{
	if (order > 0 && order <= HPAGE_PMD_ORDER)
		m->thp->mthp_stats[order][item]++;
}

#endif
