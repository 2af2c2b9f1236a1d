/*
 * Event and state counters (include/linux/vmstat.h, mm/vmstat.c).
 * State counters are kept per zone (zone_stat_item) and per node
 * (node_stat_item); global values are the sums, as the kernel's vm_*_stat
 * arrays are.  NUMA events are per zone; VM events are global.
 */
#ifndef MMSIM_VMSTAT_H
#define MMSIM_VMSTAT_H

#include "mmsim/vmstat_items.h"

#define X_ENUM(e, s) e,
enum zone_stat_item { ZONE_STAT_ITEMS(X_ENUM) NR_VM_ZONE_STAT_ITEMS };
enum numa_stat_item { NUMA_STAT_ITEMS(X_ENUM) NR_VM_NUMA_EVENT_ITEMS };
enum node_stat_item { NODE_STAT_ITEMS(X_ENUM) NR_VM_NODE_STAT_ITEMS };
enum vm_event_item { VM_EVENT_ITEMS(X_ENUM) NR_VM_EVENT_ITEMS };
#undef X_ENUM

extern const char *const zone_stat_name[NR_VM_ZONE_STAT_ITEMS];
extern const char *const numa_stat_name[NR_VM_NUMA_EVENT_ITEMS];
extern const char *const node_stat_name[NR_VM_NODE_STAT_ITEMS];
extern const char *const vm_event_name[NR_VM_EVENT_ITEMS];

struct machine;
struct zone;
struct pglist_data;

/* The updaters (__mod_zone_page_state, __mod_node_page_state,
 * __count_numa_event, count_vm_events) are inline, in machine.h. */

long zone_page_state(const struct zone *zone, enum zone_stat_item item);
long node_page_state(const struct pglist_data *pgdat, enum node_stat_item item);
/* The zone items summed over a node's zones (node_page_state for zone items) */
long sum_zone_node_page_state(const struct pglist_data *pgdat, enum zone_stat_item item);
unsigned long sum_zone_numa_event_state(const struct pglist_data *pgdat, enum numa_stat_item item);
long global_zone_page_state(const struct machine *m, enum zone_stat_item item);
long global_node_page_state(const struct machine *m, enum node_stat_item item);
unsigned long global_numa_event_state(const struct machine *m, enum numa_stat_item item);
unsigned long global_vm_event(const struct machine *m, enum vm_event_item item);
/* The per-cpu counter drift a zone tolerates ("vm stats threshold") */
int calculate_normal_threshold(const struct machine *m, const struct zone *z);

#endif
