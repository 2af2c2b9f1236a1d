/*
 * Background workloads (proc/PID/ctl `run` and `stop`): a process that
 * keeps touching a range of its address space at a rate, on simulated time.
 */
#ifndef MMSIM_WORKLOAD_H
#define MMSIM_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/machine.h"

/* The fastest rate a workload takes: 1 TiB per second */
#define WORKLOAD_MAX_RATE (1ULL << 40)

/* What a workload does: loads or stores to [start, start + len) at rate
 * bytes per second of simulated time, round-robin over the pages, for
 * duration_ns (0: until stopped) */
struct workload_args {
	unsigned long start, len;
	bool write;
	uint64_t rate;
	uint64_t duration_ns;
};

/* Start t's workload: 0, -EBUSY when it has one, -EINVAL for a kernel
 * thread, a dead task or bad arguments */
int workload_start(struct machine *m, struct task_struct *t, const struct workload_args *a);
/* Stop it: 0, or -EINVAL when it has none */
int workload_stop(struct machine *m, struct task_struct *t);
/* t's workload, if it runs one: its arguments and the bytes touched so far */
bool workload_info(const struct machine *m, const struct task_struct *t, struct workload_args *a,
		   uint64_t *touched);

#endif
