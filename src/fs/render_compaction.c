/*
 * The files of compaction: proc/sys/vm/compact_memory, the per-node
 * sys/devices/system/node/nodeN/compact, debugfs's extfrag/unusable_index
 * and extfrag/extfrag_index (mm/vmstat.c's formats), and sim/fragmentation,
 * the model's picture of each zone's pageblocks.
 */
#include <errno.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "mmsim/compaction.h"

/* proc/sys/vm/compact_memory: mode 0200, never read (EACCES at open) */
void render_compact_memory(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

/* sysctl_compaction_handler: proc_dointvec, then only 1 compacts */
int write_compact_memory(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	long val;

	(void)ctx;
	(void)reply;
	if (parse_int_strict(buf, len, &val) || val != 1) {
		g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
		g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

		printk(m, "sysctl: compact_memory: invalid value '%s' (only 1 compacts)", shown);
		return -EINVAL;
	}
	m->sysctl.compact_memory = 1;
	compact_nodes(m);
	return 0;
}

/* nodeN/compact (compact_store): write-only; any write compacts the node */
void render_node_compact(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

int write_node_compact(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	(void)buf;
	(void)len;
	(void)reply;
	if (ctx->node >= 0 && ctx->node < m->nr_nodes)
		compact_node(m, ctx->node);
	return 0;
}

/* walk_zones_in_node over the nodes with memory, populated zones only */
static void extfrag_show(struct machine *m, GString *out, bool fragindex)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		if (!pgdat->node_present_pages)
			continue;
		for_each_zone_in_node(pgdat, zone) {
			if (!populated_zone(zone))
				continue;
			g_string_append_printf(out, "Node %d, zone %8s ", nid, zone_names[zone->zone_idx]);
			for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
				struct contig_page_info info;
				int index;

				fill_contig_page_info(zone, order, &info);
				index = fragindex ? __fragmentation_index(order, &info) : unusable_free_index(order, &info);
				g_string_append_printf(out, fragindex ? "%2d.%03d " : "%d.%03d ", index / 1000,
						       index % 1000);
			}
			g_string_append_c(out, '\n');
		}
	}
}

/* debugfs extfrag/unusable_index (unusable_show_print) */
void render_extfrag_unusable_index(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	extfrag_show(m, out, false);
}

/* debugfs extfrag/extfrag_index (extfrag_show_print) */
void render_extfrag_index(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	extfrag_show(m, out, true);
}

/* ---- sim/fragmentation ---- */

#define FRAG_ROW_BLOCKS 64  /* pageblocks per row: 128 MiB, one section */

static const char pageblock_char[NR_PAGEBLOCK_USAGE] = {
	[PB_FREE] = '.',
	[PB_MOVABLE] = 'M',
	[PB_MOVABLE_PARTIAL] = 'm',
	[PB_UNMOVABLE] = 'U',
	[PB_UNMOVABLE_PARTIAL] = 'u',
	[PB_RECLAIMABLE] = 'R',
	[PB_RECLAIMABLE_PARTIAL] = 'r',
	[PB_MIXED] = 'X',
	[PB_RESERVED] = '#',
};

static const char *const pageblock_what[NR_PAGEBLOCK_USAGE] = {
	[PB_FREE] = "free",
	[PB_MOVABLE] = "movable",
	[PB_MOVABLE_PARTIAL] = "movable+free",
	[PB_UNMOVABLE] = "unmovable",
	[PB_UNMOVABLE_PARTIAL] = "unmovable+free",
	[PB_RECLAIMABLE] = "reclaimable",
	[PB_RECLAIMABLE_PARTIAL] = "reclaimable+free",
	[PB_MIXED] = "mixed",
	[PB_RESERVED] = "reserved",
};

static void frag_zone(struct machine *m, struct zone *zone, GString *out)
{
	unsigned long start = zone->zone_start_pfn & ~(pageblock_nr_pages - 1), end = zone_end_pfn(zone);
	unsigned long counts[NR_PAGEBLOCK_USAGE] = { 0 };
	struct contig_page_info info;

	fill_contig_page_info(zone, pageblock_order, &info);
	g_string_append_printf(out, "Node %d, zone %s: pfn 0x%lx-0x%lx, %lu free pages, %lu free %lu-page blocks\n",
			       zone->zone_pgdat->node_id, zone_names[zone->zone_idx], zone->zone_start_pfn, end,
			       info.free_pages, info.free_blocks_suitable, pageblock_nr_pages);
	for (unsigned long row = start; row < end; row += FRAG_ROW_BLOCKS * pageblock_nr_pages) {
		g_string_append_printf(out, "%#010lx ", row);
		for (unsigned long pfn = row; pfn < end && pfn < row + FRAG_ROW_BLOCKS * pageblock_nr_pages;
		     pfn += pageblock_nr_pages) {
			enum pageblock_usage u = pageblock_usage(m, pfn);

			counts[u]++;
			g_string_append_c(out, pageblock_char[u]);
		}
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "blocks:");
	for (int u = 0; u < NR_PAGEBLOCK_USAGE; u++)
		g_string_append_printf(out, " %c %s %lu%s", pageblock_char[u], pageblock_what[u], counts[u],
				       u + 1 < NR_PAGEBLOCK_USAGE ? "," : "\n");
}

void render_fragmentation(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "# one character per %lu KiB pageblock, %d per row:", pageblock_nr_pages * PAGE_SIZE >> 10,
			       FRAG_ROW_BLOCKS);
	for (int u = 0; u < NR_PAGEBLOCK_USAGE; u++)
		g_string_append_printf(out, " %c %s", pageblock_char[u], pageblock_what[u]);
	g_string_append_c(out, '\n');
	for_each_online_node(m, nid)
		for_each_zone_in_node(NODE_DATA(m, nid), zone)
			if (populated_zone(zone))
				frag_zone(m, zone, out);
}
