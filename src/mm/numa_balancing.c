/*
 * Automatic NUMA balancing, the scanning side (kernel/sched/fair.c
 * task_tick_numa, task_numa_work, task_scan_min/max/start; mm/mprotect.c
 * change_prot_numa) and the per-page last_cpupid (include/linux/mm.h).
 *
 * Models:
 * - kernel.numa_balancing (0..4 as the sysctl takes it) and the
 *   promotion rate limit; the debugfs knobs scan_delay_ms (1000),
 *   scan_period_min_ms (1000), scan_period_max_ms (60000), scan_size_mb
 *   (256), hot_threshold_ms (1000)
 * - task_tick_numa: a task's scan clock (node_stamp) advances by its
 *   scan period; mm->numa_next_scan lets one scan per period through
 * - task_numa_work: from mm->numa_scan_offset, VMA after VMA (skipping
 *   the unmigratable, hugetlb, read-only file and inaccessible ones and
 *   those whose policy is not the default), change_prot_numa over 2 MiB
 *   aligned steps until scan_size MB of ranges with updates, or 8 times
 *   that of address space, are done; a pass that reaches the end bumps
 *   mm->numa_scan_seq and starts again at 0
 * - change_prot_numa marks present ptes _PAGE_PROTNONE, skipping the
 *   zero page, KSM pages, shared copy-on-write pages, dirty file pages,
 *   pages on the node of a single-threaded task, and top-tier pages when
 *   mode 1 is off; counts numa_pte_updates
 * - task_scan_min/max/start from the RSS in scan_size windows
 * - last_cpupid per page (16 bits: NR_CPUS 256), reset when allocated,
 *   carried by migration (reset across tiers unless tiering mode)
 * Simplifies:
 * - every user task counts as running: its runtime is the simulated time
 *   since it started (the model's tasks run only in commands), and its
 *   scan clock starts when balancing first sees it, so no backlog of
 *   ticks builds up while balancing is off
 * - no per-VMA scan state (vma_is_accessed, the PIDs that faulted): every
 *   eligible VMA is scanned
 * - no numa_huge_pte_updates: the model's ptes map 4 KiB pages
 * - the scan costs the task no CPU time
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "numa_balancing_internal.h"
#include "mm_internal_proc.h"

#define HPAGE_SIZE (1UL << 21)
/* MAX_SCAN_WINDOW: MB/s scanned at most */
#define MAX_SCAN_WINDOW 2560

/* ---- knobs ---- */

static const char *const numab_knob_names[NR_NUMAB_KNOBS] = {
	"scan_delay_ms", "scan_period_min_ms", "scan_period_max_ms", "scan_size_mb", "hot_threshold_ms",
};

void numa_balancing_init(struct machine *m)
{
	struct numab_state *s = g_new0(struct numab_state, 1);

	/* sysctl_numa_balancing_promote_rate_limit: 64 GB/s */
	s->promote_rate_limit_MBps = 65536;
	s->scan_delay_ms = 1000;
	s->scan_period_min_ms = 1000;
	s->scan_period_max_ms = 60000;
	s->scan_size_mb = 256;
	s->hot_threshold_ms = 1000;
	m->numab = s;
}

void numa_balancing_destroy(struct machine *m)
{
	g_free(m->numab);
	m->numab = NULL;
}

int numab_knob_by_name(const char *name)
{
	for (int i = 0; i < NR_NUMAB_KNOBS; i++)
		if (name && !strcmp(name, numab_knob_names[i]))
			return i;
	return -1;
}

static uint32_t *knob_field(struct numab_state *s, int knob)
{
	switch (knob) {
	case NUMAB_SCAN_DELAY_MS: return &s->scan_delay_ms;
	case NUMAB_SCAN_PERIOD_MIN_MS: return &s->scan_period_min_ms;
	case NUMAB_SCAN_PERIOD_MAX_MS: return &s->scan_period_max_ms;
	case NUMAB_SCAN_SIZE_MB: return &s->scan_size_mb;
	default: return &s->hot_threshold_ms;
	}
}

uint32_t numab_knob_get(const struct machine *m, int knob)
{
	return *knob_field(m->numab, knob);
}

void numab_knob_set(struct machine *m, int knob, uint32_t val)
{
	*knob_field(m->numab, knob) = val;
}

static void task_numa_tick_timer(struct machine *m, void *arg);

/* Balancing turned on again: each task's scan clock starts afresh (no
 * backlog of ticks from the time it was off) */
static void restart_scan_clocks(struct machine *m)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct task_struct *t = v;

		if (t->numa) {
			t->numa->runtime_base = m->now_ns - t->start_time_ns;
			t->numa->node_stamp = 0;
		}
	}
}

/* sysctl_numa_balancing: __set_numabalancing_state turns the ticks on or off */
int numa_balancing_set_mode(struct machine *m, long mode)
{
	if (mode < 0 || mode > NUMA_BALANCING_MODE_MAX)
		return -EINVAL;
	m->numab->mode = (int)mode;
	if (mode && !m->numab->timer_armed) {
		m->numab->timer_armed = true;
		restart_scan_clocks(m);
		mod_timer(m, m->now_ns + NSEC_PER_JIFFY, "task_tick_numa", task_numa_tick_timer, NULL);
	} else if (!mode && m->numab->timer_armed) {
		m->numab->timer_armed = false;
		del_timer(m, task_numa_tick_timer, NULL);
	}
	return 0;
}

int numa_balancing_set_rate_limit(struct machine *m, long mbps)
{
	if (mbps < 0 || mbps > INT_MAX)
		return -EINVAL;
	m->numab->promote_rate_limit_MBps = (int)mbps;
	return 0;
}

/* ---- last_cpupid ---- */

uint16_t *sparse_alloc_last_cpupid(void)
{
	uint16_t *a = g_new(uint16_t, PAGES_PER_SECTION);

	memset(a, 0xff, PAGES_PER_SECTION * sizeof(uint16_t));
	return a;
}

static uint16_t *cpupid_slot(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	return ms->last_cpupid ? &ms->last_cpupid[pfn & (PAGES_PER_SECTION - 1)] : NULL;
}

int folio_last_cpupid(struct machine *m, unsigned long pfn)
{
	uint16_t *s = cpupid_slot(m, pfn);

	return s ? *s : LAST_CPUPID_MASK;
}

int folio_xchg_last_cpupid(struct machine *m, unsigned long pfn, int cpupid)
{
	uint16_t *s = cpupid_slot(m, pfn);
	int old = s ? *s : LAST_CPUPID_MASK;

	if (s)
		*s = (uint16_t)(cpupid & LAST_CPUPID_MASK);
	return old;
}

void page_cpupid_reset_last(struct machine *m, unsigned long pfn, unsigned int order)
{
	uint16_t *s = cpupid_slot(m, pfn);

	/* a block never crosses a section */
	if (s)
		memset(s, 0xff, (1UL << order) * sizeof(uint16_t));
}

void folio_migrate_last_cpupid(struct machine *m, unsigned long src, unsigned long dst)
{
	int cpupid = folio_xchg_last_cpupid(m, src, -1);

	if (!(numab_mode(m) & NUMA_BALANCING_MEMORY_TIERING) &&
	    node_is_toptier(m, __pfn_to_section(m, src)->nid) != node_is_toptier(m, __pfn_to_section(m, dst)->nid))
		cpupid = -1;
	folio_xchg_last_cpupid(m, dst, cpupid);
}

/* ---- per-task state ---- */

/* init_numa_balancing, when balancing first sees the task */
struct numa_task *task_numa(struct machine *m, struct task_struct *t)
{
	struct numa_task *nt = t->numa;

	if (nt)
		return nt;
	nt = t->numa = g_new0(struct numa_task, 1);
	nt->numa_scan_period = m->numab->scan_delay_ms;
	nt->numa_preferred_nid = NUMA_NO_NODE;
	nt->numa_scan_seq = t->mm ? t->mm->numa_scan_seq : 0;
	nt->runtime_base = m->now_ns - t->start_time_ns;
	return nt;
}

void task_numa_free(struct task_struct *t)
{
	if (!t->numa)
		return;
	g_free(t->numa->numa_faults);
	g_free(t->numa);
	t->numa = NULL;
}

/* task_nr_scan_windows: the RSS in scan_size windows */
static unsigned int task_nr_scan_windows(struct machine *m, struct task_struct *t)
{
	unsigned long nr_scan_pages = (unsigned long)m->numab->scan_size_mb << (20 - PAGE_SHIFT);
	unsigned long rss = get_mm_rss(t->mm);

	if (!nr_scan_pages)
		return 1;
	if (!rss)
		rss = nr_scan_pages;
	rss = (rss + nr_scan_pages - 1) / nr_scan_pages * nr_scan_pages;
	return (unsigned int)(rss / nr_scan_pages);
}

unsigned int task_scan_min(struct machine *m, struct task_struct *t)
{
	unsigned int scan_size = m->numab->scan_size_mb, windows = 1, floor, scan;

	if (scan_size && scan_size < MAX_SCAN_WINDOW)
		windows = MAX_SCAN_WINDOW / scan_size;
	floor = 1000 / windows;
	scan = m->numab->scan_period_min_ms / task_nr_scan_windows(m, t);
	return MAX(floor, scan);
}

unsigned int task_scan_max(struct machine *m, struct task_struct *t)
{
	unsigned int smin = task_scan_min(m, t);
	unsigned int smax = m->numab->scan_period_max_ms / task_nr_scan_windows(m, t);

	return MAX(smin, smax);
}

/* task_scan_start: without numa groups, the minimum */
static unsigned int task_scan_start(struct machine *m, struct task_struct *t)
{
	return task_scan_min(m, t);
}

/* ---- change_prot_numa ---- */

struct prot_numa_args {
	struct vm_area_struct *vma;
	int target_node;   /* the node of a single-threaded task, or -1 */
	unsigned long nr_updated;
};

static bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* change_pte_range's prot_numa_skip and the update */
static void prot_numa_pte(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct prot_numa_args *a = arg;
	pte_t pte = *ptep;
	struct page *page;
	int nid;

	(void)table;
	(void)addr;
	if (pte_protnone(pte) || pte_special(pte))
		return;
	page = pfn_to_page(m, pte_pfn(pte));
	if (page_test(page, PG_ksm) || page_test(page, PG_reserved))
		return;
	/* shared copy-on-write pages */
	if (is_cow_mapping(a->vma->vm_flags) && page->_mapcount > 0)
		return;
	/* dirty file pages: MIGRATE_ASYNC could not move them all */
	if (!page_test(page, PG_swapbacked) && page_test(page, PG_dirty))
		return;
	nid = __pfn_to_section(m, pte_pfn(pte))->nid;
	if (a->target_node == nid)
		return;
	if (!(numab_mode(m) & NUMA_BALANCING_NORMAL) && node_is_toptier(m, nid))
		return;
	/* folio_use_access_time: the scan time is the page's on a slow node */
	if ((numab_mode(m) & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(m, nid))
		folio_xchg_last_cpupid(m, pte_pfn(pte), (int)((m->now_ns / NSEC_PER_MSEC) & LAST_CPUPID_MASK));
	*ptep = pte | _PAGE_PROTNONE;
	a->nr_updated++;
}

static unsigned long change_prot_numa(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
				      unsigned long start, unsigned long end)
{
	struct prot_numa_args a = { vma, NUMA_NO_NODE, 0 };

	if (vma->vm_mm->mm_users == 1)
		a.target_node = cpu_to_node(m, t->cpu);
	walk_pte_slots(m, vma->vm_mm, start, end, prot_numa_pte, &a, false);
	if (a.nr_updated) {
		count_vm_events(m, NUMA_PTE_UPDATES, a.nr_updated);
		m->nr_tlb_local_flush_all++;
	}
	return a.nr_updated;
}

/* ---- task_numa_work ---- */

/* vma_migratable, vma_policy_mof and the other reasons to pass a VMA by;
 * only the default policy (MPOL_F_MOF) lets balancing move pages: the
 * model's explicit policies never carry MPOL_F_NUMA_BALANCING */
static bool vma_scannable(struct task_struct *t, struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_HUGETLB | VM_MIXEDMAP))
		return false;
	if (vma->vm_policy.mode != MPOL_DEFAULT || t->mempolicy.mode != MPOL_DEFAULT)
		return false;
	/* read-only file mappings: libraries, cache-replicated */
	if ((vma->vm_file || vma->kind == VMA_FILE) && (vma->vm_flags & (VM_READ | VM_WRITE)) == VM_READ)
		return false;
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/* reset_ptenuma_scan */
static void reset_ptenuma_scan(struct mm_struct *mm)
{
	mm->numa_scan_seq++;
	mm->numa_scan_offset = 0;
}

/* The scan over one VMA from *start: false when the budget ran out */
static bool scan_vma(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long *start,
		     long *pages, long *virtpages)
{
	unsigned long end;

	do {
		*start = MAX(*start, vma->vm_start);
		end = (*start + ((unsigned long)*pages << PAGE_SHIFT) + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1);
		end = MIN(end, vma->vm_end);
		if (change_prot_numa(m, t, vma, *start, end))
			*pages -= (long)((end - *start) >> PAGE_SHIFT);
		*virtpages -= (long)((end - *start) >> PAGE_SHIFT);
		*start = end;
		if (*pages <= 0 || *virtpages <= 0)
			return false;
	} while (end != vma->vm_end);
	return true;
}

static void task_numa_work(struct machine *m, struct task_struct *t)
{
	struct numa_task *nt = task_numa(m, t);
	struct mm_struct *mm = t->mm;
	long pages = (long)m->numab->scan_size_mb << (20 - PAGE_SHIFT), virtpages = pages * 8;
	unsigned long start;
	struct vm_area_struct *vma;
	bool stopped = false;

	if (!mm->numa_next_scan) {
		mm->numa_next_scan = m->now_ns + (uint64_t)m->numab->scan_delay_ms * NSEC_PER_MSEC;
		return;
	}
	if (m->now_ns < mm->numa_next_scan)
		return;
	if (!nt->numa_scan_period) {
		nt->numa_scan_period_max = task_scan_max(m, t);
		nt->numa_scan_period = task_scan_start(m, t);
	}
	mm->numa_next_scan = m->now_ns + (uint64_t)nt->numa_scan_period * NSEC_PER_MSEC;
	nt->node_stamp += 2 * NSEC_PER_JIFFY;
	if (!pages)
		return;
	start = mm->numa_scan_offset;
	if (!find_vma(mm, start)) {
		reset_ptenuma_scan(mm);
		start = 0;
	}
	for_each_vma(mm, it, vma) {
		if (vma->vm_end <= start || !vma_scannable(t, vma))
			continue;
		if (!scan_vma(m, t, vma, &start, &pages, &virtpages)) {
			stopped = true;
			break;
		}
	}
	if (stopped)
		mm->numa_scan_offset = start;
	else
		reset_ptenuma_scan(mm);
}

/* ---- the tick ---- */

static bool task_numa_eligible(const struct task_struct *t)
{
	return t->mm && !(t->flags & PF_KTHREAD) && t->state != 'Z' && !t->in_copy_process;
}

/* task_tick_numa: when the scan clock passes a period, the work may run;
 * returns when the task's next period ends */
static uint64_t task_tick_numa(struct machine *m, struct task_struct *t)
{
	struct numa_task *nt = task_numa(m, t);
	uint64_t runtime = m->now_ns - t->start_time_ns - nt->runtime_base;
	uint64_t period = (uint64_t)nt->numa_scan_period * NSEC_PER_MSEC;

	if (runtime > nt->node_stamp + period) {
		if (!nt->node_stamp)
			nt->numa_scan_period = task_scan_start(m, t);
		nt->node_stamp += period;
		if (m->now_ns >= t->mm->numa_next_scan)
			task_numa_work(m, t);
		period = (uint64_t)nt->numa_scan_period * NSEC_PER_MSEC;
	}
	return t->start_time_ns + nt->runtime_base + nt->node_stamp + period + 1;
}

/* The ticks of every task, in PID order; the next run when the first of
 * them is due (at a jiffy, at most scan_delay_ms away: new tasks) */
static void task_numa_tick_timer(struct machine *m, void *arg)
{
	GArray *pids = task_pids(m);
	uint64_t next = m->now_ns + MAX((uint64_t)m->numab->scan_delay_ms * NSEC_PER_MSEC, NSEC_PER_JIFFY);

	(void)arg;
	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));

		if (t && task_numa_eligible(t))
			next = MIN(next, task_tick_numa(m, t));
	}
	g_array_free(pids, TRUE);
	next = MAX(next, m->now_ns + NSEC_PER_JIFFY);
	next = (next + NSEC_PER_JIFFY - 1) / NSEC_PER_JIFFY * NSEC_PER_JIFFY;
	mod_timer(m, next, "task_tick_numa", task_numa_tick_timer, NULL);
}

/* ---- --debug-vm ---- */

struct protnone_check {
	struct vm_area_struct *vma;
	unsigned long nr;
	char *err;
};

static void check_protnone_pte(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr, void *arg)
{
	struct protnone_check *c = arg;
	struct page *page;

	(void)table;
	if (c->err || !(*ptep & _PAGE_PROTNONE))
		return;
	c->nr++;
	page = pte_special(*ptep) ? NULL : pfn_to_page(m, pte_pfn(*ptep));
	if (!pte_protnone(*ptep) || !page || page->_refcount <= 0 || page_test(page, PG_reserved))
		c->err = g_strdup_printf("PROT_NONE pte %#llx at %#lx maps no page in use",
					 (unsigned long long)*ptep, addr);
	else if (!(c->vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) || (c->vma->vm_flags & VM_HUGETLB))
		c->err = g_strdup_printf("PROT_NONE pte at %#lx in an inaccessible or hugetlb VMA", addr);
}

static char *check_task(struct machine *m, struct task_struct *t, unsigned long *nr_protnone)
{
	struct protnone_check c = { NULL, 0, NULL };
	struct numa_task *nt = t->numa;
	struct vm_area_struct *vma;

	if (nt && (nt->numa_preferred_nid < NUMA_NO_NODE || nt->numa_preferred_nid >= m->nr_nodes ||
		   !nt->numa_scan_period || (t->mm && nt->numa_scan_seq > t->mm->numa_scan_seq)))
		return g_strdup_printf("pid %d: NUMA balancing state (preferred %d, period %u, seq %d)", t->pid,
				       nt->numa_preferred_nid, nt->numa_scan_period, nt->numa_scan_seq);
	if (!t->mm || t->tgid != t->pid)
		return NULL;
	for_each_vma(t->mm, it, vma) {
		c.vma = vma;
		walk_pte_slots(m, t->mm, vma->vm_start, vma->vm_end, check_protnone_pte, &c, false);
		if (c.err) {
			char *err = g_strdup_printf("pid %d: %s", t->pid, c.err);

			g_free(c.err);
			return err;
		}
	}
	*nr_protnone += c.nr;
	return NULL;
}

/* PROT_NONE ptes only where change_prot_numa could have put them (and
 * only once it has run), the tasks' state in range, every mem_map with
 * its last_cpupid array, the tick running exactly while a mode is on */
char *numa_balancing_check_invariants(struct machine *m)
{
	unsigned long nr_protnone = 0;
	GHashTableIter it;
	gpointer v;
	char *err;

	if (m->numab->timer_armed != (m->numab->mode != 0))
		return g_strdup_printf("numa_balancing %d with the scan tick %s", m->numab->mode,
				       m->numab->timer_armed ? "running" : "stopped");
	for (unsigned long s = 0; s < m->nr_sections; s++)
		if (!m->sections[s].mem_map != !m->sections[s].last_cpupid)
			return g_strdup_printf("section %lu: mem_map without last_cpupid or the reverse", s);
	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if ((err = check_task(m, v, &nr_protnone)))
			return err;
	if (nr_protnone && !m->vm_events[NUMA_PTE_UPDATES])
		return g_strdup_printf("%lu PROT_NONE ptes but numa_pte_updates 0", nr_protnone);
	return NULL;
}
