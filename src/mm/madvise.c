/*
 * mm/madvise.c: madvise(2).
 *
 * Models:
 * - MADV_DONTNEED: the pages of the range unmapped (zap_page_range), the
 *   empty page tables freed.
 * - MADV_FREE: exclusive anon pages made clean and old (pglazyfree).
 * - MADV_COLD / MADV_PAGEOUT: the range's unshared LRU pages deactivated,
 *   or reclaimed at once (reclaim_pages).
 * - MADV_DONTFORK / MADV_DOFORK: VM_DONTCOPY on VMAs of their own.
 * - MADV_HUGEPAGE / MADV_NOHUGEPAGE: VM_HUGEPAGE or VM_NOHUGEPAGE likewise
 *   (hugepage_madvise).
 * - MADV_MERGEABLE / MADV_UNMERGEABLE: ksm_madvise (mm/ksm.c).
 * - MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED: accepted.
 * - EINVAL on locked memory for the advices that drop or age pages,
 *   ENOMEM for a hole in the range.
 * Simplifies:
 * - reclaim does not discard MADV_FREE pages as lazy-free pages: it swaps
 *   them like any anonymous page.
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/huge_mm.h"
#include "mmsim/pagemap.h"

static void lazyfree_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	pte_t *ptep;

	(void)arg;
	if (pte_special(pte) || !(pfn_to_page(m, pte_pfn(pte))->flags & (1u << PG_anon)))
		return;
	if (pfn_to_page(m, pte_pfn(pte))->_mapcount != 0)
		return; /* only exclusive pages can be freed lazily */
	ptep = pte_lookup(vma->vm_mm, addr);
	*ptep &= ~(_PAGE_DIRTY | _PAGE_ACCESSED);
	page_clear(pfn_to_page(m, pte_pfn(pte)), PG_dirty);
	count_vm_event(m, PGLAZYFREE);
}

/* MADV_DONTFORK/DOFORK and MADV_HUGEPAGE/NOHUGEPAGE change vm_flags: the range gets VMAs of its own */
static int madvise_vma_flags(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg)
{
	int advice = GPOINTER_TO_INT(arg);

	if (advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE)
		hugepage_madvise(m, vma, &vma->vm_flags, advice);
	else if (advice == MADV_DONTFORK)
		vma->vm_flags |= VM_DONTCOPY;
	else
		vma->vm_flags &= ~VM_DONTCOPY;
	vma_merge_neighbours(m, t->mm, vma);
	return 0;
}

/* MADV_MERGEABLE/UNMERGEABLE: ksm_madvise on VMAs of their own */
static int madvise_ksm(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg)
{
	int err = ksm_madvise(m, vma, vma->vm_start, vma->vm_end, GPOINTER_TO_INT(arg));

	if (!err)
		vma_merge_neighbours(m, t->mm, vma);
	return err;
}

/* MADV_DONTNEED/FREE act on the pages of [start, end) without splitting
 * (madvise_dontneed_free works on a range of each VMA) */
static void madvise_pages(struct machine *m, struct task_struct *t, unsigned long start, unsigned long end,
			  int advice)
{
	struct vm_area_struct *vma;

	for_each_vma_part(t->mm, start, end, vma, lo, hi) {
		if (advice == MADV_DONTNEED)
			zap_page_range(m, t->mm, vma, lo, hi);
		else if (vma->anon_vma && !(vma->vm_flags & VM_SHARED))
			walk_page_range(m, vma, lo, hi, lazyfree_pte, NULL);
	}
	if (advice == MADV_DONTNEED)
		free_empty_pgtables(m, t->mm);
}

static void cold_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	GArray *pfns = arg;
	unsigned long pfn = pte_pfn(pte);
	struct page *page;

	(void)vma;
	(void)addr;
	if (pte_special(pte))
		return;
	page = pfn_to_page(m, pfn);
	/* pages mapped elsewhere too are left alone (folio_maybe_mapped_shared) */
	if (page->_mapcount > 0 || !page_test(page, PG_lru) || page_test(page, PG_unevictable))
		return;
	g_array_append_val(pfns, pfn);
}

/* madvise_cold_or_pageout_pte_range: cold deactivates, pageout reclaims */
static void madvise_cold_or_pageout(struct machine *m, struct task_struct *t, unsigned long start,
				    unsigned long end, bool pageout)
{
	GArray *pfns = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	struct vm_area_struct *vma;

	for_each_vma_part(t->mm, start, end, vma, lo, hi)
		walk_page_range(m, vma, lo, hi, cold_pte, pfns);
	if (pageout) {
		reclaim_pages(m, pfns, t->cpu);
	} else {
		for (guint i = 0; i < pfns->len; i++) {
			unsigned long pfn = g_array_index(pfns, unsigned long, i);

			folio_clear_young(m, pfn);
			folio_deactivate(m, pfn);
		}
	}
	g_array_free(pfns, TRUE);
	machine_debug_check(m, pageout ? "madvise pageout" : "madvise cold");
}

int sys_madvise(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int advice)
{
	unsigned long end;

	if (!t->mm || (addr & ~PAGE_MASK))
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED: case MADV_FREE: case MADV_WILLNEED: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
		break;
	default:
		return -EINVAL;
	}
	len = PAGE_ALIGN(len);
	end = addr + len;
	if (end < addr)
		return -EINVAL;
	if (!len)
		return 0;
	if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_COLD || advice == MADV_PAGEOUT) {
		/* not on locked memory (madvise_dontneed_free_valid_vma,
		 * can_madv_lru_vma) */
		struct vm_area_struct *vma;

		for_each_vma(t->mm, it, vma)
			if (vma->vm_start < end && vma->vm_end > addr && (vma->vm_flags & VM_LOCKED))
				return -EINVAL;
	}
	if (advice == MADV_MERGEABLE || advice == MADV_UNMERGEABLE) {
		int err = for_each_vma_in_range(m, t, addr, end, madvise_ksm, GINT_TO_POINTER(advice));

		if (err)
			return err;
	} else if (advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_HUGEPAGE ||
		   advice == MADV_NOHUGEPAGE) {
		int err = for_each_vma_in_range(m, t, addr, end, madvise_vma_flags, GINT_TO_POINTER(advice));

		if (err)
			return err;
	} else if (advice == MADV_DONTNEED || advice == MADV_FREE) {
		madvise_pages(m, t, addr, end, advice);
	} else if (advice == MADV_COLD || advice == MADV_PAGEOUT) {
		madvise_cold_or_pageout(m, t, addr, end, advice == MADV_PAGEOUT);
	}
	/* the mapped parts got the advice; a hole makes the call ENOMEM */
	return range_mapped(t->mm, addr, end) ? 0 : -ENOMEM;
}
