/*
 * The trace events' declarations (include/trace/events/{kmem,vmscan,oom,
 * compaction,filemap,pagemap,writeback}.h of Linux 6.18): each event's fields, in the order and
 * with the C types of its TP_STRUCT__entry, and its TP_printk as the
 * `format` file shows it.  The emitting calls (include/mmsim/trace_events.h)
 * pass the fields in this order; the renderers print from it.
 *
 * Models:
 *  - the x86-64 layout: field sizes of the C types, offsets from the
 *    kernel's rules (trace_field_offset)
 *  - each print fmt as the kernel's macros expand it
 * Simplifies:
 *  - show_gfp_flags(REC->gfp_flags) stands for the kernel's expansion of
 *    the gfp flag names; tracefs's format file writes it out with the
 *    model's flag values
 */
#include "mmsim/trace.h"

#define F(t, n, s, sg) { t, n, s, sg, false }
#define FSTR(t, n, s) { t, n, s, false, true }
#define UL(n) F("unsigned long", n, 8, false)
#define L(n) F("long", n, 8, true)
#define INT(n) F("int", n, 4, true)
#define UINT(n) F("unsigned int", n, 4, false)
#define PTR(t, n) F(t, n, 8, false)
#define BOOL(n) F("bool", n, 1, false)

#define PAGE_PTR "(((struct page *)vmemmap_base) + (REC->pfn))"
#define LRU_NAMES "{0, \"inactive_anon\"}, {1, \"active_anon\"}, {2, \"inactive_file\"}, {3, \"active_file\"}, {4, \"unevictable\"}"
#define RECLAIM_FLAGS(x) "(" x ") ? __print_flags(" x ", \"|\", {0x0001u, \"RECLAIM_WB_ANON\"}, {0x0002u, \"RECLAIM_WB_FILE\"}, {0x0010u, \"RECLAIM_WB_MIXED\"}, {0x0004u, \"RECLAIM_WB_SYNC\"}, {0x0008u, \"RECLAIM_WB_ASYNC\"}) : \"RECLAIM_WB_NONE\""

static const struct trace_field f_kmalloc[] = {
	UL("call_site"), PTR("const void *", "ptr"), F("size_t", "bytes_req", 8, false),
	F("size_t", "bytes_alloc", 8, false), UL("gfp_flags"), INT("node"),
};
static const struct trace_field f_kmem_cache_alloc[] = {
	UL("call_site"), PTR("const void *", "ptr"), F("size_t", "bytes_req", 8, false),
	F("size_t", "bytes_alloc", 8, false), UL("gfp_flags"), INT("node"), BOOL("accounted"),
};
static const struct trace_field f_kfree[] = { UL("call_site"), PTR("const void *", "ptr") };
static const struct trace_field f_kmem_cache_free[] = {
	UL("call_site"), PTR("const void *", "ptr"), FSTR("__data_loc char[]", "name", 4),
};
static const struct trace_field f_page_order[] = { UL("pfn"), UINT("order") };
static const struct trace_field f_pfn[] = { UL("pfn") };
static const struct trace_field f_page_alloc[] = { UL("pfn"), UINT("order"), UL("gfp_flags"), INT("migratetype") };
static const struct trace_field f_mm_page[] = { UL("pfn"), UINT("order"), INT("migratetype"), INT("percpu_refill") };
static const struct trace_field f_pcpu_drain[] = { UL("pfn"), UINT("order"), INT("migratetype") };
static const struct trace_field f_extfrag[] = {
	UL("pfn"), INT("alloc_order"), INT("fallback_order"), INT("alloc_migratetype"),
	INT("fallback_migratetype"), INT("change_ownership"),
};
static const struct trace_field f_rss_stat[] = { UINT("mm_id"), UINT("curr"), INT("member"), L("size") };
static const struct trace_field f_nid[] = { INT("nid") };
static const struct trace_field f_kswapd_wake[] = { INT("nid"), INT("zid"), INT("order") };
static const struct trace_field f_wakeup_kswapd[] = { INT("nid"), INT("zid"), INT("order"), UL("gfp_flags") };
static const struct trace_field f_reclaim_begin[] = { INT("order"), UL("gfp_flags") };
static const struct trace_field f_reclaim_end[] = { UL("nr_reclaimed") };
static const struct trace_field f_shrink_start[] = {
	PTR("struct shrinker *", "shr"), PTR("void *", "shrink"), INT("nid"), L("nr_objects_to_shrink"),
	UL("gfp_flags"), UL("cache_items"), F("unsigned long long", "delta", 8, false), UL("total_scan"),
	INT("priority"),
};
static const struct trace_field f_shrink_end[] = {
	PTR("struct shrinker *", "shr"), INT("nid"), PTR("void *", "shrink"), L("unused_scan"), L("new_scan"),
	INT("retval"), L("total_scan"),
};
static const struct trace_field f_lru_isolate[] = {
	INT("highest_zoneidx"), INT("order"), UL("nr_requested"), UL("nr_scanned"), UL("nr_skipped"),
	UL("nr_taken"), INT("lru"),
};
static const struct trace_field f_write_folio[] = { UL("pfn"), INT("reclaim_flags") };
static const struct trace_field f_shrink_inactive[] = {
	INT("nid"), UL("nr_scanned"), UL("nr_reclaimed"), UL("nr_dirty"), UL("nr_writeback"), UL("nr_congested"),
	UL("nr_immediate"), UINT("nr_activate0"), UINT("nr_activate1"), UL("nr_ref_keep"), UL("nr_unmap_fail"),
	INT("priority"), INT("reclaim_flags"),
};
static const struct trace_field f_shrink_active[] = {
	INT("nid"), UL("nr_taken"), UL("nr_active"), UL("nr_deactivated"), UL("nr_referenced"), INT("priority"),
	INT("reclaim_flags"),
};
static const struct trace_field f_throttled[] = { INT("nid"), INT("usec_timeout"), INT("usec_delayed"), INT("reason") };
static const struct trace_field f_score_adj[] = {
	F("pid_t", "pid", 4, true), FSTR("char[16]", "comm", 16), F("short", "oom_score_adj", 2, true),
};
static const struct trace_field f_retry_zone[] = {
	INT("node"), INT("zone_idx"), INT("order"), UL("reclaimable"), UL("available"), UL("min_wmark"),
	INT("no_progress_loops"), BOOL("wmark_check"),
};
static const struct trace_field f_mark_victim[] = {
	INT("pid"), FSTR("__data_loc char[]", "comm", 4), UL("total_vm"), UL("anon_rss"), UL("file_rss"),
	UL("shmem_rss"), F("uid_t", "uid", 4, false), UL("pgtables"), F("short", "oom_score_adj", 2, true),
};
static const struct trace_field f_pid[] = { INT("pid") };
static const struct trace_field f_filemap[] = {
	UL("pfn"), UL("i_ino"), UL("index"), F("dev_t", "s_dev", 4, false), F("unsigned char", "order", 1, false),
};
static const struct trace_field f_lru_insert[] = {
	PTR("struct folio *", "folio"), UL("pfn"), F("enum lru_list", "lru", 4, false), UL("flags"),
};
static const struct trace_field f_compaction_isolate[] = {
	UL("start_pfn"), UL("end_pfn"), UL("nr_scanned"), UL("nr_taken"),
};
static const struct trace_field f_compaction_migrate[] = { UL("nr_migrated"), UL("nr_failed") };
static const struct trace_field f_compaction_begin[] = {
	UL("zone_start"), UL("migrate_pfn"), UL("free_pfn"), UL("zone_end"), BOOL("sync"),
};
static const struct trace_field f_compaction_end[] = {
	UL("zone_start"), UL("migrate_pfn"), UL("free_pfn"), UL("zone_end"), BOOL("sync"), INT("status"),
};
static const struct trace_field f_try_to_compact[] = {
	INT("order"), F("gfp_t", "gfp_mask", 4, false), INT("prio"),
};
static const struct trace_field f_compaction_suitable[] = {
	INT("nid"), F("enum zone_type", "idx", 4, false), INT("order"), INT("ret"),
};
static const struct trace_field f_compaction_defer[] = {
	INT("nid"), F("enum zone_type", "idx", 4, false), INT("order"), UINT("considered"), UINT("defer_shift"),
	INT("order_failed"),
};
static const struct trace_field f_kcompactd_wake[] = {
	INT("nid"), INT("order"), F("enum zone_type", "highest_zoneidx", 4, false),
};
static const struct trace_field f_writeback_folio[] = { FSTR("char[32]", "name", 32), UL("ino"), UL("index") };
static const struct trace_field f_writeback_work[] = {
	FSTR("char[32]", "name", 32), L("nr_pages"), F("dev_t", "sb_dev", 4, false), INT("sync_mode"),
	INT("for_kupdate"), INT("range_cyclic"), INT("for_background"), INT("reason"), F("ino_t", "cgroup_ino", 8, false),
};
static const struct trace_field f_balance_dirty_pages[] = {
	FSTR("char[32]", "bdi", 32), UL("limit"), UL("setpoint"), UL("dirty"), UL("wb_setpoint"), UL("wb_dirty"),
	UL("dirty_ratelimit"), UL("task_ratelimit"), UINT("dirtied"), UINT("dirtied_pause"), UL("paused"),
	L("pause"), UL("period"), L("think"), F("ino_t", "cgroup_ino", 8, false),
};
static const struct trace_field f_lru_activate[] = { PTR("struct folio *", "folio"), UL("pfn") };

#define ZONE_TYPE "{0, \"DMA\"}, {1, \"DMA32\"}, {2, \"Normal\"}, {3, \"Movable\"}, {4, \"Device\"}"
/* COMPACTION_STATUS: the names in the kernel's order, enum compact_result's values */
#define COMPACTION_STATUS "{1, \"skipped\"}, {2, \"deferred\"}, {4, \"continue\"}, {8, \"success\"}, " \
	"{6, \"partial_skipped\"}, {5, \"complete\"}, {3, \"no_suitable_page\"}, {0, \"not_suitable_zone\"}, " \
	"{7, \"contended\"}"
#define COMPACTION_RANGE "\"range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu\", REC->start_pfn, REC->end_pfn, " \
	"REC->nr_scanned, REC->nr_taken"
#define COMPACTION_ZONE "\"zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s"
#define COMPACTION_ZONE_ARGS "REC->zone_start, REC->migrate_pfn, REC->free_pfn, REC->zone_end, " \
	"REC->sync ? \"sync\" : \"async\""
#define COMPACTION_SUITABLE "\"node=%d zone=%-8s order=%d ret=%s\", REC->nid, __print_symbolic(REC->idx, " \
	ZONE_TYPE "), REC->order, __print_symbolic(REC->ret, " COMPACTION_STATUS ")"
#define COMPACTION_DEFER "\"node=%d zone=%-8s order=%d order_failed=%d consider=%u limit=%lu\", REC->nid, " \
	"__print_symbolic(REC->idx, " ZONE_TYPE "), REC->order, REC->order_failed, REC->considered, " \
	"1UL << REC->defer_shift"
#define KCOMPACTD_WAKE "\"nid=%d order=%d classzone_idx=%-8s\", REC->nid, REC->order, " \
	"__print_symbolic(REC->highest_zoneidx, " ZONE_TYPE ")"

/* WB_WORK_REASON: enum wb_reason's names, its values as TRACE_DEFINE_ENUM
 * shows them */
#define WB_WORK_FMT                                                                                                    \
	"\"bdi %s: sb_dev %d:%d nr_pages=%ld sync_mode=%d kupdate=%d range_cyclic=%d background=%d reason=%s "        \
	"cgroup_ino=%lu\", REC->name, ((unsigned int) ((REC->sb_dev) >> 20)), "                                         \
	"((unsigned int) ((REC->sb_dev) & ((1U << 20) - 1))), REC->nr_pages, REC->sync_mode, REC->for_kupdate, "       \
	"REC->range_cyclic, REC->for_background, __print_symbolic(REC->reason, { 0, \"background\" }, "              \
	"{ 1, \"vmscan\" }, { 2, \"sync\" }, { 3, \"periodic\" }, { 4, \"laptop_timer\" }, "                         \
	"{ 5, \"fs_free_space\" }, { 6, \"forker_thread\" }, { 7, \"foreign_flush\" }), "                           \
	"(unsigned long)REC->cgroup_ino"

#define EV(sys, name, f, fmt, fl) [TE_##name] = { #sys, #name, f, G_N_ELEMENTS(f), fmt, fl }
#define LOCKED (TRACE_FLAG_IRQS_OFF | 1 << TRACE_PREEMPT_SHIFT)

const struct trace_event_call trace_events[NR_TRACE_EVENTS] = {
	EV(kmem, kmalloc, f_kmalloc,
	   "\"call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s\", "
	   "(void *)REC->call_site, REC->ptr, REC->bytes_req, REC->bytes_alloc, show_gfp_flags(REC->gfp_flags), "
	   "REC->node, (1 && (REC->gfp_flags & (unsigned long)((( gfp_t)(((1UL))) << (___GFP_ACCOUNT_BIT))))) "
	   "? \"true\" : \"false\"", 0),
	EV(kmem, kfree, f_kfree, "\"call_site=%pS ptr=%p\", (void *)REC->call_site, REC->ptr", 0),
	EV(kmem, kmem_cache_alloc, f_kmem_cache_alloc,
	   "\"call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s\", "
	   "(void *)REC->call_site, REC->ptr, REC->bytes_req, REC->bytes_alloc, show_gfp_flags(REC->gfp_flags), "
	   "REC->node, REC->accounted ? \"true\" : \"false\"", 0),
	EV(kmem, kmem_cache_free, f_kmem_cache_free,
	   "\"call_site=%pS ptr=%p name=%s\", (void *)REC->call_site, REC->ptr, __get_str(name)", 0),
	EV(kmem, mm_page_free, f_page_order,
	   "\"page=%p pfn=0x%lx order=%d\", " PAGE_PTR ", REC->pfn, REC->order", 0),
	EV(kmem, mm_page_free_batched, f_pfn, "\"page=%p pfn=0x%lx order=0\", " PAGE_PTR ", REC->pfn", 0),
	EV(kmem, mm_page_alloc, f_page_alloc,
	   "\"page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s\", REC->pfn != -1UL ? " PAGE_PTR
	   " : ((void *)0), REC->pfn != -1UL ? REC->pfn : 0, REC->order, REC->migratetype, "
	   "show_gfp_flags(REC->gfp_flags)", 0),
	EV(kmem, mm_page_alloc_zone_locked, f_mm_page,
	   "\"page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d\", REC->pfn != -1UL ? " PAGE_PTR
	   " : ((void *)0), REC->pfn != -1UL ? REC->pfn : 0, REC->order, REC->migratetype, REC->percpu_refill",
	   LOCKED),
	EV(kmem, mm_page_pcpu_drain, f_pcpu_drain,
	   "\"page=%p pfn=0x%lx order=%d migratetype=%d\", " PAGE_PTR ", REC->pfn, REC->order, REC->migratetype",
	   LOCKED),
	EV(kmem, mm_page_alloc_extfrag, f_extfrag,
	   "\"page=%p pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d "
	   "fallback_migratetype=%d fragmenting=%d change_ownership=%d\", " PAGE_PTR ", REC->pfn, "
	   "REC->alloc_order, REC->fallback_order, 9, REC->alloc_migratetype, REC->fallback_migratetype, "
	   "REC->fallback_order < 9, REC->change_ownership", LOCKED),
	EV(kmem, rss_stat, f_rss_stat,
	   "\"mm_id=%u curr=%d type=%s size=%ldB\", REC->mm_id, REC->curr, __print_symbolic(REC->member, "
	   "{ 0, \"MM_FILEPAGES\" }, { 1, \"MM_ANONPAGES\" }, { 2, \"MM_SWAPENTS\" }, { 3, \"MM_SHMEMPAGES\" }), "
	   "REC->size", 0),
	EV(vmscan, mm_vmscan_kswapd_sleep, f_nid, "\"nid=%d\", REC->nid", 0),
	EV(vmscan, mm_vmscan_kswapd_wake, f_kswapd_wake, "\"nid=%d order=%d\", REC->nid, REC->order", 0),
	EV(vmscan, mm_vmscan_wakeup_kswapd, f_wakeup_kswapd,
	   "\"nid=%d order=%d gfp_flags=%s\", REC->nid, REC->order, show_gfp_flags(REC->gfp_flags)", 0),
	EV(vmscan, mm_vmscan_direct_reclaim_begin, f_reclaim_begin,
	   "\"order=%d gfp_flags=%s\", REC->order, show_gfp_flags(REC->gfp_flags)", 0),
	EV(vmscan, mm_vmscan_direct_reclaim_end, f_reclaim_end, "\"nr_reclaimed=%lu\", REC->nr_reclaimed", 0),
	EV(vmscan, mm_shrink_slab_start, f_shrink_start,
	   "\"%pS %p: nid: %d objects to shrink %ld gfp_flags %s cache items %ld delta %lld total_scan %ld "
	   "priority %d\", REC->shrink, REC->shr, REC->nid, REC->nr_objects_to_shrink, "
	   "show_gfp_flags(REC->gfp_flags), REC->cache_items, REC->delta, REC->total_scan, REC->priority", 0),
	EV(vmscan, mm_shrink_slab_end, f_shrink_end,
	   "\"%pS %p: nid: %d unused scan count %ld new scan count %ld total_scan %ld last shrinker return val "
	   "%d\", REC->shrink, REC->shr, REC->nid, REC->unused_scan, REC->new_scan, REC->total_scan, REC->retval", 0),
	EV(vmscan, mm_vmscan_lru_isolate, f_lru_isolate,
	   "\"classzone=%d order=%d nr_requested=%lu nr_scanned=%lu nr_skipped=%lu nr_taken=%lu lru=%s\", "
	   "REC->highest_zoneidx, REC->order, REC->nr_requested, REC->nr_scanned, REC->nr_skipped, REC->nr_taken, "
	   "__print_symbolic(REC->lru, " LRU_NAMES ")", 0),
	EV(vmscan, mm_vmscan_write_folio, f_write_folio,
	   "\"page=%p pfn=0x%lx flags=%s\", " PAGE_PTR ", REC->pfn, " RECLAIM_FLAGS("REC->reclaim_flags"), 0),
	EV(vmscan, mm_vmscan_lru_shrink_inactive, f_shrink_inactive,
	   "\"nid=%d nr_scanned=%ld nr_reclaimed=%ld nr_dirty=%ld nr_writeback=%ld nr_congested=%ld "
	   "nr_immediate=%ld nr_activate_anon=%d nr_activate_file=%d nr_ref_keep=%ld nr_unmap_fail=%ld "
	   "priority=%d flags=%s\", REC->nid, REC->nr_scanned, REC->nr_reclaimed, REC->nr_dirty, REC->nr_writeback, "
	   "REC->nr_congested, REC->nr_immediate, REC->nr_activate0, REC->nr_activate1, REC->nr_ref_keep, "
	   "REC->nr_unmap_fail, REC->priority, " RECLAIM_FLAGS("REC->reclaim_flags"), 0),
	EV(vmscan, mm_vmscan_lru_shrink_active, f_shrink_active,
	   "\"nid=%d nr_taken=%ld nr_active=%ld nr_deactivated=%ld nr_referenced=%ld priority=%d flags=%s\", "
	   "REC->nid, REC->nr_taken, REC->nr_active, REC->nr_deactivated, REC->nr_referenced, REC->priority, "
	   RECLAIM_FLAGS("REC->reclaim_flags"), 0),
	EV(vmscan, mm_vmscan_throttled, f_throttled,
	   "\"nid=%d usec_timeout=%d usect_delayed=%d reason=%s\", REC->nid, REC->usec_timeout, REC->usec_delayed, "
	   "(1 << REC->reason) ? __print_flags(1 << REC->reason, \"|\", {0x0001, \"VMSCAN_THROTTLE_WRITEBACK\"}, "
	   "{0x0002, \"VMSCAN_THROTTLE_ISOLATED\"}, {0x0004, \"VMSCAN_THROTTLE_NOPROGRESS\"}, "
	   "{0x0008, \"VMSCAN_THROTTLE_CONGESTED\"}) : \"VMSCAN_THROTTLE_NONE\"", 0),
	EV(oom, oom_score_adj_update, f_score_adj,
	   "\"pid=%d comm=%s oom_score_adj=%hd\", REC->pid, REC->comm, REC->oom_score_adj", 0),
	EV(oom, reclaim_retry_zone, f_retry_zone,
	   "\"node=%d zone=%-8s order=%d reclaimable=%lu available=%lu min_wmark=%lu no_progress_loops=%d "
	   "wmark_check=%d\", REC->node, __print_symbolic(REC->zone_idx, " ZONE_TYPE "), REC->order, "
	   "REC->reclaimable, REC->available, REC->min_wmark, REC->no_progress_loops, REC->wmark_check", 0),
	EV(oom, mark_victim, f_mark_victim,
	   "\"pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB uid=%u "
	   "pgtables=%lukB oom_score_adj=%hd\", REC->pid, __get_str(comm), REC->total_vm, REC->anon_rss, "
	   "REC->file_rss, REC->shmem_rss, REC->uid, REC->pgtables, REC->oom_score_adj", 0),
	EV(oom, wake_reaper, f_pid, "\"pid=%d\", REC->pid", 0),
	EV(oom, start_task_reaping, f_pid, "\"pid=%d\", REC->pid", 0),
	EV(oom, finish_task_reaping, f_pid, "\"pid=%d\", REC->pid", 0),
	EV(oom, skip_task_reaping, f_pid, "\"pid=%d\", REC->pid", 0),
	EV(compaction, mm_compaction_isolate_migratepages, f_compaction_isolate, COMPACTION_RANGE, 0),
	EV(compaction, mm_compaction_isolate_freepages, f_compaction_isolate, COMPACTION_RANGE, 0),
	EV(compaction, mm_compaction_migratepages, f_compaction_migrate,
	   "\"nr_migrated=%lu nr_failed=%lu\", REC->nr_migrated, REC->nr_failed", 0),
	EV(compaction, mm_compaction_begin, f_compaction_begin, COMPACTION_ZONE "\", " COMPACTION_ZONE_ARGS, 0),
	EV(compaction, mm_compaction_end, f_compaction_end,
	   COMPACTION_ZONE " status=%s\", " COMPACTION_ZONE_ARGS ", __print_symbolic(REC->status, "
	   COMPACTION_STATUS ")", 0),
	EV(compaction, mm_compaction_try_to_compact_pages, f_try_to_compact,
	   "\"order=%d gfp_mask=%s priority=%d\", REC->order, show_gfp_flags(REC->gfp_mask), REC->prio", 0),
	EV(compaction, mm_compaction_finished, f_compaction_suitable, COMPACTION_SUITABLE, 0),
	EV(compaction, mm_compaction_suitable, f_compaction_suitable, COMPACTION_SUITABLE, 0),
	EV(compaction, mm_compaction_deferred, f_compaction_defer, COMPACTION_DEFER, 0),
	EV(compaction, mm_compaction_defer_compaction, f_compaction_defer, COMPACTION_DEFER, 0),
	EV(compaction, mm_compaction_defer_reset, f_compaction_defer, COMPACTION_DEFER, 0),
	EV(compaction, mm_compaction_kcompactd_sleep, f_nid, "\"nid=%d\", REC->nid", 0),
	EV(compaction, mm_compaction_wakeup_kcompactd, f_kcompactd_wake, KCOMPACTD_WAKE, 0),
	EV(compaction, mm_compaction_kcompactd_wake, f_kcompactd_wake, KCOMPACTD_WAKE, 0),
	EV(filemap, mm_filemap_delete_from_page_cache, f_filemap,
	   "\"dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u\", ((unsigned int) ((REC->s_dev) >> 20)), "
	   "((unsigned int) ((REC->s_dev) & ((1U << 20) - 1))), REC->i_ino, REC->pfn, REC->index << 12, "
	   "REC->order", LOCKED),
	EV(filemap, mm_filemap_add_to_page_cache, f_filemap,
	   "\"dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u\", ((unsigned int) ((REC->s_dev) >> 20)), "
	   "((unsigned int) ((REC->s_dev) & ((1U << 20) - 1))), REC->i_ino, REC->pfn, REC->index << 12, "
	   "REC->order", 0),
	EV(pagemap, mm_lru_insertion, f_lru_insert,
	   "\"folio=%p pfn=0x%lx lru=%d flags=%s%s%s%s%s%s\", REC->folio, REC->pfn, REC->lru, "
	   "REC->flags & 0x0001u ? \"M\" : \" \", REC->flags & 0x0002u ? \"a\" : \"f\", "
	   "REC->flags & 0x0008u ? \"s\" : \" \", REC->flags & 0x0010u ? \"b\" : \" \", "
	   "REC->flags & 0x0020u ? \"d\" : \" \", REC->flags & 0x0040u ? \"B\" : \" \"", 0),
	EV(pagemap, mm_lru_activate, f_lru_activate, "\"folio=%p pfn=0x%lx\", REC->folio, REC->pfn", 0),
	EV(writeback, writeback_dirty_folio, f_writeback_folio,
	   "\"bdi %s: ino=%lu index=%lu\", REC->name, (unsigned long)REC->ino, REC->index", 0),
	EV(writeback, writeback_start, f_writeback_work, WB_WORK_FMT, 0),
	EV(writeback, writeback_written, f_writeback_work, WB_WORK_FMT, 0),
	EV(writeback, balance_dirty_pages, f_balance_dirty_pages,
	   "\"bdi %s: limit=%lu setpoint=%lu dirty=%lu wb_setpoint=%lu wb_dirty=%lu dirty_ratelimit=%lu "
	   "task_ratelimit=%lu dirtied=%u dirtied_pause=%u paused=%lu pause=%ld period=%lu think=%ld "
	   "cgroup_ino=%lu\", REC->bdi, REC->limit, REC->setpoint, REC->dirty, REC->wb_setpoint, REC->wb_dirty, "
	   "REC->dirty_ratelimit, REC->task_ratelimit, REC->dirtied, REC->dirtied_pause, REC->paused, REC->pause, "
	   "REC->period, REC->think, (unsigned long)REC->cgroup_ino", 0),
};
