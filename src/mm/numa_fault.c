/*
 * Automatic NUMA balancing, the fault side: mm/memory.c do_numa_page and
 * numa_migrate_check, mm/mempolicy.c mpol_misplaced, kernel/sched/fair.c
 * should_numa_migrate_memory, task_numa_fault, task_numa_placement and
 * update_task_scan_period, mm/migrate.c migrate_misplaced_folio.
 *
 * Models:
 * - the access to a PROT_NONE pte is a hinting fault: numa_hint_faults,
 *   numa_hint_faults_local when the page is on the task's node; the pte
 *   is made ordinary again
 * - only the default policy (local, MPOL_F_MOF | MPOL_F_MORON) moves
 *   pages: towards the faulting CPU's node, when the two-stage
 *   last_cpupid filter agrees (the first faults and private ones early
 *   in a task's life at once; then only a second fault from the same
 *   node; private faults always)
 * - migrate_misplaced_folio_prepare: dirty file pages and shared
 *   executable file pages stay; a target node without high watermark +
 *   the page free refuses (EAGAIN); the page leaves its LRU; then
 *   migrate_pages (MIGRATE_ASYNC, MR_NUMA_MISPLACED) on a page of the
 *   target node allocated without reclaim: numa_pages_migrated
 * - task_numa_fault: the fault counts per node and private/shared,
 *   locality (remote, local, failed migration); task_numa_placement once
 *   per scan pass decays the counts (halved plus the new ones) and takes
 *   the node with the most as preferred; update_task_scan_period (10
 *   slots, threshold 7: slower when private or local faults dominate,
 *   faster otherwise, doubled when nothing was recorded)
 * Simplifies:
 * - no numa groups (shared faults count as the task's own) and no task
 *   migration to the preferred node: a task's CPU is its affinity's
 *   (numa_migrate_preferred only retries the placement)
 * - no CPU-side fault buckets (they weigh numa groups and task moves)
 */
#include <errno.h>

#include "numa_balancing_internal.h"
#include "mm_internal_proc.h"
#include "migrate.h"

static int page_nid(struct machine *m, unsigned long pfn)
{
	return __pfn_to_section(m, pfn)->nid;
}

/* ---- the task's fault statistics ---- */

static unsigned long *faults_slot(struct machine *m, struct numa_task *nt, int stat, int nid, int priv)
{
	return &nt->numa_faults[((size_t)stat * (size_t)m->nr_nodes + (size_t)nid) * NR_NUMA_HINT_FAULT_TYPES +
				(size_t)priv];
}

/*
 * update_task_scan_period: shared and private are this pass's faults;
 * locality the remote, local and failed counts since the last update
 */
static void update_task_scan_period(struct machine *m, struct task_struct *t, unsigned long shared,
				    unsigned long private)
{
	const int slots = 10, threshold = 7;
	struct numa_task *nt = t->numa;
	unsigned long remote = nt->numa_faults_locality[0], local = nt->numa_faults_locality[1];
	int period_slot, lr_ratio, ps_ratio, diff, period;

	if (local + shared == 0 || nt->numa_faults_locality[2]) {
		nt->numa_scan_period = MIN(nt->numa_scan_period_max, nt->numa_scan_period << 1);
		t->mm->numa_next_scan = m->now_ns + (uint64_t)nt->numa_scan_period * NSEC_PER_MSEC;
		return;
	}
	period_slot = (int)((nt->numa_scan_period + (unsigned int)slots - 1) / (unsigned int)slots);
	lr_ratio = (int)(local * (unsigned long)slots / (local + remote));
	ps_ratio = (int)(private * (unsigned long)slots / (private + shared));
	if (ps_ratio >= threshold || lr_ratio >= threshold) {
		int slot = (ps_ratio >= threshold ? ps_ratio : lr_ratio) - threshold;

		diff = (slot ? slot : 1) * period_slot;
	} else {
		diff = -(threshold - MAX(lr_ratio, ps_ratio)) * period_slot;
	}
	period = (int)nt->numa_scan_period + diff;
	period = CLAMP(period, (int)task_scan_min(m, t), (int)task_scan_max(m, t));
	nt->numa_scan_period = (unsigned int)period;
	memset(nt->numa_faults_locality, 0, sizeof(nt->numa_faults_locality));
}

/* task_numa_placement: once per scan pass, the decayed counts and the
 * preferred node */
static void task_numa_placement(struct machine *m, struct task_struct *t)
{
	struct numa_task *nt = t->numa;
	unsigned long fault_types[2] = { 0, 0 }, max_faults = 0;
	int max_nid = NUMA_NO_NODE;

	if (nt->numa_scan_seq == t->mm->numa_scan_seq)
		return;
	nt->numa_scan_seq = t->mm->numa_scan_seq;
	nt->numa_scan_period_max = task_scan_max(m, t);
	for_each_online_node(m, nid) {
		unsigned long faults = 0;

		for (int priv = 0; priv < NR_NUMA_HINT_FAULT_TYPES; priv++) {
			unsigned long *mem = faults_slot(m, nt, NUMA_MEM, nid, priv);
			unsigned long *buf = faults_slot(m, nt, NUMA_MEMBUF, nid, priv);
			long diff = (long)*buf - (long)(*mem / 2);

			fault_types[priv] += *buf;
			*buf = 0;
			*mem = (unsigned long)((long)*mem + diff);
			faults += *mem;
			nt->total_numa_faults = (unsigned long)((long)nt->total_numa_faults + diff);
		}
		if (faults > max_faults) {
			max_faults = faults;
			max_nid = nid;
		}
	}
	if (max_faults && max_nid != nt->numa_preferred_nid)
		nt->numa_preferred_nid = max_nid;
	update_task_scan_period(m, t, fault_types[0], fault_types[1]);
}

/* task_numa_fault: pages faulted on mem_node */
static void task_numa_fault(struct machine *m, struct task_struct *t, int last_cpupid, int mem_node, int pages,
			    int flags)
{
	struct numa_task *nt;
	int priv, local = !!(flags & TNF_FAULT_LOCAL);

	if (!numab_mode(m) || !t->mm)
		return;
	if (!node_is_toptier(m, mem_node) &&
	    ((numab_mode(m) & NUMA_BALANCING_MEMORY_TIERING) || !cpupid_valid(m, last_cpupid)))
		return;
	nt = task_numa(m, t);
	if (!nt->numa_faults)
		nt->numa_faults = g_new0(unsigned long,
					 (size_t)NR_NUMA_HINT_FAULT_STATS * (size_t)m->nr_nodes * NR_NUMA_HINT_FAULT_TYPES);
	priv = last_cpupid == LAST_CPUPID_MASK ? 1 : cpupid_match_pid(t, last_cpupid);
	/* numa_migrate_preferred's retry: the placement is looked at again */
	if (m->now_ns > nt->numa_migrate_retry) {
		task_numa_placement(m, t);
		nt->numa_migrate_retry = m->now_ns + MIN(NSEC_PER_SEC,
							 (uint64_t)nt->numa_scan_period * NSEC_PER_MSEC / 16);
	}
	if (flags & TNF_MIGRATED)
		nt->numa_pages_migrated += (unsigned long)pages;
	if (flags & TNF_MIGRATE_FAIL)
		nt->numa_faults_locality[2] += (unsigned long)pages;
	*faults_slot(m, nt, NUMA_MEMBUF, mem_node, priv) += (unsigned long)pages;
	nt->numa_faults_locality[local] += (unsigned long)pages;
}

/* ---- the page's destination ---- */

/* should_numa_migrate_memory: the two-stage filter on last_cpupid */
static bool should_numa_migrate_memory(struct machine *m, struct task_struct *t, unsigned long pfn, int src_nid,
				       int dst_cpu)
{
	int dst_nid = cpu_to_node(m, dst_cpu);
	int this_cpupid = cpu_pid_to_cpupid(dst_cpu, t->pid), last_cpupid;
	struct numa_task *nt = task_numa(m, t);

	last_cpupid = folio_xchg_last_cpupid(m, pfn, this_cpupid);
	if (!(numab_mode(m) & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(m, src_nid) &&
	    !cpupid_valid(m, last_cpupid))
		return false;
	/* first faults, or private ones, early in the task's life */
	if (nt->numa_scan_seq <= 4 && (cpupid_pid_unset(last_cpupid) || cpupid_match_pid(t, last_cpupid)))
		return true;
	/* a second fault from the same node before the page moves */
	if (!cpupid_pid_unset(last_cpupid) && cpupid_to_nid(m, last_cpupid) != dst_nid)
		return false;
	/* private faults always; shared ones without a numa group too */
	return true;
}

/* mpol_misplaced under the default policy: the faulting CPU's node, when
 * the filter lets the page go there; NUMA_NO_NODE otherwise */
static int mpol_misplaced(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long pfn)
{
	int curnid = page_nid(m, pfn), thisnid = cpu_to_node(m, t->cpu);

	if (vma->vm_policy.mode != MPOL_DEFAULT || t->mempolicy.mode != MPOL_DEFAULT)
		return NUMA_NO_NODE;
	if (!should_numa_migrate_memory(m, t, pfn, curnid, t->cpu))
		return NUMA_NO_NODE;
	return curnid != thisnid ? thisnid : NUMA_NO_NODE;
}

/* migrate_balanced_pgdat: a zone of the node stays above its high
 * watermark with the pages added */
static bool migrate_balanced_pgdat(struct machine *m, int nid, unsigned long nr_pages)
{
	pg_data_t *pgdat = NODE_DATA(m, nid);

	for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!managed_zone(zone))
			continue;
		if (zone_watermark_ok(zone, 0, high_wmark_pages(zone) + nr_pages, ZONE_MOVABLE, ALLOC_CMA))
			return true;
	}
	return false;
}

static int migrate_misplaced_folio_prepare(struct machine *m, struct vm_area_struct *vma, unsigned long pfn,
					   int node)
{
	struct page *page = pfn_to_page(m, pfn);

	if (!page_test(page, PG_swapbacked)) {
		if ((vma->vm_flags & VM_EXEC) && page->_mapcount > 0)
			return -EACCES;
		if (page_test(page, PG_dirty))
			return -EAGAIN;
	}
	if (!migrate_balanced_pgdat(m, node, 1))
		return -EAGAIN;
	if (page_test(page, PG_unevictable) || !folio_isolate_lru(m, pfn))
		return -EAGAIN;
	return 0;
}

/* alloc_misplaced_dst_folio: on the node, no reclaim, no reserves */
static long alloc_misplaced_dst_folio(struct machine *m, unsigned long src, void *private)
{
	gfp_t gfp = (GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN) &
		    ~__GFP_RECLAIM;

	(void)src;
	return __alloc_pages(m, gfp, 0, *(int *)private, m->current ? m->current->cpu : 0);
}

static int migrate_misplaced_folio(struct machine *m, unsigned long pfn, int node)
{
	GArray *pages = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	unsigned int nr_succeeded = 0;
	int nr_remaining;

	g_array_append_val(pages, pfn);
	nr_remaining = migrate_pages(m, pages, alloc_misplaced_dst_folio, NULL, &node, MIGRATE_ASYNC,
				     MR_NUMA_MISPLACED, &nr_succeeded);
	if (pages->len)
		putback_movable_pages(m, pages);
	g_array_free(pages, TRUE);
	if (nr_succeeded)
		count_vm_events(m, NUMA_PAGE_MIGRATE, nr_succeeded);
	return nr_remaining ? -EAGAIN : 0;
}

/* ---- the fault ---- */

void do_numa_page(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		  pte_t *ptep)
{
	pte_t pte = *ptep;
	unsigned long pfn = pte_pfn(pte);
	int nid = page_nid(m, pfn), target, last_cpupid, flags = 0;
	struct page *page = pfn_to_page(m, pfn);

	(void)addr;
	/* the pte as the VMA's protection has it (numa_rebuild_single_mapping) */
	*ptep = (pte & ~_PAGE_PROTNONE) | _PAGE_ACCESSED;
	/* numa_migrate_check */
	if (!pte_write(pte))
		flags |= TNF_NO_GROUP;
	if (page->_mapcount > 0 && (vma->vm_flags & VM_SHARED))
		flags |= TNF_SHARED;
	if ((numab_mode(m) & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(m, nid))
		last_cpupid = LAST_CPUPID_MASK;
	else
		last_cpupid = folio_last_cpupid(m, pfn);
	count_vm_event(m, NUMA_HINT_FAULTS);
	if (nid == cpu_to_node(m, t->cpu)) {
		count_vm_event(m, NUMA_HINT_FAULTS_LOCAL);
		flags |= TNF_FAULT_LOCAL;
	}
	target = mpol_misplaced(m, t, vma, pfn);
	if (target != NUMA_NO_NODE) {
		if (migrate_misplaced_folio_prepare(m, vma, pfn, target) ||
		    migrate_misplaced_folio(m, pfn, target)) {
			flags |= TNF_MIGRATE_FAIL;
		} else {
			nid = target;
			flags |= TNF_MIGRATED;
		}
	}
	task_numa_fault(m, t, last_cpupid, nid, 1, flags);
}
