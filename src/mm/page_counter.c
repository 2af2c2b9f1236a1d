/*
 * mm/page_counter.c: hierarchical page counters with limits, peaks and
 * the effective protection of memory.min and memory.low.
 *
 * Models: page_counter_charge/try_charge/uncharge up the parents (a
 *   failed try_charge undoes what it took and counts failcnt at the
 *   counter that refused); the watermark (memory.peak) and a local one
 *   for the per-file reset; propagate_protected_usage and
 *   effective_protection with memory_recursiveprot.
 * Simplifies: no atomics (the model is single-threaded).
 */
#include "mmsim/memcontrol.h"

/* propagate_protected_usage: the parent's sums of its children's
 * protected usage follow this counter's usage */
static void propagate_protected_usage(struct page_counter *c, long usage)
{
	long protected, delta;

	if (!c->parent)
		return;
	protected = usage < c->min ? usage : c->min;
	delta = protected - c->min_usage;
	if (delta) {
		c->min_usage = protected;
		c->parent->children_min_usage += delta;
	}
	protected = usage < c->low ? usage : c->low;
	delta = protected - c->low_usage;
	if (delta) {
		c->low_usage = protected;
		c->parent->children_low_usage += delta;
	}
}

void page_counter_init(struct page_counter *c, struct page_counter *parent)
{
	*c = (struct page_counter){ .max = PAGE_COUNTER_MAX, .high = PAGE_COUNTER_MAX, .parent = parent };
}

static void counter_add(struct page_counter *c, long nr)
{
	c->usage += nr;
	propagate_protected_usage(c, c->usage);
	if (c->usage > c->watermark)
		c->watermark = c->usage;
	if (c->usage > c->local_watermark)
		c->local_watermark = c->usage;
}

void page_counter_charge(struct page_counter *c, long nr)
{
	for (; c; c = c->parent)
		counter_add(c, nr);
}

bool page_counter_try_charge(struct page_counter *c, long nr, struct page_counter **fail)
{
	for (struct page_counter *p = c; p; p = p->parent) {
		if (p->usage + nr > p->max) {
			p->failcnt++;
			*fail = p;
			for (struct page_counter *q = c; q != p; q = q->parent) {
				q->usage -= nr;
				propagate_protected_usage(q, q->usage);
			}
			return false;
		}
		counter_add(p, nr);
	}
	return true;
}

void page_counter_uncharge(struct page_counter *c, long nr)
{
	for (; c; c = c->parent) {
		c->usage -= nr;
		propagate_protected_usage(c, c->usage);
	}
}

void page_counter_set_min(struct page_counter *c, long nr)
{
	c->min = nr;
	for (; c; c = c->parent)
		propagate_protected_usage(c, c->usage);
}

void page_counter_set_low(struct page_counter *c, long nr)
{
	c->low = nr;
	for (; c; c = c->parent)
		propagate_protected_usage(c, c->usage);
}

/* effective_protection: a share of the parent's effective protection in
 * proportion to the protected usage of the siblings; with recursive
 * protection the part the siblings did not claim spreads by unprotected
 * usage */
static long effective_protection(long usage, long parent_usage, long setting, long parent_effective,
				 long siblings_protected, bool recursive)
{
	long protected = usage < setting ? usage : setting, ep;

	if (siblings_protected > parent_effective)
		return protected * parent_effective / siblings_protected;
	ep = protected;
	if (recursive && parent_usage > siblings_protected) {
		long unclaimed = parent_effective - siblings_protected;

		unclaimed = (long)((__int128)unclaimed * (usage - protected) / (parent_usage - siblings_protected));
		ep += unclaimed;
	}
	return ep;
}

void page_counter_calculate_protection(struct page_counter *root, struct page_counter *c, bool recursive)
{
	struct page_counter *parent = c->parent;

	if (root == c || !c->usage)
		return;
	if (parent == root) {
		c->emin = c->min;
		c->elow = c->low;
		return;
	}
	c->emin = effective_protection(c->usage, parent->usage, c->min, parent->emin, parent->children_min_usage,
				       recursive);
	c->elow = effective_protection(c->usage, parent->usage, c->low, parent->elow, parent->children_low_usage,
				       recursive);
}
