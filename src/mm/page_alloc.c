/*
 * mm/page_alloc.c: the buddy allocator, per-cpu page lists, watermarks,
 * lowmem reserves and zonelists.
 *
 * Models (Linux 6.18): free lists per order and migratetype; __free_one_page
 * merging; expand; __rmqueue_smallest; the fallback of __rmqueue_claim /
 * try_to_claim_block (claim a whole pageblock when half of it is free or
 * alike) and __rmqueue_steal; ALLOC_NOFRAGMENT; per-cpu lists with
 * nr_pcp_alloc / nr_pcp_high / nr_pcp_free / free_pcppages_bulk /
 * decay_pcp_high; zone_batchsize and zone_highsize; __setup_per_zone_wmarks,
 * calculate_min_free_kbytes, setup_per_zone_lowmem_reserve,
 * calculate_totalreserve_pages; __zone_watermark_ok and zone_watermark_fast;
 * get_page_from_freelist over node-ordered zonelists with zone_statistics;
 * watermark boosting on fallback; si_mem_available.
 *
 * Simplifies: pages are PFNs, lists are PFN-linked; no CMA; no highatomic
 * reserve creation (reserve_highatomic_pageblock) so the HighAtomic lists
 * stay empty; "movable" pages counted by try_to_claim_block are the pages
 * allocated as movable (the kernel counts LRU and __PageMovable pages);
 * the slow path wakes kswapd, reclaims directly and retries as
 * should_reclaim_retry says, then invokes the OOM killer, but never
 * compacts (there is no compaction): a costly order fails where the kernel
 * would compact.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/trace_events.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"

#define CONFIG_PCP_BATCH_SCALE_MAX 5
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
#define SWAP_CLUSTER_MAX 32UL
#define ZONE_BELOW_HIGH 0x2
#define PCPF_PREV_FREE_HIGH_ORDER 0x1
#define PCPF_FREE_HIGH_BATCH 0x2

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "Movable", "Device" };

static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static inline bool is_migrate_isolate(int mt) { return mt == MIGRATE_ISOLATE; }
static inline bool migratetype_is_mergeable(int mt) { return mt < MIGRATE_PCPTYPES; }

/* Blocks of MAX_PAGE_ORDER in one pristine section */
#define PRISTINE_BLOCKS (PAGES_PER_SECTION >> MAX_PAGE_ORDER)

/* ------------------------------------------------------------------ */
/* Free lists                                                          */
/* ------------------------------------------------------------------ */

unsigned long free_area_count(const struct zone *zone, unsigned int order, int mt)
{
	unsigned long n = zone->free_area[order].nr_list[mt];

	if (order == MAX_PAGE_ORDER && mt == MIGRATE_MOVABLE)
		n += zone->nr_pristine * PRISTINE_BLOCKS;
	return n;
}

static inline bool free_area_empty(const struct zone *zone, unsigned int order, int mt)
{
	return free_area_count(zone, order, mt) == 0;
}

/* account_freepages: NR_FREE_PAGES counts every buddy page not isolated */
static void account_freepages(struct zone *zone, long nr_pages, int mt)
{
	if (is_migrate_isolate(mt))
		return;
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (mt == MIGRATE_HIGHATOMIC)
		zone->nr_free_highatomic += nr_pages;
}

static void __add_to_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
			       unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];
	struct page *page = pfn_to_page(m, pfn);
	uint32_t head = area->head[mt];

	page_set(page, PG_buddy);
	page->order = (uint8_t)order;
	page->mt = (uint8_t)mt;
	if (head == PFN_NONE) {
		page->next = page->prev = (uint32_t)pfn;
		area->head[mt] = (uint32_t)pfn;
	} else {
		struct page *first = pfn_to_page(m, head);
		struct page *last = pfn_to_page(m, first->prev);

		page->next = head;
		page->prev = first->prev;
		last->next = (uint32_t)pfn;
		first->prev = (uint32_t)pfn;
		if (!tail)
			area->head[mt] = (uint32_t)pfn;
	}
	area->nr_list[mt]++;
	area->nr_free++;
	if (order >= pageblock_order && !is_migrate_isolate(mt))
		__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, 1L << order);
}

static void __del_page_from_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
				      unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];
	struct page *page = pfn_to_page(m, pfn);

	g_assert(page_test(page, PG_buddy) && page->order == order && page->mt == mt);
	if (page->next == pfn) {
		area->head[mt] = PFN_NONE;
	} else {
		pfn_to_page(m, page->prev)->next = page->next;
		pfn_to_page(m, page->next)->prev = page->prev;
		if (area->head[mt] == pfn)
			area->head[mt] = page->next;
	}
	page->next = page->prev = PFN_NONE;
	page_clear(page, PG_buddy);
	page->order = 0;
	area->nr_list[mt]--;
	area->nr_free--;
	if (order >= pageblock_order && !is_migrate_isolate(mt))
		__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, -(1L << order));
}

static void add_to_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
			     unsigned int order, int mt, bool tail)
{
	__add_to_free_list(m, zone, pfn, order, mt, tail);
	account_freepages(zone, 1L << order, mt);
}

static void del_page_from_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
				    unsigned int order, int mt)
{
	__del_page_from_free_list(m, zone, pfn, order, mt);
	account_freepages(zone, -(1L << order), mt);
}

/* move_to_free_list: a block changes list without leaving the allocator */
static void move_to_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
			      unsigned int order, int old_mt, int new_mt)
{
	__del_page_from_free_list(m, zone, pfn, order, old_mt);
	__add_to_free_list(m, zone, pfn, order, new_mt, true);
	account_freepages(zone, -(1L << order), old_mt);
	account_freepages(zone, 1L << order, new_mt);
}

/* A pristine section: its blocks are counted on the Movable list. */
void buddy_add_pristine_section(struct machine *m, struct zone *zone, unsigned long secnr)
{
	struct mem_section *ms = &m->sections[secnr];

	ms->prev_pristine = PFN_NONE;
	ms->next_pristine = zone->pristine_head;
	if (zone->pristine_head != PFN_NONE)
		m->sections[zone->pristine_head].prev_pristine = (uint32_t)secnr;
	zone->pristine_head = (uint32_t)secnr;
	zone->nr_pristine++;
	zone->free_area[MAX_PAGE_ORDER].nr_free += PRISTINE_BLOCKS;
	__mod_zone_page_state(zone, NR_FREE_PAGES, (long)PAGES_PER_SECTION);
	__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, (long)PAGES_PER_SECTION);
}

/* Called by sparse.c when a pristine free section gets its mem_map: link
 * its blocks where the counts already stood. */
void buddy_adopt_pristine_section(struct machine *m, unsigned long secnr, unsigned long start_pfn)
{
	struct mem_section *ms = &m->sections[secnr];
	struct zone *zone = &m->node_data[ms->nid]->node_zones[ms->zid];
	struct free_area *area = &zone->free_area[MAX_PAGE_ORDER];

	if (ms->prev_pristine != PFN_NONE)
		m->sections[ms->prev_pristine].next_pristine = ms->next_pristine;
	else
		zone->pristine_head = ms->next_pristine;
	if (ms->next_pristine != PFN_NONE)
		m->sections[ms->next_pristine].prev_pristine = ms->prev_pristine;
	ms->next_pristine = ms->prev_pristine = PFN_NONE;
	zone->nr_pristine--;
	area->nr_free -= PRISTINE_BLOCKS;
	for (unsigned long i = 0; i < PRISTINE_BLOCKS; i++) {
		unsigned long pfn = start_pfn + (i << MAX_PAGE_ORDER);

		/* counted already: link without accounting */
		__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, -(long)MAX_ORDER_NR_PAGES);
		__add_to_free_list(m, zone, pfn, MAX_PAGE_ORDER, MIGRATE_MOVABLE, true);
	}
}

/* The first block of a list; a pristine section is opened when the
 * Movable list of the top order has only counted blocks left. */
static long get_page_from_free_area(struct machine *m, struct zone *zone, unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];

	if (area->head[mt] == PFN_NONE && order == MAX_PAGE_ORDER && mt == MIGRATE_MOVABLE &&
	    zone->nr_pristine) {
		unsigned long secnr = zone->pristine_head;

		pfn_to_page(m, secnr << PFN_SECTION_SHIFT);
	}
	return area->head[mt] == PFN_NONE ? -1 : (long)area->head[mt];
}

/* ------------------------------------------------------------------ */
/* Freeing: __free_one_page                                            */
/* ------------------------------------------------------------------ */

static inline bool page_is_buddy(struct page *buddy, unsigned int order)
{
	return page_test(buddy, PG_buddy) && buddy->order == order;
}

/* Is the block of order+1 containing pfn likely to merge soon?
 * (buddy_merge_likely: then the block goes to the tail of its list) */
static bool buddy_merge_likely(struct machine *m, struct zone *zone, unsigned long pfn,
			       unsigned int order)
{
	unsigned long higher, higher_buddy;
	struct page *p;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher = pfn & ~((1UL << (order + 1)) - 1);
	higher_buddy = higher ^ (1UL << (order + 1));
	if (!zone_spans_pfn(zone, higher_buddy) || !(p = pfn_to_page_noalloc(m, higher_buddy)))
		return false;
	return page_is_buddy(p, order + 1);
}

void __free_one_page(struct machine *m, struct zone *zone, unsigned long pfn, unsigned int order, int mt)
{
	bool to_tail;

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;
		int buddy_mt = mt;

		if (!zone_spans_pfn(zone, buddy_pfn))
			break;
		buddy = pfn_to_page(m, buddy_pfn);
		if (!page_is_buddy(buddy, order))
			break;
		if (order >= pageblock_order) {
			buddy_mt = get_pageblock_migratetype(m, buddy_pfn);
			if (mt != buddy_mt &&
			    (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		buddy_mt = buddy->mt;
		del_page_from_free_list(m, zone, buddy_pfn, order, buddy_mt);
		if (buddy_mt != mt)
			/* Match buddy type, so expand() puts sub-blocks right */
			set_pageblock_migratetype(m, zone, buddy_pfn, mt);
		pfn &= buddy_pfn;
		order++;
	}
	to_tail = buddy_merge_likely(m, zone, pfn, order);
	add_to_free_list(m, zone, pfn, order, mt, to_tail);
}

/* ------------------------------------------------------------------ */
/* Allocation from the buddy lists                                      */
/* ------------------------------------------------------------------ */

/* expand: split a block of order high down to low, freeing upper halves */
static unsigned long expand(struct machine *m, struct zone *zone, unsigned long pfn,
			    unsigned int low, unsigned int high, int mt)
{
	unsigned long size = 1UL << high, nr_added = 0;

	while (high > low) {
		high--;
		size >>= 1;
		__add_to_free_list(m, zone, pfn + size, high, mt, false);
		nr_added += size;
	}
	return nr_added;
}

static void page_del_and_expand(struct machine *m, struct zone *zone, unsigned long pfn,
				unsigned int low, unsigned int high, int mt)
{
	unsigned long nr_pages = 1UL << high;

	__del_page_from_free_list(m, zone, pfn, high, mt);
	nr_pages -= expand(m, zone, pfn, low, high, mt);
	account_freepages(zone, -(long)nr_pages, mt);
}

static inline bool pcp_allowed_order(unsigned int order);

static long __rmqueue_smallest(struct machine *m, struct zone *zone, unsigned int order, int mt)
{
	for (unsigned int current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		long pfn = get_page_from_free_area(m, zone, current_order, mt);

		if (pfn < 0)
			continue;
		page_del_and_expand(m, zone, (unsigned long)pfn, order, current_order, mt);
		trace_mm_page_alloc_zone_locked(m, (unsigned long)pfn, order, mt, pcp_allowed_order(order) && mt < MIGRATE_PCPTYPES);
		return pfn;
	}
	return -1;
}

/* should_try_claim_block (formerly can_steal_fallback) */
static bool should_try_claim_block(struct machine *m, unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	if (order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	    start_mt == MIGRATE_UNMOVABLE || m->sysctl.page_group_by_mobility_disabled)
		return true;
	return false;
}

/* -1: no block of a fallback type at this order; -2: too small to claim */
static int find_suitable_fallback(struct machine *m, struct zone *zone, unsigned int order,
				  int mt, bool claimable)
{
	if (claimable && !should_try_claim_block(m, order, mt))
		return -2;
	if (zone->free_area[order].nr_free == 0)
		return -1;
	for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback_mt = fallbacks[mt][i];

		if (!free_area_empty(zone, order, fallback_mt))
			return fallback_mt;
	}
	return -1;
}

/* boost_watermark: after a fragmenting fallback, raise the watermarks so
 * kswapd reclaims (and kcompactd compacts) a little more */
static bool boost_watermark(struct machine *m, struct zone *zone)
{
	unsigned long max_boost;

	if (!m->sysctl.watermark_boost_factor)
		return false;
	/* Don't bother in zones that are unlikely to produce results: a zone
	 * smaller than a pageblock */
	if ((pageblock_nr_pages * 4) > zone->managed_pages)
		return false;
	/* of the high watermark without the boost (mult_frac(_watermark[WMARK_HIGH])) */
	max_boost = (unsigned long)(((uint64_t)zone->_watermark[WMARK_HIGH] *
				     (uint64_t)m->sysctl.watermark_boost_factor) / 10000);
	if (!max_boost)
		return false;
	max_boost = MAX(pageblock_nr_pages, max_boost);
	zone->watermark_boost = MIN(zone->watermark_boost + pageblock_nr_pages, max_boost);
	return true;
}

/* prep_move_freepages_block + __move_freepages_block, in one walk */
static bool count_pageblock(struct machine *m, struct zone *zone, unsigned long pfn,
			    unsigned long *start, int *free_pages, int *movable_pages)
{
	unsigned long start_pfn = pfn & ~(pageblock_nr_pages - 1);
	unsigned long end_pfn = start_pfn + pageblock_nr_pages;

	/* the kernel refuses blocks that straddle the zone */
	if (!zone_spans_pfn(zone, start_pfn) || !zone_spans_pfn(zone, end_pfn - 1))
		return false;
	*start = start_pfn;
	*free_pages = *movable_pages = 0;
	for (unsigned long p = start_pfn; p < end_pfn;) {
		struct page *page = pfn_to_page(m, p);

		if (page_test(page, PG_buddy)) {
			*free_pages += 1 << page->order;
			p += 1UL << page->order;
			continue;
		}
		if (page->_refcount > 0 && page_test(page, PG_movable))
			*movable_pages += 1;
		p++;
	}
	return true;
}

static void move_freepages_block(struct machine *m, struct zone *zone, unsigned long start_pfn,
				 int old_mt, int new_mt)
{
	for (unsigned long p = start_pfn; p < start_pfn + pageblock_nr_pages;) {
		struct page *page = pfn_to_page(m, p);

		if (page_test(page, PG_buddy)) {
			unsigned int order = page->order;

			move_to_free_list(m, zone, p, order, page->mt, new_mt);
			p += 1UL << order;
			continue;
		}
		p++;
	}
	(void)old_mt;
	set_pageblock_migratetype(m, zone, start_pfn, new_mt);
}

/* change_pageblock_range: a block of pageblock_order or more changes owner */
static void change_pageblock_range(struct machine *m, struct zone *zone, unsigned long pfn,
				   unsigned int order, int mt)
{
	for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages)
		set_pageblock_migratetype(m, zone, pfn + i, mt);
}

static long try_to_claim_block(struct machine *m, struct zone *zone, unsigned long pfn,
			       unsigned int current_order, unsigned int order, int start_type,
			       int block_type, unsigned int alloc_flags)
{
	int free_pages, movable_pages, alike_pages;
	unsigned long start_pfn;

	/* Take ownership for orders >= pageblock_order */
	if (current_order >= pageblock_order) {
		unsigned long nr_added;

		del_page_from_free_list(m, zone, pfn, current_order, block_type);
		change_pageblock_range(m, zone, pfn, current_order, start_type);
		nr_added = expand(m, zone, pfn, order, current_order, start_type);
		account_freepages(zone, (long)nr_added, start_type);
		return (long)pfn;
	}

	/* Boost watermarks to increase reclaim pressure and wake kswapd */
	if (boost_watermark(m, zone) && (alloc_flags & ALLOC_KSWAPD))
		zone->flags |= ZONE_BOOSTED_WATERMARK;

	if (!count_pageblock(m, zone, pfn, &start_pfn, &free_pages, &movable_pages))
		return -1;

	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (block_type == MIGRATE_MOVABLE)
		alike_pages = (int)pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;
	/* Claim the whole block if over half of it is free or compatible */
	if (free_pages + alike_pages >= (1 << (pageblock_order - 1)) ||
	    m->sysctl.page_group_by_mobility_disabled) {
		move_freepages_block(m, zone, start_pfn, block_type, start_type);
		return __rmqueue_smallest(m, zone, order, start_type);
	}
	return -1;
}

static long __rmqueue_claim(struct machine *m, struct zone *zone, int order, int start_mt,
			    unsigned int alloc_flags)
{
	int min_order = order;

	/* Do not steal pages from freelists belonging to other pageblocks,
	 * i.e. orders < pageblock_order, under ALLOC_NOFRAGMENT */
	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;

	/* Find the largest available free block in the other lists: it
	 * approximates the pageblock with the most free pages */
	for (int current_order = MAX_PAGE_ORDER; current_order >= min_order; --current_order) {
		int fallback_mt = find_suitable_fallback(m, zone, (unsigned int)current_order, start_mt, true);
		long pfn;

		if (fallback_mt == -1)
			continue;
		if (fallback_mt == -2)
			break;
		pfn = get_page_from_free_area(m, zone, (unsigned int)current_order, fallback_mt);
		pfn = try_to_claim_block(m, zone, (unsigned long)pfn, (unsigned int)current_order,
					 (unsigned int)order, start_mt, fallback_mt, alloc_flags);
		if (pfn >= 0)
			trace_mm_page_alloc_extfrag(m, (unsigned long)pfn, order, current_order, start_mt, fallback_mt, get_pageblock_migratetype(m, (unsigned long)pfn) == start_mt);
		if (pfn >= 0)
			return pfn;
	}
	return -1;
}

/* __rmqueue_steal: take the smallest fitting block of another type */
static long __rmqueue_steal(struct machine *m, struct zone *zone, int order, int start_mt)
{
	for (int current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		int fallback_mt = find_suitable_fallback(m, zone, (unsigned int)current_order, start_mt, false);
		long pfn;

		if (fallback_mt < 0)
			continue;
		pfn = get_page_from_free_area(m, zone, (unsigned int)current_order, fallback_mt);
		page_del_and_expand(m, zone, (unsigned long)pfn, (unsigned int)order,
				    (unsigned int)current_order, fallback_mt);
		trace_mm_page_alloc_extfrag(m, (unsigned long)pfn, order, current_order, start_mt, fallback_mt, false);
		return pfn;
	}
	return -1;
}

/* __rmqueue when the type's own lists have nothing: claim or steal */
static long __rmqueue_fallback(struct machine *m, struct zone *zone, unsigned int order, int mt,
			       unsigned int alloc_flags)
{
	long pfn = __rmqueue_claim(m, zone, (int)order, mt, alloc_flags);

	if (pfn >= 0)
		return pfn;
	if (!(alloc_flags & ALLOC_NOFRAGMENT))
		pfn = __rmqueue_steal(m, zone, (int)order, mt);
	return pfn;
}

static long __rmqueue(struct machine *m, struct zone *zone, unsigned int order, int mt,
		      unsigned int alloc_flags)
{
	long pfn = __rmqueue_smallest(m, zone, order, mt);

	if (pfn >= 0)
		return pfn;
	return __rmqueue_fallback(m, zone, order, mt, alloc_flags);
}


/* ------------------------------------------------------------------ */
/* Per-cpu page lists                                                  */
/* ------------------------------------------------------------------ */

static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == HPAGE_PMD_ORDER;
}

static inline int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;
	return (MIGRATE_PCPTYPES * (int)order) + mt;
}

static inline unsigned int pindex_to_order(int pindex)
{
	return pindex == NR_LOWORDER_PCP_LISTS ? pageblock_order : (unsigned int)pindex / MIGRATE_PCPTYPES;
}

static void pcp_list_grow(struct pcp_list *l)
{
	uint32_t cap = l->cap ? l->cap * 2 : 64;
	uint32_t *pfns = g_new(uint32_t, cap);

	for (uint32_t i = 0; i < l->len; i++)
		pfns[i] = l->pfns[(l->head + i) & (l->cap - 1)];
	g_free(l->pfns);
	l->pfns = pfns;
	l->cap = cap;
	l->head = 0;
}

static void __pcp_list_add(struct page *page, struct per_cpu_pages *pcp, int pindex,
			   unsigned long pfn, unsigned int order, int cpu, bool tail)
{
	struct pcp_list *l = &pcp->lists[pindex];

	page_set(page, PG_pcp);
	page->order = (uint8_t)order;
	page->mt = (uint8_t)(pindex == NR_LOWORDER_PCP_LISTS ? MIGRATE_MOVABLE : pindex % MIGRATE_PCPTYPES);
	page->cpu = (uint16_t)cpu;
	if (l->len == l->cap)
		pcp_list_grow(l);
	if (tail) {
		l->pfns[(l->head + l->len) & (l->cap - 1)] = (uint32_t)pfn;
	} else {
		l->head = (l->head - 1) & (l->cap - 1);
		l->pfns[l->head] = (uint32_t)pfn;
	}
	l->len++;
}

static void pcp_list_add(struct machine *m, struct per_cpu_pages *pcp, int pindex,
			 unsigned long pfn, unsigned int order, int cpu, bool tail)
{
	__pcp_list_add(pfn_to_page(m, pfn), pcp, pindex, pfn, order, cpu, tail);
}

/* Take the front (allocation) or the back (bulk free) of a list */
static unsigned long pcp_list_pop(struct machine *m, struct per_cpu_pages *pcp, int pindex, bool back)
{
	struct pcp_list *l = &pcp->lists[pindex];
	unsigned long pfn;
	struct page *page;

	if (back) {
		pfn = l->pfns[(l->head + l->len - 1) & (l->cap - 1)];
	} else {
		pfn = l->pfns[l->head];
		l->head = (l->head + 1) & (l->cap - 1);
	}
	l->len--;
	page = pfn_to_page(m, pfn);
	page_clear(page, PG_pcp);
	page->order = 0;
	return pfn;
}

/*
 * __rmqueue_smallest `max` times in one go.  The smallest block of the
 * type has empty lists below it, so taking blocks of `order` one by one
 * hands it out front to back (each split leaves the rest as one block per
 * order, and the smallest of those is the next in line): take the first
 * n blocks of it at once and put on the lists what the splits would have
 * left there, [first + n blocks, end of the block) in aligned blocks.  The
 * lists, counters and pages end as after n calls of __rmqueue_smallest.
 * The blocks go to the tail of the pcp list in order, as rmqueue_bulk
 * would put them.  Returns n (0: the type's lists are empty).
 */
static int __rmqueue_smallest_run(struct machine *m, struct zone *zone, unsigned int order, int mt,
				  int max, struct per_cpu_pages *pcp, int pindex, int cpu)
{
	for (unsigned int k = order; k < NR_PAGE_ORDERS; k++) {
		long head = get_page_from_free_area(m, zone, k, mt);
		unsigned long pfn, n, off, size;
		struct page *page;

		if (head < 0)
			continue;
		pfn = (unsigned long)head;
		size = 1UL << (k - order);
		n = MIN((unsigned long)max, size);
		__del_page_from_free_list(m, zone, pfn, k, mt);
		for (off = n; off < size; off += off & -off)
			__add_to_free_list(m, zone, pfn + (off << order),
					   order + (unsigned int)__builtin_ctzl(off), mt, false);
		account_freepages(zone, -(long)(n << order), mt);
		/* each block taken was the head of a split half: off its list */
		page = pfn_to_page(m, pfn);
		for (off = 0; off < n; off++) {
			struct page *p = page + (off << order);

			if (off) {
				page_clear(p, PG_buddy);
				p->next = p->prev = PFN_NONE;
				p->mt = (uint8_t)mt;
			}
			__pcp_list_add(p, pcp, pindex, pfn + (off << order), order, cpu, true);
		}
		return (int)n;
	}
	return 0;
}

/* rmqueue_bulk: move `count` blocks from the buddy lists to a pcp list,
 * runs of them at a time while the type's own lists have them */
static int rmqueue_bulk(struct machine *m, struct zone *zone, unsigned int order, int count,
			struct per_cpu_pages *pcp, int pindex, int mt, unsigned int alloc_flags, int cpu)
{
	int i = 0;

	while (i < count) {
		int n = __rmqueue_smallest_run(m, zone, order, mt, count - i, pcp, pindex, cpu);
		long pfn;

		if (n) {
			i += n;
			continue;
		}
		pfn = __rmqueue_fallback(m, zone, order, mt, alloc_flags);
		if (pfn < 0)
			break;
		pcp_list_add(m, pcp, pindex, (unsigned long)pfn, order, cpu, true);
		i++;
	}
	return i;
}

static void free_pcppages_bulk(struct machine *m, struct zone *zone, int count,
			       struct per_cpu_pages *pcp, int pindex)
{
	count = MIN(pcp->count, count);
	/* Ensure the requested pindex is drained first */
	pindex = pindex - 1;
	while (count > 0) {
		unsigned int order;
		int nr_pages;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
		} while (!pcp->lists[pindex].len);
		order = pindex_to_order(pindex);
		nr_pages = 1 << order;
		do {
			unsigned long pfn = pcp_list_pop(m, pcp, pindex, true);

			count -= nr_pages;
			pcp->count -= nr_pages;
			trace_mm_page_pcpu_drain(m, pfn, order, get_pageblock_migratetype(m, pfn));
			__free_one_page(m, zone, pfn, order, get_pageblock_migratetype(m, pfn));
		} while (count > 0 && pcp->lists[pindex].len);
	}
}

static int nr_pcp_alloc(struct per_cpu_pages *pcp, struct zone *zone, unsigned int order)
{
	struct per_cpu_pages *x = pcp;
	int high, base_batch, batch, max_nr_alloc;

	base_batch = pcp->batch;
	high = pcp->high = CLAMP(pcp->high, pcp->high_min, pcp->high_max);
	/* Check for PCP disabled or boot pageset */
	if (high < base_batch)
		return 1;
	batch = order ? base_batch : (base_batch << x->alloc_factor);
	/* If we had larger pcp->high, we could avoid allocating from the zone */
	if (pcp->high_min != pcp->high_max && !(zone->flags & ZONE_BELOW_HIGH))
		high = pcp->high = MIN(high + batch, pcp->high_max);
	if (!order) {
		max_nr_alloc = MAX(high - pcp->count - base_batch, base_batch);
		/* Double the pages allocated on subsequent order-0 allocations */
		if (batch <= max_nr_alloc && x->alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX)
			x->alloc_factor++;
		batch = MIN(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = MAX(batch >> order, 2);
	return batch;
}

static int nr_pcp_high(struct per_cpu_pages *pcp, struct zone *zone, int batch, bool free_high)
{
	struct per_cpu_pages *x = pcp;
	int high = pcp->high = CLAMP(pcp->high, pcp->high_min, pcp->high_max);

	if (!high)
		return 0;
	if (free_high) {
		pcp->high = MAX(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), pcp->high_min);
		return 0;
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	if (zone->flags & ZONE_BELOW_HIGH) {
		int free_count = MAX(x->free_count, batch);

		pcp->high = MAX(high - free_count, pcp->high_min);
		high = MAX(pcp->count, pcp->high_min);
	} else if (pcp->count >= high) {
		int need_high = x->free_count + batch;

		/* high should be large enough to hold batch freed pages */
		if (pcp->high < need_high)
			pcp->high = CLAMP(need_high, pcp->high_min, pcp->high_max);
	}
	return high;
}

static int nr_pcp_free(struct per_cpu_pages *pcp, int batch, int high, bool free_high)
{
	struct per_cpu_pages *x = pcp;

	if (free_high)
		return MIN(pcp->count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	/* Leave at least pcp->batch pages on the list */
	return CLAMP(x->free_count, batch, high - batch);
}

static long rmqueue_pcplist(struct machine *m, struct zone *zone, unsigned int order, int mt,
			    unsigned int alloc_flags, int cpu)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	int pindex = order_to_pindex(mt, order);
	unsigned long pfn;

	/* On allocation, reduce the number of pages that are batch freed */
	pcp->free_count >>= 1;
	if (!pcp->lists[pindex].len) {
		int batch = nr_pcp_alloc(pcp, zone, order);
		int alloced = rmqueue_bulk(m, zone, order, batch, pcp, pindex, mt, alloc_flags, cpu);

		pcp->count += alloced << order;
		if (!pcp->lists[pindex].len)
			return -1;
	}
	pfn = pcp_list_pop(m, pcp, pindex, false);
	pcp->count -= 1 << order;
	return (long)pfn;
}

static void free_frozen_page_commit(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp,
				    unsigned long pfn, int mt, unsigned int order, int cpu)
{
	struct per_cpu_pages *x = pcp;
	int high, batch, pindex;
	bool free_high = false;

	/* On freeing, reduce the number of pages that are batch allocated */
	x->alloc_factor >>= 1;
	pindex = order_to_pindex(mt, order);
	pcp_list_add(m, pcp, pindex, pfn, order, cpu, false);
	pcp->count += 1 << order;
	batch = pcp->batch;
	/* High-order pages other than THPs stored on the pcp fragment memory:
	 * limit them when freeing without allocating */
	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = (x->free_count >= (batch + pcp->high_min / 2) &&
			     (x->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
			     (!(x->flags & PCPF_FREE_HIGH_BATCH) || pcp->count >= batch));
		x->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else if (x->flags & PCPF_PREV_FREE_HIGH_ORDER) {
		x->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (x->free_count < (batch << CONFIG_PCP_BATCH_SCALE_MAX))
		x->free_count += (1 << order);
	high = nr_pcp_high(pcp, zone, batch, free_high);
	if (pcp->count < high)
		return;
	free_pcppages_bulk(m, zone, nr_pcp_free(pcp, batch, high, free_high), pcp, pindex);
	if ((zone->flags & ZONE_BELOW_HIGH) &&
	    zone_watermark_ok(zone, 0, high_wmark_pages(zone), ZONE_MOVABLE, 0))
		zone->flags &= ~ZONE_BELOW_HIGH;
}

int decay_pcp_high(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp)
{
	int high_min = pcp->high_min, batch = pcp->batch, to_drain, todo = 0;

	/* Decrease pcp->high periodically to free possibly idle pcp pages */
	if (pcp->high > high_min) {
		pcp->high = MAX(MAX(pcp->count - (batch << CONFIG_PCP_BATCH_SCALE_MAX),
				    pcp->high - (pcp->high >> 3)), high_min);
		if (pcp->high > high_min)
			todo++;
	}
	to_drain = pcp->count - pcp->high;
	if (to_drain > 0) {
		free_pcppages_bulk(m, zone, to_drain, pcp, 0);
		todo++;
	}
	return todo;
}

static void drain_pages_zone(struct machine *m, struct zone *zone, int cpu)
{
	struct per_cpu_pages *pcp;

	if (!zone->per_cpu_pageset)
		return;
	pcp = &zone->per_cpu_pageset[cpu];
	if (pcp->count)
		free_pcppages_bulk(m, zone, pcp->count, pcp, 0);
}

void drain_local_pages(struct machine *m, int cpu)
{
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			drain_pages_zone(m, zone, cpu);
}

void drain_all_pages(struct machine *m, struct zone *zone)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (zone)
			drain_pages_zone(m, zone, cpu);
		else
			drain_local_pages(m, cpu);
	}
}

/* ------------------------------------------------------------------ */
/* Watermarks                                                          */
/* ------------------------------------------------------------------ */

static inline long __zone_watermark_unusable_free(struct zone *z, unsigned int order,
						  unsigned int alloc_flags)
{
	long unusable_free = (1L << order) - 1;

	/* Without rights to the reserves, the highatomic pages are unusable */
	if (!(alloc_flags & ALLOC_RESERVES))
		unusable_free += (long)z->nr_free_highatomic;
	return unusable_free;
}

bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		/* __GFP_HIGH and atomic callers dip into the reserves */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* For a high-order request, check at least one suitable page is free */
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(z, o, mt))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(z, o, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state(z, NR_FREE_PAGES));
}

static bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark,
				int highest_zoneidx, unsigned int alloc_flags)
{
	long free_pages = zone_page_state(z, NR_FREE_PAGES);

	/* Fast check for order-0 only */
	if (!order) {
		long usable_free = free_pages;
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);

		usable_free -= MIN(usable_free, reserved);
		if (usable_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/* Ignore boosting for __GFP_HIGH order-0 allocations at the min mark */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
	    ((alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN))
		return __zone_watermark_ok(z, order, z->_watermark[WMARK_MIN], highest_zoneidx,
					   alloc_flags, free_pages);
	return false;
}

/* calculate_totalreserve_pages: the high watermark plus the largest lowmem
 * reserve of each zone is not available to userspace */
static void calculate_totalreserve_pages(struct machine *m)
{
	unsigned long reserve_pages = 0;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		pgdat->totalreserve_pages = 0;
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			long max = 0;

			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			max += (long)high_wmark_pages(zone);
			if (max > (long)zone->managed_pages)
				max = (long)zone->managed_pages;
			pgdat->totalreserve_pages += (unsigned long)max;
			reserve_pages += (unsigned long)max;
		}
	}
	m->totalreserve_pages = reserve_pages;
}

void setup_per_zone_lowmem_reserve(struct machine *m)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = m->sysctl.lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone->managed_pages;
			unsigned long managed_pages = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed_pages += pgdat->node_zones[j].managed_pages;
				zone->lowmem_reserve[j] = clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
			}
		}
	}
	calculate_totalreserve_pages(m);
}

static void __setup_per_zone_wmarks(struct machine *m)
{
	unsigned long pages_min = (unsigned long)m->sysctl.min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;

	/* Calculate total number of !ZONE_HIGHMEM and !ZONE_MOVABLE pages */
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			if (zone->zone_idx != ZONE_MOVABLE)
				lowmem_pages += zone->managed_pages;

	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			uint64_t tmp = lowmem_pages ? (uint64_t)pages_min * zone->managed_pages / lowmem_pages : 0;

			if (zone->zone_idx == ZONE_MOVABLE) {
				/* ZONE_MOVABLE gets a small min: __GFP_HIGH and
				 * PF_MEMALLOC allocations rarely need it */
				unsigned long min_pages = zone->managed_pages / 1024;

				zone->_watermark[WMARK_MIN] = CLAMP(min_pages, SWAP_CLUSTER_MAX, 128UL);
			} else {
				zone->_watermark[WMARK_MIN] = tmp;
			}
			/* Set the gaps so that kswapd and the min watermark are a
			 * fraction of the zone apart */
			tmp = MAX(tmp >> 2, (uint64_t)zone->managed_pages *
					      (uint64_t)m->sysctl.watermark_scale_factor / 10000);
			zone->watermark_boost = 0;
			zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + tmp;
			zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + tmp;
			zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + tmp;
		}
	}
	calculate_totalreserve_pages(m);
}

void setup_per_zone_wmarks(struct machine *m)
{
	__setup_per_zone_wmarks(m);
	/* The watermarks changed: update the pcp batch and high limits */
	zone_pcp_update_all(m);
}

/* nr_free_zone_pages(gfp_zone(GFP_USER)): pages above the high watermark
 * in the zones a GFP_USER allocation may use, over node 0's zonelist */
unsigned long nr_free_buffer_pages(struct machine *m)
{
	struct zoneref *z = m->node_data[0]->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	unsigned long sum = 0;

	for (; z->zone; z++) {
		unsigned long size, high;

		if (z->zone_idx > ZONE_NORMAL)
			continue;
		size = z->zone->managed_pages;
		high = high_wmark_pages(z->zone);
		if (size > high)
			sum += size - high;
	}
	return sum;
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = (unsigned long)sqrt((double)x);

	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* calculate_min_free_kbytes: min_free_kbytes = sqrt(lowmem_kbytes * 16),
 * clamped to 128..262144, unless the user set a larger value */
void calculate_min_free_kbytes(struct machine *m)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(m) * (PAGE_SIZE >> 10);
	long new_min_free_kbytes = (long)int_sqrt(lowmem_kbytes * 16);

	if (new_min_free_kbytes > m->sysctl.user_min_free_kbytes)
		m->sysctl.min_free_kbytes = (int)CLAMP(new_min_free_kbytes, 128L, 262144L);
}

/* ------------------------------------------------------------------ */
/* Per-cpu pagesets: batch and high                                    */
/* ------------------------------------------------------------------ */

static unsigned long rounddown_pow_of_two(unsigned long n)
{
	unsigned long r = 1;

	while (r <= n / 2)
		r <<= 1;
	return r;
}

int zone_batchsize(const struct zone *zone)
{
	/* ~0.1% of the zone or 1 MiB, whichever is smaller */
	long batch = (long)MIN(zone->managed_pages >> 10, (1UL << 20) / PAGE_SIZE);

	batch /= 4; /* We effectively *= 4 below */
	if (batch < 1)
		batch = 1;
	/* Clamp to 2^n - 1: powers of two alias badly in caches */
	batch = (long)rounddown_pow_of_two((unsigned long)(batch + batch / 2)) - 1;
	return (int)batch;
}

int zone_highsize(const struct machine *m, const struct zone *zone, int batch, int cpu_online,
		  int high_fraction)
{
	unsigned long total_pages;
	int nr_split_cpus = cpu_online;
	int high;

	if (!high_fraction)
		/* by default pcp high follows the low watermark, so full pcp
		 * lists do not start background reclaim prematurely */
		total_pages = low_wmark_pages(zone);
	else
		total_pages = zone->managed_pages / (unsigned long)high_fraction;
	/* Split over the CPUs local to the zone */
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (m->cpus[cpu].node == zone->zone_pgdat->node_id)
			nr_split_cpus++;
	if (!nr_split_cpus)
		nr_split_cpus = m->nr_cpus;
	high = (int)(total_pages / (unsigned long)nr_split_cpus);
	/* at least batch*4, the historical relation of high and batch */
	return MAX(high, batch << 2);
}

static void zone_pcp_update(struct machine *m, struct zone *zone)
{
	int new_batch, new_high_min, new_high_max;
	int fraction = m->sysctl.percpu_pagelist_high_fraction;

	if (!zone->per_cpu_pageset)
		return;
	new_batch = MAX(1, zone_batchsize(zone));
	if (fraction) {
		new_high_min = zone_highsize(m, zone, new_batch, 0, fraction);
		new_high_max = new_high_min;
	} else {
		new_high_min = zone_highsize(m, zone, new_batch, 0, 0);
		new_high_max = zone_highsize(m, zone, new_batch, 0, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		pcp->high_min = new_high_min;
		pcp->high_max = new_high_max;
		pcp->batch = new_batch;
		pcp->high = CLAMP(pcp->high, new_high_min, new_high_max);
	}
}

void zone_pcp_update_all(struct machine *m)
{
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			zone_pcp_update(m, zone);
}

void setup_zone_pagesets(struct machine *m)
{
	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			if (!populated_zone(zone))
				continue;
			zone->per_cpu_pageset = g_new0(struct per_cpu_pages, (gsize)m->nr_cpus);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Zonelists                                                           */
/* ------------------------------------------------------------------ */

/* build_zonelists: nodes by distance from `local` (find_next_best_node),
 * then each node's zones from the highest down */
void build_all_zonelists(struct machine *m)
{
	for_each_online_node(m, local) {
		pg_data_t *pgdat = m->node_data[local];
		int order[MAX_NUMNODES], n = 0;
		bool used[MAX_NUMNODES] = { false };
		struct zoneref *zr;

		for (int k = 0; k < m->nr_nodes; k++) {
			int best = -1;

			for (int nid = 0; nid < m->nr_nodes; nid++) {
				if (used[nid])
					continue;
				if (best < 0 || m->node_distance[local][nid] < m->node_distance[local][best] ||
				    (m->node_distance[local][nid] == m->node_distance[local][best] && nid == local))
					best = nid;
			}
			used[best] = true;
			order[n++] = best;
		}
		zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
		for (int k = 0; k < n; k++) {
			pg_data_t *node = m->node_data[order[k]];

			for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
				if (!managed_zone(&node->node_zones[z]))
					continue;
				zr->zone = &node->node_zones[z];
				zr->zone_idx = z;
				zr++;
			}
		}
		zr->zone = NULL;
		zr = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
		for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
			if (!managed_zone(&pgdat->node_zones[z]))
				continue;
			zr->zone = &pgdat->node_zones[z];
			zr->zone_idx = z;
			zr++;
		}
		zr->zone = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* The allocator's entry points                                         */
/* ------------------------------------------------------------------ */

struct alloc_context {
	struct zonelist *zonelist;
	struct zoneref *preferred_zoneref;
	int migratetype;
	int highest_zoneidx;
	int cpu;
};

static struct zoneref *first_zones_zonelist(struct zonelist *zl, int highest_zoneidx)
{
	struct zoneref *z = zl->_zonerefs;

	while (z->zone && z->zone_idx > highest_zoneidx)
		z++;
	return z;
}

static void zone_statistics(struct machine *m, struct zone *preferred_zone, struct zone *z, int cpu)
{
	int nid = z->zone_pgdat->node_id;

	if (nid == preferred_zone->zone_pgdat->node_id) {
		__count_numa_event(z, NUMA_HIT);
	} else {
		__count_numa_event(z, NUMA_MISS);
		__count_numa_event(preferred_zone, NUMA_FOREIGN);
	}
	__count_numa_event(z, nid == cpu_to_node(m, cpu) ? NUMA_LOCAL : NUMA_OTHER);
}

/* prep_new_page: the block leaves the allocator */
static void prep_new_page(struct machine *m, unsigned long pfn, unsigned int order, int mt)
{
	struct page *head = pfn_to_page(m, pfn);

	head->_refcount = 1;
	head->order = (uint8_t)order;
	if (mt == MIGRATE_MOVABLE)
		page_set(head, PG_movable);
	if (order) {
		page_set(head, PG_head);
		/* a block never crosses a section: its pages are contiguous */
		for (unsigned long i = 1; i < (1UL << order); i++) {
			struct page *tail = head + i;

			page_set(tail, PG_tail);
			if (mt == MIGRATE_MOVABLE)
				page_set(tail, PG_movable);
		}
	}
}

static long rmqueue(struct machine *m, struct zone *preferred_zone, struct zone *zone,
		    unsigned int order, unsigned int alloc_flags, int mt, int cpu)
{
	long pfn = -1;

	if (pcp_allowed_order(order))
		pfn = rmqueue_pcplist(m, zone, order, mt, alloc_flags, cpu);
	if (pfn < 0) {
		if (order && (alloc_flags & ALLOC_HIGHATOMIC))
			pfn = __rmqueue_smallest(m, zone, order, MIGRATE_HIGHATOMIC);
		if (pfn < 0)
			pfn = __rmqueue(m, zone, order, mt, alloc_flags);
		if (pfn < 0 && (alloc_flags & (ALLOC_OOM | ALLOC_HIGHATOMIC)))
			pfn = __rmqueue_smallest(m, zone, order, MIGRATE_HIGHATOMIC);
	}
	if (pfn < 0)
		return -1;
	zone_statistics(m, preferred_zone, zone, cpu);
	count_vm_events(m, PGALLOC_DMA + zone->zone_idx, 1UL << order);
	/* ZONE_BOOSTED_WATERMARK would wake kswapd here (reclaim: later) */
	if ((alloc_flags & ALLOC_KSWAPD) && (zone->flags & ZONE_BOOSTED_WATERMARK))
		zone->flags &= ~ZONE_BOOSTED_WATERMARK;
	return pfn;
}

static unsigned int alloc_flags_nofragment(struct machine *m, struct zone *zone, gfp_t gfp)
{
	unsigned int alloc_flags = (gfp & __GFP_KSWAPD_RECLAIM) ? ALLOC_KSWAPD : 0;

	if (!zone || zone->zone_idx != ZONE_NORMAL)
		return alloc_flags;
	/* Only when the node has a DMA32 zone the Normal zone could fall
	 * back to, with more than one node online */
	if (m->nr_nodes > 1 && !populated_zone(zone - 1))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

static long get_page_from_freelist(struct machine *m, gfp_t gfp, unsigned int order,
				   unsigned int alloc_flags, struct alloc_context *ac)
{
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for (struct zoneref *z = ac->preferred_zoneref; z->zone; z++) {
		struct zone *zone = z->zone;
		unsigned long mark;
		long pfn;

		if (z->zone_idx > ac->highest_zoneidx)
			continue;
		/* Stay local under ALLOC_NOFRAGMENT: prefer fragmenting the
		 * local node over a remote one */
		if (no_fallback && m->nr_nodes > 1 && zone != ac->preferred_zoneref->zone &&
		    zone->zone_pgdat != ac->preferred_zoneref->zone->zone_pgdat) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}
		/* A zone below its high watermark checks the allocation's own mark */
		if (!(zone->flags & ZONE_BELOW_HIGH)) {
			mark = high_wmark_pages(zone);
			if (zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags))
				goto try_this_zone;
			zone->flags |= ZONE_BELOW_HIGH;
		}
		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags))
			continue;
try_this_zone:
		pfn = rmqueue(m, ac->preferred_zoneref->zone, zone, order, alloc_flags, ac->migratetype, ac->cpu);
		if (pfn >= 0) {
			prep_new_page(m, (unsigned long)pfn, order, ac->migratetype);
			return pfn;
		}
	}
	/* Nothing without fragmenting: try again, allowing it */
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	(void)gfp;
	return -1;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_MIN_RESERVE;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		/* Not allowed to block: atomic callers get a little more */
		alloc_flags |= ALLOC_NON_BLOCK;
		if (order > 0)
			alloc_flags |= ALLOC_HIGHATOMIC;
	}
	return alloc_flags;
}

void format_gfp(GString *s, gfp_t gfp)
{
	static const struct { gfp_t flags; const char *name; } names[] = {
		{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
		{ GFP_KERNEL | __GFP_RECLAIMABLE, "GFP_KERNEL|__GFP_RECLAIMABLE" },
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
	};
	gfp_t rest = gfp & ~__GFP_COMP;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if ((rest & names[i].flags) == names[i].flags) {
			g_string_append(s, names[i].name);
			rest &= ~names[i].flags;
			break;
		}
	}
	if (gfp & __GFP_COMP)
		g_string_append(s, "|__GFP_COMP");
	if (rest & __GFP_THISNODE)
		g_string_append(s, "|__GFP_THISNODE");
	if (rest & __GFP_NOWARN)
		g_string_append(s, "|__GFP_NOWARN");
	if (rest & __GFP_RETRY_MAYFAIL)
		g_string_append(s, "|__GFP_RETRY_MAYFAIL");
	if (rest & __GFP_NOFAIL)
		g_string_append(s, "|__GFP_NOFAIL");
	if (rest & __GFP_NORETRY)
		g_string_append(s, "|__GFP_NORETRY");
}

/* warn_alloc: the kernel's page allocation failure line */
static void warn_alloc(struct machine *m, gfp_t gfp, unsigned int order, int cpu)
{
	g_autoptr(GString) flags = g_string_new(NULL);

	if (gfp & __GFP_NOWARN)
		return;
	g_autofree char *who = m->current ? g_strdup(m->current->comm) : g_strdup_printf("kworker/%d:1", cpu);
	g_autofree char *mems = m->nr_nodes > 1 ? g_strdup_printf("0-%d", m->nr_nodes - 1) : g_strdup("0");

	format_gfp(flags, gfp);
	printk(m, "%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=%s",
	       who, order, gfp, flags->str, mems);
}

/*
 * __alloc_pages_may_oom: the last try at the high watermark, then the OOM
 * killer, except for costly orders, __GFP_RETRY_MAYFAIL, __GFP_THISNODE and
 * lowmem-only requests.  *did_some_progress: retrying may succeed.
 */
static long __alloc_pages_may_oom(struct machine *m, gfp_t gfp, unsigned int order, struct alloc_context *ac,
				  bool *did_some_progress)
{
	long pfn;

	*did_some_progress = false;
	pfn = get_page_from_freelist(m, (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM, order, ALLOC_WMARK_HIGH, ac);
	if (pfn >= 0)
		return pfn;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return -1;
	if (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE))
		return -1;
	if (ac->highest_zoneidx < ZONE_NORMAL)
		return -1;
	if (out_of_memory(m, gfp, (int)order, ac->cpu) || (gfp & __GFP_NOFAIL)) {
		*did_some_progress = !m->panicked;
		/* the victim's pages sit on the per-cpu lists the reaper freed
		 * them to: the retry's direct reclaim would drain them */
		drain_all_pages(m, NULL);
		if ((gfp & __GFP_NOFAIL) && !m->panicked)
			pfn = get_page_from_freelist(m, gfp, order, ALLOC_NO_WATERMARKS, ac);
	}
	return pfn;
}

/* wake_all_kswapds: each node of the zonelist, once */
static void wake_all_kswapds(struct machine *m, unsigned int order, gfp_t gfp, struct alloc_context *ac)
{
	bool seen[MAX_NUMNODES] = { false };

	for (int z = 0; ac->zonelist->_zonerefs[z].zone; z++) {
		struct zone *zone = ac->zonelist->_zonerefs[z].zone;

		if (ac->zonelist->_zonerefs[z].zone_idx > ac->highest_zoneidx || seen[zone->zone_pgdat->node_id])
			continue;
		seen[zone->zone_pgdat->node_id] = true;
		wakeup_kswapd(m, zone, gfp, (int)order, ac->highest_zoneidx);
	}
}

/* __alloc_pages_direct_reclaim: the allocating task reclaims, then retries
 * (with a drain of the per-cpu lists when that alone fails) */
static long __alloc_pages_direct_reclaim(struct machine *m, gfp_t gfp, unsigned int order,
					 unsigned int alloc_flags, struct alloc_context *ac, bool *did_some_progress)
{
	unsigned long progress;
	struct task_struct *t = m->current;
	long pfn;

	if (t)
		t->flags |= PF_MEMALLOC;
	progress = try_to_free_pages(m, ac->zonelist, (int)order, gfp, ac->highest_zoneidx, ac->cpu);
	if (t)
		t->flags &= ~PF_MEMALLOC;
	*did_some_progress = progress > 0;
	if (!progress)
		return -1;
	pfn = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (pfn < 0) {
		drain_all_pages(m, NULL);
		pfn = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	}
	return pfn;
}

/* should_reclaim_retry: up to MAX_RECLAIM_RETRIES rounds without progress,
 * as long as what reclaim could still free would meet the min watermark */
static bool should_reclaim_retry(struct machine *m, gfp_t gfp, unsigned int order, struct alloc_context *ac,
				 unsigned int alloc_flags, bool did_some_progress, int *no_progress_loops)
{
	(void)gfp;
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;
	for (int z = 0; ac->zonelist->_zonerefs[z].zone; z++) {
		struct zone *zone = ac->zonelist->_zonerefs[z].zone;
		unsigned long available;

		if (ac->zonelist->_zonerefs[z].zone_idx > ac->highest_zoneidx)
			continue;
		available = zone_reclaimable_pages(m, zone);
		available -= ((unsigned long)*no_progress_loops * available + MAX_RECLAIM_RETRIES - 1) /
			     MAX_RECLAIM_RETRIES;
		available += (unsigned long)MAX(zone->vm_stat[NR_FREE_PAGES], 0);
		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone), ac->highest_zoneidx, alloc_flags,
					(long)available))
			return true;
	}
	return false;
}

/*
 * __alloc_pages_slowpath: down to the min watermark (with the reserves the
 * gfp flags or an OOM victim may use), kswapd woken, direct reclaim and its
 * retries, then the OOM killer and a retry as long as it makes progress.
 * There is no compaction: __GFP_NORETRY and costly orders give up where
 * the kernel would compact.  __GFP_NOFAIL ends with ALLOC_MIN_RESERVE (the kernel loops
 * forever; the model fails loudly instead).
 */
static long __alloc_pages_slowpath(struct machine *m, gfp_t gfp, unsigned int order, struct alloc_context *ac)
{
	bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	bool did_some_progress;
	int no_progress_loops = 0;
	long pfn;

	if (gfp & __GFP_KSWAPD_RECLAIM)
		wake_all_kswapds(m, order, gfp, ac);
retry:
	/* __gfp_pfmemalloc_flags: an OOM victim may use the ALLOC_OOM reserve */
	if (fatal_signal_pending(m->current) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags = (alloc_flags & ALLOC_KSWAPD) | ALLOC_OOM;
	pfn = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (pfn >= 0)
		return pfn;
	/* Caller is not willing to reclaim, we can't balance anything */
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		goto nopage;
	if (m->current && (m->current->flags & PF_MEMALLOC))
		goto nopage;
	pfn = __alloc_pages_direct_reclaim(m, gfp, order, alloc_flags, ac, &did_some_progress);
	if (pfn >= 0)
		return pfn;
	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (costly_order && !(gfp & __GFP_RETRY_MAYFAIL))
		goto nopage;
	if (should_reclaim_retry(m, gfp, order, ac, alloc_flags, did_some_progress, &no_progress_loops))
		goto retry;
	pfn = __alloc_pages_may_oom(m, gfp, order, ac, &did_some_progress);
	if (pfn >= 0)
		return pfn;
	/* Avoid allocations with no watermarks from looping endlessly */
	if (fatal_signal_pending(m->current) && ((alloc_flags & ALLOC_OOM) || (gfp & __GFP_NOMEMALLOC)))
		goto nopage;
	if (did_some_progress)
		goto retry;
nopage:
	if ((gfp & __GFP_NOFAIL) && !m->panicked) {
		pfn = get_page_from_freelist(m, gfp, order, ALLOC_MIN_RESERVE, ac);
		if (pfn >= 0)
			return pfn;
	}
	return -1;
}

long __alloc_pages(struct machine *m, gfp_t gfp, unsigned int order, int preferred_nid, int cpu)
{
	struct alloc_context ac;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	long pfn;

	if (order > MAX_PAGE_ORDER || cpu < 0 || cpu >= m->nr_cpus)
		return -EINVAL;
	if (preferred_nid < 0)
		preferred_nid = cpu_to_node(m, cpu);
	if (preferred_nid >= m->nr_nodes)
		return -EINVAL;
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.zonelist = &m->node_data[preferred_nid]->node_zonelists[(gfp & __GFP_THISNODE) ?
								   ZONELIST_NOFALLBACK : ZONELIST_FALLBACK];
	ac.migratetype = gfp_migratetype(gfp);
	ac.cpu = cpu;
	ac.preferred_zoneref = first_zones_zonelist(ac.zonelist, ac.highest_zoneidx);
	if (!ac.preferred_zoneref->zone)
		goto fail;
	alloc_flags |= alloc_flags_nofragment(m, ac.preferred_zoneref->zone, gfp);
	pfn = get_page_from_freelist(m, gfp, order, alloc_flags, &ac);
	if (pfn >= 0)
		goto out;

	pfn = __alloc_pages_slowpath(m, gfp, order, &ac);
	if (pfn >= 0)
		goto out;
fail:
	warn_alloc(m, gfp, order, cpu);
	pfn = -ENOMEM;
out:
	trace_mm_page_alloc(m, pfn >= 0 ? (unsigned long)pfn : -1UL, order, gfp, gfp_migratetype(gfp));
	return pfn;
}

void __free_pages(struct machine *m, unsigned long pfn, unsigned int order, int cpu)
{
	struct zone *zone = pfn_zone(m, pfn);
	int mt = get_pageblock_migratetype(m, pfn);
	struct page *head = pfn_to_page(m, pfn);

	g_assert(head->_refcount == 1 && head->order == order);
	trace_mm_page_free(m, pfn, order);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = head + i;

		p->flags &= ~((1u << PG_head) | (1u << PG_tail) | (1u << PG_movable));
		p->_refcount = 0;
		p->order = 0;
	}
	count_vm_events(m, PGFREE, 1UL << order);
	if (!pcp_allowed_order(order) || is_migrate_isolate(mt)) {
		__free_one_page(m, zone, pfn, order, mt);
		return;
	}
	/* free_frozen_pages: highatomic blocks go back on the movable pcp list */
	if (mt >= MIGRATE_PCPTYPES)
		mt = MIGRATE_MOVABLE;
	free_frozen_page_commit(m, zone, &zone->per_cpu_pageset[cpu], pfn, mt, order, cpu);
}

/* si_mem_available: free pages minus reserves, plus the part of page cache
 * and reclaimable slab that can go without thrashing */
long si_mem_available(struct machine *m)
{
	unsigned long wmark_low = 0;
	long available, pagecache, reclaimable;

	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			wmark_low += low_wmark_pages(zone);
	available = global_zone_page_state(m, NR_FREE_PAGES) - (long)m->totalreserve_pages;
	pagecache = global_node_page_state(m, NR_ACTIVE_FILE) + global_node_page_state(m, NR_INACTIVE_FILE);
	pagecache -= MIN(pagecache / 2, (long)wmark_low);
	available += pagecache;
	reclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) +
		      global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= MIN(reclaimable / 2, (long)wmark_low);
	available += reclaimable;
	return available < 0 ? 0 : available;
}
