/*
 * mm/page_alloc.c: the buddy allocator and its entry points (the per-cpu
 * lists are in page_alloc_pcp.c, watermarks and zonelists in
 * page_alloc_wmark.c).
 *
 * Models (Linux 6.18):
 * - free lists per order and migratetype; __free_one_page merging; expand;
 * - __rmqueue_smallest; the fallback of __rmqueue_claim / try_to_claim_block
 *   (claim a whole pageblock when half of it is free or alike) and
 *   __rmqueue_steal; ALLOC_NOFRAGMENT; watermark boosting on fallback;
 * - get_page_from_freelist over node-ordered zonelists with zone_statistics;
 * - the slow path: wake kswapd, compact first for costly and non-movable
 *   high orders, direct reclaim, compact again, retry as
 *   should_reclaim_retry and should_compact_retry say, then the OOM killer;
 *   warn_alloc's report;
 * - __isolate_free_page for compaction's free scanner.
 * Simplifies:
 * - pages are PFNs, free lists are PFN-linked; no CMA;
 * - no highatomic reserve creation (reserve_highatomic_pageblock), so the
 *   HighAtomic lists stay empty;
 * - the "movable" pages try_to_claim_block counts are the pages allocated
 *   as movable (the kernel counts LRU and __PageMovable pages);
 * - compaction has no capture_control (the page is taken on the retry of
 *   the freelists).
 */
#include <errno.h>

#include "numa_balancing_internal.h"
#include "mmsim/compaction.h"
#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/trace_events.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "page_alloc_internal.h"


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

/* account_freepages: NR_FREE_PAGES counts every buddy page not isolated */
void account_freepages(struct zone *zone, long nr_pages, int mt)
{
	if (is_migrate_isolate(mt))
		return;
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (mt == MIGRATE_HIGHATOMIC)
		zone->nr_free_highatomic += nr_pages;
}

void __add_to_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
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

void __del_page_from_free_list(struct machine *m, struct zone *zone, unsigned long pfn,
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

/* The first block of a list; a pristine section is opened when the
 * Movable list of the top order has only counted blocks left. */
long get_page_from_free_area(struct machine *m, struct zone *zone, unsigned int order, int mt)
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
long __rmqueue_fallback(struct machine *m, struct zone *zone, unsigned int order, int mt,
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
	page_cpupid_reset_last(m, pfn, order);
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
		    !zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags) &&
		    !node_reclaim_zone(m, ac->preferred_zoneref->zone, zone, gfp, order, mark, ac->highest_zoneidx,
				       alloc_flags, ac->cpu))
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

/* __alloc_pages_direct_compact: compact at prio, then try the freelists */
static long __alloc_pages_direct_compact(struct machine *m, gfp_t gfp, unsigned int order, unsigned int alloc_flags,
					 struct alloc_context *ac, enum compact_priority prio,
					 enum compact_result *compact_result)
{
	long pfn;

	*compact_result = try_to_compact_pages(m, gfp, order, alloc_flags, ac->zonelist, ac->highest_zoneidx, prio,
					       ac->cpu);
	if (*compact_result == COMPACT_SKIPPED)
		return -1;
	count_vm_event(m, COMPACTSTALL);
	pfn = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (pfn >= 0) {
		struct zone *zone = pfn_zone(m, (unsigned long)pfn);

		zone->compact_blockskip_flush = false;
		compaction_defer_reset(m, zone, (int)order, true);
		count_vm_event(m, COMPACTSUCCESS);
		return pfn;
	}
	count_vm_event(m, COMPACTFAIL);
	return -1;
}

/* should_compact_retry: more compaction, at a higher priority, helps? */
static bool should_compact_retry(struct machine *m, struct alloc_context *ac, unsigned int order,
				 enum compact_result compact_result, enum compact_priority *prio, int *retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_priority;

	if (!order || fatal_signal_pending(m->current))
		return false;
	if (compact_result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(m, ac->zonelist, ac->highest_zoneidx, (int)order);
	if (compact_result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++(*retries) <= max_retries)
			return true;
	}
	min_priority = order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
	if (*prio > min_priority) {
		(*prio)--;
		*retries = 0;
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
	int no_progress_loops = 0, compaction_retries = 0;
	enum compact_priority compact_priority = DEF_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	bool can_compact = order && (gfp & __GFP_IO), first = true;
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
	/* costly and non-movable high orders compact first: the base pages
	 * are likely there already */
	if (first && can_compact && (costly_order || ac->migratetype != MIGRATE_MOVABLE)) {
		pfn = __alloc_pages_direct_compact(m, gfp, order, alloc_flags, ac, INIT_COMPACT_PRIORITY,
						   &compact_result);
		if (pfn >= 0)
			return pfn;
		if (costly_order && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}
	first = false;
	pfn = __alloc_pages_direct_reclaim(m, gfp, order, alloc_flags, ac, &did_some_progress);
	if (pfn >= 0)
		return pfn;
	if (can_compact) {
		pfn = __alloc_pages_direct_compact(m, gfp, order, alloc_flags, ac, compact_priority, &compact_result);
		if (pfn >= 0)
			return pfn;
	}
	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (costly_order && !(gfp & __GFP_RETRY_MAYFAIL))
		goto nopage;
	if (should_reclaim_retry(m, gfp, order, ac, alloc_flags, did_some_progress, &no_progress_loops))
		goto retry;
	if (did_some_progress && can_compact &&
	    should_compact_retry(m, ac, order, compact_result, &compact_priority, &compaction_retries))
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
	return __alloc_pages_nodemask(m, gfp, order, preferred_nid, NULL, cpu);
}

long __alloc_pages_nodemask(struct machine *m, gfp_t gfp, unsigned int order, int preferred_nid,
			    const nodemask_t *nodemask, int cpu)
{
	struct alloc_context ac;
	struct zonelist filtered;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	long pfn;

	if (order > MAX_PAGE_ORDER || cpu < 0 || cpu >= m->nr_cpus)
		return -EINVAL;
	if (preferred_nid < 0)
		preferred_nid = cpu_to_node(m, cpu);
	if (preferred_nid >= m->nr_nodes)
		return -EINVAL;
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.zonelist = zonelist_nodemask(&m->node_data[preferred_nid]->node_zonelists[(gfp & __GFP_THISNODE) ?
							ZONELIST_NOFALLBACK : ZONELIST_FALLBACK], nodemask, &filtered);
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
	mem_cgroup_uncharge(m, pfn, order);
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

/*
 * __isolate_free_page: compaction's free scanner takes a free block off
 * its list, if the zone stays above its min watermark; a block of at
 * least half a pageblock makes its pageblocks movable.  Returns the pages
 * taken (0: refused).  The caller makes them pages in use (mark_allocated).
 */
unsigned long __isolate_free_page(struct machine *m, unsigned long pfn, unsigned int order)
{
	struct zone *zone = pfn_zone(m, pfn);
	struct page *page = pfn_to_page(m, pfn);
	int mt = page->mt;

	if (!is_migrate_isolate(mt) &&
	    !zone_watermark_ok(zone, 0, zone->_watermark[WMARK_MIN] + (1UL << order), 0, ALLOC_CMA))
		return 0;
	del_page_from_free_list(m, zone, pfn, order, mt);
	if (order >= pageblock_order - 1) {
		for (unsigned long p = pfn; p < pfn + (1UL << order); p += pageblock_nr_pages) {
			int bmt = get_pageblock_migratetype(m, p);
			unsigned long start;
			int free_pages, movable_pages;

			if (migratetype_is_mergeable(bmt) && bmt != MIGRATE_MOVABLE &&
			    count_pageblock(m, zone, p, &start, &free_pages, &movable_pages))
				move_freepages_block(m, zone, start, bmt, MIGRATE_MOVABLE);
		}
	}
	return 1UL << order;
}

/* post_alloc_hook for a block taken outside the allocator's own paths */
void mark_allocated(struct machine *m, unsigned long pfn, unsigned int order, gfp_t gfp)
{
	prep_new_page(m, pfn, order, gfp_migratetype(gfp));
}
