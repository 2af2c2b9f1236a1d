/*
 * mm/workingset.c: workingset detection with shadow entries.
 *
 * Models: each node's nonresident_age clock, ticked by evictions and
 * activations; an evicted page leaves a shadow (value entry) in its slot
 * of the page cache or swap cache recording the clock, the node and
 * whether it was in the workingset; when the page comes back, its refault
 * distance (clock now - clock then) is compared with the workingset size
 * (active file, plus inactive file for anon, plus anon when swap exists,
 * workingset_test_recent): within it the page is activated at once
 * (workingset_activate_*), and if it was workingset also restored
 * (workingset_restore_*) and charged to the LRU cost balance.
 * With MGLRU on, lru_gen_eviction and lru_gen_refault (lru_gen.c) make
 * and read the shadows instead.
 * Simplifies: no memcg id and no bucket_order (the clock fits in the
 * entry); workingset_nodes and the shadow shrinker are not modelled.
 */
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"
#include "lru_gen.h"

#define WORKINGSET_SHIFT 1
#define NODES_SHIFT 6

static uint64_t pack_shadow(int nid, unsigned long eviction, bool workingset)
{
	uint64_t v = ((uint64_t)eviction << (NODES_SHIFT + WORKINGSET_SHIFT)) | ((uint64_t)nid << WORKINGSET_SHIFT) |
		     (workingset ? 1 : 0);

	return (v << 1) | 1;  /* an xarray value entry */
}

static void unpack_shadow(uint64_t shadow, int *nid, unsigned long *eviction, bool *workingset)
{
	uint64_t v = shadow >> 1;

	*workingset = v & 1;
	*nid = (int)((v >> WORKINGSET_SHIFT) & ((1u << NODES_SHIFT) - 1));
	*eviction = (unsigned long)(v >> (NODES_SHIFT + WORKINGSET_SHIFT));
}

static void workingset_age_nonresident(struct machine *m, unsigned long pfn)
{
	pfn_zone(m, pfn)->zone_pgdat->__lruvec.nonresident_age++;
}

/* workingset_eviction: the shadow for the slot of a page being freed */
uint64_t workingset_eviction(struct machine *m, unsigned long pfn)
{
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	struct page *page = pfn_to_page(m, pfn);

	if (lru_gen_enabled(m))
		return lru_gen_eviction(m, pfn);
	workingset_age_nonresident(m, pfn);
	return pack_shadow(pgdat->node_id, pgdat->__lruvec.nonresident_age, page_test(page, PG_workingset));
}

/* workingset_activation: a page activated while resident */
void workingset_activation(struct machine *m, unsigned long pfn)
{
	workingset_age_nonresident(m, pfn);
}

/* workingset_refault: pfn is the new page for a slot that held shadow */
void workingset_refault(struct machine *m, unsigned long pfn, uint64_t shadow)
{
	struct page *page = pfn_to_page(m, pfn);
	bool file;
	unsigned long eviction, refault, distance, workingset_size;
	bool workingset;
	int nid;
	pg_data_t *pgdat;

	if (lru_gen_enabled(m)) {
		lru_gen_refault(m, pfn, shadow);
		return;
	}
	/* a shmem page is swap-backed but lives in a file's cache */
	file = !page_test(page, PG_swapcache);
	unpack_shadow(shadow, &nid, &eviction, &workingset);
	if (nid >= m->nr_nodes)
		return;
	pgdat = m->node_data[nid];
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON,
			      1);
	refault = pgdat->__lruvec.nonresident_age;
	distance = refault - eviction;
	workingset_size = pgdat->__lruvec.nr[LRU_ACTIVE_FILE];
	if (!file)
		workingset_size += pgdat->__lruvec.nr[LRU_INACTIVE_FILE];
	if (get_nr_swap_pages(m) > 0) {
		workingset_size += pgdat->__lruvec.nr[LRU_ACTIVE_ANON];
		if (file)
			workingset_size += pgdat->__lruvec.nr[LRU_INACTIVE_ANON];
	}
	if (distance > workingset_size)
		return;
	page_set(page, PG_active);
	workingset_age_nonresident(m, pfn);
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat,
			      file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	if (workingset) {
		page_set(page, PG_workingset);
		lru_note_cost_refault(m, pfn);
		__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat,
				      file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
	}
}
