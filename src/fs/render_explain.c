/*
 * sim/explain/: the kernel's formula behind a derived value, with today's
 * operands filled in and the result the real file shows.
 *
 * Every number here comes from the engine function the kernel-format file
 * uses (si_mem_available_ops, zone_wmark_ops, lowmem_reserve_ops,
 * vm_commit_limit_ops, global_dirty_limits_ops, fill_contig_page_info and
 * the extfrag indexes): the renderer only prints the operands those
 * functions filled in, so an explanation cannot drift from its file.  Each
 * file ends with one or more lines
 *     result: FILE KEY VALUE
 * where FILE is the path of the real file and KEY VALUE what it shows.
 * The per-process explanations are in render_explain_pid.c.
 */
#include <stdarg.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "render_explain.h"
#include "mmsim/compaction.h"
#include "mmsim/explain.h"

void explain_result(GString *out, const char *file, const char *fmt, ...)
{
	va_list ap;

	g_string_append_printf(out, "result: %s ", file);
	va_start(ap, fmt);
	g_string_append_vprintf(out, fmt, ap);
	va_end(ap);
	g_string_append_c(out, '\n');
}

/* A meminfo line as proc/meminfo prints it, after "result: proc/meminfo " */
static void explain_meminfo_result(GString *out, const char *key, unsigned long pages)
{
	g_autoptr(GString) line = g_string_new(NULL);

	show_val_kb(line, "", key, pages);
	g_string_truncate(line, line->len - 1);
	explain_result(out, "proc/meminfo", "%s", line->str);
}

/* ------------------------------------------------------------------ */
/* meminfo                                                             */
/* ------------------------------------------------------------------ */

void render_explain_mem_available(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	struct mem_available_ops a;

	si_mem_available_ops(m, &a);
	g_string_append(out,
			"MemAvailable: how much memory a new workload can get without swapping\n"
			"(si_mem_available, mm/show_mem.c). Pages of 4 KiB.\n\n");
	g_string_append_printf(out,
			       "  available   = NR_FREE_PAGES - totalreserve_pages\n"
			       "              = %ld - %lu = %ld\n",
			       a.free, a.totalreserve, a.base);
	g_string_append_printf(out,
			       "  wmark_low   = the low watermarks of all zones, summed = %lu\n"
			       "  pagecache   = NR_ACTIVE_FILE + NR_INACTIVE_FILE = %ld\n"
			       "  pagecache  -= min(pagecache / 2, wmark_low)\n"
			       "              = %ld - min(%ld, %lu) = %ld - %ld = %ld\n",
			       a.wmark_low, a.file_lru, a.file_lru, a.file_lru / 2, a.wmark_low, a.file_lru,
			       a.file_kept, a.pagecache);
	g_string_append_printf(out,
			       "  reclaimable = NR_SLAB_RECLAIMABLE_B + NR_KERNEL_MISC_RECLAIMABLE\n"
			       "              = %ld + %ld = %ld\n"
			       "  reclaimable -= min(reclaimable / 2, wmark_low)\n"
			       "              = %ld - min(%ld, %lu) = %ld - %ld = %ld\n",
			       a.slab_reclaimable, a.misc_reclaimable, a.reclaimable_total, a.reclaimable_total,
			       a.reclaimable_total / 2, a.wmark_low, a.reclaimable_total, a.reclaimable_kept,
			       a.reclaimable);
	g_string_append_printf(out,
			       "  available  += pagecache + reclaimable\n"
			       "              = %ld + %ld + %ld = %ld\n"
			       "  available   = max(available, 0) = %ld pages = %lu kB\n\n",
			       a.base, a.pagecache, a.reclaimable, a.sum, a.available, K(a.available));
	explain_meminfo_result(out, "MemAvailable:", (unsigned long)a.available);
}

void render_explain_commit_limit(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	struct commit_limit_ops c;

	vm_commit_limit_ops(m, &c);
	g_string_append(out,
			"CommitLimit: what overcommit_memory=2 lets processes commit\n"
			"(vm_commit_limit, mm/util.c). Pages of 4 KiB.\n\n");
	if (c.overcommit_kbytes)
		g_string_append_printf(out,
				       "  overcommit_kbytes = %lu is set, so\n"
				       "  allowed = overcommit_kbytes / 4 = %lu\n",
				       c.overcommit_kbytes, c.ram_part);
	else
		g_string_append_printf(out,
				       "  overcommit_kbytes = 0, so overcommit_ratio = %d%% of RAM less hugetlb:\n"
				       "  allowed = (totalram_pages - hugetlb_total_pages) * overcommit_ratio / 100\n"
				       "          = (%lu - %lu) * %d / 100 = %lu * %d / 100 = %lu\n",
				       c.overcommit_ratio, c.totalram, c.hugetlb, c.overcommit_ratio, c.ram_less_hugetlb,
				       c.overcommit_ratio, c.ram_part);
	g_string_append_printf(out,
			       "  allowed += total_swap_pages\n"
			       "          = %lu + %lu = %lu pages = %lu kB\n\n",
			       c.ram_part, c.swap, c.limit, K(c.limit));
	explain_meminfo_result(out, "CommitLimit:", c.limit);
}

/* The processes in PID order with what each charged (mm->committed) */
static void explain_committed_by_task(struct machine *m, GString *out)
{
	g_autoptr(GArray) pids = task_pids(m);

	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));

		if (!t || !t->mm || t->tgid != t->pid || !t->mm->committed)
			continue;
		g_string_append_printf(out, "  %7d %-16s %10lu\n", t->pid, t->comm, t->mm->committed);
	}
}

void render_explain_committed_as(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	long committed = vm_memory_committed(m);

	g_string_append(out,
			"Committed_AS: the memory processes have been promised, charged when a\n"
			"private writable or shared anonymous mapping is made (__vm_enough_memory\n"
			"adds to vm_committed_as, mm/util.c) and given back at munmap and exit.\n"
			"Not what is in use: an untouched mmap counts in full. Pages of 4 KiB.\n\n"
			"      PID COMM              committed\n");
	explain_committed_by_task(m, out);
	g_string_append_printf(out, "  vm_committed_as = the sum above = %ld pages = %lu kB\n\n", committed,
			       K(MAX(committed, 0)));
	explain_meminfo_result(out, "Committed_AS:", (unsigned long)MAX(committed, 0));
}

/* ------------------------------------------------------------------ */
/* zoneinfo: watermarks and protection                                 */
/* ------------------------------------------------------------------ */

static const char *const wmark_key[NR_WMARK] = { "min", "low", "high", "promo" };

static void explain_zone_wmarks(struct machine *m, GString *out, const struct zone *z, unsigned long lowmem_pages)
{
	struct zone_wmark_ops w;

	zone_wmark_ops(m, z, lowmem_pages, &w);
	g_string_append_printf(out, "Node %d, zone %s: managed %lu pages, boost %lu\n", z->zone_pgdat->node_id,
			       zone_names[z->zone_idx], w.managed, z->watermark_boost);
	g_string_append_printf(out, "  share = pages_min * managed / lowmem_pages = %lu * %lu / %lu = %llu\n",
			       w.pages_min, w.managed, w.lowmem_pages, (unsigned long long)w.share);
	if (w.movable)
		g_string_append_printf(out, "  min   = clamp(managed / 1024, 32, 128) = %lu   (ZONE_MOVABLE)\n",
				       w.wmark[WMARK_MIN]);
	else
		g_string_append_printf(out, "  min   = share = %lu\n", w.wmark[WMARK_MIN]);
	g_string_append_printf(out,
			       "  gap   = max(share / 4, managed * watermark_scale_factor / 10000)\n"
			       "        = max(%llu, %lu * %d / 10000) = max(%llu, %llu) = %llu\n",
			       (unsigned long long)(w.share >> 2), w.managed, w.scale_factor,
			       (unsigned long long)(w.share >> 2), (unsigned long long)w.scaled,
			       (unsigned long long)w.gap);
	g_string_append_printf(out, "  low   = min + gap = %lu,  high = low + gap = %lu,  promo = high + gap = %lu\n",
			       w.wmark[WMARK_LOW], w.wmark[WMARK_HIGH], w.wmark[WMARK_PROMO]);
	g_string_append_printf(out, "  shown with the boost (min_wmark_pages ...): each + %lu\n", z->watermark_boost);
	for (int i = 0; i < NR_WMARK; i++)
		explain_result(out, "proc/zoneinfo", "Node %d, zone %s: %s %lu", z->zone_pgdat->node_id, zone_names[z->zone_idx],
			       wmark_key[i], w.wmark[i] + z->watermark_boost);
	g_string_append_c(out, '\n');
}

void render_explain_watermarks(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	unsigned long lowmem_pages = wmark_lowmem_pages(m);

	g_string_append_printf(out,
			       "Zone watermarks (__setup_per_zone_wmarks, mm/page_alloc.c). Pages of 4 KiB.\n"
			       "min_free_kbytes = %d, so pages_min = %d / 4 = %lu, spread over the zones by size;\n"
			       "lowmem_pages = managed pages of every zone but Movable = %lu.\n"
			       "Below low kswapd wakes, it sleeps again above high; below min only atomic\n"
			       "and reclaiming allocations go on. A fragmenting fallback boosts them all\n"
			       "(watermark_boost_factor = %d) until kswapd has reclaimed the boost.\n\n",
			       m->sysctl.min_free_kbytes, m->sysctl.min_free_kbytes,
			       (unsigned long)m->sysctl.min_free_kbytes >> (PAGE_SHIFT - 10), lowmem_pages,
			       m->sysctl.watermark_boost_factor);
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			explain_zone_wmarks(m, out, zone, lowmem_pages);
}

static void explain_zone_protection(struct machine *m, GString *out, const pg_data_t *pgdat, int i)
{
	const struct zone *z = &pgdat->node_zones[i];
	g_autoptr(GString) row = g_string_new(NULL);

	g_string_append_printf(out, "Node %d, zone %s: managed %lu pages, lowmem_reserve_ratio %d\n", pgdat->node_id,
			       zone_names[i], z->managed_pages, i < MAX_NR_ZONES - 1 ? m->sysctl.lowmem_reserve_ratio[i] : 0);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct lowmem_reserve_ops r = { 0 };

		if (j > i && i < MAX_NR_ZONES - 1) {
			lowmem_reserve_ops(m, pgdat, i, j, &r);
			if (r.clear)
				g_string_append_printf(out, "  [%d] %-8s = 0 (%s)\n", j, zone_names[j],
						       r.ratio ? "this zone is empty" : "ratio 0");
			else
				g_string_append_printf(out, "  [%d] %-8s = managed pages of the zones up to %s / ratio = %lu / %d = %ld\n",
						       j, zone_names[j], zone_names[j], r.managed_above, r.ratio, r.reserve);
		} else {
			g_string_append_printf(out, "  [%d] %-8s = 0 (not above this zone)\n", j, zone_names[j]);
		}
		g_string_append_printf(row, "%s%ld", j ? ", " : "", r.reserve);
	}
	explain_result(out, "proc/zoneinfo", "Node %d, zone %s: protection: (%s)", pgdat->node_id, zone_names[i],
		       row->str);
	g_string_append_c(out, '\n');
}

void render_explain_protection(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	g_string_append(out,
			"Lowmem reserves, zoneinfo's \"protection\" (setup_per_zone_lowmem_reserve,\n"
			"mm/page_alloc.c). Pages of 4 KiB. lowmem_reserve[j] of a zone is what an\n"
			"allocation that could have used the higher zone j must leave free in this\n"
			"one, on top of the watermark: the managed pages of the zones above, up to j,\n"
			"divided by this zone's lowmem_reserve_ratio.\n\n");
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES; i++)
			explain_zone_protection(m, out, pgdat, i);
	}
}

/* ------------------------------------------------------------------ */
/* vmstat: the dirty thresholds                                        */
/* ------------------------------------------------------------------ */

static void explain_dirtyable(GString *out, const struct dirty_limits_ops *d)
{
	g_string_append_printf(out,
			       "  available = global_dirtyable_memory()\n"
			       "            = NR_FREE_PAGES - min(NR_FREE_PAGES, totalreserve_pages)\n"
			       "              + NR_INACTIVE_FILE + NR_ACTIVE_FILE + 1\n"
			       "            = %lu - min(%lu, %lu) + %lu + 1 = %lu\n",
			       d->free, d->free, d->totalreserve, d->file_lru, d->avail);
}

void render_explain_dirty_threshold(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	struct dirty_limits_ops d;

	global_dirty_limits_ops(m, &d);
	g_string_append(out,
			"nr_dirty_threshold: dirty page cache above which a writer is throttled\n"
			"until writeback catches up (domain_dirty_limits, mm/page-writeback.c).\n"
			"Pages of 4 KiB; anonymous memory is not dirtyable.\n\n");
	if (d.dirty_bytes) {
		g_string_append_printf(out, "  dirty_bytes = %lu is set, so\n"
				       "  thresh = DIV_ROUND_UP(dirty_bytes, 4096) = %lu\n",
				       d.dirty_bytes, d.thresh);
	} else {
		explain_dirtyable(out, &d);
		g_string_append_printf(out,
				       "  ratio     = dirty_ratio * PAGE_SIZE / 100 = %d * 4096 / 100 = %lu\n"
				       "  thresh    = ratio * available / PAGE_SIZE = %lu * %lu / 4096 = %lu\n",
				       d.dirty_ratio, d.ratio, d.ratio, d.avail, d.thresh);
	}
	g_string_append_c(out, '\n');
	explain_result(out, "proc/vmstat", "nr_dirty_threshold %lu", d.thresh);
}

void render_explain_dirty_background_threshold(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED,
					       GString *out)
{
	struct dirty_limits_ops d;

	global_dirty_limits_ops(m, &d);
	g_string_append(out,
			"nr_dirty_background_threshold: dirty page cache above which the flusher\n"
			"starts writing back in the background (domain_dirty_limits,\n"
			"mm/page-writeback.c). Pages of 4 KiB.\n\n");
	if (d.bg_bytes) {
		g_string_append_printf(out, "  dirty_background_bytes = %lu is set, so\n"
				       "  bg_thresh = DIV_ROUND_UP(dirty_background_bytes, 4096) = %lu\n",
				       d.bg_bytes, d.bg_thresh_raw);
	} else {
		explain_dirtyable(out, &d);
		g_string_append_printf(out,
				       "  bg_ratio  = dirty_background_ratio * PAGE_SIZE / 100 = %d * 4096 / 100 = %lu\n"
				       "  bg_thresh = bg_ratio * available / PAGE_SIZE = %lu * %lu / 4096 = %lu\n",
				       d.bg_ratio, d.bg_ratio_pages, d.bg_ratio_pages, d.avail, d.bg_thresh_raw);
	}
	g_string_append_printf(out, "  thresh    = %lu (sim/explain/vmstat/nr_dirty_threshold)\n", d.thresh);
	if (d.halved)
		g_string_append_printf(out, "  bg_thresh >= thresh, so bg_thresh = thresh / 2 = %lu\n", d.bg_thresh);
	else
		g_string_append_printf(out, "  bg_thresh < thresh: kept, %lu\n", d.bg_thresh);
	g_string_append_c(out, '\n');
	explain_result(out, "proc/vmstat", "nr_dirty_background_threshold %lu", d.bg_thresh);
}

/* ------------------------------------------------------------------ */
/* extfrag                                                             */
/* ------------------------------------------------------------------ */

#define EXTFRAG_FILE "sys/kernel/debug/extfrag/"

static void explain_extfrag_zone(GString *out, const struct zone *z, bool fragindex)
{
	g_string_append_printf(out, "Node %d, zone %s: free blocks per order", z->zone_pgdat->node_id, zone_names[z->zone_idx]);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		g_string_append_printf(out, " %lu", z->free_area[o].nr_free);
	g_string_append_c(out, '\n');
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		struct contig_page_info info;
		int index;

		fill_contig_page_info(z, order, &info);
		g_string_append_printf(out, "  order %2u: free_pages %lu, free_blocks_total %lu, suitable %lu: ", order,
				       info.free_pages, info.free_blocks_total, info.free_blocks_suitable);
		if (fragindex) {
			index = __fragmentation_index(order, &info);
			if (!info.free_blocks_total)
				g_string_append(out, "no free block, 0\n");
			else if (info.free_blocks_suitable)
				g_string_append(out, "a block is free, -1000\n");
			else
				g_string_append_printf(out, "1000 - (1000 + %lu * 1000 / %lu) / %lu = %d\n",
						       info.free_pages, 1UL << order, info.free_blocks_total, index);
		} else {
			index = unusable_free_index(order, &info);
			if (!info.free_pages)
				g_string_append(out, "nothing free, 1000\n");
			else
				g_string_append_printf(out, "(%lu - %lu << %u) * 1000 / %lu = %d\n", info.free_pages,
						       info.free_blocks_suitable, order, info.free_pages, index);
		}
		explain_result(out, fragindex ? EXTFRAG_FILE "extfrag_index" : EXTFRAG_FILE "unusable_index",
			       "Node %d, zone %s: order %u %d.%03d", z->zone_pgdat->node_id, zone_names[z->zone_idx], order,
			       index / 1000, index % 1000);
	}
	g_string_append_c(out, '\n');
}

static void explain_extfrag(struct machine *m, GString *out, bool fragindex)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		if (!pgdat->node_present_pages)
			continue;
		for_each_zone_in_node(pgdat, zone)
			if (populated_zone(zone))
				explain_extfrag_zone(out, zone, fragindex);
	}
}

void render_explain_extfrag_index(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	g_string_append(out,
			"extfrag_index: why an allocation of an order would fail (__fragmentation_index,\n"
			"mm/vmstat.c), in thousandths: towards 0 for lack of memory (reclaim helps),\n"
			"towards 1000 for fragmentation (compaction helps); -1000 when a block of the\n"
			"order is free and it would not fail. Compaction is tried for costly orders\n"
			"only above extfrag_threshold. Per order:\n"
			"  index = 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total\n\n");
	explain_extfrag(m, out, true);
}

void render_explain_unusable_index(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	g_string_append(out,
			"unusable_index: the share of free memory in blocks too small for an order\n"
			"(unusable_free_index, mm/vmstat.c), in thousandths. Per order:\n"
			"  index = (free_pages - suitable_blocks << order) * 1000 / free_pages\n\n");
	explain_extfrag(m, out, false);
}

/* ------------------------------------------------------------------ */
/* get_scan_count                                                      */
/* ------------------------------------------------------------------ */

static const char *const scan_balance_name[] = {
	[SCAN_EQUAL] = "SCAN_EQUAL", [SCAN_FRACT] = "SCAN_FRACT", [SCAN_ANON] = "SCAN_ANON", [SCAN_FILE] = "SCAN_FILE",
};

static const char *const lru_name[] = { "inactive_anon", "active_anon", "inactive_file", "active_file" };

/* Why get_scan_count chose its balance, in its order of tests */
static void explain_scan_balance(GString *out, const struct scan_count_record *r)
{
	g_string_append_printf(out, "  balance: %s, because ", scan_balance_name[r->balance]);
	if (!r->may_swap)
		g_string_append(out, "anon pages cannot be reclaimed (no free swap space, or may_swap off)\n");
	else if (r->balance == SCAN_EQUAL)
		g_string_append(out, "priority 0 and swappiness > 0: scan everything equally\n");
	else if (r->file_is_tiny)
		g_string_append(out, "the file LRU is tiny (file + free <= the high watermarks): anon only\n");
	else if (r->cache_trim_mode)
		g_string_append(out, "cache_trim_mode: enough inactive file pages and no file refaults\n");
	else
		g_string_append(out, "none of the special cases hold: split by cost and swappiness\n");
	if (r->balance != SCAN_FRACT)
		return;
	g_string_append_printf(out,
			       "  total_cost = anon_cost + file_cost = %lu + %lu\n"
			       "  anon_cost' = total_cost + anon_cost = %llu,  file_cost' = total_cost + file_cost = %llu\n"
			       "  total_cost = anon_cost' + file_cost' = %llu\n",
			       r->anon_cost, r->file_cost, (unsigned long long)r->cost[0], (unsigned long long)r->cost[1],
			       (unsigned long long)(r->cost[0] + r->cost[1]));
	g_string_append_printf(out,
			       "  fraction[anon] = swappiness * (total_cost + 1) / (anon_cost' + 1) = %d * %llu / %llu = %llu\n"
			       "  fraction[file] = (200 - swappiness) * (total_cost + 1) / (file_cost' + 1) = %d * %llu / %llu = %llu\n"
			       "  denominator    = fraction[anon] + fraction[file] = %llu\n",
			       r->swappiness, (unsigned long long)(r->cost[0] + r->cost[1] + 1),
			       (unsigned long long)(r->cost[0] + 1), (unsigned long long)r->fraction[0], 200 - r->swappiness,
			       (unsigned long long)(r->cost[0] + r->cost[1] + 1), (unsigned long long)(r->cost[1] + 1),
			       (unsigned long long)r->fraction[1], (unsigned long long)r->denominator);
}

static void explain_scan_targets(GString *out, const struct scan_count_record *r)
{
	for (int lru = 0; lru < 4; lru++) {
		bool file = lru >= 2;

		g_string_append_printf(out, "  %-13s: size %lu >> priority %d = %lu", lru_name[lru], r->lru_size[lru],
				       r->priority, r->lru_size[lru] >> r->priority);
		if (r->balance == SCAN_FRACT)
			g_string_append_printf(out, ", * fraction[%s] / denominator = %lu\n", file ? "file" : "anon",
					       r->scan[lru]);
		else if ((r->balance == SCAN_FILE && !file) || (r->balance == SCAN_ANON && file))
			g_string_append_printf(out, ", not scanned = %lu\n", r->scan[lru]);
		else
			g_string_append_printf(out, " = %lu\n", r->scan[lru]);
	}
}

void render_explain_get_scan_count(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	g_string_append(out,
			"get_scan_count (mm/vmscan.c): at each reclaim pass over a node, how many\n"
			"pages of each LRU list to scan, splitting the work between anonymous\n"
			"memory (to swap) and page cache (to drop) by swappiness and by what\n"
			"reclaiming each has cost lately (lru_note_cost). The last pass per node;\n"
			"MGLRU (sys/kernel/mm/lru_gen/enabled) does not use it.\n\n");
	for_each_online_node(m, nid) {
		const struct scan_count_record *r = &m->node_data[nid]->last_scan_count;

		if (!r->runs) {
			g_string_append_printf(out, "Node %d: no reclaim yet\n\n", nid);
			continue;
		}
		g_string_append_printf(out,
				       "Node %d: pass %lu at %llu.%06llu s by %s, priority %d, swappiness %d\n",
				       nid, r->runs, (unsigned long long)(r->when_ns / NSEC_PER_SEC),
				       (unsigned long long)(r->when_ns % NSEC_PER_SEC / 1000),
				       r->kswapd ? "kswapd" : "direct reclaim", r->priority, r->swappiness);
		explain_scan_balance(out, r);
		explain_scan_targets(out, r);
		g_string_append_c(out, '\n');
	}
}
