/*
 * mm/vmscan.c's private interface, shared with kswapd (kswapd.c): the
 * scan control of one reclaim run and the steps kswapd takes.
 */
#ifndef MMSIM_VMSCAN_INTERNAL_H
#define MMSIM_VMSCAN_INTERNAL_H

#include "mm_internal.h"
#include "mm_internal_proc.h"

#define SWAP_CLUSTER_MAX 32UL
#define DEF_PRIORITY 12

struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed, nr_scanned;
	gfp_t gfp_mask;
	int order;
	int priority;
	int reclaim_idx;
	bool may_writepage, may_unmap, may_swap;
	bool kswapd;
	unsigned int may_deactivate;
	bool file_is_tiny, cache_trim_mode;
	unsigned long anon_cost, file_cost;
	unsigned long nr_writeback, nr_immediate, nr_unqueued_dirty, nr_taken;
	unsigned long nr_pageout;       /* swap writes started and not waited for */
	int cpu;
	struct task_struct *reclaimer;  /* charged the CPU time */
	/* kswapd does not sleep inside a step: a throttle ends the step and
	 * kswapd runs again at this time (0: not throttled) */
	uint64_t throttle_until;
};

/* vmscan.c */
void shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
void age_active_anon(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
void snapshot_refaults(pg_data_t *pgdat);

#endif
