/*
 * mm/migrate.c (with try_to_migrate of mm/rmap.c and folio_isolate_lru of
 * mm/vmscan.c): moving a page's contents and mappings to another page.
 *
 * Models:
 * - isolation: folio_isolate_lru takes a page off its LRU list and counts
 *   it in NR_ISOLATED_ANON/FILE until migration or putback ends
 * - migrate_pages over a list: a new page from the caller's get_new;
 *   try_to_migrate replaces every pte of the old page with a migration
 *   entry (the pte's write, young and dirty bits kept in it, a dirty pte
 *   dirtying the page); folio_migrate_mapping moves the page-cache or
 *   swap-cache slot and the per-node counters; folio_migrate_flags copies
 *   the flags, the mlock count and the LRU list; remove_migration_ptes
 *   maps the new page where the entries were; the old page is freed
 * - anon, file, shmem, swap-cache and dirty page-cache pages; mlocked
 *   pages (the callers decide whether to isolate them)
 * - pgmigrate_success, pgmigrate_fail
 * Simplifies:
 * - order-0 pages only (the model has no large folios)
 * - no retries: a locked page, one being read or one under writeback
 *   fails at once (the kernel retries, and MIGRATE_SYNC waits for the
 *   write), since no time passes inside a migration
 * - no movable non-LRU pages (zsmalloc, balloon): the model has none
 */
#include <errno.h>

#include "mm_internal.h"
#include "migrate.h"
#include "numa_balancing_internal.h"
#include "mmsim/pagemap.h"

/* The flags that travel with a page's contents (folio_migrate_flags) */
#define MIGRATE_FLAGS                                                                                      \
	((1u << PG_dirty) | (1u << PG_referenced) | (1u << PG_active) | (1u << PG_swapbacked) |           \
	 (1u << PG_unevictable) | (1u << PG_mlocked) | (1u << PG_reclaim) | (1u << PG_anon) |              \
	 (1u << PG_workingset) | (1u << PG_swapcache) | (1u << PG_ksm))

static inline bool folio_is_file_lru(const struct page *page)
{
	return !page_test(page, PG_swapbacked);
}

static void mod_isolated(struct machine *m, unsigned long pfn, long nr)
{
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat,
			      folio_is_file_lru(pfn_to_page(m, pfn)) ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, nr);
}

bool folio_isolate_lru(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_lru))
		return false;
	lruvec_del_folio(m, pfn);
	mod_isolated(m, pfn, 1);
	return true;
}

void folio_putback_lru(struct machine *m, unsigned long pfn)
{
	mod_isolated(m, pfn, -1);
	lruvec_add_folio(m, pfn);
}

void putback_movable_pages(struct machine *m, GArray *from)
{
	for (guint i = 0; i < from->len; i++)
		folio_putback_lru(m, g_array_index(from, unsigned long, i));
	g_array_set_size(from, 0);
}

long alloc_migration_target(struct machine *m, unsigned long src, void *private)
{
	int nid = private ? *(int *)private : -1;

	if (nid < 0)
		nid = __pfn_to_section(m, src)->nid;
	return __alloc_pages(m, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY, 0, nid,
			     m->current ? m->current->cpu : 0);
}

/* ---- the ptes ---- */

/* The page's rmap count and Mapped/AnonPages as a pte comes or goes */
static void mapcount_mod(struct machine *m, unsigned long pfn, int delta)
{
	struct page *page = pfn_to_page(m, pfn);
	enum node_stat_item item = page_test(page, PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED;

	if (delta > 0 && page->_mapcount++ == -1)
		__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, item, 1);
	else if (delta < 0 && --page->_mapcount == -1)
		__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, item, -1);
}

/* try_to_migrate_one: the pte becomes a migration entry */
static bool try_to_migrate_one(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
			       void *arg)
{
	pte_t pte = *ptep;
	unsigned long pfn = pte_pfn(pte), off = pfn;
	struct page *page = pfn_to_page(m, pfn);
	unsigned int type = pte_write(pte) ? SWP_MIGRATION_WRITE : SWP_MIGRATION_READ;

	(void)vma;
	(void)addr;
	(void)arg;
	if (pte_dirty(pte)) {
		if (page_test(page, PG_anon))
			page_set(page, PG_dirty);
		else
			folio_mark_dirty(m, pfn);
	}
	off |= (pte_young(pte) ? 1UL << SWP_MIG_YOUNG_BIT : 0) | (pte_dirty(pte) ? 1UL << SWP_MIG_DIRTY_BIT : 0);
	*ptep = swp_entry_to_pte(swp_entry(type, off)) | (pte_soft_dirty(pte) ? _PAGE_SWP_SOFT_DIRTY : 0);
	m->nr_tlb_local_flush_one++;
	mapcount_mod(m, pfn, -1);
	return page->_mapcount >= 0;
}

/* remove_migration_pte: the entry becomes a pte of the new page (arg) */
static bool remove_migration_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
				 void *arg)
{
	swp_entry_t entry = pte_to_swp_entry(*ptep);
	unsigned long dst = (unsigned long)(uintptr_t)arg, off = swp_offset(entry);

	(void)vma;
	(void)addr;
	*ptep = ((pte_t)dst << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER |
		(swp_type(entry) == SWP_MIGRATION_WRITE ? _PAGE_RW : 0) |
		((off >> SWP_MIG_YOUNG_BIT) & 1 ? _PAGE_ACCESSED : 0) | ((off >> SWP_MIG_DIRTY_BIT) & 1 ? _PAGE_DIRTY : 0) |
		(pte_swp_soft_dirty(*ptep) ? _PAGE_SOFT_DIRTY : 0);
	mapcount_mod(m, dst, 1);
	return true;
}

/* ---- the page ---- */

/* A per-node or per-zone count of the page moves with it */
static void move_stat(struct machine *m, unsigned long src, unsigned long dst, enum node_stat_item item)
{
	__mod_node_page_state(pfn_zone(m, src)->zone_pgdat, item, -1);
	__mod_node_page_state(pfn_zone(m, dst)->zone_pgdat, item, 1);
}

/* folio_migrate_mapping: the cache slot names the new page; the counts
 * of a page cache, swap cache or mlocked page follow it to its zone */
static void folio_migrate_mapping(struct machine *m, unsigned long src, unsigned long dst)
{
	struct page *s = pfn_to_page(m, src);
	struct zone *sz = pfn_zone(m, src), *dz = pfn_zone(m, dst);

	if (page_test(s, PG_swapcache)) {
		swp_entry_t entry = page_swap_entry(m, src);

		xa_store(m->swap_cache, entry.val, xa_mk_page(dst));
		g_hash_table_remove(m->swap_entries, GSIZE_TO_POINTER(src));
		g_hash_table_insert(m->swap_entries, GSIZE_TO_POINTER(dst), GSIZE_TO_POINTER(entry.val));
		if (sz != dz)
			move_stat(m, src, dst, NR_SWAPCACHE);
	} else if (!page_test(s, PG_anon) && s->private) {
		struct address_space *mapping = (struct address_space *)(uintptr_t)s->private;

		xa_store(&mapping->i_pages, (unsigned long)s->index, xa_mk_page(dst));
		if (sz != dz) {
			move_stat(m, src, dst, NR_FILE_PAGES);
			if (page_test(s, PG_swapbacked))
				move_stat(m, src, dst, NR_SHMEM);
			if (page_test(s, PG_dirty)) {
				move_stat(m, src, dst, NR_FILE_DIRTY);
				__mod_zone_page_state(sz, NR_ZONE_WRITE_PENDING, -1);
				__mod_zone_page_state(dz, NR_ZONE_WRITE_PENDING, 1);
			}
		}
	}
	if (page_test(s, PG_mlocked) && sz != dz) {
		__mod_zone_page_state(sz, NR_MLOCK, -1);
		__mod_zone_page_state(dz, NR_MLOCK, 1);
	}
}

/* folio_migrate_flags and the rest of the identity: mapping, index, the
 * mlock count (kept where the LRU links would be); the old page keeps
 * only what the allocator gave it */
static void folio_migrate_flags(struct machine *m, unsigned long src, unsigned long dst)
{
	struct page *s = pfn_to_page(m, src), *d = pfn_to_page(m, dst);

	d->flags |= s->flags & MIGRATE_FLAGS;
	mem_cgroup_migrate(m, src, dst);
	copy_page_content(m, dst, src);
	folio_migrate_last_cpupid(m, src, dst);
	if (page_test(s, PG_ksm))
		ksm_migrate_folio(m, dst, src);
	d->private = s->private;
	d->index = s->index;
	d->prev = page_test(s, PG_mlocked) ? s->prev : PFN_NONE;
	d->next = PFN_NONE;
	s->flags &= ~MIGRATE_FLAGS;
	s->private = 0;
	s->index = 0;
	s->next = s->prev = PFN_NONE;
}

/* The new page back to get_new's owner: as the allocator gave it */
static void undo_new(struct machine *m, unsigned long dst, free_folio_t put_new, void *private)
{
	if (put_new)
		put_new(m, dst, private);
	else
		__free_pages(m, dst, 0, m->current ? m->current->cpu : 0);
}

/*
 * migrate_folio_unmap + migrate_folio_move for one isolated page: 0, or
 * -EAGAIN/-EBUSY (it stays isolated), -ENOMEM (no new page)
 */
static int migrate_one(struct machine *m, unsigned long src, new_folio_t get_new, free_folio_t put_new,
		       void *private)
{
	struct page *page = pfn_to_page(m, src);
	bool mapped = page->_mapcount >= 0;
	long dst;

	/* folio_trylock: a read (file or swap) is bringing it in */
	if (page_test(page, PG_locked) || (!page_test(page, PG_anon) && !page_test(page, PG_swapcache) &&
					   page->private && folio_read_in_flight(m, src)))
		return -EAGAIN;
	/* the write's bio holds the page */
	if (page_test(page, PG_writeback))
		return -EBUSY;
	dst = get_new(m, src, private);
	if (dst < 0)
		return -ENOMEM;
	if (mapped) {
		rmap_walk(m, src, try_to_migrate_one, NULL);
		if (page->_mapcount >= 0) {
			/* a mapping the walk did not reach: put the entries back */
			rmap_walk_migration(m, src, src, remove_migration_pte, (void *)(uintptr_t)src);
			undo_new(m, (unsigned long)dst, put_new, private);
			return -EAGAIN;
		}
	}
	folio_migrate_mapping(m, src, (unsigned long)dst);
	mod_isolated(m, src, -1);
	folio_migrate_flags(m, src, (unsigned long)dst);
	if (mapped)
		rmap_walk_migration(m, (unsigned long)dst, src, remove_migration_pte, (void *)(uintptr_t)dst);
	lruvec_add_folio(m, (unsigned long)dst);
	__free_pages(m, src, 0, m->current ? m->current->cpu : 0);
	return 0;
}

int migrate_pages(struct machine *m, GArray *from, new_folio_t get_new, free_folio_t put_new, void *private,
		  enum migrate_mode mode, enum migrate_reason reason, unsigned int *nr_succeeded)
{
	unsigned int succeeded = 0, failed = 0;
	guint keep = 0, i;
	int rc = 0;

	(void)mode;
	(void)reason;
	for (i = 0; i < from->len; i++) {
		unsigned long pfn = g_array_index(from, unsigned long, i);
		int err = rc ? rc : migrate_one(m, pfn, get_new, put_new, private);

		if (!err) {
			succeeded++;
			continue;
		}
		/* out of new pages: the rest stay untried */
		if (err == -ENOMEM && !rc) {
			rc = -ENOMEM;
			failed++;
		} else if (err != -ENOMEM) {
			failed++;
		}
		g_array_index(from, unsigned long, keep++) = pfn;
	}
	g_array_set_size(from, keep);
	count_vm_events(m, PGMIGRATE_SUCCESS, succeeded);
	count_vm_events(m, PGMIGRATE_FAIL, failed);
	if (nr_succeeded)
		*nr_succeeded = succeeded;
	return rc ? rc : (int)failed;
}
