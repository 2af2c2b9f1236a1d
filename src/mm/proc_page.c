/*
 * The page frames as /proc/kpageflags and /proc/kpagecount show them
 * (fs/proc/page.c): stable_page_flags and the precise mapcount.
 *
 * Models:
 *  - KPF_NOPAGE for a PFN outside any present section, as
 *    pfn_to_online_page gives no page there; a pristine section's pages
 *    are free buddy pages or reserved ones, as its state says.
 *  - Every page of a free buddy block is KPF_BUDDY (the head by PG_buddy,
 *    the rest by is_free_buddy_page); per-cpu list pages have no flags.
 *  - A tail page shows its head's flags (folio->flags) with
 *    KPF_COMPOUND_TAIL; a large anon or page-cache folio is KPF_THP.
 *  - KPF_MMAP and kpagecount from the page's _mapcount; typed pages
 *    (buddy, slab) count 0.
 * Simplifies:
 *  - The model has no PG_uptodate: anon, swap-cache and page-cache pages
 *    are KPF_UPTODATE (a read in flight included).
 *  - No KPF_PGTABLE (page-table pages carry no flag here), no KPF_IDLE
 *    (no idle page tracking), no KPF_HWPOISON, KPF_OFFLINE or KPF_KSM.
 */
#include "mm_internal.h"
#include "mmsim/proc_page.h"

unsigned long get_max_dump_pfn(const struct machine *m)
{
	return (m->max_pfn + PAGES_PER_SECTION - 1) & ~(PAGES_PER_SECTION - 1);
}

/* The section's page at pfn, or NULL for a hole (pfn_to_online_page) or
 * a pristine section (state says what its pages are) */
static bool pfn_online(struct machine *m, unsigned long pfn)
{
	return pfn < m->max_pfn && __pfn_to_section(m, pfn)->state != SECTION_ABSENT;
}

/* is_free_buddy_page: pfn lies in a free block whose head is PG_buddy */
static bool is_free_buddy_page(struct machine *m, unsigned long pfn)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);
		const struct page *p;

		if (pfn_to_section_nr(head) != pfn_to_section_nr(pfn))
			break;
		p = pfn_to_page_noalloc(m, head);
		if (p && page_test(p, PG_buddy) && p->order >= order)
			return true;
	}
	return false;
}

/* page_folio: the head of the block a PG_tail page belongs to */
static const struct page *compound_head(struct machine *m, unsigned long pfn, const struct page *page)
{
	if (!page_test(page, PG_tail))
		return page;
	for (unsigned int order = 1; order < NR_PAGE_ORDERS; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);
		const struct page *p = pfn_to_page_noalloc(m, head);

		if (p && page_test(p, PG_head) && p->order >= order)
			return p;
	}
	return page;
}

/* A page-cache page: its mapping is an address_space */
static bool page_is_file_cache(const struct page *page)
{
	return page->private && !page_test(page, PG_anon) && !page_test(page, PG_slab);
}

static uint64_t kpf_copy_bit(uint32_t kflags, int ubit, int kbit)
{
	return (uint64_t)((kflags >> kbit) & 1) << ubit;
}

/* A page of a pristine section */
static uint64_t pristine_page_flags(const struct mem_section *ms)
{
	return ms->state == SECTION_FREE ? 1ULL << KPF_BUDDY : 1ULL << KPF_RESERVED;
}

/* The flags a folio's head carries, as stable_page_flags copies them */
static uint64_t folio_flags(uint32_t k)
{
	uint64_t u = 0;

	u |= kpf_copy_bit(k, KPF_LOCKED, PG_locked);
	u |= kpf_copy_bit(k, KPF_DIRTY, PG_dirty);
	u |= kpf_copy_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kpf_copy_bit(k, KPF_LRU, PG_lru);
	u |= kpf_copy_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kpf_copy_bit(k, KPF_ACTIVE, PG_active);
	u |= kpf_copy_bit(k, KPF_RECLAIM, PG_reclaim);
	if ((k & ((1u << PG_swapbacked) | (1u << PG_swapcache))) == ((1u << PG_swapbacked) | (1u << PG_swapcache)))
		u |= 1ULL << KPF_SWAPCACHE;
	u |= kpf_copy_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kpf_copy_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	u |= kpf_copy_bit(k, KPF_MLOCKED, PG_mlocked);
	u |= kpf_copy_bit(k, KPF_RESERVED, PG_reserved);
	return u;
}

uint64_t stable_page_flags(struct machine *m, unsigned long pfn)
{
	const struct page *page, *folio;
	uint64_t u = 0;

	if (!pfn_online(m, pfn))
		return 1ULL << KPF_NOPAGE;
	page = pfn_to_page_noalloc(m, pfn);
	if (!page)
		return pfn_in_hole(m, pfn) ? 1ULL << KPF_RESERVED : pristine_page_flags(__pfn_to_section(m, pfn));
	folio = compound_head(m, pfn, page);
	if (!page_test(folio, PG_slab) && !page_test(page, PG_buddy) && page->_mapcount >= 0)
		u |= 1ULL << KPF_MMAP;
	if (page_test(folio, PG_anon))
		u |= 1ULL << KPF_ANON;
	if (folio == page)
		u |= kpf_copy_bit(page->flags, KPF_COMPOUND_HEAD, PG_head);
	else
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (page_test(folio, PG_head) && (page_test(folio, PG_anon) || page_is_file_cache(folio)))
		u |= 1ULL << KPF_THP;
	else if (pfn == m->zero_pfn)
		u |= 1ULL << KPF_ZERO_PAGE;
	if (page_test(page, PG_buddy) || (page->_refcount == 0 && is_free_buddy_page(m, pfn)))
		u |= 1ULL << KPF_BUDDY;
	if (page_test(folio, PG_slab))
		u |= 1ULL << KPF_SLAB;
	if (page_test(folio, PG_anon) || page_test(folio, PG_swapcache) || page_is_file_cache(folio))
		u |= 1ULL << KPF_UPTODATE;
	return u | folio_flags(folio->flags);
}

uint64_t kpagecount(struct machine *m, unsigned long pfn)
{
	const struct page *page;

	if (!pfn_online(m, pfn) || !(page = pfn_to_page_noalloc(m, pfn)))
		return 0;
	if (page_test(page, PG_buddy) || page_test(page, PG_slab) || page->_mapcount < 0)
		return 0;
	return (uint64_t)page->_mapcount + 1;
}
