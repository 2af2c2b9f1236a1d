/*
 * mm/swap.c and include/linux/mm_inline.h: the LRU lists.
 *
 * Models: one lruvec per node with the five lists; a page is on the list
 * its flags name (folio_lru_list: unevictable, else anon or file by
 * PG_swapbacked, active by PG_active); new pages enter the inactive list
 * (lru_cache_add / folio_add_lru, anon too since 5.9); folio_mark_accessed
 * promotes a page referenced twice (inactive,unreferenced ->
 * inactive,referenced -> active,unreferenced -> active,referenced);
 * mlocked pages leave the lists for the unevictable count (__mlock_folio)
 * and come back inactive when unlocked (__munlock_folio).
 * With MGLRU on, lruvec_add_folio and lruvec_del_folio put folios on
 * generations instead (lru_gen.c), and folio_mark_accessed counts the
 * accesses for the tiers.
 * Simplifies: no per-cpu folio batches (the kernel's lru_add fbatch): a page
 * is on its list at once; no per-memcg lruvecs yet.
 */
#include "mm_internal.h"
#include "lru_gen.h"

static inline struct lruvec *page_lruvec(struct machine *m, unsigned long pfn)
{
	return &pfn_zone(m, pfn)->zone_pgdat->__lruvec;
}

static void update_lru_size(struct machine *m, unsigned long pfn, enum lru_list lru, long nr)
{
	struct zone *zone = pfn_zone(m, pfn);

	__mod_node_page_state(zone->zone_pgdat, NR_INACTIVE_ANON + lru, nr);
	__mod_zone_page_state(zone, NR_ZONE_INACTIVE_ANON + lru, nr);
	zone->zone_pgdat->__lruvec.nr[lru] += nr;
}

/* A PFN-linked list (page->prev/next): pfn goes in at its head or tail */
void pfn_list_add(struct machine *m, uint32_t *head, uint32_t *tail_pfn, unsigned long pfn, bool tail)
{
	struct page *page = pfn_to_page(m, pfn);
	uint32_t *near = tail ? tail_pfn : head, *far = tail ? head : tail_pfn;

	page->prev = tail ? *near : PFN_NONE;
	page->next = tail ? PFN_NONE : *near;
	if (*near == PFN_NONE)
		*far = (uint32_t)pfn;
	else if (tail)
		pfn_to_page(m, *near)->next = (uint32_t)pfn;
	else
		pfn_to_page(m, *near)->prev = (uint32_t)pfn;
	*near = (uint32_t)pfn;
}

/* __lruvec_add_folio: at the head (newest) of its list, or at the tail,
 * the next to be reclaimed */
static void __lruvec_add_folio(struct machine *m, unsigned long pfn, bool tail)
{
	struct page *page = pfn_to_page(m, pfn);
	struct lruvec *lv = page_lruvec(m, pfn);
	enum lru_list lru = folio_lru_list(page);

	page_set(page, PG_lru);
	if (lru_gen_add_folio(m, pfn, tail))
		return;
	update_lru_size(m, pfn, lru, 1);
	if (lru == LRU_UNEVICTABLE)
		return;  /* counted only: prev holds the mlock count */
	pfn_list_add(m, &lv->head[lru], &lv->tail[lru], pfn, tail);
}

void lruvec_add_folio(struct machine *m, unsigned long pfn)
{
	__lruvec_add_folio(m, pfn, false);
}

void lruvec_add_folio_tail(struct machine *m, unsigned long pfn)
{
	__lruvec_add_folio(m, pfn, true);
}

void lruvec_del_folio(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct lruvec *lv = page_lruvec(m, pfn);
	enum lru_list lru = folio_lru_list(page);

	if (!page_test(page, PG_lru))
		return;
	page_clear(page, PG_lru);
	if (lru_gen_del_folio(m, pfn, false))
		return;
	update_lru_size(m, pfn, lru, -1);
	if (lru == LRU_UNEVICTABLE)
		return;
	if (page->prev != PFN_NONE)
		pfn_to_page(m, page->prev)->next = page->next;
	else
		lv->head[lru] = page->next;
	if (page->next != PFN_NONE)
		pfn_to_page(m, page->next)->prev = page->prev;
	else
		lv->tail[lru] = page->prev;
	page->next = page->prev = PFN_NONE;
}

/* folio_add_lru: a new page goes on the inactive list of its kind; under
 * MGLRU a page a fault brings in is hot (lru_gen_folio_seq) */
void folio_add_lru(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	page_clear(page, PG_active);
	if (lru_gen_enabled(m) && !page_test(page, PG_unevictable) && lru_gen_in_fault(m))
		page_set(page, PG_active);
	lruvec_add_folio(m, pfn);
	trace_mm_lru_insertion(m, pfn, page);
}

/* folio_activate: inactive -> active (pgactivate) */
void folio_activate(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_lru) || page_test(page, PG_active) || page_test(page, PG_unevictable))
		return;
	lruvec_del_folio(m, pfn);
	page_set(page, PG_active);
	lruvec_add_folio(m, pfn);
	count_vm_event(m, PGACTIVATE);
	trace_mm_lru_activate(m, pfn);
	workingset_activation(m, pfn);
}

/* folio_mark_accessed: the second reference activates */
void folio_mark_accessed(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (page_test(page, PG_unevictable))
		return;
	if (lru_gen_enabled(m)) {
		lru_gen_inc_refs(m, pfn);
		return;
	}
	if (!page_test(page, PG_referenced)) {
		page_set(page, PG_referenced);
	} else if (!page_test(page, PG_active)) {
		folio_activate(m, pfn);
		page_clear(page, PG_referenced);
	}
}

/* __mlock_folio: off the evictable lists, onto the unevictable count */
void lru_mlock_folio(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	bool on_lru = page_test(page, PG_lru);

	if (on_lru)
		lruvec_del_folio(m, pfn);
	page_clear(page, PG_active);
	page_set(page, PG_unevictable);
	if (on_lru)
		lruvec_add_folio(m, pfn);
}

/* __munlock_folio: back to the inactive list */
void lru_munlock_folio(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	bool on_lru = page_test(page, PG_lru);

	if (on_lru)
		lruvec_del_folio(m, pfn);
	page_clear(page, PG_unevictable);
	if (on_lru)
		lruvec_add_folio(m, pfn);
}

void lruvec_init(struct machine *m, struct lruvec *lv)
{
	lru_gen_init_lruvec(m, lv);
	for (int i = 0; i < NR_LRU_LISTS; i++) {
		lv->head[i] = lv->tail[i] = PFN_NONE;
		lv->nr[i] = 0;
	}
}
