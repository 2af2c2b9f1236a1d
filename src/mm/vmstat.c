/*
 * mm/vmstat.c: the zone, node, NUMA and VM-event counters.
 *
 * Models: the counter arrays and their names, the per-node and global sums.
 * Simplifies: the kernel batches updates in per-cpu differentials folded in
 * by vmstat_update (with a per-zone threshold); here every update lands in
 * the zone or node counter at once, so the sums are always exact.  The
 * "vm stats threshold" zoneinfo shows is computed (calculate_normal_threshold)
 * but only reported.
 */
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

static int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
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
