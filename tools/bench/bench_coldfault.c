/*
 * bench_coldfault: the baselines of bench_fault_mount.py, measured in one
 * process.
 *
 *   engine  the engine alone on the machine the daemon builds (a preset
 *           key file, --mem), created fresh for every trial, so cold as
 *           the daemon is: one process spawned (pid 1000), 8 GiB of
 *           private anonymous memory mmapped, one access_process_range
 *           (write) over it, the faults counted from the model's pgfault
 *           event; wall time and this process's CPU time (user + system).  Then, on the same machine, the same again after
 *           munmap (warm: the metadata is there).  The host page faults
 *           of this process during each write are counted (getrusage).
 *   real    the real kernel in this process: 1 GiB MAP_PRIVATE|
 *           MAP_ANONYMOUS with MADV_NOHUGEPAGE, one byte stored per page
 *           (one host page fault per page, as the model takes one
 *           simulated fault per page).
 *
 * Prints one line per figure, for the driver to parse:
 *   engine_cold faults=N seconds=S cpu=C host_faults=K
 *   engine_warm faults=N seconds=S cpu=C host_faults=K
 *   real faults=N seconds=S
 * (medians over --trials).
 *
 * Usage: bench_coldfault --machine FILE [--mem GIB] [--bytes GIB] [--trials N]
 *                        [--no-real]   (the engine only, e.g. to profile it)
 */
#define BENCH_NAME "bench_coldfault"
#include "bench_util.h"
#include "mmsim/machine.h"
#include "mmsim/mm_types.h"
#include "mmsim/vmstat.h"

#define GiB (1UL << 30)
#define REAL_BYTES (1 * GiB)
#define MAX_TRIALS 32
#define BENCH_PID 1000

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* CPU seconds (user + system) of this process */
static double cpu_sec(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* the real kernel: seconds for one store per 4 KiB page of a fresh 1 GiB */
static double real_touch(long *faults)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, REAL_BYTES, 0x1 | 0x2 /* PROT_READ|PROT_WRITE */,
				0x02 | 0x20 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
	long f0;
	double t0, t;

	if (p == (void *)-1)
		die("mmap 1 GiB (real)", -errno);
	madvise((void *)p, REAL_BYTES, 15 /* MADV_NOHUGEPAGE */);
	f0 = minflt();
	t0 = now_sec();
	for (unsigned long off = 0; off < REAL_BYTES; off += (unsigned long)page)
		p[off] = 1;
	t = now_sec() - t0;
	*faults = minflt() - f0;
	munmap((void *)p, REAL_BYTES);
	return t;
}

/* One write over `bytes` of fresh anonymous memory of task t. */
static double sim_write(struct machine *m, struct task_struct *t, unsigned long bytes,
			unsigned long *faults, long *host_faults, double *cpu)
{
	long addr = sys_mmap(m, t, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	unsigned long before;
	long f0;
	double t0, s;
	int err;

	if (addr < 0)
		die("sys_mmap", addr);
	before = global_vm_event(m, PGFAULT);
	f0 = minflt();
	*cpu = cpu_sec();
	t0 = now_sec();
	err = access_process_range(m, t, (unsigned long)addr, bytes, true);
	s = now_sec() - t0;
	*cpu = cpu_sec() - *cpu;
	*host_faults = minflt() - f0;
	if (err)
		die("access_process_range", err);
	*faults = global_vm_event(m, PGFAULT) - before;
	if ((err = sys_munmap(m, t, (unsigned long)addr, bytes)))
		die("sys_munmap", err);
	return s;
}

int main(int argc, char **argv)
{
	const char *machine_file = NULL;
	unsigned long mem_gib = 16, bytes_gib = 8;
	int trials = 3;
	bool with_real = true;
	double cold[MAX_TRIALS], warm[MAX_TRIALS], real[MAX_TRIALS];
	double cold_hf[MAX_TRIALS], warm_hf[MAX_TRIALS], cold_cpu[MAX_TRIALS], warm_cpu[MAX_TRIALS];
	unsigned long fc = 0, fw = 0;
	long rf = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--machine") && i + 1 < argc)
			machine_file = argv[++i];
		else if (!strcmp(argv[i], "--mem") && i + 1 < argc)
			mem_gib = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
			bytes_gib = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-real"))
			with_real = false;
		else {
			fprintf(stderr, "usage: bench_coldfault --machine FILE [--mem GIB] [--bytes GIB] "
					"[--trials N] [--no-real]\n");
			return 2;
		}
	}
	if (!machine_file || !mem_gib || !bytes_gib) {
		fprintf(stderr, "bench_coldfault: --machine FILE is required; sizes are positive\n");
		return 2;
	}
	trials = trials < 1 ? 1 : trials > MAX_TRIALS ? MAX_TRIALS : trials;

	for (int i = 0; i < trials; i++) {
		struct machine_config cfg;
		GKeyFile *kf = g_key_file_new();
		GError *error = NULL;
		struct task_struct *t = NULL;
		struct machine *m;
		long hf;
		int pid;

		machine_config_init(&cfg);
		if (!g_key_file_load_from_file(kf, machine_file, G_KEY_FILE_NONE, &error) ||
		    !machine_config_load_keyfile(&cfg, kf, &error)) {
			fprintf(stderr, "bench_coldfault: %s: %s\n", machine_file, error->message);
			return 1;
		}
		g_key_file_free(kf);
		cfg.mem_bytes = mem_gib * GiB;
		cfg.manual_clock = true;
		cfg.debug_vm = false;
		m = machine_create(&cfg, &error);
		if (!m) {
			fprintf(stderr, "bench_coldfault: machine_create: %s\n", error->message);
			return 1;
		}
		pid = sys_spawn(m, "bench", BENCH_PID, NULL, &t);
		if (pid < 0 || !t)
			die("sys_spawn", pid);
		cold[i] = sim_write(m, t, bytes_gib * GiB, &fc, &hf, &cold_cpu[i]);
		cold_hf[i] = (double)hf;
		warm[i] = sim_write(m, t, bytes_gib * GiB, &fw, &hf, &warm_cpu[i]);
		warm_hf[i] = (double)hf;
		machine_destroy(m);
		machine_config_clear(&cfg);
		real[i] = with_real ? real_touch(&rf) : 0;
	}
	printf("engine_cold faults=%lu seconds=%.6f cpu=%.6f host_faults=%.0f\n", fc,
	       median(cold, trials), median(cold_cpu, trials), median(cold_hf, trials));
	printf("engine_warm faults=%lu seconds=%.6f cpu=%.6f host_faults=%.0f\n", fw,
	       median(warm, trials), median(warm_cpu, trials), median(warm_hf, trials));
	if (with_real)
		printf("real faults=%ld seconds=%.6f\n", rf, median(real, trials));
	return 0;
}
