/*
 * mm/compaction.c: memory compaction, direct and by kcompactd.
 *
 * Models:
 * - compact_zone: the migrate scanner walks up from the zone's start
 *   isolating LRU pages, COMPACT_CLUSTER_MAX at a time
 *   (isolate_migratepages_block), the free scanner walks down from its
 *   end isolating free pages to migrate them into
 *   (isolate_freepages_block, with the async stride), migrate_pages moves
 *   them; done when the scanners meet or a page of the order is free
 *   (compact_finished / __compact_finished)
 * - pageblock skip bits and the cached scanner positions, reset after
 *   deferral (compaction_restarting) and when kswapd sleeps
 * - the three modes: async (direct compaction's first try: movable
 *   blocks only, no pages under writeback), sync-light, sync
 * - compaction_suitable: the order-0 watermark plus compact_gap, and for
 *   costly orders fragmentation_index against extfrag_threshold
 * - deferral: defer_compaction up to COMPACT_MAX_DEFER_SHIFT,
 *   compaction_deferred, compaction_defer_reset
 * - mlocked pages isolated only when compact_unevictable_allowed
 * - try_to_compact_pages for the allocator's direct compaction,
 *   compaction_ready for reclaim
 * - compact_memory and nodeN/compact (compact_node: every zone, whole,
 *   MIGRATE_SYNC, skip bits ignored)
 * - kcompactd per node: woken by kswapd for a high order
 *   (kcompactd_do_work), and every 500 ms of simulated time proactive
 *   compaction when fragmentation_score_node is above the high mark
 *   derived from compaction_proactiveness, down to the low mark, with
 *   the 64x backoff when a run does not lower the score
 * - compact_* and compact_daemon_* counters
 * Simplifies:
 * - no fast_isolate_freepages / fast_find_migrateblock (the free-list
 *   searches): both scanners are linear, pageblock by pageblock
 * - no capture_control: direct compaction frees the page, the allocator
 *   takes it on its retry
 * - isolated free pages are split to order 0 at once
 * - compact_node (and proactive compaction) drain the per-cpu lists of
 *   the zone at the end, so the pages freed merge at once rather than at
 *   the next vmstat_update
 * - kcompactd runs at once when kswapd wakes it, as if on another CPU;
 *   a proactiveness write wakes it at its next check, or at once when
 *   it was not checking
 * - no lock contention: an async compaction is never "contended"
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "migrate.h"
#include "mmsim/compaction.h"
#include "compaction_internal.h"
#include "mmsim/trace_events.h"


static inline bool is_via_compact_memory(int order)
{
	return order == -1;
}

static inline unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return pfn & ~(pageblock_nr_pages - 1);
}

static inline unsigned long pageblock_end_pfn(unsigned long pfn)
{
	return pageblock_start_pfn(pfn) + pageblock_nr_pages;
}

static inline bool pageblock_aligned(unsigned long pfn)
{
	return !(pfn & (pageblock_nr_pages - 1));
}

/* ---- skip bits and cached positions ---- */

static unsigned long zone_pageblock_index(const struct zone *zone, unsigned long pfn)
{
	return (pfn - pageblock_start_pfn(zone->zone_start_pfn)) >> pageblock_order;
}

static bool get_pageblock_skip(struct zone *zone, unsigned long pfn)
{
	return zone->pageblock_skip && zone->pageblock_skip[zone_pageblock_index(zone, pfn)];
}

static void set_pageblock_skip(struct zone *zone, unsigned long pfn)
{
	if (!zone->pageblock_skip)
		zone->pageblock_skip = g_new0(uint8_t, zone_pageblock_index(zone, zone_end_pfn(zone) - 1) + 1);
	zone->pageblock_skip[zone_pageblock_index(zone, pfn)] = 1;
}

static void reset_cached_positions(struct zone *zone)
{
	zone->compact_init_migrate_pfn = zone->zone_start_pfn;
	zone->compact_init_free_pfn = pageblock_start_pfn(zone_end_pfn(zone) - 1);
	zone->compact_cached_migrate_pfn[0] = zone->compact_init_migrate_pfn;
	zone->compact_cached_migrate_pfn[1] = zone->compact_init_migrate_pfn;
	zone->compact_cached_free_pfn = zone->compact_init_free_pfn;
}

/* __reset_isolation_suitable: every skip bit cleared, the scanners
 * start over */
static void __reset_isolation_suitable(struct zone *zone)
{
	if (zone->pageblock_skip)
		memset(zone->pageblock_skip, 0, zone_pageblock_index(zone, zone_end_pfn(zone) - 1) + 1);
	reset_cached_positions(zone);
	zone->compact_blockskip_flush = false;
}

void reset_isolation_suitable(pg_data_t *pgdat)
{
	for_each_zone_in_node(pgdat, zone)
		if (populated_zone(zone) && zone->compact_blockskip_flush)
			__reset_isolation_suitable(zone);
}

static bool isolation_suitable(struct compact_control *cc, unsigned long pfn)
{
	return cc->ignore_skip_hint || !get_pageblock_skip(cc->zone, pfn);
}

static void update_cached_migrate(struct compact_control *cc, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	pfn = pageblock_end_pfn(pfn);
	if (cc->no_set_skip_hint)
		return;
	if (pfn > zone->compact_cached_migrate_pfn[0])
		zone->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > zone->compact_cached_migrate_pfn[1])
		zone->compact_cached_migrate_pfn[1] = pfn;
}

static void update_pageblock_skip(struct compact_control *cc, unsigned long block_pfn, unsigned long pfn)
{
	if (cc->no_set_skip_hint)
		return;
	set_pageblock_skip(cc->zone, block_pfn);
	if (pfn < cc->zone->compact_cached_free_pfn)
		cc->zone->compact_cached_free_pfn = pfn;
}

/* ---- deferral ---- */

void defer_compaction(struct machine *m, struct zone *zone, int order)
{
	zone->compact_considered = 0;
	zone->compact_defer_shift++;
	if (order < zone->compact_order_failed)
		zone->compact_order_failed = order;
	if (zone->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zone->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
	trace_mm_compaction_defer_compaction(m, zone, order);
}

bool compaction_deferred(struct machine *m, struct zone *zone, int order)
{
	unsigned long defer_limit = 1UL << zone->compact_defer_shift;

	if (order < zone->compact_order_failed)
		return false;
	if (++zone->compact_considered >= defer_limit) {
		zone->compact_considered = (unsigned int)defer_limit;
		return false;
	}
	trace_mm_compaction_deferred(m, zone, order);
	return true;
}

void compaction_defer_reset(struct machine *m, struct zone *zone, int order, bool alloc_success)
{
	if (alloc_success) {
		zone->compact_considered = 0;
		zone->compact_defer_shift = 0;
	}
	if (order >= zone->compact_order_failed)
		zone->compact_order_failed = order + 1;
	trace_mm_compaction_defer_reset(m, zone, order);
}

static bool compaction_restarting(struct zone *zone, int order)
{
	if (order < zone->compact_order_failed)
		return false;
	return zone->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zone->compact_considered >= 1UL << zone->compact_defer_shift;
}

/* ---- the migrate scanner ---- */

/* The pageblock's pages, or NULL: a block not wholly in the zone, or in a
 * section without a mem_map (wholly free or reserved: nothing to move) */
static struct page *pageblock_pfn_to_page(struct compact_control *cc, unsigned long start_pfn)
{
	struct machine *m = cc->m;

	if (!zone_spans_pfn(cc->zone, start_pfn) || !zone_spans_pfn(cc->zone, start_pfn + pageblock_nr_pages - 1))
		return NULL;
	return pfn_to_page_noalloc(m, start_pfn);
}

/* The end of the section holding pfn: where a block without pages lets a
 * scanner jump to */
static unsigned long section_end_pfn(unsigned long pfn)
{
	return (pfn_to_section_nr(pfn) + 1) << PFN_SECTION_SHIFT;
}

/* How many pages at pfn the scanner can step over at once: a free block,
 * a per-cpu block, a high-order allocation; 0 for an ordinary page */
static unsigned long skip_block(const struct page *page)
{
	if (page_test(page, PG_buddy) || page_test(page, PG_pcp) ||
	    (page_test(page, PG_head) && page->_refcount > 0))
		return 1UL << page->order;
	return 0;
}

/* Can this page be isolated for migration in this mode? */
static bool isolate_candidate(struct compact_control *cc, const struct page *page)
{
	if (!page_test(page, PG_lru))
		return false;
	if (page_test(page, PG_unevictable) && !cc->m->sysctl.compact_unevictable_allowed)
		return false;
	if (cc->mode == MIGRATE_ASYNC && page_test(page, PG_writeback))
		return false;
	return true;
}

/* isolate_migratepages_block: LRU pages of [low_pfn, end_pfn) onto
 * cc->migratepages, stopping at COMPACT_CLUSTER_MAX */
static void isolate_migratepages_block(struct compact_control *cc, unsigned long low_pfn, unsigned long end_pfn)
{
	struct machine *m = cc->m;
	struct page *map = pfn_to_page_noalloc(m, pageblock_start_pfn(low_pfn));
	unsigned long nr_scanned = 0, nr_isolated = 0, block_pfn = pageblock_start_pfn(low_pfn);
	unsigned long start_pfn = low_pfn;

	for (; low_pfn < end_pfn; low_pfn++) {
		struct page *page = map + (low_pfn - block_pfn);
		unsigned long skip = skip_block(page);

		nr_scanned++;
		if (skip) {
			low_pfn += skip - 1 - (low_pfn & (skip - 1));
			nr_scanned += skip - 1;
			continue;
		}
		if (!isolate_candidate(cc, page) || !folio_isolate_lru(m, low_pfn))
			continue;
		g_array_append_val(cc->migratepages, low_pfn);
		nr_isolated++;
		if (cc->migratepages->len >= COMPACT_CLUSTER_MAX && !cc->finish_pageblock) {
			low_pfn++;
			break;
		}
	}
	if (low_pfn > end_pfn)
		low_pfn = end_pfn;
	/* the whole block scanned and nothing taken: skip it next time */
	if (low_pfn == end_pfn && (!nr_isolated || cc->finish_pageblock)) {
		if (!cc->no_set_skip_hint && !cc->ignore_skip_hint)
			set_pageblock_skip(cc->zone, block_pfn);
		update_cached_migrate(cc, low_pfn - 1);
	}
	trace_mm_compaction_isolate_migratepages(m, cc->kthread, start_pfn, low_pfn, nr_scanned, nr_isolated);
	cc->total_migrate_scanned += nr_scanned;
	if (nr_isolated)
		count_vm_events(m, COMPACTISOLATED, nr_isolated);
	cc->migrate_pfn = low_pfn;
}

/* suitable_migration_source: async direct compaction moves pages only out
 * of blocks of its own kind (movable: any movable block) */
static bool suitable_migration_source(struct compact_control *cc, unsigned long pfn)
{
	int block_mt;

	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = get_pageblock_migratetype(cc->m, pfn);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return block_mt == MIGRATE_MOVABLE;
	return block_mt == cc->migratetype;
}

/* isolate_migratepages: from cc->migrate_pfn, the next block with pages
 * to move; false when the scanner reached the free scanner first */
static bool isolate_migratepages(struct compact_control *cc)
{
	unsigned long low_pfn = cc->migrate_pfn;
	unsigned long block_start_pfn = MAX(pageblock_start_pfn(low_pfn), cc->zone->zone_start_pfn);
	unsigned long block_end_pfn = pageblock_end_pfn(low_pfn);

	for (; block_end_pfn <= cc->free_pfn; cc->migrate_pfn = low_pfn = block_end_pfn,
	     block_start_pfn = block_end_pfn, block_end_pfn += pageblock_nr_pages) {
		if (!pageblock_pfn_to_page(cc, pageblock_start_pfn(block_start_pfn))) {
			/* no mem_map: a whole section of free or reserved pages */
			if (zone_spans_pfn(cc->zone, block_start_pfn) &&
			    !pfn_to_page_noalloc(cc->m, pageblock_start_pfn(block_start_pfn)))
				block_end_pfn = MIN(section_end_pfn(block_start_pfn), cc->free_pfn);
			continue;
		}
		if ((pageblock_aligned(low_pfn) || low_pfn == cc->zone->zone_start_pfn) &&
		    !isolation_suitable(cc, pageblock_start_pfn(block_start_pfn)))
			continue;
		if (!suitable_migration_source(cc, pageblock_start_pfn(block_start_pfn))) {
			update_cached_migrate(cc, block_end_pfn - 1);
			continue;
		}
		isolate_migratepages_block(cc, low_pfn, block_end_pfn);
		break;
	}
	return cc->migratepages->len > 0;
}

/* ---- the free scanner ---- */

/* isolate_freepages_block: free blocks of [*start_pfn, end_pfn) become
 * pages in use on cc->freepages, every stride pages, until there are as
 * many as the batch needs.  *start_pfn: where it stopped. */
static unsigned long isolate_freepages_block(struct compact_control *cc, unsigned long *start_pfn,
					     unsigned long end_pfn, unsigned int stride)
{
	struct machine *m = cc->m;
	unsigned long blockpfn = *start_pfn, nr_scanned = 0, total_isolated = 0;

	for (; blockpfn < end_pfn; blockpfn += stride) {
		struct page *page = pfn_to_page(m, blockpfn);
		unsigned long isolated;
		unsigned int order;

		nr_scanned++;
		if (!page_test(page, PG_buddy))
			continue;
		order = page->order;
		isolated = __isolate_free_page(m, blockpfn, order);
		if (!isolated)
			break;
		for (unsigned long i = 0; i < isolated; i++) {
			unsigned long pfn = blockpfn + i;

			mark_allocated(m, pfn, 0, GFP_HIGHUSER_MOVABLE);
			g_array_append_val(cc->freepages, pfn);
		}
		nr_scanned += isolated - 1;
		total_isolated += isolated;
		if (cc->nr_migratepages <= cc->freepages->len) {
			blockpfn += isolated;
			break;
		}
		blockpfn += isolated - 1;
	}
	if (blockpfn > end_pfn)
		blockpfn = end_pfn;
	trace_mm_compaction_isolate_freepages(m, cc->kthread, *start_pfn, blockpfn, nr_scanned, total_isolated);
	*start_pfn = blockpfn;
	cc->total_free_scanned += nr_scanned;
	if (total_isolated)
		count_vm_events(m, COMPACTISOLATED, total_isolated);
	return total_isolated;
}

/* suitable_migration_target: not a block that is free as a whole (that
 * is what compaction makes), and a movable block */
static bool suitable_migration_target(struct compact_control *cc, const struct page *page, unsigned long pfn)
{
	if (page_test(page, PG_buddy)) {
		int order = cc->order > 0 ? cc->order : (int)pageblock_order;

		if (page->order >= order)
			return false;
	}
	if (cc->ignore_block_suitable)
		return true;
	return get_pageblock_migratetype(cc->m, pfn) == MIGRATE_MOVABLE;
}

/* isolate_freepages: from cc->free_pfn down to the migrate scanner, the
 * free pages of suitable blocks */
static void isolate_freepages(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long isolate_start_pfn = cc->free_pfn;
	unsigned long block_start_pfn = pageblock_start_pfn(isolate_start_pfn);
	unsigned long block_end_pfn = MIN(block_start_pfn + pageblock_nr_pages, zone_end_pfn(zone));
	unsigned long low_pfn = pageblock_end_pfn(cc->migrate_pfn);
	unsigned int stride = cc->mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	for (; block_start_pfn >= low_pfn; block_end_pfn = block_start_pfn, block_start_pfn -= pageblock_nr_pages,
	     isolate_start_pfn = block_start_pfn) {
		struct page *page = pageblock_pfn_to_page(cc, block_start_pfn);
		unsigned long nr_isolated;

		if (!page) {
			/* no mem_map: jump to the section's start */
			if (zone_spans_pfn(zone, block_start_pfn) && !pfn_to_page_noalloc(cc->m, block_start_pfn))
				block_start_pfn = MAX(block_start_pfn & ~(PAGES_PER_SECTION - 1),
						      pageblock_start_pfn(zone->zone_start_pfn));
			if (block_start_pfn < pageblock_nr_pages) {
				isolate_start_pfn = block_start_pfn;
				break;
			}
			continue;
		}
		if (!suitable_migration_target(cc, page, block_start_pfn) ||
		    !isolation_suitable(cc, block_start_pfn))
			continue;
		nr_isolated = isolate_freepages_block(cc, &isolate_start_pfn, block_end_pfn, stride);
		if (isolate_start_pfn == block_end_pfn)
			update_pageblock_skip(cc, block_start_pfn, block_start_pfn - pageblock_nr_pages);
		if (cc->freepages->len >= cc->nr_migratepages) {
			if (isolate_start_pfn >= block_end_pfn)
				isolate_start_pfn = block_start_pfn - pageblock_nr_pages;
			break;
		} else if (isolate_start_pfn < block_end_pfn) {
			break;  /* the watermark stopped it */
		}
		stride = nr_isolated ? 1 : MIN(COMPACT_CLUSTER_MAX, stride << 1);
	}
	cc->free_pfn = isolate_start_pfn;
}

/* compaction_alloc / compaction_free: migrate_pages' new pages */
static long compaction_alloc(struct machine *m, unsigned long src, void *data)
{
	struct compact_control *cc = data;
	unsigned long pfn;

	(void)m;
	(void)src;
	if (!cc->freepages->len) {
		isolate_freepages(cc);
		if (!cc->freepages->len)
			return -ENOMEM;
	}
	pfn = g_array_index(cc->freepages, unsigned long, cc->freepages->len - 1);
	g_array_set_size(cc->freepages, cc->freepages->len - 1);
	return (long)pfn;
}

static void compaction_free(struct machine *m, unsigned long dst, void *data)
{
	struct compact_control *cc = data;

	(void)m;
	g_array_append_val(cc->freepages, dst);
}

/* release_free_list: the free pages not used go back; returns the highest */
static unsigned long release_free_list(struct compact_control *cc)
{
	unsigned long high_pfn = 0;

	for (guint i = 0; i < cc->freepages->len; i++) {
		unsigned long pfn = g_array_index(cc->freepages, unsigned long, i);

		__free_pages(cc->m, pfn, 0, cc->cpu);
		high_pfn = MAX(high_pfn, pfn);
	}
	g_array_set_size(cc->freepages, 0);
	return high_pfn;
}

/* ---- finishing ---- */

static bool compact_scanners_met(struct compact_control *cc)
{
	return (cc->free_pfn >> pageblock_order) <= (cc->migrate_pfn >> pageblock_order);
}

/* A free block of the order, of the allocation's type or one it would
 * claim (__compact_finished's free-list check) */
static bool suitable_page_free(struct compact_control *cc)
{
	static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
		[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
		[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
		[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
	};
	int mt = cc->migratetype;

	for (unsigned int order = (unsigned int)cc->order; order < NR_PAGE_ORDERS; order++) {
		if (free_area_count(cc->zone, order, mt))
			return true;
		/* find_suitable_fallback(claimable): a block it may take whole */
		if (order >= pageblock_order / 2 || mt != MIGRATE_MOVABLE)
			for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++)
				if (free_area_count(cc->zone, order, fallbacks[mt][i]))
					return true;
	}
	return false;
}

static enum compact_result __compact_finished(struct compact_control *cc)
{
	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone);
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction) {
		if (kswapd_is_running(cc->zone->zone_pgdat))
			return COMPACT_PARTIAL_SKIPPED;
		return extfrag_for_order(cc->zone, COMPACTION_HPAGE_ORDER) > fragmentation_score_wmark(cc->m, true) ? COMPACT_CONTINUE
												  : COMPACT_SUCCESS;
	}
	if (is_via_compact_memory(cc->order))
		return COMPACT_CONTINUE;
	/* finish the pageblock: fewer fallbacks later */
	if (!pageblock_aligned(cc->migrate_pfn))
		return COMPACT_CONTINUE;
	if (suitable_page_free(cc))
		return COMPACT_SUCCESS;
	return fatal_signal_pending(cc->m->current) ? COMPACT_CONTENDED : COMPACT_NO_SUITABLE_PAGE;
}

static enum compact_result compact_finished(struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(cc);

	trace_mm_compaction_finished(cc->m, cc->kthread, cc->zone, cc->order, ret);
	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

/* ---- suitability ---- */

static bool __compaction_suitable(struct zone *zone, int order, int highest_zoneidx, long wmark_target)
{
	unsigned long watermark = order > PAGE_ALLOC_COSTLY_ORDER ? low_wmark_pages(zone) : min_wmark_pages(zone);

	watermark += compact_gap((unsigned int)order);
	return __zone_watermark_ok(zone, 0, watermark, highest_zoneidx, ALLOC_CMA, wmark_target);
}

bool compaction_suitable(struct machine *m, struct zone *zone, int order, int highest_zoneidx)
{
	bool suitable = __compaction_suitable(zone, order, highest_zoneidx, zone_page_state(zone, NR_FREE_PAGES));
	enum compact_result result = suitable ? COMPACT_CONTINUE : COMPACT_SKIPPED;

	/* only when a failure would be due to fragmentation, for costly orders */
	if (suitable && order > PAGE_ALLOC_COSTLY_ORDER) {
		int fragindex = fragmentation_index(zone, (unsigned int)order);

		if (fragindex >= 0 && fragindex <= m->sysctl.extfrag_threshold) {
			suitable = false;
			result = COMPACT_NOT_SUITABLE_ZONE;
		}
	}
	trace_mm_compaction_suitable(m, zone, order, result);
	return suitable;
}

bool compaction_zonelist_suitable(struct machine *m, struct zonelist *zonelist, int highest_zoneidx, int order)
{
	for (struct zoneref *z = zonelist->_zonerefs; z->zone; z++) {
		long available;

		if (z->zone_idx > highest_zoneidx)
			continue;
		/* not all the reclaimable memory: one allocation should not thrash */
		available = (long)(zone_reclaimable_pages(m, z->zone) / (unsigned long)order);
		available += zone_page_state(z->zone, NR_FREE_PAGES);
		if (__compaction_suitable(z->zone, order, highest_zoneidx, available))
			return true;
	}
	return false;
}

bool compaction_ready(struct machine *m, struct zone *zone, int order, int reclaim_idx, gfp_t gfp)
{
	if (!(gfp & __GFP_IO))
		return false;
	if (zone_watermark_ok(zone, (unsigned int)order, min_wmark_pages(zone), reclaim_idx, 0))
		return true;
	if (!compaction_suitable(m, zone, order, reclaim_idx))
		return false;
	return zone_watermark_ok(zone, 0, high_wmark_pages(zone) + compact_gap((unsigned int)order), reclaim_idx, 0);
}

/* ---- compact_zone ---- */

/* Where the scanners start: the whole zone, or where they stopped */
static void compact_zone_start(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long start_pfn = zone->zone_start_pfn, end_pfn = zone_end_pfn(zone);
	bool sync = cc->mode != MIGRATE_ASYNC;

	if (!zone->compact_init_free_pfn)
		reset_cached_positions(zone);
	if (cc->whole_zone) {
		cc->migrate_pfn = start_pfn;
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
		return;
	}
	cc->migrate_pfn = zone->compact_cached_migrate_pfn[sync];
	cc->free_pfn = zone->compact_cached_free_pfn;
	if (cc->free_pfn < start_pfn || cc->free_pfn >= end_pfn) {
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
		zone->compact_cached_free_pfn = cc->free_pfn;
	}
	if (cc->migrate_pfn < start_pfn || cc->migrate_pfn >= end_pfn) {
		cc->migrate_pfn = start_pfn;
		zone->compact_cached_migrate_pfn[0] = zone->compact_cached_migrate_pfn[1] = start_pfn;
	}
	if (cc->migrate_pfn <= zone->compact_init_migrate_pfn)
		cc->whole_zone = true;
}

/* One batch: migrate what isolate_migratepages took; false: stop (out of
 * free pages before the scanners met) */
static bool compact_migrate_batch(struct compact_control *cc)
{
	unsigned int nr_succeeded = 0;
	int err;

	cc->nr_migratepages = cc->migratepages->len;
	err = migrate_pages(cc->m, cc->migratepages, compaction_alloc, compaction_free, cc, cc->mode,
			    MR_COMPACTION, &nr_succeeded);
	trace_mm_compaction_migratepages(cc->m, cc->kthread, cc->nr_migratepages, nr_succeeded);
	cc->nr_migratepages = 0;
	if (!err)
		return true;
	putback_movable_pages(cc->m, cc->migratepages);
	if (err == -ENOMEM && !compact_scanners_met(cc))
		return false;
	/* a failure inside a block: scan the rest of it, so it is marked skip */
	if (!pageblock_aligned(cc->migrate_pfn) && !cc->ignore_skip_hint && !cc->finish_pageblock &&
	    cc->mode < MIGRATE_SYNC)
		cc->finish_pageblock = true;
	return true;
}

enum compact_result compact_zone(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long last_migrated_pfn = 0;
	enum compact_result ret;

	cc->total_migrate_scanned = cc->total_free_scanned = 0;
	cc->migratetype = gfp_migratetype(cc->gfp_mask);
	if (!is_via_compact_memory(cc->order)) {
		unsigned long watermark = wmark_pages(zone, cc->alloc_flags & ALLOC_WMARK_MASK);

		/* allocation can already succeed: nothing to do */
		if (zone_watermark_ok(zone, (unsigned int)cc->order, watermark, cc->highest_zoneidx, cc->alloc_flags))
			return COMPACT_SUCCESS;
		if (!compaction_suitable(cc->m, zone, cc->order, cc->highest_zoneidx))
			return COMPACT_SKIPPED;
	}
	if (compaction_restarting(zone, cc->order))
		__reset_isolation_suitable(zone);
	compact_zone_start(cc);
	trace_mm_compaction_begin(cc->m, cc->kthread, zone->zone_start_pfn, cc->migrate_pfn, cc->free_pfn,
				  zone_end_pfn(zone), cc->mode != MIGRATE_ASYNC);
	cc->freepages = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	cc->migratepages = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		unsigned long iteration_start_pfn = cc->migrate_pfn;

		/* a second pass over a block takes the whole of it */
		cc->finish_pageblock = last_migrated_pfn &&
				       pageblock_start_pfn(last_migrated_pfn) == pageblock_start_pfn(iteration_start_pfn);
		if (isolate_migratepages(cc)) {
			last_migrated_pfn = MAX(zone->zone_start_pfn, pageblock_start_pfn(cc->migrate_pfn - 1));
			if (!compact_migrate_batch(cc)) {
				ret = COMPACT_CONTENDED;
				break;
			}
		}
		/* the migrate scanner left the order-aligned block it emptied:
		 * the pages freed there merge now (lru_add_drain_cpu_zone) */
		if (cc->order > 0 && last_migrated_pfn &&
		    last_migrated_pfn < (cc->migrate_pfn & ~((1UL << cc->order) - 1))) {
			drain_local_pages(cc->m, cc->cpu);
			last_migrated_pfn = 0;
		}
	}
	if (cc->freepages->len) {
		unsigned long free_pfn = pageblock_start_pfn(release_free_list(cc));

		if (free_pfn > zone->compact_cached_free_pfn)
			zone->compact_cached_free_pfn = free_pfn;
	}
	g_array_free(cc->freepages, TRUE);
	g_array_free(cc->migratepages, TRUE);
	trace_mm_compaction_end(cc->m, cc->kthread, zone->zone_start_pfn, cc->migrate_pfn, cc->free_pfn,
				zone_end_pfn(zone), cc->mode != MIGRATE_ASYNC, ret);
	count_vm_events(cc->m, COMPACTMIGRATE_SCANNED, cc->total_migrate_scanned);
	count_vm_events(cc->m, COMPACTFREE_SCANNED, cc->total_free_scanned);
	return ret;
}

/* ---- direct compaction ---- */

static enum compact_result compact_zone_order(struct machine *m, struct zone *zone, int order, gfp_t gfp,
					      enum compact_priority prio, unsigned int alloc_flags,
					      int highest_zoneidx, int cpu)
{
	struct compact_control cc = {
		.m = m,
		.order = order,
		.gfp_mask = gfp,
		.zone = zone,
		.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT,
		.alloc_flags = alloc_flags,
		.highest_zoneidx = highest_zoneidx,
		.direct_compaction = true,
		.whole_zone = prio == MIN_COMPACT_PRIORITY,
		.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
		.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY,
		.cpu = cpu,
	};

	return compact_zone(&cc);
}

enum compact_result try_to_compact_pages(struct machine *m, gfp_t gfp, unsigned int order, unsigned int alloc_flags,
					 struct zonelist *zonelist, int highest_zoneidx,
					 enum compact_priority prio, int cpu)
{
	enum compact_result rc = COMPACT_SKIPPED;

	/* compaction may do I/O (gfp_compaction_allowed) */
	if (!(gfp & __GFP_IO))
		return COMPACT_SKIPPED;
	trace_mm_compaction_try_to_compact_pages(m, (int)order, gfp, prio);
	for (struct zoneref *z = zonelist->_zonerefs; z->zone; z++) {
		enum compact_result status;

		if (z->zone_idx > highest_zoneidx)
			continue;
		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(m, z->zone, (int)order)) {
			rc = MAX(COMPACT_DEFERRED, rc);
			continue;
		}
		status = compact_zone_order(m, z->zone, (int)order, gfp, prio, alloc_flags, highest_zoneidx, cpu);
		rc = MAX(status, rc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(m, z->zone, (int)order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC && (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(m, z->zone, (int)order);
		if (fatal_signal_pending(m->current))
			break;
	}
	return rc;
}

/* ---- compact_memory, nodeN/compact ---- */

void compact_node(struct machine *m, int nid)
{
	pg_data_t *pgdat = m->node_data[nid];

	for_each_zone_in_node(pgdat, zone) {
		struct compact_control cc = {
			.m = m,
			.order = -1,
			.mode = MIGRATE_SYNC,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.gfp_mask = GFP_KERNEL,
			.zone = zone,
		};

		if (!populated_zone(zone))
			continue;
		compact_zone(&cc);
		/* the pages freed merge now, not at the next pcp decay */
		drain_all_pages(m, zone);
	}
}

void compact_nodes(struct machine *m)
{
	for_each_online_node(m, nid)
		compact_node(m, nid);
	machine_debug_check(m, "compact_memory");
}

