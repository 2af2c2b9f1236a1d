/*
 * mm/memory.c (with bits of mm/rmap.c and mm/pgtable-generic.c): page
 * tables, demand paging, copy-on-write and unmapping.
 *
 * Models: x86-64 4-level page tables whose pages come from the buddy
 * allocator (NR_PAGETABLE, VmPTE) and are freed when empty; handle_mm_fault
 * with do_anonymous_page (a read of untouched private memory maps the shared
 * zero page, a write allocates a page), do_wp_page (reuse an exclusive page,
 * copy a shared one), shared anonymous (shmem) pages; copy_page_range for
 * fork write-protecting private memory; zap_page_range for munmap,
 * MADV_DONTNEED and exit; the rmap counts (page->_mapcount) that PSS and
 * the LRU-less anon accounting (AnonPages, Inactive(anon)) use.
 * Simplifies: no LRU lists yet (the counters move, the lists come with
 * reclaim); file mappings (program text, libraries) have no page cache yet,
 * so touching them maps nothing; no huge pages; TLB flushes are counted per
 * range, not per CPU.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"

#define PGD_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
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
	pt = g_new0(struct pt_page, 1);
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
	g_free(pt);
}

/* The pte slot of addr, allocating the tables on the way when alloc */
static pte_t *walk_to_pte(struct machine *m, struct mm_struct *mm, unsigned long addr, bool alloc,
			  int nid, struct pt_page **pte_table)
{
	static const int shifts[3] = { PGD_SHIFT, PUD_SHIFT, PMD_SHIFT };
	struct pt_page *table = mm->pgd;

	if (mm->pte_cache && (addr >> PMD_SHIFT) == mm->pte_cache_base) {
		if (pte_table)
			*pte_table = mm->pte_cache;
		return &mm->pte_cache->e[IDX(addr, PAGE_SHIFT)];
	}
	for (int level = 0; level < 3; level++) {
		uint64_t *slot = &table->e[IDX(addr, shifts[level])];

		if (!*slot) {
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
	if (pte_table)
		*pte_table = table;
	return &table->e[IDX(addr, PAGE_SHIFT)];
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

static void lru_account(struct machine *m, unsigned long pfn, bool anon, long delta)
{
	struct zone *zone = page_zone_of(m, pfn);

	/* new pages enter the inactive list (lru_cache_add_inactive_or_unevictable) */
	__mod_zone_page_state(zone, anon ? NR_ZONE_INACTIVE_ANON : NR_ZONE_INACTIVE_FILE, delta);
	__mod_node_page_state(zone->zone_pgdat, anon ? NR_INACTIVE_ANON : NR_INACTIVE_FILE, delta);
}

static void page_add_new_anon_rmap(struct machine *m, unsigned long pfn, struct vm_area_struct *vma)
{
	struct page *page = pfn_to_page(m, pfn);
	struct anon_vma *av = anon_vma_get(vma);

	page->_mapcount = 0;
	page_set(page, PG_anon);
	page_set(page, PG_swapbacked);
	page->private = (uint64_t)(uintptr_t)av;
	av->nr_pages++;
	__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat, NR_ANON_MAPPED, 1);
	lru_account(m, pfn, true, 1);
}

/* A page's last mapping went away: free it (anon) or leave it to its shmem
 * object */
static void page_remove_rmap(struct machine *m, unsigned long pfn)
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
	((struct anon_vma *)(uintptr_t)page->private)->nr_pages--;
	__mod_node_page_state(zone->zone_pgdat, NR_ANON_MAPPED, -1);
	lru_account(m, pfn, true, -1);
	page->flags &= ~((1u << PG_anon) | (1u << PG_swapbacked) | (1u << PG_dirty) | (1u << PG_referenced));
	page->private = 0;
	__free_pages(m, pfn, 0, 0);
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
	       (writable ? _PAGE_RW : 0) | (dirty ? _PAGE_DIRTY : 0);
}

/* The task's kernel time, also the busy time of the CPU it runs on */
void account_system_time(struct machine *m, struct task_struct *t, uint64_t ns)
{
	struct cpu_state *c = &m->cpus[t->cpu];

	t->stime_ns += ns;
	c->busy_ns += ns;
	c->system = c->busy_ns / (NSEC_PER_SEC / USER_HZ);
}

static void count_fault(struct machine *m, struct task_struct *t)
{
	count_vm_event(m, PGFAULT);
	t->min_flt++;
	account_system_time(m, t, FAULT_COST_NS);
}

/* ---- shmem ---- */

static long shmem_get_page(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
			   unsigned long addr)
{
	gpointer key = GSIZE_TO_POINTER((addr - vma->vm_start) / PAGE_SIZE + vma->vm_pgoff);
	gpointer v = g_hash_table_lookup(vma->shm->pages, key);
	long pfn;

	if (v)
		return (long)GPOINTER_TO_SIZE(v) - 1;
	pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t->cpu);
	if (pfn < 0)
		return pfn;
	pfn_to_page(m, (unsigned long)pfn)->_mapcount = -1;
	page_set(pfn_to_page(m, (unsigned long)pfn), PG_swapbacked);
	g_hash_table_insert(vma->shm->pages, key, GSIZE_TO_POINTER((gsize)pfn + 1));
	__mod_node_page_state(page_zone_of(m, (unsigned long)pfn)->zone_pgdat, NR_SHMEM, 1);
	__mod_node_page_state(page_zone_of(m, (unsigned long)pfn)->zone_pgdat, NR_FILE_PAGES, 1);
	lru_account(m, (unsigned long)pfn, true, 1);
	return pfn;
}

/* Free a shmem object's pages once no VMA maps it */
void shmem_put(struct machine *m, struct shmem_object *shm)
{
	GHashTableIter it;
	gpointer k, v;

	if (!shm || --shm->refcount > 0)
		return;
	g_hash_table_iter_init(&it, shm->pages);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		unsigned long pfn = GPOINTER_TO_SIZE(v) - 1;
		struct page *page = pfn_to_page(m, pfn);

		__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat, NR_SHMEM, -1);
		__mod_node_page_state(page_zone_of(m, pfn)->zone_pgdat, NR_FILE_PAGES, -1);
		lru_account(m, pfn, true, -1);
		page->flags &= ~((1u << PG_swapbacked) | (1u << PG_dirty));
		__free_pages(m, pfn, 0, 0);
	}
	g_hash_table_destroy(shm->pages);
	g_free(shm);
}

/* ---- faults ---- */

/* do_anonymous_page / do_shared_fault / do_wp_page for one address */
int handle_mm_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
		    unsigned long addr, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	struct pt_page *table;
	pte_t *ptep = walk_to_pte(m, mm, addr, true, task_node(m, t), &table);
	pte_t pte;
	long pfn;

	if (!ptep)
		return -ENOMEM;
	pte = *ptep;
	if (pte_present(pte)) {
		if (!write || pte_write(pte)) {
			/* the hardware sets accessed/dirty: no fault */
			*ptep |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
			return 0;
		}
		if (vma->shm) {
			/* a write to a read-only pte of a writable shared mapping */
			*ptep |= _PAGE_RW | _PAGE_DIRTY;
			count_fault(m, t);
			return 0;
		}
		if (!pte_special(pte)) {
			struct page *page = pfn_to_page(m, pte_pfn(pte));

			if (page->_mapcount == 0) {
				/* do_wp_page: the only mapper reuses the page */
				*ptep |= _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED;
				count_vm_event(m, PGREUSE);
				count_fault(m, t);
				return 0;
			}
		}
		/* wp_page_copy: a private copy of a shared or zero page */
		pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t->cpu);
		if (pfn < 0)
			return (int)pfn;
		page_add_new_anon_rmap(m, (unsigned long)pfn, vma);
		if (!pte_special(pte)) {
			if ((vma->vm_flags & VM_LOCKED) && page_test(pfn_to_page(m, pte_pfn(pte)), PG_mlocked))
				munlock_page_pte(m, pte);
			page_remove_rmap(m, pte_pfn(pte));
			account_system_time(m, t, PAGE_COPY_COST_NS);
		} else {
			mm->rss_stat[MM_ANONPAGES]++;
		}
		*ptep = mk_pte((unsigned long)pfn, true, true);
		if (vma->vm_flags & VM_LOCKED)
			mlock_page_pte(m, *ptep);
		m->nr_tlb_local_flush_one++;
		count_fault(m, t);
		return 0;
	}
	if (vma->kind == VMA_FILE && !vma->shm && !vma->anon_vma && !(vma->vm_flags & VM_WRITE)) {
		/* file pages come with the page cache (later issue) */
		return 0;
	}
	if (vma->shm) {
		pfn = shmem_get_page(m, t, vma, addr);
		if (pfn < 0)
			return (int)pfn;
		if (pfn_to_page(m, (unsigned long)pfn)->_mapcount++ == -1)
			__mod_node_page_state(page_zone_of(m, (unsigned long)pfn)->zone_pgdat, NR_FILE_MAPPED, 1);
		set_pte(table, ptep, mk_pte((unsigned long)pfn, write, write));
		mm->rss_stat[MM_SHMEMPAGES]++;
		if (vma->vm_flags & VM_LOCKED)
			mlock_page_pte(m, *ptep);
		count_fault(m, t);
		return 0;
	}
	if (!write) {
		/* do_anonymous_page, read: the shared zero page, no memory used */
		set_pte(table, ptep, ((pte_t)m->zero_pfn << PTE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER |
					     _PAGE_ACCESSED | _PAGE_SPECIAL);
		count_fault(m, t);
		return 0;
	}
	pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t->cpu);
	if (pfn < 0)
		return (int)pfn;
	page_add_new_anon_rmap(m, (unsigned long)pfn, vma);
	set_pte(table, ptep, mk_pte((unsigned long)pfn, true, true));
	mm->rss_stat[MM_ANONPAGES]++;
	/* mlock_new_folio: a new page of a locked VMA is unevictable at once */
	if (vma->vm_flags & VM_LOCKED)
		mlock_page_pte(m, *ptep);
	count_fault(m, t);
	return 0;
}

/* ---- walking ---- */

typedef void (*pte_range_fn)(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr,
			     void *arg);

/* Every present pte in [start, end), with the table that holds it */
static void for_each_present_pte(struct machine *m, struct mm_struct *mm, unsigned long start,
				 unsigned long end, pte_range_fn fn, void *arg)
{
	unsigned long addr = start;

	while (addr < end) {
		struct pt_page *pud, *pmd, *pte;
		uint64_t e;
		unsigned long next;

		e = mm->pgd->e[IDX(addr, PGD_SHIFT)];
		if (!e) {
			addr = ((addr >> PGD_SHIFT) + 1) << PGD_SHIFT;
			continue;
		}
		pud = (struct pt_page *)(uintptr_t)e;
		e = pud->e[IDX(addr, PUD_SHIFT)];
		if (!e) {
			addr = ((addr >> PUD_SHIFT) + 1) << PUD_SHIFT;
			continue;
		}
		pmd = (struct pt_page *)(uintptr_t)e;
		e = pmd->e[IDX(addr, PMD_SHIFT)];
		next = ((addr >> PMD_SHIFT) + 1) << PMD_SHIFT;
		if (next > end)
			next = end;
		if (!e) {
			addr = next;
			continue;
		}
		pte = (struct pt_page *)(uintptr_t)e;
		for (; addr < next; addr += PAGE_SIZE) {
			pte_t *ptep = &pte->e[IDX(addr, PAGE_SHIFT)];

			if (pte_present(*ptep))
				fn(m, pte, ptep, addr, arg);
		}
	}
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
	set_pte(table, ptep, 0);
	z->nr++;
	if (pte_special(pte))
		return;
	if (pfn_to_page(m, pte_pfn(pte))->flags & (1u << PG_anon))
		z->mm->rss_stat[MM_ANONPAGES]--;
	else
		z->mm->rss_stat[MM_SHMEMPAGES]--;
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
	for_each_present_pte(m, mm, start, end, zap_cb, &z);
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
		for (int i = 0; i < PTRS_PER_TABLE && table->nr_used; i++) {
			struct pt_page *child = (struct pt_page *)(uintptr_t)table->e[i];

			if (child && free_level(m, mm, child, level + 1)) {
				table->e[i] = 0;
				table->nr_used--;
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
	if (pte_special(pte))
		return;
	pfn_to_page(m, pte_pfn(pte))->_mapcount++;
	if (pfn_to_page(m, pte_pfn(pte))->flags & (1u << PG_anon))
		c->dst->rss_stat[MM_ANONPAGES]++;
	else
		c->dst->rss_stat[MM_SHMEMPAGES]++;
}

int copy_page_range(struct machine *m, struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *vma)
{
	struct copy_arg c = { dst, vma, 0 };

	for_each_present_pte(m, src, vma->vm_start, vma->vm_end, copy_cb, &c);
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

/* ---- the access path: loads and stores from a simulated program ---- */

static unsigned long fault_error_code(bool present, bool write)
{
	/* X86_PF_PROT 1, X86_PF_WRITE 2, X86_PF_USER 4 */
	return (present ? 1 : 0) | (write ? 2 : 0) | 4;
}

int access_process_range(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
			 bool write)
{
	struct mm_struct *mm = t->mm;
	unsigned long end = addr + len, a;
	struct vm_area_struct *vma = NULL;
	struct task_struct *prev;
	int err = 0;

	if (!mm)
		return -EINVAL;
	if (!len || end < addr)
		return -EINVAL;
	prev = syscall_enter(m, t);
	for (a = addr & PAGE_MASK; a < end; a += PAGE_SIZE) {
		/* killed by the OOM killer meanwhile: stop, die on return */
		if (fatal_signal_pending(t)) {
			err = -EINTR;
			break;
		}
		if (!vma || a >= vma->vm_end) {
			vma = find_vma(mm, a);
			if (!vma || vma->vm_start > a) {
				if (vma && (vma->vm_flags & VM_GROWSDOWN) && vma->vm_start - a <= STACK_GUARD_GAP) {
					/* the stack would grow: not modelled beyond its VMA */
				}
				m->current = prev;
				force_sig_segv(m, t, a < addr ? addr : a, 0, write);
				return -EFAULT;
			}
			if ((write && !(vma->vm_flags & VM_WRITE)) ||
			    (!write && !(vma->vm_flags & (VM_READ | VM_EXEC)))) {
				/* X86_PF_PROT only when a page is there */
				pte_t *ptep = pte_lookup(mm, a);

				m->current = prev;
				force_sig_segv(m, t, a < addr ? addr : a, ptep && pte_present(*ptep), write);
				return -EFAULT;
			}
		}
		err = handle_mm_fault(m, t, vma, a, write);
		if (err) {
			/* VM_FAULT_OOM: the allocator's OOM killer did not help */
			if (err == -ENOMEM && !m->panicked)
				pagefault_out_of_memory(m, t);
			break;
		}
	}
	update_hiwater_rss(mm);
	return (int)syscall_exit_oom(m, t->pid, prev, err);
}

/* The kernel's show_signal_msg line, then the process dies */
void force_sig_segv(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long prot,
		    bool write)
{
	struct vm_area_struct *text = NULL, *vma;
	unsigned long sp = t->mm ? t->mm->start_stack : 0;

	if (t->mm) {
		for_each_vma(t->mm, it, vma) {
			if (vma->kind == VMA_FILE && (vma->vm_flags & VM_EXEC)) {
				text = vma;
				break;
			}
		}
	}
	if (text)
		printk(m, "%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx in %s[%lx+%lx] likely on CPU %d (core %d, socket %d)",
		       t->comm, t->pid, addr, text->vm_start, sp, fault_error_code(prot, write),
		       strrchr(text->file, '/') ? strrchr(text->file, '/') + 1 : text->file, text->vm_start,
		       text->vm_end - text->vm_start, t->cpu, t->cpu, cpu_to_node(m, t->cpu));
	else
		printk(m, "%s[%d]: segfault at %lx ip 0000000000000000 sp %016lx error %lx", t->comm, t->pid, addr,
		       sp, fault_error_code(prot, write));
	sys_exit(m, t);
}
