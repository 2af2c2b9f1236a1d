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

void setup_per_zone_lowmem_reserve(struct machine *m)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = m->sysctl.lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone->managed_pages;
			unsigned long managed_pages = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed_pages += pgdat->node_zones[j].managed_pages;
				zone->lowmem_reserve[j] = clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
			}
		}
	}
	calculate_totalreserve_pages(m);
}

static void __setup_per_zone_wmarks(struct machine *m)
{
	unsigned long pages_min = (unsigned long)m->sysctl.min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;

	/* Calculate total number of !ZONE_HIGHMEM and !ZONE_MOVABLE pages */
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			if (zone->zone_idx != ZONE_MOVABLE)
				lowmem_pages += zone->managed_pages;

	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			uint64_t tmp = lowmem_pages ? (uint64_t)pages_min * zone->managed_pages / lowmem_pages : 0;

			if (zone->zone_idx == ZONE_MOVABLE) {
				/* ZONE_MOVABLE gets a small min: __GFP_HIGH and
				 * PF_MEMALLOC allocations rarely need it */
				unsigned long min_pages = zone->managed_pages / 1024;

				zone->_watermark[WMARK_MIN] = CLAMP(min_pages, SWAP_CLUSTER_MAX, 128UL);
			} else {
				zone->_watermark[WMARK_MIN] = tmp;
			}
			/* Set the gaps so that kswapd and the min watermark are a
			 * fraction of the zone apart */
			tmp = MAX(tmp >> 2, (uint64_t)zone->managed_pages *
					      (uint64_t)m->sysctl.watermark_scale_factor / 10000);
			zone->watermark_boost = 0;
			zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + tmp;
			zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + tmp;
			zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + tmp;
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
long si_mem_available(struct machine *m)
{
	unsigned long wmark_low = 0;
	long available, pagecache, reclaimable;

	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			wmark_low += low_wmark_pages(zone);
	available = global_zone_page_state(m, NR_FREE_PAGES) - (long)m->totalreserve_pages;
	pagecache = global_node_page_state(m, NR_ACTIVE_FILE) + global_node_page_state(m, NR_INACTIVE_FILE);
	pagecache -= MIN(pagecache / 2, (long)wmark_low);
	available += pagecache;
	reclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) +
		      global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= MIN(reclaimable / 2, (long)wmark_low);
	available += reclaimable;
	return available < 0 ? 0 : available;
}
