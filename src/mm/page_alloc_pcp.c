/*
 * mm/page_alloc.c, its per-cpu page lists: the pcp lists each CPU keeps per
 * zone in front of the buddy allocator, and their sizes.
 *
 * Models (Linux 6.18):
 * - one list per migratetype and low order, one for THP order (order_to_pindex);
 * - rmqueue_pcplist refilling by rmqueue_bulk, nr_pcp_alloc's batch scaling;
 * - free_frozen_page_commit with nr_pcp_high / nr_pcp_free and free_pcppages_bulk;
 * - decay_pcp_high, drain_local_pages / drain_all_pages;
 * - zone_batchsize, zone_highsize and the pageset updates.
 * Simplifies:
 * - lists are arrays of PFNs, not list_heads;
 * - no pcp lock, no pcp->flags beyond what the sizing uses.
 */

#include "mmsim/gfp.h"
#include "mmsim/log2.h"
#include "mmsim/machine.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "page_alloc_internal.h"
#include "mmsim/trace_events.h"

#define CONFIG_PCP_BATCH_SCALE_MAX 5
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
#define PCPF_PREV_FREE_HIGH_ORDER 0x1
#define PCPF_FREE_HIGH_BATCH 0x2

/* ------------------------------------------------------------------ */
/* Per-cpu page lists                                                  */
/* ------------------------------------------------------------------ */

static inline int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;
	return (MIGRATE_PCPTYPES * (int)order) + mt;
}

static inline unsigned int pindex_to_order(int pindex)
{
	return pindex == NR_LOWORDER_PCP_LISTS ? pageblock_order : (unsigned int)pindex / MIGRATE_PCPTYPES;
}

static void pcp_list_grow(struct pcp_list *l)
{
	uint32_t cap = l->cap ? l->cap * 2 : 64;
	uint32_t *pfns = g_new(uint32_t, cap);

	for (uint32_t i = 0; i < l->len; i++)
		pfns[i] = l->pfns[(l->head + i) & (l->cap - 1)];
	g_free(l->pfns);
	l->pfns = pfns;
	l->cap = cap;
	l->head = 0;
}

static void __pcp_list_add(struct page *page, struct per_cpu_pages *pcp, int pindex,
			   unsigned long pfn, unsigned int order, int cpu, bool tail)
{
	struct pcp_list *l = &pcp->lists[pindex];

	page_set(page, PG_pcp);
	page->order = (uint8_t)order;
	page->mt = (uint8_t)(pindex == NR_LOWORDER_PCP_LISTS ? MIGRATE_MOVABLE : pindex % MIGRATE_PCPTYPES);
	page->cpu = (uint16_t)cpu;
	if (l->len == l->cap)
		pcp_list_grow(l);
	if (tail) {
		l->pfns[(l->head + l->len) & (l->cap - 1)] = (uint32_t)pfn;
	} else {
		l->head = (l->head - 1) & (l->cap - 1);
		l->pfns[l->head] = (uint32_t)pfn;
	}
	l->len++;
}

static void pcp_list_add(struct machine *m, struct per_cpu_pages *pcp, int pindex,
			 unsigned long pfn, unsigned int order, int cpu, bool tail)
{
	__pcp_list_add(pfn_to_page(m, pfn), pcp, pindex, pfn, order, cpu, tail);
}

/* Take the front (allocation) or the back (bulk free) of a list */
static unsigned long pcp_list_pop(struct machine *m, struct per_cpu_pages *pcp, int pindex, bool back)
{
	struct pcp_list *l = &pcp->lists[pindex];
	unsigned long pfn;
	struct page *page;

	if (back) {
		pfn = l->pfns[(l->head + l->len - 1) & (l->cap - 1)];
	} else {
		pfn = l->pfns[l->head];
		l->head = (l->head + 1) & (l->cap - 1);
	}
	l->len--;
	page = pfn_to_page(m, pfn);
	page_clear(page, PG_pcp);
	page->order = 0;
	return pfn;
}

/*
 * __rmqueue_smallest `max` times in one go.  The smallest block of the
 * type has empty lists below it, so taking blocks of `order` one by one
 * hands it out front to back (each split leaves the rest as one block per
 * order, and the smallest of those is the next in line): take the first
 * n blocks of it at once and put on the lists what the splits would have
 * left there, [first + n blocks, end of the block) in aligned blocks.  The
 * lists, counters and pages end as after n calls of __rmqueue_smallest.
 * The blocks go to the tail of the pcp list in order, as rmqueue_bulk
 * would put them.  Returns n (0: the type's lists are empty).
 */
static int __rmqueue_smallest_run(struct machine *m, struct zone *zone, unsigned int order, int mt,
				  int max, struct per_cpu_pages *pcp, int pindex, int cpu)
{
	for (unsigned int k = order; k < NR_PAGE_ORDERS; k++) {
		long head = get_page_from_free_area(m, zone, k, mt);
		unsigned long pfn, n, off, size;
		struct page *page;

		if (head < 0)
			continue;
		pfn = (unsigned long)head;
		size = 1UL << (k - order);
		n = MIN((unsigned long)max, size);
		__del_page_from_free_list(m, zone, pfn, k, mt);
		for (off = n; off < size; off += off & -off)
			__add_to_free_list(m, zone, pfn + (off << order),
					   order + (unsigned int)__builtin_ctzl(off), mt, false);
		account_freepages(zone, -(long)(n << order), mt);
		/* each block taken was the head of a split half: off its list */
		page = pfn_to_page(m, pfn);
		for (off = 0; off < n; off++) {
			struct page *p = page + (off << order);

			if (off) {
				page_clear(p, PG_buddy);
				p->next = p->prev = PFN_NONE;
				p->mt = (uint8_t)mt;
			}
			__pcp_list_add(p, pcp, pindex, pfn + (off << order), order, cpu, true);
		}
		return (int)n;
	}
	return 0;
}

/* rmqueue_bulk: move `count` blocks from the buddy lists to a pcp list,
 * runs of them at a time while the type's own lists have them */
static int rmqueue_bulk(struct machine *m, struct zone *zone, unsigned int order, int count,
			struct per_cpu_pages *pcp, int pindex, int mt, unsigned int alloc_flags, int cpu)
{
	int i = 0;

	while (i < count) {
		int n = __rmqueue_smallest_run(m, zone, order, mt, count - i, pcp, pindex, cpu);
		long pfn;

		if (n) {
			i += n;
			continue;
		}
		pfn = __rmqueue_fallback(m, zone, order, mt, alloc_flags);
		if (pfn < 0)
			break;
		pcp_list_add(m, pcp, pindex, (unsigned long)pfn, order, cpu, true);
		i++;
	}
	return i;
}

static void free_pcppages_bulk(struct machine *m, struct zone *zone, int count,
			       struct per_cpu_pages *pcp, int pindex)
{
	count = MIN(pcp->count, count);
	/* Ensure the requested pindex is drained first */
	pindex = pindex - 1;
	while (count > 0) {
		unsigned int order;
		int nr_pages;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
		} while (!pcp->lists[pindex].len);
		order = pindex_to_order(pindex);
		nr_pages = 1 << order;
		do {
			unsigned long pfn = pcp_list_pop(m, pcp, pindex, true);

			count -= nr_pages;
			pcp->count -= nr_pages;
			trace_mm_page_pcpu_drain(m, pfn, order, get_pageblock_migratetype(m, pfn));
			__free_one_page(m, zone, pfn, order, get_pageblock_migratetype(m, pfn));
		} while (count > 0 && pcp->lists[pindex].len);
	}
}

static int nr_pcp_alloc(struct per_cpu_pages *pcp, struct zone *zone, unsigned int order)
{
	struct per_cpu_pages *x = pcp;
	int high, base_batch, batch, max_nr_alloc;

	base_batch = pcp->batch;
	high = pcp->high = CLAMP(pcp->high, pcp->high_min, pcp->high_max);
	/* Check for PCP disabled or boot pageset */
	if (high < base_batch)
		return 1;
	batch = order ? base_batch : (base_batch << x->alloc_factor);
	/* If we had larger pcp->high, we could avoid allocating from the zone */
	if (pcp->high_min != pcp->high_max && !(zone->flags & ZONE_BELOW_HIGH))
		high = pcp->high = MIN(high + batch, pcp->high_max);
	if (!order) {
		max_nr_alloc = MAX(high - pcp->count - base_batch, base_batch);
		/* Double the pages allocated on subsequent order-0 allocations */
		if (batch <= max_nr_alloc && x->alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX)
			x->alloc_factor++;
		batch = MIN(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = MAX(batch >> order, 2);
	return batch;
}

static int nr_pcp_high(struct per_cpu_pages *pcp, struct zone *zone, int batch, bool free_high)
{
	struct per_cpu_pages *x = pcp;
	int high = pcp->high = CLAMP(pcp->high, pcp->high_min, pcp->high_max);

	if (!high)
		return 0;
	if (free_high) {
		pcp->high = MAX(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), pcp->high_min);
		return 0;
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	if (zone->flags & ZONE_BELOW_HIGH) {
		int free_count = MAX(x->free_count, batch);

		pcp->high = MAX(high - free_count, pcp->high_min);
		high = MAX(pcp->count, pcp->high_min);
	} else if (pcp->count >= high) {
		int need_high = x->free_count + batch;

		/* high should be large enough to hold batch freed pages */
		if (pcp->high < need_high)
			pcp->high = CLAMP(need_high, pcp->high_min, pcp->high_max);
	}
	return high;
}

static int nr_pcp_free(struct per_cpu_pages *pcp, int batch, int high, bool free_high)
{
	struct per_cpu_pages *x = pcp;

	if (free_high)
		return MIN(pcp->count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	/* Leave at least pcp->batch pages on the list */
	return CLAMP(x->free_count, batch, high - batch);
}

long rmqueue_pcplist(struct machine *m, struct zone *zone, unsigned int order, int mt,
			    unsigned int alloc_flags, int cpu)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	int pindex = order_to_pindex(mt, order);
	unsigned long pfn;

	/* On allocation, reduce the number of pages that are batch freed */
	pcp->free_count >>= 1;
	if (!pcp->lists[pindex].len) {
		int batch = nr_pcp_alloc(pcp, zone, order);
		int alloced = rmqueue_bulk(m, zone, order, batch, pcp, pindex, mt, alloc_flags, cpu);

		pcp->count += alloced << order;
		if (!pcp->lists[pindex].len)
			return -1;
	}
	pfn = pcp_list_pop(m, pcp, pindex, false);
	pcp->count -= 1 << order;
	return (long)pfn;
}

void free_frozen_page_commit(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp,
				    unsigned long pfn, int mt, unsigned int order, int cpu)
{
	struct per_cpu_pages *x = pcp;
	int high, batch, pindex;
	bool free_high = false;

	/* On freeing, reduce the number of pages that are batch allocated */
	x->alloc_factor >>= 1;
	pindex = order_to_pindex(mt, order);
	pcp_list_add(m, pcp, pindex, pfn, order, cpu, false);
	pcp->count += 1 << order;
	batch = pcp->batch;
	/* High-order pages other than THPs stored on the pcp fragment memory:
	 * limit them when freeing without allocating */
	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = (x->free_count >= (batch + pcp->high_min / 2) &&
			     (x->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
			     (!(x->flags & PCPF_FREE_HIGH_BATCH) || pcp->count >= batch));
		x->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else if (x->flags & PCPF_PREV_FREE_HIGH_ORDER) {
		x->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (x->free_count < (batch << CONFIG_PCP_BATCH_SCALE_MAX))
		x->free_count += (1 << order);
	high = nr_pcp_high(pcp, zone, batch, free_high);
	if (pcp->count < high)
		return;
	free_pcppages_bulk(m, zone, nr_pcp_free(pcp, batch, high, free_high), pcp, pindex);
	if ((zone->flags & ZONE_BELOW_HIGH) &&
	    zone_watermark_ok(zone, 0, high_wmark_pages(zone), ZONE_MOVABLE, 0))
		zone->flags &= ~ZONE_BELOW_HIGH;
}

int decay_pcp_high(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp)
{
	int high_min = pcp->high_min, batch = pcp->batch, to_drain, todo = 0;

	/* Decrease pcp->high periodically to free possibly idle pcp pages */
	if (pcp->high > high_min) {
		pcp->high = MAX(MAX(pcp->count - (batch << CONFIG_PCP_BATCH_SCALE_MAX),
				    pcp->high - (pcp->high >> 3)), high_min);
		if (pcp->high > high_min)
			todo++;
	}
	to_drain = pcp->count - pcp->high;
	if (to_drain > 0) {
		free_pcppages_bulk(m, zone, to_drain, pcp, 0);
		todo++;
	}
	return todo;
}

static void drain_pages_zone(struct machine *m, struct zone *zone, int cpu)
{
	struct per_cpu_pages *pcp;

	if (!zone->per_cpu_pageset)
		return;
	pcp = &zone->per_cpu_pageset[cpu];
	if (pcp->count)
		free_pcppages_bulk(m, zone, pcp->count, pcp, 0);
}

void drain_local_pages(struct machine *m, int cpu)
{
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			drain_pages_zone(m, zone, cpu);
}

void drain_all_pages(struct machine *m, struct zone *zone)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (zone)
			drain_pages_zone(m, zone, cpu);
		else
			drain_local_pages(m, cpu);
	}
}

/* ------------------------------------------------------------------ */
/* Per-cpu pagesets: batch and high                                    */
/* ------------------------------------------------------------------ */

int zone_batchsize(const struct zone *zone)
{
	/* ~0.1% of the zone or 1 MiB, whichever is smaller */
	long batch = (long)MIN(zone->managed_pages >> 10, (1UL << 20) / PAGE_SIZE);

	batch /= 4; /* We effectively *= 4 below */
	if (batch < 1)
		batch = 1;
	/* Clamp to 2^n - 1: powers of two alias badly in caches */
	batch = (long)rounddown_pow_of_two((unsigned long)(batch + batch / 2)) - 1;
	return (int)batch;
}

int zone_highsize(const struct machine *m, const struct zone *zone, int batch, int cpu_online,
		  int high_fraction)
{
	unsigned long total_pages;
	int nr_split_cpus = cpu_online;
	int high;

	if (!high_fraction)
		/* by default pcp high follows the low watermark, so full pcp
		 * lists do not start background reclaim prematurely */
		total_pages = low_wmark_pages(zone);
	else
		total_pages = zone->managed_pages / (unsigned long)high_fraction;
	/* Split over the CPUs local to the zone */
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (m->cpus[cpu].node == zone->zone_pgdat->node_id)
			nr_split_cpus++;
	if (!nr_split_cpus)
		nr_split_cpus = m->nr_cpus;
	high = (int)(total_pages / (unsigned long)nr_split_cpus);
	/* at least batch*4, the historical relation of high and batch */
	return MAX(high, batch << 2);
}

static void zone_pcp_update(struct machine *m, struct zone *zone)
{
	int new_batch, new_high_min, new_high_max;
	int fraction = m->sysctl.percpu_pagelist_high_fraction;

	if (!zone->per_cpu_pageset)
		return;
	new_batch = MAX(1, zone_batchsize(zone));
	if (fraction) {
		new_high_min = zone_highsize(m, zone, new_batch, 0, fraction);
		new_high_max = new_high_min;
	} else {
		new_high_min = zone_highsize(m, zone, new_batch, 0, 0);
		new_high_max = zone_highsize(m, zone, new_batch, 0, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		pcp->high_min = new_high_min;
		pcp->high_max = new_high_max;
		pcp->batch = new_batch;
		pcp->high = CLAMP(pcp->high, new_high_min, new_high_max);
	}
}

void zone_pcp_update_all(struct machine *m)
{
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			zone_pcp_update(m, zone);
}

void setup_zone_pagesets(struct machine *m)
{
	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			if (!populated_zone(zone))
				continue;
			zone->per_cpu_pageset = g_new0(struct per_cpu_pages, (gsize)m->nr_cpus);
		}
	}
}
