/*
 * mm/vmscan.c: page reclaim, the classic two-list LRU (MGLRU off).
 *
 * Models: get_scan_count (swappiness 0..200, the anon/file cost balance of
 * lru_note_cost, SCAN_FILE without swap space, SCAN_EQUAL at priority 0,
 * file_is_tiny, cache_trim_mode), shrink_lruvec in SWAP_CLUSTER_MAX
 * batches, shrink_active_list (referenced executable file pages stay
 * active, the rest are deactivated), shrink_inactive_list and
 * shrink_folio_list (folio_check_references through rmap: activate, keep,
 * or reclaim; anon pages go to swap: add_to_swap, try_to_unmap, pageout;
 * clean file pages leave a workingset shadow; dirty file pages are left to
 * the flusher and marked PG_reclaim; pages under writeback are kept and
 * rotated when it ends), inactive_is_low with the kernel's sqrt ratio,
 * reclaim_throttle (writeback: HZ/10 or the next write to end; a full
 * swap queue of BLKDEV_DEFAULT_RQ requests; too_many_isolated: HZ/50),
 * isolate_lru_folios skipping pages in zones above sc->reclaim_idx
 * (pgskip_*), and direct reclaim (try_to_free_pages: allocstall_*,
 * SWAP_CLUSTER_MAX a pass, PSI memory some and full over the stall).
 * kswapd (balance_pgdat and its sleeps) is kswapd.c.
 * Simplifies: scanning costs simulated CPU time on the reclaiming task
 * (time_costs.h); scanning is per node; no memcg;
 * MGLRU is in lru_gen.c and lru_gen_evict.c;
 * shrink_slab runs only when a shrinker is registered (SLUB); shmem pages
 * are not swapped out (they stay on the LRU, activated).
 */
#include <errno.h>
#include <stddef.h>

#include "vmscan_internal.h"
#include "mmsim/explain.h"
#include "mmsim/log2.h"
#include "mmsim/slab.h"
#include "mmsim/pagemap.h"
#include "lru_gen.h"
#include "mmsim/trace_events.h"

#define DEACTIVATE_ANON 1
#define DEACTIVATE_FILE 2

#define SWAP_CLUSTER_MAX_SKIPPED (SWAP_CLUSTER_MAX << 10)
#define BLKDEV_DEFAULT_RQ 128    /* requests a block queue holds */


/* reclaim_throttle's reasons, with their timeouts */
enum vmscan_throttle_state { VMSCAN_THROTTLE_WRITEBACK, VMSCAN_THROTTLE_ISOLATED };

static void reclaim_throttle(struct machine *m, struct scan_control *sc, enum vmscan_throttle_state reason,
			     uint64_t until);

static inline bool is_file_lru(enum lru_list lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

static bool can_reclaim_anon_pages(struct machine *m, struct scan_control *sc)
{
	return sc->may_swap && get_nr_swap_pages(m) > 0;
}

/* inactive_is_low: inactive * sqrt(10 * GB) < active */
static bool inactive_is_low(struct lruvec *lv, enum lru_list inactive_lru)
{
	unsigned long inactive = lv->nr[inactive_lru], active = lv->nr[inactive_lru + 1];
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

/* lru_note_cost: what reclaiming a kind costs; halved as the LRU turns */
static void lru_note_cost(struct lruvec *lv, bool file, unsigned long nr_io, unsigned long nr_rotated)
{
	unsigned long lrusize = lv->nr[LRU_INACTIVE_ANON] + lv->nr[LRU_ACTIVE_ANON] + lv->nr[LRU_INACTIVE_FILE] +
				lv->nr[LRU_ACTIVE_FILE];
	unsigned long cost = nr_io * SWAP_CLUSTER_MAX + nr_rotated;

	if (file)
		lv->file_cost += cost;
	else
		lv->anon_cost += cost;
	if (lv->file_cost + lv->anon_cost > lrusize / 4) {
		lv->file_cost /= 2;
		lv->anon_cost /= 2;
	}
}

void lru_note_cost_refault(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	lru_note_cost(&pfn_zone(m, pfn)->zone_pgdat->__lruvec, !page_test(page, PG_swapbacked), 1, 0);
}

/* ---- isolation and putback ---- */

void isolate_mod(struct machine *m, unsigned long pfn, bool file, long nr)
{
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, nr);
}

/* lruvec_pgdat: the node whose lists these are */
static inline pg_data_t *lruvec_pgdat(struct lruvec *lv)
{
	return (pg_data_t *)(void *)((char *)lv - offsetof(pg_data_t, __lruvec));
}

static inline int folio_zonenum(struct machine *m, unsigned long pfn)
{
	struct zone *zone = pfn_zone(m, pfn);

	return (int)(zone - zone->zone_pgdat->node_zones);
}

/* isolate_lru_folios: up to nr_to_scan pages from the tail of lru; pages
 * in zones above sc->reclaim_idx are skipped (pgskip_*) and go back to
 * the head of the list.  *nr_scanned counts the skipped ones too. */
static unsigned long isolate_lru_folios(struct machine *m, struct lruvec *lv, enum lru_list lru,
					unsigned long nr_to_scan, GArray *out, unsigned long *nr_scanned,
					struct scan_control *sc)
{
	unsigned long n = 0, scan = 0, total_scan = 0, nr_skipped = 0;
	unsigned long skipped[MAX_NR_ZONES] = { 0 };
	unsigned long skip_head = PFN_NONE;

	while (scan < nr_to_scan && lv->tail[lru] != PFN_NONE && lv->tail[lru] != skip_head) {
		unsigned long pfn = lv->tail[lru];
		int zid = folio_zonenum(m, pfn);

		total_scan++;
		lruvec_del_folio(m, pfn);
		if (zid > sc->reclaim_idx && nr_skipped < SWAP_CLUSTER_MAX_SKIPPED) {
			/* the list's head: met again only once every page was seen */
			lruvec_add_folio(m, pfn);
			if (skip_head == PFN_NONE)
				skip_head = pfn;
			skipped[zid]++;
			nr_skipped++;
			continue;
		}
		scan++;
		isolate_mod(m, pfn, is_file_lru(lru), 1);
		g_array_append_val(out, pfn);
		n++;
	}
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		count_vm_events(m, PGSKIP_DMA + MIN(zid, ZONE_DEVICE), skipped[zid]);
	*nr_scanned = total_scan;
	return n;
}

/* move_folios_to_lru: back to the head of the list its flags name */
void putback_folio(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	isolate_mod(m, pfn, !page_test(page, PG_swapbacked), -1);
	lruvec_add_folio(m, pfn);
}

/* ---- references ---- */

enum folio_references { FOLIOREF_RECLAIM, FOLIOREF_RECLAIM_CLEAN, FOLIOREF_KEEP, FOLIOREF_ACTIVATE };

static enum folio_references folio_check_references(struct machine *m, unsigned long pfn, struct scan_control *sc)
{
	struct page *page = pfn_to_page(m, pfn);
	unsigned long vm_flags = 0;
	int referenced_ptes = folio_referenced(m, pfn, &vm_flags);
	bool referenced_folio = page_test(page, PG_referenced);

	(void)sc;
	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
	if (lru_gen_enabled(m)) {
		if (!referenced_ptes)
			return FOLIOREF_RECLAIM;
		return lru_gen_set_refs(page) ? FOLIOREF_ACTIVATE : FOLIOREF_KEEP;
	}
	page_clear(page, PG_referenced);
	if (referenced_ptes) {
		page_set(page, PG_referenced);
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		/* activate file-backed executable folios after first usage */
		if ((vm_flags & VM_EXEC) && !page_test(page, PG_swapbacked))
			return FOLIOREF_ACTIVATE;
		return FOLIOREF_KEEP;
	}
	if (referenced_folio && !page_test(page, PG_swapbacked))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* ---- shrink_folio_list ---- */

enum folio_fate { FOLIO_KEEP, FOLIO_ACTIVATE, FOLIO_FREE };

/* What keeps a folio without looking at its references: unevictable,
 * locked (a read is bringing it in), or under writeback (rotated to the
 * tail when the write ends) */
static bool folio_busy(struct machine *m, unsigned long pfn, struct page *page, bool file, struct scan_control *sc)
{
	if (page_test(page, PG_unevictable) || page_test(page, PG_mlocked))
		return true;
	/* folio_trylock fails: a read is bringing it in */
	if (page_test(page, PG_locked) || (file && folio_read_in_flight(m, pfn)))
		return true;
	if (page_test(page, PG_writeback)) {
		sc->nr_writeback++;
		if (page_test(page, PG_reclaim))
			sc->nr_immediate++;
		page_set(page, PG_reclaim);
		return true;
	}
	return false;
}

/* add_to_swap, try_to_unmap, pageout: what becomes of a folio that
 * reclaim chose; FOLIO_FREE when it is clean and unmapped */
static enum folio_fate folio_unmap_and_pageout(struct machine *m, unsigned long pfn, struct page *page,
					       enum folio_references ref, struct scan_control *sc,
					       unsigned long *nr_pageout)
{
	bool anon = page_test(page, PG_anon) || page_test(page, PG_swapcache);
	bool file = !page_test(page, PG_swapbacked);

	/* shared anonymous memory (shmem) is not swapped out */
	if (!file && !anon)
		return FOLIO_ACTIVATE;
	if (anon && !page_test(page, PG_swapcache)) {
		if (!can_reclaim_anon_pages(m, sc) || !add_to_swap(m, pfn, sc->cpu))
			return FOLIO_ACTIVATE;
	}
	if (page->_mapcount >= 0) {
		if (!sc->may_unmap)
			return FOLIO_KEEP;
		try_to_unmap(m, pfn);
		if (page->_mapcount >= 0)
			return FOLIO_ACTIVATE;
	}
	if (!page_test(page, PG_dirty))
		return FOLIO_FREE;
	if (file) {
		/* only the flusher writes file pages: mark and move on */
		sc->nr_unqueued_dirty++;
		page_set(page, PG_reclaim);
		return FOLIO_KEEP;
	}
	if (ref == FOLIOREF_RECLAIM_CLEAN || !sc->may_writepage)
		return FOLIO_KEEP;
	/* pageout: the swap write; the page is freed once it is clean */
	swap_writepage(m, pfn);
	(*nr_pageout)++;
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_VMSCAN_WRITE, 1);
	return FOLIO_KEEP;
}

/* __remove_mapping: out of the cache, a shadow left behind */
static void folio_remove_mapping(struct machine *m, unsigned long pfn, struct page *page, struct scan_control *sc)
{
	bool file = !page_test(page, PG_swapbacked);

	isolate_mod(m, pfn, file, -1);
	if (page_test(page, PG_swapcache))
		delete_from_swap_cache(m, pfn, workingset_eviction(m, pfn));
	else
		filemap_remove_folio_shadow(m, pfn, workingset_eviction(m, pfn));
	count_vm_event(m, file ? PGSTEAL_FILE : PGSTEAL_ANON);
	count_vm_event(m, PGSTEAL_KSWAPD + reclaimer_offset(sc));
}

/* shrink_folio_list: each isolated folio is kept, activated or freed;
 * freed ones become PFN_NONE in pfns.  One rmap walk per folio. */
unsigned long shrink_folio_list(struct machine *m, GArray *pfns, struct scan_control *sc,
				unsigned long *nr_activate, unsigned long *nr_pageout)
{
	unsigned long nr_reclaimed = 0;

	*nr_activate = 0;
	*nr_pageout = 0;
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);
		enum folio_references ref;
		enum folio_fate fate = FOLIO_KEEP;

		sc->nr_scanned++;
		if (!folio_busy(m, pfn, page, !page_test(page, PG_swapbacked), sc)) {
			ref = folio_check_references(m, pfn, sc);
			if (ref == FOLIOREF_ACTIVATE)
				fate = FOLIO_ACTIVATE;
			else if (ref != FOLIOREF_KEEP)
				fate = folio_unmap_and_pageout(m, pfn, page, ref, sc, nr_pageout);
		}
		if (fate == FOLIO_FREE) {
			folio_remove_mapping(m, pfn, page, sc);
			nr_reclaimed++;
			g_array_index(pfns, unsigned long, i) = PFN_NONE;
		} else if (fate == FOLIO_ACTIVATE && !page_test(page, PG_unevictable) && !page_test(page, PG_active)) {
			page_set(page, PG_active);
			(*nr_activate)++;
			count_vm_event(m, PGACTIVATE);
		}
	}
	if (sc->reclaimer)
		account_system_time(m, sc->reclaimer,
				    nr_reclaimed * RECLAIM_FREE_COST_NS + *nr_pageout * SWAP_OUT_COST_NS);
	return nr_reclaimed;
}

/* too_many_isolated: direct reclaimers hold more isolated pages than the
 * list has left; kswapd is never throttled for it */
static bool too_many_isolated(struct machine *m, pg_data_t *pgdat, bool file, struct scan_control *sc)
{
	long inactive, isolated;

	(void)m;
	if (sc->kswapd)
		return false;
	inactive = pgdat->vm_stat[file ? NR_INACTIVE_FILE : NR_INACTIVE_ANON];
	isolated = pgdat->vm_stat[file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON];
	/* GFP_NOIO/GFP_NOFS callers may isolate more */
	if ((sc->gfp_mask & (__GFP_IO | __GFP_FS)) == (__GFP_IO | __GFP_FS))
		inactive >>= 3;
	return isolated > inactive;
}

static unsigned long shrink_inactive_list(struct machine *m, unsigned long nr_to_scan, struct lruvec *lv,
					  struct scan_control *sc, enum lru_list lru)
{
	GArray *pfns;
	unsigned long nr_scanned, nr_taken, nr_reclaimed, nr_activate, nr_pageout;
	bool file = is_file_lru(lru);
	pg_data_t *pgdat = lruvec_pgdat(lv);

	if (too_many_isolated(m, pgdat, file, sc)) {
		reclaim_throttle(m, sc, VMSCAN_THROTTLE_ISOLATED, 0);
		if (too_many_isolated(m, pgdat, file, sc))
			return 0;
	}
	pfns = g_array_sized_new(FALSE, FALSE, sizeof(unsigned long), (guint)nr_to_scan);
	nr_taken = isolate_lru_folios(m, lv, lru, nr_to_scan, pfns, &nr_scanned, sc);
	trace_mm_vmscan_lru_isolate(m, sc->reclaimer, sc->reclaim_idx, sc->order, nr_to_scan, nr_scanned, 0, nr_taken, lru);
	count_vm_events(m, PGSCAN_KSWAPD + reclaimer_offset(sc), nr_scanned);
	count_vm_events(m, file ? PGSCAN_FILE : PGSCAN_ANON, nr_scanned);
	if (sc->reclaimer)
		account_system_time(m, sc->reclaimer, nr_scanned * SCAN_COST_NS);
	sc->nr_taken += nr_taken;
	nr_reclaimed = shrink_folio_list(m, pfns, sc, &nr_activate, &nr_pageout);
	swap_unplug(m);
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);

		if (pfn != PFN_NONE)
			putback_folio(m, pfn);
	}
	g_array_free(pfns, TRUE);
	lru_note_cost(lv, file, nr_pageout, nr_scanned - nr_reclaimed);
	trace_mm_vmscan_lru_shrink_inactive(m, sc->reclaimer, ((pg_data_t *)((char *)lv - offsetof(pg_data_t, __lruvec)))->node_id, (const unsigned long[10]){ nr_scanned, nr_reclaimed, 0, 0, 0, 0, file ? 0 : nr_activate, file ? nr_activate : 0, 0, 0 }, sc->priority, (file ? 0x2 : 0x1) | 0x8);
	sc->nr_pageout += nr_pageout;
	return nr_reclaimed;
}

static void shrink_active_list(struct machine *m, unsigned long nr_to_scan, struct lruvec *lv,
			       struct scan_control *sc, enum lru_list lru)
{
	GArray *pfns = g_array_sized_new(FALSE, FALSE, sizeof(unsigned long), (guint)nr_to_scan);
	unsigned long nr_scanned, nr_deactivate = 0;
	bool file = is_file_lru(lru);

	isolate_lru_folios(m, lv, lru, nr_to_scan, pfns, &nr_scanned, sc);
	trace_mm_vmscan_lru_isolate(m, sc->reclaimer, sc->reclaim_idx, sc->order, nr_to_scan, nr_scanned, 0, nr_scanned, lru);
	count_vm_events(m, PGREFILL, nr_scanned);
	if (sc->reclaimer)
		account_system_time(m, sc->reclaimer, nr_scanned * SCAN_COST_NS);
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);
		unsigned long vm_flags = 0;

		if (!page_test(page, PG_unevictable) && folio_referenced(m, pfn, &vm_flags) &&
		    (vm_flags & VM_EXEC) && file) {
			/* executable file pages get another trip round the active list */
			putback_folio(m, pfn);
			continue;
		}
		page_clear(page, PG_active);
		page_set(page, PG_workingset);
		nr_deactivate++;
		putback_folio(m, pfn);
	}
	count_vm_events(m, PGDEACTIVATE, nr_deactivate);
	trace_mm_vmscan_lru_shrink_active(m, sc->reclaimer, ((pg_data_t *)((char *)lv - offsetof(pg_data_t, __lruvec)))->node_id, nr_scanned, nr_scanned - nr_deactivate, nr_deactivate, 0, sc->priority, (file ? 0x2 : 0x1) | 0x8);
	g_array_free(pfns, TRUE);
}

static unsigned long shrink_list(struct machine *m, enum lru_list lru, unsigned long nr_to_scan,
				 struct lruvec *lv, struct scan_control *sc)
{
	if (is_active_lru(lru)) {
		if (sc->may_deactivate & (is_file_lru(lru) ? DEACTIVATE_FILE : DEACTIVATE_ANON))
			shrink_active_list(m, nr_to_scan, lv, sc, lru);
		return 0;
	}
	return shrink_inactive_list(m, nr_to_scan, lv, sc, lru);
}

/* What get_scan_count decided, kept on the node for sim/explain */
static void record_scan_count(struct machine *m, struct lruvec *lv, struct scan_control *sc,
			      enum scan_balance balance, const uint64_t *cost, const uint64_t *fraction,
			      uint64_t denominator, const unsigned long *nr)
{
	struct scan_count_record *r = &lruvec_pgdat(lv)->last_scan_count;

	r->runs++;
	r->when_ns = m->now_ns;
	r->kswapd = sc->kswapd;
	r->may_swap = can_reclaim_anon_pages(m, sc);
	r->file_is_tiny = sc->file_is_tiny;
	r->cache_trim_mode = sc->cache_trim_mode;
	r->priority = sc->priority;
	r->swappiness = m->sysctl.swappiness;
	r->balance = balance;
	r->anon_cost = sc->anon_cost;
	r->file_cost = sc->file_cost;
	for (int i = 0; i < 2; i++) {
		r->cost[i] = cost[i];
		r->fraction[i] = fraction[i];
	}
	r->denominator = denominator;
	for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		r->lru_size[lru] = lv->nr[lru];
		r->scan[lru] = nr[lru];
	}
}

/* get_scan_count: how many pages of each list to scan at this priority */
static void get_scan_count(struct machine *m, struct lruvec *lv, struct scan_control *sc, unsigned long *nr)
{
	int swappiness = m->sysctl.swappiness;
	enum scan_balance balance;
	uint64_t fraction[2] = { 0, 0 }, denominator = 0, cost[2] = { 0, 0 };

	if (!can_reclaim_anon_pages(m, sc))
		balance = SCAN_FILE;
	else if (!sc->priority && swappiness)
		balance = SCAN_EQUAL;
	else if (sc->file_is_tiny)
		balance = SCAN_ANON;
	else if (sc->cache_trim_mode)
		balance = SCAN_FILE;
	else {
		uint64_t total_cost = sc->anon_cost + sc->file_cost;
		uint64_t anon_cost = total_cost + sc->anon_cost;
		uint64_t file_cost = total_cost + sc->file_cost;
		uint64_t ap, fp;

		total_cost = anon_cost + file_cost;
		ap = (uint64_t)swappiness * (total_cost + 1) / (anon_cost + 1);
		fp = (uint64_t)(MAX_SWAPPINESS - swappiness) * (total_cost + 1) / (file_cost + 1);
		cost[0] = anon_cost;
		cost[1] = file_cost;
		fraction[0] = ap;
		fraction[1] = fp;
		denominator = ap + fp;
		balance = SCAN_FRACT;
	}
	for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		bool file = is_file_lru((enum lru_list)lru);
		unsigned long scan = lv->nr[lru] >> sc->priority;

		switch (balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = denominator ? (unsigned long)((uint64_t)scan * fraction[file] / denominator) : 0;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[lru] = scan;
	}
	record_scan_count(m, lv, sc, balance, cost, fraction, denominator, nr);
}

/* prepare_scan_control: deactivation targets, tiny file cache, trimming */
static void prepare_scan_control(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lv = &pgdat->__lruvec;
	unsigned long free = 0, file, anon, total_high = 0;

	sc->anon_cost = lv->anon_cost;
	sc->file_cost = lv->file_cost;
	sc->may_deactivate = 0;
	if ((unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_ANON] != lv->refaults[0] ||
	    inactive_is_low(lv, LRU_INACTIVE_ANON))
		sc->may_deactivate |= DEACTIVATE_ANON;
	if ((unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_FILE] != lv->refaults[1] ||
	    inactive_is_low(lv, LRU_INACTIVE_FILE))
		sc->may_deactivate |= DEACTIVATE_FILE;
	file = lv->nr[LRU_INACTIVE_FILE] + lv->nr[LRU_ACTIVE_FILE];
	sc->cache_trim_mode = (lv->nr[LRU_INACTIVE_FILE] >> sc->priority) && !(sc->may_deactivate & DEACTIVATE_FILE);
	for_each_zone_in_node(pgdat, zone) {
		if (!managed_zone(zone))
			continue;
		free += (unsigned long)MAX(zone->vm_stat[NR_FREE_PAGES], 0);
		total_high += high_wmark_pages(zone);
	}
	anon = lv->nr[LRU_INACTIVE_ANON];
	sc->file_is_tiny = file + free <= total_high && !(sc->may_deactivate & DEACTIVATE_ANON) &&
			   (anon >> sc->priority);
	(void)m;
}

static void shrink_lruvec(struct machine *m, struct lruvec *lv, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 };
	unsigned long nr_reclaimed = 0;

	get_scan_count(m, lv, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			if (nr[lru]) {
				unsigned long n = MIN(nr[lru], SWAP_CLUSTER_MAX);

				nr[lru] -= n;
				nr_reclaimed += shrink_list(m, (enum lru_list)lru, n, lv, sc);
			}
		}
		if (nr_reclaimed >= sc->nr_to_reclaim)
			break;
		/* the swap device's queue is full (BLKDEV_DEFAULT_RQ requests):
		 * the next write would sleep in the block layer until one ends */
		if (m->swap_inflight->len >= BLKDEV_DEFAULT_RQ) {
			reclaim_throttle(m, sc, VMSCAN_THROTTLE_WRITEBACK, next_io_completion(m));
			if (sc->throttle_until)
				break;
		}
		/* the pages sent to swap are freed once written: wait for
		 * the disk rather than unmap the whole list meanwhile */
		if (sc->nr_pageout >= MAX(sc->nr_to_reclaim - MIN(nr_reclaimed, sc->nr_to_reclaim), SWAP_CLUSTER_MAX)) {
			reclaim_throttle(m, sc, VMSCAN_THROTTLE_WRITEBACK, last_swap_write_completion(m));
			sc->nr_pageout = 0;
			/* kswapd sleeps between its steps: this one ends */
			if (sc->throttle_until)
				break;
		}
	}
	sc->nr_reclaimed += nr_reclaimed;
	/* rebalance the anon lists even when anon was not scanned */
	if (can_reclaim_anon_pages(m, sc) && inactive_is_low(lv, LRU_INACTIVE_ANON))
		shrink_active_list(m, SWAP_CLUSTER_MAX, lv, sc, LRU_ACTIVE_ANON);
}

/* reclaim_throttle: wait for the I/O (writeback: the earliest write
 * to end, or `until` when given) or for the other reclaimers (isolated),
 * at most HZ/10 or HZ/50.  The task sleeps in D state; kswapd ends its
 * step and runs again then. */
static void reclaim_throttle(struct machine *m, struct scan_control *sc, enum vmscan_throttle_state reason,
			     uint64_t until)
{
	uint64_t timeout = reason == VMSCAN_THROTTLE_WRITEBACK ? NSEC_PER_SEC / 10 : NSEC_PER_SEC / 50;
	uint64_t next = reason == VMSCAN_THROTTLE_WRITEBACK ? (until ? until : next_io_completion(m)) : 0;

	until = m->now_ns + timeout;
	if (next && next < until)
		until = next;
	if (sc->kswapd) {
		sc->throttle_until = MAX(sc->throttle_until, until);
		return;
	}
	count_vm_event(m, PGSCAN_DIRECT_THROTTLE);
	io_schedule_until(m, sc->reclaimer, until);
}

void shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lv = &pgdat->__lruvec;
	unsigned long reclaimed = sc->nr_reclaimed;

	if (lru_gen_enabled(m)) {
		lru_gen_shrink_node(m, pgdat, sc);
		return;
	}
	sc->nr_writeback = sc->nr_immediate = sc->nr_unqueued_dirty = sc->nr_taken = 0;
	prepare_scan_control(m, pgdat, sc);
	shrink_lruvec(m, lv, sc);
	sc->nr_reclaimed += shrink_slab(m, sc->gfp_mask, pgdat->node_id, sc->priority);
	if (sc->nr_reclaimed - reclaimed)
		pgdat->kswapd_failures = 0;
	/* dirty pages at the tail: kick the flusher; everything under
	 * writeback: wait for it */
	if (sc->nr_unqueued_dirty)
		wakeup_flusher_threads(m);
	if (sc->nr_taken && (sc->nr_immediate || sc->nr_writeback == sc->nr_taken ||
			     sc->nr_unqueued_dirty == sc->nr_taken))
		reclaim_throttle(m, sc, VMSCAN_THROTTLE_WRITEBACK, 0);
}

void snapshot_refaults(pg_data_t *pgdat)
{
	pgdat->__lruvec.refaults[0] = (unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_ANON];
	pgdat->__lruvec.refaults[1] = (unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_FILE];
}

/* kswapd_age_node: kswapd keeps the inactive anon list long enough */
void kswapd_age_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	/* kswapd_age_node: MGLRU ages its generations instead */
	if (lru_gen_enabled(m)) {
		lru_gen_age_node(m, pgdat, sc);
		return;
	}
	if (can_reclaim_anon_pages(m, sc) && inactive_is_low(&pgdat->__lruvec, LRU_INACTIVE_ANON))
		shrink_active_list(m, SWAP_CLUSTER_MAX, &pgdat->__lruvec, sc, LRU_ACTIVE_ANON);
}

/* ---- direct reclaim ---- */

/* try_to_free_pages: the allocating task reclaims, node by node in its
 * zonelist's order, raising the priority until SWAP_CLUSTER_MAX are freed */
unsigned long try_to_free_pages(struct machine *m, struct zonelist *zonelist, int order, gfp_t gfp,
				int highest_zoneidx, int cpu)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp,
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = highest_zoneidx,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.reclaimer = m->current,
		.cpu = cpu,
	};
	uint64_t t0;
	int idx = MIN(highest_zoneidx, ZONE_DEVICE);

	/* psi_memstall_enter: the stall starts where the task's time is */
	sched_flush(m);
	t0 = m->now_ns;
	count_vm_event(m, ALLOCSTALL_DMA + idx);
	trace_mm_vmscan_direct_reclaim_begin(m, order, gfp);
	do {
		bool seen[MAX_NUMNODES] = { false };

		for (int z = 0; zonelist->_zonerefs[z].zone; z++) {
			pg_data_t *pgdat = zonelist->_zonerefs[z].zone->zone_pgdat;

			if (zonelist->_zonerefs[z].zone_idx > highest_zoneidx || seen[pgdat->node_id])
				continue;
			seen[pgdat->node_id] = true;
			shrink_node(m, pgdat, &sc);
			if (sc.nr_reclaimed >= sc.nr_to_reclaim)
				break;
		}
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	} while (--sc.priority >= 0);
	for (int z = 0; zonelist->_zonerefs[z].zone; z++)
		snapshot_refaults(zonelist->_zonerefs[z].zone->zone_pgdat);
	/* psi_memstall_leave: the time the task spent reclaiming, CPU and
	 * waits; the only task that runs stalls: some and full */
	sched_flush(m);
	psi_memstall_account(m, t0, m->now_ns, true);
	machine_debug_check(m, "direct reclaim");
	trace_mm_vmscan_direct_reclaim_end(m, sc.nr_reclaimed);
	return sc.nr_reclaimed;
}

/* zone_reclaimable_pages: what reclaim could still free in a zone */
unsigned long zone_reclaimable_pages(struct machine *m, struct zone *zone)
{
	unsigned long nr = (unsigned long)MAX(zone->vm_stat[NR_ZONE_INACTIVE_FILE], 0) +
			   (unsigned long)MAX(zone->vm_stat[NR_ZONE_ACTIVE_FILE], 0);

	if (get_nr_swap_pages(m) > 0)
		nr += (unsigned long)MAX(zone->vm_stat[NR_ZONE_INACTIVE_ANON], 0) +
		      (unsigned long)MAX(zone->vm_stat[NR_ZONE_ACTIVE_ANON], 0);
	return nr;
}

/* ---- madvise: MADV_PAGEOUT (reclaim_pages) and MADV_COLD ---- */

/* reclaim_pages: the pages given, reclaimed as shrink_folio_list would,
 * references ignored (the caller asked for it); returns pages freed */
unsigned long reclaim_pages(struct machine *m, GArray *pfns, int cpu)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.priority = DEF_PRIORITY,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.reclaimer = m->current,
		.cpu = cpu,
	};
	unsigned long nr_activate, nr_pageout, freed;

	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);

		/* folio_isolate_lru; the references are forgotten */
		lruvec_del_folio(m, pfn);
		isolate_mod(m, pfn, !page_test(page, PG_swapbacked), 1);
		page_clear(page, PG_referenced);
		folio_clear_young(m, pfn);
	}
	freed = shrink_folio_list(m, pfns, &sc, &nr_activate, &nr_pageout);
	swap_unplug(m);
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);

		if (pfn != PFN_NONE) {
			/* kept pages go back inactive, not activated */
			page_clear(pfn_to_page(m, pfn), PG_active);
			putback_folio(m, pfn);
		}
	}
	return freed;
}

/* folio_deactivate (MADV_COLD): to the inactive list, unreferenced */
void folio_deactivate(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_lru) || page_test(page, PG_unevictable))
		return;
	page_clear(page, PG_referenced);
	if (!page_test(page, PG_active) && !lru_gen_enabled(m))
		return;
	lruvec_del_folio(m, pfn);
	page_clear(page, PG_active);
	page_clear(page, PG_referenced);
	lruvec_add_folio(m, pfn);
	count_vm_event(m, PGDEACTIVATE);
}
