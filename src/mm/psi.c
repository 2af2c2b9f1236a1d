/*
 * kernel/sched/psi.c: pressure stall information.
 *
 * Models: per resource (io, memory, cpu) the "some" and "full" stall time
 * totals in microseconds, and the running averages over 10 s, 60 s and
 * 300 s updated every PSI_FREQ (2 s + 1 jiffy) with the kernel's decay
 * (calc_avgs: avg = avg * e + pct * (1 - e), e = exp(-period/window)).
 * Simplifies: stall time is accounted by the mechanisms that stall (direct
 * reclaim, swap-in, reclaim throttling) directly into the totals, not
 * derived from per-cpu task states.
 */
#include <math.h>

#include "mmsim/machine.h"
#include "mm_internal.h"

#define PSI_FREQ_NS (2 * NSEC_PER_SEC + NSEC_PER_SEC / 250)

static const double psi_windows_s[3] = { 10.0, 60.0, 300.0 };

void psi_avgs_work(struct machine *m, void *arg)
{
	uint64_t period_ns = m->psi_last_avg_ns ? m->now_ns - m->psi_last_avg_ns : m->now_ns;

	if (period_ns) {
		for (int r = 0; r < NR_PSI_RESOURCES; r++) {
			struct psi_group_res *g = &m->psi[r];

			for (int s = 0; s < 2; s++) {
				uint64_t delta_us = g->total_us[s] - g->avg_last_total[s];
				double pct = 100.0 * (double)delta_us * 1000.0 / (double)period_ns;

				if (pct > 100.0)
					pct = 100.0;
				for (int w = 0; w < 3; w++) {
					double e = exp(-((double)period_ns / 1e9) / psi_windows_s[w]);

					g->avg[s][w] = g->avg[s][w] * e + pct * (1.0 - e);
				}
				g->avg_last_total[s] = g->total_us[s];
			}
		}
	}
	m->psi_last_avg_ns = m->now_ns;
	mod_timer(m, m->now_ns + PSI_FREQ_NS, "psi_avgs_work", psi_avgs_work, arg);
}
