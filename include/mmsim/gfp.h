/*
 * Allocation flags and the page allocator's interface (include/linux/gfp.h,
 * mm/internal.h's ALLOC_* flags).
 */
#ifndef MMSIM_GFP_H
#define MMSIM_GFP_H

#include "mmsim/machine.h"
#include "mmsim/nodemask.h"

typedef unsigned int gfp_t;

#define __GFP_DMA        0x01u
#define __GFP_HIGHMEM    0x02u
#define __GFP_DMA32      0x04u
#define __GFP_MOVABLE    0x08u
#define __GFP_RECLAIMABLE 0x10u
#define __GFP_HIGH       0x20u
#define __GFP_IO         0x40u
#define __GFP_FS         0x80u
#define __GFP_ZERO       0x100u
#define __GFP_DIRECT_RECLAIM 0x400u
#define __GFP_KSWAPD_RECLAIM 0x800u
#define __GFP_THISNODE   0x200000u
#define __GFP_NOWARN     0x2000u
#define __GFP_RETRY_MAYFAIL 0x4000u
#define __GFP_NOFAIL     0x8000u
#define __GFP_NORETRY    0x10000u
#define __GFP_NOMEMALLOC 0x80000u
#define __GFP_COMP       0x40000u
#define __GFP_HARDWALL   0x100000u

#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

#define GFP_MOVABLE_MASK (__GFP_RECLAIMABLE | __GFP_MOVABLE)
static inline int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

/* The highest zone an allocation may use (gfp_zone). */
static inline enum zone_type gfp_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) == (__GFP_HIGHMEM | __GFP_MOVABLE))
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}


/* alloc_flags (mm/internal.h) */
#define ALLOC_WMARK_MIN    WMARK_MIN
#define ALLOC_WMARK_LOW    WMARK_LOW
#define ALLOC_WMARK_HIGH   WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04
#define ALLOC_WMARK_MASK   (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM          0x08
#define ALLOC_NON_BLOCK    0x10
#define ALLOC_MIN_RESERVE  0x20
#define ALLOC_CPUSET       0x40
#define ALLOC_CMA          0x80
#define ALLOC_NOFRAGMENT   0x100
#define ALLOC_HIGHATOMIC   0x200
#define ALLOC_KSWAPD       0x800
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

/*
 * __alloc_pages: allocate 2^order pages on behalf of a task running on
 * `cpu`, preferring node `preferred_nid` (-1: the cpu's node).  Returns the
 * PFN of the first page, or a negative errno (-ENOMEM).
 */
long __alloc_pages(struct machine *m, gfp_t gfp, unsigned int order, int preferred_nid, int cpu);
/* The same, only from the nodes of nodemask (NULL: any): a mempolicy's
 * bind, reclaim and the OOM killer's retries included */
long __alloc_pages_nodemask(struct machine *m, gfp_t gfp, unsigned int order, int preferred_nid,
			    const nodemask_t *nodemask, int cpu);
/* __free_pages: return a block to the allocator, from `cpu`. */
void __free_pages(struct machine *m, unsigned long pfn, unsigned int order, int cpu);

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);

/* compaction's free scanner: a free block off its list (pages taken, 0:
 * refused by the min watermark), and made a block in use */
unsigned long __isolate_free_page(struct machine *m, unsigned long pfn, unsigned int order);
void mark_allocated(struct machine *m, unsigned long pfn, unsigned int order, gfp_t gfp);

/* Blocks of an order on a migratetype's free list, pristine ones included */
unsigned long free_area_count(const struct zone *zone, unsigned int order, int mt);

/* Return every per-cpu list page to the buddy lists (drain_all_pages). */
void drain_all_pages(struct machine *m, struct zone *zone);
void drain_local_pages(struct machine *m, int cpu);

/* per-cpu pageset tunables: zone_batchsize / zone_highsize */
int zone_batchsize(const struct zone *zone);
int zone_highsize(const struct machine *m, const struct zone *zone, int batch, int cpu_online,
		  int high_fraction);
/* decay_pcp_high: periodic trim of an idle pcp list (vmstat_update) */
int decay_pcp_high(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp);

#endif
