/*
 * mm/huge_memory.c: transparent huge pages, their settings and the rule
 * that says where they may be used.
 *
 * Models:
 * - transparent_hugepage_flags (enabled, defrag, use_zero_page and
 *   khugepaged/defrag) with the boot defaults of a kernel built with
 *   CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS;
 * - the per-size (mTHP) anon orders always/inherit/madvise (2 MiB
 *   inherits, the smaller sizes are off) and shmem's top-level and
 *   per-size huge settings;
 * - thp_vma_allowable_orders: the sysfs masks, VM_HUGEPAGE/VM_NOHUGEPAGE,
 *   the VMA's size and alignment, the anon_vma rule;
 * - vma_thp_gfp_mask: the GFP of each defrag mode;
 * - thp_get_unmapped_area_vmflags: private anonymous mappings of a whole
 *   number of PMDs start PMD-aligned.
 * Simplifies:
 * - CONFIG_READ_ONLY_THP_FOR_FS is off: file mappings are never eligible;
 *   shmem mappings follow the global shmem_enabled and the per-size
 *   shmem settings (no per-mount huge= option);
 * - no prctl(PR_SET_THP_DISABLE): nothing disables THP for a whole mm;
 * - shared anonymous mappings are not aligned (shmem_get_unmapped_area's
 *   rule is for huge shmem, which is off by default).
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/huge_mm.h"
#include "mmsim/log2.h"
#include "mmsim/pagemap.h"

#define MTHP_STAT_NAME(e, name) [e] = name,
const char *const mthp_stat_names[NR_MTHP_STAT_ITEMS] = { MTHP_STAT_ITEMS(MTHP_STAT_NAME) };
#undef MTHP_STAT_NAME

#define BIT(n) (1UL << (n))

void hugepage_init(struct machine *m)
{
	struct thp_state *thp = g_new0(struct thp_state, 1);

	m->thp = thp;
	thp->flags = BIT(TRANSPARENT_HUGEPAGE_FLAG) | BIT(TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG) |
		     BIT(TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG) | BIT(TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG);
	/* hugepage_init: the PMD size inherits the top-level setting */
	thp->huge_anon_orders_inherit = BIT(HPAGE_PMD_ORDER);
	thp->shmem_huge = SHMEM_HUGE_NEVER;
	for (int order = 0; order <= HPAGE_PMD_ORDER; order++)
		thp->shmem_order_mode[order] = order == HPAGE_PMD_ORDER ? THPSIZE_SHMEM_INHERIT : THPSIZE_SHMEM_NEVER;
	thp->split_underused_thp = true;
	/* khugepaged_init */
	thp->pages_to_scan = HPAGE_PMD_NR * 8;
	thp->scan_sleep_millisecs = 10000;
	thp->alloc_sleep_millisecs = 60000;
	thp->max_ptes_none = HPAGE_PMD_NR - 1;
	thp->max_ptes_swap = HPAGE_PMD_NR / 8;
	thp->max_ptes_shared = HPAGE_PMD_NR / 2;
}

void hugepage_destroy(struct machine *m)
{
	g_free(m->thp);
	m->thp = NULL;
}

/* ---- the settings ---- */

enum thp_enabled thp_get_enabled(const struct machine *m)
{
	if (thp_flag(m, TRANSPARENT_HUGEPAGE_FLAG))
		return THP_ENABLED_ALWAYS;
	return thp_flag(m, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG) ? THP_ENABLED_MADVISE : THP_ENABLED_NEVER;
}

void thp_set_flag(struct machine *m, enum transparent_hugepage_flag f, bool on)
{
	if (on)
		m->thp->flags |= BIT(f);
	else
		m->thp->flags &= ~BIT(f);
}

/* enabled_store: then start_stop_khugepaged */
void thp_set_enabled(struct machine *m, enum thp_enabled mode)
{
	thp_set_flag(m, TRANSPARENT_HUGEPAGE_FLAG, mode == THP_ENABLED_ALWAYS);
	thp_set_flag(m, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG, mode == THP_ENABLED_MADVISE);
	start_stop_khugepaged(m);
}

static const enum transparent_hugepage_flag defrag_flag[NR_THP_DEFRAG_MODES - 1] = {
	TRANSPARENT_HUGEPAGE_DEFRAG_DIRECT_FLAG, TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_OR_MADV_FLAG, TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG,
};

enum thp_defrag thp_get_defrag(const struct machine *m)
{
	for (int i = 0; i < NR_THP_DEFRAG_MODES - 1; i++)
		if (thp_flag(m, defrag_flag[i]))
			return (enum thp_defrag)i;
	return THP_DEFRAG_NEVER;
}

/* defrag_store: one of the four bits, or none for never */
void thp_set_defrag(struct machine *m, enum thp_defrag mode)
{
	for (int i = 0; i < NR_THP_DEFRAG_MODES - 1; i++)
		thp_set_flag(m, defrag_flag[i], (int)mode == i);
}

enum thpsize_enabled thpsize_get_enabled(const struct machine *m, int order)
{
	if (m->thp->huge_anon_orders_always & BIT(order))
		return THPSIZE_ALWAYS;
	if (m->thp->huge_anon_orders_inherit & BIT(order))
		return THPSIZE_INHERIT;
	if (m->thp->huge_anon_orders_madvise & BIT(order))
		return THPSIZE_MADVISE;
	return THPSIZE_NEVER;
}

/* anon_enabled_store: the order moves to one mask, then start_stop_khugepaged */
void thpsize_set_enabled(struct machine *m, int order, enum thpsize_enabled mode)
{
	struct thp_state *thp = m->thp;

	thp->huge_anon_orders_always &= ~BIT(order);
	thp->huge_anon_orders_inherit &= ~BIT(order);
	thp->huge_anon_orders_madvise &= ~BIT(order);
	if (mode == THPSIZE_ALWAYS)
		thp->huge_anon_orders_always |= BIT(order);
	else if (mode == THPSIZE_INHERIT)
		thp->huge_anon_orders_inherit |= BIT(order);
	else if (mode == THPSIZE_MADVISE)
		thp->huge_anon_orders_madvise |= BIT(order);
	start_stop_khugepaged(m);
}

/* shmem_enabled_store: force may not override a smaller size's inherit */
int shmem_set_huge(struct machine *m, enum shmem_huge huge)
{
	if (huge == SHMEM_HUGE_FORCE) {
		for (int order = 1; order < HPAGE_PMD_ORDER; order++)
			if (m->thp->shmem_order_mode[order] == THPSIZE_SHMEM_INHERIT)
				return -EINVAL;
	}
	m->thp->shmem_huge = huge;
	return 0;
}

/* thpsize_shmem_enabled_store: under force, only the PMD size inherits */
int thpsize_set_shmem(struct machine *m, int order, enum thpsize_shmem mode)
{
	if (mode == THPSIZE_SHMEM_INHERIT && m->thp->shmem_huge == SHMEM_HUGE_FORCE && order != HPAGE_PMD_ORDER)
		return -EINVAL;
	m->thp->shmem_order_mode[order] = mode;
	return 0;
}

/* ---- eligibility ---- */

static bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file && (vma->kind == VMA_ANON || vma->kind == VMA_HEAP || vma->kind == VMA_STACK);
}

static bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->f_inode->kind == INODE_SHMEM;
}

bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr, int order)
{
	unsigned long hpage_size = PAGE_SIZE << order;
	unsigned long haddr = addr & ~(hpage_size - 1);

	if (!vma_is_anonymous(vma) &&
	    ((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) & ((hpage_size >> PAGE_SHIFT) - 1))
		return false;
	return haddr >= vma->vm_start && haddr + hpage_size <= vma->vm_end;
}

/* The orders whose aligned block fits somewhere in the VMA (the check
 * __thp_vma_allowable_orders makes outside the fault path) */
static unsigned long thp_vma_suitable_orders(struct vm_area_struct *vma, unsigned long orders)
{
	unsigned long out = 0;

	for (int order = HPAGE_PMD_ORDER; order > 0; order--)
		if ((orders & BIT(order)) && thp_vma_suitable_order(vma, vma->vm_end - (PAGE_SIZE << order), order))
			out |= BIT(order);
	return out;
}

/* shmem_allowable_huge_orders with the global and per-size settings */
static unsigned long shmem_allowable_huge_orders(struct machine *m, struct vm_area_struct *vma,
						 unsigned long vm_flags, unsigned long orders)
{
	const struct thp_state *thp = m->thp;
	bool advised = vm_flags & VM_HUGEPAGE, global;
	unsigned long out = 0;

	(void)vma;
	if (thp->shmem_huge == SHMEM_HUGE_DENY)
		return 0;
	if (thp->shmem_huge == SHMEM_HUGE_FORCE)
		return orders & BIT(HPAGE_PMD_ORDER);
	global = thp->shmem_huge == SHMEM_HUGE_ALWAYS || thp->shmem_huge == SHMEM_HUGE_WITHIN_SIZE ||
		 (thp->shmem_huge == SHMEM_HUGE_ADVISE && advised);
	for (int order = 1; order <= HPAGE_PMD_ORDER; order++) {
		enum thpsize_shmem mode = thp->shmem_order_mode[order];

		if (mode == THPSIZE_SHMEM_ALWAYS || mode == THPSIZE_SHMEM_WITHIN_SIZE ||
		    (mode == THPSIZE_SHMEM_ADVISE && advised) || (mode == THPSIZE_SHMEM_INHERIT && global))
			out |= BIT(order);
	}
	return orders & out;
}

/* __thp_vma_allowable_orders after the sysfs masks */
static unsigned long __thp_vma_allowable_orders(struct machine *m, struct vm_area_struct *vma,
						unsigned long vm_flags, enum tva_type type, unsigned long orders)
{
	bool in_pf = type == TVA_PAGEFAULT, smaps = type == TVA_SMAPS;

	orders &= vma_is_anonymous(vma) ? THP_ORDERS_ALL_ANON : THP_ORDERS_ALL_FILE_DEFAULT;
	if (!orders || !vma->vm_mm || (vm_flags & (VM_NOHUGEPAGE | VM_HUGETLB)))
		return 0;
	if (vma->kind == VMA_VVAR || vma->kind == VMA_VVAR_VCLOCK || vma->kind == VMA_VDSO)
		return 0;
	if (!in_pf) {
		orders = thp_vma_suitable_orders(vma, orders);
		if (!orders)
			return 0;
	}
	if (vma_is_shmem(vma))
		return in_pf ? 0 : shmem_allowable_huge_orders(m, vma, vm_flags, orders);
	if (!vma_is_anonymous(vma))
		return 0;
	/* THPeligible shows 1 before the first fault gives the VMA its anon_vma */
	if (!vma->anon_vma)
		return smaps || in_pf ? orders : 0;
	return orders;
}

unsigned long thp_vma_allowable_orders(struct machine *m, struct vm_area_struct *vma, unsigned long vm_flags,
				       enum tva_type type, unsigned long orders)
{
	const struct thp_state *thp = m->thp;

	/* everything but MADV_COLLAPSE honours the sysfs settings */
	if (type != TVA_FORCED_COLLAPSE && vma_is_anonymous(vma)) {
		unsigned long mask = thp->huge_anon_orders_always;

		if (vm_flags & VM_HUGEPAGE)
			mask |= thp->huge_anon_orders_madvise;
		if (hugepage_global_always(m) || ((vm_flags & VM_HUGEPAGE) && hugepage_global_enabled(m)))
			mask |= thp->huge_anon_orders_inherit;
		orders &= mask;
		if (!orders)
			return 0;
	}
	return __thp_vma_allowable_orders(m, vma, vm_flags, type, orders);
}

/*
 * vma_thp_gfp_mask: always: direct reclaim/compaction (without retrying
 * unless madvised); defer: only wake kswapd/kcompactd; defer+madvise:
 * direct for madvised VMAs, a wakeup for the rest; madvise: direct for
 * madvised VMAs, nothing for the rest; never: neither.
 */
gfp_t vma_thp_gfp_mask(struct machine *m, struct vm_area_struct *vma)
{
	bool vma_madvised = vma && (vma->vm_flags & VM_HUGEPAGE);

	switch (thp_get_defrag(m)) {
	case THP_DEFRAG_ALWAYS:
		return GFP_TRANSHUGE | (vma_madvised ? 0 : __GFP_NORETRY);
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (vma_madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
	case THP_DEFRAG_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (vma_madvised ? __GFP_DIRECT_RECLAIM : 0);
	default:
		return GFP_TRANSHUGE_LIGHT;
	}
}

/*
 * thp_get_unmapped_area_vmflags (__thp_get_unmapped_area, offset 0): a
 * top-down search for len plus one PMD, then the mapping at the PMD
 * boundary inside it; a search result already aligned leaves the pad
 * below.  0 when even the padded length does not fit: the caller then
 * searches for len alone.
 */
unsigned long thp_get_unmapped_area_vmflags(struct mm_struct *mm, unsigned long len)
{
	unsigned long len_pad = len + HPAGE_PMD_SIZE, ret, off_sub;

	if (len_pad < len)
		return 0;
	ret = get_unmapped_area(mm, len_pad);
	if (!ret)
		return 0;
	off_sub = (0 - ret) & ~HPAGE_PMD_MASK;
	return off_sub ? ret + off_sub : ret + HPAGE_PMD_SIZE;
}
