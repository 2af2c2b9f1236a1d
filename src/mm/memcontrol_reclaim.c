/*
 * Memcg reclaim (mm/vmscan.c's try_to_free_mem_cgroup_pages and
 * shrink_node_memcgs, mm/memcontrol.c's memory.reclaim and the
 * memory.high throttle): reclaim restricted to the pages of one memcg and
 * its descendants, on either kind of LRU.
 *
 * Models: the walk over the target's subtree with each memcg's effective
 *   protection (memory.min skips it, memory.low skips it until the
 *   memcg_low_reclaim retry, a LOW event when it is reclaimed anyway;
 *   the scan scaled by lruvec_size - lruvec_size * protection /
 *   (cgroup_size + 1)), priorities DEF_PRIORITY..0, anon only while the
 *   memcg may swap (memory.swap.max up the tree, swappiness), the swap
 *   writes and dirty pages waited for as reclaim_throttle does;
 *   pgscan/pgsteal per memcg; memory.pressure's stall time.
 * Simplifies: no per-memcg lruvecs: a memcg's "lruvec" is its pages on
 *   the node's lists, found by walking them from the tail (classic: the
 *   inactive list, then the active one deactivated; MGLRU: generation by
 *   generation from the oldest) and filtered by the page's memcg; the
 *   per-memcg list sizes are its charged pages; the PSI averages of
 *   memory.pressure are not kept (totals only).
 */
#include <errno.h>

#include "mmsim/cgroup.h"
#include "mmsim/memcontrol.h"
#include "mmsim/swap.h"
#include "vmscan_internal.h"
#include "lru_gen.h"

struct memcg_scan {
	struct scan_control sc;
	struct mem_cgroup *target;
	bool low_reclaim, low_skipped;
	int swappiness;
	unsigned long nr_dirty, nr_writeback;  /* what only waiting can free */
	int nr_waits;
};

/* The waits for I/O one reclaim may do before it gives up */
#define MEMCG_RECLAIM_MAX_WAITS 64

/* The page's list as memory.stat counts it: on MGLRU the two youngest
 * generations are the active ones */
enum lru_list folio_lru_list_gen(struct machine *m, unsigned long pfn)
{
	const struct page *page = pfn_to_page(m, pfn);
	int gen = folio_lru_gen(page);
	const struct lru_gen_folio *lrugen;

	if (gen < 0)
		return folio_lru_list(page);
	lrugen = node_lrugen(pfn_zone(m, pfn)->zone_pgdat);
	return (folio_is_file_lru(page) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON) +
	       (gen == lru_gen_from_seq(lrugen->max_seq) || gen == lru_gen_from_seq(lrugen->max_seq - 1));
}

/* ---- protection ---- */

static bool mem_cgroup_unprotected(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	return mem_cgroup_is_root(memcg) || memcg == target;
}

bool mem_cgroup_below_min(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	return !mem_cgroup_unprotected(target, memcg) && memcg->memory.emin >= memcg->memory.usage;
}

bool mem_cgroup_below_low(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	return !mem_cgroup_unprotected(target, memcg) && memcg->memory.elow >= memcg->memory.usage;
}

/* get_scan_count's apply_proportional_protection over the memcg's pages */
static unsigned long memcg_scan_target(struct memcg_scan *ms, struct mem_cgroup *memcg)
{
	unsigned long size = (unsigned long)MAX(memcg->nr_pages, 0L), scan = size;
	long min = 0, low = 0;

	if (memcg != ms->target) {
		min = memcg->memory.emin;
		low = memcg->memory.elow;
	}
	if (min || low) {
		long protection, cgroup_size;

		if (!ms->low_reclaim && low > min) {
			protection = low;
			ms->low_skipped = true;
		} else {
			protection = min;
		}
		cgroup_size = MAX(memcg->memory.usage, protection);
		scan = size - (unsigned long)((__int128)size * protection / (cgroup_size + 1));
		scan = MAX(scan, SWAP_CLUSTER_MAX);
	}
	scan >>= ms->sc.priority;
	if (!scan && ms->sc.priority < DEF_PRIORITY - 2)
		scan = MIN(size, SWAP_CLUSTER_MAX);
	return scan;
}

/* mem_cgroup_get_nr_swap_pages: the room under every swap.max up the tree */
static bool memcg_may_swap(struct machine *m, struct memcg_scan *ms, struct mem_cgroup *memcg)
{
	if (!ms->sc.may_swap || !ms->swappiness || get_nr_swap_pages(m) <= 0)
		return false;
	for (; memcg && memcg->css->parent; memcg = parent_mem_cgroup(memcg))
		if (memcg->swap.usage >= memcg->swap.max)
			return false;
	return true;
}

/* ---- the filtered lists ---- */

/* Enough reclaimed, counting the swap writes under way (each frees a
 * page once written): shrink_lruvec's batches stop there */
static bool memcg_scan_enough(const struct memcg_scan *ms)
{
	return ms->sc.nr_reclaimed + ms->nr_writeback >= ms->sc.nr_to_reclaim;
}

/* Up to want pages of memcg from the tail of a PFN list (walking toward
 * its head through page->prev), visiting at most cap pages */
static void collect(struct machine *m, uint32_t tail, struct mem_cgroup *memcg, unsigned long want,
		    unsigned long cap, GArray *out)
{
	unsigned long pfn = tail, start = out->len;

	while (pfn != PFN_NONE && cap-- && out->len - start < want) {
		struct page *page = pfn_to_page(m, pfn);

		if (folio_memcg(m, pfn) == memcg && !page_test(page, PG_unevictable))
			g_array_append_val(out, pfn);
		pfn = page->prev;
	}
}

static void isolate_collected(struct machine *m, GArray *pfns)
{
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);

		lruvec_del_folio(m, pfn);
		isolate_mod(m, pfn, !page_test(pfn_to_page(m, pfn), PG_swapbacked), 1);
	}
}

static void count_memcg_events(struct mem_cgroup *memcg, enum memcg_event_item item, unsigned long nr)
{
	for (; memcg; memcg = parent_mem_cgroup(memcg))
		memcg->vm_events[item] += nr;
}

/* shrink_folio_list over the collected pages, the rest put back */
static unsigned long shrink_collected(struct machine *m, struct memcg_scan *ms, struct mem_cgroup *memcg,
				      GArray *pfns)
{
	struct scan_control *sc = &ms->sc;
	unsigned long nr_activate, nr_pageout, reclaimed, before_wb = sc->nr_writeback;
	unsigned long before_dirty = sc->nr_unqueued_dirty;

	if (!pfns->len)
		return 0;
	isolate_collected(m, pfns);
	count_vm_events(m, PGSCAN_KSWAPD + reclaimer_offset(sc), pfns->len);
	count_memcg_events(memcg, MEMCG_PGSCAN, pfns->len);
	count_memcg_events(memcg, sc->proactive ? MEMCG_PGSCAN_PROACTIVE : MEMCG_PGSCAN_DIRECT, pfns->len);
	if (sc->reclaimer)
		account_system_time(m, sc->reclaimer, pfns->len * SCAN_COST_NS);
	reclaimed = shrink_folio_list(m, pfns, sc, &nr_activate, &nr_pageout);
	swap_unplug(m);
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);

		if (pfn != PFN_NONE)
			putback_folio(m, pfn);
	}
	count_memcg_events(memcg, MEMCG_PGSTEAL, reclaimed);
	count_memcg_events(memcg, sc->proactive ? MEMCG_PGSTEAL_PROACTIVE : MEMCG_PGSTEAL_DIRECT, reclaimed);
	ms->nr_writeback += nr_pageout + (sc->nr_writeback - before_wb);
	ms->nr_dirty += sc->nr_unqueued_dirty - before_dirty;
	g_array_set_size(pfns, 0);
	return reclaimed;
}

/* shrink_active_list for the memcg's active pages: to the inactive list,
 * except executable file pages still referenced */
static void deactivate_collected(struct machine *m, struct memcg_scan *ms, GArray *pfns, bool file)
{
	unsigned long nr_deactivate = 0;

	isolate_collected(m, pfns);
	count_vm_events(m, PGREFILL, pfns->len);
	for (guint i = 0; i < pfns->len; i++) {
		unsigned long pfn = g_array_index(pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);
		unsigned long vm_flags = 0;

		if (folio_referenced(m, pfn, &vm_flags) && (vm_flags & VM_EXEC) && file) {
			putback_folio(m, pfn);
			continue;
		}
		page_clear(page, PG_active);
		page_set(page, PG_workingset);
		nr_deactivate++;
		putback_folio(m, pfn);
	}
	count_vm_events(m, PGDEACTIVATE, nr_deactivate);
	(void)ms;
	g_array_set_size(pfns, 0);
}

static unsigned long shrink_memcg_batch(struct machine *m, struct lruvec *lv, struct memcg_scan *ms,
					struct mem_cgroup *memcg, unsigned long scan, enum lru_list inactive,
					unsigned long cap_in, unsigned long cap_act, GArray *pfns);

/* The classic LRU: inactive first; the active list refills it */
static unsigned long shrink_memcg_classic(struct machine *m, pg_data_t *pgdat, struct memcg_scan *ms,
					  struct mem_cgroup *memcg, unsigned long scan, bool anon, GArray *pfns)
{
	struct lruvec *lv = &pgdat->__lruvec;
	unsigned long reclaimed = 0;

	for (int file = 1; file >= 0; file--) {
		enum lru_list inactive = file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
		unsigned long cap_in = MAX(lv->nr[inactive] >> ms->sc.priority, scan * 8);
		unsigned long cap_act = MAX(lv->nr[inactive + 1] >> ms->sc.priority, scan * 8);

		if (!file && !anon)
			continue;
		for (unsigned long done = 0; done < scan && !memcg_scan_enough(ms); done += SWAP_CLUSTER_MAX)
			reclaimed += shrink_memcg_batch(m, lv, ms, memcg, MIN(scan - done, SWAP_CLUSTER_MAX),
							inactive, cap_in, cap_act, pfns);
	}
	return reclaimed;
}

/* One batch of the classic LRU's inactive list of a type, refilled from
 * its active list */
static unsigned long shrink_memcg_batch(struct machine *m, struct lruvec *lv, struct memcg_scan *ms,
					struct mem_cgroup *memcg, unsigned long scan, enum lru_list inactive,
					unsigned long cap_in, unsigned long cap_act, GArray *pfns)
{
	bool file = inactive == LRU_INACTIVE_FILE;

	{
		collect(m, lv->tail[inactive], memcg, scan, cap_in, pfns);
		if (pfns->len < scan) {
			collect(m, lv->tail[inactive + 1], memcg, scan - pfns->len, cap_act, pfns);
			if (pfns->len) {
				GArray *act = g_array_new(FALSE, FALSE, sizeof(unsigned long));

				/* the inactive ones found first keep their place */
				for (guint i = 0; i < pfns->len; i++) {
					unsigned long pfn = g_array_index(pfns, unsigned long, i);

					if (page_test(pfn_to_page(m, pfn), PG_active))
						g_array_append_val(act, pfn);
				}
				deactivate_collected(m, ms, act, file);
				g_array_free(act, TRUE);
				g_array_set_size(pfns, 0);
				collect(m, lv->tail[inactive], memcg, scan, cap_in + scan, pfns);
			}
		}
	}
	return shrink_collected(m, ms, memcg, pfns);
}

/* MGLRU: the generations from the oldest, per type */
static unsigned long shrink_memcg_gen(struct machine *m, pg_data_t *pgdat, struct memcg_scan *ms,
				      struct mem_cgroup *memcg, unsigned long scan, bool anon, GArray *pfns)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	unsigned long reclaimed = 0;

	for (int type = LRU_GEN_FILE; type >= LRU_GEN_ANON; type--) {
		if (type == LRU_GEN_ANON && !anon)
			continue;
		for (unsigned long done = 0; done < scan && !memcg_scan_enough(ms); done += SWAP_CLUSTER_MAX) {
			unsigned long want = MIN(scan - done, SWAP_CLUSTER_MAX);

			for (unsigned long seq = lrugen->min_seq[type]; seq <= lrugen->max_seq && pfns->len < want;
			     seq++) {
				int gen = lru_gen_from_seq(seq);
				unsigned long size = 0;

				for (int z = 0; z < MAX_NR_ZONES; z++)
					size += (unsigned long)MAX(lrugen->nr_pages[gen][type][z], 0L);
				collect(m, lrugen->tail[gen][type], memcg, want - pfns->len,
					MAX(size >> ms->sc.priority, scan * 8), pfns);
			}
			if (!pfns->len)
				break;
			reclaimed += shrink_collected(m, ms, memcg, pfns);
		}
	}
	return reclaimed;
}

/* shrink_node_memcgs over the target's subtree, pre-order */
static void shrink_memcgs(struct machine *m, struct memcg_scan *ms, struct cgroup *cg)
{
	struct mem_cgroup *memcg = cg->memcg;

	if (memcg->online && memcg->nr_pages > 0) {
		page_counter_calculate_protection(&ms->target->memory, &memcg->memory, true);
		if (mem_cgroup_below_min(ms->target, memcg)) {
			goto children;
		} else if (mem_cgroup_below_low(ms->target, memcg)) {
			if (!ms->low_reclaim) {
				ms->low_skipped = true;
				goto children;
			}
			memcg_memory_event(memcg, MEMCG_LOW);
		}
		{
			unsigned long scan = memcg_scan_target(ms, memcg);
			bool anon = memcg_may_swap(m, ms, memcg);
			GArray *pfns = g_array_new(FALSE, FALSE, sizeof(unsigned long));

			for_each_online_node(m, nid) {
				if (!scan || memcg_scan_enough(ms))
					break;
				ms->sc.nr_reclaimed +=
					lru_gen_enabled(m)
						? shrink_memcg_gen(m, NODE_DATA(m, nid), ms, memcg, scan, anon, pfns)
						: shrink_memcg_classic(m, NODE_DATA(m, nid), ms, memcg, scan, anon, pfns);
			}
			g_array_free(pfns, TRUE);
		}
	}
	/* memcg reclaim stops once it has enough (sc->nr_to_reclaim) */
children:
	for (guint i = 0; i < cg->children->len && !memcg_scan_enough(ms); i++)
		shrink_memcgs(m, ms, g_ptr_array_index(cg->children, i));
}

/* reclaim_throttle: the swap writes and the flusher's, waited for */
static void memcg_reclaim_wait(struct machine *m, struct memcg_scan *ms)
{
	uint64_t until;

	if (ms->nr_dirty)
		wakeup_flusher_threads(m);
	until = next_io_completion(m);
	if (!until)
		return;
	until = MIN(until, m->now_ns + THROTTLE_MAX_NS);
	if (ms->sc.reclaimer)
		io_schedule_until(m, ms->sc.reclaimer, until);
	else
		machine_advance(m, until > m->now_ns ? until - m->now_ns : 0);
	ms->nr_dirty = ms->nr_writeback = 0;
}

static void do_try_to_free_memcg_pages(struct machine *m, struct memcg_scan *ms)
{
	for (;;) {
		for (ms->sc.priority = DEF_PRIORITY; ms->sc.priority >= 0; ms->sc.priority--) {
			shrink_memcgs(m, ms, ms->target->css);
			if (ms->sc.nr_reclaimed >= ms->sc.nr_to_reclaim)
				return;
			/* the writes under way free pages once done: wait, and
			 * the next priority frees them */
			if ((ms->nr_dirty || ms->nr_writeback) && ms->nr_waits++ < MEMCG_RECLAIM_MAX_WAITS) {
				memcg_reclaim_wait(m, ms);
				ms->sc.priority++;
				if (ms->sc.priority > DEF_PRIORITY)
					ms->sc.priority = DEF_PRIORITY;
			}
		}
		if (ms->sc.nr_reclaimed || !ms->low_skipped || ms->low_reclaim)
			return;
		/* memcg_low_reclaim: memory.low is ignored on the retry */
		ms->low_reclaim = true;
		ms->low_skipped = false;
	}
}

/* The stall of a memcg's task (psi_memstall_enter/leave): the memcg and
 * its ancestors, and the machine */
static void memcg_memstall(struct machine *m, struct mem_cgroup *memcg, uint64_t t0)
{
	uint64_t us = (m->now_ns - t0) / 1000;

	psi_memstall_account(m, t0, m->now_ns, true);
	for (; memcg; memcg = parent_mem_cgroup(memcg)) {
		memcg->psi_some_us += us;
		memcg->psi_full_us += us;
	}
}

unsigned long try_to_free_mem_cgroup_pages(struct machine *m, struct mem_cgroup *memcg, unsigned long nr_pages,
					   gfp_t gfp, unsigned int reclaim_options, int swappiness)
{
	struct memcg_scan ms = {
		.sc = {
			.nr_to_reclaim = MAX(nr_pages, SWAP_CLUSTER_MAX),
			.gfp_mask = gfp,
			.priority = DEF_PRIORITY,
			.reclaim_idx = MAX_NR_ZONES - 1,
			.may_writepage = true,
			.may_unmap = true,
			.may_swap = !!(reclaim_options & MEMCG_RECLAIM_MAY_SWAP),
			.proactive = !!(reclaim_options & MEMCG_RECLAIM_PROACTIVE),
			.reclaimer = m->current,
			.cpu = m->current ? m->current->cpu : 0,
		},
		.target = memcg,
		.swappiness = swappiness >= 0 ? swappiness : m->sysctl.swappiness,
	};
	uint64_t t0;

	sched_flush(m);
	t0 = m->now_ns;
	do_try_to_free_memcg_pages(m, &ms);
	sched_flush(m);
	memcg_memstall(m, memcg, t0);
	return ms.sc.nr_reclaimed;
}

/* memory_reclaim: SWAP_CLUSTER_MAX-ish batches of what is left, up to
 * MAX_RECLAIM_RETRIES rounds without progress */
int memory_reclaim(struct machine *m, struct mem_cgroup *memcg, unsigned long nr_to_reclaim, int swappiness)
{
	unsigned long nr_reclaimed = 0;
	int nr_retries = MAX_RECLAIM_RETRIES;

	while (nr_reclaimed < nr_to_reclaim) {
		unsigned long batch = MAX((nr_to_reclaim - nr_reclaimed) / 4, SWAP_CLUSTER_MAX), got;

		if (!nr_retries)
			break;
		/* the stock of this memcg is charged, not reclaimable */
		drain_all_stock(m, memcg);
		got = try_to_free_mem_cgroup_pages(m, memcg, batch, GFP_KERNEL,
						   MEMCG_RECLAIM_MAY_SWAP | MEMCG_RECLAIM_PROACTIVE, swappiness);
		if (!got)
			nr_retries--;
		nr_reclaimed += got;
	}
	return nr_reclaimed < nr_to_reclaim ? -EAGAIN : 0;
}

/* schedule_timeout_killable for memory.high's penalty, a memory stall */
void mem_cgroup_throttle(struct machine *m, struct task_struct *t, struct mem_cgroup *memcg, uint64_t ns)
{
	uint64_t t0;
	char state = t->state;

	sched_flush(m);
	t0 = m->now_ns;
	t->state = 'D';
	t->nvcsw++;
	machine_advance(m, ns);
	t->state = state;
	memcg_memstall(m, memcg, t0);
}
