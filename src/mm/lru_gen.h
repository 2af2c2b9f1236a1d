/*
 * Engine-internal MGLRU interface: the hooks the classic LRU code calls
 * (lru lists, folio_mark_accessed, workingset, reclaim), and what
 * lru_gen.c (generations and aging) shares with lru_gen_evict.c.
 */
#ifndef MMSIM_MM_LRU_GEN_H
#define MMSIM_MM_LRU_GEN_H

#include "mm_internal.h"
#include "mmsim/lru_gen.h"

struct scan_control;

#define MIN_LRU_BATCH 64
#define MAX_LRU_BATCH (MIN_LRU_BATCH * 64)
#define LRU_GEN_ANON 0
#define LRU_GEN_FILE 1
#define LRU_REFS_FLAGS (LRU_REFS_MASK | (1u << PG_referenced))

static inline struct lru_gen_folio *node_lrugen(pg_data_t *pgdat)
{
	return &pgdat->__lruvec.lrugen;
}

static inline int folio_lru_gen(const struct page *page)
{
	return (int)((page->flags & LRU_GEN_MASK) >> LRU_GEN_PGOFF) - 1;
}

static inline int folio_is_file_lru(const struct page *page)
{
	return !page_test(page, PG_swapbacked);
}

/* accesses through file descriptors, PG_referenced included */
static inline int folio_lru_refs(const struct page *page)
{
	if (!page_test(page, PG_referenced))
		return 0;
	return (int)((page->flags & LRU_REFS_MASK) >> LRU_REFS_PGOFF) + 1;
}

/* order_base_2 of refs 0..4; the workingset is the last tier */
static inline int lru_tier_from_refs(int refs, bool workingset)
{
	if (workingset)
		return MAX_NR_TIERS - 1;
	return refs <= 1 ? 0 : refs == 2 ? 1 : 2;
}

static inline int get_nr_gens(const struct lru_gen_folio *lrugen, int type)
{
	return (int)(lrugen->max_seq - lrugen->min_seq[type] + 1);
}

/* min_type/max_type: the types a swappiness may evict */
static inline int min_type(int swappiness) { return !swappiness; }
static inline int max_type(int swappiness) { return swappiness < SWAPPINESS_ANON_ONLY; }
#define for_each_evictable_type(type, swappiness) \
	for (int type = min_type(swappiness); type <= max_type(swappiness); type++)
static inline unsigned long evictable_min_seq(const unsigned long *min_seq, int swappiness)
{
	return MIN(min_seq[min_type(swappiness)], min_seq[max_type(swappiness)]);
}

/* hooks: lruvec_add_folio / lruvec_del_folio (swap.c) */
void lru_gen_init_lruvec(struct machine *m, struct lruvec *lv);
bool lru_gen_add_folio(struct machine *m, unsigned long pfn, bool reclaiming);
bool lru_gen_del_folio(struct machine *m, unsigned long pfn, bool reclaiming);
/* folio_mark_accessed */
void lru_gen_inc_refs(struct machine *m, unsigned long pfn);
/* folio_add_lru: a fault on a VMA with recency adds the folio as hot */
bool lru_gen_in_fault(struct machine *m);
/* workingset.c: the MGLRU shadow and its refault */
uint64_t lru_gen_eviction(struct machine *m, unsigned long pfn);
void lru_gen_refault(struct machine *m, unsigned long pfn, uint64_t shadow);
/* rmap: a young pte found while evicting (folio_referenced_one) */
void lru_gen_look_around(struct machine *m, struct vm_area_struct *vma, unsigned long addr);
/* folio_check_references under MGLRU: true to activate, false to keep */
bool lru_gen_set_refs(struct page *page);
/* reclaim entry points (vmscan.c) */
void lru_gen_shrink_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
void lru_gen_age_node(struct machine *m, pg_data_t *pgdat, struct scan_control *sc);
/* --debug-vm */
char *lru_gen_check_node(struct machine *m, pg_data_t *pgdat);

/* lru_gen.c for lru_gen_evict.c */
void lru_gen_update_size(struct machine *m, pg_data_t *pgdat, unsigned long pfn, int old_gen, int new_gen);
void lru_gen_list_add(struct machine *m, struct lru_gen_folio *lrugen, int gen, int type, unsigned long pfn,
		      bool tail);
void lru_gen_list_del(struct machine *m, struct lru_gen_folio *lrugen, int gen, int type, unsigned long pfn);
unsigned long lru_gen_folio_seq(const struct lru_gen_folio *lrugen, const struct page *page, bool reclaiming);
int folio_inc_gen(struct machine *m, pg_data_t *pgdat, unsigned long pfn, bool reclaiming, bool tail);
void reset_ctrl_pos(struct lru_gen_folio *lrugen, int type, bool carryover);
bool try_to_inc_min_seq(struct machine *m, pg_data_t *pgdat, int swappiness);
bool try_to_inc_max_seq(struct machine *m, pg_data_t *pgdat, unsigned long seq, int swappiness, bool force_scan);
int get_swappiness(struct machine *m, struct scan_control *sc);

#endif
