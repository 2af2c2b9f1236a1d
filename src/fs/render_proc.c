/*
 * The system-wide files of proc/: meminfo, vmstat, buddyinfo, pagetypeinfo,
 * zoneinfo, stat, cpuinfo, uptime, loadavg, pressure/{memory,cpu,io} and
 * sys/kernel/{pid_max,osrelease}, byte for byte in Linux 6.18's formats
 * (fs/proc/meminfo.c, mm/vmstat.c, fs/proc/stat.c,
 * arch/x86/kernel/cpu/proc.c, fs/proc/uptime.c, fs/proc/loadavg.c,
 * kernel/sched/psi.c).
 *
 * Simplifies:
 *  - Keys whose mechanism the model does not have yet print 0:
 *    zswap, node_unreclaimable; VmallocChunk is 0 as on Linux.
 *  - Percpu is the first percpu chunk only (see PCPU_*), DirectMap assumes
 *    the boot-time direct mapping was never split (see direct_map_add).
 *  - /proc/stat: the model has no devices, so every per-IRQ column is 0;
 *    the only interrupts are the local APIC timer ticks (CONFIG_HZ per cpu,
 *    no NOHZ), which x86 counts in the "intr" total but in no column, and
 *    the TIMER softirq they raise.
 *  - cpuinfo describes one of two fixed x86-64 parts (Intel or AMD, picked
 *    from the preset's model name), with pdpe1gb as the preset says:
 *    hardware description, not simulation.
 *  - The vmstat "vm stats threshold" comes from the engine's
 *    calculate_normal_threshold (mm/vmstat.c), the dirty thresholds from
 *    its global_dirty_limits (mm/page-writeback.c).
 */
#include <string.h>

#include "mmsim/swap.h"
#include "mmsim/log2.h"
#include "mmsim/hugetlb.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/pagemap.h"
#include "mmsim/slab.h"

/* ------------------------------------------------------------------ */
/* meminfo                                                             */
/* ------------------------------------------------------------------ */

/* x86_64 with 4-level paging: the vmalloc area is 32 TiB (VMALLOC_SIZE_TB) */
#define VMALLOC_TOTAL ((32ULL << 40) - 1)


/*
 * The first percpu chunk, as the boot log of a Linux 6.18 x86-64 build
 * reports it ("percpu: Embedded 53 pages/cpu s185496 r0 d31592"): static
 * area, module reserve and PERCPU_DYNAMIC_RESERVE, page aligned, one unit
 * per cpu (pcpu_nr_pages).  Chunks added later on demand are not modelled.
 */
#define PCPU_STATIC_SIZE 185496UL
#define PCPU_RESERVED_SIZE 0UL
#define PERCPU_DYNAMIC_RESERVE (28UL << 10)

static unsigned long pcpu_nr_pages(const struct machine *m)
{
	unsigned long unit = PCPU_STATIC_SIZE + PCPU_RESERVED_SIZE + PERCPU_DYNAMIC_RESERVE;

	return (unsigned long)m->nr_cpus * ((unit + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* mm/swapfile.c: the usable slots of the enabled swap devices */
static unsigned long total_swap_pages(const struct machine *m)
{
	return (unsigned long)get_total_swap_pages(m);
}

#define SZ_1M (1ULL << 20)
#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)

/* bytes of the direct map per page size (direct_pages_count) */
struct direct_map {
	uint64_t map_4k, map_2m, map_1g;
};

/*
 * arch/x86/mm/init.c split_mem_range for one RAM range: 4k pages up to a
 * 2M boundary, 2M pages up to a 1G boundary, 1G pages, then 2M and 4k
 * tails.  Without gbpages (probe_page_size_mask leaves PG_LEVEL_1G out of
 * the mask when the CPU lacks X86_FEATURE_GBPAGES) 2M pages cover what 1G
 * pages would.  Later splits by set_memory_*() are not modelled.
 */
static void direct_map_add(struct direct_map *dm, bool gbpages, uint64_t start, uint64_t end)
{
	uint64_t head = MIN(ALIGN_UP(start, SZ_2M), end);
	uint64_t g_start, g_end;

	dm->map_4k += head - start;
	start = head;
	g_start = MIN(ALIGN_UP(start, SZ_1G), end);
	g_end = ALIGN_DOWN(end, SZ_1G);
	if (gbpages && g_end > g_start) {
		dm->map_2m += g_start - start;
		dm->map_1g += g_end - g_start;
		start = g_end;
	}
	dm->map_2m += ALIGN_DOWN(end, SZ_2M) - MIN(start, ALIGN_DOWN(end, SZ_2M));
	dm->map_4k += end - MAX(start, ALIGN_DOWN(end, SZ_2M));
}

/*
 * init_mem_mapping: the ISA range below 1 MiB with 4k pages, then every
 * RAM range above it.  RAM ranges are the runs of present sections.
 */
static void direct_map_count(const struct machine *m, struct direct_map *dm)
{
	const uint64_t sect = PAGES_PER_SECTION * PAGE_SIZE;
	unsigned long s = 0;

	memset(dm, 0, sizeof(*dm));
	dm->map_4k = SZ_1M;
	while (s < m->nr_sections) {
		unsigned long e;
		uint64_t start;

		if (m->sections[s].state == SECTION_ABSENT) {
			s++;
			continue;
		}
		for (e = s; e < m->nr_sections && m->sections[e].state != SECTION_ABSENT; e++)
			;
		start = MAX((uint64_t)s * sect, SZ_1M);
		direct_map_add(dm, m->cfg.pdpe1gb, start, (uint64_t)e * sect);
		s = e;
	}
}

static void meminfo_lru(GString *out, const struct meminfo_pages *mi)
{
	show_val_kb(out, "", "Active:", mi->active_anon + mi->active_file);
	show_val_kb(out, "", "Inactive:", mi->inactive_anon + mi->inactive_file);
	show_val_kb(out, "", "Active(anon):", mi->active_anon);
	show_val_kb(out, "", "Inactive(anon):", mi->inactive_anon);
	show_val_kb(out, "", "Active(file):", mi->active_file);
	show_val_kb(out, "", "Inactive(file):", mi->inactive_file);
	show_val_kb(out, "", "Unevictable:", mi->unevictable);
	show_val_kb(out, "", "Mlocked:", mi->mlocked);
}

static void meminfo_kernel(GString *out, const struct machine *m, const struct meminfo_pages *mi)
{
	show_val_kb(out, "", "Dirty:", mi->dirty);
	show_val_kb(out, "", "Writeback:", mi->writeback);
	show_val_kb(out, "", "AnonPages:", mi->anon);
	show_val_kb(out, "", "Mapped:", mi->mapped);
	show_val_kb(out, "", "Shmem:", mi->shmem);
	show_val_kb(out, "", "KReclaimable:", mi->kreclaimable);
	show_val_kb(out, "", "Slab:", mi->sreclaimable + mi->sunreclaim);
	show_val_kb(out, "", "SReclaimable:", mi->sreclaimable);
	show_val_kb(out, "", "SUnreclaim:", mi->sunreclaim);
	show_kb(out, "", "KernelStack:", mi->kernel_stack_kb);
	show_val_kb(out, "", "PageTables:", mi->pagetables);
	show_val_kb(out, "", "SecPageTables:", mi->sec_pagetables);
	show_val_kb(out, "", "NFS_Unstable:", 0);
	show_val_kb(out, "", "Bounce:", 0);
	show_val_kb(out, "", "WritebackTmp:", 0);
	show_val_kb(out, "", "CommitLimit:", vm_commit_limit(m));
	show_val_kb(out, "", "Committed_AS:", (unsigned long)MAX(vm_memory_committed(m), 0));
	show_kb(out, "", "VmallocTotal:", (unsigned long)(VMALLOC_TOTAL >> 10));
	show_val_kb(out, "", "VmallocUsed:", vmalloc_nr_pages(m));
	show_val_kb(out, "", "VmallocChunk:", 0);
	show_val_kb(out, "", "Percpu:", pcpu_nr_pages(m));
}

/* hugetlb_report_meminfo: the default pool, then every pool's memory */
static void hugetlb_report_meminfo(GString *out, struct machine *m)
{
	const struct hstate *h = default_hstate(m);

	g_string_append_printf(out,
			       "HugePages_Total:   %5lu\n"
			       "HugePages_Free:    %5lu\n"
			       "HugePages_Rsvd:    %5lu\n"
			       "HugePages_Surp:    %5lu\n"
			       "Hugepagesize:   %8lu kB\n",
			       h->nr_huge_pages, h->free_huge_pages, h->resv_huge_pages, h->surplus_huge_pages,
			       huge_page_size(h) >> 10);
	show_kb(out, "", "Hugetlb:", K(hugetlb_total_pages(m)));
}

static void meminfo_huge(GString *out, struct machine *m, const struct meminfo_pages *mi)
{
	show_val_kb(out, "", "AnonHugePages:", mi->anon_thps);
	show_val_kb(out, "", "ShmemHugePages:", mi->shmem_thps);
	show_val_kb(out, "", "ShmemPmdMapped:", mi->shmem_pmdmapped);
	show_val_kb(out, "", "FileHugePages:", mi->file_thps);
	show_val_kb(out, "", "FilePmdMapped:", mi->file_pmdmapped);
	show_val_kb(out, "", "Balloon:", mi->balloon);
	hugetlb_report_meminfo(out, m);
}

/*
 * arch/x86/mm/pat/set_memory.c arch_report_meminfo: DirectMap1G only when
 * the direct map may use 1G pages (direct_gbpages, cleared at boot on a
 * CPU without pdpe1gb).
 */
static void meminfo_directmap(GString *out, const struct machine *m)
{
	struct direct_map dm;

	direct_map_count(m, &dm);
	show_kb(out, "", "DirectMap4k:", (unsigned long)(dm.map_4k >> 10));
	show_kb(out, "", "DirectMap2M:", (unsigned long)(dm.map_2m >> 10));
	if (m->cfg.pdpe1gb)
		show_kb(out, "", "DirectMap1G:", (unsigned long)(dm.map_1g >> 10));
}

void render_meminfo(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	struct meminfo_pages mi;
	long available = si_mem_available(m);

	meminfo_collect(m, NODE_ALL, &mi);
	show_val_kb(out, "", "MemTotal:", mi.total);
	show_val_kb(out, "", "MemFree:", mi.free);
	show_val_kb(out, "", "MemAvailable:", available < 0 ? 0 : (unsigned long)available);
	show_val_kb(out, "", "Buffers:", mi.buffers);
	show_val_kb(out, "", "Cached:", mi.cached);
	show_val_kb(out, "", "SwapCached:", mi.swapcached);
	meminfo_lru(out, &mi);
	show_val_kb(out, "", "SwapTotal:", total_swap_pages(m));
	show_val_kb(out, "", "SwapFree:", (unsigned long)get_nr_swap_pages(m));
	show_val_kb(out, "", "Zswap:", 0);
	show_val_kb(out, "", "Zswapped:", 0);
	meminfo_kernel(out, m, &mi);
	meminfo_huge(out, m, &mi);
	meminfo_directmap(out, m);
}

/* ------------------------------------------------------------------ */
/* vmstat                                                              */
/* ------------------------------------------------------------------ */

static unsigned long memmap_boot_pages(const struct machine *m)
{
	unsigned long sum = 0;

	for_each_online_node(m, nid)
		sum += NODE_DATA(m, nid)->nr_memmap_boot;
	return sum;
}

/*
 * PGPGIN/PGPGOUT are counted in 512-byte sectors, as submit_bio counts
 * them, and printed in kB: vmstat_start halves them.
 */
static unsigned long vm_event_printed(const struct machine *m, enum vm_event_item item)
{
	unsigned long v = global_vm_event(m, item);

	return (item == PGPGIN || item == PGPGOUT) ? v / 2 : v;
}

void render_vmstat(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	unsigned long bg, dirty;

	render_vmstat_counters(out, m, NODE_ALL);
	global_dirty_limits(m, &bg, &dirty);
	g_string_append_printf(out, "nr_dirty_threshold %lu\n", dirty);
	g_string_append_printf(out, "nr_dirty_background_threshold %lu\n", bg);
	/* no memory hotplug: every mem_map was allocated at boot */
	g_string_append_printf(out, "nr_memmap_pages %lu\n", 0UL);
	g_string_append_printf(out, "nr_memmap_boot_pages %lu\n", memmap_boot_pages(m));
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		g_string_append_printf(out, "%s %lu\n", vm_event_name[i], vm_event_printed(m, i));
	/* deprecated, kept by the kernel for userspace that expects it */
	g_string_append(out, "nr_unstable 0\n");
}

/* ------------------------------------------------------------------ */
/* buddyinfo, pagetypeinfo                                             */
/* ------------------------------------------------------------------ */

/* Blocks of MAX_PAGE_ORDER in one pristine (wholly free) section */
#define PRISTINE_BLOCKS (PAGES_PER_SECTION >> MAX_PAGE_ORDER)

/*
 * Free blocks of one order and type: the list, plus the pristine sections,
 * which sit on the Movable list of the top order only as a count.
 */
static unsigned long free_list_count(const struct zone *z, int order, int mt)
{
	unsigned long n = z->free_area[order].nr_list[mt];

	if (order == MAX_PAGE_ORDER && mt == MIGRATE_MOVABLE)
		n += z->nr_pristine * PRISTINE_BLOCKS;
	return n;
}

static const char *zone_name(const pg_data_t *pgdat, const struct zone *z)
{
	return zone_names[z - pgdat->node_zones];
}

/* mm/vmstat.c frag_show_print */
void render_buddyinfo(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		for_each_zone_in_node(pgdat, z) {
			if (!populated_zone(z))
				continue;
			g_string_append_printf(out, "Node %d, zone %8s ", nid, zone_name(pgdat, z));
			for (int o = 0; o < NR_PAGE_ORDERS; o++)
				g_string_append_printf(out, "%6lu ", z->free_area[o].nr_free);
			g_string_append_c(out, '\n');
		}
	}
}

/*
 * pagetypeinfo_showfree_print.  The kernel walks each free list under the
 * zone lock and stops at 100000 entries, printing ">100000"; the model
 * knows the counts, and caps them the same way.
 */
static void pagetypeinfo_showfree(GString *out, pg_data_t *pgdat)
{
	g_string_append_printf(out, "%-43s ", "Free pages count per migrate type at order");
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		g_string_append_printf(out, "%6d ", o);
	g_string_append_c(out, '\n');

	for_each_zone_in_node(pgdat, z) {
		if (!populated_zone(z))
			continue;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			g_string_append_printf(out, "Node %4d, zone %8s, type %12s ", pgdat->node_id,
					       zone_name(pgdat, z), migratetype_names[mt]);
			for (int o = 0; o < NR_PAGE_ORDERS; o++) {
				unsigned long n = free_list_count(z, o, mt);

				if (n >= 100000)
					g_string_append_printf(out, ">%6lu ", 100000UL);
				else
					g_string_append_printf(out, "%6lu ", n);
			}
			g_string_append_c(out, '\n');
		}
	}
}

/* pagetypeinfo_showblockcount_print */
static void pagetypeinfo_showblockcount(GString *out, pg_data_t *pgdat)
{
	g_string_append_printf(out, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		g_string_append_printf(out, "%12s ", migratetype_names[mt]);
	g_string_append_c(out, '\n');

	for_each_zone_in_node(pgdat, z) {
		if (!populated_zone(z))
			continue;
		g_string_append_printf(out, "Node %d, zone %8s ", pgdat->node_id, zone_name(pgdat, z));
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			g_string_append_printf(out, "%12lu ", z->nr_pageblocks[mt]);
		g_string_append_c(out, '\n');
	}
}

/* pagetypeinfo_show: the whole report once per node with memory */
void render_pagetypeinfo(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		if (!pgdat->node_present_pages)
			continue;
		g_string_append_printf(out, "Page block order: %d\n", pageblock_order);
		g_string_append_printf(out, "Pages per block:  %lu\n", pageblock_nr_pages);
		g_string_append_c(out, '\n');
		pagetypeinfo_showfree(out, pgdat);
		pagetypeinfo_showblockcount(out, pgdat);
	}
}

/* ------------------------------------------------------------------ */
/* zoneinfo                                                            */
/* ------------------------------------------------------------------ */

/* is_zone_first_populated: the per-node stats print under this zone */
static bool is_zone_first_populated(const pg_data_t *pgdat, const struct zone *zone)
{
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		if (populated_zone(&pgdat->node_zones[zid]))
			return zone == &pgdat->node_zones[zid];
	return false;
}

static void zoneinfo_node_stats(GString *out, const struct machine *m, int nid)
{
	g_string_append(out, "\n  per-node stats");
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		g_string_append_printf(out, "\n      %-12s %lu", node_stat_name[i],
				       stat_node_printed(m, nid, i));
}

static void zoneinfo_watermarks(GString *out, const struct zone *z)
{
	g_string_append_printf(out,
			       "\n  pages free     %lu"
			       "\n        boost    %lu"
			       "\n        min      %lu"
			       "\n        low      %lu"
			       "\n        high     %lu"
			       "\n        promo    %lu"
			       "\n        spanned  %lu"
			       "\n        present  %lu"
			       "\n        managed  %lu"
			       "\n        cma      %lu",
			       (unsigned long)MAX(zone_page_state(z, NR_FREE_PAGES), 0L),
			       z->watermark_boost, min_wmark_pages(z), low_wmark_pages(z),
			       high_wmark_pages(z), wmark_pages(z, WMARK_PROMO), z->spanned_pages,
			       z->present_pages, z->managed_pages, z->cma_pages);
	g_string_append_printf(out, "\n        protection: (%ld", z->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		g_string_append_printf(out, ", %ld", z->lowmem_reserve[i]);
	g_string_append_c(out, ')');
}

static void zoneinfo_zone_stats(GString *out, const struct zone *z)
{
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		g_string_append_printf(out, "\n      %-12s %lu", zone_stat_name[i],
				       (unsigned long)MAX(zone_page_state(z, i), 0L));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		g_string_append_printf(out, "\n      %-12s %lu", numa_stat_name[i],
				       z->vm_numa_event[i]);
}

static void zoneinfo_pagesets(GString *out, const struct machine *m, const struct zone *z)
{
	static const struct per_cpu_pages none;
	int threshold = calculate_normal_threshold(m, z);

	g_string_append(out, "\n  pagesets");
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct per_cpu_pages *pcp = z->per_cpu_pageset ? &z->per_cpu_pageset[cpu] : &none;

		g_string_append_printf(out,
				       "\n    cpu: %i"
				       "\n              count:    %i"
				       "\n              high:     %i"
				       "\n              batch:    %i"
				       "\n              high_min: %i"
				       "\n              high_max: %i",
				       cpu, pcp->count, pcp->high, pcp->batch, pcp->high_min,
				       pcp->high_max);
		g_string_append_printf(out, "\n  vm stats threshold: %d", threshold);
	}
}

/* mm/vmstat.c zoneinfo_show_print */
static void zoneinfo_zone(GString *out, const struct machine *m, const pg_data_t *pgdat,
			  const struct zone *z)
{
	g_string_append_printf(out, "Node %d, zone %8s", pgdat->node_id, zone_name(pgdat, z));
	if (is_zone_first_populated(pgdat, z))
		zoneinfo_node_stats(out, m, pgdat->node_id);
	zoneinfo_watermarks(out, z);
	/* If unpopulated, no other information is useful */
	if (!populated_zone(z)) {
		g_string_append_c(out, '\n');
		return;
	}
	zoneinfo_zone_stats(out, z);
	zoneinfo_pagesets(out, m, z);
	/* kswapd_failures is not modelled: kswapd does not exist yet */
	g_string_append_printf(out,
			       "\n  node_unreclaimable:  %u"
			       "\n  start_pfn:           %lu",
			       0u, z->zone_start_pfn);
	g_string_append_c(out, '\n');
}

void render_zoneinfo(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		for_each_zone_in_node(pgdat, z)
			zoneinfo_zone(out, m, pgdat, z);
	}
}

/* ------------------------------------------------------------------ */
/* stat, uptime                                                        */
/* ------------------------------------------------------------------ */

#define NR_SOFTIRQS 10   /* HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET SCHED HRTIMER RCU */
#define TIMER_SOFTIRQ 1

static uint64_t jiffies_user_hz(const struct machine *m)
{
	return m->now_ns / (NSEC_PER_SEC / USER_HZ);
}

static uint64_t cpu_busy(const struct cpu_state *c)
{
	return c->user + c->nice + c->system + c->iowait + c->irq + c->softirq + c->steal;
}

/* A cpu is idle whenever the model has not accounted it busy. */
static uint64_t cpu_idle(const struct machine *m, int cpu)
{
	uint64_t now = jiffies_user_hz(m), busy = cpu_busy(&m->cpus[cpu]);

	return now > busy ? now - busy : 0;
}

/* Local APIC timer interrupts of one cpu: one per CONFIG_HZ jiffy. */
static uint64_t timer_ticks(const struct machine *m)
{
	return m->now_ns / (NSEC_PER_SEC / CONFIG_HZ);
}

/*
 * arch/x86/kernel/apic/vector.c arch_probe_nr_irqs for a PC with one
 * 24-pin IO-APIC and the 16 legacy PIC interrupts: the GSIs, the legacy
 * ones, 8 per cpu, and 16 per GSI for MSI; at most NR_VECTORS per cpu.
 */
static int nr_irqs(const struct machine *m)
{
	const int gsi_top = 24, nr_legacy = 16, nr_vectors = 256;
	int nr = gsi_top + nr_legacy + 8 * m->nr_cpus + gsi_top * 16;

	return MIN(nr, nr_vectors * m->nr_cpus);
}

static void stat_cpu_line(GString *out, const char *name, const struct cpu_state *c, uint64_t idle)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	g_string_append_printf(out,
			       "%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " 0 0\n",
			       name, c->user, c->nice, c->system, idle, c->iowait, c->irq,
			       c->softirq, c->steal);
}

static void stat_cpus(GString *out, const struct machine *m)
{
	struct cpu_state sum = { 0 };
	uint64_t idle = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct cpu_state *c = &m->cpus[cpu];

		sum.user += c->user;
		sum.nice += c->nice;
		sum.system += c->system;
		sum.iowait += c->iowait;
		sum.irq += c->irq;
		sum.softirq += c->softirq;
		sum.steal += c->steal;
		idle += cpu_idle(m, cpu);
	}
	stat_cpu_line(out, "cpu ", &sum, idle);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		char name[16];

		g_snprintf(name, sizeof(name), "cpu%d", cpu);
		stat_cpu_line(out, name, &m->cpus[cpu], cpu_idle(m, cpu));
	}
}

/* fs/proc/stat.c show_stat */
void render_stat(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	uint64_t ticks = timer_ticks(m) * (uint64_t)m->nr_cpus;

	stat_cpus(out, m);
	g_string_append_printf(out, "intr %" G_GUINT64_FORMAT, ticks);
	for (int i = 0, n = nr_irqs(m); i < n; i++)
		g_string_append(out, " 0");
	g_string_append_printf(out,
			       "\nctxt %" G_GUINT64_FORMAT "\nbtime %" G_GINT64_FORMAT
			       "\nprocesses %" G_GUINT64_FORMAT
			       "\nprocs_running %d\nprocs_blocked %d\n",
			       m->nr_context_switches, m->boot_wall_sec, m->nr_forks,
			       m->nr_running, 0);
	g_string_append_printf(out, "softirq %" G_GUINT64_FORMAT, ticks);
	for (int i = 0; i < NR_SOFTIRQS; i++)
		g_string_append_printf(out, " %" G_GUINT64_FORMAT, i == TIMER_SOFTIRQ ? ticks : 0);
	g_string_append_c(out, '\n');
}

/* fs/proc/uptime.c: boot time and the idle time of all cpus, in seconds */
void render_uptime(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	uint64_t idle = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		idle += cpu_idle(m, cpu);
	g_string_append_printf(out, "%lu.%02lu %lu.%02lu\n", (unsigned long)(m->now_ns / NSEC_PER_SEC),
			       (unsigned long)(m->now_ns % NSEC_PER_SEC / (NSEC_PER_SEC / 100)),
			       (unsigned long)(idle / USER_HZ), (unsigned long)(idle % USER_HZ));
}

/* ------------------------------------------------------------------ */
/* cpuinfo                                                             */
/* ------------------------------------------------------------------ */

/* What CPUID would tell the kernel: fixed, realistic x86-64 parts. */
struct x86_cpu_desc {
	const char *vendor_id;
	int family, model, stepping;
	unsigned int microcode;
	unsigned int cache_kb;
	int cpuid_level;
	const char *flags, *bugs;
	int tlb_size;  /* AMD only */
	int phys_bits, virt_bits;
	const char *power;
};

static const struct x86_cpu_desc intel_cpu = {
	.vendor_id = "GenuineIntel",
	.family = 6, .model = 207, .stepping = 2, .microcode = 0x21000291,
	.cache_kb = 266240, .cpuid_level = 28,
	.flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
		 "clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc "
		 "rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 "
		 "fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave "
		 "avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault fsgsbase tsc_adjust bmi1 "
		 "hle avx2 smep bmi2 erms invpcid rtm avx512f avx512dq rdseed adx smap avx512ifma "
		 "clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves "
		 "avx_vnni avx512_bf16 arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq "
		 "avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid cldemote movdiri movdir64b fsrm "
		 "serialize tsxldtrk avx512_fp16 arch_capabilities",
	.bugs = "spectre_v1 spectre_v2 spec_store_bypass swapgs retbleed bhi spectre_v2_user its",
	.phys_bits = 46, .virt_bits = 48,
	.power = "",
};

static const struct x86_cpu_desc amd_cpu = {
	.vendor_id = "AuthenticAMD",
	.family = 25, .model = 1, .stepping = 1, .microcode = 0xa0011d1,
	.cache_kb = 512, .cpuid_level = 16,
	.flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
		 "clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm "
		 "constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni "
		 "pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes "
		 "xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a "
		 "misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core "
		 "perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs "
		 "ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed "
		 "adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc "
		 "cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru "
		 "wbnoinvd amd_ppin arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean "
		 "flushbyasid decodeassists pausefilter pfthreshold v_vmsave_vmload vgif "
		 "v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca",
	.bugs = "sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso ibpb_no_ret",
	.tlb_size = 2560,
	.phys_bits = 48, .virt_bits = 48,
	.power = " ts ttp tm hwpstate cpb eff_freq_ro [13] [14]",
};

static const struct x86_cpu_desc *cpu_desc(const struct machine *m)
{
	const char *model = m->cfg.cpu_model ? m->cfg.cpu_model : "";

	return strstr(model, "AMD") ? &amd_cpu : &intel_cpu;
}

static void cpuinfo_ident(GString *out, const struct machine *m, const struct x86_cpu_desc *d,
			  int cpu)
{
	/* the TSC frequency in kHz, as arch_freq_get_on_cpu reports it */
	unsigned int khz = m->cfg.cpu_mhz * 1000;

	g_string_append_printf(out,
			       "processor\t: %u\n"
			       "vendor_id\t: %s\n"
			       "cpu family\t: %d\n"
			       "model\t\t: %u\n"
			       "model name\t: %s\n"
			       "stepping\t: %d\n"
			       "microcode\t: 0x%x\n"
			       "cpu MHz\t\t: %u.%03u\n"
			       "cache size\t: %u KB\n",
			       (unsigned int)cpu, d->vendor_id, d->family, (unsigned int)d->model,
			       m->cfg.cpu_model && *m->cfg.cpu_model ? m->cfg.cpu_model : "unknown",
			       d->stepping, d->microcode, khz / 1000, khz % 1000, d->cache_kb);
}

/* show_cpuinfo_core: a node is a package, its cpus its cores (no SMT) */
static void cpuinfo_core(GString *out, const struct machine *m, int cpu)
{
	int nid = cpu_to_node(m, cpu), ncpus = node_nr_cpus(m, nid);

	g_string_append_printf(out,
			       "physical id\t: %d\n"
			       "siblings\t: %d\n"
			       "core id\t\t: %d\n"
			       "cpu cores\t: %d\n"
			       "apicid\t\t: %d\n"
			       "initial apicid\t: %d\n",
			       nid, ncpus, cpu_core_id(m, cpu), ncpus, cpu, cpu);
}

/*
 * The x86_cap_flags names of the part's features, less those the preset
 * takes away: pdpe1gb (X86_FEATURE_GBPAGES) is the preset's to say.
 */
static void cpuinfo_flags(GString *out, const struct machine *m, const struct x86_cpu_desc *d)
{
	const char *p = d->flags;

	g_string_append(out, "flags\t\t:");
	while (*p) {
		size_t len = strcspn(p, " ");

		if (len && (m->cfg.pdpe1gb || len != strlen("pdpe1gb") || strncmp(p, "pdpe1gb", len))) {
			g_string_append_c(out, ' ');
			g_string_append_len(out, p, (gssize)len);
		}
		p += len;
		p += strspn(p, " ");
	}
	g_string_append_c(out, '\n');
}

static void cpuinfo_misc(GString *out, const struct machine *m, const struct x86_cpu_desc *d)
{
	/* calibrate from the TSC: loops_per_jiffy = tsc_khz * 1000 / HZ */
	unsigned long lpj = (unsigned long)m->cfg.cpu_mhz * 1000 * 1000 / CONFIG_HZ;

	g_string_append_printf(out,
			       "fpu\t\t: yes\n"
			       "fpu_exception\t: yes\n"
			       "cpuid level\t: %d\n"
			       "wp\t\t: yes\n",
			       d->cpuid_level);
	cpuinfo_flags(out, m, d);
	g_string_append_printf(out,
			       "bugs\t\t: %s\n"
			       "bogomips\t: %lu.%02lu\n",
			       d->bugs, lpj / (500000 / CONFIG_HZ), (lpj / (5000 / CONFIG_HZ)) % 100);
	if (d->tlb_size > 0)
		g_string_append_printf(out, "TLB size\t: %d 4K pages\n", d->tlb_size);
	g_string_append_printf(out,
			       "clflush size\t: %u\n"
			       "cache_alignment\t: %d\n"
			       "address sizes\t: %u bits physical, %u bits virtual\n"
			       "power management:%s\n\n",
			       64u, 64, (unsigned int)d->phys_bits, (unsigned int)d->virt_bits,
			       d->power);
}

/* arch/x86/kernel/cpu/proc.c show_cpuinfo: one block per cpu */
void render_cpuinfo(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	const struct x86_cpu_desc *d = cpu_desc(m);

	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		cpuinfo_ident(out, m, d, cpu);
		cpuinfo_core(out, m, cpu);
		cpuinfo_misc(out, m, d);
	}
}

/* ------------------------------------------------------------------ */
/* loadavg, pressure                                                   */
/* ------------------------------------------------------------------ */

/* fs/proc/loadavg.c: get_avenrun rounds by FIXED_1/200 before printing */
void render_loadavg(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	unsigned long a[3];

	for (int i = 0; i < 3; i++)
		a[i] = m->avenrun[i] + FIXED_1 / 200;
	g_string_append_printf(out, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n", LOAD_INT(a[0]),
			       LOAD_FRAC(a[0]), LOAD_INT(a[1]), LOAD_FRAC(a[1]), LOAD_INT(a[2]),
			       LOAD_FRAC(a[2]), (unsigned int)m->nr_running, m->nr_threads,
			       m->last_pid);
}

static enum psi_res psi_res_by_name(const char *name)
{
	if (name && !strcmp(name, "cpu"))
		return PSI_CPU;
	if (name && !strcmp(name, "io"))
		return PSI_IO;
	return PSI_MEM;
}

/* The model keeps averages as percentages; the kernel as FSHIFT fixed point. */
static unsigned long psi_avg_fixed(double pct)
{
	return pct <= 0 ? 0 : (unsigned long)(pct * FIXED_1 + 0.5);
}

/* kernel/sched/psi.c psi_show for the system group */
void render_pressure(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	enum psi_res res = psi_res_by_name(ctx->name);
	const struct psi_group_res *g = &m->psi[res];

	for (int full = 0; full < 2; full++) {
		unsigned long avg[3] = { 0 };
		unsigned long long total = 0;

		/* CPU full is undefined at the system level */
		if (!(res == PSI_CPU && full)) {
			for (int w = 0; w < 3; w++)
				avg[w] = psi_avg_fixed(g->avg[full][w]);
			total = g->total_us[full];
		}
		g_string_append_printf(out,
				       "%s avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu\n",
				       full ? "full" : "some", LOAD_INT(avg[0]), LOAD_FRAC(avg[0]),
				       LOAD_INT(avg[1]), LOAD_FRAC(avg[1]), LOAD_INT(avg[2]),
				       LOAD_FRAC(avg[2]), total);
	}
}

/* ------------------------------------------------------------------ */
/* sys/kernel                                                          */
/* ------------------------------------------------------------------ */

/* proc/sys/kernel/pid_max: the machine's pid_max (fork.c sets the 64-bit
 * PID_MAX_LIMIT, the ceiling of the pid= option) */
void render_pid_max(struct machine *m, const struct fs_ctx *ctx G_GNUC_UNUSED, GString *out)
{
	g_string_append_printf(out, "%d\n", m->pid_max);
}

void render_osrelease(struct machine *m G_GNUC_UNUSED, const struct fs_ctx *ctx G_GNUC_UNUSED,
		      GString *out)
{
	g_string_append(out, MMSIM_UTS_RELEASE "\n");
}
