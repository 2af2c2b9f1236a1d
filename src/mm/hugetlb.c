/*
 * mm/hugetlb.c: the pools of huge pages behind hugetlbfs and MAP_HUGETLB.
 *
 * Models:
 * - one hstate per size: 2 MiB always, 1 GiB first when the CPU has
 *   gbpages (x86's gigantic_pages_init), the 2 MiB one the default;
 * - the pool per node: nr/free/surplus counts and a free list per node,
 *   free_huge_pages, resv_huge_pages, nr_overcommit_huge_pages;
 * - set_max_huge_pages: surplus pages become persistent first, then fresh
 *   pages from the buddy allocator (alloc_pool_huge_folio), interleaved
 *   over the nodes from next_nid_to_alloc, with htlb_alloc_mask |
 *   __GFP_THISNODE | __GFP_RETRY_MAYFAIL (__GFP_NORETRY on a node that
 *   already failed in this resize: node_alloc_noretry), so direct reclaim
 *   and compaction run and the pool may grow only partly; shrinking frees
 *   free pages (next_nid_to_free) then turns in-use ones into surplus;
 * - per-node writes (__nr_hugepages_store_common's count adjustment);
 * - reservations at mmap (hugetlb_reserve_pages, hugetlb_acct_memory,
 *   gather_surplus_pages, return_unused_surplus_pages), MAP_NORESERVE;
 * - faults (hugetlb_no_page, alloc_hugetlb_folio): dequeue from the
 *   local node first, a reservation consumed, else a surplus page up to
 *   nr_overcommit_hugepages, else SIGBUS;
 * - free_huge_folio: back to the pool, or to the buddy allocator while
 *   the node has surplus pages;
 * - demote of free 1 GiB pages into 2 MiB ones.
 * Simplifies:
 * - a 1 GiB page is found like alloc_contig_pages but only where the whole
 *   aligned range is already free in the buddy allocator (256 blocks of
 *   order 10): nothing is migrated out of the way;
 * - a mapping's pages live in its own index -> folio table (the kernel's
 *   hugetlbfs inode page cache for shared mappings, page tables for
 *   private ones), never in the model's page tables;
 * - fork: a shared mapping is shared with the child; a private one gives
 *   the child an empty mapping without reservations (the kernel shares the
 *   parent's pages copy-on-write);
 * - a private mapping's reservation is consumed at the first fault of any
 *   of its pages, not tracked per index after MADV_DONTNEED;
 * - nr_hugepages_mempolicy behaves as nr_hugepages (every node: the model
 *   has no task mempolicy here); no cpusets, no subpools, no cgroup limits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/hugetlb.h"
#include "mmsim/log2.h"
#include "hugetlb_internal.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "time_costs.h"

/* A MAP_HUGETLB mapping: what the kernel's hugetlbfs file holds */
struct hugetlb_map {
	int refs;             /* VMAs using it */
	struct hstate *h;
	bool shared;
	GHashTable *pages;    /* huge page index -> head PFN */
	GHashTable *resv;     /* huge page indexes reserved and not yet faulted */
	GHashTable *mms;      /* mm_struct * -> its VMAs using the map */
};

#define IDX(i) GSIZE_TO_POINTER((gsize)(i))

static int pfn_nid(struct machine *m, unsigned long pfn)
{
	return pfn_zone(m, pfn)->zone_pgdat->node_id;
}

static int cur_cpu(struct machine *m)
{
	return m->current ? m->current->cpu : 0;
}

struct hstate *hstate_at(struct machine *m, int idx)
{
	return idx >= 0 && idx < m->hugetlb->nr_hstates ? &m->hugetlb->hstates[idx] : NULL;
}

struct hstate *default_hstate(struct machine *m)
{
	return &m->hugetlb->hstates[m->hugetlb->default_hstate_idx];
}

struct hstate *size_to_hstate(struct machine *m, unsigned long size)
{
	for (int i = 0; i < m->hugetlb->nr_hstates; i++)
		if (huge_page_size(&m->hugetlb->hstates[i]) == size)
			return &m->hugetlb->hstates[i];
	return NULL;
}

unsigned long hugetlb_total_pages(const struct machine *m)
{
	unsigned long nr = 0;

	for (int i = 0; m->hugetlb && i < m->hugetlb->nr_hstates; i++)
		nr += m->hugetlb->hstates[i].nr_huge_pages * pages_per_huge_page(&m->hugetlb->hstates[i]);
	return nr;
}

static void hugetlb_add_hstate(struct machine *m, unsigned int order)
{
	struct hstate *h = &m->hugetlb->hstates[m->hugetlb->nr_hstates++];

	h->order = order;
	for_each_online_node(m, nid)
		h->freelist[nid] = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	g_snprintf(h->name, sizeof(h->name), "hugepages-%lukB", huge_page_size(h) >> 10);
}

void hugetlb_init(struct machine *m)
{
	m->hugetlb = g_new0(struct hugetlb_state, 1);
	/* gigantic_pages_init (an arch_initcall) runs before hugetlb_init */
	if (m->cfg.pdpe1gb)
		hugetlb_add_hstate(m, PUD_ORDER);
	m->hugetlb->default_hstate_idx = m->hugetlb->nr_hstates;
	hugetlb_add_hstate(m, HUGETLB_PAGE_ORDER);
	/* hugetlb_init_hstates: demote to the next smaller size */
	if (m->cfg.pdpe1gb)
		m->hugetlb->hstates[0].demote_order = HUGETLB_PAGE_ORDER;
}

void hugetlb_destroy(struct machine *m)
{
	if (!m->hugetlb)
		return;
	for (int i = 0; i < m->hugetlb->nr_hstates; i++)
		for_each_online_node(m, nid)
			g_array_free(m->hugetlb->hstates[i].freelist[nid], TRUE);
	g_free(m->hugetlb);
	m->hugetlb = NULL;
}

/* ---- the pages: from and back to the buddy allocator ---- */

/* htlb_alloc_mask: 2 MiB pages can migrate, so they may use ZONE_MOVABLE */
static gfp_t htlb_alloc_mask(const struct hstate *h)
{
	return hstate_is_gigantic(h) ? GFP_HIGHUSER : GFP_HIGHUSER_MOVABLE;
}

/* Is [pfn, pfn + nr) wholly free blocks of MAX_PAGE_ORDER in one zone? */
static bool pfn_range_free_contig(struct machine *m, struct zone *zone, unsigned long pfn, unsigned long nr)
{
	for (unsigned long p = pfn; p < pfn + nr; p += MAX_ORDER_NR_PAGES) {
		struct page *page;

		if (!pfn_valid(m, p) || pfn_zone(m, p) != zone)
			return false;
		page = pfn_to_page(m, p);
		if (!page_test(page, PG_buddy) || page->order != MAX_PAGE_ORDER || page->mt == MIGRATE_ISOLATE)
			return false;
	}
	return true;
}

/* Take a free range found above; false (and nothing taken) when the zone
 * would drop below its min watermark */
static bool take_contig_range(struct machine *m, unsigned long pfn, unsigned long nr, gfp_t gfp)
{
	for (unsigned long p = pfn; p < pfn + nr; p += MAX_ORDER_NR_PAGES) {
		if (!__isolate_free_page(m, p, MAX_PAGE_ORDER)) {
			for (unsigned long q = pfn; q < p; q += MAX_ORDER_NR_PAGES)
				__free_pages(m, q, MAX_PAGE_ORDER, cur_cpu(m));
			return false;
		}
		mark_allocated(m, p, MAX_PAGE_ORDER, gfp);
	}
	return true;
}

/* alloc_gigantic_folio (alloc_contig_pages, simplified): the lowest
 * aligned free range of the node's zones, Normal down to DMA32 */
static long alloc_gigantic_folio(struct machine *m, struct hstate *h, gfp_t gfp, int nid)
{
	unsigned long nr = pages_per_huge_page(h);
	pg_data_t *pgdat = NODE_DATA(m, nid);

	for (int z = gfp_zone(gfp); z >= 0; z--) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		for (unsigned long pfn = ALIGN_UP(zone->zone_start_pfn, nr); pfn + nr <= zone_end_pfn(zone);
		     pfn += nr)
			if (pfn_range_free_contig(m, zone, pfn, nr) && take_contig_range(m, pfn, nr, gfp))
				return (long)pfn;
	}
	return -ENOMEM;
}

static void free_gigantic_folio(struct machine *m, struct hstate *h, unsigned long pfn)
{
	for (unsigned long p = pfn; p < pfn + pages_per_huge_page(h); p += MAX_ORDER_NR_PAGES)
		__free_pages(m, p, MAX_PAGE_ORDER, cur_cpu(m));
}

/* account_new_hugetlb_folio and the folio's PG_hugetlb */
static void account_new_hugetlb_folio(struct machine *m, struct hstate *h, unsigned long pfn, int nid)
{
	page_set(pfn_to_page(m, pfn), PG_hugetlb);
	h->nr_huge_pages++;
	h->nr_huge_pages_node[nid]++;
	__mod_node_page_state(NODE_DATA(m, nid), NR_HUGETLB, (long)pages_per_huge_page(h));
}

/* alloc_fresh_hugetlb_folio: a new page from the buddy allocator; nid the
 * preferred node (with __GFP_THISNODE the only one) */
static long alloc_fresh_hugetlb_folio(struct machine *m, struct hstate *h, gfp_t gfp, int nid)
{
	long pfn;

	if (hstate_is_gigantic(h)) {
		pfn = alloc_gigantic_folio(m, h, gfp, nid);
		for (int n = 0; pfn < 0 && !(gfp & __GFP_THISNODE) && n < m->nr_nodes; n++)
			if (n != nid)
				pfn = alloc_gigantic_folio(m, h, gfp, n);
	} else {
		pfn = __alloc_pages(m, gfp | __GFP_COMP | __GFP_NOWARN, h->order, nid, cur_cpu(m));
	}
	if (pfn < 0)
		return -ENOMEM;
	account_new_hugetlb_folio(m, h, (unsigned long)pfn, pfn_nid(m, (unsigned long)pfn));
	return pfn;
}

/* update_and_free_hugetlb_folio: the page leaves the pool for the buddy */
static void update_and_free_hugetlb_folio(struct machine *m, struct hstate *h, unsigned long pfn)
{
	int nid = pfn_nid(m, pfn);

	page_clear(pfn_to_page(m, pfn), PG_hugetlb);
	h->nr_huge_pages--;
	h->nr_huge_pages_node[nid]--;
	__mod_node_page_state(NODE_DATA(m, nid), NR_HUGETLB, -(long)pages_per_huge_page(h));
	if (hstate_is_gigantic(h))
		free_gigantic_folio(m, h, pfn);
	else
		__free_pages(m, pfn, h->order, cur_cpu(m));
}

static void enqueue_hugetlb_folio(struct machine *m, struct hstate *h, unsigned long pfn)
{
	int nid = pfn_nid(m, pfn);

	g_array_append_val(h->freelist[nid], pfn);
	h->free_huge_pages++;
	h->free_huge_pages_node[nid]++;
}

static long dequeue_hugetlb_folio_node(struct hstate *h, int nid)
{
	GArray *fl = h->freelist[nid];
	unsigned long pfn;

	if (!fl->len)
		return -1;
	pfn = g_array_index(fl, unsigned long, fl->len - 1);
	g_array_set_size(fl, fl->len - 1);
	h->free_huge_pages--;
	h->free_huge_pages_node[nid]--;
	return (long)pfn;
}

/* hstate_next_node_to_alloc / _to_free: round robin over the allowed
 * nodes (only: one node, or -1 for every node) */
static int hstate_next_node(struct machine *m, int *next, int only)
{
	int nid = only >= 0 ? only : *next;

	*next = only >= 0 ? only : (nid + 1) % m->nr_nodes;
	return nid;
}

static int nr_allowed(struct machine *m, int only)
{
	return only >= 0 ? 1 : m->nr_nodes;
}

/* alloc_pool_huge_folio: one fresh page, on the next node that has one */
static long alloc_pool_huge_folio(struct machine *m, struct hstate *h, bool *noretry, int only)
{
	for (int n = 0; n < nr_allowed(m, only); n++) {
		int nid = hstate_next_node(m, &h->next_nid_to_alloc, only);
		gfp_t gfp = htlb_alloc_mask(h) | __GFP_THISNODE;
		long pfn;

		gfp |= noretry[nid] ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
		pfn = alloc_fresh_hugetlb_folio(m, h, gfp, nid);
		/* node_alloc_noretry: after a failure try this node lightly */
		noretry[nid] = pfn < 0;
		if (pfn >= 0)
			return pfn;
	}
	return -ENOMEM;
}

/* remove_pool_hugetlb_folio: a free page off the next node that has one
 * (with acct_surplus, one that also has surplus pages) */
static long remove_pool_hugetlb_folio(struct machine *m, struct hstate *h, bool acct_surplus, int only)
{
	for (int n = 0; n < nr_allowed(m, only); n++) {
		int nid = hstate_next_node(m, &h->next_nid_to_free, only);
		long pfn;

		if (acct_surplus && !h->surplus_huge_pages_node[nid])
			continue;
		pfn = dequeue_hugetlb_folio_node(h, nid);
		if (pfn < 0)
			continue;
		if (acct_surplus) {
			h->surplus_huge_pages--;
			h->surplus_huge_pages_node[nid]--;
		}
		return pfn;
	}
	return -1;
}

/* adjust_pool_surplus: one page in or out of the surplus state */
static bool adjust_pool_surplus(struct machine *m, struct hstate *h, int delta, int only)
{
	for (int n = 0; n < nr_allowed(m, only); n++) {
		int nid = hstate_next_node(m, delta < 0 ? &h->next_nid_to_alloc : &h->next_nid_to_free, only);

		if (delta < 0 && h->surplus_huge_pages_node[nid]) {
			h->surplus_huge_pages--;
			h->surplus_huge_pages_node[nid]--;
			return true;
		}
		if (delta > 0 && h->surplus_huge_pages_node[nid] < h->nr_huge_pages_node[nid]) {
			h->surplus_huge_pages++;
			h->surplus_huge_pages_node[nid]++;
			return true;
		}
	}
	return false;
}

/* set_max_huge_pages: grow (surplus first, then fresh pages) or shrink
 * (free pages first, then surplus) toward count */
static void set_max_huge_pages(struct machine *m, struct hstate *h, unsigned long count, int only)
{
	bool noretry[MAX_NUMNODES] = { false };
	unsigned long min_count;

	while (h->surplus_huge_pages && count > persistent_huge_pages(h))
		if (!adjust_pool_surplus(m, h, -1, only))
			break;
	while (count > persistent_huge_pages(h)) {
		long pfn = alloc_pool_huge_folio(m, h, noretry, only);

		if (pfn < 0)
			break;
		enqueue_hugetlb_folio(m, h, (unsigned long)pfn);
		cond_resched(m);
	}
	/* keep enough free pages for the reservations */
	min_count = h->resv_huge_pages + h->nr_huge_pages - h->free_huge_pages;
	min_count = MAX(count, min_count);
	while (min_count < persistent_huge_pages(h)) {
		long pfn = remove_pool_hugetlb_folio(m, h, false, only);

		if (pfn < 0)
			break;
		update_and_free_hugetlb_folio(m, h, (unsigned long)pfn);
	}
	while (count < persistent_huge_pages(h))
		if (!adjust_pool_surplus(m, h, 1, only))
			break;
	h->max_huge_pages = persistent_huge_pages(h);
}

int hugetlb_set_nr_hugepages(struct machine *m, struct hstate *h, int nid, unsigned long count)
{
	if (nid >= m->nr_nodes)
		return -EINVAL;
	if (nid >= 0) {
		/* __nr_hugepages_store_common: the node's new persistent count
		 * made a global one, the pages moved on that node only */
		unsigned long old = h->nr_huge_pages_node[nid] - h->surplus_huge_pages_node[nid];
		unsigned long pers = persistent_huge_pages(h);

		count = count > old ? pers + (count - old) : pers - MIN(old - count, pers);
	}
	set_max_huge_pages(m, h, count, nid);
	return 0;
}

int hugetlb_set_overcommit(struct machine *m, struct hstate *h, unsigned long count)
{
	(void)m;
	h->nr_overcommit_huge_pages = count;
	return 0;
}

/* ---- reservations (hugetlb_acct_memory) ---- */

/* alloc_surplus_hugetlb_folio: a page beyond the persistent pool, while
 * nr_overcommit_hugepages allows (never a gigantic one) */
static long alloc_surplus_hugetlb_folio(struct machine *m, struct hstate *h, int nid)
{
	long pfn;

	if (hstate_is_gigantic(h) || h->surplus_huge_pages >= h->nr_overcommit_huge_pages)
		return -ENOMEM;
	pfn = alloc_fresh_hugetlb_folio(m, h, htlb_alloc_mask(h), nid);
	if (pfn < 0)
		return pfn;
	nid = pfn_nid(m, (unsigned long)pfn);
	h->surplus_huge_pages++;
	h->surplus_huge_pages_node[nid]++;
	return pfn;
}

/* free_huge_folio: back to the pool, or to the buddy allocator while its
 * node has surplus pages */
static void free_huge_folio(struct machine *m, struct hstate *h, unsigned long pfn)
{
	int nid = pfn_nid(m, pfn);

	if (h->surplus_huge_pages_node[nid]) {
		h->surplus_huge_pages--;
		h->surplus_huge_pages_node[nid]--;
		update_and_free_hugetlb_folio(m, h, pfn);
	} else {
		enqueue_hugetlb_folio(m, h, pfn);
	}
}

/* gather_surplus_pages: enough free pages for delta more reservations,
 * surplus ones allocated (the local node first) if need be */
static int gather_surplus_pages(struct machine *m, struct hstate *h, long delta)
{
	long needed = (long)(h->resv_huge_pages + delta) - (long)h->free_huge_pages;
	int local = m->current ? cpu_to_node(m, m->current->cpu) : 0;

	while (needed > 0) {
		long pfn = alloc_surplus_hugetlb_folio(m, h, local);

		if (pfn < 0)
			return -ENOMEM;
		/* enqueued at once: the kernel's surplus list, then the pool */
		enqueue_hugetlb_folio(m, h, (unsigned long)pfn);
		needed--;
	}
	h->resv_huge_pages += (unsigned long)delta;
	return 0;
}

/* return_unused_surplus_pages: reservations dropped, and as many surplus
 * pages freed as they held */
static void return_unused_surplus_pages(struct machine *m, struct hstate *h, unsigned long unused)
{
	unsigned long nr = MIN(unused, h->surplus_huge_pages);

	h->resv_huge_pages -= unused;
	while (nr--) {
		long pfn = remove_pool_hugetlb_folio(m, h, true, -1);

		if (pfn < 0)
			break;
		update_and_free_hugetlb_folio(m, h, (unsigned long)pfn);
	}
}

static int hugetlb_acct_memory(struct machine *m, struct hstate *h, long delta)
{
	if (delta > 0) {
		unsigned long allowed = 0;

		if (gather_surplus_pages(m, h, delta) < 0)
			return -ENOMEM;
		/* allowed_mems_nr: the free pages of the allowed nodes */
		for_each_online_node(m, nid)
			allowed += h->free_huge_pages_node[nid];
		if ((unsigned long)delta > allowed) {
			return_unused_surplus_pages(m, h, (unsigned long)delta);
			return -ENOMEM;
		}
	} else if (delta < 0) {
		return_unused_surplus_pages(m, h, (unsigned long)-delta);
	}
	return 0;
}

/* ---- mappings ---- */

static unsigned long vma_hugecache_offset(const struct hstate *h, const struct vm_area_struct *vma,
					  unsigned long addr)
{
	return (vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT)) >> h->order;
}

static void map_add_mm(struct hugetlb_map *map, struct mm_struct *mm)
{
	gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(map->mms, mm));

	g_hash_table_insert(map->mms, mm, GSIZE_TO_POINTER(n + 1));
	map->refs++;
}

static struct hugetlb_map *hugetlb_map_new(struct hstate *h, bool shared)
{
	struct hugetlb_map *map = g_new0(struct hugetlb_map, 1);

	map->h = h;
	map->shared = shared;
	map->pages = g_hash_table_new(g_direct_hash, g_direct_equal);
	map->resv = g_hash_table_new(g_direct_hash, g_direct_equal);
	map->mms = g_hash_table_new(g_direct_hash, g_direct_equal);
	return map;
}

/* hugetlb_reserve_pages: a page reserved for each huge page of the VMA,
 * or -ENOMEM and nothing reserved */
static int hugetlb_reserve_pages(struct machine *m, struct vm_area_struct *vma)
{
	struct hugetlb_map *map = vma->hugetlb;
	unsigned long from = vma_hugecache_offset(map->h, vma, vma->vm_start);
	unsigned long to = vma_hugecache_offset(map->h, vma, vma->vm_end);
	int err;

	if (vma->vm_flags & VM_NORESERVE)
		return 0;
	err = hugetlb_acct_memory(m, map->h, (long)(to - from));
	if (err)
		return err;
	for (unsigned long i = from; i < to; i++)
		g_hash_table_add(map->resv, IDX(i));
	return 0;
}

int hugetlb_mmap_prepare(struct machine *m, int flags, unsigned long *len, struct hstate **hp)
{
	unsigned int log = ((unsigned int)flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	struct hstate *h = log ? (log < 64 ? size_to_hstate(m, 1UL << log) : NULL) : default_hstate(m);

	/* ksys_mmap_pgoff: hstate_sizelog, then the length aligned up */
	if (!h || !(flags & MAP_ANONYMOUS))
		return -EINVAL;
	*len = ALIGN_UP(*len, huge_page_size(h));
	*hp = h;
	return 0;
}

int hugetlb_vma_setup(struct machine *m, struct vm_area_struct *vma, struct hstate *h)
{
	int err;

	vma->hugetlb = hugetlb_map_new(h, vma->vm_flags & VM_SHARED);
	map_add_mm(vma->hugetlb, vma->vm_mm);
	err = hugetlb_reserve_pages(m, vma);
	if (err) {
		vma->vm_flags |= VM_NORESERVE;  /* nothing to give back */
		return err;
	}
	return 0;
}

/* __split_vma and a fork of a shared mapping: one more VMA on the map */
void hugetlb_vm_op_open(struct vm_area_struct *vma)
{
	map_add_mm(vma->hugetlb, vma->vm_mm);
}

/* dup_mmap: a private mapping starts empty in the child, unreserved */
void hugetlb_vm_op_fork(struct vm_area_struct *child)
{
	struct hugetlb_map *map = child->hugetlb;

	if (!map->shared) {
		child->hugetlb = hugetlb_map_new(map->h, false);
		child->vm_flags |= VM_NORESERVE;
	}
	hugetlb_vm_op_open(child);
}

int hugetlb_vm_op_split(const struct vm_area_struct *vma, unsigned long addr)
{
	return (addr & (huge_page_size(vma->hugetlb->h) - 1)) ? -EINVAL : 0;
}

/* Free the map's page at idx (its mapping is gone) */
static void release_page(struct machine *m, struct hugetlb_map *map, unsigned long idx)
{
	gpointer pfn;

	if (g_hash_table_lookup_extended(map->pages, IDX(idx), NULL, &pfn)) {
		g_hash_table_remove(map->pages, IDX(idx));
		free_huge_folio(m, map->h, GPOINTER_TO_SIZE(pfn));
	}
}

/* The indexes [from, to) of the map: pages freed, reservations returned */
static void release_range(struct machine *m, struct hugetlb_map *map, unsigned long from, unsigned long to)
{
	long unused = 0;

	for (unsigned long i = from; i < to; i++) {
		release_page(m, map, i);
		unused += g_hash_table_remove(map->resv, IDX(i));
	}
	if (unused)
		hugetlb_acct_memory(m, map->h, -unused);
}

static gint cmp_idx(gconstpointer a, gconstpointer b)
{
	gsize x = GPOINTER_TO_SIZE(*(gconstpointer *)a), y = GPOINTER_TO_SIZE(*(gconstpointer *)b);

	return x < y ? -1 : x > y;
}

/* The last VMA of a shared map is gone: the "file" is evicted
 * (remove_inode_hugepages, hugetlb_unreserve_pages), in index order */
static void hugetlb_map_free(struct machine *m, struct hugetlb_map *map)
{
	guint n;
	gpointer *keys = g_hash_table_get_keys_as_array(map->pages, &n);
	long unused = g_hash_table_size(map->resv);

	qsort(keys, n, sizeof(gpointer), cmp_idx);
	for (guint i = 0; i < n; i++)
		release_page(m, map, GPOINTER_TO_SIZE(keys[i]));
	g_free(keys);
	if (unused)
		hugetlb_acct_memory(m, map->h, -unused);
	g_hash_table_destroy(map->pages);
	g_hash_table_destroy(map->resv);
	g_hash_table_destroy(map->mms);
	g_free(map);
}

/* hugetlb_vm_op_close with the unmap: a private VMA frees its pages and
 * reservations; a shared map goes with its last VMA */
void hugetlb_vm_op_close(struct machine *m, struct vm_area_struct *vma)
{
	struct hugetlb_map *map = vma->hugetlb;
	gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(map->mms, vma->vm_mm));

	if (!map->shared)
		release_range(m, map, vma_hugecache_offset(map->h, vma, vma->vm_start),
			      vma_hugecache_offset(map->h, vma, vma->vm_end));
	if (n > 1)
		g_hash_table_insert(map->mms, vma->vm_mm, GSIZE_TO_POINTER(n - 1));
	else
		g_hash_table_remove(map->mms, vma->vm_mm);
	vma->hugetlb = NULL;
	if (--map->refs == 0)
		hugetlb_map_free(m, map);
}

/* ---- faults ---- */

/* dequeue_hugetlb_folio_vma: a free page, the local node first; without
 * a reservation only one nobody has reserved */
static long dequeue_hugetlb_folio(struct machine *m, struct hstate *h, int nid, bool reserved)
{
	if (!reserved && h->free_huge_pages - h->resv_huge_pages == 0)
		return -1;
	for (int n = 0; n < m->nr_nodes; n++) {
		long pfn = dequeue_hugetlb_folio_node(h, (nid + n) % m->nr_nodes);

		if (pfn >= 0)
			return pfn;
	}
	return -1;
}

/* alloc_hugetlb_folio: the reserved page, a free one, or a surplus one */
static long alloc_hugetlb_folio(struct machine *m, struct task_struct *t, struct hugetlb_map *map,
				unsigned long idx)
{
	struct hstate *h = map->h;
	bool reserved = g_hash_table_contains(map->resv, IDX(idx));
	int nid = cpu_to_node(m, t->cpu);
	long pfn = dequeue_hugetlb_folio(m, h, nid, reserved);

	if (pfn >= 0 && reserved) {
		h->resv_huge_pages--;
		g_hash_table_remove(map->resv, IDX(idx));
	}
	if (pfn < 0 && !reserved)
		pfn = alloc_surplus_hugetlb_folio(m, h, nid);
	return pfn;
}

/* hugetlb_fault / hugetlb_no_page: -EFAULT is SIGBUS */
int hugetlb_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr)
{
	struct hugetlb_map *map = vma->hugetlb;
	unsigned long idx = vma_hugecache_offset(map->h, vma, addr);
	long pfn;

	if (g_hash_table_contains(map->pages, IDX(idx)))
		return 0;
	pfn = alloc_hugetlb_folio(m, t, map, idx);
	if (pfn < 0)
		return -EFAULT;
	/* a fault, then folio_zero_user: every subpage cleared */
	count_vm_event(m, PGFAULT);
	t->min_flt++;
	account_system_time(m, t, FAULT_COST_NS + (uint64_t)pages_per_huge_page(map->h) * PAGE_COPY_COST_NS);
	g_hash_table_insert(map->pages, IDX(idx), GSIZE_TO_POINTER((gsize)pfn));
	return 0;
}

/* ---- what the files show ---- */

void hugetlb_vma_usage(const struct vm_area_struct *vma, unsigned long *shared, unsigned long *private)
{
	struct hugetlb_map *map = vma->hugetlb;
	unsigned long from, to, nr = 0;

	*shared = *private = 0;
	if (!map)
		return;
	from = vma_hugecache_offset(map->h, vma, vma->vm_start);
	to = vma_hugecache_offset(map->h, vma, vma->vm_end);
	for (unsigned long i = from; i < to; i++)
		nr += g_hash_table_contains(map->pages, IDX(i));
	/* folio_likely_mapped_shared: another process uses the mapping */
	if (g_hash_table_size(map->mms) > 1)
		*shared = nr * huge_page_size(map->h);
	else
		*private = nr * huge_page_size(map->h);
}

unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma)
{
	return vma->hugetlb ? huge_page_size(vma->hugetlb->h) : PAGE_SIZE;
}

/* ---- demote (demote_store, demote_pool_huge_page) ---- */

/* A free gigantic page becomes pages of the demote order: each block of
 * MAX_PAGE_ORDER it is made of splits into heads of that order */
static void demote_free_hugetlb_folio(struct machine *m, struct hstate *h, struct hstate *dst, unsigned long pfn)
{
	int nid = pfn_nid(m, pfn);
	unsigned long step = pages_per_huge_page(dst);

	page_clear(pfn_to_page(m, pfn), PG_hugetlb);
	h->nr_huge_pages--;
	h->nr_huge_pages_node[nid]--;
	__mod_node_page_state(NODE_DATA(m, nid), NR_HUGETLB, -(long)pages_per_huge_page(h));
	for (unsigned long p = pfn; p < pfn + pages_per_huge_page(h); p += step) {
		struct page *head = pfn_to_page(m, p);

		page_clear(head, PG_tail);
		page_set(head, PG_head);
		head->order = (uint8_t)dst->order;
		head->_refcount = 1;
		account_new_hugetlb_folio(m, dst, p, nid);
		enqueue_hugetlb_folio(m, dst, p);
	}
}

int hugetlb_demote(struct machine *m, struct hstate *h, unsigned long nr)
{
	struct hstate *dst = h->demote_order ? size_to_hstate(m, PAGE_SIZE << h->demote_order) : NULL;

	if (!dst)
		return -EINVAL;
	while (nr && h->free_huge_pages > h->resv_huge_pages) {
		long pfn = remove_pool_hugetlb_folio(m, h, false, -1);

		if (pfn < 0)
			break;
		demote_free_hugetlb_folio(m, h, dst, (unsigned long)pfn);
		nr--;
	}
	return 0;
}

/* demote_size_store: a smaller hstate of at least HUGETLB_PAGE_ORDER */
int hugetlb_set_demote_size(struct machine *m, struct hstate *h, unsigned long size)
{
	struct hstate *dst = size_to_hstate(m, size);

	if (!h->demote_order || !dst || dst->order < HUGETLB_PAGE_ORDER || dst->order >= h->order)
		return -EINVAL;
	h->demote_order = dst->order;
	return 0;
}

/* ---- --debug-vm ---- */

static char *check_free_page(struct machine *m, struct hstate *h, int nid, unsigned long pfn)
{
	const struct page *p = pfn_to_page_noalloc(m, pfn);

	if (!p || !page_test(p, PG_hugetlb) || p->_refcount != 1 || page_test(p, PG_lru) ||
	    page_test(p, PG_buddy) || pfn_nid(m, pfn) != nid)
		return g_strdup_printf("hugetlb: free %s page %#lx on node %d: flags %#x refcount %d", h->name, pfn,
				       nid, p ? p->flags : 0, p ? p->_refcount : 0);
	return NULL;
}

static char *check_hstate(struct machine *m, struct hstate *h, unsigned long in_use)
{
	unsigned long nr = 0, free = 0, surplus = 0;
	char *err = NULL;

	for_each_online_node(m, nid) {
		GArray *fl = h->freelist[nid];

		if (fl->len != h->free_huge_pages_node[nid] ||
		    h->surplus_huge_pages_node[nid] > h->nr_huge_pages_node[nid])
			return g_strdup_printf("hugetlb: %s node %d: %u on the free list, free %lu, surplus %lu of %lu",
					       h->name, nid, fl->len, h->free_huge_pages_node[nid],
					       h->surplus_huge_pages_node[nid], h->nr_huge_pages_node[nid]);
		for (guint i = 0; !err && i < fl->len; i++)
			err = check_free_page(m, h, nid, g_array_index(fl, unsigned long, i));
		if (err)
			return err;
		nr += h->nr_huge_pages_node[nid];
		free += h->free_huge_pages_node[nid];
		surplus += h->surplus_huge_pages_node[nid];
	}
	if (nr != h->nr_huge_pages || free != h->free_huge_pages || surplus != h->surplus_huge_pages ||
	    h->resv_huge_pages > h->free_huge_pages || nr - free != in_use)
		return g_strdup_printf("hugetlb: %s: total %lu/%lu free %lu/%lu surplus %lu/%lu resv %lu, %lu mapped",
				       h->name, nr, h->nr_huge_pages, free, h->free_huge_pages, surplus,
				       h->surplus_huge_pages, h->resv_huge_pages, in_use);
	return NULL;
}

/* Every page in use is in exactly one mapping, with PG_hugetlb */
static char *count_mapped(struct machine *m, GHashTable *maps, unsigned long *in_use)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, maps);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct hugetlb_map *map = key;
		GHashTableIter pi;
		gpointer pfn;

		g_hash_table_iter_init(&pi, map->pages);
		while (g_hash_table_iter_next(&pi, NULL, &pfn)) {
			const struct page *p = pfn_to_page_noalloc(m, GPOINTER_TO_SIZE(pfn));

			if (!p || !page_test(p, PG_hugetlb) || p->_refcount != 1)
				return g_strdup_printf("hugetlb: mapped page %#lx is not a hugetlb folio",
						       (unsigned long)GPOINTER_TO_SIZE(pfn));
			in_use[map->h - m->hugetlb->hstates]++;
		}
	}
	return NULL;
}

char *hugetlb_check(struct machine *m)
{
	g_autoptr(GHashTable) maps = g_hash_table_new(g_direct_hash, g_direct_equal);
	unsigned long in_use[HUGE_MAX_HSTATE] = { 0 };
	GHashTableIter it;
	gpointer val;
	char *err;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, NULL, &val)) {
		struct task_struct *t = val;
		struct vm_area_struct *vma;

		if (!t->mm)
			continue;
		for_each_vma(t->mm, vit, vma)
			if (vma->hugetlb)
				g_hash_table_add(maps, vma->hugetlb);
	}
	if ((err = count_mapped(m, maps, in_use)))
		return err;
	for (int i = 0; i < m->hugetlb->nr_hstates; i++)
		if ((err = check_hstate(m, &m->hugetlb->hstates[i], in_use[i])))
			return err;
	return NULL;
}
