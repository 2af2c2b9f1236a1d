/*
 * Unit tests of the buddy allocator, watermarks, pcp sizing and fallback,
 * against values worked out by hand from the kernel's formulas.
 *
 * The machine is the `small` layout: one node, 1 GiB, 2 CPUs, 24 MiB of
 * kernel image.  Worked out once here and used below:
 *   RAM pfn 0..262143.  Holes: pfn 0 and 0x9f..0xff (97 pages).
 *   DMA   spans [1, 4096):      spanned 4095, present 3998
 *   DMA32 spans [4096, 262144): spanned 258048, present 258048
 *   reserved: first 1 MiB = 158 present pages (DMA); kernel 24 MiB = 6144
 *   pages at 16 MiB (DMA32); mem_map 262046 * 64 / 4096 = 4094.4 -> 4095
 *   pages at the top of DMA32.
 *   managed DMA = 3998 - 158 = 3840; DMA32 = 258048 - 6144 - 4095 = 247809
 *   totalram = 251649
 *   calculate_min_free_kbytes: sqrt(251649 * 4 * 16) = sqrt(16105536) = 4013
 *   pages_min = 4013 / 4 = 1003
 *   DMA   min = 1003 * 3840 / 251649 = 15;   gap = max(15/4, 3840*10/10000) = 3
 *         low 18, high 21, promo 24
 *   DMA32 min = 1003 * 247809 / 251649 = 987; gap = max(246, 247) = 247
 *         low 1234, high 1481, promo 1728
 *   lowmem_reserve DMA[DMA32..] = 247809 / 256 = 968
 *   zone_batchsize DMA32: min(247809 >> 10, 256) = 242; /4 = 60;
 *         rounddown_pow_of_two(90) - 1 = 63.  DMA: 1.
 *   zone_highsize DMA32 (2 local CPUs): high_min = max(1234 / 2, 63 * 4) = 617,
 *         high_max = 247809 / 8 / 2 = 15488.  DMA: high_min 9, high_max 240.
 */
#include <errno.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "unit_util.h"

static struct machine *bare_machine(unsigned long long mem_bytes)
{
	return unit_machine_cfg((struct unit_config){ .mem = mem_bytes, .swap = 2ULL << 30,
						       .kernel_reserved = 24ULL << 20, .bare = true });
}

static struct machine *small_machine(void)
{
	return bare_machine(1ULL << 30);
}

static struct zone *zone_of(struct machine *m, int nid, enum zone_type z)
{
	return &m->node_data[nid]->node_zones[z];
}

static unsigned long zone_free_by_lists(struct zone *z)
{
	unsigned long sum = 0;

	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		sum += z->free_area[o].nr_free << o;
	return sum;
}

static void test_layout(void)
{
	struct machine *m = small_machine();
	struct zone *dma = zone_of(m, 0, ZONE_DMA), *dma32 = zone_of(m, 0, ZONE_DMA32);

	g_assert_cmpuint(dma->zone_start_pfn, ==, 1);
	g_assert_cmpuint(dma->spanned_pages, ==, 4095);
	g_assert_cmpuint(dma->present_pages, ==, 3998);
	g_assert_cmpuint(dma->managed_pages, ==, 3840);
	g_assert_cmpuint(dma32->zone_start_pfn, ==, 4096);
	g_assert_cmpuint(dma32->spanned_pages, ==, 258048);
	g_assert_cmpuint(dma32->present_pages, ==, 258048);
	g_assert_cmpuint(dma32->managed_pages, ==, 247809);
	g_assert_false(populated_zone(zone_of(m, 0, ZONE_NORMAL)));
	g_assert_cmpuint(m->totalram_pages, ==, 251649);
	/* every managed page starts free, on the buddy lists */
	g_assert_cmpint(global_zone_page_state(m, NR_FREE_PAGES), ==, 251649);
	g_assert_cmpuint(zone_free_by_lists(dma) + zone_free_by_lists(dma32), ==, 251649);
	/* __free_pages_core counts every page it hands over in pgfree */
	g_assert_cmpuint(global_vm_event(m, PGFREE), ==, 251649);
	/* at boot every pageblock is Movable: DMA 8 (pfn 1..4095), DMA32 504 */
	g_assert_cmpuint(dma->nr_pageblocks[MIGRATE_MOVABLE], ==, 8);
	g_assert_cmpuint(dma32->nr_pageblocks[MIGRATE_MOVABLE], ==, 504);
	g_assert_null(machine_check_invariants(m));
	machine_destroy(m);
}

/*
 * 4 GiB: RAM below the PCI hole is pfn 0..786431, the last 1 GiB is
 * remapped to pfn 1048576..1310719.  zone_spanned_pages_in_node clamps each
 * zone's address range to the node's: DMA32 spans [4096, 1048576) whatever
 * the hole (spanned 1044480, present 786432 - 4096 = 782336), Normal spans
 * [1048576, 1310720); the spans add up to the node's.
 */
static void test_layout_pci_hole(void)
{
	struct machine *m = bare_machine(4ULL << 30);
	pg_data_t *pgdat = m->node_data[0];
	struct zone *dma = zone_of(m, 0, ZONE_DMA), *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct zone *normal = zone_of(m, 0, ZONE_NORMAL);

	g_assert_cmpuint(dma32->zone_start_pfn, ==, 4096);
	g_assert_cmpuint(dma32->spanned_pages, ==, 1044480);
	g_assert_cmpuint(dma32->present_pages, ==, 782336);
	g_assert_cmpuint(normal->zone_start_pfn, ==, 1048576);
	g_assert_cmpuint(normal->spanned_pages, ==, 262144);
	g_assert_cmpuint(normal->present_pages, ==, 262144);
	g_assert_cmpuint(dma->zone_start_pfn + dma->spanned_pages, ==, dma32->zone_start_pfn);
	g_assert_cmpuint(dma32->zone_start_pfn + dma32->spanned_pages, ==, normal->zone_start_pfn);
	g_assert_cmpuint(pgdat->node_start_pfn + pgdat->node_spanned_pages, ==,
			 normal->zone_start_pfn + normal->spanned_pages);
	g_assert_null(machine_check_invariants(m));
	machine_destroy(m);
}

static void test_watermarks(void)
{
	struct machine *m = small_machine();
	struct zone *dma = zone_of(m, 0, ZONE_DMA), *dma32 = zone_of(m, 0, ZONE_DMA32);

	g_assert_cmpint(m->sysctl.min_free_kbytes, ==, 4013);
	g_assert_cmpuint(dma->_watermark[WMARK_MIN], ==, 15);
	g_assert_cmpuint(dma->_watermark[WMARK_LOW], ==, 18);
	g_assert_cmpuint(dma->_watermark[WMARK_HIGH], ==, 21);
	g_assert_cmpuint(dma->_watermark[WMARK_PROMO], ==, 24);
	g_assert_cmpuint(dma32->_watermark[WMARK_MIN], ==, 987);
	g_assert_cmpuint(dma32->_watermark[WMARK_LOW], ==, 1234);
	g_assert_cmpuint(dma32->_watermark[WMARK_HIGH], ==, 1481);
	g_assert_cmpuint(dma32->_watermark[WMARK_PROMO], ==, 1728);
	for (int j = ZONE_DMA32; j < MAX_NR_ZONES; j++)
		g_assert_cmpint(dma->lowmem_reserve[j], ==, 968);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		g_assert_cmpint(dma32->lowmem_reserve[j], ==, 0);

	/* min_free_kbytes = 16384: pages_min 4096; DMA 4096*3840/251649 = 62,
	 * DMA32 4096*247809/251649 = 4033; DMA32 gap max(1008, 247) = 1008 */
	m->sysctl.min_free_kbytes = 16384;
	setup_per_zone_wmarks(m);
	g_assert_cmpuint(dma->_watermark[WMARK_MIN], ==, 62);
	g_assert_cmpuint(dma32->_watermark[WMARK_MIN], ==, 4033);
	g_assert_cmpuint(dma32->_watermark[WMARK_LOW], ==, 4033 + 1008);
	/* watermark_scale_factor 100: DMA32 gap = max(1008, 2478) = 2478 */
	m->sysctl.watermark_scale_factor = 100;
	setup_per_zone_wmarks(m);
	g_assert_cmpuint(dma32->_watermark[WMARK_HIGH], ==, 4033 + 2 * 2478);
	/* lowmem_reserve_ratio DMA 32: 247809 / 32 = 7744 */
	m->sysctl.lowmem_reserve_ratio[ZONE_DMA] = 32;
	setup_per_zone_lowmem_reserve(m);
	g_assert_cmpint(dma->lowmem_reserve[ZONE_NORMAL], ==, 7744);
	machine_destroy(m);
}

static void test_zone_watermark_ok(void)
{
	struct machine *m = small_machine();
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	long free = zone_page_state(dma, NR_FREE_PAGES);

	/* order 0: free must exceed min + lowmem_reserve[highest_zoneidx] */
	g_assert_true(__zone_watermark_ok(dma, 0, 15, ZONE_DMA, ALLOC_WMARK_MIN, 16));
	g_assert_false(__zone_watermark_ok(dma, 0, 15, ZONE_DMA, ALLOC_WMARK_MIN, 15));
	/* a DMA32-capable request must leave 968 protected pages in DMA */
	g_assert_false(__zone_watermark_ok(dma, 0, 15, ZONE_DMA32, ALLOC_WMARK_MIN, 15 + 968));
	g_assert_true(__zone_watermark_ok(dma, 0, 15, ZONE_DMA32, ALLOC_WMARK_MIN, 15 + 969));
	/* __GFP_HIGH (ALLOC_MIN_RESERVE) halves the mark: min 15 -> 8 */
	g_assert_true(__zone_watermark_ok(dma, 0, 15, ZONE_DMA, ALLOC_MIN_RESERVE, 9));
	g_assert_false(__zone_watermark_ok(dma, 0, 15, ZONE_DMA, ALLOC_MIN_RESERVE, 8));
	/* high order: (1 << order) - 1 pages are unusable, and a block of the
	 * order must exist on some list */
	g_assert_true(zone_watermark_ok(dma, 3, 15, ZONE_DMA, 0));
	g_assert_false(__zone_watermark_ok(dma, 4, 15, ZONE_DMA, 0, 15 + 15));
	/* a bare machine: every managed DMA page is still free */
	g_assert_cmpint(free, ==, 3840);
	machine_destroy(m);
}

static void test_pcp_sizing(void)
{
	struct machine *m = small_machine();
	struct zone *dma = zone_of(m, 0, ZONE_DMA), *dma32 = zone_of(m, 0, ZONE_DMA32);

	g_assert_cmpint(zone_batchsize(dma32), ==, 63);
	g_assert_cmpint(dma32->per_cpu_pageset[0].batch, ==, 63);
	g_assert_cmpint(dma32->per_cpu_pageset[1].high_min, ==, 617);
	g_assert_cmpint(dma32->per_cpu_pageset[1].high_max, ==, 15488);
	g_assert_cmpint(dma->per_cpu_pageset[0].batch, ==, 1);
	g_assert_cmpint(dma->per_cpu_pageset[0].high_min, ==, 9);
	g_assert_cmpint(dma->per_cpu_pageset[0].high_max, ==, 240);
	/* percpu_pagelist_high_fraction 8: high = 247809 / 8 / 2 for both */
	m->sysctl.percpu_pagelist_high_fraction = 8;
	zone_pcp_update_all(m);
	g_assert_cmpint(dma32->per_cpu_pageset[0].high_min, ==, 15488);
	g_assert_cmpint(dma32->per_cpu_pageset[0].high_max, ==, 15488);
	machine_destroy(m);
}

/* An order-0 allocation fills the pcp list with a batch: 63 pages leave
 * the buddy lists (nr_pcp_alloc: batch 63, high 617 + 63 = 680). */
static void test_pcp_batch(void)
{
	struct machine *m = small_machine();
	long before = global_zone_page_state(m, NR_FREE_PAGES);
	unsigned long pgfree = global_vm_event(m, PGFREE);
	long pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, 0);
	struct per_cpu_pages *pcp = &zone_of(m, 0, ZONE_DMA32)->per_cpu_pageset[0];

	g_assert_cmpint(pfn, >=, 0);
	g_assert_cmpint(before - global_zone_page_state(m, NR_FREE_PAGES), ==, 63);
	g_assert_cmpint(pcp->count, ==, 62);
	g_assert_cmpint(pcp->high, ==, 680);
	g_assert_cmpuint(global_vm_event(m, PGALLOC_DMA32), ==, 1);
	g_assert_cmpuint(global_numa_event_state(m, NUMA_HIT), ==, 1);
	__free_pages(m, (unsigned long)pfn, 0, 0);
	g_assert_cmpint(pcp->count, ==, 63);
	g_assert_cmpuint(global_vm_event(m, PGFREE), ==, pgfree + 1);
	drain_all_pages(m, NULL);
	g_assert_cmpint(pcp->count, ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_FREE_PAGES), ==, before);
	g_assert_null(machine_check_invariants(m));
	machine_destroy(m);
}

/* Allocation splits the smallest fitting block; freeing merges it back. */
static void test_split_and_merge(void)
{
	struct machine *m = small_machine();
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	unsigned long nr_free[NR_PAGE_ORDERS];
	long pfn;
	int lowest = -1;

	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		nr_free[o] = dma32->free_area[o].nr_free;
	/* order 5 bypasses the pcp lists: the smallest movable block of
	 * order >= 5 is split, one block of each order in between appears */
	for (int o = 5; o < NR_PAGE_ORDERS && lowest < 0; o++)
		if (free_area_count(dma32, o, MIGRATE_MOVABLE))
			lowest = o;
	pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 5, -1, 0);
	g_assert_cmpint(pfn, >=, 0);
	g_assert_cmpint(pfn & 31, ==, 0);
	g_assert_cmpuint(dma32->free_area[lowest].nr_free, ==, nr_free[lowest] - 1);
	for (int o = 5; o < lowest; o++)
		g_assert_cmpuint(dma32->free_area[o].nr_free, ==, nr_free[o] + 1);
	__free_pages(m, (unsigned long)pfn, 5, 0);
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		g_assert_cmpuint(dma32->free_area[o].nr_free, ==, nr_free[o]);
	g_assert_null(machine_check_invariants(m));
	machine_destroy(m);
}

/* An unmovable allocation on a fresh machine (all pageblocks Movable)
 * claims the largest block: order 10 = two pageblocks change type. */
static void test_fallback_claims_block(void)
{
	struct machine *m = small_machine();
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	unsigned long movable = dma32->nr_pageblocks[MIGRATE_MOVABLE];
	long a, b;

	g_assert_cmpuint(dma32->nr_pageblocks[MIGRATE_UNMOVABLE], ==, 0);
	a = __alloc_pages(m, GFP_KERNEL, 0, -1, 0);
	g_assert_cmpint(a, >=, 0);
	g_assert_cmpint(get_pageblock_migratetype(m, (unsigned long)a), ==, MIGRATE_UNMOVABLE);
	g_assert_cmpuint(dma32->nr_pageblocks[MIGRATE_UNMOVABLE], ==, 2);
	g_assert_cmpuint(dma32->nr_pageblocks[MIGRATE_MOVABLE], ==, movable - 2);
	/* reclaimable falls back to unmovable first, but there is no unmovable
	 * block of order 10 left; it claims a movable order-10 block */
	b = __alloc_pages(m, GFP_KERNEL | __GFP_RECLAIMABLE, 0, -1, 1);
	g_assert_cmpint(b, >=, 0);
	g_assert_cmpuint(dma32->nr_pageblocks[MIGRATE_RECLAIMABLE], ==, 2);
	g_assert_null(machine_check_invariants(m));
	/* the boost after a fallback below pageblock order is not taken for
	 * order-10 claims: no boost */
	g_assert_cmpuint(dma32->watermark_boost, ==, 0);
	__free_pages(m, (unsigned long)a, 0, 0);
	__free_pages(m, (unsigned long)b, 0, 1);
	drain_all_pages(m, NULL);
	/* the blocks merge back but keep their new types, as in Linux */
	g_assert_cmpuint(free_area_count(dma32, MAX_PAGE_ORDER, MIGRATE_UNMOVABLE), ==, 1);
	g_assert_cmpuint(free_area_count(dma32, MAX_PAGE_ORDER, MIGRATE_RECLAIMABLE), ==, 1);
	g_assert_null(machine_check_invariants(m));
	machine_destroy(m);
}

/* Exhaustion: allocations fail with -ENOMEM below the min watermark and
 * the failure is logged in the kernel's words. */
static void test_exhaustion(void)
{
	struct machine *m = small_machine();
	GArray *pfns = g_array_new(FALSE, FALSE, sizeof(long));
	long pfn;

	while ((pfn = __alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER, -1, 0)) >= 0)
		g_array_append_val(pfns, pfn);
	g_assert_cmpint(pfn, ==, -ENOMEM);
	g_assert_nonnull(strstr(m->log->str, "page allocation failure: order:10"));
	/* both zones are now at most an order-10 block above min + reserve */
	g_assert_null(machine_check_invariants(m));
	for (guint i = 0; i < pfns->len; i++)
		__free_pages(m, (unsigned long)g_array_index(pfns, long, i), MAX_PAGE_ORDER, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_FREE_PAGES), ==, (long)m->totalram_pages);
	g_array_free(pfns, TRUE);
	machine_destroy(m);
}

struct live_block { long pfn; unsigned int order; };

/* Random allocations and frees of every order and type keep every
 * invariant, and freeing everything restores the free page count. */
static void test_random_ops(void)
{
	struct machine *m = small_machine();
	GRand *r = g_rand_new_with_seed(42);
	static const gfp_t types[] = { GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE };
	GArray *live = g_array_new(FALSE, FALSE, sizeof(struct live_block));

	for (int i = 0; i < 3000; i++) {
		if (live->len && g_rand_int_range(r, 0, 3) == 0) {
			guint k = (guint)g_rand_int_range(r, 0, (gint32)live->len);
			struct live_block *e = &g_array_index(live, struct live_block, k);

			__free_pages(m, (unsigned long)e->pfn, e->order, g_rand_int_range(r, 0, 2));
			g_array_remove_index_fast(live, k);
		} else {
			unsigned int order = (unsigned int)g_rand_int_range(r, 0, NR_PAGE_ORDERS);
			long pfn = __alloc_pages(m, types[g_rand_int_range(r, 0, 3)], order, -1,
						 g_rand_int_range(r, 0, 2));
			struct live_block e = { pfn, order };

			if (pfn >= 0)
				g_array_append_val(live, e);
		}
		if (i % 100 == 0) {
			char *err = machine_check_invariants(m);

			if (err)
				g_error("after op %d: %s", i, err);
		}
	}
	for (guint k = 0; k < live->len; k++) {
		struct live_block *e = &g_array_index(live, struct live_block, k);

		__free_pages(m, (unsigned long)e->pfn, e->order, 0);
	}
	drain_all_pages(m, NULL);
	g_assert_null(machine_check_invariants(m));
	g_assert_cmpint(global_zone_page_state(m, NR_FREE_PAGES), ==, (long)m->totalram_pages);
	g_array_free(live, TRUE);
	g_rand_free(r);
	machine_destroy(m);
}

/* An idle 1 TiB machine keeps almost no page metadata */
static void test_sparse_idle(void)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = 1ULL << 40;
	cfg.nr_nodes = 8;
	cfg.nr_cpus = 16;
	cfg.bare = true;
	m = machine_create(&cfg, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sizeof(struct page), <=, 40);
	/* only sections mixing reserved and free pages have a mem_map */
	g_assert_cmpuint(m->nr_memmap_sections, <=, 2 * 8 + 4);
	g_assert_cmpuint(machine_metadata_bytes(m), <, 32u << 20);
	/* 2-node zonelists: node 0 falls back to the others by distance */
	g_assert_true(m->node_data[0]->node_zonelists[ZONELIST_FALLBACK]._zonerefs[0].zone->zone_pgdat->node_id == 0);
	machine_destroy(m);
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/page_alloc/layout", test_layout);
	g_test_add_func("/page_alloc/layout_pci_hole", test_layout_pci_hole);
	g_test_add_func("/page_alloc/watermarks", test_watermarks);
	g_test_add_func("/page_alloc/zone_watermark_ok", test_zone_watermark_ok);
	g_test_add_func("/page_alloc/pcp_sizing", test_pcp_sizing);
	g_test_add_func("/page_alloc/pcp_batch", test_pcp_batch);
	g_test_add_func("/page_alloc/split_and_merge", test_split_and_merge);
	g_test_add_func("/page_alloc/fallback_claims_block", test_fallback_claims_block);
	g_test_add_func("/page_alloc/exhaustion", test_exhaustion);
	g_test_add_func("/page_alloc/random_ops", test_random_ops);
	g_test_add_func("/page_alloc/sparse_idle", test_sparse_idle);
	return g_test_run();
}
