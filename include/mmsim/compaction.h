/*
 * Memory compaction and the fragmentation indexes (include/linux/compaction.h,
 * mm/vmstat.c's extfrag part): the engine's interface for the allocator,
 * reclaim, the sysctls and the files that show fragmentation.
 */
#ifndef MMSIM_COMPACTION_H
#define MMSIM_COMPACTION_H

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

/* Compaction runs in batches of this many pages (SWAP_CLUSTER_MAX) */
#define COMPACT_CLUSTER_MAX 32
#define COMPACT_MAX_DEFER_SHIFT 6
/* The order proactive compaction and the fragmentation score aim at */
#define COMPACTION_HPAGE_ORDER HPAGE_PMD_ORDER
/* kcompactd's proactive check period (HPAGE_FRAG_CHECK_INTERVAL_MSEC) */
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC 500
/* should_compact_retry's retry budget */
#define MAX_COMPACT_RETRIES 16

/* Lower values are higher priorities (enum compact_priority) */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC
};

/* In increasing order of "how far it got" (enum compact_result) */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,  /* for more costly orders: fragindex says lack of memory */
	COMPACT_SKIPPED,            /* too few free pages to migrate into */
	COMPACT_DEFERRED,           /* failed recently: not tried */
	COMPACT_NO_SUITABLE_PAGE,   /* internal: keep going */
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,           /* the scanners met over the whole zone */
	COMPACT_PARTIAL_SKIPPED,    /* the scanners met, part of the zone skipped */
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,            /* a page of the order is free */
};

/* compact_gap: free pages compaction wants for its copies (2 << order) */
static inline unsigned long compact_gap(unsigned int order)
{
	return 2UL << order;
}

/* ---- mm/vmstat.c: the extfrag indexes ---- */
struct contig_page_info {
	unsigned long free_pages;
	unsigned long free_blocks_total;
	unsigned long free_blocks_suitable;
};
void fill_contig_page_info(const struct zone *zone, unsigned int suitable_order, struct contig_page_info *info);
/* thousandths: -1000 when a block of the order is free, 0..1000 otherwise */
int __fragmentation_index(unsigned int order, const struct contig_page_info *info);
int fragmentation_index(const struct zone *zone, unsigned int order);
/* thousandths of the free memory unusable for the order */
int unusable_free_index(unsigned int order, const struct contig_page_info *info);
/* percent of the free memory unusable for the order */
unsigned int extfrag_for_order(const struct zone *zone, unsigned int order);

/* What one pageblock holds (mm/vmstat.c): the picture of fragmentation */
enum pageblock_usage {
	PB_FREE,                 /* every page free */
	PB_MOVABLE,              /* movable pages only, none free */
	PB_MOVABLE_PARTIAL,      /* movable pages and free ones */
	PB_UNMOVABLE,            /* unmovable pages (an unmovable block), none free */
	PB_UNMOVABLE_PARTIAL,
	PB_RECLAIMABLE,          /* unmovable pages of a reclaimable block */
	PB_RECLAIMABLE_PARTIAL,
	PB_MIXED,                /* movable and unmovable pages, or unmovable in a movable block */
	PB_RESERVED,             /* memblock reservations (the kernel image, firmware) */
	NR_PAGEBLOCK_USAGE
};
enum pageblock_usage pageblock_usage(struct machine *m, unsigned long pfn);

/* ---- mm/compaction.c ---- */
bool compaction_suitable(struct machine *m, struct zone *zone, int order, int highest_zoneidx);
bool compaction_deferred(struct machine *m, struct zone *zone, int order);
void defer_compaction(struct machine *m, struct zone *zone, int order);
void compaction_defer_reset(struct machine *m, struct zone *zone, int order, bool alloc_success);
/* direct compaction over a zonelist, at a priority */
enum compact_result try_to_compact_pages(struct machine *m, gfp_t gfp, unsigned int order, unsigned int alloc_flags,
					 struct zonelist *zonelist, int highest_zoneidx,
					 enum compact_priority prio, int cpu);
/* should_compact_retry's zonelist check: could reclaim make room? */
bool compaction_zonelist_suitable(struct machine *m, struct zonelist *zonelist, int highest_zoneidx, int order);
/* vmscan's compaction_ready: enough free for compaction to work */
bool compaction_ready(struct machine *m, struct zone *zone, int order, int reclaim_idx, gfp_t gfp);
/* proc/sys/vm/compact_memory and nodeN/compact: every zone, whole, sync */
void compact_nodes(struct machine *m);
void compact_node(struct machine *m, int nid);
/* The node's score, 0..100: each zone's extfrag_for_order(9) weighted by size */
unsigned int fragmentation_score_node(pg_data_t *pgdat);
unsigned int fragmentation_score_wmark(struct machine *m, bool low);
/* kswapd going to sleep: the skip bits go, kcompactd gets the order */
void reset_isolation_suitable(pg_data_t *pgdat);
void wakeup_kcompactd(struct machine *m, pg_data_t *pgdat, int order, int highest_zoneidx);
/* boot: each node's kcompactd; compaction_proactiveness written */
void kcompactd_run(struct machine *m);
void compaction_proactiveness_changed(struct machine *m);

#endif
