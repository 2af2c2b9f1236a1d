/*
 * memory.stat and the memcg OOM report (mm/memcontrol.c's
 * memory_stat_format and mem_cgroup_print_oom_meminfo).
 *
 * Models: 6.18's keys in 6.18's order, states in bytes and events in
 *   counts, hierarchical (the memcg and its descendants); the page states
 *   from a walk of the charged pages (mem_cgroup_page_stats); pgscan and
 *   pgsteal as memcg reclaim counts them.
 * Simplifies: kernel memory (slab, stacks, page tables, percpu, sock,
 *   vmalloc) is not charged, so its keys are 0; no zswap, no THP; the
 *   workingset, fault and other per-memcg events are not counted (0).
 */
#include <string.h>

#include "mmsim/cgroup.h"
#include "mmsim/memcontrol.h"
#include "mm_internal.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* The state keys in order: which page stat (or -1: always 0) */
static const struct {
	const char *name;
	int item;
} memory_stats[] = {
	{ "anon", MS_ANON },
	{ "file", MS_FILE },
	{ "kernel", MS_KERNEL },
	{ "kernel_stack", -1 },
	{ "pagetables", -1 },
	{ "sec_pagetables", -1 },
	{ "percpu", -1 },
	{ "sock", -1 },
	{ "vmalloc", -1 },
	{ "shmem", MS_SHMEM },
	{ "zswap", -1 },
	{ "zswapped", -1 },
	{ "file_mapped", MS_FILE_MAPPED },
	{ "file_dirty", MS_FILE_DIRTY },
	{ "file_writeback", MS_FILE_WRITEBACK },
	{ "swapcached", MS_SWAPCACHED },
	{ "anon_thp", -1 },
	{ "file_thp", -1 },
	{ "shmem_thp", -1 },
	{ "inactive_anon", MS_INACTIVE_ANON },
	{ "active_anon", MS_ACTIVE_ANON },
	{ "inactive_file", MS_INACTIVE_FILE },
	{ "active_file", MS_ACTIVE_FILE },
	{ "unevictable", MS_UNEVICTABLE },
	{ "slab_reclaimable", -1 },
	{ "slab_unreclaimable", -1 },
};

/* The page-count keys after the states (none counted per memcg) */
static const char *const memory_counts[] = {
	"workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon",
	"workingset_activate_file", "workingset_restore_anon", "workingset_restore_file",
	"workingset_nodereclaim", "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged",
	"pgdemote_proactive", "pgpromote_success",
};

/* memcg_vm_event_stat after pgscan and pgsteal: which memcg event, or -1 */
static const struct {
	const char *name;
	int item;
} memcg_vm_event_stat[] = {
	{ "pswpin", -1 },
	{ "pswpout", -1 },
	{ "pgscan_kswapd", -1 },
	{ "pgscan_direct", MEMCG_PGSCAN_DIRECT },
	{ "pgscan_khugepaged", -1 },
	{ "pgscan_proactive", MEMCG_PGSCAN_PROACTIVE },
	{ "pgsteal_kswapd", -1 },
	{ "pgsteal_direct", MEMCG_PGSTEAL_DIRECT },
	{ "pgsteal_khugepaged", -1 },
	{ "pgsteal_proactive", MEMCG_PGSTEAL_PROACTIVE },
	{ "pgfault", -1 },
	{ "pgmajfault", -1 },
	{ "pgrefill", -1 },
	{ "pgactivate", -1 },
	{ "pgdeactivate", -1 },
	{ "pglazyfree", -1 },
	{ "pglazyfreed", -1 },
	{ "swpin_zero", -1 },
	{ "swpout_zero", -1 },
	{ "zswpin", -1 },
	{ "zswpout", -1 },
	{ "zswpwb", -1 },
	{ "thp_fault_alloc", -1 },
	{ "thp_collapse_alloc", -1 },
	{ "thp_swpout", -1 },
	{ "thp_swpout_fallback", -1 },
	{ "numa_pages_migrated", -1 },
	{ "numa_pte_updates", -1 },
	{ "numa_hint_faults", -1 },
};

void memory_stat_format(struct machine *m, struct mem_cgroup *memcg, GString *out)
{
	unsigned long(*per_node)[NR_MEMCG_PAGE_STAT] = g_malloc0(sizeof(*per_node) * MAX_NUMNODES);
	unsigned long st[NR_MEMCG_PAGE_STAT] = { 0 };

	mem_cgroup_page_stats(m, memcg, per_node);
	for (int nid = 0; nid < m->nr_nodes; nid++)
		for (int i = 0; i < NR_MEMCG_PAGE_STAT; i++)
			st[i] += per_node[nid][i];
	g_free(per_node);
	for (gsize i = 0; i < G_N_ELEMENTS(memory_stats); i++) {
		unsigned long pages = memory_stats[i].item >= 0 ? st[memory_stats[i].item] : 0;

		g_string_append_printf(out, "%s %lu\n", memory_stats[i].name, pages * PAGE_SIZE);
		if (!strcmp(memory_stats[i].name, "slab_unreclaimable"))
			g_string_append(out, "slab 0\nhugetlb 0\n");
	}
	for (gsize i = 0; i < G_N_ELEMENTS(memory_counts); i++)
		g_string_append_printf(out, "%s 0\n", memory_counts[i]);
	g_string_append_printf(out, "pgscan %lu\npgsteal %lu\n", memcg->vm_events[MEMCG_PGSCAN],
			       memcg->vm_events[MEMCG_PGSTEAL]);
	for (gsize i = 0; i < G_N_ELEMENTS(memcg_vm_event_stat); i++) {
		int item = memcg_vm_event_stat[i].item;

		g_string_append_printf(out, "%s %lu\n", memcg_vm_event_stat[i].name,
				       item >= 0 ? memcg->vm_events[item] : 0UL);
	}
}

/* mem_cgroup_print_oom_meminfo: the memory and swap counters, then
 * memory.stat under "Memory cgroup stats for PATH:" */
void mem_cgroup_print_oom_meminfo(struct machine *m, struct mem_cgroup *memcg)
{
	g_autoptr(GString) stat = g_string_new(NULL);
	g_autofree char *path = cgroup_path_dup(memcg->css);
	gchar **lines;

	printk(m, "memory: usage %lukB, limit %lukB, failcnt %lu", K(memcg->memory.usage), K(memcg->memory.max),
	       memcg->memory.failcnt);
	printk(m, "swap: usage %lukB, limit %lukB, failcnt %lu", K(memcg->swap.usage), K(memcg->swap.max),
	       memcg->swap.failcnt);
	printk(m, "Memory cgroup stats for %s:", path);
	memory_stat_format(m, memcg, stat);
	lines = g_strsplit(stat->str, "\n", -1);
	for (int i = 0; lines[i]; i++)
		if (lines[i][0])
			printk(m, "%s", lines[i]);
	g_strfreev(lines);
}
