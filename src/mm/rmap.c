/*
 * mm/rmap.c: the reverse map's walks, from a page to the ptes that map it.
 *
 * Models:
 * - rmap_walk through the anon_vma's VMAs (anonymous pages) or the file's
 *   i_mmap at the page's index, KSM pages through their stable node
 * - rmap_walk_migration: the migration entries that stand for a page
 * - folio_referenced / folio_clear_young (reclaim's and MGLRU's accessed
 *   bits), the walk of try_to_unmap (whose unmap_one is in memory.c)
 * Simplifies:
 * - a page's mapcount is page->_mapcount (no large folios)
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "migrate.h"
#include "mmsim/pagemap.h"
#include "lru_gen.h"

/*
 * The ptes of the VMAs that may map `page` (its anon_vma's VMAs or its
 * file's i_mmap, at the page's index) that hold what match() says: a
 * present pte of the page (rmap_walk) or a migration entry of the page it
 * replaces (rmap_walk_migration); fn returns false to stop
 */
/* One candidate pte of an rmap walk: fn on it if it holds what the walk
 * looks for; false when fn says stop */
bool rmap_one_match(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
		    unsigned long pfn, bool migration, rmap_one_fn fn, void *arg)
{
	bool match;

	if (migration)
		match = is_migration_pte(*ptep) && migration_entry_to_pfn(pte_to_swp_entry(*ptep)) == pfn;
	else
		match = pte_present(*ptep) && pte_pfn(*ptep) == pfn;
	return !match || fn(m, vma, addr, ptep, arg);
}

static void __rmap_walk(struct machine *m, struct page *page, unsigned long pfn, bool migration, rmap_one_fn fn,
			void *arg)
{
	GPtrArray *vmas;

	if (page_test(page, PG_ksm)) {
		rmap_walk_ksm(m, page_to_pfn(m, page), pfn, migration, fn, arg);
		return;
	}
	if (page_test(page, PG_anon))
		vmas = ((struct anon_vma *)(uintptr_t)page->private)->vmas;
	else
		vmas = ((struct address_space *)(uintptr_t)page->private)->i_mmap;
	for (guint i = 0; i < vmas->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(vmas, i);
		unsigned long index = (unsigned long)page->index, addr;
		pte_t *ptep;

		if (index < vma->vm_pgoff || index >= vma->vm_pgoff + vma_pages(vma))
			continue;
		addr = vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
		ptep = pte_lookup(vma->vm_mm, addr);
		if (ptep && !rmap_one_match(m, vma, addr, ptep, pfn, migration, fn, arg))
			break;
	}
}

void rmap_walk(struct machine *m, unsigned long pfn, rmap_one_fn fn, void *arg)
{
	struct page *page = pfn_to_page(m, pfn);

	if (page->_mapcount < 0 || !page->private)
		return;
	__rmap_walk(m, page, pfn, false, fn, arg);
}

void rmap_walk_migration(struct machine *m, unsigned long dst, unsigned long src, rmap_one_fn fn, void *arg)
{
	struct page *page = pfn_to_page(m, dst);

	if (page->private)
		__rmap_walk(m, page, src, true, fn, arg);
}

struct referenced_arg {
	int referenced;
	unsigned long vm_flags;
};

static bool referenced_one(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
			   void *arg)
{
	struct referenced_arg *r = arg;

	if (vma->vm_flags & VM_LOCKED) {
		r->vm_flags |= VM_LOCKED;
		return false;
	}
	/* ptep_clear_flush_young; MGLRU looks at the neighbours too */
	if (*ptep & _PAGE_ACCESSED) {
		*ptep &= ~_PAGE_ACCESSED;
		if (!(vma->vm_flags & VM_SEQ_READ))
			r->referenced++;
		if (lru_gen_enabled(m))
			lru_gen_look_around(m, vma, addr);
	}
	r->vm_flags |= vma->vm_flags;
	return true;
}

/* folio_referenced: young ptes mapping the page, cleared as they are counted */
int folio_referenced(struct machine *m, unsigned long pfn, unsigned long *vm_flags)
{
	struct referenced_arg r = { 0, 0 };

	rmap_walk(m, pfn, referenced_one, &r);
	*vm_flags = r.vm_flags;
	return r.referenced;
}

static bool clear_young_one(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
			    void *arg)
{
	(void)m;
	(void)vma;
	(void)addr;
	(void)arg;
	*ptep &= ~_PAGE_ACCESSED;
	return true;
}

void folio_clear_young(struct machine *m, unsigned long pfn)
{
	rmap_walk(m, pfn, clear_young_one, NULL);
}
