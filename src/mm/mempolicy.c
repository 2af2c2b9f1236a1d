/*
 * mm/mempolicy.c: NUMA memory policies, per task (set_mempolicy) and per
 * VMA (mbind), and where they place a user page.
 *
 * Models:
 * - the modes default, local, preferred, preferred-many, bind, interleave
 *   and weighted interleave, with the static and relative mode flags:
 *   sanitize_mpol_flags, mpol_new and mpol_set_nodemask's checks and
 *   their EINVAL, the nodes narrowed to those with memory
 * - get_vma_policy: the VMA's policy, else the task's, else local; the
 *   interleave index of a VMA page is its offset in the mapping
 *   (interleave_nid, weighted_interleave_nid), outside a VMA the task's
 *   counter (interleave_nodes, weighted_interleave_nodes with il_prev
 *   and il_weight)
 * - alloc_pages_mpol: preferred and interleave override the node, bind
 *   restricts the allocation (reclaim and the OOM killer included) to
 *   its nodes, preferred-many tries its nodes without direct reclaim
 *   before any node; numa_interleave counts interleaved pages that landed
 *   on the node asked for
 * - mbind: the range's VMAs split and given the policy (merged again
 *   with equal neighbours), a hole is EFAULT; MPOL_MF_MOVE migrates the
 *   pages mapped only here that are off the given nodes, each to where
 *   the new policy puts it, with migrate_pages
 * - numa_maps' policy column (mpol_to_str); the weights of
 *   sys/kernel/mm/mempolicy/weighted_interleave
 * Simplifies:
 * - no cpusets: every node with memory is allowed, so there is no
 *   rebinding; no MPOL_F_NUMA_BALANCING, no home node
 *   (set_mempolicy_home_node)
 * - page-table pages and shmem objects do not follow the policy (they
 *   use the task's node); the page cache follows the task's policy
 * - the weighted-interleave "auto" mode has no bandwidth data (HMAT):
 *   the automatic weights are all 1
 */
#include <errno.h>

#include "mmsim/mempolicy.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "migrate.h"

/* policy_modes[]: the names mpol_to_str prints */
static const char *const policy_modes[MPOL_MAX] = {
	[MPOL_DEFAULT] = "default",
	[MPOL_PREFERRED] = "prefer",
	[MPOL_BIND] = "bind",
	[MPOL_INTERLEAVE] = "interleave",
	[MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
	[MPOL_LOCAL] = "local",
	[MPOL_PREFERRED_MANY] = "prefer (many)",
};

static int pfn_to_nid(struct machine *m, unsigned long pfn)
{
	return __pfn_to_section(m, pfn)->nid;
}

/* node_states[N_MEMORY]: the nodes with memory */
static nodemask_t node_states_memory(const struct machine *m)
{
	nodemask_t mask = 0;

	for_each_online_node(m, nid)
		if (NODE_DATA(m, nid)->node_present_pages)
			mask |= nodemask_of_node(nid);
	return mask;
}

/* nodes_fold then nodes_onto: bit n of orig (mod the weight of rel)
 * selects the n-th node of rel */
static nodemask_t mpol_relative_nodemask(nodemask_t orig, nodemask_t rel)
{
	int w = nodes_weight(rel), n = 0;
	nodemask_t folded = 0, out = 0;

	if (!w)
		return 0;
	for_each_node_mask(nid, orig)
		folded |= nodemask_of_node(nid % w);
	for_each_node_mask(nid, rel) {
		if (node_isset(n, folded))
			out |= nodemask_of_node(nid);
		n++;
	}
	return out;
}

/* sanitize_mpol_flags, mpol_new and mpol_set_nodemask: the policy a
 * system call asks for, or -EINVAL; MPOL_DEFAULT makes an empty policy */
static int mpol_new(const struct machine *m, int mode, unsigned int flags, nodemask_t nodes, struct mempolicy *pol)
{
	nodemask_t allowed = node_states_memory(m), eff;

	if (mode < 0 || mode >= MPOL_MAX || (flags & ~MPOL_MODE_FLAGS) || (flags & MPOL_F_NUMA_BALANCING))
		return -EINVAL;
	if ((flags & MPOL_F_STATIC_NODES) && (flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	*pol = (struct mempolicy){ .mode = MPOL_DEFAULT };
	if (mode == MPOL_DEFAULT)
		return nodes_empty(nodes) ? 0 : -EINVAL;
	if (mode == MPOL_PREFERRED && nodes_empty(nodes)) {
		if (flags)
			return -EINVAL;
		mode = MPOL_LOCAL;
	} else if (mode == MPOL_LOCAL) {
		if (!nodes_empty(nodes) || flags)
			return -EINVAL;
	} else if (nodes_empty(nodes)) {
		return -EINVAL;
	}
	pol->mode = (uint16_t)mode;
	pol->flags = (uint16_t)flags;
	if (mode == MPOL_LOCAL)
		return 0;
	eff = (flags & MPOL_F_RELATIVE_NODES) ? mpol_relative_nodemask(nodes, allowed) : nodes & allowed;
	if (flags)
		pol->user_nodemask = nodes;
	/* mpol_new_nodemask / mpol_new_preferred */
	if (nodes_empty(eff))
		return -EINVAL;
	pol->nodes = mode == MPOL_PREFERRED ? nodemask_of_node(first_node(eff)) : eff;
	return 0;
}

int sys_set_mempolicy(struct machine *m, struct task_struct *t, int mode, unsigned int flags, nodemask_t nodes)
{
	struct mempolicy pol;
	int err = mpol_new(m, mode, flags, nodes, &pol);

	if (err)
		return err;
	t->mempolicy = pol;
	/* do_set_mempolicy: interleaving starts over */
	if (pol.mode == MPOL_INTERLEAVE || pol.mode == MPOL_WEIGHTED_INTERLEAVE) {
		t->il_prev = MAX_NUMNODES - 1;
		t->il_weight = 0;
	}
	return 0;
}

unsigned int get_il_weight(const struct machine *m, int nid)
{
	unsigned int w = nid >= 0 && nid < MAX_NUMNODES ? m->iw_table[nid] : 0;

	return w ? w : 1;
}

int set_il_weight(struct machine *m, int nid, unsigned long weight)
{
	if (nid < 0 || nid >= m->nr_nodes || weight < 1 || weight > 255)
		return -EINVAL;
	m->iw_table[nid] = (uint8_t)weight;
	m->iw_manual = true;
	return 0;
}

/* weighted_interleave_auto_store: off keeps the weights; on needs the
 * nodes' bandwidths (HMAT), which the model does not have */
int set_il_auto(struct machine *m, bool on)
{
	if (on)
		return -ENODEV;
	m->iw_manual = true;
	return 0;
}

/* ---- where a page goes ---- */

/* A nodemask as the kernel's for_each_zone_zonelist_nodemask applies
 * it: the zonelist without the zones of other nodes */
struct zonelist *zonelist_nodemask(struct zonelist *zl, const nodemask_t *nodemask, struct zonelist *out)
{
	int n = 0;

	if (!nodemask)
		return zl;
	for (struct zoneref *z = zl->_zonerefs; z->zone; z++)
		if (node_isset(z->zone->zone_pgdat->node_id, *nodemask))
			out->_zonerefs[n++] = *z;
	out->_zonerefs[n] = (struct zoneref){ NULL, 0 };
	return out;
}

static int numa_node_id(struct machine *m, struct task_struct *t)
{
	return cpu_to_node(m, t ? t->cpu : 0);
}

/* get_task_policy: the task's own, or local allocation */
static const struct mempolicy *get_task_policy(struct task_struct *t)
{
	static const struct mempolicy default_policy = { .mode = MPOL_LOCAL };

	return t && t->mempolicy.mode != MPOL_DEFAULT ? &t->mempolicy : &default_policy;
}

/* get_vma_policy: the VMA's, else the task's; interleaving indexes the
 * page by its offset in the mapping */
static const struct mempolicy *get_vma_policy(struct vm_area_struct *vma, unsigned long addr, struct task_struct *t,
					      unsigned long *ilx)
{
	const struct mempolicy *pol = vma && vma->vm_policy.mode != MPOL_DEFAULT ? &vma->vm_policy :
										    get_task_policy(t);

	*ilx = 0;
	if (vma && (pol->mode == MPOL_INTERLEAVE || pol->mode == MPOL_WEIGHTED_INTERLEAVE))
		*ilx = linear_page_index(vma, addr);
	return pol;
}

/* interleave_nid: the ilx-th node of the policy's, round and round */
static int interleave_nid(const struct mempolicy *pol, unsigned long ilx)
{
	unsigned long target = ilx % (unsigned long)nodes_weight(pol->nodes);
	int nid = first_node(pol->nodes);

	for (unsigned long i = 0; i < target; i++)
		nid = next_node(nid, pol->nodes);
	return nid;
}

/* weighted_interleave_nid: the same, each node taking its weight's
 * share of consecutive indexes */
static int weighted_interleave_nid(struct machine *m, const struct mempolicy *pol, unsigned long ilx)
{
	unsigned long total = 0, target;
	int nid;

	for_each_node_mask(n, pol->nodes)
		total += get_il_weight(m, n);
	target = ilx % total;
	nid = first_node(pol->nodes);
	while (target) {
		unsigned int w = get_il_weight(m, nid);

		if (target < w)
			break;
		target -= w;
		nid = next_node_in(nid, pol->nodes);
	}
	return nid;
}

/* interleave_nodes and weighted_interleave_nodes: the task's counter */
static int interleave_nodes(struct machine *m, struct task_struct *t, const struct mempolicy *pol)
{
	int nid;

	if (!t)
		return first_node(pol->nodes);
	if (pol->mode == MPOL_INTERLEAVE) {
		t->il_prev = next_node_in(t->il_prev, pol->nodes);
		return t->il_prev;
	}
	nid = t->il_prev;
	if (!t->il_weight || !node_isset(nid, pol->nodes)) {
		nid = next_node_in(nid, pol->nodes);
		t->il_prev = nid;
		t->il_weight = get_il_weight(m, nid);
	}
	t->il_weight--;
	return nid;
}

/* policy_nodemask: the node to start from (*nid) and the nodes allowed */
static const nodemask_t *policy_nodemask(struct machine *m, struct task_struct *t, const struct mempolicy *pol,
					 unsigned long ilx, int *nid)
{
	switch (pol->mode) {
	case MPOL_PREFERRED:
		*nid = first_node(pol->nodes);
		return NULL;
	case MPOL_PREFERRED_MANY:
	case MPOL_BIND:
		return &pol->nodes;
	case MPOL_INTERLEAVE:
		*nid = ilx == NO_INTERLEAVE_INDEX ? interleave_nodes(m, t, pol) : interleave_nid(pol, ilx);
		return NULL;
	case MPOL_WEIGHTED_INTERLEAVE:
		*nid = ilx == NO_INTERLEAVE_INDEX ? interleave_nodes(m, t, pol) : weighted_interleave_nid(m, pol, ilx);
		return NULL;
	default:
		return NULL;
	}
}

/* alloc_pages_mpol: the page for policy pol at interleave index ilx */
static long alloc_pages_mpol(struct machine *m, gfp_t gfp, unsigned int order, const struct mempolicy *pol,
			     unsigned long ilx, struct task_struct *t)
{
	int cpu = t ? t->cpu : 0, nid = numa_node_id(m, t);
	const nodemask_t *nodemask = policy_nodemask(m, t, pol, ilx, &nid);
	long pfn;

	if (pol->mode == MPOL_PREFERRED_MANY) {
		/* alloc_pages_preferred_many: the nodes without direct
		 * reclaim first, then anywhere */
		gfp_t pref = (gfp | __GFP_NOWARN) & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL);

		pfn = __alloc_pages_nodemask(m, pref, order, nid, nodemask, cpu);
		return pfn >= 0 ? pfn : __alloc_pages_nodemask(m, gfp, order, nid, NULL, cpu);
	}
	pfn = __alloc_pages_nodemask(m, gfp, order, nid, nodemask, cpu);
	if (pfn >= 0 && (pol->mode == MPOL_INTERLEAVE || pol->mode == MPOL_WEIGHTED_INTERLEAVE) &&
	    pfn_to_nid(m, (unsigned long)pfn) == nid)
		__count_numa_event(pfn_zone(m, (unsigned long)pfn), NUMA_INTERLEAVE_HIT);
	return pfn;
}

long vma_alloc_folio(struct machine *m, gfp_t gfp, unsigned int order, struct vm_area_struct *vma,
		     unsigned long addr, struct task_struct *t)
{
	unsigned long ilx;
	const struct mempolicy *pol = get_vma_policy(vma, addr, t, &ilx);

	/* and mem_cgroup_charge, as the anon fault paths do next */
	return mem_cgroup_charge_new(m, alloc_pages_mpol(m, gfp, order, pol, ilx, t), order, mem_cgroup_from_task(m, t), gfp);
}

long alloc_pages_task(struct machine *m, gfp_t gfp, unsigned int order, struct task_struct *t)
{
	return alloc_pages_mpol(m, gfp, order, get_task_policy(t), NO_INTERLEAVE_INDEX, t);
}

/* ---- numa_maps ---- */

void mpol_to_str(GString *out, const struct mempolicy *pol)
{
	unsigned int flags = pol->flags;
	bool first = true;

	g_string_append(out, policy_modes[pol->mode]);
	if (flags & MPOL_MODE_FLAGS) {
		g_string_append_c(out, '=');
		if (flags & MPOL_F_STATIC_NODES)
			g_string_append(out, "static");
		else if (flags & MPOL_F_RELATIVE_NODES)
			g_string_append(out, "relative");
	}
	if (pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL || nodes_empty(pol->nodes))
		return;
	/* ":%*pbl": ranges of consecutive nodes */
	g_string_append_c(out, ':');
	for_each_node_mask(nid, pol->nodes) {
		int last = nid;

		if (nid && node_isset(nid - 1, pol->nodes))
			continue;
		while (node_isset(last + 1, pol->nodes))
			last++;
		g_string_append_printf(out, first ? "%d" : ",%d", nid);
		if (last > nid)
			g_string_append_printf(out, "-%d", last);
		first = false;
	}
}

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	if (a->mode != b->mode || a->flags != b->flags)
		return false;
	if (a->mode == MPOL_DEFAULT || a->mode == MPOL_LOCAL)
		return true;
	if ((a->flags & MPOL_MODE_FLAGS) && a->user_nodemask != b->user_nodemask)
		return false;
	return a->nodes == b->nodes;
}

/* ---- mbind ---- */

struct mbind_args {
	struct mempolicy pol;
	nodemask_t nmask;          /* the nodes as given: pages off them move */
	unsigned int flags;
	GArray *pages;             /* isolated pages to move */
	bool unmovable;            /* one could not be isolated */
};

/* queue_pages_pte_range: a page mapped here only, off the given nodes */
static void queue_pages_pte(struct machine *m, struct vm_area_struct *vma, unsigned long addr, pte_t pte, void *arg)
{
	struct mbind_args *a = arg;
	unsigned long pfn = pte_pfn(pte);
	struct page *page;

	(void)vma;
	(void)addr;
	if (pte_special(pte) || node_isset(pfn_to_nid(m, pfn), a->nmask))
		return;
	page = pfn_to_page(m, pfn);
	/* strict alone: a misplaced page is the failure; migrate_folio_add:
	 * MPOL_MF_MOVE leaves pages other processes map */
	if (!(a->flags & MPOL_MF_MOVE) || page->_mapcount > 0)
		a->unmovable = true;
	else if (folio_isolate_lru(m, pfn))
		g_array_append_val(a->pages, pfn);
	else
		a->unmovable = true;
}

/* mbind_range's vma_modify_policy: this VMA takes the policy */
static int mbind_vma(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg)
{
	struct mbind_args *a = arg;

	vma->vm_policy = a->pol;
	vma_merge_neighbours(m, t->mm, vma);
	return 0;
}

/* alloc_migration_target_by_mpol: where the new policy puts the page
 * (its interleave index is its offset in the mapping, page->index) */
static long alloc_migration_target_by_mpol(struct machine *m, unsigned long src, void *private)
{
	struct mbind_args *a = private;
	const struct mempolicy *pol = a->pol.mode == MPOL_DEFAULT ? get_task_policy(m->current) : &a->pol;
	unsigned long ilx = pol->mode == MPOL_INTERLEAVE || pol->mode == MPOL_WEIGHTED_INTERLEAVE ?
				    (unsigned long)pfn_to_page(m, src)->index : NO_INTERLEAVE_INDEX;

	return alloc_pages_mpol(m, GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 0, pol, ilx,
				m->current);
}

/* The pages queued move; -EIO when some could not and MPOL_MF_STRICT */
static int mbind_migrate(struct machine *m, struct mbind_args *a)
{
	int nr_failed = 0;

	if (a->pages->len) {
		nr_failed = migrate_pages(m, a->pages, alloc_migration_target_by_mpol, NULL, a, MIGRATE_SYNC,
					  MR_MEMPOLICY_MBIND, NULL);
		putback_movable_pages(m, a->pages);
	}
	return (nr_failed || a->unmovable) && (a->flags & MPOL_MF_STRICT) ? -EIO : 0;
}

int sys_mbind(struct machine *m, struct task_struct *t, unsigned long start, unsigned long len, int mode,
	      unsigned int mode_flags, nodemask_t nodes, unsigned int mbind_flags)
{
	struct mbind_args a = { .nmask = nodes, .flags = mbind_flags };
	unsigned long end;
	int err;

	if ((mbind_flags & ~MPOL_MF_VALID) || (start & ~PAGE_MASK))
		return -EINVAL;
	if (mbind_flags & MPOL_MF_MOVE_ALL)
		return -EPERM;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if ((err = mpol_new(m, mode, mode_flags, nodes, &a.pol)))
		return err;
	if (end == start)
		return 0;
	if (!range_mapped(t->mm, start, end))
		return -EFAULT;
	if (a.pol.mode == MPOL_DEFAULT)
		a.flags &= ~MPOL_MF_STRICT;
	a.pages = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	if (a.flags & (MPOL_MF_MOVE | MPOL_MF_STRICT)) {
		struct vm_area_struct *vma;

		for_each_vma_part(t->mm, start, end, vma, lo, hi)
			walk_page_range(m, vma, lo, hi, queue_pages_pte, &a);
	}
	/* queue_pages_range: strict without move stops at a misplaced page */
	if (a.unmovable && a.flags == MPOL_MF_STRICT)
		err = -EIO;
	else
		err = for_each_vma_in_range(m, t, start, end, mbind_vma, &a);
	if (err)
		putback_movable_pages(m, a.pages);
	else
		err = mbind_migrate(m, &a);
	g_array_free(a.pages, TRUE);
	return err;
}

/* ---- --debug-vm ---- */

static char *mpol_check(const struct machine *m, const struct mempolicy *pol, const char *whose, int pid)
{
	nodemask_t allowed = node_states_memory(m);
	bool has_nodes = pol->mode != MPOL_DEFAULT && pol->mode != MPOL_LOCAL;

	if (pol->mode >= MPOL_MAX || (has_nodes && (nodes_empty(pol->nodes) || (pol->nodes & ~allowed))) ||
	    (!has_nodes && !nodes_empty(pol->nodes)) ||
	    (pol->mode == MPOL_PREFERRED && nodes_weight(pol->nodes) != 1))
		return g_strdup_printf("pid %d: %s policy mode %u with nodes %#llx", pid, whose, pol->mode,
				       (unsigned long long)pol->nodes);
	return NULL;
}

static char *task_numa_check(const struct machine *m, struct task_struct *t)
{
	struct vm_area_struct *vma;
	char *err;

	if (!cpumask_test_cpu(t->cpu, &t->cpus_allowed))
		return g_strdup_printf("pid %d runs on CPU %d outside its Cpus_allowed", t->pid, t->cpu);
	if ((err = mpol_check(m, &t->mempolicy, "task", t->pid)))
		return err;
	if (!t->mm)
		return NULL;
	for_each_vma(t->mm, it, vma)
		if ((err = mpol_check(m, &vma->vm_policy, "VMA", t->pid)))
			return err;
	return NULL;
}

/* Every task on a CPU it may use, every policy well formed, and no zone
 * with more interleave hits than hits */
char *mempolicy_check_invariants(struct machine *m)
{
	GHashTableIter iter;
	gpointer value;
	char *err;

	g_hash_table_iter_init(&iter, m->tasks);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		if ((err = task_numa_check(m, value)))
			return err;
	for_each_online_node(m, nid)
		for_each_zone_in_node(NODE_DATA(m, nid), zone)
			if (zone->vm_numa_event[NUMA_INTERLEAVE_HIT] > zone->vm_numa_event[NUMA_HIT])
				return g_strdup_printf("%s: numa_interleave above numa_hit", zone->name);
	return NULL;
}
