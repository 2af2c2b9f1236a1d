/*
 * ftrace's text for the records of the tracing core (kernel/trace/
 * trace_output.c): the context columns (task-pid, CPU, flags, timestamp)
 * and each event's TP_printk text, the `trace` file's header, the
 * `format` file of an event.  Pointers print hashed, as %p does by
 * default (the hash keyed by the machine's seed, so a run repeats).
 */
#include <string.h>

#include "trace_output.h"
#include "mmsim/gfp.h"

#define VMEMMAP_BASE 0xffffea0000000000UL
#define STRUCT_PAGE_SIZE 64

/* %p: NULL as zeros, anything else hashed to 32 bits (ptr_to_id) */
static void put_ptr(GString *out, const struct machine *m, uint64_t p)
{
	uint64_t z = p ^ (m->cfg.seed * 0x9e3779b97f4a7c15ULL);

	if (!p) {
		g_string_append(out, "0000000000000000");
		return;
	}
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	g_string_append_printf(out, "%016llx", (unsigned long long)(z & 0xffffffffULL));
}

static void put_page(GString *out, const struct machine *m, uint64_t pfn)
{
	put_ptr(out, m, pfn == (uint64_t)-1 ? 0 : VMEMMAP_BASE + pfn * STRUCT_PAGE_SIZE);
}

/* The gfp flag names in __def_gfpflag_names' order: composites first */
static const struct { unsigned int flags; const char *name; } gfp_names[] = {
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
};

/* show_gfp_flags: trace_print_flags_seq over the names, "none" for 0 */
void trace_print_gfp_flags(GString *out, unsigned long gfp)
{
	bool first = true;

	if (!gfp) {
		g_string_append(out, "none");
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(gfp_names) && gfp; i++) {
		if ((gfp & gfp_names[i].flags) != gfp_names[i].flags)
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : "|", gfp_names[i].name);
		gfp &= ~(unsigned long)gfp_names[i].flags;
		first = false;
	}
	if (gfp)
		g_string_append_printf(out, "%s0x%lx", first ? "" : "|", gfp);
}

/* show_gfp_flags(REC->FIELD) as the format file writes it out */
static void gfp_print_fmt(GString *out, const char *field, int len)
{
	g_string_append_printf(out, "(REC->%.*s) ? __print_flags(REC->%.*s, \"|\", ", len, field, len, field);
	for (size_t i = 0; i < G_N_ELEMENTS(gfp_names); i++)
		g_string_append_printf(out, "%s{(unsigned long)0x%x, \"%s\"}", i ? ", " : "", gfp_names[i].flags,
				       gfp_names[i].name);
	g_string_append(out, ") : \"none\"");
}

static const char *reclaim_flag_names[] = { "RECLAIM_WB_ANON", "RECLAIM_WB_FILE", "RECLAIM_WB_SYNC",
					    "RECLAIM_WB_ASYNC", "RECLAIM_WB_MIXED" };

static void put_reclaim_flags(GString *out, uint64_t f)
{
	static const int order[] = { 0, 1, 4, 2, 3 };  /* the kernel's list: ANON FILE MIXED SYNC ASYNC */
	bool first = true;

	if (!f) {
		g_string_append(out, "RECLAIM_WB_NONE");
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		if (f & (1u << order[i])) {
			g_string_append_printf(out, "%s%s", first ? "" : "|", reclaim_flag_names[order[i]]);
			first = false;
		}
	}
}

static const char *lru_names[] = { "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable" };
static const char *zone_names_short[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
static const char *rss_names[] = { "MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES" };
static const char *throttle_names[] = { "VMSCAN_THROTTLE_WRITEBACK", "VMSCAN_THROTTLE_ISOLATED",
					"VMSCAN_THROTTLE_NOPROGRESS", "VMSCAN_THROTTLE_CONGESTED" };

#define A(i) (e->args[i])
#define I(i) ((int)(int64_t)e->args[i])
#define LU(i) ((unsigned long)e->args[i])
#define LD(i) ((long)(int64_t)e->args[i])
#define SYM(tbl, i) ((size_t)A(i) < G_N_ELEMENTS(tbl) ? tbl[A(i)] : "")

static void print_kmem(GString *out, const struct machine *m, const struct trace_entry *e)
{
	switch (e->id) {
	case TE_kmalloc:
	case TE_kmem_cache_alloc:
		g_string_append_printf(out, "call_site=%s ptr=", (const char *)(uintptr_t)A(0));
		put_ptr(out, m, A(1));
		g_string_append_printf(out, " bytes_req=%lu bytes_alloc=%lu gfp_flags=", LU(2), LU(3));
		trace_print_gfp_flags(out, LU(4));
		g_string_append_printf(out, " node=%d accounted=%s", I(5),
				       (e->id == TE_kmalloc ? 0 : A(6)) ? "true" : "false");
		break;
	case TE_kfree:
	case TE_kmem_cache_free:
		g_string_append_printf(out, "call_site=%s ptr=", (const char *)(uintptr_t)A(0));
		put_ptr(out, m, A(1));
		if (e->id == TE_kmem_cache_free)
			g_string_append_printf(out, " name=%s", e->str ? e->str : "");
		break;
	case TE_rss_stat:
		g_string_append_printf(out, "mm_id=%u curr=%d type=%s size=%ldB", (unsigned int)A(0), I(1),
				       SYM(rss_names, 2), LD(3));
		break;
	default:
		break;
	}
}

static void print_page(GString *out, const struct machine *m, const struct trace_entry *e)
{
	g_string_append(out, "page=");
	put_page(out, m, A(0));
	g_string_append_printf(out, " pfn=0x%lx", A(0) == (uint64_t)-1 ? 0 : LU(0));
	switch (e->id) {
	case TE_mm_page_free:
		g_string_append_printf(out, " order=%d", I(1));
		break;
	case TE_mm_page_free_batched:
		g_string_append(out, " order=0");
		break;
	case TE_mm_page_alloc:
		g_string_append_printf(out, " order=%d migratetype=%d gfp_flags=", I(1), I(3));
		trace_print_gfp_flags(out, LU(2));
		break;
	case TE_mm_page_alloc_zone_locked:
		g_string_append_printf(out, " order=%u migratetype=%d percpu_refill=%d", (unsigned int)A(1), I(2), I(3));
		break;
	case TE_mm_page_pcpu_drain:
		g_string_append_printf(out, " order=%d migratetype=%d", I(1), I(2));
		break;
	case TE_mm_page_alloc_extfrag:
		g_string_append_printf(out, " alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d "
				       "fallback_migratetype=%d fragmenting=%d change_ownership=%d",
				       I(1), I(2), 9, I(3), I(4), I(2) < 9, I(5));
		break;
	case TE_mm_vmscan_write_folio:
		g_string_append(out, " flags=");
		put_reclaim_flags(out, A(1));
		break;
	default:
		break;
	}
}

static void print_vmscan(GString *out, const struct trace_entry *e)
{
	switch (e->id) {
	case TE_mm_vmscan_kswapd_sleep:
		g_string_append_printf(out, "nid=%d", I(0));
		break;
	case TE_mm_vmscan_kswapd_wake:
		g_string_append_printf(out, "nid=%d order=%d", I(0), I(2));
		break;
	case TE_mm_vmscan_wakeup_kswapd:
		g_string_append_printf(out, "nid=%d order=%d gfp_flags=", I(0), I(2));
		trace_print_gfp_flags(out, LU(3));
		break;
	case TE_mm_vmscan_direct_reclaim_begin:
		g_string_append_printf(out, "order=%d gfp_flags=", I(0));
		trace_print_gfp_flags(out, LU(1));
		break;
	case TE_mm_vmscan_direct_reclaim_end:
		g_string_append_printf(out, "nr_reclaimed=%lu", LU(0));
		break;
	case TE_mm_vmscan_lru_isolate:
		g_string_append_printf(out, "classzone=%d order=%d nr_requested=%lu nr_scanned=%lu nr_skipped=%lu "
				       "nr_taken=%lu lru=%s", I(0), I(1), LU(2), LU(3), LU(4), LU(5), SYM(lru_names, 6));
		break;
	case TE_mm_vmscan_lru_shrink_inactive:
		g_string_append_printf(out, "nid=%d nr_scanned=%ld nr_reclaimed=%ld nr_dirty=%ld nr_writeback=%ld "
				       "nr_congested=%ld nr_immediate=%ld nr_activate_anon=%d nr_activate_file=%d "
				       "nr_ref_keep=%ld nr_unmap_fail=%ld priority=%d flags=", I(0), LD(1), LD(2), LD(3),
				       LD(4), LD(5), LD(6), I(7), I(8), LD(9), LD(10), I(11));
		put_reclaim_flags(out, A(12));
		break;
	case TE_mm_vmscan_lru_shrink_active:
		g_string_append_printf(out, "nid=%d nr_taken=%ld nr_active=%ld nr_deactivated=%ld nr_referenced=%ld "
				       "priority=%d flags=", I(0), LD(1), LD(2), LD(3), LD(4), I(5));
		put_reclaim_flags(out, A(6));
		break;
	case TE_mm_vmscan_throttled:
		g_string_append_printf(out, "nid=%d usec_timeout=%d usect_delayed=%d reason=%s", I(0), I(1), I(2),
				       SYM(throttle_names, 3));
		break;
	default:
		break;
	}
}

static void print_shrink_slab(GString *out, const struct machine *m, const struct trace_entry *e)
{
	if (e->id == TE_mm_shrink_slab_start) {
		g_string_append_printf(out, "%s ", e->str ? e->str : "");
		put_ptr(out, m, A(0));
		g_string_append_printf(out, ": nid: %d objects to shrink %ld gfp_flags ", I(2), LD(3));
		trace_print_gfp_flags(out, LU(4));
		g_string_append_printf(out, " cache items %ld delta %lld total_scan %ld priority %d", LD(5),
				       (long long)A(6), LD(7), I(8));
	} else {
		g_string_append_printf(out, "%s ", e->str ? e->str : "");
		put_ptr(out, m, A(0));
		g_string_append_printf(out, ": nid: %d unused scan count %ld new scan count %ld total_scan %ld last "
				       "shrinker return val %d", I(1), LD(3), LD(4), LD(6), I(5));
	}
}

static void print_oom(GString *out, const struct trace_entry *e)
{
	switch (e->id) {
	case TE_oom_score_adj_update:
		g_string_append_printf(out, "pid=%d comm=%s oom_score_adj=%hd", I(0), e->str ? e->str : "",
				       (short)A(2));
		break;
	case TE_reclaim_retry_zone:
		g_string_append_printf(out, "node=%d zone=%-8s order=%d reclaimable=%lu available=%lu min_wmark=%lu "
				       "no_progress_loops=%d wmark_check=%d", I(0), SYM(zone_names_short, 1), I(2),
				       LU(3), LU(4), LU(5), I(6), I(7));
		break;
	case TE_mark_victim:
		g_string_append_printf(out, "pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB "
				       "shmem-rss:%lukB uid=%u pgtables=%lukB oom_score_adj=%hd", I(0),
				       e->str ? e->str : "", LU(2), LU(3), LU(4), LU(5), (unsigned int)A(6), LU(7),
				       (short)A(8));
		break;
	default:
		g_string_append_printf(out, "pid=%d", I(0));
		break;
	}
}

static const char *compaction_status_names[] = { "not_suitable_zone", "skipped", "deferred", "no_suitable_page",
						 "continue", "complete", "partial_skipped", "contended", "success" };

static void print_compaction(GString *out, const struct trace_entry *e)
{
	switch (e->id) {
	case TE_mm_compaction_isolate_migratepages:
	case TE_mm_compaction_isolate_freepages:
		g_string_append_printf(out, "range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu", LU(0), LU(1), LU(2),
				       LU(3));
		break;
	case TE_mm_compaction_migratepages:
		g_string_append_printf(out, "nr_migrated=%lu nr_failed=%lu", LU(0), LU(1));
		break;
	case TE_mm_compaction_begin:
	case TE_mm_compaction_end:
		g_string_append_printf(out, "zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s",
				       LU(0), LU(1), LU(2), LU(3), A(4) ? "sync" : "async");
		if (e->id == TE_mm_compaction_end)
			g_string_append_printf(out, " status=%s", SYM(compaction_status_names, 5));
		break;
	case TE_mm_compaction_try_to_compact_pages:
		g_string_append_printf(out, "order=%d gfp_mask=", I(0));
		trace_print_gfp_flags(out, (unsigned int)A(1));
		g_string_append_printf(out, " priority=%d", I(2));
		break;
	case TE_mm_compaction_finished:
	case TE_mm_compaction_suitable:
		g_string_append_printf(out, "node=%d zone=%-8s order=%d ret=%s", I(0), SYM(zone_names_short, 1), I(2),
				       SYM(compaction_status_names, 3));
		break;
	case TE_mm_compaction_deferred:
	case TE_mm_compaction_defer_compaction:
	case TE_mm_compaction_defer_reset:
		g_string_append_printf(out, "node=%d zone=%-8s order=%d order_failed=%d consider=%u limit=%lu", I(0),
				       SYM(zone_names_short, 1), I(2), I(5), (unsigned int)A(3), 1UL << (A(4) & 63));
		break;
	case TE_mm_compaction_kcompactd_sleep:
		g_string_append_printf(out, "nid=%d", I(0));
		break;
	default:
		g_string_append_printf(out, "nid=%d order=%d classzone_idx=%-8s", I(0), I(1), SYM(zone_names_short, 2));
		break;
	}
}

static const char *wb_reason_names[] = { "background", "vmscan", "sync", "periodic", "laptop_timer",
					 "fs_free_space", "forker_thread", "foreign_flush" };

static void print_writeback(GString *out, const struct trace_entry *e)
{
	const char *name = e->str ? e->str : "";

	switch (e->id) {
	case TE_writeback_dirty_folio:
		g_string_append_printf(out, "bdi %s: ino=%lu index=%lu", name, LU(1), LU(2));
		break;
	case TE_balance_dirty_pages:
		g_string_append_printf(out, "bdi %s: limit=%lu setpoint=%lu dirty=%lu wb_setpoint=%lu wb_dirty=%lu "
				       "dirty_ratelimit=%lu task_ratelimit=%lu dirtied=%u dirtied_pause=%u paused=%lu "
				       "pause=%ld period=%lu think=%ld cgroup_ino=%lu", name, LU(1), LU(2), LU(3), LU(4),
				       LU(5), LU(6), LU(7), (unsigned int)A(8), (unsigned int)A(9), LU(10), LD(11),
				       LU(12), LD(13), LU(14));
		break;
	default:
		g_string_append_printf(out, "bdi %s: sb_dev %u:%u nr_pages=%ld sync_mode=%d kupdate=%d range_cyclic=%d "
				       "background=%d reason=%s cgroup_ino=%lu", name, (unsigned int)(A(2) >> 20),
				       (unsigned int)(A(2) & ((1U << 20) - 1)), LD(1), I(3), I(4), I(5), I(6),
				       SYM(wb_reason_names, 7), LU(8));
		break;
	}
}

static void print_filemap(GString *out, const struct machine *m, const struct trace_entry *e)
{
	switch (e->id) {
	case TE_mm_lru_insertion:
		g_string_append(out, "folio=");
		put_ptr(out, m, A(0));
		g_string_append_printf(out, " pfn=0x%lx lru=%d flags=%s%s%s%s%s%s", LU(1), I(2),
				       A(3) & 1 ? "M" : " ", A(3) & 2 ? "a" : "f", A(3) & 8 ? "s" : " ",
				       A(3) & 16 ? "b" : " ", A(3) & 32 ? "d" : " ", A(3) & 64 ? "B" : " ");
		break;
	case TE_mm_lru_activate:
		g_string_append(out, "folio=");
		put_ptr(out, m, A(0));
		g_string_append_printf(out, " pfn=0x%lx", LU(1));
		break;
	default:
		g_string_append_printf(out, "dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u", (int)(A(3) >> 20),
				       (int)(A(3) & ((1U << 20) - 1)), LU(1), LU(0), LU(2) << 12, (unsigned int)A(4));
		break;
	}
}

void trace_print_event_text(GString *out, const struct machine *m, const struct trace_entry *e)
{
	const char *sys = trace_events[e->id].system;

	if (!strcmp(sys, "kmem") && e->id != TE_kmalloc && e->id != TE_kfree && e->id != TE_kmem_cache_alloc &&
	    e->id != TE_kmem_cache_free && e->id != TE_rss_stat)
		print_page(out, m, e);
	else if (!strcmp(sys, "kmem"))
		print_kmem(out, m, e);
	else if (e->id == TE_mm_vmscan_write_folio)
		print_page(out, m, e);
	else if (e->id == TE_mm_shrink_slab_start || e->id == TE_mm_shrink_slab_end)
		print_shrink_slab(out, m, e);
	else if (!strcmp(sys, "vmscan"))
		print_vmscan(out, e);
	else if (!strcmp(sys, "oom"))
		print_oom(out, e);
	else if (!strcmp(sys, "compaction"))
		print_compaction(out, e);
	else if (!strcmp(sys, "writeback"))
		print_writeback(out, e);
	else
		print_filemap(out, m, e);
}

/* The irqs-off, need-resched, hardirq/softirq, preempt-depth and
 * migrate-disable columns (trace_print_lat_fmt) */
static void put_lat_fmt(GString *out, unsigned char flags)
{
	unsigned int depth = flags >> TRACE_PREEMPT_SHIFT;

	g_string_append_c(out, flags & TRACE_FLAG_IRQS_OFF ? 'd' : '.');
	g_string_append(out, "..");
	g_string_append_c(out, depth ? "0123456789abcdef"[depth & 0xf] : '.');
	g_string_append_c(out, '.');
}

void trace_print_entry(GString *out, const struct machine *m, const struct trace_entry *e, int cpu)
{
	uint64_t usecs = e->ts_ns / 1000;

	g_string_append_printf(out, "%16s-%-7d [%03d] ", e->comm, e->pid, cpu);
	put_lat_fmt(out, e->flags);
	g_string_append_printf(out, " %5llu.%06llu: ", (unsigned long long)(usecs / 1000000),
			       (unsigned long long)(usecs % 1000000));
	if (e->id < 0) {
		g_string_append(out, "tracing_mark_write: ");
		g_string_append(out, e->str);
		return;
	}
	g_string_append_printf(out, "%s: ", trace_events[e->id].name);
	trace_print_event_text(out, m, e);
	g_string_append_c(out, '\n');
}

void trace_print_header(GString *out, const struct machine *m, int cpu)
{
	const struct trace_array *tr = m->trace;
	unsigned long entries = 0, written = 0;

	for (int c = 0; c < tr->nr_cpus; c++) {
		if (cpu >= 0 && c != cpu)
			continue;
		entries += tr->cpu[c].len;
		written += tr->cpu[c].len + tr->cpu[c].overrun;
	}
	g_string_append(out, "# tracer: nop\n#\n");
	g_string_append_printf(out, "# entries-in-buffer/entries-written: %lu/%lu   #P:%d\n#\n", entries, written,
			       m->nr_cpus);
	g_string_append(out,
			"#                                _-----=> irqs-off/BH-disabled\n"
			"#                               / _----=> need-resched\n"
			"#                              | / _---=> hardirq/softirq\n"
			"#                              || / _--=> preempt-depth\n"
			"#                              ||| / _-=> migrate-disable\n"
			"#                              |||| /     delay\n"
			"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
			"#              | |         |   |||||     |         |\n");
}

static void put_field(GString *out, const char *type, const char *name, unsigned int off, unsigned int size,
		      bool sign)
{
	g_string_append_printf(out, "\tfield:%s %s;\toffset:%u;\tsize:%u;\tsigned:%d;\n", type, name, off, size, sign);
}

void trace_print_format(GString *out, int id)
{
	const struct trace_event_call *call = &trace_events[id];
	const char *fmt = call->print_fmt, *hole;
	static const char gfp_token[] = "show_gfp_flags(REC->";

	g_string_append_printf(out, "name: %s\nID: %d\nformat:\n", call->name, trace_event_id_number(id));
	put_field(out, "unsigned short", "common_type", 0, 2, false);
	put_field(out, "unsigned char", "common_flags", 2, 1, false);
	put_field(out, "unsigned char", "common_preempt_count", 3, 1, false);
	put_field(out, "int", "common_pid", 4, 4, true);
	g_string_append_c(out, '\n');
	for (int i = 0; i < call->nr_fields; i++) {
		const struct trace_field *f = &call->fields[i];
		g_autofree char *type = NULL;
		const char *br = strchr(f->type, '[');

		/* an array's brackets go after its name: "char comm[16]" */
		if (br && !g_str_has_prefix(f->type, "__data_loc")) {
			type = g_strndup(f->type, (gsize)(br - f->type));
			g_autofree char *name = g_strconcat(f->name, br, NULL);

			put_field(out, type, name, trace_field_offset(id, i), f->size, f->is_signed);
			continue;
		}
		put_field(out, f->type, f->name, trace_field_offset(id, i), f->size, f->is_signed);
	}
	g_string_append(out, "\nprint fmt: ");
	while ((hole = strstr(fmt, gfp_token))) {
		const char *field = hole + strlen(gfp_token);
		int len = (int)strcspn(field, ")");

		g_string_append_len(out, fmt, hole - fmt);
		gfp_print_fmt(out, field, len);
		fmt = field + len + (field[len] == ')');
	}
	g_string_append(out, fmt);
	g_string_append_c(out, '\n');
}
