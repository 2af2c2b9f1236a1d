/*
 * ksmd and the processes it scans (mm/ksm.c's scan half).
 *
 * Models:
 * - __ksm_enter / __ksm_exit / ksm_fork: a process joins ksmd's list with
 *   its first mergeable VMA (or prctl), a forked child of a joined process
 *   joins too, an exiting one leaves with its rmap_items;
 * - ksm_scan_thread: every sleep_millisecs of simulated time while run is
 *   1 and a process is joined, ksm_do_scan of pages_to_scan pages;
 * - scan_get_next_rmap_item: process by process, mergeable VMA by VMA,
 *   the present anon pages; rmap_items of addresses no longer mapped are
 *   dropped (remove_trailing_rmap_items); the end of the list is a full
 *   scan: the unstable tree starts again empty;
 * - unmerge_and_remove_all_rmap_items (run 2), unmerge_ksm_pages
 *   (MADV_UNMERGEABLE, prctl 0).
 * Simplifies:
 * - ksmd runs between commands, as if on a CPU of its own.
 */
#include <errno.h>
#include <limits.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "ksm_internal.h"

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	unsigned long x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)data;
	return x < y ? -1 : x > y;
}

/* vma_ksm_compatible: what MADV_MERGEABLE takes */
static bool vma_ksm_compatible(const struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_HUGETLB |
				  VM_MIXEDMAP));
}

bool vma_ksm_mergeable(const struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_MERGEABLE)
		return true;
	return vma->vm_mm->ksm_slot && vma->vm_mm->ksm_slot->merge_any && vma_ksm_compatible(vma);
}

/* __ksm_enter: behind the scan cursor */
static struct ksm_mm_slot *ksm_enter(struct machine *m, struct mm_struct *mm)
{
	struct ksm_state *k = m->ksm;
	struct ksm_mm_slot *slot;

	if (mm->ksm_slot)
		return mm->ksm_slot;
	slot = g_new0(struct ksm_mm_slot, 1);
	slot->mm = mm;
	slot->rmap_items = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
	mm->ksm_slot = slot;
	if (k->scan_slot < k->mm_slots->len && (k->scan_slot || k->scan_address)) {
		g_ptr_array_insert(k->mm_slots, (gint)k->scan_slot, slot);
		k->scan_slot++;
	} else {
		/* the cursor at the list head: at the end, in this round */
		g_ptr_array_add(k->mm_slots, slot);
	}
	ksm_arm(m);
	return slot;
}

void ksm_free_rmap_item(struct machine *m, struct ksm_rmap_item *item)
{
	remove_rmap_item_from_tree(m, item);
	g_tree_remove(item->slot->rmap_items, GSIZE_TO_POINTER(item->address));
	item->slot->ksm_rmap_items--;
	m->ksm->rmap_items--;
	g_free(item);
}

static void remove_items_between(struct machine *m, struct ksm_mm_slot *slot, unsigned long from, unsigned long to);

static void ksm_slot_free(struct machine *m, struct ksm_mm_slot *slot)
{
	struct ksm_state *k = m->ksm;
	guint idx;

	remove_items_between(m, slot, 0, ULONG_MAX);
	if (g_ptr_array_find(k->mm_slots, slot, &idx)) {
		g_ptr_array_remove_index(k->mm_slots, idx);
		if (idx < k->scan_slot)
			k->scan_slot--;
		else if (idx == k->scan_slot)
			k->scan_address = 0;
	}
	m->ksm->zero_pages -= slot->ksm_zero_pages;
	slot->mm->ksm_slot = NULL;
	g_tree_destroy(slot->rmap_items);
	g_free(slot);
}

void ksm_exit(struct machine *m, struct mm_struct *mm)
{
	if (mm->ksm_slot)
		ksm_slot_free(m, mm->ksm_slot);
}

void ksm_fork(struct machine *m, struct mm_struct *child, struct mm_struct *parent)
{
	if (parent->ksm_slot) {
		ksm_enter(m, child)->merge_any = parent->ksm_slot->merge_any;
	}
}

/* The first present anon page of a mergeable VMA from the cursor on;
 * false at the end of the process */
static bool scan_next_page(struct machine *m, struct ksm_mm_slot *slot, unsigned long *pfn)
{
	struct ksm_state *k = m->ksm;
	struct vm_area_struct *vma;

	while ((vma = find_vma(slot->mm, k->scan_address))) {
		unsigned long a = MAX(k->scan_address, vma->vm_start);

		if (!vma_ksm_mergeable(vma) || !vma->anon_vma) {
			k->scan_address = vma->vm_end;
			continue;
		}
		while (a < vma->vm_end) {
			pte_t *ptep = pte_lookup(slot->mm, a);

			if (!ptep) {
				/* no page table: the next 2 MiB */
				a = (a | (KSM_PTE_TABLE_SPAN - 1)) + 1;
				continue;
			}
			if (pte_present(*ptep) && !pte_special(*ptep) &&
			    page_test(pfn_to_page(m, pte_pfn(*ptep)), PG_anon)) {
				k->scan_address = a + PAGE_SIZE;
				*pfn = pte_pfn(*ptep);
				return true;
			}
			a += PAGE_SIZE;
		}
		k->scan_address = vma->vm_end;
	}
	return false;
}

static struct ksm_rmap_item *get_next_rmap_item(struct machine *m, struct ksm_mm_slot *slot, unsigned long addr)
{
	struct ksm_rmap_item *item = g_tree_lookup(slot->rmap_items, GSIZE_TO_POINTER(addr));

	if (item)
		return item;
	item = g_new0(struct ksm_rmap_item, 1);
	item->slot = slot;
	item->address = addr;
	item->oldchecksum = KSM_NO_CHECKSUM;
	g_tree_insert(slot->rmap_items, GSIZE_TO_POINTER(addr), item);
	slot->ksm_rmap_items++;
	m->ksm->rmap_items++;
	return item;
}

/* rmap_items of addresses in [from, to) map nothing mergeable any more
 * (get_next_rmap_item, remove_trailing_rmap_items) */
static void remove_items_between(struct machine *m, struct ksm_mm_slot *slot, unsigned long from, unsigned long to)
{
	GTreeNode *n;

	while ((n = g_tree_lower_bound(slot->rmap_items, GSIZE_TO_POINTER(from))) &&
	       GPOINTER_TO_SIZE(g_tree_node_key(n)) < to)
		ksm_free_rmap_item(m, g_tree_node_value(n));
}

/* The end of the list: a full scan; the unstable tree starts again */
static void ksm_full_scan_done(struct machine *m)
{
	struct ksm_state *k = m->ksm;

	k->scan_slot = 0;
	k->scan_address = 0;
	k->seqnr++;
	k->full_scans++;
	g_tree_remove_all(k->unstable_tree);
}

/* scan_get_next_rmap_item: the next page to compare, or NULL at the end
 * of a full scan */
static struct ksm_rmap_item *scan_get_next_rmap_item(struct machine *m, unsigned long *pfn)
{
	struct ksm_state *k = m->ksm;

	while (k->scan_slot < k->mm_slots->len) {
		struct ksm_mm_slot *slot = g_ptr_array_index(k->mm_slots, k->scan_slot);
		unsigned long prev = k->scan_address;
		struct ksm_rmap_item *item;

		if (!scan_next_page(m, slot, pfn)) {
			remove_items_between(m, slot, prev, ULONG_MAX);
			k->scan_slot++;
			k->scan_address = 0;
			continue;
		}
		remove_items_between(m, slot, prev, k->scan_address - PAGE_SIZE);
		item = get_next_rmap_item(m, slot, k->scan_address - PAGE_SIZE);
		if (should_skip_rmap_item(m, *pfn, item)) {
			k->pages_skipped++;
			continue;
		}
		return item;
	}
	ksm_full_scan_done(m);
	return NULL;
}

void ksm_do_scan(struct machine *m, unsigned int nr)
{
	struct ksm_state *k = m->ksm;
	unsigned long scanned = 0;

	while (nr--) {
		unsigned long pfn;
		struct ksm_rmap_item *item = scan_get_next_rmap_item(m, &pfn);

		if (!item)
			break;
		cmp_and_merge_page(m, pfn, item);
		k->pages_scanned++;
		scanned++;
	}
	if (k->ksmd)
		k->ksmd->stime_ns += scanned * KSM_SCAN_COST_NS;
}

static bool ksmd_should_run(struct ksm_state *k)
{
	return (k->run & KSM_RUN_MERGE) && k->mm_slots->len;
}

static void ksm_timer(struct machine *m, void *arg)
{
	struct ksm_state *k = m->ksm;

	(void)arg;
	k->timer_armed = false;
	if (!ksmd_should_run(k))
		return;
	ksm_do_scan(m, k->pages_to_scan);
	m->nr_context_switches += 2;
	machine_debug_check(m, "ksmd");
	ksm_arm(m);
}

/* ksm_scan_thread's sleep: the next batch after sleep_millisecs */
void ksm_arm(struct machine *m)
{
	struct ksm_state *k = m->ksm;

	if (k->timer_armed || !ksmd_should_run(k))
		return;
	if (!k->ksmd) {
		GHashTableIter it;
		gpointer key, val;

		g_hash_table_iter_init(&it, m->tasks);
		while (g_hash_table_iter_next(&it, &key, &val))
			if (((struct task_struct *)val)->flags & PF_KTHREAD &&
			    !strcmp(((struct task_struct *)val)->comm, "ksmd"))
				k->ksmd = val;
	}
	k->timer_armed = true;
	mod_timer(m, m->now_ns + (uint64_t)k->sleep_millisecs * NSEC_PER_MSEC, "ksmd", ksm_timer, NULL);
}

/* ---- unmerging ---- */

static struct task_struct *mm_task(struct machine *m, struct mm_struct *mm)
{
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (((struct task_struct *)val)->mm == mm)
			return val;
	return NULL;
}

/* break_ksm: a write fault (FAULT_FLAG_UNSHARE) gives the address a page
 * of its own */
int unmerge_ksm_pages(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct task_struct *t = NULL;

	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(vma->vm_mm, a);
		bool ksm;
		int err;

		if (!ptep) {
			a = (a | (KSM_PTE_TABLE_SPAN - 1)) + 1 - PAGE_SIZE;
			continue;
		}
		if (!pte_present(*ptep))
			continue;
		ksm = pte_special(*ptep) ? is_ksm_zero_pte(m, *ptep) : page_test(pfn_to_page(m, pte_pfn(*ptep)), PG_ksm);
		if (!ksm)
			continue;
		if (!t && !(t = mm_task(m, vma->vm_mm)))
			return 0;
		if ((err = handle_mm_fault(m, t, vma, a, true)))
			return err;
	}
	return 0;
}

static int unmerge_vmas(struct machine *m, struct mm_struct *mm, bool clear_flag)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma) {
		int err;

		if (!vma_ksm_mergeable(vma) || !vma->anon_vma)
			continue;
		if ((err = unmerge_ksm_pages(m, vma, vma->vm_start, vma->vm_end)))
			return err;
		if (clear_flag)
			vma->vm_flags &= ~VM_MERGEABLE;
	}
	return 0;
}

/* unmerge_and_remove_all_rmap_items (run 2) */
static int unmerge_and_remove_all_rmap_items(struct machine *m)
{
	struct ksm_state *k = m->ksm;

	for (guint i = 0; i < k->mm_slots->len; i++) {
		struct ksm_mm_slot *slot = g_ptr_array_index(k->mm_slots, i);
		int err = unmerge_vmas(m, slot->mm, false);

		remove_items_between(m, slot, 0, ULONG_MAX);
		if (err)
			return err;
	}
	k->scan_slot = 0;
	k->scan_address = 0;
	k->seqnr = 0;
	k->full_scans = 0;
	g_tree_remove_all(k->unstable_tree);
	return 0;
}

/* ---- the entry points ---- */

int ksm_madvise(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end,
		int advice)
{
	if (advice == MADV_MERGEABLE) {
		if ((vma->vm_flags & VM_MERGEABLE) || !vma_ksm_compatible(vma))
			return 0; /* just ignore the advice */
		ksm_enter(m, vma->vm_mm);
		vma->vm_flags |= VM_MERGEABLE;
		return 0;
	}
	if (!(vma->vm_flags & VM_MERGEABLE))
		return 0;
	if (vma->anon_vma) {
		int err = unmerge_ksm_pages(m, vma, start, end);

		if (err)
			return err;
	}
	vma->vm_flags &= ~VM_MERGEABLE;
	return 0;
}

/* ksm_enable_merge_any / ksm_disable_merge_any */
int ksm_set_memory_merge(struct machine *m, struct task_struct *t, bool on)
{
	struct mm_struct *mm = t->mm;
	int err;

	if (on) {
		ksm_enter(m, mm)->merge_any = true;
		return 0;
	}
	if (!mm->ksm_slot || !mm->ksm_slot->merge_any)
		return 0;
	if ((err = unmerge_vmas(m, mm, true)))
		return err;
	mm->ksm_slot->merge_any = false;
	return 0;
}

int ksm_get_memory_merge(struct task_struct *t)
{
	return t->mm && t->mm->ksm_slot && t->mm->ksm_slot->merge_any;
}

/* run_store */
int ksm_set_run(struct machine *m, unsigned int run)
{
	struct ksm_state *k = m->ksm;

	if (run > KSM_RUN_UNMERGE)
		return -EINVAL;
	if (k->run != run) {
		k->run = run;
		if (run & KSM_RUN_UNMERGE) {
			int err = unmerge_and_remove_all_rmap_items(m);

			if (err) {
				k->run = KSM_RUN_STOP;
				return err;
			}
		}
	}
	ksm_arm(m);
	machine_debug_check(m, "ksm run");
	return 0;
}
