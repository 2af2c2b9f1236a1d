/*
 * What page_alloc.c, page_alloc_pcp.c and page_alloc_wmark.c share: the
 * buddy lists' primitives the pcp refill uses, the pcp entry points the
 * allocator calls, and the watermark test of its fast path.
 */
#ifndef MMSIM_PAGE_ALLOC_INTERNAL_H
#define MMSIM_PAGE_ALLOC_INTERNAL_H

#include "mmsim/machine.h"

/* Blocks of MAX_PAGE_ORDER in one pristine section (sparse.c) */
#define PRISTINE_BLOCKS (PAGES_PER_SECTION >> MAX_PAGE_ORDER)

/* page_alloc.c: the buddy free lists */
static inline bool free_area_empty(const struct zone *zone, unsigned int order, int mt)
{
	return free_area_count(zone, order, mt) == 0;
}

long get_page_from_free_area(struct machine *m, struct zone *zone, unsigned int order, int mt);
void account_freepages(struct zone *zone, long nr_pages, int mt);
void __add_to_free_list(struct machine *m, struct zone *zone, unsigned long pfn, unsigned int order, int mt,
			bool tail);
void __del_page_from_free_list(struct machine *m, struct zone *zone, unsigned long pfn, unsigned int order,
			       int mt);
long __rmqueue_fallback(struct machine *m, struct zone *zone, unsigned int order, int mt,
			unsigned int alloc_flags);

/* page_alloc_pcp.c: the per-cpu lists */
static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == HPAGE_PMD_ORDER;
}

long rmqueue_pcplist(struct machine *m, struct zone *zone, unsigned int order, int mt, unsigned int alloc_flags,
		     int cpu);
void free_frozen_page_commit(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp, unsigned long pfn,
			     int mt, unsigned int order, int cpu);

/* page_alloc_wmark.c */
bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
			 unsigned int alloc_flags);

#endif
