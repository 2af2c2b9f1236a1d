/*
 * What the benchmarks that drive the engine directly share: a machine of
 * a given size (manual clock, no --debug-vm), one process writing fresh
 * anonymous memory, and the --trials option.  Include after bench_util.h.
 */
#ifndef MMSIM_BENCH_ENGINE_H
#define MMSIM_BENCH_ENGINE_H

#include "mmsim/machine.h"
#include "mmsim/gfp.h"
#include "mmsim/mm_types.h"
#include "mmsim/vmstat.h"

#define GiB (1UL << 30)
#define MiB (1UL << 20)
#define MAX_TRIALS 32

struct bench_machine {
	unsigned long mem, swap;
	int nodes, cpus;
	bool lru_gen;        /* MGLRU on */
	bool sync_kthreads;  /* kswapd run to the end inside the allocation that woke it */
};

static inline struct machine *bench_machine_create(const struct bench_machine *b)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = b->mem;
	cfg.swap_bytes = b->swap;
	cfg.nr_nodes = b->nodes;
	cfg.nr_cpus = b->cpus;
	cfg.manual_clock = true;
	cfg.lru_gen = b->lru_gen;
	cfg.sync_kthreads = b->sync_kthreads;
	m = machine_create(&cfg, &error);
	if (!m)
		die(error->message, 0);
	machine_config_clear(&cfg);
	return m;
}

static inline struct task_struct *bench_spawn(struct machine *m, const char *name)
{
	struct task_struct *t;
	long err = sys_spawn(m, name, 0, NULL, &t);

	if (err < 0)
		die("sys_spawn", err);
	return t;
}

/* t maps `bytes` of fresh private anonymous memory and writes every page
 * of it; returns the seconds the writing took */
static inline double bench_write_anon(struct machine *m, struct task_struct *t, unsigned long bytes)
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

/* --trials N (1..MAX_TRIALS), else 3 */
static inline int bench_trials(int argc, char **argv)
{
	int trials = 3;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atoi(argv[++i]);
	return trials < 1 || trials > MAX_TRIALS ? 3 : trials;
}

#endif
