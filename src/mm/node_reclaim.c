/*
 * Node reclaim, formerly zone reclaim (mm/vmscan.c node_reclaim and
 * __node_reclaim, mm/page_alloc.c's call in get_page_from_freelist and
 * zone_allows_reclaim, the min_unmapped/min_slab limits).
 *
 * Models:
 * - vm.zone_reclaim_mode bits: 1 reclaim on the node before going off
 *   it, 2 write dirty pages out, 4 unmap mapped pages; vm.min_unmapped_ratio
 *   (default 1) and vm.min_slab_ratio (default 5) in percent of each
 *   zone's managed pages, summed per node
 * - a zone below its watermark, within RECLAIM_DISTANCE (30) of the
 *   preferred node: node_reclaim when the node holds more reclaimable
 *   page cache (unmapped file pages, or all file pages with bit 4, less
 *   the dirty ones without bit 2) than min_unmapped_pages, or more
 *   reclaimable slab than min_slab_pages; not for allocations that may
 *   not block or run with PF_MEMALLOC, nor on another node with CPUs
 * - __node_reclaim: shrink_node at priority 4 and up until 1 << order
 *   pages are freed (at least SWAP_CLUSTER_MAX asked), counted as direct
 *   reclaim (pgscan_direct, pgsteal_direct); zone_reclaim_success or
 *   zone_reclaim_failed; then the zone's watermark is checked again
 * Simplifies:
 * - no psi memory stall or delay accounting for the reclaim
 */
#include "numa_balancing_internal.h"
#include "vmscan_internal.h"

#define RECLAIM_ZONE 0x1
#define RECLAIM_WRITE 0x2
#define RECLAIM_UNMAP 0x4
#define NODE_RECLAIM_PRIORITY 4
#define RECLAIM_DISTANCE 30

enum { NODE_RECLAIM_NOSCAN = -2, NODE_RECLAIM_FULL = -1, NODE_RECLAIM_SOME = 0, NODE_RECLAIM_SUCCESS = 1 };

/* setup_min_unmapped_ratio / setup_min_slab_ratio: per zone, summed */
static unsigned long node_min_pages(struct machine *m, pg_data_t *pgdat, int ratio)
{
	unsigned long pages = 0;

	(void)m;
	for_each_zone_in_node(pgdat, zone)
		pages += zone->managed_pages * (unsigned long)ratio / 100;
	return pages;
}

/* node_unmapped_file_pages and node_pagecache_reclaimable */
static unsigned long node_pagecache_reclaimable(struct machine *m, pg_data_t *pgdat)
{
	int mode = m->sysctl.zone_reclaim_mode;
	unsigned long nr, delta = 0;

	if (mode & RECLAIM_UNMAP) {
		nr = (unsigned long)node_page_state(pgdat, NR_FILE_PAGES);
	} else {
		unsigned long file_lru = (unsigned long)(node_page_state(pgdat, NR_INACTIVE_FILE) +
							 node_page_state(pgdat, NR_ACTIVE_FILE));
		unsigned long file_mapped = (unsigned long)node_page_state(pgdat, NR_FILE_MAPPED);

		nr = file_lru > file_mapped ? file_lru - file_mapped : 0;
	}
	if (!(mode & RECLAIM_WRITE))
		delta += (unsigned long)node_page_state(pgdat, NR_FILE_DIRTY);
	return nr - MIN(delta, nr);
}

static bool node_over_limits(struct machine *m, pg_data_t *pgdat)
{
	return node_pagecache_reclaimable(m, pgdat) > node_min_pages(m, pgdat, m->sysctl.min_unmapped_ratio) ||
	       (unsigned long)node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B) >
		       node_min_pages(m, pgdat, m->sysctl.min_slab_ratio);
}

static int __node_reclaim(struct machine *m, pg_data_t *pgdat, gfp_t gfp, unsigned int order, int highest_zoneidx,
			  int cpu)
{
	unsigned long nr_pages = 1UL << order;
	struct scan_control sc = {
		.nr_to_reclaim = MAX(nr_pages, SWAP_CLUSTER_MAX),
		.gfp_mask = gfp,
		.order = (int)order,
		.priority = NODE_RECLAIM_PRIORITY,
		.may_writepage = m->sysctl.zone_reclaim_mode & RECLAIM_WRITE,
		.may_unmap = m->sysctl.zone_reclaim_mode & RECLAIM_UNMAP,
		.may_swap = true,
		.reclaim_idx = highest_zoneidx,
		.reclaimer = m->current,
		.cpu = cpu,
	};

	if (node_over_limits(m, pgdat)) {
		do
			shrink_node(m, pgdat, &sc);
		while (sc.nr_reclaimed < nr_pages && --sc.priority >= 0);
	}
	return sc.nr_reclaimed >= nr_pages;
}

static bool node_has_cpus(const struct machine *m, int nid)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpu_to_node(m, cpu) == nid)
			return true;
	return false;
}

static int node_reclaim(struct machine *m, pg_data_t *pgdat, gfp_t gfp, unsigned int order, int highest_zoneidx,
			int cpu)
{
	int nid = pgdat->node_id, ret;

	if (!node_over_limits(m, pgdat))
		return NODE_RECLAIM_FULL;
	if (!(gfp & __GFP_DIRECT_RECLAIM) || (m->current && (m->current->flags & PF_MEMALLOC)))
		return NODE_RECLAIM_NOSCAN;
	if (node_has_cpus(m, nid) && nid != cpu_to_node(m, cpu))
		return NODE_RECLAIM_NOSCAN;
	/* PGDAT_RECLAIM_LOCKED */
	if (m->numab->node_reclaim_locked & (1ULL << nid))
		return NODE_RECLAIM_NOSCAN;
	m->numab->node_reclaim_locked |= 1ULL << nid;
	ret = __node_reclaim(m, pgdat, gfp, order, highest_zoneidx, cpu);
	m->numab->node_reclaim_locked &= ~(1ULL << nid);
	count_vm_event(m, ret ? PGSCAN_ZONE_RECLAIM_SUCCESS : PGSCAN_ZONE_RECLAIM_FAILED);
	return ret;
}

bool node_reclaim_zone(struct machine *m, struct zone *preferred, struct zone *zone, gfp_t gfp, unsigned int order,
		       unsigned long mark, int highest_zoneidx, unsigned int alloc_flags, int cpu)
{
	int ret;

	/* node_reclaim_enabled, zone_allows_reclaim */
	if (!(m->sysctl.zone_reclaim_mode & (RECLAIM_ZONE | RECLAIM_WRITE | RECLAIM_UNMAP)) ||
	    m->node_distance[preferred->zone_pgdat->node_id][zone->zone_pgdat->node_id] > RECLAIM_DISTANCE)
		return false;
	ret = node_reclaim(m, zone->zone_pgdat, gfp, order, highest_zoneidx, cpu);
	if (ret == NODE_RECLAIM_NOSCAN || ret == NODE_RECLAIM_FULL)
		return false;
	return zone_watermark_ok(zone, order, mark, highest_zoneidx, alloc_flags);
}
