/*
 * The tracepoints: one inline call per event, named and argumented after
 * the kernel's trace_<event>() (include/trace/events/), placed where the
 * kernel has it.  Disabled, a call is one load and one predictable branch.
 * A new event: add it to TRACE_EVENT_LIST (trace.h), its fields and print
 * fmt to src/mm/trace_events.c, its text to src/fs/trace_output.c and its
 * call here.
 */
#ifndef MMSIM_TRACE_EVENTS_H
#define MMSIM_TRACE_EVENTS_H

#include "mmsim/machine.h"
#include "mmsim/trace.h"

#ifndef MMSIM_NO_TRACEPOINTS
#define TRACE_EMIT(m, ev, task, str, ...)                                                   \
	do {                                                                                \
		if (trace_event_enabled((m)->trace, TE_##ev)) {                             \
			const uint64_t a_[] = { __VA_ARGS__ };                              \
			trace_event_emit(m, TE_##ev, task, str, a_, (int)G_N_ELEMENTS(a_)); \
		}                                                                           \
	} while (0)
#else
/* The model without tracepoints, the baseline of the tracing benchmark:
 * every call compiles to nothing (its arguments are used, never evaluated) */
#define TRACE_EMIT(m, ev, task, str, ...)                     \
	do {                                                  \
		if (0) {                                      \
			const uint64_t a_[] = { __VA_ARGS__ }; \
			(void)(m), (void)(task), (void)(str);  \
			(void)a_;                              \
		}                                             \
	} while (0)
#endif
#define S64(x) ((uint64_t)(int64_t)(x))

/* ---- kmem ---- */
static inline void trace_kmalloc(struct machine *m, unsigned long call_site, unsigned long ptr, size_t bytes_req,
				 size_t bytes_alloc, unsigned int gfp, int node)
{
	TRACE_EMIT(m, kmalloc, NULL, NULL, call_site, ptr, bytes_req, bytes_alloc, gfp, S64(node));
}
static inline void trace_kfree(struct machine *m, unsigned long call_site, unsigned long ptr)
{
	TRACE_EMIT(m, kfree, NULL, NULL, call_site, ptr);
}
static inline void trace_kmem_cache_alloc(struct machine *m, unsigned long call_site, unsigned long ptr,
					  size_t bytes_req, size_t bytes_alloc, unsigned int gfp, int node, bool accounted)
{
	TRACE_EMIT(m, kmem_cache_alloc, NULL, NULL, call_site, ptr, bytes_req, bytes_alloc, gfp, S64(node), accounted);
}
static inline void trace_kmem_cache_free(struct machine *m, unsigned long call_site, unsigned long ptr, const char *name)
{
	TRACE_EMIT(m, kmem_cache_free, NULL, name, call_site, ptr, 0);
}
static inline void trace_mm_page_free(struct machine *m, unsigned long pfn, unsigned int order)
{
	TRACE_EMIT(m, mm_page_free, NULL, NULL, pfn, order);
}
static inline void trace_mm_page_free_batched(struct machine *m, unsigned long pfn)
{
	TRACE_EMIT(m, mm_page_free_batched, NULL, NULL, pfn);
}
static inline void trace_mm_page_alloc(struct machine *m, unsigned long pfn, unsigned int order, unsigned int gfp, int mt)
{
	TRACE_EMIT(m, mm_page_alloc, NULL, NULL, pfn, order, gfp, S64(mt));
}
static inline void trace_mm_page_alloc_zone_locked(struct machine *m, unsigned long pfn, unsigned int order, int mt,
						   bool percpu_refill)
{
	TRACE_EMIT(m, mm_page_alloc_zone_locked, NULL, NULL, pfn, order, S64(mt), percpu_refill);
}
static inline void trace_mm_page_pcpu_drain(struct machine *m, unsigned long pfn, unsigned int order, int mt)
{
	TRACE_EMIT(m, mm_page_pcpu_drain, NULL, NULL, pfn, order, S64(mt));
}
static inline void trace_mm_page_alloc_extfrag(struct machine *m, unsigned long pfn, int alloc_order,
					       int fallback_order, int alloc_mt, int fallback_mt, bool claimed)
{
	TRACE_EMIT(m, mm_page_alloc_extfrag, NULL, NULL, pfn, S64(alloc_order), S64(fallback_order), S64(alloc_mt),
		   S64(fallback_mt), claimed);
}
/* mm_ptr_to_hash: a 32-bit id of the mm, from its slab object's address
 * (the model's addresses are deterministic, the kernel hashes the pointer) */
static inline unsigned int mm_ptr_to_hash(const struct mm_struct *mm)
{
	return (unsigned int)((mm->slab_obj * 0x61C8864680B583EBULL) >> 32);
}
static inline void trace_rss_stat(struct machine *m, const struct mm_struct *mm, int member)
{
	TRACE_EMIT(m, rss_stat, NULL, NULL, mm_ptr_to_hash(mm), m->current && m->current->mm == mm, S64(member),
		   S64(get_mm_counter(mm, member) << PAGE_SHIFT));
}

/* ---- vmscan ---- */
static inline void trace_mm_vmscan_kswapd_sleep(struct machine *m, int nid)
{
	TRACE_EMIT(m, mm_vmscan_kswapd_sleep, NODE_DATA(m, nid)->kswapd, NULL, S64(nid));
}
static inline void trace_mm_vmscan_kswapd_wake(struct machine *m, int nid, int zid, int order)
{
	TRACE_EMIT(m, mm_vmscan_kswapd_wake, NODE_DATA(m, nid)->kswapd, NULL, S64(nid), S64(zid), S64(order));
}
static inline void trace_mm_vmscan_wakeup_kswapd(struct machine *m, int nid, int zid, int order, unsigned int gfp)
{
	TRACE_EMIT(m, mm_vmscan_wakeup_kswapd, NULL, NULL, S64(nid), S64(zid), S64(order), gfp);
}
static inline void trace_mm_vmscan_direct_reclaim_begin(struct machine *m, int order, unsigned int gfp)
{
	TRACE_EMIT(m, mm_vmscan_direct_reclaim_begin, NULL, NULL, S64(order), gfp);
}
static inline void trace_mm_vmscan_direct_reclaim_end(struct machine *m, unsigned long nr_reclaimed)
{
	TRACE_EMIT(m, mm_vmscan_direct_reclaim_end, NULL, NULL, nr_reclaimed);
}
/* task: the reclaimer (kswapd or the allocating task) */
static inline void trace_mm_vmscan_lru_isolate(struct machine *m, const struct task_struct *task, int classzone,
					       int order, unsigned long nr_requested, unsigned long nr_scanned,
					       unsigned long nr_skipped, unsigned long nr_taken, int lru)
{
	TRACE_EMIT(m, mm_vmscan_lru_isolate, task, NULL, S64(classzone), S64(order), nr_requested, nr_scanned,
		   nr_skipped, nr_taken, S64(lru));
}
static inline void trace_mm_vmscan_write_folio(struct machine *m, const struct task_struct *task, unsigned long pfn,
					       int reclaim_flags)
{
	TRACE_EMIT(m, mm_vmscan_write_folio, task, NULL, pfn, S64(reclaim_flags));
}
/* stat: nr_scanned, nr_reclaimed, nr_dirty, nr_writeback, nr_congested,
 * nr_immediate, nr_activate anon, file, nr_ref_keep, nr_unmap_fail */
static inline void trace_mm_vmscan_lru_shrink_inactive(struct machine *m, const struct task_struct *task, int nid,
						       const unsigned long stat[10], int priority, int flags)
{
	TRACE_EMIT(m, mm_vmscan_lru_shrink_inactive, task, NULL, S64(nid), stat[0], stat[1], stat[2], stat[3],
		   stat[4], stat[5], stat[6], stat[7], stat[8], stat[9], S64(priority), S64(flags));
}
static inline void trace_mm_vmscan_lru_shrink_active(struct machine *m, const struct task_struct *task, int nid,
						     unsigned long nr_taken, unsigned long nr_active,
						     unsigned long nr_deactivated, unsigned long nr_referenced,
						     int priority, int flags)
{
	TRACE_EMIT(m, mm_vmscan_lru_shrink_active, task, NULL, S64(nid), nr_taken, nr_active, nr_deactivated,
		   nr_referenced, S64(priority), S64(flags));
}
static inline void trace_mm_vmscan_throttled(struct machine *m, int nid, int usec_timeout, int usec_delayed, int reason)
{
	TRACE_EMIT(m, mm_vmscan_throttled, NULL, NULL, S64(nid), S64(usec_timeout), S64(usec_delayed), S64(reason));
}

/* ---- oom ---- */
static inline void trace_oom_score_adj_update(struct machine *m, const struct task_struct *t)
{
	TRACE_EMIT(m, oom_score_adj_update, NULL, t->comm, S64(t->pid), 0, S64(t->oom_score_adj));
}
static inline void trace_reclaim_retry_zone(struct machine *m, int nid, int zone_idx, int order,
					    unsigned long reclaimable, unsigned long available,
					    unsigned long min_wmark, int no_progress_loops, bool wmark_check)
{
	TRACE_EMIT(m, reclaim_retry_zone, NULL, NULL, S64(nid), S64(zone_idx), S64(order), reclaimable, available,
		   min_wmark, S64(no_progress_loops), wmark_check);
}
/* sizes in kB, as the event records them */
static inline void trace_mark_victim(struct machine *m, const struct task_struct *t, unsigned long total_vm_kb,
				     unsigned long anon_kb, unsigned long file_kb, unsigned long shmem_kb,
				     unsigned long pgtables_kb)
{
	TRACE_EMIT(m, mark_victim, NULL, t->comm, S64(t->pid), 0, total_vm_kb, anon_kb, file_kb, shmem_kb, t->uid,
		   pgtables_kb, S64(t->oom_score_adj));
}
static inline void trace_wake_reaper(struct machine *m, int pid)
{
	TRACE_EMIT(m, wake_reaper, NULL, NULL, S64(pid));
}
static inline void trace_start_task_reaping(struct machine *m, const struct task_struct *reaper, int pid)
{
	TRACE_EMIT(m, start_task_reaping, reaper, NULL, S64(pid));
}
static inline void trace_finish_task_reaping(struct machine *m, const struct task_struct *reaper, int pid)
{
	TRACE_EMIT(m, finish_task_reaping, reaper, NULL, S64(pid));
}
static inline void trace_skip_task_reaping(struct machine *m, const struct task_struct *reaper, int pid)
{
	TRACE_EMIT(m, skip_task_reaping, reaper, NULL, S64(pid));
}

/* ---- compaction ---- */
static inline void trace_mm_compaction_isolate_migratepages(struct machine *m, const struct task_struct *task,
							    unsigned long start_pfn, unsigned long end_pfn,
							    unsigned long nr_scanned, unsigned long nr_taken)
{
	TRACE_EMIT(m, mm_compaction_isolate_migratepages, task, NULL, start_pfn, end_pfn, nr_scanned, nr_taken);
}
static inline void trace_mm_compaction_isolate_freepages(struct machine *m, const struct task_struct *task,
							 unsigned long start_pfn, unsigned long end_pfn,
							 unsigned long nr_scanned, unsigned long nr_taken)
{
	TRACE_EMIT(m, mm_compaction_isolate_freepages, task, NULL, start_pfn, end_pfn, nr_scanned, nr_taken);
}
static inline void trace_mm_compaction_migratepages(struct machine *m, const struct task_struct *task,
						    unsigned long nr_all, unsigned int nr_succeeded)
{
	TRACE_EMIT(m, mm_compaction_migratepages, task, NULL, nr_succeeded, nr_all - nr_succeeded);
}
static inline void trace_mm_compaction_begin(struct machine *m, const struct task_struct *task,
					     unsigned long zone_start, unsigned long migrate_pfn,
					     unsigned long free_pfn, unsigned long zone_end, bool sync)
{
	TRACE_EMIT(m, mm_compaction_begin, task, NULL, zone_start, migrate_pfn, free_pfn, zone_end, sync);
}
static inline void trace_mm_compaction_end(struct machine *m, const struct task_struct *task,
					   unsigned long zone_start, unsigned long migrate_pfn, unsigned long free_pfn,
					   unsigned long zone_end, bool sync, int status)
{
	TRACE_EMIT(m, mm_compaction_end, task, NULL, zone_start, migrate_pfn, free_pfn, zone_end, sync, S64(status));
}
static inline void trace_mm_compaction_try_to_compact_pages(struct machine *m, int order, unsigned int gfp_mask,
							    int prio)
{
	TRACE_EMIT(m, mm_compaction_try_to_compact_pages, NULL, NULL, S64(order), gfp_mask, S64(prio));
}
/* the zone's node and index, as the kernel's zone_to_nid/zone_idx */
#define TRACE_ZONE(zone) S64((zone)->zone_pgdat->node_id), S64((zone)->zone_idx)
static inline void trace_mm_compaction_finished(struct machine *m, const struct task_struct *task,
						const struct zone *zone, int order, int ret)
{
	TRACE_EMIT(m, mm_compaction_finished, task, NULL, TRACE_ZONE(zone), S64(order), S64(ret));
}
static inline void trace_mm_compaction_suitable(struct machine *m, const struct zone *zone, int order, int ret)
{
	TRACE_EMIT(m, mm_compaction_suitable, NULL, NULL, TRACE_ZONE(zone), S64(order), S64(ret));
}
#define TRACE_DEFER(zone, order)                                                                   \
	TRACE_ZONE(zone), S64(order), (zone)->compact_considered, (zone)->compact_defer_shift, \
		S64((zone)->compact_order_failed)
static inline void trace_mm_compaction_deferred(struct machine *m, const struct zone *zone, int order)
{
	TRACE_EMIT(m, mm_compaction_deferred, NULL, NULL, TRACE_DEFER(zone, order));
}
static inline void trace_mm_compaction_defer_compaction(struct machine *m, const struct zone *zone, int order)
{
	TRACE_EMIT(m, mm_compaction_defer_compaction, NULL, NULL, TRACE_DEFER(zone, order));
}
static inline void trace_mm_compaction_defer_reset(struct machine *m, const struct zone *zone, int order)
{
	TRACE_EMIT(m, mm_compaction_defer_reset, NULL, NULL, TRACE_DEFER(zone, order));
}
static inline void trace_mm_compaction_kcompactd_sleep(struct machine *m, int nid)
{
	TRACE_EMIT(m, mm_compaction_kcompactd_sleep, NODE_DATA(m, nid)->kcompactd, NULL, S64(nid));
}
static inline void trace_mm_compaction_wakeup_kcompactd(struct machine *m, int nid, int order, int highest_zoneidx)
{
	TRACE_EMIT(m, mm_compaction_wakeup_kcompactd, NULL, NULL, S64(nid), S64(order), S64(highest_zoneidx));
}
static inline void trace_mm_compaction_kcompactd_wake(struct machine *m, int nid, int order, int highest_zoneidx)
{
	TRACE_EMIT(m, mm_compaction_kcompactd_wake, NODE_DATA(m, nid)->kcompactd, NULL, S64(nid), S64(order),
		   S64(highest_zoneidx));
}

/* ---- filemap, pagemap ---- */
static inline void trace_mm_filemap_add_to_page_cache(struct machine *m, unsigned long pfn, unsigned long ino,
						      unsigned long index, unsigned int s_dev, unsigned int order)
{
	TRACE_EMIT(m, mm_filemap_add_to_page_cache, NULL, NULL, pfn, ino, index, s_dev, order);
}
static inline void trace_mm_filemap_delete_from_page_cache(struct machine *m, unsigned long pfn, unsigned long ino,
							   unsigned long index, unsigned int s_dev, unsigned int order)
{
	TRACE_EMIT(m, mm_filemap_delete_from_page_cache, NULL, NULL, pfn, ino, index, s_dev, order);
}
/* include/trace/events/pagemap.h trace_pagemap_flags: what mm_lru_insertion
 * says of the folio (the model has no buffer heads, no PG_mappedtodisk) */
#define PAGEMAP_MAPPED 0x0001u
#define PAGEMAP_ANONYMOUS 0x0002u
#define PAGEMAP_FILE 0x0004u
#define PAGEMAP_SWAPCACHE 0x0008u
#define PAGEMAP_SWAPBACKED 0x0010u
static inline unsigned long trace_pagemap_flags(const struct page *page)
{
	return (page_test(page, PG_anon) ? PAGEMAP_ANONYMOUS : PAGEMAP_FILE) |
	       (page->_mapcount >= 0 ? PAGEMAP_MAPPED : 0) |
	       (page_test(page, PG_swapcache) ? PAGEMAP_SWAPCACHE : 0) |
	       (page_test(page, PG_swapbacked) ? PAGEMAP_SWAPBACKED : 0);
}

static inline void trace_mm_lru_insertion(struct machine *m, unsigned long pfn, const struct page *page)
{
	TRACE_EMIT(m, mm_lru_insertion, NULL, NULL, 0xffffea0000000000UL + pfn * 64, pfn, S64(folio_lru_list(page)),
		   trace_pagemap_flags(page));
}
static inline void trace_mm_lru_activate(struct machine *m, unsigned long pfn)
{
	TRACE_EMIT(m, mm_lru_activate, NULL, NULL, 0xffffea0000000000UL + pfn * 64, pfn);
}

/* ---- writeback ---- */
enum wb_reason {
	WB_REASON_BACKGROUND,
	WB_REASON_VMSCAN,
	WB_REASON_SYNC,
	WB_REASON_PERIODIC,
};
#define WB_SYNC_NONE 0
#define ROOT_CGROUP_INO 1   /* __trace_wb_assign_cgroup without cgroup writeback */
static inline void trace_writeback_dirty_folio(struct machine *m, const char *bdi, unsigned long ino,
					       unsigned long index)
{
	TRACE_EMIT(m, writeback_dirty_folio, NULL, bdi, 0, ino, index);
}
/* struct wb_writeback_work's traced part */
struct wb_writeback_work {
	long nr_pages;
	bool for_kupdate, for_background;
	enum wb_reason reason;
};
static inline void trace_writeback_start(struct machine *m, const char *bdi, const struct wb_writeback_work *w)
{
	TRACE_EMIT(m, writeback_start, NULL, bdi, 0, S64(w->nr_pages), 0, WB_SYNC_NONE, w->for_kupdate, 1,
		   w->for_background, w->reason, ROOT_CGROUP_INO);
}
static inline void trace_writeback_written(struct machine *m, const char *bdi, const struct wb_writeback_work *w)
{
	TRACE_EMIT(m, writeback_written, NULL, bdi, 0, S64(w->nr_pages), 0, WB_SYNC_NONE, w->for_kupdate, 1,
		   w->for_background, w->reason, ROOT_CGROUP_INO);
}
/* the fields as the kernel's TP_fast_assign computes them: pages, KB/s
 * (KBps), milliseconds */
struct dirty_throttle_trace {
	unsigned long limit, setpoint, thresh, dirty, dirty_ratelimit, task_ratelimit;
	unsigned int dirtied, dirtied_pause;
	unsigned long paused_ms, period_ms;
	long pause_ms, think_ms;
};
static inline void trace_balance_dirty_pages(struct machine *m, const char *bdi, const struct dirty_throttle_trace *d)
{
	/* one wb: its threshold and dirty pages are the global ones */
	TRACE_EMIT(m, balance_dirty_pages, NULL, bdi, 0, d->limit, d->setpoint, d->dirty,
		   d->setpoint * d->thresh / (d->thresh + 1), d->dirty,
		   d->dirty_ratelimit, d->task_ratelimit, d->dirtied, d->dirtied_pause, d->paused_ms, S64(d->pause_ms),
		   d->period_ms, S64(d->think_ms), ROOT_CGROUP_INO);
}

#endif
