/*
 * The operands of the kernel's derived values, as the functions that
 * compute them fill them in.  Each *_ops function below is the one place
 * its formula lives: the function the kernel-format file uses
 * (si_mem_available, vm_commit_limit, oom_score, global_dirty_limits,
 * the watermarks and lowmem reserves) calls it, and the sim/explain files
 * print the same operands with the formula filled in.
 */
#ifndef MMSIM_EXPLAIN_H
#define MMSIM_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/machine.h"

/* ---- si_mem_available (mm/show_mem.c) ---- */
struct mem_available_ops {
	long free;                 /* NR_FREE_PAGES */
	unsigned long totalreserve;
	long base;                 /* free - totalreserve */
	unsigned long wmark_low;   /* every zone's low watermark, summed */
	long file_lru;             /* NR_ACTIVE_FILE + NR_INACTIVE_FILE */
	long file_kept;            /* min(file_lru / 2, wmark_low) */
	long pagecache;            /* file_lru - file_kept */
	long slab_reclaimable;     /* NR_SLAB_RECLAIMABLE_B, in pages */
	long misc_reclaimable;     /* NR_KERNEL_MISC_RECLAIMABLE */
	long reclaimable_total;    /* their sum */
	long reclaimable_kept;     /* min(reclaimable_total / 2, wmark_low) */
	long reclaimable;          /* reclaimable_total - reclaimable_kept */
	long sum;                  /* base + pagecache + reclaimable */
	long available;            /* sum, or 0 when negative */
};
long si_mem_available_ops(struct machine *m, struct mem_available_ops *ops);

/* ---- __setup_per_zone_wmarks (mm/page_alloc.c) ---- */
struct zone_wmark_ops {
	unsigned long pages_min;    /* min_free_kbytes in pages */
	unsigned long lowmem_pages; /* managed pages of every zone but Movable */
	unsigned long managed;      /* this zone's */
	uint64_t share;             /* pages_min * managed / lowmem_pages */
	bool movable;               /* ZONE_MOVABLE: min = managed / 1024, clamped */
	int scale_factor;           /* watermark_scale_factor */
	uint64_t scaled;            /* managed * scale_factor / 10000 */
	uint64_t gap;               /* max(share / 4, scaled) */
	unsigned long wmark[4];     /* min, low, high, promo, without the boost */
};
void zone_wmark_ops(struct machine *m, const struct zone *zone, unsigned long lowmem_pages,
		    struct zone_wmark_ops *ops);
/* The managed pages __setup_per_zone_wmarks spreads min_free_kbytes over */
unsigned long wmark_lowmem_pages(struct machine *m);

/* --debug-vm: the zones' watermarks and lowmem reserves are what
 * zone_wmark_ops and lowmem_reserve_ops give; NULL or what differs */
char *wmark_check_invariants(struct machine *m);

/* ---- setup_per_zone_lowmem_reserve (mm/page_alloc.c) ---- */
struct lowmem_reserve_ops {
	int ratio;                  /* lowmem_reserve_ratio of the lower zone */
	unsigned long managed_above; /* managed pages of the zones j..above this one */
	bool clear;                 /* ratio 0 or an empty lower zone */
	long reserve;               /* managed_above / ratio, or 0 */
};
void lowmem_reserve_ops(struct machine *m, const pg_data_t *pgdat, int i, int j, struct lowmem_reserve_ops *ops);

/* ---- vm_commit_limit (mm/util.c) ---- */
struct commit_limit_ops {
	unsigned long overcommit_kbytes;
	int overcommit_ratio;
	unsigned long totalram;
	unsigned long hugetlb;      /* hugetlb_total_pages */
	unsigned long ram_less_hugetlb; /* totalram - hugetlb */
	unsigned long ram_part;     /* from overcommit_kbytes, or the ratio of RAM less hugetlb */
	unsigned long swap;         /* total_swap_pages */
	unsigned long limit;
};
unsigned long vm_commit_limit_ops(const struct machine *m, struct commit_limit_ops *ops);

/* ---- oom_badness and proc_oom_score (mm/oom_kill.c, fs/proc/base.c) ---- */
struct oom_score_ops {
	bool unkillable;            /* init, a kernel thread, or no mm */
	bool adj_min;               /* oom_score_adj -1000 */
	unsigned long rss, swapents, pgtables; /* pages */
	long adj;                   /* oom_score_adj */
	unsigned long totalpages;   /* RAM + swap */
	long points;                /* rss + swapents + pgtables */
	long adj_pages;             /* adj * (totalpages / 1000) */
	long badness;               /* points + adj_pages */
	long scaled;                /* 1000 + badness * 1000 / totalpages */
	long score;                 /* scaled * 2 / 3 */
};
long oom_score_ops(struct machine *m, struct task_struct *t, struct oom_score_ops *ops);

/* ---- global_dirtyable_memory, domain_dirty_limits (mm/page-writeback.c) ---- */
struct dirty_limits_ops {
	unsigned long free;         /* NR_FREE_PAGES */
	unsigned long totalreserve;
	unsigned long free_usable;  /* free - min(free, totalreserve) */
	unsigned long file_lru;     /* NR_INACTIVE_FILE + NR_ACTIVE_FILE */
	unsigned long avail;        /* free - min(free, totalreserve) + file_lru + 1 */
	unsigned long dirty_bytes, bg_bytes;
	int dirty_ratio, bg_ratio;
	unsigned long ratio, bg_ratio_pages; /* ratio * PAGE_SIZE / 100 */
	unsigned long thresh, bg_thresh_raw, bg_thresh;
	bool halved;                /* bg_thresh_raw >= thresh: thresh / 2 */
};
void global_dirty_limits_ops(struct machine *m, struct dirty_limits_ops *ops);

/* ---- get_scan_count (mm/vmscan.c): pg_data_t.last_scan_count ---- */
enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

#endif
