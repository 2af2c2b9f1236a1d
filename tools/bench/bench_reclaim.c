/*
 * bench_reclaim: pages reclaimed per second of wall time under sustained
 * memory pressure, against a baseline measured in the same run.
 *
 * Builds a machine of 2 GiB with 8 GiB of swap (manual clock, no
 * --debug-vm) and times
 *   1. anon: one process writes 6 GiB of private anonymous memory, three
 *      times the RAM: kswapd and direct reclaim swap out (pgsteal counts
 *      the pages freed; the figure is pgsteal per second of wall time);
 *   2. file: a process streams a 16 GiB file with pread: kswapd reclaims
 *      the clean page cache behind it;
 *   3. time: host seconds per simulated second for 1.5 GiB written on a
 *      1 GiB machine with 2 GiB of swap, kswapd running in simulated time
 *      beside the task, against the same workload with kswapd run to the
 *      end inside the allocation that woke it (cfg.sync_kthreads, the
 *      model before): the concurrency may cost at most 1.5x;
 * Baseline: the same machine's page faults on memory that fits (a 1 GiB
 * write, faults per second), the work a reclaimed page replaces.  Target:
 * 5 M reclaimed pages per second.  MGLRU: the lru_gen benchmark.
 * Each figure is the median of --trials (3) runs.
 */
#define BENCH_NAME "bench_reclaim"
#include "bench_util.h"
#include "bench_engine.h"
#include "mmsim/pagemap.h"

/* the machine of the anon and file figures */
static const struct bench_machine reclaim_machine = { .mem = 2 * GiB, .swap = 8 * GiB, .nodes = 1, .cpus = 4 };

static unsigned long stolen(struct machine *m)
{
	return m->vm_events[PGSTEAL_KSWAPD] + m->vm_events[PGSTEAL_DIRECT];
}

/* Host seconds per simulated second writing 1.5 GiB on 1 GiB */
static double host_per_sim(bool sync)
{
	const struct bench_machine b = { .mem = GiB, .swap = 2 * GiB, .nodes = 1, .cpus = 2, .sync_kthreads = sync };
	struct machine *m = bench_machine_create(&b);
	struct task_struct *t = bench_spawn(m, "hog");
	uint64_t ns0 = m->now_ns;
	double dt;

	dt = bench_write_anon(m, t, 3 * GiB / 2);
	dt /= (double)(m->now_ns - ns0) / 1e9;
	machine_destroy(m);
	return dt;
}

int main(int argc, char **argv)
{
	double conc[MAX_TRIALS], sync[MAX_TRIALS];
	double anon[MAX_TRIALS], file[MAX_TRIALS], base[MAX_TRIALS];
	double anon_sim[MAX_TRIALS];
	int trials = bench_trials(argc, argv);

	for (int k = 0; k < trials; k++) {
		struct machine *m = bench_machine_create(&reclaim_machine);
		struct task_struct *t = bench_spawn(m, "base");
		unsigned long s0;
		uint64_t ns0;
		long err;
		double dt;

		base[k] = (double)(GiB / 4096) / bench_write_anon(m, t, GiB);
		sys_exit(m, t);

		t = bench_spawn(m, "anon");
		s0 = stolen(m);
		ns0 = m->now_ns;
		dt = bench_write_anon(m, t, 6 * GiB);
		anon[k] = (double)(stolen(m) - s0) / dt;
		anon_sim[k] = (double)(m->now_ns - ns0) / 1e9;
		sys_exit(m, t);
		machine_destroy(m);

		m = bench_machine_create(&reclaim_machine);
		t = bench_spawn(m, "file");
		if ((err = sim_file_create(m, "/bench/big", 16 * GiB)))
			die("sim_file_create", err);
		s0 = stolen(m);
		dt = now_sec();
		for (uint64_t off = 0; off < 16 * GiB; off += GiB)
			if ((err = sys_pread(m, t, "/bench/big", off, GiB)) != (long)GiB)
				die("sys_pread", err);
		dt = now_sec() - dt;
		file[k] = (double)(stolen(m) - s0) / dt;
		machine_destroy(m);
		sync[k] = host_per_sim(true);
		conc[k] = host_per_sim(false);
	}
	printf("reclaim, 2 GiB machine, 8 GiB swap, median of %d\n", trials);
	printf("  anon (6 GiB written, swapped): %6.2f M pages reclaimed/s (target 5 M/s: %s); "
	       "%.1f s of simulated time\n", median(anon, trials) / 1e6, median(anon, trials) >= 5e6 ? "met" : "NOT met",
	       median(anon_sim, trials));
	printf("  file (16 GiB streamed):        %6.2f M pages reclaimed/s (target 5 M/s: %s)\n",
	       median(file, trials) / 1e6, median(file, trials) >= 5e6 ? "met" : "NOT met");
	printf("  time, 1.5 GiB on 1 GiB, kswapd concurrent: %.3f host s per simulated s\n", median(conc, trials));
	printf("baseline, same run\n");
	printf("  time, kswapd synchronous (the old model): %.3f host s per simulated s\n", median(sync, trials));
	printf("  page faults, 1 GiB that fits:  %6.2f M faults/s\n", median(base, trials) / 1e6);
	printf("ratios\n");
	printf("  anon reclaim / faults:         %.2fx\n", median(anon, trials) / median(base, trials));
	printf("  file reclaim / faults:         %.2fx\n", median(file, trials) / median(base, trials));
	printf("  concurrent / synchronous time: %.2fx (at most 1.5x: %s)\n", median(conc, trials) / median(sync, trials),
	       median(conc, trials) <= 1.5 * median(sync, trials) ? "met" : "NOT met");
	return 0;
}
