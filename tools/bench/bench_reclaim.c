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
 * 5 M reclaimed pages per second.  MGLRU is not modelled (see README).
 * Each figure is the median of --trials (3) runs.
 */
#define BENCH_NAME "bench_reclaim"
#include "bench_util.h"
#include "mmsim/machine.h"
#include "mmsim/gfp.h"
#include "mmsim/mm_types.h"
#include "mmsim/pagemap.h"
#include "mmsim/vmstat.h"

#define GiB (1UL << 30)
#define MiB (1UL << 20)
#define MAX_TRIALS 32

static struct machine *new_machine(void)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = 2 * GiB;
	cfg.swap_bytes = 8 * GiB;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 4;
	cfg.manual_clock = true;
	m = machine_create(&cfg, &error);
	if (!m)
		die(error->message, 0);
	machine_config_clear(&cfg);
	return m;
}

static unsigned long stolen(struct machine *m)
{
	return m->vm_events[PGSTEAL_KSWAPD] + m->vm_events[PGSTEAL_DIRECT];
}

/* Writes `bytes` of fresh anonymous memory; returns seconds */
static double write_anon(struct machine *m, struct task_struct *t, unsigned long bytes)
{
	long a = sys_mmap(m, t, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	double t0;
	int err;

	if (a < 0)
		die("sys_mmap", a);
	t0 = now_sec();
	if ((err = access_process_range(m, t, (unsigned long)a, bytes, true)))
		die("access_process_range", err);
	return now_sec() - t0;
}

/* Host seconds per simulated second writing 1.5 GiB on 1 GiB */
static double host_per_sim(bool sync)
{
	struct machine_config cfg;
	struct machine *m;
	struct task_struct *t;
	GError *error = NULL;
	uint64_t ns0;
	double dt;
	long err;

	machine_config_init(&cfg);
	cfg.mem_bytes = GiB;
	cfg.swap_bytes = 2 * GiB;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 2;
	cfg.manual_clock = true;
	cfg.sync_kthreads = sync;
	m = machine_create(&cfg, &error);
	if (!m)
		die(error->message, 0);
	machine_config_clear(&cfg);
	if ((err = sys_spawn(m, "hog", 0, NULL, &t)) < 0)
		die("sys_spawn", err);
	ns0 = m->now_ns;
	dt = write_anon(m, t, 3 * GiB / 2);
	dt /= (double)(m->now_ns - ns0) / 1e9;
	machine_destroy(m);
	return dt;
}

int main(int argc, char **argv)
{
	double conc[MAX_TRIALS], sync[MAX_TRIALS];
	double anon[MAX_TRIALS], file[MAX_TRIALS], base[MAX_TRIALS];
	double anon_sim[MAX_TRIALS];
	int trials = 3;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atoi(argv[++i]);
	if (trials < 1 || trials > MAX_TRIALS)
		trials = 3;
	for (int k = 0; k < trials; k++) {
		struct machine *m = new_machine();
		struct task_struct *t;
		unsigned long s0;
		uint64_t ns0;
		long err;
		double dt;

		if ((err = sys_spawn(m, "base", 0, NULL, &t)) < 0)
			die("sys_spawn", err);
		base[k] = (double)(GiB / 4096) / write_anon(m, t, GiB);
		sys_exit(m, t);

		if ((err = sys_spawn(m, "anon", 0, NULL, &t)) < 0)
			die("sys_spawn", err);
		s0 = stolen(m);
		ns0 = m->now_ns;
		dt = write_anon(m, t, 6 * GiB);
		anon[k] = (double)(stolen(m) - s0) / dt;
		anon_sim[k] = (double)(m->now_ns - ns0) / 1e9;
		sys_exit(m, t);
		machine_destroy(m);

		m = new_machine();
		if ((err = sys_spawn(m, "file", 0, NULL, &t)) < 0)
			die("sys_spawn", err);
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
	printf("  MGLRU: not modelled\n");
	return 0;
}
