/*
 * Physical memory: page frames, memory sections, zones and nodes.
 * The names follow include/linux/mm_types.h, include/linux/mmzone.h and
 * include/linux/mmzone.h's sparsemem part.
 */
#ifndef MMSIM_MMZONE_H
#define MMSIM_MMZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmsim/vmstat.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)
#define pageblock_order 9
#define pageblock_nr_pages (1UL << pageblock_order)
/* Orders above this are "costly": no OOM kill for them */
#define PAGE_ALLOC_COSTLY_ORDER 3
#define HPAGE_PMD_ORDER 9
#define HPAGE_PMD_NR (1UL << HPAGE_PMD_ORDER)
#define HPAGE_PMD_SHIFT (PAGE_SHIFT + HPAGE_PMD_ORDER)
#define HPAGE_PMD_SIZE (1UL << HPAGE_PMD_SHIFT)
#define HPAGE_PMD_MASK (~(HPAGE_PMD_SIZE - 1))

/* x86_64 sparsemem: 128 MiB sections */
#define SECTION_SIZE_BITS 27
#define PFN_SECTION_SHIFT (SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION (1UL << PFN_SECTION_SHIFT)
#define PAGEBLOCKS_PER_SECTION (PAGES_PER_SECTION / pageblock_nr_pages)

#define MAX_NUMNODES 64
#define NR_CPUS 256

/* The "no page" value of PFN-linked lists. */
#define PFN_NONE UINT32_MAX

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES, /* the number of types on the pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	MAX_NR_ZONES
};

extern const char *const zone_names[MAX_NR_ZONES];

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* page->flags bits (include/linux/page-flags.h, the ones modelled) */
enum pageflags {
	PG_reserved,  /* never handed to the buddy allocator (memblock) */
	PG_buddy,     /* head of a free block on a buddy free list */
	PG_pcp,       /* on a per-cpu free list (the kernel has no flag) */
	PG_head,      /* first page of an allocated high-order block */
	PG_tail,      /* other pages of an allocated high-order block */
	PG_movable,   /* allocated as movable: counted by move_freepages_block */
	PG_lru,
	PG_locked,
	PG_dirty,
	PG_referenced,
	PG_active,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_writeback,
	PG_slab,
	PG_reclaim,
	PG_anon,
	PG_workingset, /* was on the active list before eviction (workingset.c) */
	PG_swapcache, /* in the swap cache: an anon page with a swap slot */
	PG_hugetlb,   /* head of a hugetlb pool page (mm/hugetlb.c): never on an LRU */
	PG_ksm,       /* a KSM page: private is its stable node (mm/ksm.c) */
	__NR_PAGEFLAGS
};
/* the kernel shares one bit between readahead marks and reclaim */
#define PG_readahead PG_reclaim

/* MGLRU's fields in page->flags above the flag bits (include/linux/
 * page-flags-layout.h): the generation + 1 (0: on no generation list)
 * and the accesses through file descriptors beyond PG_referenced */
#define LRU_GEN_PGOFF __NR_PAGEFLAGS
#define LRU_GEN_WIDTH 3
#define LRU_GEN_MASK (((1u << LRU_GEN_WIDTH) - 1) << LRU_GEN_PGOFF)
#define LRU_REFS_PGOFF (LRU_GEN_PGOFF + LRU_GEN_WIDTH)
#define LRU_REFS_WIDTH 2
#define LRU_REFS_MASK (((1u << LRU_REFS_WIDTH) - 1) << LRU_REFS_PGOFF)

/*
 * struct page: 40 bytes per page frame (Linux uses 64).  Free and per-cpu
 * pages, and pages on an LRU list, are linked through next/prev, which hold
 * PFNs rather than pointers, so the links are 4 bytes each and stay valid
 * when a section's array is allocated on first use.  An mlocked page keeps
 * its mlock count in prev (folio->mlock_count overlays lru.prev).
 *   private: anon pages (PG_anon) the anon_vma, page-cache pages the
 *            address_space (the kernel's folio->mapping), slab pages the
 *            struct slab;
 *   index:   the page's offset in its file or anon_vma, in pages
 *            (folio->index), for rmap and the page cache.
 */
struct page {
	uint32_t flags;
	int32_t _refcount;
	int32_t _mapcount;
	uint8_t order;      /* buddy order of a free block or allocated head */
	uint8_t mt;         /* free list / pcp list migratetype */
	uint16_t cpu;       /* pcp list owner */
	uint32_t next, prev;
	uint64_t private;   /* mapping: anon_vma, address_space, slab (above) */
	uint64_t index;     /* offset in the mapping, in pages */
};

static inline bool page_test(const struct page *p, int bit) { return p->flags & (1u << bit); }
static inline void page_set(struct page *p, int bit) { p->flags |= (1u << bit); }
static inline void page_clear(struct page *p, int bit) { p->flags &= ~(1u << bit); }

/*
 * A memory section (mm/sparse.c).  Its struct page array is allocated only
 * when a page of it is first needed; until then the section is "pristine":
 * wholly free (its blocks of MAX_PAGE_ORDER sit on the zone's free lists
 * only as a count) or wholly reserved.
 */
enum section_state {
	SECTION_ABSENT,    /* a hole: no memory */
	SECTION_FREE,      /* pristine: every page free, MAX_ORDER blocks, movable */
	SECTION_RESERVED,  /* pristine: every page reserved (memblock) */
	SECTION_MEMMAP,    /* mem_map allocated: per-page metadata is real */
};

struct mem_section {
	struct page *mem_map;                          /* NULL unless SECTION_MEMMAP */
	uint8_t pageblock_mt[PAGEBLOCKS_PER_SECTION];  /* pageblock migratetypes */
	uint8_t state;
	uint8_t nid;
	uint8_t zid;      /* the zone of the section's pages, unless zones_mixed */
	uint8_t zones_mixed; /* pages of more than one zone (pfn_zone searches) */
	uint32_t next_pristine, prev_pristine; /* links on the zone's pristine list */
	uint64_t *contents; /* page_content.c: each page's fingerprint, or NULL (all zero) */
	uint16_t *memcg_ids; /* memcontrol.c: each page's memcg id (0: none), with mem_map */
	uint16_t *last_cpupid; /* numa_balancing.c: each page's last_cpupid, with mem_map */
};

struct free_area {
	uint32_t head[MIGRATE_TYPES];     /* PFN of the first block, PFN_NONE */
	unsigned long nr_list[MIGRATE_TYPES]; /* blocks on the list */
	unsigned long nr_free;            /* all blocks of this order, with pristine */
};

/* Per-cpu page lists (struct per_cpu_pages): orders 0..3 per pcp type, + THP */
#define NR_LOWORDER_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS (NR_LOWORDER_PCP_LISTS + 1)

/* One per-cpu list: a deque of PFNs standing in for the kernel's list of
 * pages (new frees at the front, batch refills at the back, allocation
 * from the front, bulk frees from the back) */
struct pcp_list {
	uint32_t *pfns;
	uint32_t cap;     /* a power of two; 0 until first used */
	uint32_t head;    /* index of the front */
	uint32_t len;
};

struct per_cpu_pages {
	int count;      /* pages on the lists */
	int high;
	int high_min;
	int high_max;
	int batch;
	int alloc_factor;  /* nr_pcp_alloc: batch doubling on repeated allocs */
	int free_count;    /* pages freed since the last allocation */
	int flags;         /* PCPF_* */
	struct pcp_list lists[NR_PCP_LISTS];
};

struct pglist_data;

struct zone {
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;
	unsigned long nr_free_highatomic;
	long lowmem_reserve[MAX_NR_ZONES];
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages *per_cpu_pageset; /* [nr_cpus] */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	unsigned long managed_pages;
	unsigned long cma_pages;
	const char *name;
	int zone_idx;
	struct free_area free_area[NR_PAGE_ORDERS];
	uint32_t pristine_head;      /* list of SECTION_FREE section numbers */
	unsigned long nr_pristine;
	unsigned long nr_pageblocks[MIGRATE_TYPES]; /* for pagetypeinfo */
	unsigned long flags;         /* ZONE_BOOSTED_WATERMARK */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	unsigned long vm_numa_event[NR_VM_NUMA_EVENT_ITEMS];
	/* compaction (mm/compaction.c): where the scanners start next time,
	 * the deferral state, and one skip bit per pageblock (NULL until the
	 * zone is first compacted) */
	unsigned long compact_cached_free_pfn;
	unsigned long compact_cached_migrate_pfn[2];  /* [async, sync] */
	unsigned long compact_init_migrate_pfn, compact_init_free_pfn;
	unsigned int compact_considered, compact_defer_shift;
	int compact_order_failed;
	bool compact_blockskip_flush;
	uint8_t *pageblock_skip;
};

#define ZONE_BOOSTED_WATERMARK 0x1
#define ZONE_BELOW_HIGH 0x2

static inline bool populated_zone(const struct zone *z) { return z->present_pages != 0; }
static inline bool managed_zone(const struct zone *z) { return z->managed_pages != 0; }
static inline unsigned long zone_end_pfn(const struct zone *z) { return z->zone_start_pfn + z->spanned_pages; }
static inline bool zone_spans_pfn(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}
static inline unsigned long wmark_pages(const struct zone *z, enum zone_watermarks w)
{
	return z->_watermark[w] + z->watermark_boost;
}
#define min_wmark_pages(z) wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z) wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z) wmark_pages(z, WMARK_HIGH)

/* A zonelist: zones in fallback order (struct zonelist / zoneref) */
struct zoneref {
	struct zone *zone;
	int zone_idx;
};

struct zonelist {
	struct zoneref _zonerefs[MAX_NUMNODES * MAX_NR_ZONES + 1];
};

struct machine;
struct kswapd_balance;

/* The LRU lists of a node (include/linux/mmzone.h enum lru_list, struct
 * lruvec): pages linked through page->next/prev (PFNs), newest at head.
 * Mlocked pages are only counted on LRU_UNEVICTABLE: their prev holds the
 * mlock count, as folio->mlock_count overlays lru.prev. */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

/* include/linux/mm_inline.h folio_lru_list: the list a page belongs on */
static inline enum lru_list folio_lru_list(const struct page *page)
{
	enum lru_list lru;

	if (page_test(page, PG_unevictable))
		return LRU_UNEVICTABLE;
	lru = page_test(page, PG_swapbacked) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	if (page_test(page, PG_active))
		lru += 1;
	return lru;
}

/* MGLRU (include/linux/mmzone.h struct lru_gen_folio): generations
 * min_seq[type]..max_seq, each a list per type (anon 0, file 1), newest
 * at head; sizes per zone; the PID controller's refault statistics per
 * tier; the page-table walker's position and statistics */
#define MIN_NR_GENS 2
#define MAX_NR_GENS 4
#define MAX_NR_TIERS 4
#define NR_HIST_GENS 1  /* no CONFIG_LRU_GEN_STATS */
#define ANON_AND_FILE 2
enum { MM_LEAF_TOTAL, MM_LEAF_YOUNG, MM_NONLEAF_FOUND, MM_NONLEAF_ADDED, NR_MM_STATS };

struct lru_gen_folio {
	unsigned long max_seq;
	unsigned long min_seq[ANON_AND_FILE];
	uint64_t timestamps[MAX_NR_GENS];  /* ns of simulated time */
	uint32_t head[MAX_NR_GENS][ANON_AND_FILE], tail[MAX_NR_GENS][ANON_AND_FILE];
	long nr_pages[MAX_NR_GENS][ANON_AND_FILE][MAX_NR_ZONES];
	unsigned long avg_refaulted[ANON_AND_FILE][MAX_NR_TIERS];
	unsigned long avg_total[ANON_AND_FILE][MAX_NR_TIERS];
	unsigned long protected[NR_HIST_GENS][ANON_AND_FILE][MAX_NR_TIERS];
	unsigned long evicted[NR_HIST_GENS][ANON_AND_FILE][MAX_NR_TIERS];
	unsigned long refaulted[NR_HIST_GENS][ANON_AND_FILE][MAX_NR_TIERS];
	bool enabled;
	unsigned long mm_seq;              /* lru_gen_mm_state.seq */
	unsigned long mm_stats[NR_HIST_GENS][NR_MM_STATS];
};

struct lruvec {
	uint32_t head[NR_LRU_LISTS], tail[NR_LRU_LISTS];
	unsigned long nr[NR_LRU_LISTS];
	/* reclaim's balance between anon and file (lru_note_cost) */
	unsigned long anon_cost, file_cost;
	/* workingset: evictions and activations, the clock of shadow entries */
	unsigned long nonresident_age;
	/* WORKINGSET_ACTIVATE_* at the end of the last reclaim (snapshot_refaults) */
	unsigned long refaults[2];
	struct lru_gen_folio lrugen;
};

/* get_scan_count's operands and targets at its last run on a node, for
 * sim/explain/vmscan/get_scan_count (its balance: enum scan_balance) */
struct scan_count_record {
	unsigned long runs;          /* 0: reclaim never ran here */
	uint64_t when_ns;
	bool kswapd, may_swap, file_is_tiny, cache_trim_mode;
	int priority, swappiness, balance;
	unsigned long anon_cost, file_cost;      /* lruvec's, at the start of the pass */
	uint64_t cost[2];            /* SCAN_FRACT: total + anon_cost, total + file_cost */
	uint64_t fraction[2], denominator;
	unsigned long lru_size[4], scan[4];  /* LRU_INACTIVE_ANON .. LRU_ACTIVE_FILE */
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[2];  /* ZONELIST_FALLBACK, ZONELIST_NOFALLBACK */
	int nr_zones;
	int node_id;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	unsigned long totalreserve_pages;
	unsigned long nr_reserved_boot;  /* memblock reservations on this node */
	unsigned long nr_memmap_boot;    /* of which the simulated kernel's mem_map */
	long vm_stat[NR_VM_NODE_STAT_ITEMS];
	struct lruvec __lruvec;
	/* kswapd (mm/kswapd.c) */
	struct task_struct *kswapd;
	int kswapd_order;
	int kswapd_highest_zoneidx;
	int kswapd_failures;      /* balance_pgdat runs that reclaimed nothing */
	struct kswapd_balance *kswapd_bal;  /* its sleep and its balance_pgdat run */
	/* kcompactd (mm/compaction.c) */
	struct task_struct *kcompactd;
	int kcompactd_max_order;
	int kcompactd_highest_zoneidx;
	bool proactive_compact_trigger;
	uint64_t kcompactd_timeout_ns;  /* the next proactive check: 0 when asleep for good */
	struct machine *machine;
	struct scan_count_record last_scan_count;  /* mm/vmscan.c get_scan_count */
} pg_data_t;

#define ZONELIST_FALLBACK 0
#define ZONELIST_NOFALLBACK 1

#endif
