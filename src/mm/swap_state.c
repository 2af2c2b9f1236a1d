/*
 * mm/swap_state.c, mm/page_io.c and do_swap_page of mm/memory.c: the swap
 * cache, swap-out writes and swap-in.
 *
 * Models: the swap cache indexed by swap entry (SwapCached, nr_swapcached),
 * add_to_swap (a slot from get_swap_page, the page dirty so that pageout
 * writes it), swap_writepage (PG_writeback while the write is on the
 * disk, pswpout; at its end a page reclaim marked PG_reclaim is rotated
 * to the tail of the inactive list for the next pass), delete_from_swap_cache
 * with a workingset shadow, do_swap_page (a swap-cache hit is a minor
 * fault; a miss reads the page and its neighbours, swap_cluster_readahead
 * of 2^page-cluster slots, as a major fault with the task in iowait and
 * in a memory stall), the slot freed on a write fault or when swap is
 * more than half full (should_try_to_free_swap), free_swap_and_cache at
 * unmap.
 * Simplifies: one swap cache for all devices (the kernel has one per
 * 64 MiB of swap); swap I/O goes to the simulated disk's queue (the swap
 * partition's, the root file system's for a swap file); no vma
 * readahead (the non-rotational default), no zswap, no large folios.
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"
#include "mmsim/swap.h"
#include "lru_gen.h"

struct swap_io {
	GArray *pfns;
	uint64_t done;
};

void swap_cache_init(struct machine *m)
{
	m->swap_cache = g_new0(struct xarray, 1);
	m->swap_entries = g_hash_table_new(g_direct_hash, g_direct_equal);
	m->swap_inflight = g_ptr_array_new();
	m->swap_plug = g_array_new(FALSE, FALSE, sizeof(unsigned long));
}

static void swap_io_free(struct swap_io *io)
{
	g_array_free(io->pfns, TRUE);
	g_free(io);
}

void swap_cache_destroy(struct machine *m)
{
	unsigned long i = 0;

	uint64_t e;

	if (!m->swap_cache)
		return;
	/* the pages still cached go (their anon_vmas with them) */
	while ((e = xa_find(m->swap_cache, &i, ULONG_MAX))) {
		if (!xa_is_value(e)) {
			page_clear(pfn_to_page(m, xa_to_pfn(e)), PG_writeback);
			delete_from_swap_cache(m, xa_to_pfn(e), 0);
		}
		i++;
	}
	xa_destroy(m->swap_cache);
	g_free(m->swap_cache);
	g_hash_table_destroy(m->swap_entries);
	for (guint k = 0; k < m->swap_inflight->len; k++)
		swap_io_free(g_ptr_array_index(m->swap_inflight, k));
	g_ptr_array_free(m->swap_inflight, TRUE);
	g_array_free(m->swap_plug, TRUE);
}

swp_entry_t page_swap_entry(struct machine *m, unsigned long pfn)
{
	return (swp_entry_t){ GPOINTER_TO_SIZE(g_hash_table_lookup(m->swap_entries, GSIZE_TO_POINTER(pfn))) };
}

/* The page caching entry, or -1 */
long swap_cache_get_pfn(struct machine *m, swp_entry_t entry)
{
	uint64_t e = xa_load(m->swap_cache, entry.val);

	return e && !xa_is_value(e) ? (long)xa_to_pfn(e) : -1;
}

static void swap_cache_insert(struct machine *m, unsigned long pfn, swp_entry_t entry)
{
	struct page *page = pfn_to_page(m, pfn);
	uint64_t old = xa_store(m->swap_cache, entry.val, xa_mk_page(pfn));

	page_set(page, PG_swapcache);
	page_set(page, PG_swapbacked);
	if (old && xa_is_value(old))
		workingset_refault(m, pfn, old);
	g_hash_table_insert(m->swap_entries, GSIZE_TO_POINTER(pfn), GSIZE_TO_POINTER(entry.val));
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_SWAPCACHE, 1);
}

/* add_to_swap: a slot for an anon page about to be reclaimed */
bool add_to_swap(struct machine *m, unsigned long pfn, int cpu)
{
	swp_entry_t entry = get_swap_page(m, cpu);

	if (!entry.val)
		return false;
	if (mem_cgroup_try_charge_swap(m, pfn, entry)) {
		put_swap_folio(m, entry);
		return false;
	}
	swap_cache_insert(m, pfn, entry);
	/* the copy on the disk is not written yet */
	page_set(pfn_to_page(m, pfn), PG_dirty);
	return true;
}

/* The page's memory goes back to the allocator; its anon_vma forgets it */
static void free_swapcache_page(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	if (page_test(page, PG_ksm)) {
		ksm_page_free(m, pfn);
	} else if (page_test(page, PG_anon) && page->private) {
		struct anon_vma *av = (struct anon_vma *)(uintptr_t)page->private;

		if (--av->nr_pages == 0 && av->refcount <= 0)
			anon_vma_free(av);
	}
	page->flags &= ~((1u << PG_anon) | (1u << PG_swapbacked) | (1u << PG_dirty) | (1u << PG_referenced) |
			 (1u << PG_active) | (1u << PG_workingset) | (1u << PG_reclaim));
	page->private = 0;
	page->index = 0;
	page->_mapcount = -1;
	__free_pages(m, pfn, 0, 0);
}

/* __delete_from_swap_cache + put_swap_folio, then the page is freed;
 * shadow (a workingset value entry) stays in the slot, or 0 */
void delete_from_swap_cache(struct machine *m, unsigned long pfn, uint64_t shadow)
{
	struct page *page = pfn_to_page(m, pfn);
	swp_entry_t entry = page_swap_entry(m, pfn);

	if (shadow)
		xa_store(m->swap_cache, entry.val, shadow);
	else
		xa_erase(m->swap_cache, entry.val);
	g_hash_table_remove(m->swap_entries, GSIZE_TO_POINTER(pfn));
	page_clear(page, PG_swapcache);
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_SWAPCACHE, -1);
	put_swap_folio(m, entry);
	lruvec_del_folio(m, pfn);
	free_swapcache_page(m, pfn);
}

/* folio_free_swap: an unmapped, clean swap-cache page whose slot nothing
 * else refers to leaves the cache (and the slot is freed) */
bool folio_free_swap(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	swp_entry_t entry;

	if (!page_test(page, PG_swapcache) || page_test(page, PG_writeback))
		return false;
	entry = page_swap_entry(m, pfn);
	if ((swap_count(m, entry) & ~SWAP_HAS_CACHE) != 0)
		return false;
	if (page->_mapcount >= 0) {
		/* still mapped: only the slot goes; the page is plain anon again */
		xa_erase(m->swap_cache, entry.val);
		g_hash_table_remove(m->swap_entries, GSIZE_TO_POINTER(pfn));
		page_clear(page, PG_swapcache);
		page_set(page, PG_dirty);
		__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_SWAPCACHE, -1);
		put_swap_folio(m, entry);
		return true;
	}
	delete_from_swap_cache(m, pfn, 0);
	return true;
}

/* free_swap_and_cache: a swap pte went away (zap) */
void free_swap_and_cache(struct machine *m, swp_entry_t entry)
{
	long pfn;

	swap_free(m, entry);
	pfn = swap_cache_get_pfn(m, entry);
	if (pfn >= 0 && pfn_to_page(m, (unsigned long)pfn)->_mapcount < 0)
		folio_free_swap(m, (unsigned long)pfn);
}

/* ---- writes ---- */

static void end_swap_bio_write(struct machine *m, void *arg)
{
	struct swap_io *io = arg;

	for (guint i = 0; i < io->pfns->len; i++) {
		unsigned long pfn = g_array_index(io->pfns, unsigned long, i);
		struct page *page = pfn_to_page(m, pfn);
		struct zone *zone = pfn_zone(m, pfn);

		page_clear(page, PG_writeback);
		__mod_node_page_state(zone->zone_pgdat, NR_WRITEBACK, -1);
		__mod_zone_page_state(zone, NR_ZONE_WRITE_PENDING, -1);
		__mod_node_page_state(zone->zone_pgdat, NR_WRITTEN, 1);
		/* nothing maps the slot any more (the owner exited or unmapped
		 * it meanwhile): the page and its slot are garbage, freed now
		 * rather than at the next reclaim pass */
		if (page->_mapcount < 0 && folio_free_swap(m, pfn))
			continue;
		/* folio_end_writeback: reclaim wanted it, rotate it to the tail */
		if (page_test(page, PG_reclaim)) {
			page_clear(page, PG_reclaim);
			if (page_test(page, PG_lru) && !page_test(page, PG_active) && !page_test(page, PG_unevictable)) {
				lruvec_del_folio(m, pfn);
				page_clear(page, PG_active);
				lruvec_add_folio_tail(m, pfn);
				count_vm_event(m, PGROTATED);
			}
		}
	}
	g_ptr_array_remove_fast(m->swap_inflight, io);
	swap_io_free(io);
	machine_debug_check(m, "end_swap_bio_write");
}

/* swap_writepage: the page joins the writes of this reclaim pass (the
 * block plug); swap_unplug sends them as one request */
void swap_writepage(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct zone *zone = pfn_zone(m, pfn);

	page_clear(page, PG_dirty);
	page_set(page, PG_writeback);
	page_set(page, PG_reclaim);
	__mod_node_page_state(zone->zone_pgdat, NR_WRITEBACK, 1);
	__mod_zone_page_state(zone, NR_ZONE_WRITE_PENDING, 1);
	count_vm_event(m, PSWPOUT);
	swap_slot_set_content(m, page_swap_entry(m, pfn).val, page_content(m, pfn));
	g_array_append_val(m->swap_plug, pfn);
}

/* The partition of the disk a swap entry's device writes to */
static unsigned int swap_partno(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = m->swap->swap_info[swp_type(entry)];

	return si ? swap_bdev_partno(m, si->swap_file) : 0;
}

/* One request per run of pages going to the same partition, each page a
 * bio of its own that the plug merged: the last completion */
static uint64_t submit_swap_writes(struct machine *m, GArray *pfns)
{
	uint64_t done = 0;
	guint run = 0;

	for (guint i = 1; i <= pfns->len; i++) {
		unsigned int part = swap_partno(m, page_swap_entry(m, g_array_index(pfns, unsigned long, run)));
		uint64_t rq_done;

		if (i < pfns->len &&
		    swap_partno(m, page_swap_entry(m, g_array_index(pfns, unsigned long, i))) == part)
			continue;
		rq_done = submit_bio_part(m, part, i - run, true, i - run);
		done = MAX(done, rq_done);
		run = i;
	}
	return done;
}

void swap_unplug(struct machine *m)
{
	struct swap_io *io;

	if (!m->swap_plug->len)
		return;
	io = g_new0(struct swap_io, 1);
	io->pfns = m->swap_plug;
	m->swap_plug = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	io->done = submit_swap_writes(m, io->pfns);
	g_ptr_array_add(m->swap_inflight, io);
	mod_timer(m, io->done, "end_swap_bio_write", end_swap_bio_write, io);
}

/* The earliest completion of any write in flight (0: none) */
uint64_t next_io_completion(struct machine *m)
{
	uint64_t next = writeback_next_completion(m);

	for (guint i = 0; i < m->swap_inflight->len; i++) {
		struct swap_io *io = g_ptr_array_index(m->swap_inflight, i);

		if (!next || io->done < next)
			next = io->done;
	}
	return next;
}

/* The completion of the last swap write sent (0: none in flight) */
uint64_t last_swap_write_completion(struct machine *m)
{
	uint64_t last = 0;

	for (guint i = 0; i < m->swap_inflight->len; i++)
		last = MAX(last, ((struct swap_io *)g_ptr_array_index(m->swap_inflight, i))->done);
	return last;
}

/* ---- swap-in ---- */

/* swap_cluster_readahead: the aligned 2^page-cluster slots around entry
 * that are in use and not cached are read with it; returns when the read
 * of entry completes.  The pages stay PG_locked until the reader has
 * waited for the read (folio_end_read), so reclaim leaves them alone. */
static uint64_t swapin_readahead(struct machine *m, struct task_struct *t, swp_entry_t entry, GArray *locked)
{
	unsigned long win = 1UL << m->sysctl.page_cluster;
	unsigned long off = swp_offset(entry), start = off & ~(win - 1);
	unsigned long nr = 0;
	uint64_t done;

	for (unsigned long o = start; o < start + win; o++) {
		swp_entry_t e = swp_entry(swp_type(entry), o);
		long pfn;

		if (!o || swap_cache_get_pfn(m, e) >= 0)
			continue;
		if (o != off && (swap_count(m, e) & ~SWAP_HAS_CACHE) == 0)
			continue;
		if (swapcache_prepare(m, e))
			continue;  /* a free slot or one being read */
		pfn = mem_cgroup_charge_new(m, __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t->cpu), 0, mem_cgroup_swapin_memcg(m, e, t), o == off ? GFP_HIGHUSER_MOVABLE : GFP_NOWAIT);
		if (pfn < 0) {
			put_swap_folio(m, e);
			if (o == off)
				return 0;
			continue;
		}
		pfn_to_page(m, (unsigned long)pfn)->_mapcount = -1;
		page_set(pfn_to_page(m, (unsigned long)pfn), PG_locked);
		g_array_append_val(locked, pfn);
		page_clear(pfn_to_page(m, (unsigned long)pfn), PG_active);
		set_page_content(m, (unsigned long)pfn, swap_slot_content(m, e.val));
		swap_cache_insert(m, (unsigned long)pfn, e);
		/* inactive, or active when workingset_refault says so; MGLRU:
		 * active when a fault reads it (folio_add_lru) */
		if (lru_gen_enabled(m))
			folio_add_lru(m, (unsigned long)pfn);
		else
			lruvec_add_folio(m, (unsigned long)pfn);
		nr++;
	}
	count_vm_events(m, PSWPIN, nr);
	/* swap_read_folio: a bio per page, merged under the plug */
	done = submit_bio_part(m, swap_partno(m, entry), nr ? nr : 1, false, nr ? nr : 1);
	return done;
}

/*
 * do_swap_page: the pte holds a swap entry.  Returns 0, -ENOMEM, or
 * -EFAULT for an entry that is no longer valid.
 */
int do_swap_page(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		 pte_t *ptep, bool write)
{
	swp_entry_t entry = pte_to_swp_entry(*ptep);
	struct mm_struct *mm = vma->vm_mm;
	long pfn = swap_cache_get_pfn(m, entry);
	struct page *page;
	bool exclusive;

	if (pfn < 0) {
		GArray *locked = g_array_new(FALSE, FALSE, sizeof(long));
		uint64_t done;
		uint64_t t0 = m->now_ns;

		count_vm_event(m, PGMAJFAULT);
		t->maj_flt++;
		done = swapin_readahead(m, t, entry, locked);
		/* psi_memstall while the task waits for its page */
		if (done)
			io_schedule_until(m, t, done);
		for (guint i = 0; i < locked->len; i++)
			page_clear(pfn_to_page(m, (unsigned long)g_array_index(locked, long, i)), PG_locked);
		g_array_free(locked, TRUE);
		if (!done)
			return -ENOMEM;
		psi_memstall_account(m, t0, m->now_ns, true);
		if (fatal_signal_pending(t))
			return -EINTR;
		pfn = swap_cache_get_pfn(m, entry);
		if (pfn < 0 || !is_swap_pte(*ptep) || pte_to_swp_entry(*ptep).val != entry.val)
			return pfn < 0 ? -ENOMEM : 0;
	} else {
		count_vm_event(m, SWAP_RA_HIT);
	}
	/* another VMA's page (a KSM page once): a copy of its own */
	if ((pfn = ksm_might_need_to_copy(m, t, vma, addr, (unsigned long)pfn)) < 0)
		return -ENOMEM;
	page = pfn_to_page(m, (unsigned long)pfn);
	/* the page becomes this VMA's anon page again */
	if (page->_mapcount < 0 && !page_test(page, PG_anon)) {
		struct anon_vma *av = anon_vma_get(vma);

		page_set(page, PG_anon);
		page->private = (uint64_t)(uintptr_t)av;
		page->index = linear_page_index(vma, addr);
		av->nr_pages++;
	}
	if (page->_mapcount++ < 0)
		__mod_node_page_state(pfn_zone(m, (unsigned long)pfn)->zone_pgdat, NR_ANON_MAPPED, 1);
	inc_mm_counter(mm, MM_ANONPAGES);
	dec_mm_counter(mm, MM_SWAPENTS);
	swap_free(m, entry);
	exclusive = (swap_count(m, entry) & ~SWAP_HAS_CACHE) == 0 && page->_mapcount == 0 &&
		    !page_test(page, PG_ksm);
	*ptep = ((pte_t)pfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
		(pte_swp_soft_dirty(*ptep) ? _PAGE_SOFT_DIRTY : 0);
	if (write && exclusive)
		*ptep |= _PAGE_RW | _PAGE_DIRTY_BITS;
	/* should_try_to_free_swap: a write, a locked VMA, or swap half full */
	if (exclusive && (write || (vma->vm_flags & VM_LOCKED) ||
			  get_nr_swap_pages(m) * 2 < get_total_swap_pages(m)))
		folio_free_swap(m, (unsigned long)pfn);
	if (vma->vm_flags & VM_LOCKED)
		mlock_page_pte(m, *ptep);
	if (write && !exclusive)
		return handle_mm_fault(m, t, vma, addr, true);  /* do_wp_page: a copy */
	return 0;
}

/* try_to_unuse: every pte of the device's entries is swapped in, task by
 * task, then the cache lets go of the slots; -ENOMEM when memory runs out */
int try_to_unuse(struct machine *m, unsigned int type)
{
	GArray *pids = task_pids(m);
	unsigned long i = 0;
	uint64_t e;
	int err = 0;

	for (guint k = 0; k < pids->len && !err; k++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, k));

		if (t && t->mm && t->mm->rss_stat[MM_SWAPENTS])
			err = unuse_mm(m, t, type);
	}
	g_array_free(pids, TRUE);
	if (err)
		return err;
	/* what is left in the cache of this device is unmapped: drop it */
	while ((e = xa_find(m->swap_cache, &i, ULONG_MAX))) {
		swp_entry_t entry = { i };

		if (!xa_is_value(e) && swp_type(entry) == type) {
			unsigned long pfn = xa_to_pfn(e);
			struct page *page = pfn_to_page(m, pfn);

			if (page_test(page, PG_writeback)) {
				io_schedule_until(m, NULL, last_swap_write_completion(m));
				continue;
			}
			if (page->_mapcount < 0)
				delete_from_swap_cache(m, pfn, 0);
			else
				folio_free_swap(m, pfn);
		} else if (xa_is_value(e) && swp_type(entry) == type) {
			xa_erase(m->swap_cache, i);
		}
		i++;
	}
	return 0;
}
