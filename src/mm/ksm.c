/*
 * mm/ksm.c: kernel samepage merging.
 *
 * Models:
 * - madvise MADV_MERGEABLE / MADV_UNMERGEABLE (ksm_madvise) and prctl
 *   PR_SET_MEMORY_MERGE (every eligible VMA of the process, new ones too);
 *   a process registers with ksmd (__ksm_enter) and leaves at exit;
 * - ksmd on simulated time: pages_to_scan pages every sleep_millisecs
 *   while run is 1 (ksm_do_scan, scan_get_next_rmap_item), one rmap_item
 *   per scanned address;
 * - cmp_and_merge_page: the stable tree first (content-ordered, one per
 *   node unless merge_across_nodes), then the checksum rule (a page whose
 *   checksum changed since the last scan is volatile and skipped), the
 *   zero page with use_zero_pages, then the unstable tree (rebuilt every
 *   full scan) and try_to_merge_two_pages;
 * - KSM pages: write-protected, broken by COW on write (cow_ksm), found by
 *   rmap through their stable node (rmap_walk_ksm), freed with the last
 *   mapping; a swapped-in page another process's pte shares is copied
 *   (ksm_might_need_to_copy, ksm_swpin_copy);
 * - max_page_sharing: a content whose KSM page is full gets another one,
 *   and the stable node becomes a chain of dups (stable_node_chains,
 *   stable_node_dups);
 * - smart_scan: pages that stay unmerged are skipped more and more often
 *   (should_skip_rmap_item, pages_skipped);
 * - run 2 unmerges everything (unmerge_and_remove_all_rmap_items);
 * - the counters behind sys/kernel/mm/ksm, proc/PID/ksm_stat, smaps KSM:.
 * Simplifies:
 * - the checksum is the page's fingerprint (page_content.c);
 * - a chain with one dup left is pruned at once, not after
 *   stable_node_chains_prune_millisecs;
 * - the scan-time advisor is not modelled (its knobs are kept);
 * - ksmd's CPU time is an estimate per page scanned.
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "ksm_internal.h"
#include "migrate.h"

/* ---- the stable tree ---- */

static gint chain_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct ksm_stable_chain *x = a, *y = b;

	(void)data;
	if (x->content != y->content)
		return x->content < y->content ? -1 : 1;
	return x->nid - y->nid;
}

static gint unstable_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct ksm_rmap_item *x = a, *y = b;

	(void)data;
	if (x->content != y->content)
		return x->content < y->content ? -1 : 1;
	return x->nid - y->nid;
}

static int ksm_nid(struct machine *m, unsigned long pfn)
{
	return m->ksm->merge_across_nodes ? 0 : __pfn_to_section(m, pfn)->nid;
}

static struct ksm_stable_chain *stable_chain_lookup(struct machine *m, uint64_t content, int nid)
{
	struct ksm_stable_chain key = { .content = content, .nid = nid };

	return g_tree_lookup(m->ksm->stable_tree, &key);
}

/* A chain's dups are counted once it has more than one */
static void chain_recount(struct ksm_state *k, struct ksm_stable_chain *c, int delta)
{
	if (c->dups->len > 1) {
		k->stable_node_chains = (unsigned long)((long)k->stable_node_chains + delta);
		k->stable_node_dups = (unsigned long)((long)k->stable_node_dups + delta * (long)c->dups->len);
	}
}

static struct ksm_stable_node *stable_tree_insert(struct machine *m, unsigned long kpfn)
{
	struct ksm_state *k = m->ksm;
	uint64_t content = page_content(m, kpfn);
	int nid = ksm_nid(m, kpfn);
	struct ksm_stable_chain *c = stable_chain_lookup(m, content, nid);
	struct ksm_stable_node *node = g_new0(struct ksm_stable_node, 1);

	if (!c) {
		c = g_new0(struct ksm_stable_chain, 1);
		c->content = content;
		c->nid = nid;
		c->dups = g_ptr_array_new();
		g_tree_insert(k->stable_tree, c, c);
	}
	chain_recount(k, c, -1);
	node->kpfn = kpfn;
	node->chain = c;
	node->hlist = g_ptr_array_new();
	g_ptr_array_add(c->dups, node);
	chain_recount(k, c, 1);
	return node;
}

/* The KSM page is gone: its node leaves the tree, its rmap_items are
 * plain again */
static void stable_node_remove(struct machine *m, struct ksm_stable_node *node)
{
	struct ksm_state *k = m->ksm;
	struct ksm_stable_chain *c = node->chain;

	while (node->hlist->len)
		remove_rmap_item_from_tree(m, g_ptr_array_index(node->hlist, node->hlist->len - 1));
	chain_recount(k, c, -1);
	g_ptr_array_remove(c->dups, node);
	chain_recount(k, c, 1);
	if (!c->dups->len) {
		g_tree_remove(k->stable_tree, c);
		g_ptr_array_free(c->dups, TRUE);
		g_free(c);
	}
	g_ptr_array_free(node->hlist, TRUE);
	g_free(node);
}

/* stable_tree_search: a KSM page of the content with room for one more
 * sharer (is_page_sharing_candidate), or PFN_NONE */
static unsigned long stable_tree_search(struct machine *m, unsigned long pfn)
{
	struct ksm_stable_chain *c = stable_chain_lookup(m, page_content(m, pfn), ksm_nid(m, pfn));

	if (!c)
		return PFN_NONE;
	for (guint i = 0; i < c->dups->len; i++) {
		struct ksm_stable_node *node = g_ptr_array_index(c->dups, i);

		if (node->hlist->len < m->ksm->max_page_sharing)
			return node->kpfn;
	}
	return PFN_NONE;
}

/* stable_tree_append: the rmap_item maps the node's KSM page */
static void stable_tree_append(struct machine *m, struct ksm_rmap_item *item, struct ksm_stable_node *node)
{
	struct ksm_state *k = m->ksm;

	item->head = node;
	g_ptr_array_add(node->hlist, item);
	if (node->hlist->len > 1)
		k->pages_sharing++;
	else
		k->pages_shared++;
	item->slot->ksm_merging_pages++;
}

void remove_rmap_item_from_tree(struct machine *m, struct ksm_rmap_item *item)
{
	struct ksm_state *k = m->ksm;

	if (item->head) {
		struct ksm_stable_node *node = item->head;

		g_ptr_array_remove(node->hlist, item);
		if (node->hlist->len)
			k->pages_sharing--;
		else
			k->pages_shared--;
		item->slot->ksm_merging_pages--;
		item->head = NULL;
	} else if (item->unstable_seq) {
		/* still in this scan's unstable tree: out of it */
		if (item->unstable_seq == k->seqnr + 1)
			g_tree_remove(k->unstable_tree, item);
		item->unstable_seq = 0;
		k->pages_unshared--;
	}
}

/* ---- pages and ptes ---- */

/* The page an rmap_item's address maps (present, not special), or
 * PFN_NONE; *ptepp its pte */
unsigned long ksm_item_pfn(struct ksm_rmap_item *item, pte_t **ptepp)
{
	pte_t *ptep = pte_lookup(item->slot->mm, item->address);

	if (ptepp)
		*ptepp = ptep;
	if (!ptep || !pte_present(*ptep) || pte_special(*ptep))
		return PFN_NONE;
	return pte_pfn(*ptep);
}

/* An anon page KSM may take: mapped once, not locked nor under I/O;
 * swap cache it may leave (write_protect_page's count check) */
static bool page_mergeable(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_anon) || page->_mapcount != 0)
		return false;
	if (page->flags & ((1u << PG_locked) | (1u << PG_writeback) | (1u << PG_mlocked) | (1u << PG_unevictable)))
		return false;
	return !page_test(page, PG_swapcache) || folio_free_swap(m, pfn);
}

/* The page becomes a KSM page of node: off its anon_vma, write-protected */
static void folio_set_stable_node(struct machine *m, unsigned long pfn, struct ksm_stable_node *node)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_ksm)) {
		struct anon_vma *av = (struct anon_vma *)(uintptr_t)page->private;

		if (--av->nr_pages == 0 && av->refcount <= 0)
			anon_vma_free(av);
		page_set(page, PG_ksm);
		page_set(page, PG_dirty);
	}
	page->private = (uint64_t)(uintptr_t)node;
}

/* replace_page: the pte maps kpfn (or the zero page) instead of pfn,
 * read-only; the old page loses its mapping and is freed */
static void replace_page(struct machine *m, struct ksm_rmap_item *item, pte_t *ptep, unsigned long pfn,
			 unsigned long kpfn)
{
	if (kpfn == m->zero_pfn) {
		/* a KSM zero page: special, dirty marks it (is_ksm_zero_pte) */
		*ptep = ((pte_t)kpfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | _PAGE_DIRTY;
		m->ksm->zero_pages++;
		item->slot->ksm_zero_pages++;
		dec_mm_counter(item->slot->mm, MM_ANONPAGES);
	} else {
		*ptep = ((pte_t)kpfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER | (*ptep & _PAGE_ACCESSED);
		pfn_to_page(m, kpfn)->_mapcount++;
	}
	m->nr_tlb_local_flush_one++;
	page_remove_rmap(m, pfn);
}

/* ---- merging ---- */

/* A stable node made for a merge that then failed: the page is plain anon
 * of its VMA again */
static void ksm_unstable_node_undo(struct machine *m, unsigned long pfn, struct ksm_stable_node *node,
				   struct mm_struct *mm, unsigned long address)
{
	struct page *page = pfn_to_page(m, pfn);
	struct anon_vma *av = anon_vma_get(find_vma(mm, address));

	stable_node_remove(m, node);
	page_clear(page, PG_ksm);
	page->private = (uint64_t)(uintptr_t)av;
	av->nr_pages++;
}

/* try_to_merge_with_ksm_page: the item's page (pfn) goes, its pte maps
 * kpfn; kpfn == pfn: a fork's pte already maps it.  0 or -EBUSY. */
static int try_to_merge_with_ksm_page(struct machine *m, struct ksm_rmap_item *item, unsigned long pfn,
				      unsigned long kpfn)
{
	pte_t *ptep;

	if (kpfn == pfn)
		return 0;
	if (page_content(m, pfn) != page_content(m, kpfn) || !page_mergeable(m, pfn))
		return -EBUSY;
	if (ksm_item_pfn(item, &ptep) != pfn)
		return -EBUSY;
	replace_page(m, item, ptep, pfn, kpfn);
	return 0;
}

/* try_to_merge_two_pages: the item's page becomes a KSM page, the tree
 * item's page merges into it.  The new stable node, or NULL. */
static struct ksm_stable_node *try_to_merge_two_pages(struct machine *m, struct ksm_rmap_item *item,
						       unsigned long pfn, struct ksm_rmap_item *tree_item,
						       unsigned long tree_pfn)
{
	struct ksm_stable_node *node;
	pte_t *ptep;

	if (!page_mergeable(m, pfn) || !page_mergeable(m, tree_pfn) || ksm_item_pfn(item, &ptep) != pfn)
		return NULL;
	node = stable_tree_insert(m, pfn);
	folio_set_stable_node(m, pfn, node);
	*ptep &= ~(pte_t)_PAGE_RW;
	if (try_to_merge_with_ksm_page(m, tree_item, tree_pfn, pfn)) {
		/* break_cow: nothing else maps it; plain anon again */
		ksm_unstable_node_undo(m, pfn, node, item->slot->mm, item->address);
		return NULL;
	}
	stable_tree_append(m, tree_item, node);
	stable_tree_append(m, item, node);
	return node;
}

/* unstable_tree_search_insert: an item of this scan with the same
 * content whose page still holds it, or the item goes into the tree */
static struct ksm_rmap_item *unstable_tree_search_insert(struct machine *m, struct ksm_rmap_item *item,
							 unsigned long pfn, unsigned long *tree_pfn)
{
	struct ksm_state *k = m->ksm;
	struct ksm_rmap_item *found;

	item->content = page_content(m, pfn);
	item->nid = ksm_nid(m, pfn);
	found = g_tree_lookup(k->unstable_tree, item);
	if (found) {
		unsigned long fpfn = ksm_item_pfn(found, NULL);

		if (fpfn != PFN_NONE && fpfn != pfn && !page_test(pfn_to_page(m, fpfn), PG_ksm) &&
		    page_content(m, fpfn) == found->content) {
			*tree_pfn = fpfn;
			return found;
		}
		/* stale (changed or gone): this item takes its place */
		remove_rmap_item_from_tree(m, found);
	}
	g_tree_insert(k->unstable_tree, item, item);
	item->unstable_seq = k->seqnr + 1;
	k->pages_unshared++;
	return NULL;
}

/* should_skip_rmap_item: smart_scan skips pages that keep not merging,
 * longer the longer they have not (1, 2, 4, then 8 scans) */
bool should_skip_rmap_item(struct machine *m, unsigned long pfn, struct ksm_rmap_item *item)
{
	uint8_t age;

	if (!m->ksm->smart_scan || page_test(pfn_to_page(m, pfn), PG_ksm))
		return false;
	age = item->age;
	if (age != UINT8_MAX)
		item->age++;
	if (age < 3)
		return false;
	if (item->remaining_skips) {
		item->remaining_skips--;
		return true;
	}
	item->remaining_skips = age <= 3 ? 1 : age <= 5 ? 2 : age <= 8 ? 4 : 8;
	return false;
}

static bool try_to_merge_with_zero_page(struct machine *m, struct ksm_rmap_item *item, unsigned long pfn)
{
	pte_t *ptep;

	if (!m->ksm->use_zero_pages || page_content(m, pfn) != CONTENT_ZERO)
		return false;
	if (!page_mergeable(m, pfn) || ksm_item_pfn(item, &ptep) != pfn)
		return false;
	replace_page(m, item, ptep, pfn, m->zero_pfn);
	return true;
}

void cmp_and_merge_page(struct machine *m, unsigned long pfn, struct ksm_rmap_item *item)
{
	struct page *page = pfn_to_page(m, pfn);
	struct ksm_stable_node *node = page_test(page, PG_ksm) ? (void *)(uintptr_t)page->private : NULL;
	struct ksm_rmap_item *tree_item;
	unsigned long kpfn, tree_pfn;
	uint64_t checksum;

	if (node && item->head == node)
		return;
	kpfn = node ? pfn : stable_tree_search(m, pfn);
	remove_rmap_item_from_tree(m, item);
	if (kpfn != PFN_NONE) {
		if (!try_to_merge_with_ksm_page(m, item, pfn, kpfn))
			stable_tree_append(m, item, (void *)(uintptr_t)pfn_to_page(m, kpfn)->private);
		return;
	}
	checksum = page_content(m, pfn);
	if (item->oldchecksum != checksum) {
		item->oldchecksum = checksum;
		item->age = 0;
		return;
	}
	if (try_to_merge_with_zero_page(m, item, pfn))
		return;
	tree_item = unstable_tree_search_insert(m, item, pfn, &tree_pfn);
	if (tree_item) {
		remove_rmap_item_from_tree(m, tree_item);
		try_to_merge_two_pages(m, item, pfn, tree_item, tree_pfn);
	}
}

/* ---- hooks of the rest of mm ---- */

bool is_ksm_zero_pte(struct machine *m, pte_t pte)
{
	return pte_present(pte) && pte_pfn(pte) == m->zero_pfn && (pte & _PAGE_DIRTY);
}

/* ksm_might_unmap_zero_page: a KSM zero pte is zapped or written */
void ksm_might_unmap_zero_page(struct machine *m, struct mm_struct *mm, pte_t pte)
{
	if (!is_ksm_zero_pte(m, pte))
		return;
	m->ksm->zero_pages--;
	if (mm->ksm_slot)
		mm->ksm_slot->ksm_zero_pages--;
}

/* A fork copied a KSM zero pte: the child's count has it too */
void ksm_fork_zero_pte(struct machine *m, struct mm_struct *child, pte_t pte)
{
	if (!is_ksm_zero_pte(m, pte))
		return;
	m->ksm->zero_pages++;
	if (child->ksm_slot)
		child->ksm_slot->ksm_zero_pages++;
}

/* The last mapping of a KSM page went: its stable node goes, the page is
 * a plain page to free */
void ksm_page_free(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	stable_node_remove(m, (struct ksm_stable_node *)(uintptr_t)page->private);
	page_clear(page, PG_ksm);
	page->private = 0;
}

/* set_page_stable_node on migration: the node follows its page */
void ksm_migrate_folio(struct machine *m, unsigned long dst, unsigned long src)
{
	struct ksm_stable_node *node = (struct ksm_stable_node *)(uintptr_t)pfn_to_page(m, src)->private;

	(void)src;
	node->kpfn = dst;
}

/*
 * rmap_walk_ksm: the ptes of the rmap_items of the page's node, and
 * (search_new_forks) those of the VMAs sharing their anon_vma at the same
 * address, which a fork gave the page without an rmap_item
 */
void rmap_walk_ksm(struct machine *m, unsigned long pfn, unsigned long match_pfn, bool migration,
		   rmap_one_fn fn, void *arg)
{
	struct ksm_stable_node *node = (struct ksm_stable_node *)(uintptr_t)pfn_to_page(m, pfn)->private;
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *items = g_ptr_array_copy(node->hlist, NULL, NULL);
	bool stop = false;

	for (guint i = 0; i < items->len && !stop; i++) {
		struct ksm_rmap_item *item = g_ptr_array_index(items, i);
		struct vm_area_struct *vma = find_vma(item->slot->mm, item->address);
		GPtrArray *vmas;

		if (!vma || vma->vm_start > item->address || !vma->anon_vma)
			continue;
		vmas = vma->anon_vma->vmas;
		for (guint j = 0; j < vmas->len && !stop; j++) {
			struct vm_area_struct *v = g_ptr_array_index(vmas, j);
			pte_t *ptep;

			if (item->address < v->vm_start || item->address >= v->vm_end)
				continue;
			ptep = pte_lookup(v->vm_mm, item->address);
			if (!ptep || !g_hash_table_add(seen, ptep))
				continue;
			stop = !rmap_one_match(m, v, item->address, ptep, match_pfn, migration, fn, arg);
		}
	}
	g_ptr_array_free(items, TRUE);
	g_hash_table_destroy(seen);
}

/*
 * ksm_might_need_to_copy: a swapped-in page another VMA's anon_vma owns
 * (it was a KSM page when it went out) gets a copy of its own for this
 * one; the copy's PFN, the page's, or -ENOMEM
 */
long ksm_might_need_to_copy(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
			    unsigned long addr, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct anon_vma *av;
	long new;

	if (!page_test(page, PG_anon) || !page->private ||
	    ((struct anon_vma *)(uintptr_t)page->private == vma->anon_vma && page->index == linear_page_index(vma, addr)))
		return (long)pfn;
	new = mem_cgroup_charge_new(m, __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t->cpu), 0, mem_cgroup_from_task(m, t), GFP_KERNEL);
	if (new < 0)
		return new;
	copy_page_content(m, (unsigned long)new, pfn);
	page = pfn_to_page(m, (unsigned long)new);
	av = anon_vma_get(vma);
	page->_mapcount = -1;
	page_set(page, PG_anon);
	page_set(page, PG_swapbacked);
	page_set(page, PG_dirty);
	page->private = (uint64_t)(uintptr_t)av;
	page->index = linear_page_index(vma, addr);
	av->nr_pages++;
	folio_add_lru(m, (unsigned long)new);
	count_vm_event(m, KSM_SWPIN_COPY);
	return new;
}

/* ---- state, knobs and derived values ---- */

void ksm_init(struct machine *m)
{
	struct ksm_state *k = g_new0(struct ksm_state, 1);

	k->swap_contents = g_hash_table_new(g_direct_hash, g_direct_equal);
	k->sleep_millisecs = 20;
	k->pages_to_scan = 100;
	k->merge_across_nodes = true;
	k->max_page_sharing = 256;
	k->stable_node_chains_prune_millisecs = 2000;
	k->smart_scan = true;
	k->advisor_max_cpu = 70;
	k->advisor_min_pages_to_scan = 500;
	k->advisor_max_pages_to_scan = 30000;
	k->advisor_target_scan_time = 200;
	k->mm_slots = g_ptr_array_new();
	k->stable_tree = g_tree_new_full(chain_cmp, NULL, NULL, NULL);
	k->unstable_tree = g_tree_new_full(unstable_cmp, NULL, NULL, NULL);
	m->ksm = k;
}

static gboolean free_chain(gpointer key, gpointer value, gpointer data)
{
	struct ksm_stable_chain *c = value;

	(void)key;
	(void)data;
	for (guint i = 0; i < c->dups->len; i++) {
		struct ksm_stable_node *node = g_ptr_array_index(c->dups, i);

		g_ptr_array_free(node->hlist, TRUE);
		g_free(node);
	}
	g_ptr_array_free(c->dups, TRUE);
	g_free(c);
	return FALSE;
}

/* After every process has gone (their slots with them) */
void ksm_destroy(struct machine *m)
{
	struct ksm_state *k = m->ksm;

	if (!k)
		return;
	g_tree_foreach(k->stable_tree, free_chain, NULL);
	g_tree_destroy(k->stable_tree);
	g_tree_destroy(k->unstable_tree);
	g_ptr_array_free(k->mm_slots, TRUE);
	g_hash_table_destroy(k->swap_contents);
	g_free(k);
	m->ksm = NULL;
}

/* merge_across_nodes_store / max_page_sharing_store: only while no page
 * is merged (remove_all_stable_nodes finds none busy) */
int ksm_set_merge_across_nodes(struct machine *m, unsigned int v)
{
	if (v > 1)
		return -EINVAL;
	if (m->ksm->merge_across_nodes != (bool)v) {
		if (m->ksm->pages_shared || g_tree_nnodes(m->ksm->stable_tree))
			return -EBUSY;
		m->ksm->merge_across_nodes = v;
	}
	return 0;
}

int ksm_set_max_page_sharing(struct machine *m, unsigned int v)
{
	if (v < 2)
		return -EINVAL;
	if (m->ksm->max_page_sharing != v) {
		if (m->ksm->pages_shared || g_tree_nnodes(m->ksm->stable_tree))
			return -EBUSY;
		m->ksm->max_page_sharing = v;
	}
	return 0;
}

void ksm_set_sleep_millisecs(struct machine *m, unsigned int v)
{
	m->ksm->sleep_millisecs = v;
}

/* advisor_mode_store: back to none restores the default pages_to_scan */
void ksm_set_advisor(struct machine *m, enum ksm_advisor_type mode)
{
	struct ksm_state *k = m->ksm;

	if (k->advisor != mode && mode == KSM_ADVISOR_NONE)
		k->pages_to_scan = 100;
	else if (k->advisor != mode)
		k->pages_to_scan = (unsigned int)k->advisor_min_pages_to_scan;
	k->advisor = mode;
}

/* sizeof(struct ksm_rmap_item) on x86-64 */
#define KSM_RMAP_ITEM_SIZE 64

long ksm_pages_volatile(const struct ksm_state *k)
{
	long v = (long)k->rmap_items - (long)k->pages_shared - (long)k->pages_sharing - (long)k->pages_unshared;

	return v < 0 ? 0 : v;
}

long ksm_general_profit(const struct ksm_state *k)
{
	return ((long)k->pages_sharing + k->zero_pages) * (long)PAGE_SIZE - (long)k->rmap_items * KSM_RMAP_ITEM_SIZE;
}

long ksm_process_profit(const struct ksm_mm_slot *slot)
{
	if (!slot)
		return 0;
	return (slot->ksm_merging_pages + slot->ksm_zero_pages) * (long)PAGE_SIZE -
	       slot->ksm_rmap_items * KSM_RMAP_ITEM_SIZE;
}

const struct ksm_mm_slot *ksm_mm_slot_of(const struct machine *m, const struct mm_struct *mm)
{
	(void)m;
	return mm ? mm->ksm_slot : NULL;
}

static void count_ksm_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	(void)vma;
	(void)addr;
	if (!pte_special(pte) && page_test(pfn_to_page(m, pte_pfn(pte)), PG_ksm))
		(*(unsigned long *)arg)++;
}

unsigned long ksm_vma_pages(struct machine *m, struct vm_area_struct *vma)
{
	unsigned long n = 0;

	if (vma->anon_vma && vma->vm_mm->ksm_slot)
		walk_page_range(m, vma, vma->vm_start, vma->vm_end, count_ksm_pte, &n);
	return n;
}

/* ---- --debug-vm ---- */

struct ksm_tally {
	struct machine *m;
	unsigned long shared, sharing, chains, dups;
	char *err;
};

static gboolean check_chain(gpointer key, gpointer value, gpointer data)
{
	struct ksm_stable_chain *c = value;
	struct ksm_tally *t = data;

	(void)key;
	if (c->dups->len > 1) {
		t->chains++;
		t->dups += c->dups->len;
	}
	for (guint i = 0; i < c->dups->len && !t->err; i++) {
		struct ksm_stable_node *node = g_ptr_array_index(c->dups, i);
		struct page *page = pfn_to_page(t->m, node->kpfn);

		if (!page_test(page, PG_ksm) || page->private != (uint64_t)(uintptr_t)node)
			t->err = g_strdup_printf("ksm: stable node of pfn %#lx: the page is not its KSM page", node->kpfn);
		else if (page_content(t->m, node->kpfn) != c->content)
			t->err = g_strdup_printf("ksm: KSM page %#lx lost its content", node->kpfn);
		if (node->hlist->len) {
			t->shared++;
			t->sharing += node->hlist->len - 1;
		}
		for (guint j = 0; j < node->hlist->len && !t->err; j++)
			if (((struct ksm_rmap_item *)g_ptr_array_index(node->hlist, j))->head != node)
				t->err = g_strdup_printf("ksm: an rmap_item of pfn %#lx names another node", node->kpfn);
	}
	return t->err != NULL;
}

static void count_zero_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	(void)vma;
	(void)addr;
	if (is_ksm_zero_pte(m, pte))
		(*(long *)arg)++;
}

static gboolean tally_item(gpointer key, gpointer value, gpointer data)
{
	struct ksm_rmap_item *item = value;
	long *n = data;

	(void)key;
	n[0]++;
	n[1] += item->head != NULL;
	n[2] += item->unstable_seq != 0;
	return FALSE;
}

/* Each process's counts against its rmap_items and ptes */
static char *check_slots(struct machine *m)
{
	struct ksm_state *k = m->ksm;
	long items = 0, unshared = 0, zero = 0;

	for (guint i = 0; i < k->mm_slots->len; i++) {
		struct ksm_mm_slot *slot = g_ptr_array_index(k->mm_slots, i);
		struct vm_area_struct *vma;
		long n[3] = { 0, 0, 0 }, zp = 0;

		g_tree_foreach(slot->rmap_items, tally_item, n);
		for_each_vma(slot->mm, it, vma)
			walk_page_range(m, vma, vma->vm_start, vma->vm_end, count_zero_pte, &zp);
		if (n[0] != slot->ksm_rmap_items || n[1] != slot->ksm_merging_pages || zp != slot->ksm_zero_pages)
			return g_strdup_printf("ksm: a process counts %ld rmap_items, %ld merging, %ld zero pages; "
					       "it has %ld, %ld, %ld", slot->ksm_rmap_items, slot->ksm_merging_pages,
					       slot->ksm_zero_pages, n[0], n[1], zp);
		items += n[0];
		unshared += n[2];
		zero += zp;
	}
	if ((unsigned long)items != k->rmap_items || (unsigned long)unshared != k->pages_unshared ||
	    zero != k->zero_pages)
		return g_strdup_printf("ksm: rmap_items %lu, pages_unshared %lu, ksm_zero_pages %ld but the processes "
				       "have %ld, %ld, %ld", k->rmap_items, k->pages_unshared, k->zero_pages, items,
				       unshared, zero);
	return NULL;
}

char *ksm_check_invariants(struct machine *m)
{
	struct ksm_state *k = m->ksm;
	struct ksm_tally t = { .m = m };

	g_tree_foreach(k->stable_tree, check_chain, &t);
	if (t.err)
		return t.err;
	if (t.shared != k->pages_shared || t.sharing != k->pages_sharing || t.chains != k->stable_node_chains ||
	    t.dups != k->stable_node_dups)
		return g_strdup_printf("ksm: pages_shared %lu, pages_sharing %lu, chains %lu, dups %lu but the stable "
				       "tree has %lu, %lu, %lu, %lu", k->pages_shared, k->pages_sharing,
				       k->stable_node_chains, k->stable_node_dups, t.shared, t.sharing, t.chains, t.dups);
	return check_slots(m);
}
