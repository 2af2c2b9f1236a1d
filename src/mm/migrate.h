/*
 * Page migration (include/linux/migrate.h, migrate_mode.h and the
 * migration-entry part of swapops.h): the engine's one migrate_pages(),
 * for compaction now and for NUMA balancing, THP collapse and memory
 * offlining later.
 */
#ifndef MMSIM_MIGRATE_H
#define MMSIM_MIGRATE_H

#include "mm_internal_proc.h"

enum migrate_mode {
	MIGRATE_ASYNC,       /* never blocks */
	MIGRATE_SYNC_LIGHT,  /* may block, but not on writeback */
	MIGRATE_SYNC,        /* may block on anything */
};

enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_CONTIG_RANGE,
	MR_LONGTERM_PIN,
	MR_DEMOTION,
	MR_DAMON,
	MR_TYPES
};

/* The swap types a pte uses for a page being migrated (swapops.h, after
 * the pte-marker and hwpoison types): read-only, read-only of an
 * exclusive anon page, writable.  The offset is the old page's PFN, with
 * the pte's young and dirty bits above it (SWP_MIG_YOUNG_BIT,
 * SWP_MIG_DIRTY_BIT). */
#define SWP_MIGRATION_READ (MAX_SWAPFILES + 2)
#define SWP_MIGRATION_READ_EXCLUSIVE (MAX_SWAPFILES + 3)
#define SWP_MIGRATION_WRITE (MAX_SWAPFILES + 4)
#define SWP_PFN_BITS 40
#define SWP_MIG_YOUNG_BIT SWP_PFN_BITS
#define SWP_MIG_DIRTY_BIT (SWP_PFN_BITS + 1)

static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) >= SWP_MIGRATION_READ && swp_type(e) <= SWP_MIGRATION_WRITE;
}

static inline bool is_migration_pte(pte_t pte)
{
	return is_swap_pte(pte) && is_migration_entry(pte_to_swp_entry(pte));
}

static inline unsigned long migration_entry_to_pfn(swp_entry_t e)
{
	return swp_offset(e) & ((1UL << SWP_PFN_BITS) - 1);
}

/* Where migration gets a new page for src, and gives back one it did not
 * use (new_folio_t, free_folio_t): a PFN or a negative errno */
typedef long (*new_folio_t)(struct machine *m, unsigned long src, void *private);
typedef void (*free_folio_t)(struct machine *m, unsigned long dst, void *private);

/*
 * migrate_pages: move each page of `from` (PFNs of isolated LRU pages) to
 * a page get_new gives.  The migrated ones leave the array; the ones that
 * failed stay for the caller to putback_movable_pages.  Returns the
 * number that failed, or -ENOMEM when get_new ran dry (the rest untried);
 * *nr_succeeded counts the pages moved.
 */
int migrate_pages(struct machine *m, GArray *from, new_folio_t get_new, free_folio_t put_new,
		  void *private, enum migrate_mode mode, enum migrate_reason reason, unsigned int *nr_succeeded);
void putback_movable_pages(struct machine *m, GArray *from);
/* Off its LRU list, counted in NR_ISOLATED_*: false when not on one */
bool folio_isolate_lru(struct machine *m, unsigned long pfn);
void folio_putback_lru(struct machine *m, unsigned long pfn);
/* A new page on node *(int *)private (-1: the old page's node) */
long alloc_migration_target(struct machine *m, unsigned long src, void *private);

/* memory.c: the reverse map's walks */
typedef bool (*rmap_one_fn)(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
			    void *arg);
/* every present pte mapping pfn; fn returns false to stop */
void rmap_walk(struct machine *m, unsigned long pfn, rmap_one_fn fn, void *arg);
/* every migration entry of src in the VMAs that may map dst (which has
 * src's mapping and index by now): remove_migration_ptes' walk */
void rmap_walk_migration(struct machine *m, unsigned long dst, unsigned long src, rmap_one_fn fn, void *arg);
/* one pte of a walk: fn on it if it maps pfn (a migration entry of pfn);
 * false when fn says stop */
bool rmap_one_match(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
		    unsigned long pfn, bool migration, rmap_one_fn fn, void *arg);
/* ksm.c: the walk of a KSM page, through its stable node */
void rmap_walk_ksm(struct machine *m, unsigned long pfn, unsigned long match_pfn, bool migration,
		   rmap_one_fn fn, void *arg);

#endif
