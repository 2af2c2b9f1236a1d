/*
 * mm/mm_init.c (with bits of arch/x86 e820 and mm/memblock.c): building the
 * machine at boot.
 *
 * Models: the physical map of a PC (RAM from 0 with the legacy holes at pfn 0
 * and 0x9f-0xff, the PCI hole from 3 GiB to 4 GiB when RAM is larger); nodes
 * as contiguous RAM ranges of whole sections; zones DMA (< 16 MiB), DMA32
 * (< 4 GiB), Normal, Movable (movablecore= at the top of each node) and an
 * empty Device zone; free_area_init's spanned/present; memblock
 * reservations (the first 1 MiB, the kernel image at 16 MiB, each node's
 * mem_map of 64-byte struct pages at the node's top); memblock_free_all
 * handing the rest to the buddy allocator; every pageblock Movable at boot;
 * then init_per_zone_wmark_min.
 * Simplifies: no firmware tables; the simulated kernel's own boot-time
 * allocations (page tables, per-cpu areas) are folded into kernel_reserved.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "numa_balancing_internal.h"
#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/swap.h"
#include "mmsim/lru_gen.h"
#include "mmsim/trace.h"
#include "mm_internal.h"
#include "mmsim/huge_mm.h"
#include "hugetlb_internal.h"
#include "workload_internal.h"
#include "mmsim/cgroup.h"
#include "mmsim/compaction.h"
#include "mm_internal_proc.h"
#include "mmsim/slab.h"
#include "slab_internal.h"

#define DMA_END_PFN (16UL << (20 - PAGE_SHIFT))          /* 16 MiB */
#define DMA32_END_PFN (4UL << (30 - PAGE_SHIFT))         /* 4 GiB */
#define PCI_HOLE_START_PFN (3UL << (30 - PAGE_SHIFT))    /* 3 GiB */
#define KERNEL_START_PFN (16UL << (20 - PAGE_SHIFT))     /* 16 MiB */
#define LINUX_STRUCT_PAGE_SIZE 64
/* The fixed boot time of a manual-clock machine: 2026-01-01 00:00:00 UTC,
 * so the same commands give the same files whenever they run. */
#define MANUAL_BTIME 1767225600

/* RAM offset (bytes of RAM below) -> physical pfn, skipping the PCI hole */
static unsigned long ram_to_pfn(const struct machine *m, unsigned long ram_pfn)
{
	(void)m;
	if (ram_pfn < PCI_HOLE_START_PFN)
		return ram_pfn;
	return ram_pfn + (DMA32_END_PFN - PCI_HOLE_START_PFN);
}

static bool pfn_is_ram(unsigned long pfn)
{
	return pfn < PCI_HOLE_START_PFN || pfn >= DMA32_END_PFN;
}

static bool pfn_present(struct machine *m, unsigned long pfn)
{
	return pfn < m->max_pfn && pfn_is_ram(pfn) && !pfn_in_hole(m, pfn);
}

static unsigned long overlap(unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	unsigned long lo = MAX(a, c), hi = MIN(b, d);

	return hi > lo ? hi - lo : 0;
}

/* Present pages in [a, b): RAM minus the PCI hole and the low holes */
static unsigned long count_present(struct machine *m, unsigned long a, unsigned long b)
{
	b = MIN(b, m->max_pfn);
	if (b <= a)
		return 0;
	return (b - a) - overlap(a, b, PCI_HOLE_START_PFN, DMA32_END_PFN) - overlap(a, b, 0, 1) -
	       overlap(a, b, LOW_HOLE_START_PFN, LOW_HOLE_END_PFN);
}

static unsigned long first_present(struct machine *m, unsigned long a)
{
	while (!pfn_present(m, a)) {
		if (a == 0)
			a = 1;
		else if (a >= LOW_HOLE_START_PFN && a < LOW_HOLE_END_PFN)
			a = LOW_HOLE_END_PFN;
		else if (!pfn_is_ram(a))
			a = DMA32_END_PFN;
		else
			return ULONG_MAX;
	}
	return a;
}

static unsigned long last_present(struct machine *m, unsigned long b)
{
	unsigned long p = MIN(b, m->max_pfn) - 1;

	while (!pfn_present(m, p)) {
		if (p >= LOW_HOLE_START_PFN && p < LOW_HOLE_END_PFN)
			p = LOW_HOLE_START_PFN - 1;
		else if (!pfn_is_ram(p))
			p = PCI_HOLE_START_PFN - 1;
		else if (p == 0)
			return 0;
		else
			return 0;
	}
	return p;
}

static const unsigned long zone_limits[] = { DMA_END_PFN, DMA32_END_PFN, ULONG_MAX };

/* The node's zones: DMA/DMA32/Normal by address, Movable from the top */
static void init_node_zones(struct machine *m, pg_data_t *pgdat, unsigned long start, unsigned long end,
			    unsigned long movable_pages)
{
	unsigned long movable_start = end - movable_pages;
	unsigned long lo = start;
	/* the node's memblock range: its first and last present pfns */
	unsigned long node_first = first_present(m, start), node_end = last_present(m, end) + 1;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		zone->zone_pgdat = pgdat;
		zone->zone_idx = z;
		zone->name = zone_names[z];
		zone->pristine_head = PFN_NONE;
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			for (int mt = 0; mt < MIGRATE_TYPES; mt++)
				zone->free_area[o].head[mt] = PFN_NONE;
	}
	for (int z = ZONE_DMA; z <= ZONE_MOVABLE; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		unsigned long zstart, zend, first, last;

		if (z == ZONE_MOVABLE) {
			zstart = movable_pages ? movable_start : end;
			zend = end;
		} else {
			zstart = lo;
			zend = MIN(end, MIN(zone_limits[z], movable_pages ? movable_start : end));
			if (zend < zstart)
				zend = zstart;
			lo = zend;
		}
		zone->present_pages = count_present(m, zstart, zend);
		if (!zone->present_pages) {
			zone->zone_start_pfn = 0;
			continue;
		}
		/* zone_spanned_pages_in_node: the zone's address range clamped
		 * to the node's; holes only reduce present_pages */
		first = MAX(zstart, node_first);
		last = MIN(zend, node_end);
		zone->zone_start_pfn = first;
		zone->spanned_pages = last - first;
		pgdat->node_present_pages += zone->present_pages;
	}
	pgdat->node_start_pfn = start;
	pgdat->node_spanned_pages = end - start;
	(void)m;
}

static bool range_has(unsigned long a, unsigned long b, unsigned long x) { return x >= a && x < b; }

/* A boot reservation: [start, end) of pfns */
struct reservation { unsigned long start, end; };

/* Present pages of a reservation inside [a, b) */
static unsigned long reserved_overlap(struct machine *m, const struct reservation *r,
				      unsigned long a, unsigned long b)
{
	unsigned long lo = MAX(a, r->start), hi = MIN(b, r->end);

	return hi > lo ? count_present(m, lo, hi) : 0;
}

static bool pfn_reserved(const struct reservation *r, int n, unsigned long pfn)
{
	for (int i = 0; i < n; i++)
		if (range_has(r[i].start, r[i].end, pfn))
			return true;
	return false;
}

/* Count, and for materialized sections mark, the reserved and free pages;
 * free runs go to the buddy allocator in the largest aligned blocks. */
/* A section of holes, reserved and free pages (or of two zones): its
 * mem_map now, and its free runs to the buddy allocator block by block */
static void memblock_free_mixed_section(struct machine *m, const struct reservation *res, int nres, unsigned long s)
{
	struct mem_section *ms = &m->sections[s];
	unsigned long start = s << PFN_SECTION_SHIFT, end = start + PAGES_PER_SECTION, pfn;
	pg_data_t *pgdat = m->node_data[ms->nid];

	ms->state = SECTION_RESERVED;
	pfn_to_page(m, start); /* allocates all-reserved */
	for (pfn = start; pfn < end;) {
		unsigned int order;
		struct zone *zone;

		if (!pfn_present(m, pfn) || pfn_reserved(res, nres, pfn)) {
			if (pfn_present(m, pfn))
				pgdat->nr_reserved_boot++;
			pfn++;
			continue;
		}
		zone = pfn_zone(m, pfn);
		/* the largest aligned block of free pages from pfn */
		for (order = MAX_PAGE_ORDER;; order--) {
			unsigned long n = 1UL << order, q;

			if ((pfn & (n - 1)) || pfn + n > end)
				continue;
			for (q = pfn; q < pfn + n; q++)
				if (!pfn_present(m, q) || pfn_reserved(res, nres, q) || !zone_spans_pfn(zone, q))
					break;
			if (q == pfn + n)
				break;
		}
		for (unsigned long q = pfn; q < pfn + (1UL << order); q++) {
			struct page *page = pfn_to_page(m, q);

			page_clear(page, PG_reserved);
			page->_refcount = 0;
		}
		zone->managed_pages += 1UL << order;
		__free_one_page(m, zone, pfn, order, MIGRATE_MOVABLE);
		count_vm_events(m, PGFREE, 1UL << order);
		pfn += 1UL << order;
	}
}

static void memblock_free_all(struct machine *m, const struct reservation *res, int nres)
{
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		struct mem_section *ms = &m->sections[s];
		unsigned long start = s << PFN_SECTION_SHIFT, end = start + PAGES_PER_SECTION;
		pg_data_t *pgdat = m->node_data[ms->nid];
		bool all_free = true, all_reserved = true, one_zone = true;
		struct zone *zone0;
		unsigned long pfn;

		if (ms->state == SECTION_ABSENT)
			continue;
		{
			unsigned long present = count_present(m, start, end);
			unsigned long nres_pages = 0;

			for (int i = 0; i < nres; i++)
				nres_pages += reserved_overlap(m, &res[i], start, end);
			zone0 = pfn_zone(m, first_present(m, start));
			one_zone = zone_spans_pfn(zone0, last_present(m, end));
			all_free = present == PAGES_PER_SECTION && nres_pages == 0;
			all_reserved = present == PAGES_PER_SECTION && nres_pages == PAGES_PER_SECTION;
		}
		if (one_zone && count_present(m, start, end) == PAGES_PER_SECTION) {
			for (int i = 0; i < (int)PAGEBLOCKS_PER_SECTION; i++)
				ms->pageblock_mt[i] = MIGRATE_MOVABLE;
			zone0->nr_pageblocks[MIGRATE_MOVABLE] += PAGEBLOCKS_PER_SECTION;
		} else {
			for (pfn = start; pfn < end; pfn += pageblock_nr_pages) {
				unsigned long p = first_present(m, pfn);

				ms->pageblock_mt[(pfn - start) >> pageblock_order] = MIGRATE_MOVABLE;
				if (p < pfn + pageblock_nr_pages)
					pfn_zone(m, p)->nr_pageblocks[MIGRATE_MOVABLE]++;
			}
		}
		if (one_zone) {
			ms->zid = (uint8_t)zone0->zone_idx;
			ms->zones_mixed = 0;
		}
		if (one_zone && all_free) {
			ms->state = SECTION_FREE;
			ms->zid = (uint8_t)zone0->zone_idx;
			buddy_add_pristine_section(m, zone0, s);
			zone0->managed_pages += PAGES_PER_SECTION;
			/* __free_pages_core frees through __free_pages_ok, which counts */
			count_vm_events(m, PGFREE, PAGES_PER_SECTION);
			continue;
		}
		if (one_zone && all_reserved) {
			ms->state = SECTION_RESERVED;
			ms->zid = (uint8_t)zone0->zone_idx;
			pgdat->nr_reserved_boot += PAGES_PER_SECTION;
			continue;
		}
		memblock_free_mixed_section(m, res, nres, s);
	}
}

static void init_layout(struct machine *m)
{
	const struct machine_config *cfg = &m->cfg;
	unsigned long ram_pages = cfg->mem_bytes >> PAGE_SHIFT;
	unsigned long per_node = (ram_pages / (unsigned long)cfg->nr_nodes) & ~(PAGES_PER_SECTION - 1);
	unsigned long movable = (cfg->movable_bytes >> PAGE_SHIFT) / (unsigned long)cfg->nr_nodes;
	struct reservation res[2 + MAX_NUMNODES];
	int nres = 0;

	movable &= ~(PAGES_PER_SECTION - 1);
	m->max_pfn = ram_to_pfn(m, per_node * (unsigned long)cfg->nr_nodes - 1) + 1;
	m->nr_sections = (m->max_pfn + PAGES_PER_SECTION - 1) >> PFN_SECTION_SHIFT;
	m->sections = g_new0(struct mem_section, m->nr_sections);

	for (int nid = 0; nid < cfg->nr_nodes; nid++) {
		pg_data_t *pgdat = g_new0(pg_data_t, 1);
		unsigned long start = ram_to_pfn(m, per_node * (unsigned long)nid);
		unsigned long end = ram_to_pfn(m, per_node * (unsigned long)(nid + 1) - 1) + 1;

		pgdat->node_id = nid;
		pgdat->machine = m;
		lruvec_init(m, &pgdat->__lruvec);
		m->node_data[nid] = pgdat;
		for (unsigned long s = start >> PFN_SECTION_SHIFT; s < (end >> PFN_SECTION_SHIFT); s++) {
			m->sections[s].nid = (uint8_t)nid;
			m->sections[s].state = pfn_is_ram(s << PFN_SECTION_SHIFT) ? SECTION_RESERVED
										    : SECTION_ABSENT;
			m->sections[s].next_pristine = m->sections[s].prev_pristine = PFN_NONE;
			m->sections[s].zones_mixed = 1;
		}
		init_node_zones(m, pgdat, start, end, movable);
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (pgdat->node_zones[z].present_pages)
				pgdat->nr_zones = z + 1;
		/* memblock: the mem_map of 64-byte struct pages, at the top */
		pgdat->nr_memmap_boot = (pgdat->node_present_pages * LINUX_STRUCT_PAGE_SIZE + PAGE_SIZE - 1) >> PAGE_SHIFT;
		res[nres++] = (struct reservation){ end - pgdat->nr_memmap_boot, end };
	}
	/* the first 1 MiB (BIOS, real-mode trampoline) and the kernel image */
	res[nres++] = (struct reservation){ 0, LOW_HOLE_END_PFN };
	res[nres++] = (struct reservation){ KERNEL_START_PFN,
					    KERNEL_START_PFN + (cfg->kernel_reserved_bytes >> PAGE_SHIFT) };
	memblock_free_all(m, res, nres);
	sparse_init_memmap_arena(m);
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			m->totalram_pages += zone->managed_pages;
}

static void init_cpus(struct machine *m)
{
	m->cpus = g_new0(struct cpu_state, (gsize)m->nr_cpus);
	/* CPUs are spread over the nodes in blocks, as sockets are */
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		m->cpus[cpu].node = (int)((long)cpu * m->nr_nodes / m->nr_cpus);
	for (int a = 0; a < m->nr_nodes; a++)
		for (int b = 0; b < m->nr_nodes; b++)
			m->node_distance[a][b] = a == b ? m->cfg.distance_local : m->cfg.distance_remote;
}

static void init_sysctls(struct machine *m)
{
	static const int ratios[MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };

	m->sysctl.user_min_free_kbytes = -1;
	m->sysctl.watermark_scale_factor = 10;
	m->sysctl.watermark_boost_factor = 15000;
	memcpy(m->sysctl.lowmem_reserve_ratio, ratios, sizeof(ratios));
	m->sysctl.percpu_pagelist_high_fraction = 0;
	m->sysctl.stat_interval = 1;
	m->sysctl.page_group_by_mobility_disabled = 0;
	m->sysctl.overcommit_memory = 0;
	m->sysctl.overcommit_ratio = 50;
	m->sysctl.overcommit_kbytes = 0;
	m->sysctl.max_map_count = 65530;
	m->sysctl.dirty_background_ratio = 10;
	m->sysctl.dirty_ratio = 20;
	m->sysctl.dirty_writeback_centisecs = 500;
	m->sysctl.dirty_expire_centisecs = 3000;
	m->sysctl.dirtytime_expire_seconds = 43200;
	m->sysctl.panic_on_oom = 0;
	m->sysctl.oom_kill_allocating_task = 0;
	m->sysctl.oom_dump_tasks = 1;
	m->sysctl.swappiness = 60;
	m->sysctl.page_cluster = 3;
	m->sysctl.vfs_cache_pressure = 100;
	m->sysctl.compaction_proactiveness = 20;
	m->sysctl.extfrag_threshold = 500;
	m->sysctl.compact_unevictable_allowed = 1;
	m->sysctl.min_unmapped_ratio = 1;
	m->sysctl.min_slab_ratio = 5;
}

struct machine *machine_create(const struct machine_config *cfg, GError **error)
{
	struct machine *m;

	if (!machine_config_validate(cfg, error))
		return NULL;
	m = g_new0(struct machine, 1);
	m->cfg = *cfg;
	m->cfg.name = g_strdup(cfg->name);
	m->cfg.cpu_model = g_strdup(cfg->cpu_model);
	m->nr_nodes = cfg->nr_nodes;
	m->nr_cpus = cfg->nr_cpus;
	m->log = g_string_new(NULL);
	m->log_limit = 1 << 20;
	m->rand = g_rand_new_with_seed((guint32)cfg->seed);
	m->boot_wall_sec = cfg->manual_clock ? MANUAL_BTIME : (int64_t)time(NULL);

	init_cpus(m);
	trace_init(m);
	ksm_init(m);
	numa_balancing_init(m);
	init_sysctls(m);
	/* CONFIG_LRU_GEN_ENABLED sets every lru_gen_caps key at boot */
	m->lru_gen_caps = cfg->lru_gen ? LRU_GEN_ALL_CAPS : 0;
	init_layout(m);
	build_all_zonelists(m);
	setup_zone_pagesets(m);
	/* init_per_zone_wmark_min */
	calculate_min_free_kbytes(m);
	setup_per_zone_wmarks(m);
	setup_per_zone_lowmem_reserve(m);
	init_user_reserve(m);
	/* empty_zero_page lives in the kernel image */
	m->zero_pfn = KERNEL_START_PFN;
	timers_init(m);
	printk(m, "Linux version 6.18.0-mmsim (mmsim %s) machine '%s'", MMSIM_VERSION, cfg->name);
	printk(m, "Memory: %luK/%luK available (%luK kernel code and data, %luK reserved)",
	       m->totalram_pages << (PAGE_SHIFT - 10),
	       (unsigned long)(cfg->mem_bytes >> 10),
	       (unsigned long)(cfg->kernel_reserved_bytes >> 10),
	       (unsigned long)(cfg->mem_bytes >> 10) - (m->totalram_pages << (PAGE_SHIFT - 10)));
	sim_fs_init(m);
	swap_cache_init(m);
	kmem_cache_init(m);
	vmalloc_init(m);
	dcache_init(m);
	hugepage_init(m);
	cgroup_init(m);
	hugetlb_init(m);
	tasks_init(m);
	swap_init(m);
	if (!cfg->bare) {
		kcompactd_run(m);
		/* hugepage_init's late start of khugepaged */
		start_stop_khugepaged(m);
	}
	/* the boot's own work (spawning init, swapon) takes no simulated
	 * time: the clock starts at 0 with the first command */
	m->sched_pending_ns = 0;
	machine_debug_check(m, "boot");
	return m;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	if (m->ctl_destroy)
		m->ctl_destroy(m->ctl);
	timers_destroy(m);
	workload_destroy(m);
	for_each_online_node(m, nid)
		if (m->node_data[nid])
			kswapd_stop(m->node_data[nid]);
	tasks_destroy(m);
	hugetlb_destroy(m);
	cgroup_destroy(m);
	sim_fs_destroy(m);
	swap_cache_destroy(m);
	swap_destroy(m);
	dcache_destroy(m);
	vmalloc_destroy(m);
	slab_destroy_all(m);
	shrinkers_destroy(m);
	sparse_free_memmaps(m);
	free_section_contents(m);
	ksm_destroy(m);
	numa_balancing_destroy(m);
	g_free(m->sections);
	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			for (int cpu = 0; zone->per_cpu_pageset && cpu < m->nr_cpus; cpu++)
				for (int i = 0; i < NR_PCP_LISTS; i++)
					g_free(zone->per_cpu_pageset[cpu].lists[i].pfns);
			g_free(zone->per_cpu_pageset);
			g_free(zone->pageblock_skip);
		}
		g_free(m->node_data[nid]);
	}
	g_free(m->cpus);
	g_free(m->cached_stacks);
	trace_destroy(m);
	hugepage_destroy(m);
	g_string_free(m->log, TRUE);
	g_rand_free(m->rand);
	machine_config_clear(&m->cfg);
	g_free(m);
}
