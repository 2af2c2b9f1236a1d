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
 * the writeback throttle (reclaim_throttle), kswapd's balance_pgdat from
 * priority 12 down until an eligible zone meets its high watermark
 * (pgdat_balanced), with pageoutrun and kswapd_failures, and direct
 * reclaim (try_to_free_pages: allocstall_*, PSI memory stall).
 * Simplifies: kswapd runs at once when woken, as if on another CPU, and
 * its scanning costs simulated CPU time on its task; scanning is per node
 * (no per-zone skip of pages above reclaim_idx); no memcg, no MGLRU yet;
 * shrink_slab runs only when a shrinker is registered (SLUB).
 */
#include <errno.h>
#include <math.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/slab.h"
#include "mmsim/pagemap.h"
#include "mmsim/trace_events.h"

#define SWAP_CLUSTER_MAX 32UL
#define DEF_PRIORITY 12
#define MAX_SWAPPINESS 200
#define SCAN_COST_NS 80            /* CPU per page scanned */
#define THROTTLE_MAX_NS (NSEC_PER_SEC / 10)  /* reclaim_throttle: HZ/10 */

#define DEACTIVATE_ANON 1
#define DEACTIVATE_FILE 2

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed, nr_scanned;
	gfp_t gfp_mask;
	int order;
	int priority;
	int reclaim_idx;
	bool may_writepage, may_unmap, may_swap;
	bool kswapd;
	unsigned int may_deactivate;
	bool file_is_tiny, cache_trim_mode;
	unsigned long anon_cost, file_cost;
	unsigned long nr_writeback, nr_immediate, nr_unqueued_dirty, nr_taken;
	unsigned long nr_pageout;       /* swap writes started and not waited for */
	int cpu;
	struct task_struct *reclaimer;  /* charged the CPU time */
};

static void reclaim_throttle(struct machine *m, struct scan_control *sc);

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

static unsigned long int_sqrt(unsigned long x)
{
	return (unsigned long)sqrt((double)x);
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

static void isolate_mod(struct machine *m, unsigned long pfn, bool file, long nr)
{
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, nr);
}

/* isolate_lru_folios: up to nr_to_scan pages from the tail of lru */
static unsigned long isolate_lru_folios(struct machine *m, struct lruvec *lv, enum lru_list lru,
					unsigned long nr_to_scan, GArray *out, unsigned long *nr_scanned)
{
	unsigned long n = 0;

	*nr_scanned = 0;
	while (n < nr_to_scan && lv->tail[lru] != PFN_NONE) {
		unsigned long pfn = lv->tail[lru];

		lruvec_del_folio(m, pfn);
		isolate_mod(m, pfn, is_file_lru(lru), 1);
		g_array_append_val(out, pfn);
		n++;
	}
	*nr_scanned = n;
	return n;
}

/* move_folios_to_lru: back to the head of the list its flags name */
static void putback_folio(struct machine *m, unsigned long pfn)
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

	page_clear(page, PG_referenced);
	(void)sc;
	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
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

static unsigned long shrink_folio_list(struct machine *m, GArray *pfns, struct scan_control *sc,
				       unsigned long *nr_activate, unsigned long *nr_pageout)
{
	unsigned long nr_reclaimed = 0;

	*nr_activate = 0;
	*nr_pageout = 0;
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);
		bool anon = page_test(page, PG_anon) || page_test(page, PG_swapcache);
		bool file = !page_test(page, PG_swapbacked);
		enum folio_references ref;

		sc->nr_scanned++;
		if (page_test(page, PG_unevictable) || page_test(page, PG_mlocked))
			goto keep;
		/* folio_trylock fails: a read is bringing it in */
		if (page_test(page, PG_locked) || (file && folio_read_in_flight(m, pfn)))
			goto keep;
		if (page_test(page, PG_writeback)) {
			/* written back now: rotated to the tail when it ends */
			sc->nr_writeback++;
			if (page_test(page, PG_reclaim))
				sc->nr_immediate++;
			page_set(page, PG_reclaim);
			goto keep;
		}
		ref = folio_check_references(m, pfn, sc);
		if (ref == FOLIOREF_ACTIVATE)
			goto activate;
		if (ref == FOLIOREF_KEEP)
			goto keep;
		if (!file && !anon) {
			/* shared anonymous memory (shmem) is not swapped out */
			goto activate;
		}
		if (anon && !page_test(page, PG_swapcache)) {
			if (!can_reclaim_anon_pages(m, sc) || !add_to_swap(m, pfn, sc->cpu))
				goto activate;
		}
		if (page->_mapcount >= 0) {
			if (!sc->may_unmap)
				goto keep;
			try_to_unmap(m, pfn);
			if (page->_mapcount >= 0)
				goto activate;
		}
		if (page_test(page, PG_dirty)) {
			if (file) {
				/* only the flusher writes file pages: mark and move on */
				sc->nr_unqueued_dirty++;
				page_set(page, PG_reclaim);
				goto keep;
			}
			if (ref == FOLIOREF_RECLAIM_CLEAN || !sc->may_writepage)
				goto keep;
			/* pageout: the swap write; the page is freed once it is clean */
			swap_writepage(m, pfn);
			(*nr_pageout)++;
			__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_VMSCAN_WRITE, 1);
			goto keep;
		}
		/* __remove_mapping: out of the cache, a shadow left behind */
		isolate_mod(m, pfn, file, -1);
		if (page_test(page, PG_swapcache))
			delete_from_swap_cache(m, pfn, workingset_eviction(m, pfn));
		else
			filemap_remove_folio_shadow(m, pfn, workingset_eviction(m, pfn));
		nr_reclaimed++;
		count_vm_event(m, file ? PGSTEAL_FILE : PGSTEAL_ANON);
		count_vm_event(m, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT);
		g_array_index(pfns, unsigned long, i) = PFN_NONE;
		continue;
activate:
		if (!page_test(page, PG_unevictable) && !page_test(page, PG_active)) {
			page_set(page, PG_active);
			(*nr_activate)++;
			count_vm_event(m, PGACTIVATE);
		}
keep:
		;
	}
	return nr_reclaimed;
}

static unsigned long shrink_inactive_list(struct machine *m, unsigned long nr_to_scan, struct lruvec *lv,
					  struct scan_control *sc, enum lru_list lru)
{
	GArray *pfns = g_array_sized_new(FALSE, FALSE, sizeof(unsigned long), (guint)nr_to_scan);
	unsigned long nr_scanned, nr_taken, nr_reclaimed, nr_activate, nr_pageout;
	bool file = is_file_lru(lru);

	nr_taken = isolate_lru_folios(m, lv, lru, nr_to_scan, pfns, &nr_scanned);
	trace_mm_vmscan_lru_isolate(m, sc->reclaimer, sc->reclaim_idx, sc->order, nr_to_scan, nr_scanned, 0, nr_taken, lru);
	count_vm_events(m, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, nr_scanned);
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

	isolate_lru_folios(m, lv, lru, nr_to_scan, pfns, &nr_scanned);
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

/* get_scan_count: how many pages of each list to scan at this priority */
static void get_scan_count(struct machine *m, struct lruvec *lv, struct scan_control *sc, unsigned long *nr)
{
	int swappiness = m->sysctl.swappiness;
	enum scan_balance balance;
	uint64_t fraction[2] = { 0, 0 }, denominator = 0;

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
		/* the pages sent to swap are freed once written: wait for
		 * the disk rather than unmap the whole list meanwhile */
		if (sc->nr_pageout >= MAX(sc->nr_to_reclaim - MIN(nr_reclaimed, sc->nr_to_reclaim), SWAP_CLUSTER_MAX)) {
			uint64_t until = MIN(last_swap_write_completion(m), m->now_ns + THROTTLE_MAX_NS);

			if (!sc->kswapd)
				count_vm_event(m, PGSCAN_DIRECT_THROTTLE);
			io_schedule_until(m, sc->kswapd ? NULL : sc->reclaimer, until);
			sc->nr_pageout = 0;
		}
	}
	sc->nr_reclaimed += nr_reclaimed;
	/* rebalance the anon lists even when anon was not scanned */
	if (can_reclaim_anon_pages(m, sc) && inactive_is_low(lv, LRU_INACTIVE_ANON))
		shrink_active_list(m, SWAP_CLUSTER_MAX, lv, sc, LRU_ACTIVE_ANON);
}

/* reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): wait for I/O to finish,
 * at most HZ/10 */
static void reclaim_throttle(struct machine *m, struct scan_control *sc)
{
	uint64_t next = next_io_completion(m);
	uint64_t until = m->now_ns + THROTTLE_MAX_NS;

	if (next && next < until)
		until = next;
	if (!sc->kswapd)
		count_vm_event(m, PGSCAN_DIRECT_THROTTLE);
	io_schedule_until(m, sc->kswapd ? NULL : sc->reclaimer, until);
}

static void shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lv = &pgdat->__lruvec;
	unsigned long reclaimed = sc->nr_reclaimed;

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
		reclaim_throttle(m, sc);
}

static void snapshot_refaults(pg_data_t *pgdat)
{
	pgdat->__lruvec.refaults[0] = (unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_ANON];
	pgdat->__lruvec.refaults[1] = (unsigned long)pgdat->vm_stat[WORKINGSET_ACTIVATE_FILE];
}

/* ---- kswapd ---- */

static bool pgdat_balanced(struct machine *m, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	bool any = false;

	(void)m;
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		any = true;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone), highest_zoneidx, 0))
			return true;
	}
	return !any;
}

/* kswapd_shrink_node: reclaim the eligible zones' high watermarks' worth;
 * true when that much was scanned (the priority need not rise) */
static bool kswapd_shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long scanned = sc->nr_scanned;

	sc->nr_to_reclaim = 0;
	for (int i = 0; i <= sc->reclaim_idx && i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (managed_zone(zone))
			sc->nr_to_reclaim += MAX(high_wmark_pages(zone), SWAP_CLUSTER_MAX);
	}
	shrink_node(m, pgdat, sc);
	return sc->nr_scanned - scanned >= sc->nr_to_reclaim;
}

static void balance_pgdat(struct machine *m, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.order = order,
		.reclaim_idx = highest_zoneidx,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.kswapd = true,
		.reclaimer = pgdat->kswapd,
		.cpu = pgdat->kswapd ? pgdat->kswapd->cpu : 0,
	};
	unsigned long nr_boost_reclaim = 0;

	count_vm_event(m, PAGEOUTRUN);
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++)
		nr_boost_reclaim += pgdat->node_zones[i].watermark_boost;
restart:
	sc.priority = DEF_PRIORITY;
	do {
		unsigned long nr_reclaimed = sc.nr_reclaimed;
		bool raise_priority = true;
		bool balanced = pgdat_balanced(m, pgdat, order, highest_zoneidx);

		/* a boost that cannot be met alongside the real shortage is
		 * dropped: reclaim for the shortage alone */
		if (!balanced && nr_boost_reclaim) {
			nr_boost_reclaim = 0;
			goto restart;
		}
		if (!nr_boost_reclaim && balanced)
			break;
		/* boosting does not go as far as writing pages */
		if (nr_boost_reclaim && sc.priority == DEF_PRIORITY - 2)
			raise_priority = false;
		sc.may_writepage = !nr_boost_reclaim;
		sc.may_swap = !nr_boost_reclaim;
		/* age_active_anon */
		if (can_reclaim_anon_pages(m, &sc) && inactive_is_low(&pgdat->__lruvec, LRU_INACTIVE_ANON))
			shrink_active_list(m, SWAP_CLUSTER_MAX, &pgdat->__lruvec, &sc, LRU_ACTIVE_ANON);
		if (kswapd_shrink_node(m, pgdat, &sc))
			raise_priority = false;
		nr_reclaimed = sc.nr_reclaimed - nr_reclaimed;
		nr_boost_reclaim -= MIN(nr_boost_reclaim, nr_reclaimed);
		if (nr_boost_reclaim && !nr_reclaimed)
			break;
		if (raise_priority || !nr_reclaimed)
			sc.priority--;
	} while (sc.priority >= 1);
	if (!sc.nr_reclaimed && !pgdat_balanced(m, pgdat, order, highest_zoneidx))
		pgdat->kswapd_failures++;
	/* the boost is spent */
	for_each_zone_in_node(pgdat, zone)
		zone->watermark_boost = 0;
	snapshot_refaults(pgdat);
	m->nr_context_switches += 2;
}

/* wakeup_kswapd: the node's kswapd balances it now (see the comment at
 * the top: it runs at once rather than on another CPU's schedule) */
void wakeup_kswapd(struct machine *m, struct zone *zone, gfp_t gfp, int order, int highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	(void)gfp;
	if (!managed_zone(zone) || pgdat->kswapd_running)
		return;
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return;
	if (pgdat_balanced(m, pgdat, order, highest_zoneidx))
		return;
	trace_mm_vmscan_wakeup_kswapd(m, pgdat->node_id, zone->zone_idx, order, gfp);
	pgdat->kswapd_running = true;
	pgdat->kswapd_order = order;
	pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	trace_mm_vmscan_kswapd_wake(m, pgdat->node_id, highest_zoneidx, order);
	balance_pgdat(m, pgdat, order, highest_zoneidx);
	trace_mm_vmscan_kswapd_sleep(m, pgdat->node_id);
	pgdat->kswapd_running = false;
	machine_debug_check(m, "kswapd");
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
	uint64_t stime0 = m->current ? m->current->stime_ns : 0, t0 = m->now_ns;
	uint64_t stall;
	int idx = MIN(highest_zoneidx, ZONE_DEVICE);

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
	/* psi_memstall: the time the task spent reclaiming, CPU and waits */
	stall = (m->current ? m->current->stime_ns - stime0 : 0) + (m->now_ns - t0);
	m->psi[PSI_MEM].total_us[0] += stall / 1000;
	m->psi[PSI_MEM].total_us[1] += stall / 1000;
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
	if (!page_test(page, PG_active))
		return;
	lruvec_del_folio(m, pfn);
	page_clear(page, PG_active);
	lruvec_add_folio(m, pfn);
	count_vm_event(m, PGDEACTIVATE);
}
