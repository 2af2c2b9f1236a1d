/*
 * mm/memcontrol.c: the memory controller's charges.  Every user page
 * (anon, page cache, shmem, swap cache) carries the id of one memcg in a
 * side array of its section (folio->memcg_data); swap slots carry one in
 * swap_cgroup.
 *
 * Models: one struct mem_cgroup per cgroup, used by the cgroup's tasks
 *   when its parent enables memory (else the nearest ancestor's);
 *   try_charge_memcg with the per-CPU stock (consume_stock/refill_stock,
 *   MEMCG_CHARGE_BATCH), page_counter_try_charge up the tree, a MAX event,
 *   memcg reclaim, drain_all_stock, MAX_RECLAIM_RETRIES, then the memcg
 *   OOM killer; the root memcg charged implicitly (its pages are labelled,
 *   its counter holds only its children's); uncharge when a page is freed;
 *   page cache charged to the task that first brings a page in;
 *   memory.swap accounting from slot allocation to slot free (cgroup v2:
 *   memory and swap charges live and die with page and slot);
 *   memory.high's over-high reclaim on return to user space and the
 *   throttle of calculate_high_delay in simulated time; the events up the
 *   tree (memory.events) and local (memory.events.local).
 * Simplifies: no dying memcgs: rmdir, or the parent taking memory away,
 *   moves the charges (pages, swap slots) to the parent at once; kernel
 *   memory (slab, stacks, page tables) is not charged; a task's memcg is
 *   its cgroup's (no mm->owner).
 */
#include <errno.h>
#include <string.h>

#include "mmsim/cgroup.h"
#include "mmsim/memcontrol.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/log2.h"

#define MEMCG_DELAY_PRECISION_SHIFT 20
#define MEMCG_DELAY_SCALING_SHIFT 14
#define MEMCG_MAX_HIGH_DELAY_NS (2 * NSEC_PER_SEC)

/* ---- ids and lifetime ---- */

static struct memcg_state *memcg_state(struct machine *m)
{
	if (!m->memcg) {
		m->memcg = g_new0(struct memcg_state, 1);
		m->memcg->stock = g_new0(struct memcg_stock_pcp, m->nr_cpus);
		m->memcg->swap_cgroup = g_hash_table_new(g_direct_hash, g_direct_equal);
	}
	return m->memcg;
}

static unsigned short mem_cgroup_id_alloc(struct memcg_state *s)
{
	for (unsigned int id = 1; id <= MEM_CGROUP_ID_MAX; id++)
		if (!s->idr[id])
			return (unsigned short)id;
	return 0;
}

static struct mem_cgroup *mem_cgroup_from_id(struct machine *m, unsigned short id)
{
	return id && m->memcg ? m->memcg->idr[id] : NULL;
}

void mem_cgroup_css_alloc(struct machine *m, struct cgroup *cg)
{
	struct memcg_state *s = memcg_state(m);
	struct mem_cgroup *memcg = g_new0(struct mem_cgroup, 1);
	struct mem_cgroup *parent = cg->parent ? cg->parent->memcg : NULL;

	memcg->css = cg;
	memcg->id = mem_cgroup_id_alloc(s);
	g_assert(memcg->id);
	s->idr[memcg->id] = memcg;
	page_counter_init(&memcg->memory, parent ? &parent->memory : NULL);
	page_counter_init(&memcg->swap, parent ? &parent->swap : NULL);
	memcg->online = !parent || cgroup_has_subsys(cg, memory_cgrp_id);
	cg->memcg = memcg;
}

struct mem_cgroup *parent_mem_cgroup(struct mem_cgroup *memcg)
{
	return memcg->css->parent ? memcg->css->parent->memcg : NULL;
}

static bool is_stock(const struct machine *m, const struct mem_cgroup *memcg, int cpu)
{
	return m->memcg->stock[cpu].cached == memcg;
}

static void drain_stock(struct machine *m, int cpu)
{
	struct memcg_stock_pcp *stock = &m->memcg->stock[cpu];

	if (stock->cached && stock->nr_pages)
		page_counter_uncharge(&stock->cached->memory, stock->nr_pages);
	stock->cached = NULL;
	stock->nr_pages = 0;
}

/* drain_all_stock: every CPU's stock of root or a memcg below it */
void drain_all_stock(struct machine *m, struct mem_cgroup *root)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct mem_cgroup *cached = m->memcg->stock[cpu].cached;

		if (cached && (!root || mem_cgroup_is_descendant(cached, root)))
			drain_stock(m, cpu);
	}
}

/* The pages and slots labelled from go to the parent; from's counters
 * drop what they held without the parent's changing (they were in it) */
static void mem_cgroup_reparent(struct machine *m, struct mem_cgroup *from)
{
	struct mem_cgroup *to = parent_mem_cgroup(from);
	GHashTableIter it;
	gpointer k, v;

	drain_all_stock(m, from);
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		uint16_t *ids = m->sections[s].memcg_ids;

		for (unsigned long i = 0; ids && i < PAGES_PER_SECTION; i++)
			if (ids[i] == from->id)
				ids[i] = to->id;
	}
	g_hash_table_iter_init(&it, m->memcg->swap_cgroup);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (GPOINTER_TO_UINT(v) == from->id)
			g_hash_table_iter_replace(&it, GUINT_TO_POINTER(to->id));
	/* the charges stay in the ancestors' counters: only from's go */
	from->memory.usage = from->swap.usage = 0;
	from->memory.min_usage = from->memory.low_usage = 0;
	to->memory.children_min_usage = to->memory.children_low_usage = 0;
	for (guint i = 0; i < to->css->children->len; i++) {
		struct cgroup *c = g_ptr_array_index(to->css->children, i);

		if (c->memcg && c->memcg != from) {
			to->memory.children_min_usage += c->memcg->memory.min_usage;
			to->memory.children_low_usage += c->memcg->memory.low_usage;
		}
	}
	if (mem_cgroup_is_root(to)) {
		/* the root's own pages are not in its counter */
		page_counter_uncharge(&to->memory, from->nr_pages);
		page_counter_uncharge(&to->swap, from->nr_swap);
	}
	to->nr_pages += from->nr_pages;
	to->nr_swap += from->nr_swap;
	from->nr_pages = from->nr_swap = 0;
}

void mem_cgroup_css_free(struct machine *m, struct cgroup *cg)
{
	struct mem_cgroup *memcg = cg->memcg;

	if (!memcg)
		return;
	/* at machine_destroy the state went first: nothing to move */
	if (m->memcg) {
		if (cg->parent)
			mem_cgroup_reparent(m, memcg);
		m->memcg->idr[memcg->id] = NULL;
	}
	cg->memcg = NULL;
	g_free(memcg);
}

void mem_cgroup_css_online(struct machine *m, struct cgroup *cg, bool online)
{
	struct mem_cgroup *memcg = cg->memcg;

	if (!memcg || memcg->online == online)
		return;
	if (!online) {
		/* css_free and a new css when it comes back: the knobs reset */
		mem_cgroup_reparent(m, memcg);
		page_counter_set_min(&memcg->memory, 0);
		page_counter_set_low(&memcg->memory, 0);
		page_counter_init(&memcg->memory, &parent_mem_cgroup(memcg)->memory);
		page_counter_init(&memcg->swap, &parent_mem_cgroup(memcg)->swap);
		memset(memcg->events, 0, sizeof(memcg->events));
		memset(memcg->events_local, 0, sizeof(memcg->events_local));
		memset(memcg->vm_events, 0, sizeof(memcg->vm_events));
		memcg->oom_group = false;
		memcg->psi_some_us = memcg->psi_full_us = 0;
	}
	memcg->online = online;
}

void mem_cgroup_subtree_control_changed(struct machine *m, struct cgroup *cg)
{
	for (guint i = 0; i < cg->children->len; i++) {
		struct cgroup *c = g_ptr_array_index(cg->children, i);

		mem_cgroup_css_online(m, c, cgroup_has_subsys(c, memory_cgrp_id));
	}
}

void mem_cgroup_destroy_all(struct machine *m)
{
	if (!m->memcg)
		return;
	g_hash_table_destroy(m->memcg->swap_cgroup);
	g_free(m->memcg->stock);
	g_free(m->memcg);
	m->memcg = NULL;
}

/* ---- which memcg ---- */

struct mem_cgroup *mem_cgroup_from_cgroup(struct machine *m, struct cgroup *cg)
{
	(void)m;
	while (cg->parent && !cg->memcg->online)
		cg = cg->parent;
	return cg->memcg;
}

struct mem_cgroup *root_mem_cgroup(struct machine *m)
{
	return m->cgrp_root ? m->cgrp_root->memcg : NULL;
}

struct mem_cgroup *mem_cgroup_from_task(struct machine *m, const struct task_struct *t)
{
	if (!t || !t->cgroups)
		return root_mem_cgroup(m);
	return mem_cgroup_from_cgroup(m, t->cgroups);
}

bool mem_cgroup_is_descendant(struct mem_cgroup *memcg, struct mem_cgroup *root)
{
	for (struct cgroup *cg = memcg->css; cg; cg = cg->parent)
		if (cg == root->css)
			return true;
	return false;
}

static inline uint16_t *page_memcg_slot(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	return ms->memcg_ids ? &ms->memcg_ids[pfn & (PAGES_PER_SECTION - 1)] : NULL;
}

struct mem_cgroup *folio_memcg(struct machine *m, unsigned long pfn)
{
	uint16_t *slot = page_memcg_slot(m, pfn);

	return slot ? mem_cgroup_from_id(m, *slot) : NULL;
}

/* ---- events ---- */

/* memcg_memory_event: local here, hierarchical here and up (no
 * memory_localevents) */
void memcg_memory_event(struct mem_cgroup *memcg, enum memcg_memory_event event)
{
	memcg->events_local[event]++;
	for (; memcg && memcg->css->parent; memcg = parent_mem_cgroup(memcg))
		memcg->events[event]++;
}

unsigned long mem_cgroup_usage(struct mem_cgroup *memcg, bool swap)
{
	return (unsigned long)(swap ? memcg->swap.usage : memcg->memory.usage);
}

/* mem_cgroup_margin: what may still be charged before a limit up the tree */
unsigned long mem_cgroup_margin(struct mem_cgroup *memcg)
{
	long margin = LONG_MAX;

	for (struct page_counter *c = &memcg->memory; c; c = c->parent) {
		long room = c->max - c->usage;

		if (!c->parent)
			break;
		margin = MIN(margin, room);
	}
	return margin > 0 ? (unsigned long)margin : 0;
}

/* ---- the per-CPU stock ---- */

static bool consume_stock(struct machine *m, struct mem_cgroup *memcg, unsigned int nr, int cpu)
{
	struct memcg_stock_pcp *stock = &m->memcg->stock[cpu];

	if (nr > MEMCG_CHARGE_BATCH || stock->cached != memcg || stock->nr_pages < nr)
		return false;
	stock->nr_pages -= nr;
	return true;
}

static void refill_stock(struct machine *m, struct mem_cgroup *memcg, unsigned int nr, int cpu)
{
	struct memcg_stock_pcp *stock = &m->memcg->stock[cpu];

	if (!is_stock(m, memcg, cpu)) {
		drain_stock(m, cpu);
		stock->cached = memcg;
	}
	stock->nr_pages += nr;
	if (stock->nr_pages > MEMCG_CHARGE_BATCH)
		drain_stock(m, cpu);
}

/* ---- charging ---- */

static struct mem_cgroup *mem_cgroup_from_counter(struct page_counter *c)
{
	return (struct mem_cgroup *)(void *)((char *)c - offsetof(struct mem_cgroup, memory));
}

static int current_cpu(struct machine *m)
{
	return m->current ? m->current->cpu : 0;
}

/* The charge succeeded: note an ancestor over memory.high for the return
 * to user space, and reclaim at once past a batch */
static void charge_check_high(struct machine *m, struct mem_cgroup *memcg, unsigned int batch, gfp_t gfp)
{
	struct task_struct *t = m->current;

	if (!t || (t->flags & PF_KTHREAD))
		return;
	for (; memcg && memcg->css->parent; memcg = parent_mem_cgroup(memcg)) {
		if (memcg->memory.usage > memcg->memory.high || memcg->swap.usage > memcg->swap.high) {
			t->memcg_nr_pages_over_high += batch;
			break;
		}
	}
	if (t->memcg_nr_pages_over_high > MEMCG_CHARGE_BATCH && (gfp & __GFP_DIRECT_RECLAIM))
		mem_cgroup_handle_over_high(m, t);
}

/* Past the limit of over: reclaim, drain, retry; false when the charge
 * must fail (or OOM).  *progress: pages reclaimed */
static bool charge_reclaim(struct machine *m, struct mem_cgroup *over, unsigned int nr, gfp_t gfp,
			   bool *drained, unsigned long *progress)
{
	memcg_memory_event(over, MEMCG_MAX);
	*progress = try_to_free_mem_cgroup_pages(m, over, nr, gfp, MEMCG_RECLAIM_MAY_SWAP, -1);
	if (mem_cgroup_margin(over) >= nr)
		return true;
	if (!*drained) {
		drain_all_stock(m, over);
		*drained = true;
		return true;
	}
	return false;
}

static int try_charge_memcg(struct machine *m, struct mem_cgroup *memcg, gfp_t gfp, unsigned int nr)
{
	unsigned int batch = MAX(MEMCG_CHARGE_BATCH, nr);
	int nr_retries = MAX_RECLAIM_RETRIES, cpu = current_cpu(m);
	bool drained = false, passed_oom = false;
	struct page_counter *fail;
	unsigned long progress;

retry:
	if (consume_stock(m, memcg, nr, cpu))
		return 0;
	if (page_counter_try_charge(&memcg->memory, batch, &fail)) {
		if (batch > nr)
			refill_stock(m, memcg, batch - nr, cpu);
		charge_check_high(m, memcg, batch, gfp);
		return 0;
	}
	if (batch > nr) {
		batch = nr;
		goto retry;
	}
	if (!(gfp & __GFP_DIRECT_RECLAIM) || fatal_signal_pending(m->current))
		goto nomem;
	if (charge_reclaim(m, mem_cgroup_from_counter(fail), nr, gfp, &drained, &progress))
		goto retry;
	if (gfp & __GFP_NORETRY)
		goto nomem;
	if ((progress && nr <= (1u << PAGE_ALLOC_COSTLY_ORDER)) || nr_retries-- > 0)
		goto retry;
	if (passed_oom)
		goto nomem;
	memcg_memory_event(mem_cgroup_from_counter(fail), MEMCG_OOM);
	if (out_of_memory_memcg(m, mem_cgroup_from_counter(fail), gfp, ilog2(nr))) {
		passed_oom = true;
		nr_retries = MAX_RECLAIM_RETRIES;
		goto retry;
	}
nomem:
	if (!(gfp & __GFP_NOFAIL))
		return -ENOMEM;
	page_counter_charge(&memcg->memory, nr);
	return 0;
}

static void commit_charge(struct machine *m, unsigned long pfn, unsigned int nr, struct mem_cgroup *memcg)
{
	for (unsigned int i = 0; i < nr; i++) {
		uint16_t *slot = page_memcg_slot(m, pfn + i);

		g_assert(slot && !*slot);
		*slot = memcg->id;
	}
	memcg->nr_pages += nr;
}

long mem_cgroup_charge_new(struct machine *m, long pfn, unsigned int order, struct mem_cgroup *memcg, gfp_t gfp)
{
	unsigned int nr = 1u << order;

	if (pfn < 0 || !memcg)
		return pfn;
	if (!mem_cgroup_is_root(memcg) && try_charge_memcg(m, memcg, gfp, nr)) {
		__free_pages(m, (unsigned long)pfn, order, current_cpu(m));
		return -ENOMEM;
	}
	commit_charge(m, (unsigned long)pfn, nr, memcg);
	return pfn;
}

void mem_cgroup_uncharge(struct machine *m, unsigned long pfn, unsigned int order)
{
	uint16_t *slot = page_memcg_slot(m, pfn);
	unsigned int nr = 1u << order;
	struct mem_cgroup *memcg;

	if (!slot || !*slot)
		return;
	memcg = mem_cgroup_from_id(m, *slot);
	for (unsigned int i = 0; i < nr; i++)
		*page_memcg_slot(m, pfn + i) = 0;
	if (!memcg)
		return;  /* machine_destroy */
	memcg->nr_pages -= nr;
	if (!mem_cgroup_is_root(memcg))
		page_counter_uncharge(&memcg->memory, nr);
}

void mem_cgroup_migrate(struct machine *m, unsigned long src, unsigned long dst)
{
	uint16_t *s = page_memcg_slot(m, src), *d = page_memcg_slot(m, dst);

	if (!s || !*s)
		return;
	g_assert(d && !*d);
	*d = *s;
	*s = 0;
}

/* ---- swap ---- */

int mem_cgroup_try_charge_swap(struct machine *m, unsigned long pfn, swp_entry_t entry)
{
	struct mem_cgroup *memcg = folio_memcg(m, pfn);
	struct page_counter *fail;

	if (!memcg)
		return 0;
	if (!mem_cgroup_is_root(memcg) && !page_counter_try_charge(&memcg->swap, 1, &fail)) {
		struct mem_cgroup *over = (struct mem_cgroup *)(void *)((char *)fail - offsetof(struct mem_cgroup, swap));

		memcg_memory_event(over, MEMCG_SWAP_MAX);
		memcg_memory_event(memcg, MEMCG_SWAP_FAIL);
		return -ENOMEM;
	}
	g_hash_table_insert(m->memcg->swap_cgroup, GSIZE_TO_POINTER(entry.val), GUINT_TO_POINTER(memcg->id));
	memcg->nr_swap++;
	return 0;
}

void mem_cgroup_uncharge_swap(struct machine *m, swp_entry_t entry)
{
	gpointer v;
	struct mem_cgroup *memcg;

	if (!m->memcg || !g_hash_table_steal_extended(m->memcg->swap_cgroup, GSIZE_TO_POINTER(entry.val), NULL, &v))
		return;
	memcg = mem_cgroup_from_id(m, (unsigned short)GPOINTER_TO_UINT(v));
	memcg->nr_swap--;
	if (!mem_cgroup_is_root(memcg))
		page_counter_uncharge(&memcg->swap, 1);
}

struct mem_cgroup *mem_cgroup_swapin_memcg(struct machine *m, swp_entry_t entry, struct task_struct *t)
{
	gpointer v = m->memcg ? g_hash_table_lookup(m->memcg->swap_cgroup, GSIZE_TO_POINTER(entry.val)) : NULL;
	struct mem_cgroup *memcg = mem_cgroup_from_id(m, (unsigned short)GPOINTER_TO_UINT(v));

	return memcg ? memcg : mem_cgroup_from_task(m, t);
}

/* ---- memory.high ---- */

static uint64_t calculate_overage(long usage, long high)
{
	if (usage <= high)
		return 0;
	high = MAX(high, 1L);
	return ((uint64_t)(usage - high) << MEMCG_DELAY_PRECISION_SHIFT) / (uint64_t)high;
}

/* mem_find_max_overage / swap_find_max_overage: the worst of the memcg
 * and its ancestors below the root */
static uint64_t find_max_overage(struct mem_cgroup *memcg, bool swap)
{
	uint64_t max = 0;

	for (; memcg && memcg->css->parent; memcg = parent_mem_cgroup(memcg)) {
		struct page_counter *c = swap ? &memcg->swap : &memcg->memory;

		max = MAX(max, calculate_overage(c->usage, c->high));
	}
	return max;
}

/* calculate_high_delay: quadratic in the overage, in jiffies, scaled by
 * the pages this task charged past the limit */
static uint64_t calculate_high_delay(unsigned int nr_pages, uint64_t max_overage)
{
	uint64_t penalty;

	if (!max_overage)
		return 0;
	penalty = max_overage * max_overage * HZ;
	penalty >>= MEMCG_DELAY_PRECISION_SHIFT;
	penalty >>= MEMCG_DELAY_SCALING_SHIFT;
	return penalty * nr_pages / MEMCG_CHARGE_BATCH;
}

/* reclaim_high: each ancestor over its high reclaims (a HIGH event) */
static unsigned long reclaim_high(struct machine *m, struct mem_cgroup *memcg, unsigned int nr, gfp_t gfp)
{
	unsigned long reclaimed = 0;

	for (; memcg && memcg->css->parent; memcg = parent_mem_cgroup(memcg)) {
		if (memcg->memory.usage <= memcg->memory.high)
			continue;
		memcg_memory_event(memcg, MEMCG_HIGH);
		reclaimed += try_to_free_mem_cgroup_pages(m, memcg, nr, gfp, MEMCG_RECLAIM_MAY_SWAP, -1);
	}
	return reclaimed;
}

void mem_cgroup_handle_over_high(struct machine *m, struct task_struct *t)
{
	unsigned int nr = t->memcg_nr_pages_over_high;
	struct mem_cgroup *memcg = mem_cgroup_from_task(m, t);
	int nr_retries = MAX_RECLAIM_RETRIES;
	bool in_retry = false;
	uint64_t jiffies;

	if (!nr)
		return;
	t->memcg_nr_pages_over_high = 0;
	for (;;) {
		unsigned long reclaimed;

		if (fatal_signal_pending(t))
			return;
		reclaimed = reclaim_high(m, memcg, in_retry ? SWAP_CLUSTER_MAX : nr, GFP_KERNEL);
		jiffies = calculate_high_delay(nr, find_max_overage(memcg, false)) +
			  calculate_high_delay(nr, find_max_overage(memcg, true));
		jiffies = MIN(jiffies, MEMCG_MAX_HIGH_DELAY_NS / NSEC_PER_JIFFY);
		if (jiffies <= HZ / 100)
			return;
		if (!reclaimed && nr_retries-- <= 0)
			break;
		in_retry = true;
	}
	/* schedule_timeout_killable under psi_memstall: a stall of its memcg */
	mem_cgroup_throttle(m, t, memcg, jiffies * NSEC_PER_JIFFY);
}

/* ---- the tunables ---- */

void memory_max_write(struct machine *m, struct mem_cgroup *memcg, long max)
{
	int nr_reclaims = MAX_RECLAIM_RETRIES;
	bool drained = false;

	memcg->memory.max = max;
	while (memcg->memory.usage > max) {
		if (fatal_signal_pending(m->current))
			break;
		if (!drained) {
			drain_all_stock(m, memcg);
			drained = true;
			continue;
		}
		if (nr_reclaims) {
			if (!try_to_free_mem_cgroup_pages(m, memcg, (unsigned long)(memcg->memory.usage - max),
							  GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP, -1))
				nr_reclaims--;
			continue;
		}
		memcg_memory_event(memcg, MEMCG_OOM);
		if (!out_of_memory_memcg(m, memcg, GFP_KERNEL, 0))
			break;
	}
}

void memory_high_write(struct machine *m, struct mem_cgroup *memcg, long high)
{
	int nr_retries = MAX_RECLAIM_RETRIES;
	bool drained = false;

	memcg->memory.high = high;
	while (memcg->memory.usage > high) {
		unsigned long reclaimed;

		if (!drained) {
			drain_all_stock(m, memcg);
			drained = true;
			continue;
		}
		reclaimed = try_to_free_mem_cgroup_pages(m, memcg, (unsigned long)(memcg->memory.usage - high),
							 GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP, -1);
		if (!reclaimed && !nr_retries--)
			break;
	}
}

void memory_swap_max_write(struct machine *m, struct mem_cgroup *memcg, long max)
{
	(void)m;
	memcg->swap.max = max;
}

/* ---- memory.stat: a walk of the charged pages ---- */

static void page_stat(struct machine *m, unsigned long pfn, const struct page *page, unsigned long *st)
{
	bool file = !page_test(page, PG_swapbacked);
	bool anon = page_test(page, PG_anon) || page_test(page, PG_swapcache);

	if (anon)
		st[MS_ANON]++;
	else if (page->private || page_test(page, PG_lru))
		st[MS_FILE]++;
	else
		st[MS_KERNEL]++;
	if (!anon && !file)
		st[MS_SHMEM]++;
	if (file && page->_mapcount >= 0)
		st[MS_FILE_MAPPED]++;
	if (file && page_test(page, PG_dirty))
		st[MS_FILE_DIRTY]++;
	if (file && page_test(page, PG_writeback))
		st[MS_FILE_WRITEBACK]++;
	if (page_test(page, PG_swapcache))
		st[MS_SWAPCACHED]++;
	if (page_test(page, PG_lru)) {
		enum lru_list lru = folio_lru_list_gen(m, pfn);

		st[MS_INACTIVE_ANON + lru]++;
	}
}

void mem_cgroup_page_stats(struct machine *m, struct mem_cgroup *memcg, unsigned long (*stat)[NR_MEMCG_PAGE_STAT])
{
	bool in[MEM_CGROUP_ID_MAX + 1] = { false };

	for (unsigned int id = 1; id <= MEM_CGROUP_ID_MAX; id++) {
		struct mem_cgroup *c = m->memcg->idr[id];

		in[id] = c && mem_cgroup_is_descendant(c, memcg);
	}
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		const struct mem_section *ms = &m->sections[s];

		if (!ms->memcg_ids)
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i++) {
			unsigned long pfn = (s << PFN_SECTION_SHIFT) + i;

			if (ms->memcg_ids[i] && in[ms->memcg_ids[i]])
				page_stat(m, pfn, &ms->mem_map[i], stat[ms->nid]);
		}
	}
}

/* ---- --debug-vm ---- */

static char *check_memcg(struct machine *m, struct mem_cgroup *memcg, const long *pages, const long *swaps)
{
	long mem = 0, swap = 0;

	if (memcg->nr_pages != pages[memcg->id] || memcg->nr_swap != swaps[memcg->id])
		return g_strdup_printf("memcg %s: %ld pages and %ld swap slots labelled, %ld and %ld counted",
				       memcg->css->name, pages[memcg->id], swaps[memcg->id], memcg->nr_pages,
				       memcg->nr_swap);
	if (!mem_cgroup_is_root(memcg)) {
		mem = memcg->nr_pages;
		swap = memcg->nr_swap;
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (m->memcg->stock[cpu].cached == memcg)
			mem += m->memcg->stock[cpu].nr_pages;
	for (guint i = 0; i < memcg->css->children->len; i++) {
		struct cgroup *c = g_ptr_array_index(memcg->css->children, i);
		char *err = check_memcg(m, c->memcg, pages, swaps);

		if (err)
			return err;
		mem += c->memcg->memory.usage;
		swap += c->memcg->swap.usage;
	}
	if (mem != memcg->memory.usage || swap != memcg->swap.usage)
		return g_strdup_printf("memcg %s: memory.current %ld swap %ld pages, its own and its children's %ld and %ld",
				       memcg->css->name, memcg->memory.usage, memcg->swap.usage, mem, swap);
	if (memcg->nr_pages && !memcg->online)
		return g_strdup_printf("memcg %s: offline with %ld pages", memcg->css->name, memcg->nr_pages);
	return NULL;
}

char *mem_cgroup_check_invariants(struct machine *m)
{
	g_autofree long *pages = g_new0(long, MEM_CGROUP_ID_MAX + 1);
	g_autofree long *swaps = g_new0(long, MEM_CGROUP_ID_MAX + 1);
	GHashTableIter it;
	gpointer k, v;

	if (!m->memcg || !root_mem_cgroup(m))
		return NULL;
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		const struct mem_section *ms = &m->sections[s];

		for (unsigned long i = 0; ms->memcg_ids && i < PAGES_PER_SECTION; i++) {
			uint16_t id = ms->memcg_ids[i];

			if (!id)
				continue;
			if (!m->memcg->idr[id])
				return g_strdup_printf("pfn %#lx charged to memcg id %u, which is gone",
						       (s << PFN_SECTION_SHIFT) + i, id);
			if (ms->mem_map[i]._refcount <= 0)
				return g_strdup_printf("pfn %#lx is free and charged to memcg id %u",
						       (s << PFN_SECTION_SHIFT) + i, id);
			pages[id]++;
		}
	}
	g_hash_table_iter_init(&it, m->memcg->swap_cgroup);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		unsigned int id = GPOINTER_TO_UINT(v);

		if (!m->memcg->idr[id])
			return g_strdup_printf("swap entry %#lx charged to memcg id %u, which is gone",
					       (unsigned long)GPOINTER_TO_SIZE(k), id);
		swaps[id]++;
	}
	return check_memcg(m, root_mem_cgroup(m), pages, swaps);
}
