/*
 * What mm/compaction.c and mm/kcompactd.c share (mm/internal.h's
 * compaction part): the state of one compaction run.
 */
#ifndef MMSIM_COMPACTION_INTERNAL_H
#define MMSIM_COMPACTION_INTERNAL_H

#include "migrate.h"
#include "mmsim/compaction.h"

struct compact_control {
	struct machine *m;
	GArray *freepages;           /* isolated free pages, order 0 */
	GArray *migratepages;        /* isolated LRU pages */
	unsigned int nr_migratepages; /* the batch migrate_pages is moving */
	unsigned long free_pfn;      /* where the free scanner resumes (going down) */
	unsigned long migrate_pfn;   /* where the migrate scanner resumes (going up) */
	struct zone *zone;
	unsigned long total_migrate_scanned, total_free_scanned;
	int order;                   /* -1: compact_memory, the whole zone */
	gfp_t gfp_mask;
	unsigned int alloc_flags;
	int highest_zoneidx;
	int migratetype;
	int cpu;
	const struct task_struct *kthread; /* kcompactd; NULL: the current task */
	enum migrate_mode mode;
	bool ignore_skip_hint, no_set_skip_hint, ignore_block_suitable;
	bool direct_compaction, proactive_compaction, whole_zone, finish_pageblock;
};

/* Compact one zone as cc says: COMPACT_SUCCESS when a page of cc->order
 * is free, COMPACT_COMPLETE/PARTIAL_SKIPPED when the scanners met */
enum compact_result compact_zone(struct compact_control *cc);

#endif
