/*
 * kcompactd (the daemon part of mm/compaction.c): one per node, on
 * simulated time.
 *
 * Models:
 * - kcompactd_do_work when kswapd, having balanced the node for a high
 *   order, wakes it (wakeup_kcompactd): sync-light compaction of each
 *   zone where the order is not free yet and compaction is suitable,
 *   with deferral; compact_daemon_wake
 * - proactive compaction every HPAGE_FRAG_CHECK_INTERVAL_MSEC while
 *   compaction_proactiveness is not 0: fragmentation_score_node (each
 *   zone's extfrag_for_order(9) weighted by its size) above the high mark
 *   (low mark max(100 - proactiveness, 5), high mark low + 10) compacts
 *   the node down to the low mark, not while kswapd runs; a run that does
 *   not lower the score backs off 1 << COMPACT_MAX_DEFER_SHIFT periods
 * - compact_daemon_migrate_scanned / compact_daemon_free_scanned
 * Simplifies:
 * - the woken work runs at once, as if on another CPU; a write of
 *   compaction_proactiveness wakes a kcompactd that has no check pending
 *   at once, one waiting for its next check at that check
 * - its CPU time is an estimate per page scanned
 */
#include "mm_internal.h"
#include "compaction_internal.h"
#include "mmsim/trace_events.h"

static unsigned int fragmentation_score_zone(struct zone *zone)
{
	return extfrag_for_order(zone, COMPACTION_HPAGE_ORDER);
}

static unsigned int fragmentation_score_zone_weighted(struct zone *zone)
{
	return (unsigned int)((uint64_t)zone->present_pages * fragmentation_score_zone(zone) /
			      (zone->zone_pgdat->node_present_pages + 1));
}

unsigned int fragmentation_score_node(pg_data_t *pgdat)
{
	unsigned int score = 0;

	for_each_zone_in_node(pgdat, zone)
		if (populated_zone(zone))
			score += fragmentation_score_zone_weighted(zone);
	return score;
}

unsigned int fragmentation_score_wmark(struct machine *m, bool low)
{
	unsigned int wmark_low = (unsigned int)MAX(100 - m->sysctl.compaction_proactiveness, 5);

	return low ? wmark_low : MIN(wmark_low + 10, 100U);
}

static bool should_proactive_compact_node(struct machine *m, pg_data_t *pgdat)
{
	if (!m->sysctl.compaction_proactiveness || kswapd_is_running(pgdat))
		return false;
	return fragmentation_score_node(pgdat) > fragmentation_score_wmark(m, false);
}

static bool kcompactd_node_suitable(struct machine *m, pg_data_t *pgdat)
{
	int highest_zoneidx = pgdat->kcompactd_highest_zoneidx;

	for (int zoneid = 0; zoneid <= highest_zoneidx && zoneid < MAX_NR_ZONES; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];

		if (!populated_zone(zone))
			continue;
		/* allocation can already succeed: check other zones */
		if (zone_watermark_ok(zone, (unsigned int)pgdat->kcompactd_max_order, min_wmark_pages(zone),
				      highest_zoneidx, 0))
			continue;
		if (compaction_suitable(m, zone, pgdat->kcompactd_max_order, highest_zoneidx))
			return true;
	}
	return false;
}

static int kcompactd_cpu(pg_data_t *pgdat)
{
	return pgdat->kcompactd ? pgdat->kcompactd->cpu : 0;
}

/* The time a run cost, charged to the kcompactd task */
static void kcompactd_account(struct machine *m, pg_data_t *pgdat, unsigned long scanned)
{
	if (pgdat->kcompactd)
		pgdat->kcompactd->stime_ns += scanned * KCOMPACTD_SCAN_COST_NS;
	m->nr_context_switches += 2;
}

static void kcompactd_do_work(struct machine *m, pg_data_t *pgdat)
{
	int max_order = pgdat->kcompactd_max_order, highest = pgdat->kcompactd_highest_zoneidx;
	unsigned long scanned = 0;

	trace_mm_compaction_kcompactd_wake(m, pgdat->node_id, max_order, highest);
	count_vm_event(m, KCOMPACTD_WAKE);
	for (int zoneid = 0; zoneid <= highest && zoneid < MAX_NR_ZONES; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		struct compact_control cc = {
			.m = m, .order = max_order, .highest_zoneidx = highest, .mode = MIGRATE_SYNC_LIGHT,
			.gfp_mask = GFP_KERNEL, .zone = zone, .cpu = kcompactd_cpu(pgdat),
			.kthread = pgdat->kcompactd,
		};
		enum compact_result status;

		if (!populated_zone(zone) || compaction_deferred(m, zone, cc.order))
			continue;
		if (zone_watermark_ok(zone, (unsigned int)cc.order, min_wmark_pages(zone), zoneid, 0))
			continue;
		if (!compaction_suitable(m, zone, cc.order, zoneid))
			continue;
		status = compact_zone(&cc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(m, zone, cc.order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
			/* pages stranded on the per-cpu lists could merge */
			drain_all_pages(m, zone);
			defer_compaction(m, zone, cc.order);
		}
		count_vm_events(m, KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(m, KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
		scanned += cc.total_migrate_scanned + cc.total_free_scanned;
	}
	if (pgdat->kcompactd_max_order <= max_order)
		pgdat->kcompactd_max_order = 0;
	if (pgdat->kcompactd_highest_zoneidx >= highest)
		pgdat->kcompactd_highest_zoneidx = pgdat->nr_zones - 1;
	kcompactd_account(m, pgdat, scanned);
	trace_mm_compaction_kcompactd_sleep(m, pgdat->node_id);
}

/* wakeup_kcompactd: kswapd balanced the node for a high order; kcompactd
 * compacts for it at once, when compaction is worth it */
void wakeup_kcompactd(struct machine *m, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	if (!order)
		return;
	if (pgdat->kcompactd_max_order < order)
		pgdat->kcompactd_max_order = order;
	if (pgdat->kcompactd_highest_zoneidx > highest_zoneidx)
		pgdat->kcompactd_highest_zoneidx = highest_zoneidx;
	if (!kcompactd_node_suitable(m, pgdat))
		return;
	trace_mm_compaction_wakeup_kcompactd(m, pgdat->node_id, order, highest_zoneidx);
	kcompactd_do_work(m, pgdat);
	machine_debug_check(m, "kcompactd");
}

static void proactive_compact_node(struct machine *m, pg_data_t *pgdat)
{
	unsigned long scanned = 0;

	for_each_zone_in_node(pgdat, zone) {
		struct compact_control cc = {
			.m = m, .order = -1, .mode = MIGRATE_SYNC_LIGHT, .ignore_skip_hint = true,
			.whole_zone = true, .gfp_mask = GFP_KERNEL, .proactive_compaction = true,
			.zone = zone, .cpu = kcompactd_cpu(pgdat), .kthread = pgdat->kcompactd,
		};

		if (!populated_zone(zone))
			continue;
		compact_zone(&cc);
		drain_all_pages(m, zone);
		count_vm_events(m, KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(m, KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
		scanned += cc.total_migrate_scanned + cc.total_free_scanned;
	}
	kcompactd_account(m, pgdat, scanned);
}

static void kcompactd_timer(struct machine *m, void *arg);

static void kcompactd_arm(struct machine *m, pg_data_t *pgdat, uint64_t delay_ns)
{
	pgdat->kcompactd_timeout_ns = m->now_ns + delay_ns;
	mod_timer(m, pgdat->kcompactd_timeout_ns, "kcompactd", kcompactd_timer, pgdat);
}

/*
 * kcompactd's proactive loop: every HPAGE_FRAG_CHECK_INTERVAL_MSEC of
 * simulated time while compaction_proactiveness is not 0, compact the
 * node when its score is above the high mark; no progress backs off
 * COMPACT_MAX_DEFER_SHIFT times longer
 */
static void kcompactd_timer(struct machine *m, void *arg)
{
	pg_data_t *pgdat = arg;
	uint64_t timeout = HPAGE_FRAG_CHECK_INTERVAL_MSEC * NSEC_PER_MSEC;

	/* a timer superseded by an earlier wakeup */
	if (pgdat->kcompactd_timeout_ns != m->now_ns)
		return;
	pgdat->kcompactd_timeout_ns = 0;
	if (should_proactive_compact_node(m, pgdat)) {
		unsigned int prev_score = fragmentation_score_node(pgdat), score;

		proactive_compact_node(m, pgdat);
		score = fragmentation_score_node(pgdat);
		if (score >= prev_score)
			timeout <<= COMPACT_MAX_DEFER_SHIFT;
		machine_debug_check(m, "kcompactd");
	}
	pgdat->proactive_compact_trigger = false;
	if (m->sysctl.compaction_proactiveness)
		kcompactd_arm(m, pgdat, timeout);
	trace_mm_compaction_kcompactd_sleep(m, pgdat->node_id);
}

void kcompactd_run(struct machine *m)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		pgdat->kcompactd_max_order = 0;
		pgdat->kcompactd_highest_zoneidx = pgdat->nr_zones - 1;
		if (m->sysctl.compaction_proactiveness && !pgdat->kcompactd_timeout_ns)
			kcompactd_arm(m, pgdat, HPAGE_FRAG_CHECK_INTERVAL_MSEC * NSEC_PER_MSEC);
	}
}

/* compaction_proactiveness_sysctl_handler: a non-zero write wakes each
 * kcompactd for a proactive check (at its next one if it is waiting) */
void compaction_proactiveness_changed(struct machine *m)
{
	if (!m->sysctl.compaction_proactiveness)
		return;
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		if (pgdat->proactive_compact_trigger)
			continue;
		pgdat->proactive_compact_trigger = true;
		if (!pgdat->kcompactd_timeout_ns)
			kcompactd_arm(m, pgdat, 0);
	}
}

