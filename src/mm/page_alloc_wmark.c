/*
 * mm/page_alloc.c, its watermarks, reserves and zonelists.
 *
 * Models (Linux 6.18):
 * - __zone_watermark_ok, zone_watermark_ok and zone_watermark_fast;
 * - __setup_per_zone_wmarks with watermark_scale_factor, calculate_min_free_kbytes;
 * - setup_per_zone_lowmem_reserve and calculate_totalreserve_pages;
 * - build_all_zonelists ordered by node distance (find_next_best_node);
 * - si_mem_available (MemAvailable).
 * Simplifies:
 * - zonelists are rebuilt whole; there is no memory hotplug to update them.
 */

#include "mmsim/gfp.h"
#include "mmsim/explain.h"
#include "mmsim/log2.h"
#include "mmsim/machine.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "page_alloc_internal.h"

/* ------------------------------------------------------------------ */
/* Watermarks                                                          */
/* ------------------------------------------------------------------ */

static inline long __zone_watermark_unusable_free(struct zone *z, unsigned int order,
						  unsigned int alloc_flags)
{
	long unusable_free = (1L << order) - 1;

	/* Without rights to the reserves, the highatomic pages are unusable */
	if (!(alloc_flags & ALLOC_RESERVES))
		unusable_free += (long)z->nr_free_highatomic;
	return unusable_free;
}

bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		/* __GFP_HIGH and atomic callers dip into the reserves */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* For a high-order request, check at least one suitable page is free */
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(z, o, mt))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(z, o, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state(z, NR_FREE_PAGES));
}

bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark,
				int highest_zoneidx, unsigned int alloc_flags)
{
	long free_pages = zone_page_state(z, NR_FREE_PAGES);

	/* Fast check for order-0 only */
	if (!order) {
		long usable_free = free_pages;
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);

		usable_free -= MIN(usable_free, reserved);
		if (usable_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/* Ignore boosting for __GFP_HIGH order-0 allocations at the min mark */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
	    ((alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN))
		return __zone_watermark_ok(z, order, z->_watermark[WMARK_MIN], highest_zoneidx,
					   alloc_flags, free_pages);
	return false;
}

/* calculate_totalreserve_pages: the high watermark plus the largest lowmem
 * reserve of each zone is not available to userspace */
static void calculate_totalreserve_pages(struct machine *m)
{
	unsigned long reserve_pages = 0;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		pgdat->totalreserve_pages = 0;
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			long max = 0;

			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			max += (long)high_wmark_pages(zone);
			if (max > (long)zone->managed_pages)
				max = (long)zone->managed_pages;
			pgdat->totalreserve_pages += (unsigned long)max;
			reserve_pages += (unsigned long)max;
		}
	}
	m->totalreserve_pages = reserve_pages;
}

/* lowmem_reserve[j] of zone i: the pages an allocation that may use zone j
 * must leave in zone i, the managed pages of the zones i+1..j over zone
 * i's lowmem_reserve_ratio */
void lowmem_reserve_ops(struct machine *m, const pg_data_t *pgdat, int i, int j, struct lowmem_reserve_ops *ops)
{
	ops->ratio = m->sysctl.lowmem_reserve_ratio[i];
	ops->clear = !ops->ratio || !pgdat->node_zones[i].managed_pages;
	ops->managed_above = 0;
	for (int k = i + 1; k <= j; k++)
		ops->managed_above += pgdat->node_zones[k].managed_pages;
	ops->reserve = ops->clear ? 0 : (long)(ops->managed_above / (unsigned long)ops->ratio);
}

void setup_per_zone_lowmem_reserve(struct machine *m)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				struct lowmem_reserve_ops ops;

				lowmem_reserve_ops(m, pgdat, i, j, &ops);
				pgdat->node_zones[i].lowmem_reserve[j] = ops.reserve;
			}
		}
	}
	calculate_totalreserve_pages(m);
}

/* Total number of !ZONE_HIGHMEM and !ZONE_MOVABLE pages */
unsigned long wmark_lowmem_pages(struct machine *m)
{
	unsigned long lowmem_pages = 0;

	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			if (zone->zone_idx != ZONE_MOVABLE)
				lowmem_pages += zone->managed_pages;
	return lowmem_pages;
}

/* One zone's watermarks: its share of min_free_kbytes, then gaps of a
 * fraction of the zone so that kswapd and the min watermark are apart */
void zone_wmark_ops(struct machine *m, const struct zone *zone, unsigned long lowmem_pages,
		    struct zone_wmark_ops *ops)
{
	ops->pages_min = (unsigned long)m->sysctl.min_free_kbytes >> (PAGE_SHIFT - 10);
	ops->lowmem_pages = lowmem_pages;
	ops->managed = zone->managed_pages;
	ops->share = lowmem_pages ? (uint64_t)ops->pages_min * zone->managed_pages / lowmem_pages : 0;
	ops->movable = zone->zone_idx == ZONE_MOVABLE;
	if (ops->movable) {
		/* ZONE_MOVABLE gets a small min: __GFP_HIGH and PF_MEMALLOC
		 * allocations rarely need it */
		unsigned long min_pages = zone->managed_pages / 1024;

		ops->wmark[WMARK_MIN] = CLAMP(min_pages, SWAP_CLUSTER_MAX, 128UL);
	} else {
		ops->wmark[WMARK_MIN] = ops->share;
	}
	ops->scale_factor = m->sysctl.watermark_scale_factor;
	ops->scaled = (uint64_t)zone->managed_pages * (uint64_t)ops->scale_factor / 10000;
	ops->gap = MAX(ops->share >> 2, ops->scaled);
	ops->wmark[WMARK_LOW] = ops->wmark[WMARK_MIN] + ops->gap;
	ops->wmark[WMARK_HIGH] = ops->wmark[WMARK_LOW] + ops->gap;
	ops->wmark[WMARK_PROMO] = ops->wmark[WMARK_HIGH] + ops->gap;
}

static void __setup_per_zone_wmarks(struct machine *m)
{
	unsigned long lowmem_pages = wmark_lowmem_pages(m);

	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			struct zone_wmark_ops ops;

			zone_wmark_ops(m, zone, lowmem_pages, &ops);
			zone->watermark_boost = 0;
			for (int w = 0; w < NR_WMARK; w++)
				zone->_watermark[w] = ops.wmark[w];
		}
	}
	calculate_totalreserve_pages(m);
}

void setup_per_zone_wmarks(struct machine *m)
{
	__setup_per_zone_wmarks(m);
	/* The watermarks changed: update the pcp batch and high limits */
	zone_pcp_update_all(m);
}

/* nr_free_zone_pages(gfp_zone(GFP_USER)): pages above the high watermark
 * in the zones a GFP_USER allocation may use, over node 0's zonelist */
unsigned long nr_free_buffer_pages(struct machine *m)
{
	struct zoneref *z = m->node_data[0]->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	unsigned long sum = 0;

	for (; z->zone; z++) {
		unsigned long size, high;

		if (z->zone_idx > ZONE_NORMAL)
			continue;
		size = z->zone->managed_pages;
		high = high_wmark_pages(z->zone);
		if (size > high)
			sum += size - high;
	}
	return sum;
}

/* calculate_min_free_kbytes: min_free_kbytes = sqrt(lowmem_kbytes * 16),
 * clamped to 128..262144, unless the user set a larger value */
void calculate_min_free_kbytes(struct machine *m)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(m) * (PAGE_SIZE >> 10);
	long new_min_free_kbytes = (long)int_sqrt(lowmem_kbytes * 16);

	if (new_min_free_kbytes > m->sysctl.user_min_free_kbytes)
		m->sysctl.min_free_kbytes = (int)CLAMP(new_min_free_kbytes, 128L, 262144L);
}

/* ------------------------------------------------------------------ */
/* Zonelists                                                           */
/* ------------------------------------------------------------------ */

/* build_zonelists: nodes by distance from `local` (find_next_best_node),
 * then each node's zones from the highest down */
void build_all_zonelists(struct machine *m)
{
	for_each_online_node(m, local) {
		pg_data_t *pgdat = m->node_data[local];
		int order[MAX_NUMNODES], n = 0;
		bool used[MAX_NUMNODES] = { false };
		struct zoneref *zr;

		for (int k = 0; k < m->nr_nodes; k++) {
			int best = -1;

			for (int nid = 0; nid < m->nr_nodes; nid++) {
				if (used[nid])
					continue;
				if (best < 0 || m->node_distance[local][nid] < m->node_distance[local][best] ||
				    (m->node_distance[local][nid] == m->node_distance[local][best] && nid == local))
					best = nid;
			}
			used[best] = true;
			order[n++] = best;
		}
		zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
		for (int k = 0; k < n; k++) {
			pg_data_t *node = m->node_data[order[k]];

			for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
				if (!managed_zone(&node->node_zones[z]))
					continue;
				zr->zone = &node->node_zones[z];
				zr->zone_idx = z;
				zr++;
			}
		}
		zr->zone = NULL;
		zr = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
		for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
			if (!managed_zone(&pgdat->node_zones[z]))
				continue;
			zr->zone = &pgdat->node_zones[z];
			zr->zone_idx = z;
			zr++;
		}
		zr->zone = NULL;
	}
}

/* si_mem_available: free pages minus reserves, plus the part of page cache
 * and reclaimable slab that can go without thrashing */
long si_mem_available_ops(struct machine *m, struct mem_available_ops *ops)
{
	ops->wmark_low = 0;
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			ops->wmark_low += low_wmark_pages(zone);
	ops->free = global_zone_page_state(m, NR_FREE_PAGES);
	ops->totalreserve = m->totalreserve_pages;
	ops->base = ops->free - (long)ops->totalreserve;
	/* Not all the page cache can be freed: at least half of it, or the
	 * low watermark's worth, stays */
	ops->file_lru = global_node_page_state(m, NR_ACTIVE_FILE) + global_node_page_state(m, NR_INACTIVE_FILE);
	ops->file_kept = MIN(ops->file_lru / 2, (long)ops->wmark_low);
	ops->pagecache = ops->file_lru - ops->file_kept;
	/* Part of the reclaimable slab and other kernel memory is in use */
	ops->slab_reclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE_B);
	ops->misc_reclaimable = global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE);
	ops->reclaimable_total = ops->slab_reclaimable + ops->misc_reclaimable;
	ops->reclaimable_kept = MIN(ops->reclaimable_total / 2, (long)ops->wmark_low);
	ops->reclaimable = ops->reclaimable_total - ops->reclaimable_kept;
	ops->sum = ops->base + ops->pagecache + ops->reclaimable;
	ops->available = ops->sum < 0 ? 0 : ops->sum;
	return ops->available;
}

long si_mem_available(struct machine *m)
{
	struct mem_available_ops ops;

	return si_mem_available_ops(m, &ops);
}

/* --debug-vm: the watermarks and lowmem reserves are what their formulas
 * give for today's sysctls, so sim/explain's recomputation shows the
 * values in force */
char *wmark_check_invariants(struct machine *m)
{
	unsigned long lowmem_pages = wmark_lowmem_pages(m);

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			struct zone_wmark_ops w;

			zone_wmark_ops(m, zone, lowmem_pages, &w);
			for (int k = 0; k < NR_WMARK; k++)
				if (zone->_watermark[k] != w.wmark[k])
					return g_strdup_printf("node %d zone %s: watermark %d is %lu, its formula gives %lu",
							       nid, zone_names[i], k, zone->_watermark[k], w.wmark[k]);
			for (int j = 0; j < MAX_NR_ZONES; j++) {
				struct lowmem_reserve_ops r = { 0 };

				if (j > i)
					lowmem_reserve_ops(m, pgdat, i, j, &r);
				if (zone->lowmem_reserve[j] != r.reserve)
					return g_strdup_printf("node %d zone %s: lowmem_reserve[%d] is %ld, its formula gives %ld",
							       nid, zone_names[i], j, zone->lowmem_reserve[j], r.reserve);
			}
		}
	}
	return NULL;
}
