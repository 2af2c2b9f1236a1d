/*
 * What the engine's unit tests share: a small machine with a manual clock,
 * the invariant check, node counters summed, and a spawned process.
 */
#ifndef MMSIM_UNIT_UTIL_H
#define MMSIM_UNIT_UTIL_H

#include "mmsim/machine.h"

/* One node, 2 CPUs, manual clock; swap as given (the preset's default is
 * replaced), --debug-vm on request */
static inline struct machine *unit_machine(unsigned long mem, unsigned long swap, bool debug)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = mem;
	cfg.swap_bytes = swap;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 2;
	cfg.manual_clock = true;
	cfg.debug_vm = debug;
	m = machine_create(&cfg, &error);
	g_assert_no_error(error);
	machine_config_clear(&cfg);
	return m;
}

static inline void check(struct machine *m)
{
	char *err = machine_check_invariants(m);

	if (err)
		g_error("invariant: %s", err);
}

static inline long node_stat(struct machine *m, enum node_stat_item item)
{
	long x = 0;

	for_each_online_node(m, nid)
		x += m->node_data[nid]->vm_stat[item];
	return x;
}

static inline struct task_struct *spawn(struct machine *m, int pid)
{
	struct task_struct *t;

	g_assert_cmpint(sys_spawn(m, "p", pid, NULL, &t), >=, 0);
	return t;
}

#endif
