/*
 * kernel/sched/loadavg.c: the 1/5/15-minute load averages.
 *
 * Models: calc_global_load every LOAD_FREQ (5 s + 1 jiffy) with the kernel's
 * fixed-point exponential decay (FSHIFT 11, EXP_1/EXP_5/EXP_15).
 * Simplifies: the active count is the model's runnable plus uninterruptible
 * tasks at the instant of the update (the kernel folds per-cpu deltas).
 */
#include "mmsim/loadavg.h"
#include "mmsim/machine.h"
#include "mm_internal.h"

#define LOAD_FREQ_NS (5 * NSEC_PER_SEC + NSEC_PER_JIFFY)

unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long newload = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		newload += FIXED_1 - 1;
	return newload / FIXED_1;
}

void calc_global_load(struct machine *m, void *arg)
{
	unsigned long active = (unsigned long)(m->nr_running > 0 ? m->nr_running : 0) * FIXED_1;

	m->avenrun[0] = calc_load(m->avenrun[0], EXP_1, active);
	m->avenrun[1] = calc_load(m->avenrun[1], EXP_5, active);
	m->avenrun[2] = calc_load(m->avenrun[2], EXP_15, active);
	mod_timer(m, m->now_ns + LOAD_FREQ_NS, "calc_global_load", calc_global_load, arg);
}
