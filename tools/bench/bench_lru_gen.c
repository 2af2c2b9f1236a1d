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
#include "mmsim/machine.h"
#include "mmsim/gfp.h"
#include "mmsim/mm_types.h"
#include "mmsim/vmstat.h"

#define GiB (1UL << 30)
#define MAX_TRIALS 32

struct result {
	double pages_per_sec, scan_per_steal, sim_sec;
};

static struct machine *new_machine(bool lru_gen)
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
	cfg.lru_gen = lru_gen;
	m = machine_create(&cfg, &error);
	if (!m)
		die(error->message, 0);
	machine_config_clear(&cfg);
	return m;
}

static unsigned long events(struct machine *m, int kswapd_item)
{
	return m->vm_events[kswapd_item] + m->vm_events[kswapd_item + 1];
}

static struct result run(bool lru_gen)
{
	struct machine *m = new_machine(lru_gen);
	struct task_struct *t;
	struct result r;
	long a, err;
	double t0, dt;

	if ((err = sys_spawn(m, "anon", 0, NULL, &t)) < 0)
		die("sys_spawn", err);
	a = sys_mmap(m, t, 0, 6 * GiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	if (a < 0)
		die("sys_mmap", a);
	t0 = now_sec();
	if ((err = access_process_range(m, t, (unsigned long)a, 6 * GiB, true)))
		die("access_process_range", err);
	dt = now_sec() - t0;
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
	int trials = 3;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atoi(argv[++i]);
	if (trials < 1 || trials > MAX_TRIALS)
		trials = 3;
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
