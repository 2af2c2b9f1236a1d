/*
 * mm/vmscan.c's kswapd: the per-node reclaim thread, running in simulated
 * time beside the tasks that allocate.
 *
 * Models:
 * - wakeup_kswapd at the low watermark (the allocator's slow path) wakes
 *   the node's kswapd, which starts KTHREAD_WAKEUP_NS later on its CPU
 * - balance_pgdat from priority 12 down until an eligible zone meets its
 *   high watermark (pgdat_balanced), in steps of priority passes; each step
 *   takes the CPU time its scanning costs (time_costs.h), charged to the
 *   kswapdN task (stat, top), and a throttle (reclaim_throttle on
 *   writeback) ends the step until the I/O is done (state D meanwhile)
 * - watermark boosts, pageoutrun, kswapd_failures (a hopeless node is
 *   left to direct reclaim), psi_memstall over the balancing ("some")
 * - kswapd_try_to_sleep: prepare_kswapd_sleep, the short sleep (HZ/10),
 *   then the full sleep; woken during the short one counts
 *   kswapd_low_wmark_hit_quickly, unbalanced again at its end counts
 *   kswapd_high_wmark_hit_quickly
 * Simplifies:
 * - a step is priority passes up to a slice of CPU time (SCHED_SLICE_NS)
 *   or a throttle, not cut mid-batch
 * - the order kswapd balances for is never lowered (kswapd does not
 *   check compaction_suitable to stop early); kcompactd is woken when
 *   kswapd goes to sleep balanced
 * - no per-cpu vmstat thresholds to switch (set_pgdat_percpu_threshold)
 */
#include "vmscan_internal.h"
#include "mmsim/compaction.h"
#include "mmsim/trace_events.h"

#define KSWAPD_SHORT_SLEEP_NS (NSEC_PER_SEC / 10)   /* HZ/10 */

enum kswapd_sleep { KSWAPD_ASLEEP, KSWAPD_SHORT_SLEEP, KSWAPD_AWAKE };

/* what kswapd does when its timer fires */
enum kswapd_next { KSWAPD_WOKEN, KSWAPD_WOKEN_EARLY, KSWAPD_SHORT_SLEEP_OVER, KSWAPD_BALANCE };

struct kswapd_balance {
	struct scan_control sc;
	unsigned long nr_boost_reclaim;
	int order, highest_zoneidx;
	enum kswapd_sleep sleep;
	enum kswapd_next next;
};

static void kswapd_fn(struct machine *m, void *arg);

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

static bool pgdat_watermark_boosted(pg_data_t *pgdat, int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++)
		if (pgdat->node_zones[i].watermark_boost)
			return true;
	return false;
}

static struct kswapd_balance *kswapd_state(pg_data_t *pgdat)
{
	if (!pgdat->kswapd_bal) {
		pgdat->kswapd_bal = g_new0(struct kswapd_balance, 1);
		pgdat->kswapd_bal->sleep = KSWAPD_ASLEEP;
	}
	return pgdat->kswapd_bal;
}

/* kswapd_is_running: kswapd is awake and balancing (proactive
 * compaction gives way to it) */
bool kswapd_is_running(pg_data_t *pgdat)
{
	return pgdat->kswapd_bal && pgdat->kswapd_bal->sleep == KSWAPD_AWAKE;
}

/* prepare_kswapd_sleep: balanced, or hopeless (left to direct reclaim) */
static bool prepare_kswapd_sleep(struct machine *m, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return true;
	return pgdat_balanced(m, pgdat, order, highest_zoneidx);
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

/* balance_pgdat's start: the order and zone index the wakers asked for */
static void balance_pgdat_start(struct machine *m, pg_data_t *pgdat, struct kswapd_balance *b)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.priority = DEF_PRIORITY,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.kswapd = true,
		.reclaimer = pgdat->kswapd,
		.cpu = pgdat->kswapd ? pgdat->kswapd->cpu : 0,
	};

	b->order = pgdat->kswapd_order;
	/* kswapd_highest_zoneidx: MAX_NR_ZONES when no waker said */
	if (pgdat->kswapd_highest_zoneidx < MAX_NR_ZONES)
		b->highest_zoneidx = pgdat->kswapd_highest_zoneidx;
	pgdat->kswapd_order = 0;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	sc.order = b->order;
	sc.reclaim_idx = b->highest_zoneidx;
	b->sc = sc;
	b->nr_boost_reclaim = 0;
	for (int i = 0; i <= b->highest_zoneidx && i < MAX_NR_ZONES; i++)
		b->nr_boost_reclaim += pgdat->node_zones[i].watermark_boost;
	trace_mm_vmscan_kswapd_wake(m, pgdat->node_id, b->highest_zoneidx, b->order);
	count_vm_event(m, PAGEOUTRUN);
	m->nr_context_switches += 2;
}

/* One pass of balance_pgdat's priority loop; false when the run is over */
static bool balance_pgdat_step(struct machine *m, pg_data_t *pgdat, struct kswapd_balance *b)
{
	struct scan_control *sc = &b->sc;
	unsigned long nr_reclaimed = sc->nr_reclaimed;
	bool raise_priority = true;
	bool balanced = pgdat_balanced(m, pgdat, b->order, b->highest_zoneidx);

	/* a boost that cannot be met alongside the real shortage is dropped:
	 * reclaim for the shortage alone */
	if (!balanced && b->nr_boost_reclaim) {
		b->nr_boost_reclaim = 0;
		sc->priority = DEF_PRIORITY;
	}
	if (!b->nr_boost_reclaim && balanced)
		return false;
	/* boosting does not go as far as writing pages */
	if (b->nr_boost_reclaim && sc->priority == DEF_PRIORITY - 2)
		raise_priority = false;
	sc->may_writepage = !b->nr_boost_reclaim;
	sc->may_swap = !b->nr_boost_reclaim;
	sc->throttle_until = 0;
	kswapd_age_node(m, pgdat, sc);
	if (kswapd_shrink_node(m, pgdat, sc))
		raise_priority = false;
	nr_reclaimed = sc->nr_reclaimed - nr_reclaimed;
	b->nr_boost_reclaim -= MIN(b->nr_boost_reclaim, nr_reclaimed);
	if (b->nr_boost_reclaim && !nr_reclaimed)
		return false;
	if (raise_priority || !nr_reclaimed)
		sc->priority--;
	return sc->priority >= 1;
}

/* balance_pgdat's end */
static void balance_pgdat_end(struct machine *m, pg_data_t *pgdat, struct kswapd_balance *b)
{
	if (!b->sc.nr_reclaimed && !pgdat_balanced(m, pgdat, b->order, b->highest_zoneidx))
		pgdat->kswapd_failures++;
	/* the boost is spent */
	for_each_zone_in_node(pgdat, zone)
		zone->watermark_boost = 0;
	snapshot_refaults(pgdat);
}

static void kswapd_schedule(struct machine *m, pg_data_t *pgdat, uint64_t when, enum kswapd_next next)
{
	kswapd_state(pgdat)->next = next;
	mod_timer(m, when, "kswapd", kswapd_fn, pgdat);
}

/* kswapd_try_to_sleep after a balance_pgdat run: the short sleep when the
 * node is balanced, else another run at once */
static void kswapd_try_to_sleep(struct machine *m, pg_data_t *pgdat, struct kswapd_balance *b, uint64_t now)
{
	if (prepare_kswapd_sleep(m, pgdat, b->order, b->highest_zoneidx)) {
		/* balanced: kcompactd may now make the order kswapd was
		 * woken for */
		reset_isolation_suitable(pgdat);
		wakeup_kcompactd(m, pgdat, b->order, b->highest_zoneidx);
		b->sleep = KSWAPD_SHORT_SLEEP;
		pgdat->kswapd->state = 'S';
		kswapd_schedule(m, pgdat, now + KSWAPD_SHORT_SLEEP_NS, KSWAPD_SHORT_SLEEP_OVER);
		return;
	}
	count_vm_event(m, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	balance_pgdat_start(m, pgdat, b);
	kswapd_schedule(m, pgdat, now, KSWAPD_BALANCE);
}

/* The short sleep ran out: the full sleep when still balanced */
static bool kswapd_short_sleep_over(struct machine *m, pg_data_t *pgdat, struct kswapd_balance *b)
{
	if (prepare_kswapd_sleep(m, pgdat, b->order, b->highest_zoneidx)) {
		trace_mm_vmscan_kswapd_sleep(m, pgdat->node_id);
		b->sleep = KSWAPD_ASLEEP;
		m->nr_context_switches += 2;
		return false;
	}
	count_vm_event(m, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	return true;
}

/* kswapd's timer: wake-up, end of the short sleep, or one balance step */
static void kswapd_fn(struct machine *m, void *arg)
{
	pg_data_t *pgdat = arg;
	struct kswapd_balance *b = kswapd_state(pgdat);
	struct task_struct *tsk = pgdat->kswapd, *prev = m->current, *prev_preempted = m->preempted;
	uint64_t start = m->now_ns, stime0 = tsk->stime_ns, end;
	bool more;

	if (b->next == KSWAPD_SHORT_SLEEP_OVER && !kswapd_short_sleep_over(m, pgdat, b))
		return;
	if (b->next == KSWAPD_WOKEN_EARLY)
		count_vm_event(m, KSWAPD_LOW_WMARK_HIT_QUICKLY);
	b->sleep = KSWAPD_AWAKE;
	tsk->state = 'R';
	m->preempted = prev;
	m->current = tsk;
	if (b->next != KSWAPD_BALANCE)
		balance_pgdat_start(m, pgdat, b);
	/* passes follow one another up to a slice of CPU time, a throttle or
	 * the end of the run */
	while ((more = balance_pgdat_step(m, pgdat, b)) && !b->sc.throttle_until &&
	       tsk->stime_ns - stime0 < SCHED_SLICE_NS)
		;
	if (more) {
		end = start + MAX(tsk->stime_ns - stime0, (uint64_t)SCAN_COST_NS);
		if (b->sc.throttle_until > end) {
			tsk->state = 'D';
			end = b->sc.throttle_until;
		}
		kswapd_schedule(m, pgdat, end, KSWAPD_BALANCE);
	} else {
		balance_pgdat_end(m, pgdat, b);
		end = start + (tsk->stime_ns - stime0);
		kswapd_try_to_sleep(m, pgdat, b, end);
	}
	psi_memstall_account(m, start, end, false);
	m->current = prev;
	m->preempted = prev_preempted;
	machine_debug_check(m, "kswapd");
}

/* cfg.sync_kthreads (a benchmark's baseline): the woken kswapd balances
 * the node to the end before the allocation goes on, waiting for the
 * disk inline */
static void kswapd_run_sync(struct machine *m, pg_data_t *pgdat)
{
	struct kswapd_balance *b = kswapd_state(pgdat);

	while (b->sleep == KSWAPD_AWAKE && !m->panicked) {
		uint64_t when = b->next == KSWAPD_BALANCE ? b->sc.throttle_until : 0;

		del_timer(m, kswapd_fn, pgdat);
		if (when > m->now_ns)
			machine_advance(m, when - m->now_ns);
		kswapd_fn(m, pgdat);
	}
}

/* wakeup_kswapd: the node's kswapd starts balancing it on its own CPU,
 * unless it is awake already, the node is balanced or hopeless */
void wakeup_kswapd(struct machine *m, struct zone *zone, gfp_t gfp, int order, int highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct kswapd_balance *b;

	if (!managed_zone(zone) || !pgdat->kswapd)
		return;
	b = kswapd_state(pgdat);
	if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES || pgdat->kswapd_highest_zoneidx < highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	if (pgdat->kswapd_order < order)
		pgdat->kswapd_order = order;
	if (b->sleep == KSWAPD_AWAKE)
		return;
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(m, pgdat, order, highest_zoneidx) && !pgdat_watermark_boosted(pgdat, highest_zoneidx)))
		return;
	trace_mm_vmscan_wakeup_kswapd(m, pgdat->node_id, zone->zone_idx, order, gfp);
	del_timer(m, kswapd_fn, pgdat);
	kswapd_schedule(m, pgdat, m->now_ns + KTHREAD_WAKEUP_NS,
			b->sleep == KSWAPD_SHORT_SLEEP ? KSWAPD_WOKEN_EARLY : KSWAPD_WOKEN);
	b->sleep = KSWAPD_AWAKE;
	pgdat->kswapd->state = 'R';
	if (m->cfg.sync_kthreads)
		kswapd_run_sync(m, pgdat);
}

/* --debug-vm: an awake or dozing kswapd has exactly one run pending, a
 * sleeping one none; its task state says the same */
char *kswapd_check(struct machine *m, pg_data_t *pgdat)
{
	struct kswapd_balance *b = pgdat->kswapd_bal;
	unsigned int pending = 0;
	char state;

	if (!b || !pgdat->kswapd)
		return NULL;
	for (guint i = 0; i < m->timers->len; i++) {
		struct sim_timer *t = &g_array_index(m->timers, struct sim_timer, i);

		pending += t->fn == kswapd_fn && t->arg == pgdat;
	}
	if (pending != (b->sleep == KSWAPD_ASLEEP ? 0U : 1U))
		return g_strdup_printf("kswapd%d: %u runs pending while %s", pgdat->node_id, pending,
				       b->sleep == KSWAPD_ASLEEP ? "asleep" : "awake");
	state = pgdat->kswapd->state;
	if ((b->sleep == KSWAPD_AWAKE) != (state == 'R' || state == 'D'))
		return g_strdup_printf("kswapd%d: task state %c does not match its sleep", pgdat->node_id, state);
	if (pgdat->kswapd_order < 0 || pgdat->kswapd_order > MAX_PAGE_ORDER ||
	    pgdat->kswapd_highest_zoneidx < 0 || pgdat->kswapd_highest_zoneidx > MAX_NR_ZONES)
		return g_strdup_printf("kswapd%d: order %d, zone index %d out of range", pgdat->node_id,
				       pgdat->kswapd_order, pgdat->kswapd_highest_zoneidx);
	return NULL;
}

/* kswapd_stop: the machine goes away */
void kswapd_stop(pg_data_t *pgdat)
{
	g_free(pgdat->kswapd_bal);
	pgdat->kswapd_bal = NULL;
}
