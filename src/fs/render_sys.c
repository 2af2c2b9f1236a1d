/*
 * The sysfs files of sys/devices/system/{node,cpu}: node state masks, each
 * node's meminfo, numastat, vmstat, distance and cpus, the cpu masks and
 * each cpu's topology, in Linux 6.18's formats (drivers/base/node.c,
 * drivers/base/cpu.c, drivers/base/topology.c).
 *
 * Simplifies: every possible node and cpu is online and present (no
 * hotplug); a node is one package whose cpus are its cores, without SMT.
 */
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/hugetlb.h"

/* ------------------------------------------------------------------ */
/* node masks                                                          */
/* ------------------------------------------------------------------ */

/* N_MEMORY: the node has present pages (free_area_init) */
static bool node_has_memory(const pg_data_t *pgdat)
{
	return pgdat->node_present_pages != 0;
}

/* N_NORMAL_MEMORY: memory in a zone up to ZONE_NORMAL (check_for_memory) */
static bool node_has_normal_memory(const pg_data_t *pgdat)
{
	for (int zid = 0; zid <= ZONE_NORMAL; zid++)
		if (populated_zone(&pgdat->node_zones[zid]))
			return true;
	return false;
}

static bool node_in_state(const struct machine *m, int nid, const char *state)
{
	const pg_data_t *pgdat = NODE_DATA(m, nid);

	if (!strcmp(state, "has_memory"))
		return node_has_memory(pgdat);
	if (!strcmp(state, "has_normal_memory"))
		return node_has_normal_memory(pgdat);
	if (!strcmp(state, "has_cpu"))
		return node_nr_cpus(m, nid) > 0;
	return true;  /* online, possible */
}

/* drivers/base/node.c print_nodes_state: "%*pbl\n" over nr_node_ids */
void render_node_state(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned char bits[BITMAP_BYTES(MAX_NUMNODES)] = { 0 };

	for_each_online_node(m, nid)
		if (node_in_state(m, nid, ctx->name))
			bitmap_set_bit(bits, nid);
	render_cpulist(out, bits, m->nr_nodes);
	g_string_append_c(out, '\n');
}

/* ------------------------------------------------------------------ */
/* nodeN/meminfo, numastat, vmstat, distance                           */
/* ------------------------------------------------------------------ */

static void node_meminfo_lru(GString *out, const char *pfx, const struct meminfo_pages *mi)
{
	show_val_kb(out, pfx, "MemTotal:", mi->total);
	show_val_kb(out, pfx, "MemFree:", mi->free);
	show_val_kb(out, pfx, "MemUsed:", mi->total - MIN(mi->free, mi->total));
	show_val_kb(out, pfx, "SwapCached:", mi->swapcached);
	show_val_kb(out, pfx, "Active:", mi->active_anon + mi->active_file);
	show_val_kb(out, pfx, "Inactive:", mi->inactive_anon + mi->inactive_file);
	show_val_kb(out, pfx, "Active(anon):", mi->active_anon);
	show_val_kb(out, pfx, "Inactive(anon):", mi->inactive_anon);
	show_val_kb(out, pfx, "Active(file):", mi->active_file);
	show_val_kb(out, pfx, "Inactive(file):", mi->inactive_file);
	show_val_kb(out, pfx, "Unevictable:", mi->unevictable);
	show_val_kb(out, pfx, "Mlocked:", mi->mlocked);
}

static void node_meminfo_kernel(GString *out, const char *pfx, const struct meminfo_pages *mi)
{
	show_val_kb(out, pfx, "Dirty:", mi->dirty);
	show_val_kb(out, pfx, "Writeback:", mi->writeback);
	show_val_kb(out, pfx, "FilePages:", mi->file);
	show_val_kb(out, pfx, "Mapped:", mi->mapped);
	show_val_kb(out, pfx, "AnonPages:", mi->anon);
	show_val_kb(out, pfx, "Shmem:", mi->shmem);
	show_kb(out, pfx, "KernelStack:", mi->kernel_stack_kb);
	show_val_kb(out, pfx, "PageTables:", mi->pagetables);
	show_val_kb(out, pfx, "SecPageTables:", mi->sec_pagetables);
	show_val_kb(out, pfx, "NFS_Unstable:", 0);
	show_val_kb(out, pfx, "Bounce:", 0);
	show_val_kb(out, pfx, "WritebackTmp:", 0);
	show_val_kb(out, pfx, "KReclaimable:", mi->kreclaimable);
	show_val_kb(out, pfx, "Slab:", mi->sreclaimable + mi->sunreclaim);
	show_val_kb(out, pfx, "SReclaimable:", mi->sreclaimable);
	show_val_kb(out, pfx, "SUnreclaim:", mi->sunreclaim);
	show_val_kb(out, pfx, "AnonHugePages:", mi->anon_thps);
	show_val_kb(out, pfx, "ShmemHugePages:", mi->shmem_thps);
	show_val_kb(out, pfx, "ShmemPmdMapped:", mi->shmem_pmdmapped);
	show_val_kb(out, pfx, "FileHugePages:", mi->file_thps);
	show_val_kb(out, pfx, "FilePmdMapped:", mi->file_pmdmapped);
}

/* drivers/base/node.c node_read_meminfo */
void render_node_meminfo(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct meminfo_pages mi;
	char pfx[32];
	int nid = ctx->node;

	g_snprintf(pfx, sizeof(pfx), "Node %d ", nid);
	meminfo_collect(m, nid, &mi);
	node_meminfo_lru(out, pfx, &mi);
	node_meminfo_kernel(out, pfx, &mi);
	/* hugetlb_report_node_meminfo: the default pool's share on the node */
	g_string_append_printf(out,
			       "Node %d HugePages_Total: %5lu\n"
			       "Node %d HugePages_Free:  %5lu\n"
			       "Node %d HugePages_Surp:  %5lu\n",
			       nid, default_hstate(m)->nr_huge_pages_node[nid], nid,
			       default_hstate(m)->free_huge_pages_node[nid], nid,
			       default_hstate(m)->surplus_huge_pages_node[nid]);
}

/* node_read_numastat: the kernel's older names for the NUMA events */
void render_node_numastat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	int nid = ctx->node;

	g_string_append_printf(out,
			       "numa_hit %lu\n"
			       "numa_miss %lu\n"
			       "numa_foreign %lu\n"
			       "interleave_hit %lu\n"
			       "local_node %lu\n"
			       "other_node %lu\n",
			       stat_numa(m, nid, NUMA_HIT), stat_numa(m, nid, NUMA_MISS),
			       stat_numa(m, nid, NUMA_FOREIGN), stat_numa(m, nid, NUMA_INTERLEAVE_HIT),
			       stat_numa(m, nid, NUMA_LOCAL), stat_numa(m, nid, NUMA_OTHER));
}

/* node_read_vmstat */
void render_node_vmstat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	render_vmstat_counters(out, m, ctx->node);
}

/* node_read_distance: the SLIT row, space separated */
void render_node_distance(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	for_each_online_node(m, i)
		g_string_append_printf(out, i ? " %d" : "%d", m->node_distance[ctx->node][i]);
	g_string_append_c(out, '\n');
}

/* ------------------------------------------------------------------ */
/* cpus                                                                */
/* ------------------------------------------------------------------ */

/* The cpus of node nid, or all of them for NODE_ALL. */
static void cpus_of_node(const struct machine *m, int nid, unsigned char *bits)
{
	memset(bits, 0, BITMAP_BYTES(NR_CPUS));
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (nid == NODE_ALL || cpu_to_node(m, cpu) == nid)
			bitmap_set_bit(bits, cpu);
}

/* node_read_cpulist: "%*pbl\n" over nr_cpu_ids */
void render_node_cpulist(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned char bits[BITMAP_BYTES(NR_CPUS)];

	cpus_of_node(m, ctx->node, bits);
	render_cpulist(out, bits, m->nr_cpus);
	g_string_append_c(out, '\n');
}

/* node_read_cpumap: "%*pb\n" over nr_cpu_ids */
void render_node_cpumap(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned char bits[BITMAP_BYTES(NR_CPUS)];

	cpus_of_node(m, ctx->node, bits);
	render_cpumask(out, bits, m->nr_cpus);
	g_string_append_c(out, '\n');
}

/* drivers/base/cpu.c show_cpus_attr: online, possible, present */
void render_cpu_state(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	unsigned char bits[BITMAP_BYTES(NR_CPUS)];

	cpus_of_node(m, NODE_ALL, bits);
	render_cpulist(out, bits, m->nr_cpus);
	g_string_append_c(out, '\n');
}

/* drivers/base/topology.c: the package is the node, the core its index */
void render_cpu_topology(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	int cpu = ctx->cpu;

	if (!strcmp(ctx->name, "physical_package_id"))
		g_string_append_printf(out, "%d\n", cpu_to_node(m, cpu));
	else
		g_string_append_printf(out, "%d\n", cpu_core_id(m, cpu));
}
