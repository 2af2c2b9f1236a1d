/*
 * What the engine's unit tests share: a small machine with a manual clock,
 * the invariant check, node counters summed, and a spawned process.
 */
#ifndef MMSIM_UNIT_UTIL_H
#define MMSIM_UNIT_UTIL_H

#include "mmsim/machine.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

/* What a test changes of the built-in machine: one node, 2 CPUs, the
 * manual clock always; a zero field keeps the default (kernel image 32 MiB,
 * 2 CPUs).  bare: no processes or kernel threads at boot. */
struct unit_config {
	unsigned long long mem, swap, kernel_reserved;
	int cpus;
	bool debug, bare;
};

static inline struct machine *unit_machine_cfg(struct unit_config u)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = u.mem;
	cfg.swap_bytes = u.swap;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = u.cpus ? u.cpus : 2;
	if (u.kernel_reserved)
		cfg.kernel_reserved_bytes = u.kernel_reserved;
	cfg.manual_clock = true;
	cfg.debug_vm = u.debug;
	cfg.bare = u.bare;
	m = machine_create(&cfg, &error);
	g_assert_no_error(error);
	machine_config_clear(&cfg);
	return m;
}

/* One node, 2 CPUs, manual clock; swap as given (the preset's default is
 * replaced), --debug-vm on request */
static inline struct machine *unit_machine(unsigned long mem, unsigned long swap, bool debug)
{
	return unit_machine_cfg((struct unit_config){ .mem = mem, .swap = swap, .debug = debug });
}

static inline void check(struct machine *m)
{
	g_autofree char *err = machine_check_invariants(m);

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
