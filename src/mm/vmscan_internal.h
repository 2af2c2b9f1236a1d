/*
 * mm/vmscan.c's private interface, shared with kswapd (kswapd.c) and the
 * MGLRU half of reclaim (lru_gen.c): the scan control of one reclaim pass
 * and the steps both LRU kinds use.
 */
#ifndef MMSIM_VMSCAN_INTERNAL_H
#define MMSIM_VMSCAN_INTERNAL_H

#include "mm_internal.h"
#include "mmsim/gfp.h"
#include "mm_internal_proc.h"

#define DEF_PRIORITY 12
#define MAX_SWAPPINESS 200
#define THROTTLE_MAX_NS (NSEC_PER_SEC / 10)  /* reclaim_throttle: HZ/10 */

struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed, nr_scanned;
	gfp_t gfp_mask;
	int order;
	int priority;
	int reclaim_idx;
	bool may_writepage, may_unmap, may_swap;
	bool kswapd;
	bool proactive;                 /* the lru_gen debugfs file's eviction */
	unsigned int may_deactivate;
	bool file_is_tiny, cache_trim_mode;
	unsigned long anon_cost, file_cost;
	unsigned long nr_writeback, nr_immediate, nr_unqueued_dirty, nr_taken;
	unsigned long nr_file_taken;    /* MGLRU: sc->nr.file_taken */
	unsigned long nr_pageout;       /* swap writes started and not waited for */
	int cpu;
	struct task_struct *reclaimer;  /* charged the CPU time */
	/* kswapd does not sleep inside a step: a throttle ends the step and
	 * kswapd runs again at this time (0: not throttled) */
	uint64_t throttle_until;
};

/* vmscan.c */
void shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
void kswapd_age_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
void snapshot_refaults(pg_data_t *pgdat);

/* reclaimer_offset: the kswapd, direct or proactive variant of a
 * pgscan/pgsteal event */
static inline int reclaimer_offset(const struct scan_control *sc)
{
	if (sc->kswapd)
		return 0;
	return sc->proactive ? PGSCAN_PROACTIVE - PGSCAN_KSWAPD : PGSCAN_DIRECT - PGSCAN_KSWAPD;
}

/* NR_ISOLATED_ANON/FILE for a page taken off (nr 1) or put back (-1) */
void isolate_mod(struct machine *m, unsigned long pfn, bool file, long nr);
/* move_folios_to_lru for one page */
void putback_folio(struct machine *m, unsigned long pfn);
/* Reclaims what it can of the isolated pages in pfns; each page freed
 * becomes PFN_NONE, the rest go back with putback_folio */
unsigned long shrink_folio_list(struct machine *m, GArray *pfns, struct scan_control *sc,
				unsigned long *nr_activate, unsigned long *nr_pageout);

#endif
