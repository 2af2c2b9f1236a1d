/*
 * The workloads' engine state (workload.c), and what the rest of src/mm
 * asks of it: whose time a fault charges, a task's exit, the invariants.
 */
#ifndef MMSIM_WORKLOAD_INTERNAL_H
#define MMSIM_WORKLOAD_INTERNAL_H

#include "mmsim/workload.h"

struct workload;

/* One CPU's share of the scheduler (the kernel's struct rq) */
struct wl_rq {
	int cpu;
	struct workload *curr;    /* the workload on the CPU since `since` */
	uint64_t since;           /* when curr was put on the CPU */
	uint64_t stime_at;        /* curr's system time then */
	uint64_t waited;          /* curr's waits in its steps since then */
	uint64_t debt;            /* kernel time beyond the ticks it ran in */
	bool in_tick;             /* its tick runs (its timer is not pending) */
};

struct workload_state {
	GPtrArray *list;          /* struct workload *, in start order */
	struct wl_rq *rq;         /* per CPU */
	bool ticking;             /* the CPUs' ticks are armed */
	/* the task whose step runs: its time is counted by the step, not
	 * by the clock (sched_charge) */
	struct task_struct *stepping;
};

/* A step of t's workload runs: its faults do not move the clock */
static inline bool workload_stepping(const struct machine *m, const struct task_struct *t)
{
	return m->workloads && m->workloads->stepping == t;
}

/* do_exit: t's workload ends with it */
void workload_exit(struct machine *m, struct task_struct *t);
void workload_destroy(struct machine *m);
/* --debug-vm: NULL or what is broken */
char *workload_check(struct machine *m);

#endif
