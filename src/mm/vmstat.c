/*
 * mm/vmstat.c: the zone, node, NUMA and VM-event counters.
 *
 * Models: the counter arrays and their names, the per-node and global sums.
 * Simplifies: the kernel batches updates in per-cpu differentials folded in
 * by vmstat_update (with a per-zone threshold); here every update lands in
 * the zone or node counter at once, so the sums are always exact.  The
 * "vm stats threshold" zoneinfo shows is computed (calculate_normal_threshold)
 * but only reported.  The extfrag indexes (fill_contig_page_info,
 * __fragmentation_index, unusable_free_index, extfrag_for_order) are the
 * kernel's formulas over the free lists' counts.
 */
#include "mmsim/compaction.h"
#include "mmsim/log2.h"
#include "mmsim/machine.h"
#include "mmsim/vmstat.h"

#define X_NAME(e, s) s,
const char *const zone_stat_name[NR_VM_ZONE_STAT_ITEMS] = { ZONE_STAT_ITEMS(X_NAME) };
const char *const numa_stat_name[NR_VM_NUMA_EVENT_ITEMS] = { NUMA_STAT_ITEMS(X_NAME) };
const char *const node_stat_name[NR_VM_NODE_STAT_ITEMS] = { NODE_STAT_ITEMS(X_NAME) };
const char *const vm_event_name[NR_VM_EVENT_ITEMS] = { VM_EVENT_ITEMS(X_NAME) };
#undef X_NAME

long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	return zone->vm_stat[item];
}

long node_page_state(const struct pglist_data *pgdat, enum node_stat_item item)
{
	return pgdat->vm_stat[item];
}

long sum_zone_node_page_state(const struct pglist_data *pgdat, enum zone_stat_item item)
{
	long sum = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		sum += pgdat->node_zones[i].vm_stat[item];
	return sum;
}

unsigned long sum_zone_numa_event_state(const struct pglist_data *pgdat, enum numa_stat_item item)
{
	unsigned long sum = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		sum += pgdat->node_zones[i].vm_numa_event[item];
	return sum;
}

long global_zone_page_state(const struct machine *m, enum zone_stat_item item)
{
	long sum = 0;

	for (int nid = 0; nid < m->nr_nodes; nid++)
		sum += sum_zone_node_page_state(m->node_data[nid], item);
	return sum;
}

long global_node_page_state(const struct machine *m, enum node_stat_item item)
{
	long sum = 0;

	for (int nid = 0; nid < m->nr_nodes; nid++)
		sum += m->node_data[nid]->vm_stat[item];
	return sum;
}

unsigned long global_numa_event_state(const struct machine *m, enum numa_stat_item item)
{
	unsigned long sum = 0;

	for (int nid = 0; nid < m->nr_nodes; nid++)
		sum += sum_zone_numa_event_state(m->node_data[nid], item);
	return sum;
}

unsigned long global_vm_event(const struct machine *m, enum vm_event_item item)
{
	return m->vm_events[item];
}

/*
 * calculate_normal_threshold: the per-cpu counter drift a zone tolerates,
 * from the cpu count and the zone size in 128 MiB units.  Only reported
 * (zoneinfo): the counters here have no per-cpu differentials.
 */
int calculate_normal_threshold(const struct machine *m, const struct zone *z)
{
	int mem = (int)(z->managed_pages >> (27 - PAGE_SHIFT));
	int threshold = 2 * fls((unsigned int)m->nr_cpus) * (1 + fls((unsigned int)mem));

	return MIN(125, threshold);
}

/* ---- external fragmentation (the extfrag part of mm/vmstat.c) ---- */

/* fill_contig_page_info: the free blocks and pages of a zone, and how
 * many blocks of suitable_order they could give */
void fill_contig_page_info(const struct zone *zone, unsigned int suitable_order, struct contig_page_info *info)
{
	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long blocks = zone->free_area[order].nr_free;

		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable += blocks << (order - suitable_order);
	}
}

/* The fragmentation index of a failed allocation: towards 0 the failure
 * is for lack of memory, towards 1000 for fragmentation; -1000 when it
 * would not fail */
int __fragmentation_index(unsigned int order, const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;

	if (order > MAX_PAGE_ORDER || !info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) / info->free_blocks_total);
}

int fragmentation_index(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	return __fragmentation_index(order, &info);
}

/* unusable_free_index: thousandths of the free pages in blocks too small */
int unusable_free_index(unsigned int order, const struct contig_page_info *info)
{
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000 / info->free_pages);
}

/* extfrag_for_order: the same in percent (compaction's scores) */
unsigned int extfrag_for_order(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages - (info.free_blocks_suitable << order)) * 100 / info.free_pages);
}

/*
 * What a pageblock holds (the picture of fragmentation): free pages,
 * pages allocated as movable, others (unmovable or reclaimable: told
 * apart by the block's type), reserved pages.  A section without a
 * mem_map is wholly free or wholly reserved.
 */
enum pageblock_usage pageblock_usage(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);
	unsigned long start = pfn & ~(pageblock_nr_pages - 1), free = 0, movable = 0, other = 0, reserved = 0;
	struct page *map;
	int mt;

	if (!ms->mem_map)
		return ms->state == SECTION_FREE ? PB_FREE : PB_RESERVED;
	map = &ms->mem_map[start & (PAGES_PER_SECTION - 1)];
	/* the second half of a free MAX_PAGE_ORDER block */
	if (start & (MAX_ORDER_NR_PAGES - 1)) {
		const struct page *head = map - (start & (MAX_ORDER_NR_PAGES - 1));

		if (page_test(head, PG_buddy) && head->order == MAX_PAGE_ORDER)
			return PB_FREE;
	}
	for (unsigned long i = 0; i < pageblock_nr_pages;) {
		const struct page *p = &map[i];
		unsigned long n = 1;

		if (page_test(p, PG_buddy) || page_test(p, PG_pcp)) {
			n = MIN(1UL << p->order, pageblock_nr_pages - i);
			free += n;
		} else if (page_test(p, PG_reserved)) {
			reserved++;
		} else if (page_test(p, PG_movable)) {
			movable++;
		} else if (p->_refcount > 0 || page_test(p, PG_tail)) {
			other++;
		}
		i += n;
	}
	if (free == pageblock_nr_pages)
		return PB_FREE;
	if (reserved && !movable && !other)
		return PB_RESERVED;
	mt = get_pageblock_migratetype(m, start);
	if (!other)
		return free ? PB_MOVABLE_PARTIAL : PB_MOVABLE;
	if (movable || mt == MIGRATE_MOVABLE)
		return PB_MIXED;
	if (mt == MIGRATE_RECLAIMABLE)
		return free ? PB_RECLAIMABLE_PARTIAL : PB_RECLAIMABLE;
	return free ? PB_UNMOVABLE_PARTIAL : PB_UNMOVABLE;
}
