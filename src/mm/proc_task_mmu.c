/*
 * The page-table walks behind /proc/PID/pagemap and /proc/PID/clear_refs
 * (fs/proc/task_mmu.c pagemap_read, pte_to_pagemap_entry, clear_refs_write).
 *
 * Models:
 *  - pagemap: per virtual page, present (PFN), swapped (type and offset),
 *    soft-dirty (the pte's bit or the VMA's VM_SOFTDIRTY), exclusively
 *    mapped, file or shared-anon page; holes and unpopulated pages are 0
 *    (soft-dirty inside a VM_SOFTDIRTY VMA).  PFNs and swap locations only
 *    for a reader with CAP_SYS_ADMIN.
 *  - clear_refs 1..3: accessed bits and PG_referenced cleared on all, anon
 *    or file-backed VMAs' pages; 4: soft-dirty cleared on the VMAs and
 *    the ptes, which become write-protected, so the next store faults
 *    (do_wp_page) and marks the page soft-dirty again; 5: the peak RSS
 *    reset to the current one.  One TLB flush of the whole mm.
 * Simplifies:
 *  - No THP, hugetlb, userfaultfd or guard regions: no PMD entries,
 *    PM_UFFD_WP or PM_GUARD_REGION.
 */
#include <errno.h>
#include <string.h>

#include "migrate.h"
#include "mm_internal.h"
#include "mmsim/proc_page.h"

struct pagemap_walk {
	struct vm_area_struct *vma;
	unsigned long start;   /* the virtual address of out[0] */
	uint64_t *out;
	bool show_pfn;
};

/* folio_precise_page_mapcount(...) == 1 */
static bool page_mapped_once(const struct page *page)
{
	return page->_mapcount == 0;
}

/* pte_to_pagemap_entry */
static uint64_t pte_to_pagemap_entry(struct machine *m, const struct pagemap_walk *pm, pte_t pte)
{
	uint64_t frame = 0, flags = 0;
	const struct page *page = NULL;

	if (pte_present(pte)) {
		if (pm->show_pfn)
			frame = pte_pfn(pte);
		flags |= PM_PRESENT;
		if (!pte_special(pte) && pte_pfn(pte) != m->zero_pfn)
			page = pfn_to_page_noalloc(m, pte_pfn(pte));
		if (pte_soft_dirty(pte))
			flags |= PM_SOFT_DIRTY;
	} else {
		swp_entry_t entry = pte_to_swp_entry(pte);

		if (pte_swp_soft_dirty(pte))
			flags |= PM_SOFT_DIRTY;
		if (pm->show_pfn) {
			unsigned long offset = is_migration_entry(entry) ? migration_entry_to_pfn(entry)
									 : swp_offset(entry);

			frame = swp_type(entry) | ((uint64_t)offset << MAX_SWAPFILES_SHIFT);
		}
		flags |= PM_SWAP;
		if (is_migration_entry(entry))
			page = pfn_to_page_noalloc(m, migration_entry_to_pfn(entry));
	}
	if (page) {
		if (!page_test(page, PG_anon))
			flags |= PM_FILE;
		if ((flags & PM_PRESENT) && page_mapped_once(page))
			flags |= PM_MMAP_EXCLUSIVE;
	}
	if (pm->vma->vm_flags & VM_SOFTDIRTY)
		flags |= PM_SOFT_DIRTY;
	return (frame & PM_PFRAME_MASK) | flags;
}

static void pagemap_pte(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct pagemap_walk *pm = arg;

	(void)table;
	pm->out[(addr - pm->start) >> PAGE_SHIFT] = pte_to_pagemap_entry(m, pm, *ptep);
}

void pagemap_entries(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
		     bool show_pfn, uint64_t *out)
{
	struct pagemap_walk pm = { .start = start, .out = out, .show_pfn = show_pfn };
	struct vm_area_struct *vma;

	memset(out, 0, ((end - start) >> PAGE_SHIFT) * sizeof(*out));
	for_each_vma(mm, it, vma) {
		unsigned long lo = MAX(vma->vm_start, start), hi = MIN(vma->vm_end, end);

		if (vma->vm_end <= start)
			continue;
		if (vma->vm_start >= end)
			break;
		/* pagemap_pte_hole: a page not yet faulted in */
		if (vma->vm_flags & VM_SOFTDIRTY)
			for (unsigned long a = lo; a < hi; a += PAGE_SIZE)
				out[(a - start) >> PAGE_SHIFT] = PM_SOFT_DIRTY;
		pm.vma = vma;
		walk_pte_slots(m, mm, lo, hi, pagemap_pte, &pm, true);
	}
}

/* ---- clear_refs ---- */

struct clear_refs_private {
	int type;
};

/* clear_soft_dirty: write-protect and clean a present pte, clean a swap pte */
static void clear_soft_dirty(pte_t *ptep)
{
	if (pte_present(*ptep))
		*ptep &= ~(_PAGE_RW | _PAGE_SOFT_DIRTY);
	else
		*ptep &= ~_PAGE_SWP_SOFT_DIRTY;
}

static void clear_refs_pte(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct clear_refs_private *cp = arg;
	struct page *page;

	(void)table;
	(void)addr;
	if (cp->type == CLEAR_REFS_SOFT_DIRTY) {
		clear_soft_dirty(ptep);
		return;
	}
	if (!pte_present(*ptep) || pte_special(*ptep) || pte_pfn(*ptep) == m->zero_pfn)
		return;
	page = pfn_to_page_noalloc(m, pte_pfn(*ptep));
	if (!page)
		return;
	*ptep &= ~_PAGE_ACCESSED;        /* ptep_test_and_clear_young */
	page_clear(page, PG_referenced); /* folio_clear_referenced */
}

/* clear_refs_test_walk: which VMAs a type touches */
static bool clear_refs_skip_vma(const struct vm_area_struct *vma, int type)
{
	bool file = vma->vm_file || vma->kind == VMA_FILE;

	if (vma->vm_flags & VM_PFNMAP)
		return true;
	if (type == CLEAR_REFS_ANON && file)
		return true;
	return type == CLEAR_REFS_MAPPED && !file;
}

int clear_refs(struct machine *m, struct task_struct *t, int type)
{
	struct clear_refs_private cp = { .type = type };
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;

	if (type < CLEAR_REFS_ALL || type >= CLEAR_REFS_LAST)
		return -EINVAL;
	if (!mm)
		return 0;
	if (type == CLEAR_REFS_MM_HIWATER_RSS) {
		mm->hiwater_rss = get_mm_rss(mm);   /* reset_mm_hiwater_rss */
		return 0;
	}
	for_each_vma(mm, it, vma) {
		if (type == CLEAR_REFS_SOFT_DIRTY)
			vma->vm_flags &= ~VM_SOFTDIRTY;
		if (!clear_refs_skip_vma(vma, type))
			walk_pte_slots(m, mm, vma->vm_start, vma->vm_end, clear_refs_pte, &cp,
				       type == CLEAR_REFS_SOFT_DIRTY);
	}
	m->nr_tlb_local_flush_all++;    /* flush_tlb_mm */
	return 0;
}
