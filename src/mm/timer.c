/*
 * Simulated time (kernel/time/timer.c, kernel/workqueue.c in spirit).
 *
 * Models: a clock in nanoseconds since boot; timers that run kernel-thread
 * work when simulated time reaches them, in expiry order; each run is a
 * kernel thread waking and sleeping again, counted as two context switches.
 * Simplifies: a timer's work runs to completion at its expiry instant;
 * work that takes time (kswapd) runs in steps, each step a timer of its
 * own (sched.c, kswapd.c); no preemption.
 */
#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mm_internal.h"


static bool timer_before(const struct sim_timer *a, const struct sim_timer *b)
{
	return a->expires < b->expires || (a->expires == b->expires && a->seq < b->seq);
}

static void heap_swap(GArray *h, guint i, guint j)
{
	struct sim_timer t = g_array_index(h, struct sim_timer, i);

	g_array_index(h, struct sim_timer, i) = g_array_index(h, struct sim_timer, j);
	g_array_index(h, struct sim_timer, j) = t;
}

static void heap_push(GArray *h, const struct sim_timer *t)
{
	guint i = h->len;

	g_array_append_val(h, *t);
	while (i > 0) {
		guint parent = (i - 1) / 2;

		if (!timer_before(&g_array_index(h, struct sim_timer, i), &g_array_index(h, struct sim_timer, parent)))
			break;
		heap_swap(h, i, parent);
		i = parent;
	}
}

void mod_timer(struct machine *m, uint64_t expires_ns, const char *name, timer_fn fn, void *arg)
{
	struct sim_timer t = { expires_ns, m->timer_seq++, fn, arg, name };

	heap_push(m->timers, &t);
}

static struct sim_timer heap_pop(GArray *h)
{
	struct sim_timer top = g_array_index(h, struct sim_timer, 0);
	guint i = 0;

	g_array_index(h, struct sim_timer, 0) = g_array_index(h, struct sim_timer, h->len - 1);
	g_array_set_size(h, h->len - 1);
	for (;;) {
		guint l = 2 * i + 1, r = l + 1, min = i;

		if (l < h->len && timer_before(&g_array_index(h, struct sim_timer, l), &g_array_index(h, struct sim_timer, min)))
			min = l;
		if (r < h->len && timer_before(&g_array_index(h, struct sim_timer, r), &g_array_index(h, struct sim_timer, min)))
			min = r;
		if (min == i)
			break;
		heap_swap(h, i, min);
		i = min;
	}
	return top;
}

/* del_timer: the pending runs of fn(arg) are cancelled (the heap is
 * small: a few periodic works, the I/O in flight, the kernel threads) */
void del_timer(struct machine *m, timer_fn fn, void *arg)
{
	GArray *h = m->timers;
	GArray *keep = g_array_sized_new(FALSE, FALSE, sizeof(struct sim_timer), h->len);

	for (guint i = 0; i < h->len; i++) {
		struct sim_timer *t = &g_array_index(h, struct sim_timer, i);

		if (t->fn != fn || t->arg != arg)
			g_array_append_val(keep, *t);
	}
	if (keep->len == h->len) {
		g_array_free(keep, TRUE);
		return;
	}
	g_array_set_size(h, 0);
	for (guint i = 0; i < keep->len; i++) {
		struct sim_timer *t = &g_array_index(keep, struct sim_timer, i);

		heap_push(h, t);
	}
	g_array_free(keep, TRUE);
}

void machine_advance(struct machine *m, uint64_t delta_ns)
{
	uint64_t target = m->now_ns + delta_ns;

	/* a panicked machine has stopped: no time passes, no thread runs */
	if (m->panicked)
		return;
	while (m->timers->len && g_array_index(m->timers, struct sim_timer, 0).expires <= target) {
		struct sim_timer t = heap_pop(m->timers);

		if (t.expires > m->now_ns)
			m->now_ns = t.expires;
		m->nr_context_switches += 2;
		t.fn(m, t.arg);
	}
	/* work that slept in it (a task's I/O wait) may have gone further */
	m->now_ns = MAX(m->now_ns, target);
}

/* vmstat_update: every stat_interval, on every cpu, trim idle pcp lists */
void vmstat_update(struct machine *m, void *arg)
{
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			if (zone->per_cpu_pageset)
				for (int cpu = 0; cpu < m->nr_cpus; cpu++)
					decay_pcp_high(m, zone, &zone->per_cpu_pageset[cpu]);
	m->nr_context_switches += 2 * (uint64_t)(m->nr_cpus - 1);
	mod_timer(m, m->now_ns + (uint64_t)m->sysctl.stat_interval * NSEC_PER_SEC, "vmstat_update",
		  vmstat_update, arg);
	machine_debug_check(m, "vmstat_update");
}

void timers_init(struct machine *m)
{
	m->timers = g_array_new(FALSE, FALSE, sizeof(struct sim_timer));
	mod_timer(m, (uint64_t)m->sysctl.stat_interval * NSEC_PER_SEC, "vmstat_update", vmstat_update, NULL);
	/* LOAD_FREQ = 5*HZ+1 and PSI_FREQ = 2*HZ+1 jiffies */
	mod_timer(m, 5 * NSEC_PER_SEC + NSEC_PER_JIFFY, "calc_global_load", calc_global_load, NULL);
	mod_timer(m, 2 * NSEC_PER_SEC + NSEC_PER_JIFFY, "psi_avgs_work", psi_avgs_work, NULL);
}

void timers_destroy(struct machine *m)
{
	if (m->timers)
		g_array_free(m->timers, TRUE);
}
