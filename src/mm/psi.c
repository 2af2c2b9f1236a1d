/*
 * kernel/sched/psi.c: pressure stall information.
 *
 * Models: per resource (io, memory, cpu) the "some" and "full" stall time
 * totals in microseconds, and the running averages over 10 s, 60 s and
 * 300 s updated every PSI_FREQ (2 s + 1 jiffy) with the kernel's decay
 * (calc_avgs: avg = avg * e + pct * (1 - e), e = exp(-period/window)).
 * Simplifies: stall time is accounted by the mechanisms that stall (direct
 * reclaim, swap-in, reclaim throttling, kswapd's balance_pgdat) directly
 * into the totals, not derived from per-cpu task states: a stall of the
 * running task is "some" and "full" (it is the only task), kswapd's is
 * "some" alone (the task it reclaims for runs on); "some" counts the time
 * once where the two overlap.
 */
#include <math.h>

#include "mmsim/machine.h"
#include "mm_internal.h"

#define PSI_FREQ_NS (2 * NSEC_PER_SEC + NSEC_PER_JIFFY)

static const double psi_windows_s[3] = { 10.0, 60.0, 300.0 };

/* psi_memstall_enter .. leave over [start, end): memory some, and full
 * when the task that stalls is the one that runs */
void psi_memstall_account(struct machine *m, uint64_t start, uint64_t end, bool full)
{
	struct psi_group_res *g = &m->psi[PSI_MEM];
	uint64_t from = MAX(start, m->psi_mem_some_until);

	if (end <= start)
		return;
	if (full)
		g->total_us[1] += (end - start) / 1000;
	if (end > from) {
		g->some_ns += end - from;
		g->total_us[0] = g->some_ns / 1000;
		m->psi_mem_some_until = end;
	}
}

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
