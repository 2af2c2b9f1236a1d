/*
 * mm/memory.c (with bits of mm/rmap.c and mm/pgtable-generic.c): page
 * tables, demand paging, copy-on-write, unmapping and the reverse map.
 *
 * Models: x86-64 4-level page tables whose pages come from the buddy
 * allocator (NR_PAGETABLE, VmPTE) and are freed when empty (the host keeps
 * only the 8-entry chunks of a table that are in use, up to three, then
 * the whole table: struct pt_page); handle_mm_fault
 * with do_anonymous_page (a read of untouched private memory maps the shared
 * zero page, a write allocates a page), do_fault for file mappings
 * (do_read_fault with fault-around, do_cow_fault, do_shared_fault; the
 * page cache is mm/filemap.c), do_swap_page for swap ptes (mm/swap_state.c),
 * do_wp_page (reuse an exclusive anon page, copy a shared one, dirty a
 * shared file page), shared anonymous (shmem) pages; copy_page_range for
 * fork write-protecting private memory and sharing swap slots;
 * zap_page_range for munmap, MADV_DONTNEED and exit; the rmap counts
 * (page->_mapcount; the walks are mm/rmap.c's).
 * Simplifies: no huge pages; TLB flushes are counted per range, not per
 * CPU; program images (text, libraries) are not files of the simulated
 * disk, so touching them maps nothing.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "migrate.h"
#include "hugetlb_internal.h"
#include "mmsim/pagemap.h"
#include "lru_gen.h"
#include "numa_balancing_internal.h"

#define PGD_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
#define FAULT_AROUND_PAGES 16 /* fault_around_bytes 64 KiB */
#define IDX(addr, shift) (((addr) >> (shift)) & (PTRS_PER_TABLE - 1))

static int task_node(struct machine *m, struct task_struct *t)
{
	return t ? cpu_to_node(m, t->cpu) : 0;
}

struct pt_page *pt_alloc(struct machine *m, struct mm_struct *mm, int nid)
{
	long pfn = __alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 0, nid, 0);
	struct pt_page *pt;

	if (pfn < 0)
		return NULL;
	pt = g_slice_new0(struct pt_page);
	pt->pfn = (unsigned long)pfn;
	__mod_node_page_state(m->node_data[__pfn_to_section(m, pt->pfn)->nid], NR_PAGETABLE, 1);
	mm->pgtables_bytes += PAGE_SIZE;
	return pt;
}

static void pt_free(struct machine *m, struct mm_struct *mm, struct pt_page *pt)
{
	if (mm->pte_cache == pt)
		mm->pte_cache = NULL;
	__mod_node_page_state(m->node_data[__pfn_to_section(m, pt->pfn)->nid], NR_PAGETABLE, -1);
	mm->pgtables_bytes -= PAGE_SIZE;
	__free_pages(m, pt->pfn, 0, 0);
	for (int i = 0; i < PT_SMALL_CHUNKS; i++)
		if (pt->small[i])
			g_slice_free1(PT_CHUNK * sizeof(pte_t), pt->small[i]);
	g_free(pt->bulk);
	g_slice_free(struct pt_page, pt);
}

/* Entry i's slot, giving its chunk host memory first when it has none:
 * a small chunk while there are some left, else the whole table */
pte_t *pt_slot_alloc(struct pt_page *t, unsigned int i)
{
	unsigned int k = i >> PT_CHUNK_SHIFT, s;
	pte_t *p = pt_slot(t, i);

	if (p)
		return p;
	for (s = 0; s < PT_SMALL_CHUNKS && t->small[s]; s++)
		;
	if (s == PT_SMALL_CHUNKS) {
		t->bulk = g_new0(pte_t, PTRS_PER_TABLE);
		return &t->bulk[i];
	}
	t->small[s] = g_slice_alloc0(PT_CHUNK * sizeof(pte_t));
	t->map[k >> 2] |= (uint8_t)((s + 1) << ((k & 3) << 1));
	return &t->small[s][i & (PT_CHUNK - 1)];
}

/* The pte slot of addr, allocating the tables on the way when alloc */
static pte_t *walk_to_pte(struct machine *m, struct mm_struct *mm, unsigned long addr, bool alloc,
			  int nid, struct pt_page **pte_table)
{
	static const int shifts[3] = { PGD_SHIFT, PUD_SHIFT, PMD_SHIFT };
	struct pt_page *table = mm->pgd;
	unsigned int i = IDX(addr, PAGE_SHIFT);
	pte_t *ptep;

	if (!(mm->pte_cache && (addr >> PMD_SHIFT) == mm->pte_cache_base)) {
		for (int level = 0; level < 3; level++) {
			unsigned int j = IDX(addr, shifts[level]);
			uint64_t *slot = alloc ? pt_slot_alloc(table, j) : pt_slot(table, j);

			if (!slot || !*slot) {
				struct pt_page *child;

				if (!alloc || !(child = pt_alloc(m, mm, nid)))
					return NULL;
				*slot = (uint64_t)(uintptr_t)child;
				table->nr_used++;
			}
			table = (struct pt_page *)(uintptr_t)*slot;
		}
		mm->pte_cache = table;
		mm->pte_cache_base = addr >> PMD_SHIFT;
	}
	table = mm->pte_cache;
	ptep = pt_slot(table, i);
	if (!ptep && alloc)
		ptep = pt_slot_alloc(table, i);
	if (ptep && pte_table)
		*pte_table = table;
	return ptep;
}

pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr)
{
	return walk_to_pte(NULL, mm, addr, false, 0, NULL);
}

/* ---- rmap and the anon/shmem counters ---- */

static struct zone *page_zone_of(struct machine *m, unsigned long pfn)
{
	return pfn_zone(m, pfn);
}

/* folio_add_new_anon_rmap: a new page, mapped once, in the VMA's anon_vma */
static void folio_add_new_anon_rmap(struct machine *m, unsigned long pfn, struct vm_area_struct *vma,
				    unsigned long addr)
{
	struct page *page = pfn_to_page(m, pfn);
	struct anon_vma *av = anon_vma_get(vma);

	page->_mapcount = 0;
	page_set(page, PG_anon);
	page_set(page, PG_swapbacked);
	page->private = (uint64_t)(uintptr_t)av;
	page->index = linear_page_index(vma, addr);
	av->nr_pages++;
	__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat, NR_ANON_MAPPED, 1);
}

/* A page's last mapping went away: free it (anon) or leave it to its shmem
 * object */
void page_remove_rmap(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct zone *zone;

	if (--page->_mapcount >= 0)
		return;
	zone = page_zone_of(m, pfn);
	if (!page_test(page, PG_anon)) {
		/* shmem: no longer mapped anywhere */
		__mod_node_page_state(zone->zone_pgdat, NR_FILE_MAPPED, -1);
		return;
	}
	if (page_test(page, PG_swapcache)) {
		/* free_swap_cache: the swap cache keeps it while the slot has
		 * other users; otherwise page and slot go */
		__mod_node_page_state(zone->zone_pgdat, NR_ANON_MAPPED, -1);
		folio_free_swap(m, pfn);
		return;
	}
	if (page_test(page, PG_ksm)) {
		ksm_page_free(m, pfn);
	} else {
		struct anon_vma *av = (struct anon_vma *)(uintptr_t)page->private;

		/* the last page of an anon_vma no VMA uses any more */
		if (--av->nr_pages == 0 && av->refcount <= 0)
			anon_vma_free(av);
	}
	__mod_node_page_state(zone->zone_pgdat, NR_ANON_MAPPED, -1);
	lruvec_del_folio(m, pfn);
	page->flags &= ~((1u << PG_anon) | (1u << PG_swapbacked) | (1u << PG_dirty) | (1u << PG_referenced) |
			 (1u << PG_active) | (1u << PG_workingset) | (1u << PG_reclaim));
	page->private = 0;
	__free_pages(m, pfn, 0, 0);
}

/* mm_counter: which RSS counter a mapped page counts in */
static int mm_counter(const struct page *page)
{
	if (page_test(page, PG_anon))
		return MM_ANONPAGES;
	return page_test(page, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

static void set_pte(struct pt_page *table, pte_t *slot, pte_t pte)
{
	if (!*slot && pte)
		table->nr_used++;
	else if (*slot && !pte)
		table->nr_used--;
	*slot = pte;
}

static pte_t mk_pte(unsigned long pfn, bool writable, bool dirty)
{
	return ((pte_t)pfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
	       (writable ? _PAGE_RW : 0) | (dirty ? _PAGE_DIRTY_BITS : 0);
}

/* The task's kernel time, also the busy time of the CPU it runs on */
void account_system_time(struct machine *m, struct task_struct *t, uint64_t ns)
{
	struct cpu_state *c = &m->cpus[t->cpu];

	t->stime_ns += ns;
	c->busy_ns += ns;
	c->system = c->busy_ns / (NSEC_PER_SEC / USER_HZ);
	sched_charge(m, t, ns);
}

static void count_fault(struct machine *m, struct task_struct *t)
{
	count_vm_event(m, PGFAULT);
	t->min_flt++;
	account_system_time(m, t, FAULT_COST_NS);
}

/* ---- faults ---- */

/* What one fault carries down the handlers (the kernel's struct vm_fault) */
struct vm_fault {
	struct machine *m;
	struct task_struct *t;
	struct vm_area_struct *vma;
	unsigned long address;
	bool write;             /* FAULT_FLAG_WRITE */
	pte_t *pte;             /* the pte slot of address */
	struct pt_page *table;  /* the page table holding it */
	pte_t orig_pte;         /* the pte as the fault found it */
};

/* folio_add_lru_vma's mlock_new_folio: a page mapped into a locked VMA is
 * unevictable at once */
static void mlock_new_pte(struct machine *m, struct vm_area_struct *vma, pte_t pte)
{
	if (vma->vm_flags & VM_LOCKED)
		mlock_page_pte(m, pte);
}

/*
 * map_anon_folio_pte (the pte twin of the kernel's map_anon_folio_pmd_pf):
 * a new exclusive anon page at the fault's address, writable and dirty:
 * folio_add_new_anon_rmap, folio_add_lru_vma, set_pte_at and the
 * MM_ANONPAGES counter.
 */
static void map_anon_folio_pte(struct vm_fault *vmf, unsigned long pfn)
{
	struct machine *m = vmf->m;

	folio_add_new_anon_rmap(m, pfn, vmf->vma, vmf->address);
	folio_add_lru(m, pfn);
	set_pte(vmf->table, vmf->pte, mk_pte(pfn, true, true));
	inc_mm_counter(vmf->vma->vm_mm, MM_ANONPAGES);
	mlock_new_pte(m, vmf->vma, *vmf->pte);
}

/* finish_fault for a page-cache (or shmem) page: folio_add_file_rmap_pte,
 * the pte (read-only unless a write to a shared mapping) and the counter */
int set_pte_file(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		 unsigned long pfn, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	struct pt_page *table;
	pte_t *ptep = walk_to_pte(m, mm, addr, true, task_node(m, t), &table);
	struct page *page = pfn_to_page(m, pfn);

	if (!ptep)
		return -ENOMEM;
	if (pte_present(*ptep))
		return -EEXIST;
	/* the first mapping counts in Mapped */
	if (page->_mapcount++ == -1)
		__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat, NR_FILE_MAPPED, 1);
	set_pte(table, ptep, mk_pte(pfn, write, write));
	inc_mm_counter(mm, mm_counter(page));
	mlock_new_pte(m, vma, *ptep);
	return 0;
}

/* do_fault_around: the fault-around window (fault_around_bytes, not past
 * the VMA nor the page table) is mapped from the page cache */
static bool do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address;
	unsigned long nr = FAULT_AROUND_PAGES;
	unsigned long from = MAX(vma->vm_start, (addr & ~((nr << PAGE_SHIFT) - 1)));
	unsigned long to = MIN(vma->vm_end, from + (nr << PAGE_SHIFT));
	unsigned long pmd_end = (addr | ((1UL << PMD_SHIFT) - 1)) + 1;

	return filemap_map_pages(vmf->m, vmf->t, vma, from, MIN(to, pmd_end), addr);
}

/* do_read_fault: fault-around first, then filemap_fault and finish_fault */
static int do_read_fault(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	bool major;
	long pfn;
	int err;

	if (do_fault_around(vmf)) {
		count_fault(m, vmf->t);
		return 0;
	}
	pfn = filemap_fault(m, vmf->t, vma, vmf->address, &major);
	if (pfn < 0)
		return (int)pfn;
	if (major)
		account_system_time(m, vmf->t, READ_COPY_COST_NS);
	if ((err = set_pte_file(m, vmf->t, vma, vmf->address, (unsigned long)pfn, false)) && err != -EEXIST)
		return err;
	count_fault(m, vmf->t);
	return 0;
}

/* do_cow_fault: a write to a private file mapping gets a new anon page,
 * a copy of the cache page */
static int do_cow_fault(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;
	bool major;
	long pfn = filemap_fault(m, vmf->t, vmf->vma, vmf->address, &major);
	long new;

	if (pfn < 0)
		return (int)pfn;
	/* the tables again: reading the page may have let time pass */
	vmf->pte = walk_to_pte(m, vmf->vma->vm_mm, vmf->address, true, task_node(m, vmf->t), &vmf->table);
	if (!vmf->pte)
		return -ENOMEM;
	if ((new = vma_alloc_folio(m, GFP_HIGHUSER_MOVABLE, 0, vmf->vma, vmf->address, vmf->t)) < 0)
		return (int)new;
	copy_page_content(m, (unsigned long)new, (unsigned long)pfn);
	map_anon_folio_pte(vmf, (unsigned long)new);
	account_system_time(m, vmf->t, PAGE_COPY_COST_NS);
	count_fault(m, vmf->t);
	return 0;
}

/* do_shared_fault: the cache page itself, mapped writable and dirtied */
static int do_shared_fault(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	bool major;
	long pfn = filemap_fault(m, vmf->t, vma, vmf->address, &major);
	int err;

	if (pfn < 0)
		return (int)pfn;
	if ((err = set_pte_file(m, vmf->t, vma, vmf->address, (unsigned long)pfn, true)))
		return err;
	folio_mark_dirty(m, (unsigned long)pfn);
	count_fault(m, vmf->t);
	balance_dirty_pages_ratelimited(m, vmf->t, &vma->vm_file->f_inode->i_data);
	return 0;
}

/* do_fault for a file mapping; -EFAULT: beyond the end of the file
 * (SIGBUS) */
static int do_fault(struct vm_fault *vmf)
{
	if (!vmf->write)
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* do_anonymous_page: a read maps the shared zero page (no memory used), a
 * write a new zeroed page */
static int do_anonymous_page(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;
	long pfn;

	if (!vmf->write) {
		set_pte(vmf->table, vmf->pte, ((pte_t)m->zero_pfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER |
						      _PAGE_ACCESSED | _PAGE_SPECIAL);
		count_fault(m, vmf->t);
		return 0;
	}
	pfn = vma_alloc_folio(m, GFP_HIGHUSER_MOVABLE, 0, vmf->vma, vmf->address, vmf->t);
	if (pfn < 0)
		return (int)pfn;
	set_page_content(m, (unsigned long)pfn, CONTENT_ZERO);
	map_anon_folio_pte(vmf, (unsigned long)pfn);
	count_fault(m, vmf->t);
	return 0;
}

/* wp_page_reuse: the only mapper of an anon page writes to it in place */
static int wp_page_reuse(struct vm_fault *vmf)
{
	*vmf->pte |= _PAGE_RW | _PAGE_DIRTY_BITS | _PAGE_ACCESSED;
	count_vm_event(vmf->m, PGREUSE);
	count_fault(vmf->m, vmf->t);
	return 0;
}

/* wp_page_shared: a write to a shared file mapping; page_mkwrite dirties
 * the page again */
static int wp_page_shared(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;

	*vmf->pte |= _PAGE_RW | _PAGE_DIRTY_BITS | _PAGE_ACCESSED;
	folio_mark_dirty(m, pte_pfn(vmf->orig_pte));
	count_fault(m, vmf->t);
	balance_dirty_pages_ratelimited(m, vmf->t, &vmf->vma->vm_file->f_inode->i_data);
	return 0;
}

/* wp_page_copy: a private copy of a shared or zero page; the old page
 * loses this mapping (and its mlock count) once the pte points at the new
 * one */
static int wp_page_copy(struct vm_fault *vmf)
{
	struct machine *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	pte_t old = vmf->orig_pte;
	struct page *old_page = pte_special(old) ? NULL : pfn_to_page(m, pte_pfn(old));
	long pfn = vma_alloc_folio(m, GFP_HIGHUSER_MOVABLE, 0, vmf->vma, vmf->address, vmf->t);

	if (pfn < 0)
		return (int)pfn;
	/* __wp_page_copy_user, or a zeroed page for the zero page */
	set_page_content(m, (unsigned long)pfn, old_page ? page_content(m, pte_pfn(old)) : CONTENT_ZERO);
	if (!old_page)
		ksm_might_unmap_zero_page(m, vma->vm_mm, old);
	if (old_page)
		dec_mm_counter(vma->vm_mm, mm_counter(old_page));
	map_anon_folio_pte(vmf, (unsigned long)pfn);
	if (old_page) {
		if ((vma->vm_flags & VM_LOCKED) && page_test(old_page, PG_mlocked))
			munlock_page_pte(m, old);
		page_remove_rmap(m, pte_pfn(old));
		account_system_time(m, vmf->t, PAGE_COPY_COST_NS);
	}
	m->nr_tlb_local_flush_one++;
	count_fault(m, vmf->t);
	return 0;
}

/* do_wp_page: a write to a present, write-protected pte */
static int do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma->vm_file && (vma->vm_flags & VM_SHARED))
		return wp_page_shared(vmf);
	if (!pte_special(vmf->orig_pte)) {
		struct page *page = pfn_to_page(vmf->m, pte_pfn(vmf->orig_pte));

		if (page->_mapcount == 0 && page_test(page, PG_anon) && !page_test(page, PG_ksm))
			return wp_page_reuse(vmf);
		if (page_test(page, PG_ksm))
			count_vm_event(vmf->m, COW_KSM);
	}
	return wp_page_copy(vmf);
}

/* Program images are not files of the simulated disk: their pages are
 * not modelled, touching them maps nothing */
static bool vma_is_program_image(const struct vm_area_struct *vma)
{
	return vma->kind == VMA_FILE && !vma->anon_vma && !(vma->vm_flags & VM_WRITE);
}

static int handle_pte_fault(struct vm_fault *vmf)
{
	pte_t pte = vmf->orig_pte = *vmf->pte;

	if (!pte) {
		if (vmf->vma->vm_file)
			return do_fault(vmf);
		if (vma_is_program_image(vmf->vma))
			return 0;
		return do_anonymous_page(vmf);
	}
	if (!pte_present(pte))
		return do_swap_page(vmf->m, vmf->t, vmf->vma, vmf->address, vmf->pte, vmf->write);
	/* a NUMA hinting fault, then the access goes on as on any pte */
	if (pte_protnone(pte)) {
		count_fault(vmf->m, vmf->t);
		do_numa_page(vmf->m, vmf->t, vmf->vma, vmf->address, vmf->pte);
		pte = vmf->orig_pte = *vmf->pte;
	}
	if (vmf->write && !pte_write(pte))
		return do_wp_page(vmf);
	/* the hardware sets accessed/dirty: no fault */
	*vmf->pte |= _PAGE_ACCESSED | (vmf->write ? _PAGE_DIRTY_BITS : 0);
	return 0;
}

/* handle_mm_fault: the page tables down to the pte, then handle_pte_fault */
int handle_mm_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
		    unsigned long addr, bool write)
{
	struct vm_fault vmf;
	bool saved;
	int ret;

	/* field by field: the fault path is hot, nothing is zeroed twice */
	if (vma->hugetlb)
		return hugetlb_fault(m, t, vma, addr);
	vmf.m = m;
	vmf.t = t;
	vmf.vma = vma;
	vmf.address = addr;
	vmf.write = write;
	vmf.pte = walk_to_pte(m, vma->vm_mm, addr, true, task_node(m, t), &vmf.table);
	if (!vmf.pte)
		return -ENOMEM;
	/* lru_gen_enter_fault / lru_gen_exit_fault: MGLRU adds what a fault
	 * on a VMA with recency brings in as hot */
	saved = t->in_lru_fault;
	t->in_lru_fault = lru_gen_enabled(m) && !(vma->vm_flags & (VM_SEQ_READ | VM_RAND_READ));
	ret = handle_pte_fault(&vmf);
	t->in_lru_fault = saved;
	return ret;
}

/* ---- walking ---- */

/* Every present pte in [start, end), with the table that holds it; with
 * swap_too, the swap ptes as well */
static void walk_ptes(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
		      pte_range_fn fn, void *arg, bool swap_too)
{
	unsigned long addr = start;

	while (addr < end) {
		struct pt_page *pud, *pmd, *pte;
		uint64_t e;
		unsigned long next;

		e = pt_entry(mm->pgd, IDX(addr, PGD_SHIFT));
		if (!e) {
			addr = ((addr >> PGD_SHIFT) + 1) << PGD_SHIFT;
			continue;
		}
		pud = (struct pt_page *)(uintptr_t)e;
		e = pt_entry(pud, IDX(addr, PUD_SHIFT));
		if (!e) {
			addr = ((addr >> PUD_SHIFT) + 1) << PUD_SHIFT;
			continue;
		}
		pmd = (struct pt_page *)(uintptr_t)e;
		e = pt_entry(pmd, IDX(addr, PMD_SHIFT));
		next = ((addr >> PMD_SHIFT) + 1) << PMD_SHIFT;
		if (next > end)
			next = end;
		if (!e) {
			addr = next;
			continue;
		}
		pte = (struct pt_page *)(uintptr_t)e;
		while (addr < next) {
			/* chunk by chunk: one the host has no memory for maps nothing */
			unsigned int i = IDX(addr, PAGE_SHIFT);
			pte_t *chunk = pt_chunk(pte, i >> PT_CHUNK_SHIFT);
			unsigned long chunk_end = ((addr >> (PAGE_SHIFT + PT_CHUNK_SHIFT)) + 1)
						  << (PAGE_SHIFT + PT_CHUNK_SHIFT);

			if (chunk_end > next)
				chunk_end = next;
			if (!chunk) {
				addr = chunk_end;
				continue;
			}
			for (; addr < chunk_end; addr += PAGE_SIZE) {
				pte_t *ptep = &chunk[IDX(addr, PAGE_SHIFT) & (PT_CHUNK - 1)];

				if (pte_present(*ptep) || (swap_too && *ptep))
					fn(m, pte, ptep, addr, arg);
			}
		}
	}
}

void walk_pte_slots(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
		    pte_range_fn fn, void *arg, bool swap_too)
{
	walk_ptes(m, mm, start, end, fn, arg, swap_too);
}

static void for_each_present_pte(struct machine *m, struct mm_struct *mm, unsigned long start,
				 unsigned long end, pte_range_fn fn, void *arg)
{
	walk_ptes(m, mm, start, end, fn, arg, false);
}

struct walk_arg {
	struct vm_area_struct *vma;
	pte_walk_fn fn;
	void *arg;
};

static void walk_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct walk_arg *w = arg;

	(void)table;
	w->fn(m, w->vma, addr, *ptep, w->arg);
}

static void walk_swap_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct walk_arg *w = arg;

	(void)table;
	if (!pte_present(*ptep))
		w->fn(m, w->vma, addr, *ptep, w->arg);
}

void walk_swap_range(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end,
		     pte_walk_fn fn, void *arg)
{
	struct walk_arg w = { vma, fn, arg };

	walk_ptes(m, vma->vm_mm, start, end, walk_swap_cb, &w, true);
}

void walk_page_range(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end,
		     pte_walk_fn fn, void *arg)
{
	struct walk_arg w = { vma, fn, arg };

	for_each_present_pte(m, vma->vm_mm, start, end, walk_cb, &w);
}

struct zap_arg {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long nr;
};

static void zap_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct zap_arg *z = arg;
	pte_t pte = *ptep;

	(void)addr;
	if (!pte_present(pte)) {
		/* a swap pte: the slot loses a user, maybe its cache page too */
		set_pte(table, ptep, 0);
		dec_mm_counter(z->mm, MM_SWAPENTS);
		free_swap_and_cache(m, pte_to_swp_entry(pte));
		return;
	}
	set_pte(table, ptep, 0);
	z->nr++;
	if (pte_special(pte)) {
		ksm_might_unmap_zero_page(m, z->mm, pte);
		return;
	}
	dec_mm_counter(z->mm, mm_counter(pfn_to_page(m, pte_pfn(pte))));
	/* leaving a locked VMA drops one mlock count */
	if (z->vma && (z->vma->vm_flags & VM_LOCKED) && page_test(pfn_to_page(m, pte_pfn(pte)), PG_mlocked))
		munlock_page_pte(m, pte);
	page_remove_rmap(m, pte_pfn(pte));
}

/* zap_page_range: unmap [start, end) of a VMA (munmap, MADV_DONTNEED, exit) */
void zap_page_range(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long start, unsigned long end)
{
	struct zap_arg z = { mm, vma, 0 };

	update_hiwater_rss(mm);
	walk_ptes(m, mm, start, end, zap_cb, &z, true);
	if (z.nr)
		{
		if (z.nr == 1)
			m->nr_tlb_local_flush_one++;
		else
			m->nr_tlb_local_flush_all++;
	}
}

/* Free page-table pages that map nothing any more (free_pgtables) */
static bool free_level(struct machine *m, struct mm_struct *mm, struct pt_page *table, int level)
{
	if (level < 3) {
		for (unsigned int k = 0; k < PT_NR_CHUNKS && table->nr_used; k++) {
			uint64_t *chunk = pt_chunk(table, k);

			for (unsigned int i = 0; chunk && i < PT_CHUNK; i++) {
				struct pt_page *child = (struct pt_page *)(uintptr_t)chunk[i];

				if (child && free_level(m, mm, child, level + 1)) {
					chunk[i] = 0;
					table->nr_used--;
				}
			}
		}
	}
	if (table->nr_used || table == mm->pgd)
		return false;
	pt_free(m, mm, table);
	return true;
}

void free_empty_pgtables(struct machine *m, struct mm_struct *mm)
{
	free_level(m, mm, mm->pgd, 0);
}

void free_pgd(struct machine *m, struct mm_struct *mm)
{
	free_empty_pgtables(m, mm);
	g_assert(mm->pgd->nr_used == 0);
	pt_free(m, mm, mm->pgd);
	mm->pgd = NULL;
}

/* ---- fork ---- */

struct copy_arg {
	struct mm_struct *dst;
	struct vm_area_struct *vma;
	int err;
};

static void copy_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct copy_arg *c = arg;
	struct pt_page *dtable;
	pte_t pte = *ptep;
	pte_t *dst;
	bool cow = !(c->vma->vm_flags & VM_SHARED) && (c->vma->vm_flags & VM_MAYWRITE);

	(void)table;
	if (c->err)
		return;
	if (!pte_present(pte)) {
		/* copy_nonpresent_pte: the child shares the swap slot */
		dst = walk_to_pte(m, c->dst, addr, true, 0, &dtable);
		if (!dst || swap_duplicate(m, pte_to_swp_entry(pte))) {
			c->err = -ENOMEM;
			return;
		}
		set_pte(dtable, dst, pte);
		inc_mm_counter(c->dst, MM_SWAPENTS);
		return;
	}
	dst = walk_to_pte(m, c->dst, addr, true, __pfn_to_section(m, pte_pfn(pte))->nid, &dtable);
	if (!dst) {
		c->err = -ENOMEM;
		return;
	}
	if (cow && !pte_special(pte)) {
		/* copy_present_pte: write-protect both sides of a COW mapping */
		pte &= ~_PAGE_RW;
		*ptep = pte;
	}
	set_pte(dtable, dst, pte & ~_PAGE_ACCESSED);
	if (pte_special(pte)) {
		ksm_fork_zero_pte(m, c->dst, pte);
		return;
	}
	pfn_to_page(m, pte_pfn(pte))->_mapcount++;
	inc_mm_counter(c->dst, mm_counter(pfn_to_page(m, pte_pfn(pte))));
}

int copy_page_range(struct machine *m, struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *vma)
{
	/* vma_needs_copy: file pages the child can fault in again are not
	 * copied, unless the VMA has private (anon) pages */
	struct copy_arg c = { dst, vma, 0 };

	if (vma->vm_file && !vma->anon_vma)
		return 0;
	walk_ptes(m, src, vma->vm_start, vma->vm_end, copy_cb, &c, true);
	return c.err;
}

static void wrprotect_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	(void)m;
	(void)table;
	(void)addr;
	(void)arg;
	*ptep &= ~_PAGE_RW;
}

/* mprotect removing write: the ptes lose it too */
void change_pte_range_wrprotect(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	for_each_present_pte(NULL, mm, start, end, wrprotect_cb, NULL);
}

void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

static bool unmap_one(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = pte_pfn(*ptep);
	struct page *page = pfn_to_page(m, pfn);
	pte_t pte = *ptep;

	(void)arg;
	(void)addr;
	if (vma->vm_flags & VM_LOCKED)
		return false;
	if (pte_dirty(pte) && !page_test(page, PG_anon))
		folio_mark_dirty(m, pfn);
	if (page_test(page, PG_anon)) {
		/* a swap pte in its place: the slot gains a reference */
		swp_entry_t entry = page_swap_entry(m, pfn);

		if (pte_dirty(pte))
			page_set(page, PG_dirty);
		swap_duplicate(m, entry);
		*ptep = swp_entry_to_pte(entry) | (pte_soft_dirty(pte) ? _PAGE_SWP_SOFT_DIRTY : 0);
		dec_mm_counter(mm, MM_ANONPAGES);
		inc_mm_counter(mm, MM_SWAPENTS);
	} else {
		struct pt_page *table;

		walk_to_pte(m, mm, addr, false, 0, &table);
		set_pte(table, ptep, 0);
		dec_mm_counter(mm, mm_counter(page));
	}
	m->nr_tlb_local_flush_one++;
	page->_mapcount--;
	if (page->_mapcount < 0)
		__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat,
				      page_test(page, PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
	return page->_mapcount >= 0;
}

/* try_to_unmap: every pte of the page goes (anon: for its swap entry,
 * which the caller put in the swap cache) */
void try_to_unmap(struct machine *m, unsigned long pfn)
{
	rmap_walk(m, pfn, unmap_one, NULL);
}

/* unuse_mm (mm/swapfile.c): the task's swap ptes of device `type` are
 * faulted back in */
struct unuse_arg {
	unsigned int type;
	GArray *addrs;
};

static void unuse_cb(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct unuse_arg *u = arg;

	(void)m;
	(void)table;
	if (!pte_present(*ptep) && swp_type(pte_to_swp_entry(*ptep)) == u->type)
		g_array_append_val(u->addrs, addr);
}

int unuse_mm(struct machine *m, struct task_struct *t, unsigned int type)
{
	struct vm_area_struct *vma;
	struct task_struct *prev = syscall_enter(m, t);
	int err = 0;

	for_each_vma(t->mm, it, vma) {
		struct unuse_arg u = { type, g_array_new(FALSE, FALSE, sizeof(unsigned long)) };

		if (vma->anon_vma)
			walk_ptes(m, t->mm, vma->vm_start, vma->vm_end, unuse_cb, &u, true);
		for (guint i = 0; i < u.addrs->len && !err; i++) {
			unsigned long addr = g_array_index(u.addrs, unsigned long, i);
			pte_t *ptep = pte_lookup(t->mm, addr);

			if (ptep && *ptep && !pte_present(*ptep))
				err = do_swap_page(m, t, vma, addr, ptep, false);
		}
		g_array_free(u.addrs, TRUE);
		if (err)
			break;
	}
	m->current = prev;
	return err;
}
