/*
 * mm/vmscan.c's multi-generational LRU (MGLRU, lru_gen): generations,
 * aging, the MGLRU shadow, and switching between the two LRU kinds.
 * Eviction and the reclaim entry points are in lru_gen_evict.c.
 *
 * Models: per node and type (anon, file) the generations min_seq..max_seq
 * (MIN_NR_GENS 2 .. MAX_NR_GENS 4), each a list of folios with its size
 * per zone, the generation kept in page->flags (LRU_GEN_MASK, 0 for none);
 * lru_gen_add_folio's placement (lru_gen_folio_seq: hot, pending
 * writeback, cold, rotated); the two youngest generations counted as
 * Active in the node and zone LRU counters as lru_gen_update_size and
 * inc_max_seq do; tiers by accesses through file descriptors
 * (lru_gen_inc_refs: PG_referenced, then LRU_REFS_MASK, then
 * PG_workingset); aging (try_to_inc_max_seq, inc_min_seq,
 * try_to_inc_min_seq) with the page-table walk over every mm
 * (should_skip_vma, young ptes promote their folios to max_seq:
 * folio_update_gen) and the mm-walk statistics; lru_gen_look_around from
 * the rmap walk; the shadow entry (min_seq and refs in the token,
 * lru_gen_test_recent) and lru_gen_refault with the refaulted counts per
 * tier and workingset_refault/activate/restore; lru_gen_change_state's
 * fill_evictable and drain_evictable.
 * Simplifies: one list per generation and type, not per zone (sizes are
 * still per zone); a promoted folio moves to its new generation's list at
 * once rather than through the walker's batched sizes and a later sort;
 * no Bloom filters (the walk visits every PTE table, each counted as
 * found, and added when it had young entries as suitable_to_scan says);
 * MM_LEAF_TOTAL counts present ptes; the walk leaves the pte dirty bit
 * to the unmap; no memcg (the one lruvec per node is the root's).
 */
#include <string.h>

#include "lru_gen.h"
#include "vmscan_internal.h"
#include "mm_internal_proc.h"
#include "fs_internal.h"
#include "mmsim/swap.h"

#define NODES_SHIFT 6
#define WORKINGSET_SHIFT 1
#define EVICTION_BITS (64 - 1 - NODES_SHIFT - WORKINGSET_SHIFT)
#define EVICTION_MASK ((1ULL << EVICTION_BITS) - 1)

/* ---- lists and sizes ---- */

void lru_gen_list_add(struct machine *m, struct lru_gen_folio *lrugen, int gen, int type, unsigned long pfn,
		      bool tail)
{
	pfn_list_add(m, &lrugen->head[gen][type], &lrugen->tail[gen][type], pfn, tail);
}

void lru_gen_list_del(struct machine *m, struct lru_gen_folio *lrugen, int gen, int type, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (page->prev != PFN_NONE)
		pfn_to_page(m, page->prev)->next = page->next;
	else
		lrugen->head[gen][type] = page->next;
	if (page->next != PFN_NONE)
		pfn_to_page(m, page->next)->prev = page->prev;
	else
		lrugen->tail[gen][type] = page->prev;
	page->next = page->prev = PFN_NONE;
}

static bool lru_gen_is_active(const struct lru_gen_folio *lrugen, int gen)
{
	return gen == lru_gen_from_seq(lrugen->max_seq) || gen == lru_gen_from_seq(lrugen->max_seq - 1);
}

/* the node's and zone's NR_*_ANON/FILE and the lruvec's count */
static void __update_lru_size(pg_data_t *pgdat, enum lru_list lru, int zid, long nr)
{
	__mod_node_page_state(pgdat, NR_INACTIVE_ANON + lru, nr);
	__mod_zone_page_state(&pgdat->node_zones[zid], NR_ZONE_INACTIVE_ANON + lru, nr);
	pgdat->__lruvec.nr[lru] += nr;
}

void lru_gen_update_size(struct machine *m, pg_data_t *pgdat, unsigned long pfn, int old_gen, int new_gen)
{
	struct page *page = pfn_to_page(m, pfn);
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int type = folio_is_file_lru(page);
	int zid = pfn_zone(m, pfn)->zone_idx;
	enum lru_list lru = type ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;

	if (old_gen >= 0)
		lrugen->nr_pages[old_gen][type][zid]--;
	if (new_gen >= 0)
		lrugen->nr_pages[new_gen][type][zid]++;
	if (old_gen < 0) {
		__update_lru_size(pgdat, lru + (lru_gen_is_active(lrugen, new_gen) ? 1 : 0), zid, 1);
		return;
	}
	if (new_gen < 0) {
		__update_lru_size(pgdat, lru + (lru_gen_is_active(lrugen, old_gen) ? 1 : 0), zid, -1);
		return;
	}
	/* promotion; a demotion goes through isolation */
	if (!lru_gen_is_active(lrugen, old_gen) && lru_gen_is_active(lrugen, new_gen)) {
		__update_lru_size(pgdat, lru, zid, -1);
		__update_lru_size(pgdat, lru + 1, zid, 1);
	}
}

/* ---- adding and deleting ---- */

/* lru_gen_folio_seq: hot folios (PG_active, set by a fault or a promotion
 * while isolated) in the youngest two; rotated ones in the oldest; anon
 * not yet in the swap cache and folios pending writeback in the second
 * youngest; the rest in the oldest (second oldest for the workingset) */
unsigned long lru_gen_folio_seq(const struct lru_gen_folio *lrugen, const struct page *page, bool reclaiming)
{
	int type = folio_is_file_lru(page);
	bool workingset = page_test(page, PG_workingset);
	unsigned long gen, seq;

	if (page_test(page, PG_active))
		gen = MIN_NR_GENS - workingset;
	else if (reclaiming)
		gen = MAX_NR_GENS;
	else if ((!type && !page_test(page, PG_swapcache)) ||
		 (page_test(page, PG_reclaim) && (page_test(page, PG_dirty) || page_test(page, PG_writeback))))
		gen = MIN_NR_GENS;
	else
		gen = MAX_NR_GENS - workingset;
	seq = lrugen->max_seq - gen + 1;
	return MAX(seq, lrugen->min_seq[type]);
}

bool lru_gen_add_folio(struct machine *m, unsigned long pfn, bool reclaiming)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int gen;

	if (page_test(page, PG_unevictable) || !lrugen->enabled)
		return false;
	gen = lru_gen_from_seq(lru_gen_folio_seq(lrugen, page, reclaiming));
	page->flags &= ~(LRU_GEN_MASK | (1u << PG_active));
	page->flags |= (uint32_t)(gen + 1) << LRU_GEN_PGOFF;
	lru_gen_update_size(m, pgdat, pfn, -1, gen);
	/* at the tail for folio_rotate_reclaimable */
	lru_gen_list_add(m, lrugen, gen, folio_is_file_lru(page), pfn, reclaiming);
	return true;
}

bool lru_gen_del_folio(struct machine *m, unsigned long pfn, bool reclaiming)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int gen = folio_lru_gen(page);

	if (gen < 0)
		return false;
	lru_gen_list_del(m, lrugen, gen, folio_is_file_lru(page), pfn);
	lru_gen_update_size(m, pgdat, pfn, gen, -1);
	page->flags &= ~LRU_GEN_MASK;
	/* for folio_migrate_flags: a folio leaving a young generation is active */
	if (!reclaiming && lru_gen_is_active(lrugen, gen))
		page_set(page, PG_active);
	return true;
}

/* ---- accesses ---- */

/* lru_gen_inc_refs (folio_mark_accessed): PG_referenced first, then the
 * count in LRU_REFS_MASK, then PG_workingset once the count is full */
void lru_gen_inc_refs(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (page_test(page, PG_unevictable))
		return;
	if (!page_test(page, PG_referenced)) {
		page->flags &= ~LRU_REFS_MASK;
		page_set(page, PG_referenced);
		return;
	}
	if ((page->flags & LRU_REFS_MASK) == LRU_REFS_MASK) {
		page_set(page, PG_workingset);
		return;
	}
	page->flags += 1u << LRU_REFS_PGOFF;
}

bool lru_gen_in_fault(struct machine *m)
{
	return m->current && m->current->in_lru_fault;
}

/* lru_gen_set_refs: a young pte seen from rmap; true when the folio was
 * referenced before (promote it), else it is marked referenced */
bool lru_gen_set_refs(struct page *page)
{
	if (!page_test(page, PG_referenced) && !page_test(page, PG_workingset)) {
		page->flags &= ~LRU_REFS_MASK;
		page_set(page, PG_referenced);
		return false;
	}
	page->flags &= ~LRU_REFS_FLAGS;
	page_set(page, PG_workingset);
	return true;
}

/* folio_update_gen: promote a folio accessed through page tables to gen */
static void folio_update_gen(struct machine *m, unsigned long pfn, int gen)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	int old_gen = folio_lru_gen(page), type = folio_is_file_lru(page);

	if (!page_test(page, PG_referenced) && !page_test(page, PG_workingset)) {
		page->flags &= ~LRU_REFS_MASK;
		page_set(page, PG_referenced);
		return;
	}
	if (old_gen < 0)
		return;
	page->flags &= ~(LRU_GEN_MASK | LRU_REFS_FLAGS);
	page->flags |= ((uint32_t)(gen + 1) << LRU_GEN_PGOFF) | (1u << PG_workingset);
	if (old_gen == gen)
		return;
	lru_gen_list_del(m, node_lrugen(pgdat), old_gen, type, pfn);
	lru_gen_list_add(m, node_lrugen(pgdat), gen, type, pfn, false);
	lru_gen_update_size(m, pgdat, pfn, old_gen, gen);
}

/* folio_inc_gen: protect a folio of the oldest generation by moving it to
 * the next; reclaiming marks it for folio_end_writeback */
int folio_inc_gen(struct machine *m, pg_data_t *pgdat, unsigned long pfn, bool reclaiming, bool tail)
{
	struct page *page = pfn_to_page(m, pfn);
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int type = folio_is_file_lru(page);
	int old_gen = lru_gen_from_seq(lrugen->min_seq[type]);
	int cur = folio_lru_gen(page), new_gen = (old_gen + 1) % MAX_NR_GENS;

	page->flags &= ~(LRU_GEN_MASK | LRU_REFS_FLAGS);
	page->flags |= (uint32_t)(new_gen + 1) << LRU_GEN_PGOFF;
	if (reclaiming)
		page_set(page, PG_reclaim);
	lru_gen_list_del(m, lrugen, cur, type, pfn);
	lru_gen_list_add(m, lrugen, new_gen, type, pfn, tail);
	lru_gen_update_size(m, pgdat, pfn, cur, new_gen);
	return new_gen;
}

/* ---- the PID controller's positions ---- */

void reset_ctrl_pos(struct lru_gen_folio *lrugen, int type, bool carryover)
{
	bool clear = carryover ? NR_HIST_GENS == 1 : NR_HIST_GENS > 1;
	unsigned long seq = carryover ? lrugen->min_seq[type] : lrugen->max_seq + 1;
	int hist = (int)(seq % NR_HIST_GENS);

	if (!carryover && !clear)
		return;
	for (int tier = 0; tier < MAX_NR_TIERS; tier++) {
		if (carryover) {
			lrugen->avg_refaulted[type][tier] =
				(lrugen->avg_refaulted[type][tier] + lrugen->refaulted[hist][type][tier]) / 2;
			lrugen->avg_total[type][tier] = (lrugen->avg_total[type][tier] +
							 lrugen->protected[hist][type][tier] +
							 lrugen->evicted[hist][type][tier]) / 2;
		}
		if (clear) {
			lrugen->refaulted[hist][type][tier] = 0;
			lrugen->evicted[hist][type][tier] = 0;
			lrugen->protected[hist][type][tier] = 0;
		}
	}
}

/* ---- aging ---- */

/* inc_min_seq: the oldest generation is full and must go: its folios move
 * to the next one (no cold/hot inversion), protected as they go */
static void inc_min_seq(struct machine *m, pg_data_t *pgdat, int type, int swappiness)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int old_gen = lru_gen_from_seq(lrugen->min_seq[type]);
	int hist = (int)(lrugen->min_seq[type] % NR_HIST_GENS);

	if ((type && swappiness == SWAPPINESS_ANON_ONLY) || (!type && !swappiness))
		goto done;
	while (lrugen->tail[old_gen][type] != PFN_NONE) {
		unsigned long pfn = lrugen->tail[old_gen][type];
		struct page *page = pfn_to_page(m, pfn);
		int refs = folio_lru_refs(page);
		bool workingset = page_test(page, PG_workingset);

		folio_inc_gen(m, pgdat, pfn, false, true);
		/* the workingset being lazily promoted is not counted */
		if (refs + workingset != (1 << LRU_REFS_WIDTH) + 1)
			lrugen->protected[hist][type][lru_tier_from_refs(refs, workingset)]++;
	}
done:
	reset_ctrl_pos(lrugen, type, true);
	lrugen->min_seq[type]++;
}

/* try_to_inc_min_seq: min_seq up past the empty oldest generations */
bool try_to_inc_min_seq(struct machine *m, pg_data_t *pgdat, int swappiness)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	unsigned long min_seq[ANON_AND_FILE] = { lrugen->min_seq[0], lrugen->min_seq[1] };
	bool success = false, moved = false;

	(void)m;
	for_each_evictable_type(type, swappiness) {
		while (min_seq[type] + MIN_NR_GENS <= lrugen->max_seq &&
		       lrugen->head[lru_gen_from_seq(min_seq[type])][type] == PFN_NONE) {
			min_seq[type]++;
			moved = true;
		}
	}
	if (!moved)
		return false;
	/* anon and file stay within MIN_NR_GENS of each other */
	if (swappiness && swappiness <= MAX_SWAPPINESS) {
		unsigned long seq = lrugen->max_seq - MIN_NR_GENS;

		if (min_seq[LRU_GEN_ANON] > seq && min_seq[LRU_GEN_FILE] < seq)
			min_seq[LRU_GEN_ANON] = seq;
		else if (min_seq[LRU_GEN_FILE] > seq && min_seq[LRU_GEN_ANON] < seq)
			min_seq[LRU_GEN_FILE] = seq;
	}
	for_each_evictable_type(type, swappiness) {
		if (min_seq[type] <= lrugen->min_seq[type])
			continue;
		reset_ctrl_pos(lrugen, type, true);
		lrugen->min_seq[type] = min_seq[type];
		success = true;
	}
	return success;
}

/* inc_max_seq: a new youngest generation; the one leaving the youngest
 * two is counted inactive from now on */
static bool inc_max_seq(struct machine *m, pg_data_t *pgdat, unsigned long seq, int swappiness)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int prev, next;

	if (seq != lrugen->max_seq)
		return false;
	for (int type = 0; type < ANON_AND_FILE; type++)
		if (get_nr_gens(lrugen, type) == MAX_NR_GENS)
			inc_min_seq(m, pgdat, type, swappiness);
	prev = lru_gen_from_seq(lrugen->max_seq - 1);
	next = lru_gen_from_seq(lrugen->max_seq + 1);
	for (int type = 0; type < ANON_AND_FILE; type++) {
		enum lru_list lru = type ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;

		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			long delta = lrugen->nr_pages[prev][type][zid] - lrugen->nr_pages[next][type][zid];

			if (!delta)
				continue;
			__update_lru_size(pgdat, lru, zid, delta);
			__update_lru_size(pgdat, lru + 1, zid, -delta);
		}
	}
	for (int type = 0; type < ANON_AND_FILE; type++)
		reset_ctrl_pos(lrugen, type, false);
	lrugen->timestamps[next] = m->now_ns;
	lrugen->max_seq++;
	return true;
}

/* ---- the page-table walk ---- */

struct lru_gen_mm_walk {
	pg_data_t *pgdat;
	int gen;
	int swappiness;
	unsigned long table;      /* the PTE table (addr >> PMD_SHIFT) being walked */
	int total, young;         /* its entries */
	unsigned long mm_stats[NR_MM_STATS];
};

#define WALK_PMD_SHIFT 21

/* should_skip_vma: what the walk has no business in */
static bool should_skip_vma(const struct vm_area_struct *vma, int swappiness)
{
	const unsigned long special = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;

	if (!(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return true;
	if (vma->vm_flags & (VM_SEQ_READ | VM_RAND_READ))  /* !vma_has_recency */
		return true;
	if (vma->vm_flags & (VM_LOCKED | special) || vma->kind == VMA_VVAR || vma->kind == VMA_VVAR_VCLOCK ||
	    vma->kind == VMA_VDSO || vma->vm_flags & VM_HUGETLB)
		return true;
	if (!vma->vm_file)
		return !swappiness;
	if (mapping_is_shmem(&vma->vm_file->f_inode->i_data))
		return !swappiness;
	return swappiness > MAX_SWAPPINESS;
}

/* suitable_to_scan: on average one young pte per cache line of 8 */
static bool suitable_to_scan(int total, int young)
{
	return young * 8 >= total;
}

static void walk_end_table(struct lru_gen_mm_walk *walk)
{
	if (!walk->total)
		return;
	walk->mm_stats[MM_NONLEAF_FOUND]++;
	if (suitable_to_scan(walk->total, walk->young))
		walk->mm_stats[MM_NONLEAF_ADDED]++;
	walk->total = walk->young = 0;
}

/* get_pte_pfn + get_pfn_folio: a folio of this node on a generation list */
static bool walk_pte_folio(struct machine *m, pg_data_t *pgdat, pte_t pte, unsigned long *pfn)
{
	*pfn = pte_pfn(pte);
	if (pte_special(pte) || *pfn == m->zero_pfn || !pfn_valid(m, *pfn))
		return false;
	if (pfn_zone(m, *pfn)->zone_pgdat != pgdat)
		return false;
	return folio_lru_gen(pfn_to_page(m, *pfn)) >= 0;
}

/* walk_pte_range for one pte: a young one is cleared and its folio
 * promoted to the youngest generation */
static void walk_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	struct lru_gen_mm_walk *walk = arg;
	unsigned long pfn;
	pte_t *ptep;

	if (addr >> WALK_PMD_SHIFT != walk->table) {
		walk_end_table(walk);
		walk->table = addr >> WALK_PMD_SHIFT;
	}
	walk->total++;
	walk->mm_stats[MM_LEAF_TOTAL]++;
	if (!pte_young(pte) || !walk_pte_folio(m, walk->pgdat, pte, &pfn))
		return;
	ptep = pte_lookup(vma->vm_mm, addr);
	if (!ptep)
		return;
	*ptep &= ~_PAGE_ACCESSED;
	walk->young++;
	walk->mm_stats[MM_LEAF_YOUNG]++;
	folio_update_gen(m, pfn, walk->gen);
}

static gint compare_pid(gconstpointer a, gconstpointer b)
{
	const struct task_struct *x = *(struct task_struct *const *)a, *y = *(struct task_struct *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* iterate_mm_list + walk_mm: every mm once, in PID order */
static void walk_mms(struct machine *m, struct lru_gen_mm_walk *walk)
{
	GPtrArray *tasks = g_ptr_array_new();
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &key, &val))
		g_ptr_array_add(tasks, val);
	g_ptr_array_sort(tasks, compare_pid);
	for (guint i = 0; i < tasks->len; i++) {
		struct task_struct *t = g_ptr_array_index(tasks, i);
		struct vm_area_struct *vma;

		if (!t->mm || !g_hash_table_add(seen, t->mm))
			continue;
		for_each_vma(t->mm, vit, vma) {
			if (should_skip_vma(vma, walk->swappiness))
				continue;
			walk_page_range(m, vma, vma->vm_start, vma->vm_end, walk_pte, walk);
			walk_end_table(walk);
			walk->table = ~0UL;
		}
	}
	g_hash_table_destroy(seen);
	g_ptr_array_free(tasks, TRUE);
}

/* try_to_inc_max_seq: walk the page tables (LRU_GEN_MM_WALK), then make
 * a new generation; false when another aging got there first */
bool try_to_inc_max_seq(struct machine *m, pg_data_t *pgdat, unsigned long seq, int swappiness, bool force_scan)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	struct lru_gen_mm_walk walk = {
		.pgdat = pgdat, .gen = lru_gen_from_seq(lrugen->max_seq), .swappiness = swappiness, .table = ~0UL,
	};
	int hist = (int)(seq % NR_HIST_GENS);

	(void)force_scan;  /* without Bloom filters every walk is a full one */
	if (seq <= lrugen->mm_seq)
		return false;
	if (m->lru_gen_caps & (1u << LRU_GEN_MM_WALK)) {
		walk_mms(m, &walk);
		for (int i = 0; i < NR_MM_STATS; i++)
			lrugen->mm_stats[hist][i] += walk.mm_stats[i];
	}
	lrugen->mm_seq++;
	return inc_max_seq(m, pgdat, seq, swappiness);
}

/* lru_gen_look_around: the rmap walk found a young pte at addr; the
 * young ptes around it (up to MIN_LRU_BATCH in its PTE table and VMA)
 * are cleared and their folios promoted, as kswapd's walk would */
void lru_gen_look_around(struct machine *m, struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long pmd_start = addr & ~((1UL << WALK_PMD_SHIFT) - 1);
	unsigned long start = MAX(pmd_start, vma->vm_start);
	unsigned long end = MIN(pmd_start + (1UL << WALK_PMD_SHIFT), vma->vm_end);
	const unsigned long half = MIN_LRU_BATCH * PAGE_SIZE / 2;
	pg_data_t *pgdat;
	struct lru_gen_mm_walk walk = { .table = ~0UL };

	if (!lru_gen_enabled(m) || vma->vm_flags & (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP))
		return;
	if (end - start == PAGE_SIZE)
		return;
	if (end - start > 2 * half) {
		if (addr - start < half)
			end = start + 2 * half;
		else if (end - addr < half)
			start = end - 2 * half;
		else {
			start = addr - half;
			end = addr + half;
		}
	}
	{
		pte_t *ptep = pte_lookup(vma->vm_mm, addr);

		if (!ptep || !pte_present(*ptep) || !pfn_valid(m, pte_pfn(*ptep)))
			return;
		pgdat = pfn_zone(m, pte_pfn(*ptep))->zone_pgdat;
	}
	walk.pgdat = pgdat;
	walk.gen = lru_gen_from_seq(node_lrugen(pgdat)->max_seq);
	walk_page_range(m, vma, start, end, walk_pte, &walk);
}

/* ---- the MGLRU shadow ---- */

static uint64_t pack_shadow(int nid, uint64_t token, bool workingset)
{
	uint64_t v = ((token & EVICTION_MASK) << (NODES_SHIFT + WORKINGSET_SHIFT)) |
		     ((uint64_t)nid << WORKINGSET_SHIFT) | (workingset ? 1 : 0);

	return (v << 1) | 1;
}

/* lru_gen_eviction: the token is min_seq and the accesses beyond the first */
uint64_t lru_gen_eviction(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	int type = folio_is_file_lru(page), refs = folio_lru_refs(page);
	bool workingset = page_test(page, PG_workingset);
	unsigned long min_seq = lrugen->min_seq[type];
	uint64_t token = ((uint64_t)min_seq << LRU_REFS_WIDTH) | (uint64_t)MAX(refs - 1, 0);

	lrugen->evicted[min_seq % NR_HIST_GENS][type][lru_tier_from_refs(refs, workingset)]++;
	return pack_shadow(pgdat->node_id, token, workingset);
}

/* lru_gen_refault: recent when evicted less than MAX_NR_GENS generations
 * ago (lru_gen_test_recent); the tier's refaults feed the PID controller */
void lru_gen_refault(struct machine *m, unsigned long pfn, uint64_t shadow)
{
	struct page *page = pfn_to_page(m, pfn);
	uint64_t v = shadow >> 1, token = v >> (NODES_SHIFT + WORKINGSET_SHIFT);
	int nid = (int)((v >> WORKINGSET_SHIFT) & ((1u << NODES_SHIFT) - 1));
	bool workingset = v & 1;
	int type = folio_is_file_lru(page), refs, hist;
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	uint64_t max_seq = lrugen->max_seq & (EVICTION_MASK >> LRU_REFS_WIDTH);
	uint64_t seq = token >> LRU_REFS_WIDTH;
	bool file = !page_test(page, PG_swapcache);

	if (nid != pgdat->node_id)
		return;
	__mod_node_page_state(pgdat, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, 1);
	if ((max_seq > seq ? max_seq - seq : seq - max_seq) >= MAX_NR_GENS)
		return;
	hist = (int)(lrugen->min_seq[type] % NR_HIST_GENS);
	refs = (int)(token & ((1u << LRU_REFS_WIDTH) - 1)) + 1;
	lrugen->refaulted[hist][type][lru_tier_from_refs(refs, workingset)]++;
	/* folio_add_lru will make it active */
	if (lru_gen_in_fault(m))
		__mod_node_page_state(pgdat, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	if (workingset) {
		page_set(page, PG_workingset);
		__mod_node_page_state(pgdat, file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
	} else {
		page->flags = (page->flags & ~LRU_REFS_MASK) | ((uint32_t)(refs - 1) << LRU_REFS_PGOFF);
	}
}

/* ---- state ---- */

void lru_gen_init_lruvec(struct machine *m, struct lruvec *lv)
{
	struct lru_gen_folio *lrugen = &lv->lrugen;

	memset(lrugen, 0, sizeof(*lrugen));
	lrugen->max_seq = MIN_NR_GENS + 1;
	lrugen->enabled = lru_gen_enabled(m);
	for (int i = 0; i <= MIN_NR_GENS + 1; i++)
		lrugen->timestamps[i] = m->now_ns;
	for (int gen = 0; gen < MAX_NR_GENS; gen++)
		for (int type = 0; type < ANON_AND_FILE; type++)
			lrugen->head[gen][type] = lrugen->tail[gen][type] = PFN_NONE;
	lrugen->mm_seq = MIN_NR_GENS;
}

/* fill_evictable / drain_evictable: every folio of the node's evictable
 * lists onto the other LRU kind, oldest first */
static void lru_gen_change_node(struct machine *m, pg_data_t *pgdat, bool enabled)
{
	struct lruvec *lv = &pgdat->__lruvec;
	struct lru_gen_folio *lrugen = &lv->lrugen;

	lrugen->enabled = enabled;
	if (enabled) {
		for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			while (lv->tail[lru] != PFN_NONE) {
				unsigned long pfn = lv->tail[lru];

				lruvec_del_folio(m, pfn);
				lruvec_add_folio(m, pfn);
			}
		}
		return;
	}
	for (int gen = 0; gen < MAX_NR_GENS; gen++) {
		for (int type = 0; type < ANON_AND_FILE; type++) {
			while (lrugen->tail[gen][type] != PFN_NONE) {
				unsigned long pfn = lrugen->tail[gen][type];

				lruvec_del_folio(m, pfn);
				lruvec_add_folio(m, pfn);
			}
		}
	}
}

/* enabled_store: the capability bits; LRU_GEN_CORE through
 * lru_gen_change_state */
void lru_gen_set_caps(struct machine *m, unsigned int caps)
{
	bool enabled = caps & (1u << LRU_GEN_CORE);

	caps &= LRU_GEN_ALL_CAPS;
	if (enabled == lru_gen_enabled(m)) {
		m->lru_gen_caps = caps;
		return;
	}
	m->lru_gen_caps = caps;
	for_each_online_node(m, nid)
		lru_gen_change_node(m, NODE_DATA(m, nid), enabled);
	machine_debug_check(m, "lru_gen_change_state");
}

/* ---- --debug-vm ---- */

#define FAIL(...) return g_strdup_printf(__VA_ARGS__)

/* One generation list: well linked, each folio of that generation and
 * type, not active, evictable; its sizes per zone as counted */
static char *check_gen_list(struct machine *m, pg_data_t *pgdat, int gen, int type, long *sizes)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	uint32_t prev = PFN_NONE;
	long n = 0, limit = 0;

	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		limit += lrugen->nr_pages[gen][type][zid];
	for (uint32_t pfn = lrugen->head[gen][type]; pfn != PFN_NONE; pfn = pfn_to_page(m, pfn)->next) {
		struct page *page = pfn_to_page(m, pfn);

		if (++n > limit)
			FAIL("node %d gen %d type %d: more folios linked than counted (%ld)", pgdat->node_id, gen,
			     type, limit);
		if (!page_test(page, PG_lru) || page_test(page, PG_active) || page_test(page, PG_unevictable) ||
		    folio_lru_gen(page) != gen || folio_is_file_lru(page) != type)
			FAIL("pfn %u on generation %d type %d has flags %#x", pfn, gen, type, page->flags);
		if (page->prev != prev || pfn_zone(m, pfn)->zone_pgdat != pgdat)
			FAIL("pfn %u on generation %d: broken back link or another node", pfn, gen);
		sizes[pfn_zone(m, pfn)->zone_idx]++;
		prev = pfn;
	}
	if (lrugen->tail[gen][type] != prev)
		FAIL("node %d gen %d type %d: tail %u, last linked %u", pgdat->node_id, gen, type,
		     lrugen->tail[gen][type], prev);
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		if (sizes[zid] != lrugen->nr_pages[gen][type][zid])
			FAIL("node %d gen %d type %d zone %d: %ld linked, %ld counted", pgdat->node_id, gen, type, zid,
			     sizes[zid], lrugen->nr_pages[gen][type][zid]);
	return NULL;
}

/* Every generation in min_seq..max_seq (2 to 4 of them), the others
 * empty; the Active/Inactive counts are the youngest two and the rest */
char *lru_gen_check_node(struct machine *m, pg_data_t *pgdat)
{
	struct lru_gen_folio *lrugen = node_lrugen(pgdat);
	long counted[NR_LRU_LISTS] = { 0 };

	if (lrugen->enabled != lru_gen_enabled(m))
		FAIL("node %d: lrugen.enabled %d, lru_gen_caps %#x", pgdat->node_id, lrugen->enabled, m->lru_gen_caps);
	for (int type = 0; type < ANON_AND_FILE; type++) {
		int nr_gens = get_nr_gens(lrugen, type);

		if (nr_gens < MIN_NR_GENS || nr_gens > MAX_NR_GENS)
			FAIL("node %d type %d: %d generations (seq %lu..%lu)", pgdat->node_id, type, nr_gens,
			     lrugen->min_seq[type], lrugen->max_seq);
		for (int gen = 0; gen < MAX_NR_GENS; gen++) {
			long sizes[MAX_NR_ZONES] = { 0 };
			unsigned long seq = lrugen->max_seq - (unsigned long)((lru_gen_from_seq(lrugen->max_seq) - gen +
									      MAX_NR_GENS) % MAX_NR_GENS);
			bool live = seq >= lrugen->min_seq[type];
			char *err = check_gen_list(m, pgdat, gen, type, sizes);
			enum lru_list lru = type ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;

			if (err)
				return err;
			if (!live && lrugen->head[gen][type] != PFN_NONE)
				FAIL("node %d type %d: folios on generation %d, outside seq %lu..%lu", pgdat->node_id,
				     type, gen, lrugen->min_seq[type], lrugen->max_seq);
			if (!lrugen->enabled && lrugen->head[gen][type] != PFN_NONE)
				FAIL("node %d: folios on generation %d with MGLRU off", pgdat->node_id, gen);
			for (int zid = 0; zid < MAX_NR_ZONES; zid++)
				counted[lru + (lru_gen_is_active(lrugen, gen) ? 1 : 0)] += sizes[zid];
		}
	}
	for (int lru = 0; lrugen->enabled && lru < LRU_UNEVICTABLE; lru++)
		if (counted[lru] != (long)pgdat->__lruvec.nr[lru])
			FAIL("node %d lru %d: generations hold %ld, the count says %lu", pgdat->node_id, lru,
			     counted[lru], pgdat->__lruvec.nr[lru]);
	return NULL;
}
