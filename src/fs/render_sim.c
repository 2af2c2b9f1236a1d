/*
 * sim/log and sim/machine: what Linux has no file for.
 */
#include "layout_handlers.h"

void render_log(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_len(out, m->log->str, (gssize)m->log->len);
}

/* The simulated hardware, as a GLib key file a preset could be made from */
void render_machine(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct machine_config *cfg = &m->cfg;

	(void)ctx;
	g_string_append_printf(out, "[machine]\npreset=%s\nmem=%luK\nnodes=%d\ncpus=%d\nswap=%luK\n",
			       cfg->name, (unsigned long)(cfg->mem_bytes >> 10), m->nr_nodes, m->nr_cpus,
			       (unsigned long)(cfg->swap_bytes >> 10));
	g_string_append_printf(out, "movablecore=%luK\nkernel_reserved=%luK\nclock=%s\nseed=%lu\n",
			       (unsigned long)(cfg->movable_bytes >> 10),
			       (unsigned long)(cfg->kernel_reserved_bytes >> 10),
			       cfg->manual_clock ? "manual" : "realtime", (unsigned long)cfg->seed);
	g_string_append_printf(out, "cpu_model=%s\ncpu_mhz=%u\npdpe1gb=%s\nmax_pfn=%#lx\nsections=%lu\nsections_with_memmap=%lu\n",
			       cfg->cpu_model, cfg->cpu_mhz, cfg->pdpe1gb ? "true" : "false", m->max_pfn, m->nr_sections, m->nr_memmap_sections);
	for (int nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];

		g_string_append_printf(out, "\n[node%d]\nstart_pfn=%#lx\nspanned_pages=%lu\npresent_pages=%lu\n",
				       nid, pgdat->node_start_pfn, pgdat->node_spanned_pages,
				       pgdat->node_present_pages);
		g_string_append_printf(out, "reserved_pages=%lu\nmemmap_pages=%lu\ncpus=", pgdat->nr_reserved_boot,
				       pgdat->nr_memmap_boot);
		for (int cpu = 0, first = 1; cpu < m->nr_cpus; cpu++) {
			if (cpu_to_node(m, cpu) != nid)
				continue;
			g_string_append_printf(out, "%s%d", first ? "" : ";", cpu);
			first = 0;
		}
		g_string_append_c(out, '\n');
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			g_string_append_printf(out, "zone_%s=%#lx-%#lx\n", zone->name, zone->zone_start_pfn,
					       zone_end_pfn(zone));
		}
	}
}
