/*
 * bench_lru_gen: anonymous reclaim to swap with MGLRU on, against the
 * classic two-list LRU measured in the same run.
 *
 * Each trial builds a machine of 2 GiB with 8 GiB of swap (manual clock,
 * no --debug-vm), once with lru_gen off and once with it on, and times one
 * process writing 6 GiB of private anonymous memory, three times the RAM:
 * kswapd and direct reclaim swap out.  The figure is pages reclaimed
 * (pgsteal_kswapd + pgsteal_direct) per second of wall time; pgscan per
 * pgsteal and the simulated seconds are printed beside it.  The ratio is
 * MGLRU's pages/s over the classic LRU's.  Median of --trials (3).
 */
#define BENCH_NAME "bench_lru_gen"
#include "bench_util.h"
#include "bench_engine.h"

struct result {
	double pages_per_sec, scan_per_steal, sim_sec;
};

static unsigned long events(struct machine *m, int kswapd_item)
{
	return m->vm_events[kswapd_item] + m->vm_events[kswapd_item + 1];
}

static struct result run(bool lru_gen)
{
	const struct bench_machine b = { .mem = 2 * GiB, .swap = 8 * GiB, .nodes = 1, .cpus = 4, .lru_gen = lru_gen };
	struct machine *m = bench_machine_create(&b);
	double dt = bench_write_anon(m, bench_spawn(m, "anon"), 6 * GiB);
	struct result r;

	r.pages_per_sec = (double)events(m, PGSTEAL_KSWAPD) / dt;
	r.scan_per_steal = (double)events(m, PGSCAN_KSWAPD) / (double)MAX(events(m, PGSTEAL_KSWAPD), 1UL);
	r.sim_sec = (double)m->now_ns / 1e9;
	machine_destroy(m);
	return r;
}

int main(int argc, char **argv)
{
	double rate[2][MAX_TRIALS], scan[2][MAX_TRIALS], sim[2][MAX_TRIALS];
	const char *name[2] = { "classic LRU", "MGLRU" };
	int trials = bench_trials(argc, argv);

	for (int k = 0; k < trials; k++) {
		for (int g = 0; g < 2; g++) {
			struct result r = run(g == 1);

			rate[g][k] = r.pages_per_sec;
			scan[g][k] = r.scan_per_steal;
			sim[g][k] = r.sim_sec;
		}
	}
	printf("anonymous reclaim to swap, 2 GiB machine, 8 GiB swap, 6 GiB written, median of %d\n", trials);
	for (int g = 0; g < 2; g++)
		printf("  %-12s %6.2f M pages reclaimed/s, %.2f scanned per reclaimed, %.1f s simulated\n", name[g],
		       median(rate[g], trials) / 1e6, median(scan[g], trials), median(sim[g], trials));
	printf("ratio\n");
	printf("  MGLRU / classic LRU:         %.2fx\n", median(rate[1], trials) / median(rate[0], trials));
	return 0;
}
