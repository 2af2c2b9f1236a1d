/*
 * mm/vmscan.c's MGLRU eviction and its reclaim entry points: what
 * shrink_node and kswapd run when lru_gen is enabled, and the debugfs
 * commands that age and evict by hand.
 *
 * Models: evict_folios from the oldest generation of the type
 * get_type_to_scan picks (swappiness against 200 - swappiness on the
 * refaulted/(evicted + protected) ratios of all tiers, the PID controller's
 * positive_ctrl_err), scan_folios in batches (MIN_LRU_BATCH, MAX_LRU_BATCH)
 * with sort_folio (tiers above get_tier_idx's protected and moved one
 * generation up; pages above reclaim_idx and pages under writeback or
 * dirty file pages moved up too) and isolate_folio, shrink_folio_list
 * shared with the classic LRU, rejected folios kept out of the oldest
 * generation; should_run_aging and get_nr_to_scan (size >> priority, aging
 * when only MIN_NR_GENS are left), try_to_shrink_lruvec with
 * should_abort_scan, set_initial_priority, lru_gen_age_node's min_ttl_ms
 * protection (the OOM killer when the oldest generation is younger), and
 * run_aging / run_eviction of the lru_gen debugfs file.
 * Simplifies: one lruvec per node (the root memcg's: shrink_one, no
 * shrink_many); no retry of clean folios that missed
 * folio_rotate_reclaimable; the pages sent to swap are waited for as the
 * classic LRU here waits for them (the swap write's completion rotates
 * them to the oldest generation for the next pass).
 */
#include <errno.h>

#include "lru_gen.h"
#include "mmsim/log2.h"
#include "vmscan_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/gfp.h"
#include "mmsim/slab.h"
#include "mmsim/swap.h"

#define MIN_SWAPPINESS 0

int get_swappiness(struct machine *m, struct scan_control *sc)
{
	if (!sc->may_swap)
		return 0;
	if (get_nr_swap_pages(m) < MIN_LRU_BATCH)
		return 0;
	return m->sysctl.swappiness;
}

/* ---- the PID controller ---- */

struct ctrl_pos {
	unsigned long refaulted, total;
	int gain;
};

/* read_ctrl_pos: tier MAX_NR_TIERS sums every tier */
static void read_ctrl_pos(const struct lru_gen_folio *lrugen, int type, int tier, int gain, struct ctrl_pos *pos)
{
	int hist = (int)(lrugen->min_seq[type] % NR_HIST_GENS);

	pos->gain = gain;
	pos->refaulted = pos->total = 0;
	for (int i = tier % MAX_NR_TIERS; i <= MIN(tier, MAX_NR_TIERS - 1); i++) {
		pos->refaulted += lrugen->avg_refaulted[type][i] + lrugen->refaulted[hist][type][i];
		pos->total += lrugen->avg_total[type][i] + lrugen->protected[hist][type][i] +
			      lrugen->evicted[hist][type][i];
	}
}

/* true when the PV refaults little, or less than the SP for their sizes */
static bool positive_ctrl_err(const struct ctrl_pos *sp, const struct ctrl_pos *pv)
{
	return pv->refaulted < MIN_LRU_BATCH ||
	       pv->refaulted * (sp->total + MIN_LRU_BATCH) * (unsigned long)sp->gain <=
		       (sp->refaulted + 1) * pv->total * (unsigned long)pv->gain;
}

/* get_tier_idx: the tiers that refault more than the first (gains 2:3)
 * are protected */
static int get_tier_idx(const struct lru_gen_folio *lrugen, int type)
{
	struct ctrl_pos sp, pv;
	int tier;

	read_ctrl_pos(lrugen, type, 0, 2, &sp);
	for (tier = 1; tier < MAX_NR_TIERS; tier++) {
		read_ctrl_pos(lrugen, type, tier, 3, &pv);
		if (!positive_ctrl_err(&sp, &pv))
			break;
	}
	return tier - 1;
}

static int get_type_to_scan(const struct lru_gen_folio *lrugen, int swappiness)
{
	struct ctrl_pos sp, pv;

	if (swappiness <= MIN_SWAPPINESS + 1)
		return LRU_GEN_FILE;
	if (swappiness >= MAX_SWAPPINESS)
		return LRU_GEN_ANON;
	read_ctrl_pos(lrugen, LRU_GEN_ANON, MAX_NR_TIERS, swappiness, &sp);
	read_ctrl_pos(lrugen, LRU_GEN_FILE, MAX_NR_TIERS, MAX_SWAPPINESS - swappiness, &pv);
	return positive_ctrl_err(&sp, &pv);
}

/* ---- scanning ---- */

/* sort_folio: true when the folio stays on the LRU (moved), false when
 * it is a candidate for eviction */
static bool sort_folio(struct machine *m, pg_data_t *pgdat, unsigned long pfn, struct scan_control *sc,
		       int tier_idx)
{
	struct page *page = pfn_to_page(m, pfn);
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int type = folio_is_file_lru(page), refs = folio_lru_refs(page);
	bool workingset = page_test(page, PG_workingset);
	int tier = lru_tier_from_refs(refs, workingset);
	bool dirty = page_test(page, PG_dirty), writeback = page_test(page, PG_writeback);

	/* protected: accessed through file descriptors often enough */
	if (tier > tier_idx || refs + workingset == (1 << LRU_REFS_WIDTH) + 1) {
		folio_inc_gen(m, pgdat, pfn, false, false);
		if (refs + workingset != (1 << LRU_REFS_WIDTH) + 1)
			lrugen->protected[lrugen->min_seq[type] % NR_HIST_GENS][type][tier]++;
		return true;
	}
	/* ineligible */
	if (pfn_zone(m, pfn)->zone_idx > sc->reclaim_idx) {
		folio_inc_gen(m, pgdat, pfn, false, true);
		return true;
	}
	if (type == LRU_GEN_FILE && dirty) {
		sc->nr_file_taken++;
		if (!writeback)
			sc->nr_unqueued_dirty++;
	}
	/* waiting for writeback */
	if (writeback || (type == LRU_GEN_FILE && dirty)) {
		folio_inc_gen(m, pgdat, pfn, true, false);
		return true;
	}
	return false;
}

static bool isolate_folio(struct machine *m, unsigned long pfn, struct scan_control *sc)
{
	struct page *page = pfn_to_page(m, pfn);

	/* swap constrained */
	if (!(sc->gfp_mask & __GFP_IO) &&
	    (page_test(page, PG_dirty) || (page_test(page, PG_anon) && !page_test(page, PG_swapcache))))
		return false;
	if (page_test(page, PG_locked))
		return false;
	if (!page_test(page, PG_referenced))
		page->flags &= ~LRU_REFS_MASK;
	page_clear(page, PG_reclaim);
	page_clear(page, PG_lru);
	lru_gen_del_folio(m, pfn, true);
	isolate_mod(m, pfn, folio_is_file_lru(page), 1);
	return true;
}

static int reclaimer_event(const struct scan_control *sc, int kswapd_item)
{
	return kswapd_item + reclaimer_offset(sc);
}

/* scan_folios: from the oldest generation's tail, sort or isolate */
static unsigned long scan_folios(struct machine *m, pg_data_t *pgdat, unsigned long nr_to_scan,
				 struct scan_control *sc, int type, int tier, GArray *list)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	unsigned long scanned = 0, sorted = 0, isolated = 0, skipped = 0;
	unsigned long remaining = MIN(nr_to_scan, MAX_LRU_BATCH);
	int gen;

	if (get_nr_gens(lrugen, type) == MIN_NR_GENS)
		return 0;
	gen = lru_gen_from_seq(lrugen->min_seq[type]);
	while (lrugen->tail[gen][type] != PFN_NONE) {
		unsigned long pfn = lrugen->tail[gen][type];

		scanned++;
		if (sort_folio(m, pgdat, pfn, sc, tier)) {
			sorted++;
		} else if (isolate_folio(m, pfn, sc)) {
			g_array_append_val(list, pfn);
			isolated++;
		} else {
			/* skipped: back at the young end of the same list */
			lru_gen_list_del(m, lrugen, gen, type, pfn);
			lru_gen_list_add(m, lrugen, gen, type, pfn, false);
			skipped++;
		}
		if (!--remaining || MAX(isolated, skipped) >= MIN_LRU_BATCH)
			break;
	}
	count_vm_events(m, reclaimer_event(sc, PGSCAN_KSWAPD), isolated);
	count_vm_events(m, PGREFILL, sorted);
	count_vm_events(m, type ? PGSCAN_FILE : PGSCAN_ANON, isolated);
	if (type == LRU_GEN_FILE)
		sc->nr_file_taken += isolated;
	return isolated || !remaining ? scanned : 0;
}

static unsigned long isolate_folios(struct machine *m, pg_data_t *pgdat, unsigned long nr_to_scan,
				    struct scan_control *sc, int swappiness, int *type_scanned, GArray *list)
{
	int type = get_type_to_scan(node_lrugen(pgdat), swappiness);

	for_each_evictable_type(i, swappiness) {
		unsigned long scanned;
		int tier = get_tier_idx(node_lrugen(pgdat), type);

		(void)i;
		*type_scanned = type;
		scanned = scan_folios(m, pgdat, nr_to_scan, sc, type, tier, list);
		if (scanned)
			return scanned;
		type = !type;
	}
	return 0;
}

static unsigned long evict_folios(struct machine *m, pg_data_t *pgdat, unsigned long nr_to_scan,
				  struct scan_control *sc, int swappiness)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	GArray *list = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	unsigned long scanned, nr_activate, nr_pageout;
	int type = LRU_GEN_FILE;

	scanned = isolate_folios(m, pgdat, nr_to_scan, sc, swappiness, &type, list);
	scanned += try_to_inc_min_seq(m, pgdat, swappiness);
	if (evictable_min_seq(lrugen->min_seq, swappiness) + MIN_NR_GENS > lrugen->max_seq)
		scanned = 0;
	if (sc->reclaimer)
		account_system_time(m, sc->reclaimer, scanned * SCAN_COST_NS);
	if (list->len) {
		sc->nr_reclaimed += shrink_folio_list(m, list, sc, &nr_activate, &nr_pageout);
		swap_unplug(m);
		sc->nr_pageout += nr_pageout;
		for (guint i = 0; i < list->len; i++) {
			unsigned long pfn = g_array_index(list, unsigned long, i);
			struct page *page;

			if (pfn == PFN_NONE)
				continue;
			page = pfn_to_page(m, pfn);
			/* rejected folios do not go back to the oldest generation */
			if (!page_test(page, PG_unevictable) &&
			    lru_gen_folio_seq(lrugen, page, false) == lrugen->min_seq[type]) {
				page->flags &= ~LRU_REFS_FLAGS;
				page_set(page, PG_active);
			}
			putback_folio(m, pfn);
		}
	}
	g_array_free(list, TRUE);
	return scanned;
}

/* ---- how much to scan ---- */

static bool should_run_aging(pg_data_t *pgdat, int swappiness, unsigned long *nr_to_scan)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	unsigned long size = 0;

	*nr_to_scan = 0;
	if (evictable_min_seq(lrugen->min_seq, swappiness) + MIN_NR_GENS > lrugen->max_seq)
		return true;
	for_each_evictable_type(type, swappiness) {
		for (unsigned long seq = lrugen->min_seq[type]; seq <= lrugen->max_seq; seq++)
			for (int zid = 0; zid < MAX_NR_ZONES; zid++)
				size += (unsigned long)MAX(lrugen->nr_pages[lru_gen_from_seq(seq)][type][zid], 0);
	}
	*nr_to_scan = size;
	return evictable_min_seq(lrugen->min_seq, swappiness) + MIN_NR_GENS == lrugen->max_seq;
}

/* get_nr_to_scan: size >> priority; aging first when it is due; -1 when
 * the node is low on cold folios */
static long get_nr_to_scan(struct machine *m, pg_data_t *pgdat, struct scan_control *sc, int swappiness)
{
	unsigned long nr_to_scan;
	bool need_aging = should_run_aging(pgdat, swappiness, &nr_to_scan);

	if (!need_aging || sc->priority == DEF_PRIORITY)
		return (long)(nr_to_scan >> sc->priority);
	return try_to_inc_max_seq(m, pgdat, node_lrugen(pgdat)->max_seq, swappiness, false) ? -1 : 0;
}

static bool should_abort_scan(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	(void)m;
	if (sc->nr_reclaimed >= MAX(sc->nr_to_reclaim, 2UL << sc->order))
		return true;
	if (!sc->kswapd || sc->order)
		return false;
	for (int i = 0; i <= sc->reclaim_idx && i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		unsigned long size = high_wmark_pages(zone) + MIN_LRU_BATCH;

		if (managed_zone(zone) && !zone_watermark_ok(zone, 0, size, sc->reclaim_idx, 0))
			return false;
	}
	return true;
}

/* the swap writes started: wait for them as the classic LRU does here */
static void wait_pageout(struct machine *m, struct scan_control *sc)
{
	uint64_t until;

	if (sc->nr_pageout < MAX(sc->nr_to_reclaim - MIN(sc->nr_reclaimed, sc->nr_to_reclaim), SWAP_CLUSTER_MAX))
		return;
	until = MIN(last_swap_write_completion(m), m->now_ns + THROTTLE_MAX_NS);
	if (!sc->kswapd && !sc->proactive)
		count_vm_event(m, PGSCAN_DIRECT_THROTTLE);
	io_schedule_until(m, sc->kswapd ? NULL : sc->reclaimer, until);
	sc->nr_pageout = 0;
}

/* try_to_shrink_lruvec: true when the node should be rotated (aged) */
static bool try_to_shrink_lruvec(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	long nr_to_scan;
	unsigned long scanned = 0;
	int swappiness = get_swappiness(m, sc);

	for (;;) {
		unsigned long delta;

		nr_to_scan = get_nr_to_scan(m, pgdat, sc, swappiness);
		if (nr_to_scan <= 0)
			break;
		delta = evict_folios(m, pgdat, (unsigned long)nr_to_scan, sc, swappiness);
		if (!delta)
			break;
		scanned += delta;
		wait_pageout(m, sc);
		if (scanned >= (unsigned long)nr_to_scan)
			break;
		if (should_abort_scan(m, pgdat, sc))
			break;
	}
	if (sc->nr_unqueued_dirty && sc->nr_unqueued_dirty == sc->nr_file_taken)
		wakeup_flusher_threads(m);
	return nr_to_scan < 0;
}

/* set_initial_priority: (reclaimable >> priority) ~ nr_to_reclaim */
static void set_initial_priority(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long reclaimable;
	int priority;

	if (sc->priority != DEF_PRIORITY || sc->nr_to_reclaim < MIN_LRU_BATCH)
		return;
	reclaimable = (unsigned long)MAX(pgdat->vm_stat[NR_INACTIVE_FILE], 0);
	if (sc->may_swap && get_nr_swap_pages(m) > 0)
		reclaimable += (unsigned long)MAX(pgdat->vm_stat[NR_INACTIVE_ANON], 0);
	priority = fls_long(reclaimable) - 1 - fls_long(sc->nr_to_reclaim - 1);
	sc->priority = CLAMP(priority, DEF_PRIORITY / 2, DEF_PRIORITY);
}

/* lru_gen_shrink_node (root reclaim) through shrink_one */
void lru_gen_shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long reclaimed = sc->nr_reclaimed;

	sc->nr_unqueued_dirty = sc->nr_file_taken = 0;
	/* unmapped clean folios are already prioritized */
	if (!sc->may_writepage || !sc->may_unmap)
		goto done;
	set_initial_priority(m, pgdat, sc);
	if (sc->kswapd)
		sc->nr_reclaimed = 0;
	try_to_shrink_lruvec(m, pgdat, sc);
	sc->nr_reclaimed += shrink_slab(m, sc->gfp_mask, pgdat->node_id, sc->priority);
	if (sc->kswapd)
		sc->nr_reclaimed += reclaimed;
done:
	if (sc->nr_reclaimed > reclaimed)
		pgdat->kswapd_failures = 0;
}

/* ---- working set protection ---- */

static bool lruvec_is_sizable(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	unsigned long total = 0;
	int swappiness = get_swappiness(m, sc);

	for_each_evictable_type(type, swappiness)
		for (unsigned long seq = lrugen->min_seq[type]; seq <= lrugen->max_seq; seq++)
			for (int zid = 0; zid < MAX_NR_ZONES; zid++)
				total += (unsigned long)MAX(lrugen->nr_pages[lru_gen_from_seq(seq)][type][zid], 0);
	/* the root memcg is online: total >> priority */
	return total >> sc->priority;
}

/* lru_gen_age_node (kswapd): with min_ttl_ms set, the OOM killer runs when
 * the oldest generation is younger than it (the working set of the last
 * min_ttl_ms would be thrashed) */
void lru_gen_age_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	uint64_t min_ttl = (uint64_t)m->lru_gen_min_ttl_ms * NSEC_PER_MSEC;
	bool reclaimable = !min_ttl;

	set_initial_priority(m, pgdat, sc);
	if (!reclaimable && lruvec_is_sizable(m, pgdat, sc)) {
		int gen = lru_gen_from_seq(evictable_min_seq(lrugen->min_seq, get_swappiness(m, sc)));

		reclaimable = lrugen->timestamps[gen] + min_ttl < m->now_ns;
	}
	if (!reclaimable)
		out_of_memory(m, sc->gfp_mask, 0, sc->cpu);
}

/* ---- the debugfs commands ---- */

static int run_aging(struct machine *m, pg_data_t *pgdat, unsigned long seq, int swappiness, bool force_scan)
{
	unsigned long max_seq = node_lrugen(pgdat)->max_seq;

	if (seq > max_seq)
		return -EINVAL;
	return try_to_inc_max_seq(m, pgdat, max_seq, swappiness, force_scan) ? 0 : -EEXIST;
}

static int run_eviction(struct machine *m, pg_data_t *pgdat, unsigned long seq, struct scan_control *sc,
			int swappiness, unsigned long nr_to_reclaim)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);

	if (seq + MIN_NR_GENS > lrugen->max_seq)
		return -EINVAL;
	sc->nr_reclaimed = 0;
	sc->nr_to_reclaim = nr_to_reclaim;
	for (;;) {
		if (seq < evictable_min_seq(lrugen->min_seq, swappiness))
			return 0;
		if (sc->nr_reclaimed >= nr_to_reclaim)
			return 0;
		if (!evict_folios(m, pgdat, nr_to_reclaim - sc->nr_reclaimed, sc, swappiness))
			return 0;
		wait_pageout(m, sc);
	}
}

int lru_gen_run_cmd(struct machine *m, char cmd, unsigned int memcg_id, int nid, unsigned long seq,
		    int swappiness, unsigned long opt)
{
	struct scan_control sc = {
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.reclaim_idx = MAX_NR_ZONES - 1,
		.gfp_mask = GFP_KERNEL,
		.proactive = true,
		.priority = DEF_PRIORITY,
		.reclaimer = m->current,
	};
	pg_data_t *pgdat;
	int err;

	if (nid < 0 || nid >= m->nr_nodes || !NODE_DATA(m, nid)->node_present_pages)
		return -EINVAL;
	if (memcg_id != LRU_GEN_ROOT_MEMCG_ID)
		return -EINVAL;  /* mem_cgroup_get_from_id finds none */
	pgdat = NODE_DATA(m, nid);
	if (swappiness < MIN_SWAPPINESS)
		swappiness = get_swappiness(m, &sc);
	else if (swappiness > SWAPPINESS_ANON_ONLY)
		return -EINVAL;
	if (cmd == '+')
		err = run_aging(m, pgdat, seq, swappiness, opt);
	else if (cmd == '-')
		err = run_eviction(m, pgdat, seq, &sc, swappiness, opt);
	else
		return -EINVAL;
	machine_debug_check(m, "lru_gen");
	return err;
}
