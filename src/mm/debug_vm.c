/*
 * mm/debug.c and CONFIG_DEBUG_VM: the model's invariants, checked after
 * every operation when the machine runs with --debug-vm.
 *
 * Checked: every free list is well linked, its blocks are buddy heads of
 * its order and migratetype, aligned, inside the zone and on the list of
 * their pageblock's type; the list counts and nr_free agree; NR_FREE_PAGES
 * and NR_FREE_PAGES_BLOCKS equal what the lists hold; every pcp list holds
 * what its count says; every present page of every mem_map is in exactly
 * one place (reserved, a buddy block, a pcp block or an allocated block);
 * per zone, managed = present - reserved; totalram is the sum of managed;
 * the NUMA counters satisfy hit + miss = local + other; every page table
 * counts its entries right and uses its host chunks once each, the tables
 * make each mm's pgtables_bytes and, over all mms, NR_PAGETABLE; swap devices'
 * slot counts agree with their maps, cluster lists and the totals; each
 * slab cache's lists agree with its counts, every slab page in the
 * mem_map with its slab, the caches' counts and NR_SLAB_*; no page is left
 * isolated (NR_ISOLATED_*) and no pte is left a migration entry; the
 * disk's requests in flight are in order and its partitions' statistics
 * within the whole disk's; a writable pte is soft-dirty or its VMA is.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mmsim/explain.h"
#include "numa_balancing_internal.h"
#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/swap.h"
#include "mmsim/blkdev.h"
#include "mm_internal.h"
#include "mmsim/cgroup.h"
#include "mm_internal_proc.h"
#include "mmsim/slab.h"
#include "mmsim/trace.h"
#include "slab_internal.h"
#include "lru_gen.h"
#include "migrate.h"
#include "hugetlb_internal.h"
#include "workload_internal.h"
#include "mmsim/pagemap.h"

#define FAIL(...) do { return g_strdup_printf(__VA_ARGS__); } while (0)

static char *check_free_lists(struct machine *m, struct zone *zone, unsigned long *listed)
{
	long free_pages = 0, free_blocks = 0;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long total = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long n = 0;
			uint32_t pfn = area->head[mt];

			while (pfn != PFN_NONE) {
				struct page *p = pfn_to_page_noalloc(m, pfn);

				if (!p)
					FAIL("%s: order %u %s list holds pfn %#x without mem_map", zone->name, o,
					     migratetype_names[mt], pfn);
				if (!page_test(p, PG_buddy) || p->order != o || p->mt != mt)
					FAIL("%s: pfn %#x on the order-%u %s list is not such a buddy (flags %#x order %u mt %u)",
					     zone->name, pfn, o, migratetype_names[mt], p->flags, p->order, p->mt);
				if ((pfn & ((1u << o) - 1)) || !zone_spans_pfn(zone, pfn) ||
				    !zone_spans_pfn(zone, pfn + (1u << o) - 1))
					FAIL("%s: free block pfn %#x order %u misaligned or outside the zone",
					     zone->name, pfn, o);
				for (unsigned long b = pfn; b < pfn + (1ul << o); b += pageblock_nr_pages)
					if (get_pageblock_migratetype(m, b) != mt)
						FAIL("%s: free block pfn %#x order %u on the %s list in a %s pageblock",
						     zone->name, pfn, o, migratetype_names[mt],
						     migratetype_names[get_pageblock_migratetype(m, b)]);
				if (pfn_to_page_noalloc(m, p->next)->prev != pfn)
					FAIL("%s: free list link broken at pfn %#x", zone->name, pfn);
				n++;
				*listed += 1ul << o;
				if (mt != MIGRATE_ISOLATE) {
					free_pages += 1l << o;
					if (o >= pageblock_order)
						free_blocks += 1l << o;
				}
				pfn = p->next;
				if (pfn == area->head[mt])
					break;
				if (n > m->max_pfn)
					FAIL("%s: free list loops", zone->name);
			}
			if (n != area->nr_list[mt])
				FAIL("%s: order %u %s list has %lu blocks, count says %lu", zone->name, o,
				     migratetype_names[mt], n, area->nr_list[mt]);
			total += n;
		}
		if (o == MAX_PAGE_ORDER) {
			total += zone->nr_pristine * (PAGES_PER_SECTION >> MAX_PAGE_ORDER);
			free_pages += (long)(zone->nr_pristine * PAGES_PER_SECTION);
			free_blocks += (long)(zone->nr_pristine * PAGES_PER_SECTION);
		}
		if (total != area->nr_free)
			FAIL("%s: order %u nr_free %lu but lists hold %lu", zone->name, o, area->nr_free, total);
	}
	if (free_pages != zone_page_state(zone, NR_FREE_PAGES))
		FAIL("%s: NR_FREE_PAGES %ld but free lists hold %ld pages", zone->name,
		     zone_page_state(zone, NR_FREE_PAGES), free_pages);
	if (free_blocks != zone_page_state(zone, NR_FREE_PAGES_BLOCKS))
		FAIL("%s: NR_FREE_PAGES_BLOCKS %ld but lists hold %ld", zone->name,
		     zone_page_state(zone, NR_FREE_PAGES_BLOCKS), free_blocks);
	return NULL;
}

static char *check_pcp(struct machine *m, struct zone *zone)
{
	if (!zone->per_cpu_pageset)
		return NULL;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		int pages = 0;

		for (int i = 0; i < NR_PCP_LISTS; i++) {
			const struct pcp_list *l = &pcp->lists[i];

			for (uint32_t k = 0; k < l->len; k++) {
				uint32_t pfn = l->pfns[(l->head + k) & (l->cap - 1)];
				struct page *p = pfn_to_page_noalloc(m, pfn);

				if (!p || !page_test(p, PG_pcp) || p->cpu != cpu || pfn_zone(m, pfn) != zone)
					FAIL("%s: cpu %d pcp list %d holds a stray pfn %#x", zone->name, cpu, i, pfn);
				pages += 1 << p->order;
			}
		}
		if (pages != pcp->count)
			FAIL("%s: cpu %d pcp count %d but lists hold %d pages", zone->name, cpu, pcp->count, pages);
	}
	return NULL;
}

/* Walk a mem_map: every present page must be in exactly one place. */
static char *check_section(struct machine *m, unsigned long s, unsigned long *reserved_per_zone,
			   unsigned long *free_seen, unsigned long *pcp_seen)
{
	struct mem_section *ms = &m->sections[s];
	unsigned long start = s << PFN_SECTION_SHIFT, end = start + PAGES_PER_SECTION;

	for (unsigned long pfn = start; pfn < end;) {
		struct page *p = &ms->mem_map[pfn - start];
		unsigned long n;

		if (!pfn_valid(m, pfn)) {
			if (!page_test(p, PG_reserved))
				FAIL("pfn %#lx in a hole is not reserved", pfn);
			pfn++;
			continue;
		}
		if (page_test(p, PG_reserved)) {
			if (p->flags & ~(1u << PG_reserved))
				FAIL("reserved pfn %#lx has other flags %#x", pfn, p->flags);
			reserved_per_zone[pfn_zone(m, pfn) - m->node_data[ms->nid]->node_zones +
					  ms->nid * MAX_NR_ZONES]++;
			pfn++;
			continue;
		}
		if (page_test(p, PG_buddy) || page_test(p, PG_pcp) || p->_refcount > 0) {
			n = 1ul << p->order;
			if (page_test(p, PG_buddy) + page_test(p, PG_pcp) + (p->_refcount > 0) != 1)
				FAIL("pfn %#lx is in more than one place (flags %#x ref %d)", pfn, p->flags,
				     p->_refcount);
			if (page_test(p, PG_buddy))
				*free_seen += n;
			if (page_test(p, PG_pcp))
				*pcp_seen += n;
			for (unsigned long t = 1; t < n; t++) {
				struct page *tp = &ms->mem_map[pfn - start + t];
				bool alloc = p->_refcount > 0;

				if (page_test(tp, PG_buddy) || page_test(tp, PG_pcp) || page_test(tp, PG_reserved) ||
				    tp->_refcount || (alloc && !page_test(tp, PG_tail)) || (!alloc && tp->flags))
					FAIL("pfn %#lx, tail of the order-%u block at %#lx, is also elsewhere (flags %#x)",
					     pfn + t, p->order, pfn, tp->flags);
			}
			pfn += n;
			continue;
		}
		FAIL("pfn %#lx is in no place: not reserved, free, on a pcp list or allocated (flags %#x)",
		     pfn, p->flags);
	}
	return NULL;
}

/* Processes: ptes against rss counters and mapcounts, VMAs ordered and
 * disjoint, page-table bytes, Committed_AS and AnonPages against the sum */
struct pte_tally {
	GHashTable *maps;       /* pfn -> number of ptes mapping it */
	long anon, shmem, file;
	char *err;              /* the first pte that does not point at its page */
};

/* The pte points at its page: a page in use whose rmap (anon_vma or file,
 * and index) leads back to this VMA and address (what migration keeps) */
static char *check_pte_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page = pfn_to_page(m, pte_pfn(pte));
	uint64_t want;

	if (page->_refcount <= 0 || page_test(page, PG_buddy) || page_test(page, PG_pcp))
		return g_strdup_printf("pte at %#lx maps pfn %#lx, a page not in use", addr, pte_pfn(pte));
	/* soft-dirty tracking misses no store: a writable pte is soft-dirty
	 * or in a VMA that is soft-dirty as a whole */
	if (pte_write(pte) && !pte_soft_dirty(pte) && !(vma->vm_flags & VM_SOFTDIRTY))
		return g_strdup_printf("pte at %#lx is writable but not soft-dirty", addr);
	if (page_test(page, PG_ksm))
		return NULL; /* its stable node: ksm_check_invariants */
	if (!page_test(page, PG_swapbacked) && vma->vm_file &&
	    page_content(m, pte_pfn(pte)) != file_page_content(vma->vm_file->f_inode->i_ino, (unsigned long)page->index))
		return g_strdup_printf("pte at %#lx maps file page %#lx whose content is not the file's", addr, pte_pfn(pte));
	want = page_test(page, PG_anon) ? (uint64_t)(uintptr_t)vma->anon_vma
		: vma->vm_file ? (uint64_t)(uintptr_t)&vma->vm_file->f_inode->i_data : page->private;
	if (page->private != want || page->index != linear_page_index(vma, addr))
		return g_strdup_printf("pte at %#lx maps pfn %#lx whose rmap (index %#lx) leads elsewhere", addr,
				       pte_pfn(pte), (unsigned long)page->index);
	return NULL;
}

static void tally_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	struct pte_tally *t = arg;
	gpointer key = GSIZE_TO_POINTER(pte_pfn(pte));

	if (pte_special(pte))
		return;
	if (!t->err)
		t->err = check_pte_page(m, vma, addr, pte);
	g_hash_table_insert(t->maps, key, GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(t->maps, key)) + 1));
	if (page_test(pfn_to_page(m, pte_pfn(pte)), PG_anon))
		t->anon++;
	else if (page_test(pfn_to_page(m, pte_pfn(pte)), PG_swapbacked))
		t->shmem++;
	else
		t->file++;
}

/* A page table and the tables under it: each chunk the map names is one
 * of the table's own small chunks, no two chunks share one, nr_used counts
 * the entries that are not 0; *nr counts the tables */
static char *check_pgtable(const struct pt_page *t, int level, unsigned long *nr)
{
	unsigned int used = 0, small_seen = 0, nr_small = 0;

	(*nr)++;
	for (int i = 0; i < PT_SMALL_CHUNKS; i++)
		nr_small += t->small[i] != NULL;
	for (unsigned int k = 0; k < PT_NR_CHUNKS; k++) {
		unsigned int s = pt_chunk_small(t, k);
		const pte_t *chunk = pt_chunk(t, k);

		if (s && (s > nr_small || (small_seen & (1u << s))))
			FAIL("page table pfn %#lx: chunk %u names small chunk %u of %u, or one named before", t->pfn,
			     k, s, nr_small);
		small_seen |= 1u << s;
		for (unsigned int i = 0; chunk && i < PT_CHUNK; i++) {
			char *err;

			if (!chunk[i])
				continue;
			used++;
			if (level < 3 &&
			    (err = check_pgtable((const struct pt_page *)(uintptr_t)chunk[i], level + 1, nr)))
				return err;
		}
	}
	if (used != t->nr_used)
		FAIL("page table pfn %#lx (level %d): nr_used %u but %u entries are set", t->pfn, level, t->nr_used,
		     used);
	return NULL;
}

/* check_processes' totals: each mapped page's mapcount, and the
 * machine's counters against the sums over the processes */
static char *check_process_totals(struct machine *m, GHashTable *maps, long committed, long pgtables)
{
	GHashTableIter it;
	gpointer k, v;
	long anon_pages = 0;
	char *err = NULL;

	g_hash_table_iter_init(&it, maps);
	while (!err && g_hash_table_iter_next(&it, &k, &v)) {
		struct page *page = pfn_to_page(m, GPOINTER_TO_SIZE(k));

		if (page->_mapcount + 1 != GPOINTER_TO_INT(v))
			err = g_strdup_printf("pfn %#lx: mapcount %d but %d ptes map it", (unsigned long)GPOINTER_TO_SIZE(k),
					      page->_mapcount + 1, GPOINTER_TO_INT(v));
		if (page_test(page, PG_anon))
			anon_pages++;
	}
	if (!err && committed != m->vm_committed_as)
		err = g_strdup_printf("Committed_AS %ld but the mms charge %ld", m->vm_committed_as, committed);
	if (!err && anon_pages != global_node_page_state(m, NR_ANON_MAPPED))
		err = g_strdup_printf("AnonPages %ld but %ld anon pages are mapped", global_node_page_state(m, NR_ANON_MAPPED),
				      anon_pages);
	if (!err && pgtables != global_node_page_state(m, NR_PAGETABLE))
		err = g_strdup_printf("NR_PAGETABLE %ld but the mms have %ld page tables",
				      global_node_page_state(m, NR_PAGETABLE), pgtables);
	return err;
}

static char *check_processes(struct machine *m)
{
	GHashTable *maps = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *mms = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it;
	gpointer k, v;
	long committed = 0, pgtables = 0;
	char *err = NULL;

	g_hash_table_iter_init(&it, m->tasks);
	while (!err && g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;
		struct mm_struct *mm = t->mm;
		struct pte_tally tally = { maps, 0, 0, 0, NULL };
		struct vm_area_struct *vma;
		unsigned long prev_end = 0, total = 0;
		int count = 0;

		if (!mm)
			continue;
		if (mm->pgd && !g_hash_table_contains(mms, mm)) {
			unsigned long nr = 0;

			g_hash_table_add(mms, mm);
			if ((err = check_pgtable(mm->pgd, 0, &nr)))
				break;
			if (nr * PAGE_SIZE != mm->pgtables_bytes) {
				err = g_strdup_printf("pid %d: %lu page tables but pgtables_bytes %lu", t->pid, nr,
						      mm->pgtables_bytes);
				break;
			}
			pgtables += (long)nr;
		}
		for_each_vma(mm, vit, vma) {
			if (vma->vm_start < prev_end || vma->vm_start >= vma->vm_end || (vma->vm_start & ~PAGE_MASK) ||
			    (vma->vm_end & ~PAGE_MASK)) {
				err = g_strdup_printf("pid %d: VMA %#lx-%#lx out of order or misaligned", t->pid,
						      vma->vm_start, vma->vm_end);
				break;
			}
			if (vma->anon_vma) {
				guint idx;

				if (!g_ptr_array_find(vma->anon_vma->vmas, vma, &idx)) {
					err = g_strdup_printf("pid %d: VMA %#lx-%#lx missing from its anon_vma's list",
							      t->pid, vma->vm_start, vma->vm_end);
					break;
				}
			}
			prev_end = vma->vm_end;
			total += (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
			count++;
			walk_page_range(m, vma, vma->vm_start, vma->vm_end, tally_pte, &tally);
		}
		if (!err && tally.err)
			err = g_strdup_printf("pid %d: %s", t->pid, tally.err);
		g_free(tally.err);
		if (err)
			break;
		if (count != mm->map_count || total != mm->total_vm)
			err = g_strdup_printf("pid %d: map_count %d/total_vm %lu but VMAs say %d/%lu", t->pid,
					      mm->map_count, mm->total_vm, count, total);
		else if (tally.anon != mm->rss_stat[MM_ANONPAGES] || tally.shmem != mm->rss_stat[MM_SHMEMPAGES] ||
			 tally.file != mm->rss_stat[MM_FILEPAGES])
			err = g_strdup_printf("pid %d: RssAnon %ld RssShmem %ld RssFile %ld but ptes map %ld, %ld and %ld",
					      t->pid, mm->rss_stat[MM_ANONPAGES], mm->rss_stat[MM_SHMEMPAGES],
					      mm->rss_stat[MM_FILEPAGES], tally.anon, tally.shmem, tally.file);
		committed += (long)mm->committed;
	}
	if (!err)
		err = check_process_totals(m, maps, committed, pgtables);
	g_hash_table_destroy(maps);
	g_hash_table_destroy(mms);
	return err;
}

/* Each LRU list links exactly the pages its count says, each in the
 * list its flags name, and the node counters agree */
static char *check_lru(struct machine *m, int nid)
{
	pg_data_t *pgdat = m->node_data[nid];
	struct lruvec *lv = &pgdat->__lruvec;

	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		unsigned long n = 0;
		uint32_t prev = PFN_NONE;

		if ((long)lv->nr[lru] != pgdat->vm_stat[NR_INACTIVE_ANON + lru])
			FAIL("node %d lru %d: %lu pages but the counter says %ld", nid, lru, lv->nr[lru],
			     pgdat->vm_stat[NR_INACTIVE_ANON + lru]);
		if (lru == LRU_UNEVICTABLE)
			continue;
		if (lv->lrugen.enabled && lv->head[lru] != PFN_NONE)
			FAIL("node %d lru %d: pages on a classic list with MGLRU on", nid, lru);
		if (lv->lrugen.enabled)
			continue;
		for (uint32_t pfn = lv->head[lru]; pfn != PFN_NONE; pfn = pfn_to_page(m, pfn)->next) {
			struct page *page = pfn_to_page(m, pfn);

			if (++n > lv->nr[lru])
				FAIL("node %d lru %d: more pages linked than counted (%lu)", nid, lru, lv->nr[lru]);
			if (!page_test(page, PG_lru) || (int)folio_lru_list(page) != lru)
				FAIL("pfn %u on lru %d has flags %#x", pfn, lru, page->flags);
			if (page->prev != prev)
				FAIL("pfn %u on lru %d: broken back link", pfn, lru);
			prev = pfn;
		}
		if (n != lv->nr[lru] || lv->tail[lru] != prev)
			FAIL("node %d lru %d: %lu linked, %lu counted", nid, lru, n, lv->nr[lru]);
	}
	return lru_gen_check_node(m, pgdat);
}

/* ---- the kernel's own allocators (mm/slub.c's validate_slab_cache in
 * outline) ---- */

/* Each cache's node partial lists and cpu slabs: the states and counts
 * the lists imply */
static char *check_slab_lists(struct machine *m, struct kmem_cache *s)
{
	for_each_online_node(m, nid) {
		unsigned long nr = 0;

		for (struct slab *sl = s->node[nid].partial_head; sl; sl = sl->next) {
			if (sl->state != SLAB_NODE_PARTIAL || sl->nid != nid || !sl->nfree)
				FAIL("slab %s: node %d partial slab in state %d with %u free", s->name, nid, sl->state,
				     sl->nfree);
			nr++;
		}
		if (nr != s->node[nid].nr_partial)
			FAIL("slab %s: node %d nr_partial %lu, list holds %lu", s->name, nid, s->node[nid].nr_partial, nr);
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		unsigned int n = 0;

		if (c->slab && c->slab->state != SLAB_CPU)
			FAIL("slab %s: cpu %d slab not frozen", s->name, cpu);
		for (struct slab *sl = c->partial; sl; sl = sl->next, n++)
			if (sl->state != SLAB_CPU_PARTIAL)
				FAIL("slab %s: cpu %d partial slab in state %d", s->name, cpu, sl->state);
		if (c->partial && c->partial->slabs != n)
			FAIL("slab %s: cpu %d partial count %u, list holds %u", s->name, cpu, c->partial->slabs, n);
	}
	return NULL;
}

/* What the mem_map's slab pages add up to, per cache and per node */
struct slab_tally {
	GHashTable *slabs, *objects;  /* struct kmem_cache * -> count */
	long pages[MAX_NUMNODES][2];  /* [nid][reclaimable] */
};

static void tally_add(GHashTable *h, gpointer key, gsize n)
{
	g_hash_table_insert(h, key, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(h, key)) + n));
}

/* Every head page with PG_slab points at its slab, which it heads */
static char *tally_slab_pages(struct machine *m, struct slab_tally *t)
{
	for (unsigned long sec = 0; sec < m->nr_sections; sec++) {
		struct page *map = m->sections[sec].mem_map;

		for (unsigned long i = 0; map && i < PAGES_PER_SECTION; i++) {
			unsigned long pfn = (sec << PFN_SECTION_SHIFT) + i;
			struct slab *sl;

			if (!page_test(&map[i], PG_slab))
				continue;
			sl = (struct slab *)(uintptr_t)map[i].private;
			if (!sl || sl->pfn != pfn)
				FAIL("pfn %#lx: PG_slab without its slab", pfn);
			t->pages[sl->nid][(sl->cache->flags & SLAB_RECLAIM_ACCOUNT) ? 1 : 0] += 1L << sl->order;
			tally_add(t->slabs, sl->cache, 1);
			tally_add(t->objects, sl->cache, sl->objects);
			if (sl->nfree > sl->objects || (sl->state == SLAB_FULL && sl->nfree))
				FAIL("slab %s at pfn %#lx: %u free of %u in state %d", sl->cache->name, sl->pfn, sl->nfree,
				     sl->objects, sl->state);
		}
	}
	return NULL;
}

/* The caches' nr_slabs and total_objects against the mem_map */
static char *check_slab_counts(struct machine *m, struct slab_tally *t)
{
	for (guint i = 0; i < m->slab->caches->len; i++) {
		struct kmem_cache *s = g_ptr_array_index(m->slab->caches, i);
		unsigned long nr = 0, objs = 0;
		unsigned long seen = GPOINTER_TO_SIZE(g_hash_table_lookup(t->slabs, s));
		unsigned long held = GPOINTER_TO_SIZE(g_hash_table_lookup(t->objects, s));

		for_each_online_node(m, nid) {
			nr += s->node[nid].nr_slabs;
			objs += s->node[nid].total_objects;
		}
		if (nr != seen)
			FAIL("slab %s: nr_slabs %lu, mem_map holds %lu", s->name, nr, seen);
		if (objs != held)
			FAIL("slab %s: total_objects %lu, its slabs hold %lu", s->name, objs, held);
	}
	return NULL;
}

/* Per cache, its lists against its counts; slab pages in the mem_map
 * against the caches and NR_SLAB_*; vmalloc pages against the areas */
static char *check_slab(struct machine *m)
{
	struct slab_tally t = { 0 };
	char *err = NULL;

	if (!m->slab)
		return NULL;
	for (guint i = 0; i < m->slab->caches->len && !err; i++)
		err = check_slab_lists(m, g_ptr_array_index(m->slab->caches, i));
	if (err)
		return err;
	t.slabs = g_hash_table_new(g_direct_hash, g_direct_equal);
	t.objects = g_hash_table_new(g_direct_hash, g_direct_equal);
	err = tally_slab_pages(m, &t);
	if (!err)
		err = check_slab_counts(m, &t);
	g_hash_table_destroy(t.slabs);
	g_hash_table_destroy(t.objects);
	if (err)
		return err;
	for_each_online_node(m, nid) {
		long unrecl = m->node_data[nid]->vm_stat[NR_SLAB_UNRECLAIMABLE_B];
		long recl = m->node_data[nid]->vm_stat[NR_SLAB_RECLAIMABLE_B];

		if (recl != t.pages[nid][1])
			FAIL("node %d: NR_SLAB_RECLAIMABLE_B %ld, slabs hold %ld pages", nid, recl, t.pages[nid][1]);
		if (unrecl != t.pages[nid][0] + m->slab->large_pages[nid])
			FAIL("node %d: NR_SLAB_UNRECLAIMABLE_B %ld, slabs hold %ld pages, large kmalloc %ld", nid, unrecl,
			     t.pages[nid][0], m->slab->large_pages[nid]);
	}
	return vmalloc_check_invariants(m);
}

/* ---- migration and compaction: nothing left in flight after an operation ---- */

struct migration_entry_arg {
	unsigned long found;
};

static void find_migration_entry(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte,
				 void *arg)
{
	(void)m;
	(void)vma;
	(void)addr;
	if (is_migration_pte(pte))
		((struct migration_entry_arg *)arg)->found = addr;
}

static char *check_migration(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		if (pgdat->vm_stat[NR_ISOLATED_ANON] || pgdat->vm_stat[NR_ISOLATED_FILE])
			return g_strdup_printf("node %d: %ld anon and %ld file pages left isolated", nid,
					       pgdat->vm_stat[NR_ISOLATED_ANON], pgdat->vm_stat[NR_ISOLATED_FILE]);
	}
	if (!m->tasks)
		return NULL;
	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;
		struct vm_area_struct *vma;

		if (!t->mm)
			continue;
		for_each_vma(t->mm, vit, vma) {
			struct migration_entry_arg a = { 0 };

			walk_swap_range(m, vma, vma->vm_start, vma->vm_end, find_migration_entry, &a);
			if (a.found)
				return g_strdup_printf("pid %d: a migration entry left at %#lx", t->pid, a.found);
		}
	}
	return NULL;
}

/* Each mechanism's own invariants, after the page allocator's */
static char *check_mechanisms(struct machine *m)
{
	char *err = m->tasks ? check_processes(m) : NULL;

	if (!err)
		err = swap_check_invariants(m);
	if (!err)
		err = check_slab(m);
	if (!err)
		err = check_migration(m);
	if (!err && m->ksm)
		err = ksm_check_invariants(m);
	if (!err)
		err = genhd_check_invariants(m);
	if (!err)
		err = trace_check_invariants(m);
	if (!err)
		err = hugetlb_check(m);
	if (!err)
		err = cgroup_check_invariants(m);
	if (!err)
		err = wmark_check_invariants(m);
	if (!err)
		err = mem_cgroup_check_invariants(m);
	if (!err && m->numab)
		err = numa_balancing_check_invariants(m);
	if (!err)
		err = workload_check(m);
	if (!err && m->tasks)
		err = files_check_invariants(m);
	return err;
}

char *machine_check_invariants(struct machine *m)
{
	unsigned long *reserved = g_new0(unsigned long, (gsize)m->nr_nodes * MAX_NR_ZONES);
	unsigned long listed = 0, free_seen = 0, pcp_seen = 0, pcp_counted = 0, pristine = 0;
	unsigned long totalram = 0;
	char *err = NULL;

	if ((err = mempolicy_check_invariants(m)))
		goto out;
	for_each_online_node(m, nid) {
		if ((err = check_lru(m, nid)) || (err = kswapd_check(m, m->node_data[nid])))
			goto out;
		for_each_zone_in_node(m->node_data[nid], zone) {
			if ((err = check_free_lists(m, zone, &listed)) || (err = check_pcp(m, zone)))
				goto out;
			if (zone->per_cpu_pageset)
				for (int cpu = 0; cpu < m->nr_cpus; cpu++)
					pcp_counted += (unsigned long)zone->per_cpu_pageset[cpu].count;
			pristine += zone->nr_pristine * PAGES_PER_SECTION;
			totalram += zone->managed_pages;
			if (zone->vm_numa_event[NUMA_HIT] + zone->vm_numa_event[NUMA_MISS] !=
			    zone->vm_numa_event[NUMA_LOCAL] + zone->vm_numa_event[NUMA_OTHER]) {
				err = g_strdup_printf("%s: numa_hit+numa_miss != numa_local+numa_other", zone->name);
				goto out;
			}
		}
	}
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		struct mem_section *ms = &m->sections[s];

		if (ms->state == SECTION_MEMMAP) {
			if ((err = check_section(m, s, reserved, &free_seen, &pcp_seen)))
				goto out;
		} else if (ms->state == SECTION_RESERVED) {
			reserved[ms->nid * MAX_NR_ZONES + ms->zid] += PAGES_PER_SECTION;
		} else if (ms->state == SECTION_FREE) {
			free_seen += PAGES_PER_SECTION;
		}
	}
	if (free_seen != listed + pristine) {
		err = g_strdup_printf("buddy pages in the mem_maps (%lu) differ from the free lists (%lu)",
				      free_seen, listed + pristine);
		goto out;
	}
	if (pcp_seen != pcp_counted) {
		err = g_strdup_printf("pcp pages in the mem_maps (%lu) differ from the pcp counts (%lu)",
				      pcp_seen, pcp_counted);
		goto out;
	}
	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			unsigned long r = reserved[nid * MAX_NR_ZONES + zone->zone_idx];

			if (zone->managed_pages + r != zone->present_pages) {
				err = g_strdup_printf("node %d %s: managed %lu + reserved %lu != present %lu", nid,
						      zone->name, zone->managed_pages, r, zone->present_pages);
				goto out;
			}
		}
	}
	if (totalram != m->totalram_pages)
		err = g_strdup_printf("totalram_pages %lu but zones manage %lu", m->totalram_pages, totalram);
	if (!err)
		err = check_mechanisms(m);
out:
	g_free(reserved);
	return err;
}

void machine_debug_check(struct machine *m, const char *op)
{
	char *err;

	if (!m->cfg.debug_vm || m->debug_vm_batch)
		return;
	err = machine_check_invariants(m);
	if (!err)
		return;
	fprintf(stderr, "mmsimd: --debug-vm: invariant broken after %s: %s\n", op, err);
	printk(m, "BUG: invariant broken after %s: %s", op, err);
	abort();
}

void machine_debug_batch_begin(struct machine *m)
{
	m->debug_vm_batch++;
}

void machine_debug_batch_end(struct machine *m, const char *op)
{
	m->debug_vm_batch--;
	machine_debug_check(m, op);
}
