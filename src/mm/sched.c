/*
 * kernel/sched in outline: the running task's CPU time moves the clock,
 * and the kernel threads run in the same simulated interval.
 *
 * Models:
 * - the task a command runs for spends simulated time (time_costs.h):
 *   its faults, copies and reclaim work are charged and the clock moves
 * - the clock moves in slices (SCHED_SLICE_NS): at each cond_resched the
 *   time spent so far passes, and every kernel thread or I/O completion
 *   due in that interval runs (timer.c) -- kswapd on its own CPU reclaims
 *   while the task faults (kswapd.c)
 * - a task that sleeps (I/O, reclaim_throttle) first spends the CPU time
 *   it has run up, then the clock moves to its wake-up
 * Simplifies:
 * - one command's task runs at a time; kernel threads and the background
 *   workloads (workload.c, their own per-CPU tick) run on the CPUs
 *   alongside it, never preempting it
 * - the slice ends at a safe point (between two faults), not mid-fault
 * - under --clock=realtime the clock is the later of the wall clock and
 *   the time the commands have spent
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "workload_internal.h"

/* account_system_time's share: the running task's time is the clock's
 * (a workload's step counts its own: workload.c) */
void sched_charge(struct machine *m, struct task_struct *t, uint64_t ns)
{
	if (t == m->current && !(t->flags & PF_KTHREAD) && !workload_stepping(m, t))
		m->sched_pending_ns += ns;
}

/* The time the running task has spent passes now */
void sched_flush(struct machine *m)
{
	uint64_t ns = m->sched_pending_ns;

	if (!ns)
		return;
	m->sched_pending_ns = 0;
	machine_advance(m, ns);
}

/* cond_resched: at a safe point, a slice's worth of the task's time has
 * run: let the clock and the kernel threads catch up */
void cond_resched(struct machine *m)
{
	if (m->sched_pending_ns >= SCHED_SLICE_NS)
		sched_flush(m);
}

/* select_task_rq at fork: the CPUs take new tasks in turn (the model has
 * no load balancer), the next one the mask allows */
int select_task_rq_fork(struct machine *m, const cpumask_t *cpus_allowed)
{
	int start = (int)(m->nr_forks % (uint64_t)m->nr_cpus);

	for (int i = 0; i < m->nr_cpus; i++) {
		int cpu = (start + i) % m->nr_cpus;

		if (cpumask_test_cpu(cpu, cpus_allowed))
			return cpu;
	}
	return start;
}

/*
 * sched_setaffinity: the mask narrowed to the CPUs that exist (none:
 * EINVAL); a task whose CPU is outside it moves to the first CPU of it,
 * and so to that CPU's node for its local allocations.
 */
int sys_sched_setaffinity(struct machine *m, struct task_struct *t, const cpumask_t *mask)
{
	cpumask_t valid;
	int first = -1;

	cpumask_clear(&valid);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpumask_test_cpu(cpu, mask)) {
			cpumask_set_cpu(cpu, &valid);
			if (first < 0)
				first = cpu;
		}
	if (first < 0)
		return -EINVAL;
	t->cpus_allowed = valid;
	if (!cpumask_test_cpu(t->cpu, &valid)) {
		t->cpu = first;
		t->nvcsw++;
		m->nr_context_switches++;
	}
	return 0;
}
