/*
 * bench_fault: demand paging and fork in the engine, against the real
 * kernel of this machine measured in the same run.
 *
 * Builds one machine (1 node, 16 GiB, 4 CPUs, manual clock, no --debug-vm)
 * and, in a process made with sys_spawn, times
 *   1. one access_process_range(write) over 8 GiB of fresh private
 *      anonymous memory: 2 Mi simulated page faults (do_anonymous_page),
 *      counted from the model's pgfault event, per second of wall time
 *      (target: 20 M/s or more).  Baseline: the real kernel, in this
 *      process: mmap 1 GiB MAP_PRIVATE|MAP_ANONYMOUS, one byte stored per
 *      page, munmap; the ratio simulated/real is printed.
 *   2. the same with access_process_range(read): every fault maps the
 *      shared zero page; baseline, the real kernel reading one byte per
 *      page of untouched anonymous memory (also the zero page).
 *   3. fork of a process with 4 GiB resident: the time to fault the 4 GiB
 *      in, the time of sys_fork (dup_mmap / copy_page_range,
 *      write-protecting every pte), the ratio fork/fault-in, and the time
 *      of the child's sys_exit (zap of 1 Mi shared ptes).  For scale, the
 *      real kernel's fork of this process with 1 GiB resident, and its
 *      child's _exit (waitpid), are printed in the same units per GiB.
 * Each figure is the median of several trials (--trials, 3).  The process
 * pins itself to one CPU (the first it may use; --no-pin not to), so the
 * real kernel's figures do not wander between CPUs.
 *
 * Usage: bench_fault [--trials N] [--no-pin]
 */
#define BENCH_NAME "bench_fault"
#include "bench_util.h"
#include "mmsim/machine.h"
#include "mmsim/mm_types.h"
#include "mmsim/vmstat.h"

#define GiB (1UL << 30)
#define SIM_WRITE_BYTES (8 * GiB)
#define SIM_FORK_BYTES (4 * GiB)
#define REAL_BYTES (1 * GiB)
#define TARGET_FAULTS_PER_SEC 20e6
#define MAX_TRIALS 32

/* ---- the real kernel: this process ---- */

static long host_page;

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A fresh 1 GiB of anonymous memory, 4 KiB pages only (MADV_NOHUGEPAGE),
 * so that the kernel takes one fault per page as the model does */
static volatile char *real_map(void)
{
	void *p = mmap(NULL, REAL_BYTES, 0x1 | 0x2 /* PROT_READ|PROT_WRITE */,
		       0x02 | 0x20 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);

	if (p == (void *)-1)
		die("mmap 1 GiB (real)", -errno);
	madvise(p, REAL_BYTES, 15 /* MADV_NOHUGEPAGE */);
	return p;
}

/* Seconds for one pass over a fresh 1 GiB anonymous mapping, one byte per
 * page, stored (write) or loaded (read). */
static double real_touch(bool write, long *faults)
{
	volatile char *p = real_map();
	unsigned long sum = 0;
	long f0 = minflt();
	double t0, t;

	t0 = now_sec();
	if (write) {
		for (unsigned long off = 0; off < REAL_BYTES; off += (unsigned long)host_page)
			p[off] = 1;
	} else {
		for (unsigned long off = 0; off < REAL_BYTES; off += (unsigned long)host_page)
			sum += (unsigned long)p[off];
	}
	t = now_sec() - t0;
	*faults = minflt() - f0;
	if (sum)
		die("the zero page was not zero", 0);
	munmap((void *)p, REAL_BYTES);
	return t;
}

/* The real fork of this process with 1 GiB resident: seconds until fork
 * returns in the parent, and from the child's _exit until waitpid. */
static void real_fork(double *fork_s, double *exit_s, double *fault_s)
{
	volatile char *p = real_map();
	int pipefd[2], status;
	double t0;
	pid_t pid;
	char c;

	if (pipe(pipefd))
		die("pipe", -errno);
	t0 = now_sec();
	for (unsigned long off = 0; off < REAL_BYTES; off += (unsigned long)host_page)
		p[off] = 1;
	*fault_s = now_sec() - t0;
	t0 = now_sec();
	pid = fork();
	if (pid == 0) {
		/* wait for the parent's go, then exit at once */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	*fork_s = now_sec() - t0;
	if (pid < 0)
		die("fork", -errno);
	usleep(20000);  /* let the child reach read() */
	t0 = now_sec();
	if (write(pipefd[1], "x", 1) != 1)
		die("write pipe", -errno);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid", -errno);
	*exit_s = now_sec() - t0;
	close(pipefd[0]);
	close(pipefd[1]);
	munmap((void *)p, REAL_BYTES);
}

/* ---- the engine ---- */

static struct task_struct *spawn(struct machine *m, const char *name)
{
	struct task_struct *t = NULL;
	int pid = sys_spawn(m, name, 0, NULL, &t);

	if (pid < 0 || !t)
		die("sys_spawn", pid);
	return t;
}

static unsigned long sim_mmap(struct machine *m, struct task_struct *t, unsigned long len)
{
	long addr = sys_mmap(m, t, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);

	if (addr < 0)
		die("sys_mmap", addr);
	return (unsigned long)addr;
}

/* Seconds of one access_process_range over len fresh bytes; *faults gets
 * the model's pgfault count for it. */
static double sim_touch(struct machine *m, struct task_struct *t, unsigned long len, bool write,
			unsigned long *faults)
{
	unsigned long addr = sim_mmap(m, t, len);
	unsigned long before = global_vm_event(m, PGFAULT);
	double t0 = now_sec();
	int err = access_process_range(m, t, addr, len, write);
	double s = now_sec() - t0;

	if (err)
		die("access_process_range", err);
	*faults = global_vm_event(m, PGFAULT) - before;
	err = sys_munmap(m, t, addr, len);
	if (err)
		die("sys_munmap", err);
	return s;
}

int main(int argc, char **argv)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;
	int trials = 3;
	bool pin = true;
	char pinned[64] = "not pinned";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-pin"))
			pin = false;
		else {
			fprintf(stderr, "usage: bench_fault [--trials N] [--no-pin]\n");
			return 2;
		}
	}
	if (trials < 1)
		trials = 1;
	if (trials > MAX_TRIALS)
		trials = MAX_TRIALS;
	host_page = sysconf(_SC_PAGESIZE);
	if (pin) {
		cpu_set_t set;

		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			for (int c = 0; c < CPU_SETSIZE; c++) {
				if (CPU_ISSET(c, &set)) {
					CPU_ZERO(&set);
					CPU_SET(c, &set);
					if (sched_setaffinity(0, sizeof(set), &set) == 0)
						snprintf(pinned, sizeof(pinned), "pinned to CPU %d", c);
					break;
				}
			}
		}
	}

	machine_config_init(&cfg);
	cfg.mem_bytes = 16 * GiB;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 4;
	cfg.manual_clock = true;
	cfg.debug_vm = false;
	double tc = now_sec();
	m = machine_create(&cfg, &error);
	tc = now_sec() - tc;
	if (!m) {
		fprintf(stderr, "bench_fault: machine_create: %s\n", error ? error->message : "?");
		return 1;
	}
	printf("bench_fault: simulated machine 1 node, 16 GiB, 4 CPUs, manual clock (machine_create "
	       "%.1f ms); median of %d trials; %s\n",
	       tc * 1e3, trials, pinned);
	printf("baseline: the real kernel (host page %ld B, MADV_NOHUGEPAGE), in this process, "
	       "%lu MiB MAP_PRIVATE|MAP_ANONYMOUS, one byte per page; faults from getrusage\n\n",
	       host_page, REAL_BYTES >> 20);

	double sw[MAX_TRIALS], sr[MAX_TRIALS], rw[MAX_TRIALS], rr[MAX_TRIALS];
	unsigned long fw = 0, fr = 0;
	long rfw = 0, rfr = 0;
	struct task_struct *t = spawn(m, "bench");

	real_touch(true, &rfw);  /* warm: the host's page allocator and page tables */
	for (int i = 0; i < trials; i++) {
		/* interleaved, so that noise falls on both alike */
		rw[i] = real_touch(true, &rfw);
		sw[i] = sim_touch(m, t, SIM_WRITE_BYTES, true, &fw);
		rr[i] = real_touch(false, &rfr);
		sr[i] = sim_touch(m, t, SIM_WRITE_BYTES, false, &fr);
	}
	double s_w = median(sw, trials), s_r = median(sr, trials);
	double r_w = median(rw, trials), r_r = median(rr, trials);
	double sim_w = fw / s_w, sim_r = fr / s_r, real_w = rfw / r_w, real_r = rfr / r_r;

	printf("1. write 8 GiB private anon, one access_process_range (do_anonymous_page):\n");
	printf("   simulated: %lu faults in %.3f s = %7.2f M faults/s (%6.1f ns/fault)\n", fw, s_w,
	       sim_w / 1e6, 1e9 / sim_w);
	printf("   real:      %ld faults in %.3f s = %7.2f M faults/s (%6.1f ns/fault)\n", rfw,
	       r_w, real_w / 1e6, 1e9 / real_w);
	printf("   ratio simulated/real: %.1fx; target >= %.0f M/s: %s\n", sim_w / real_w,
	       TARGET_FAULTS_PER_SEC / 1e6, sim_w >= TARGET_FAULTS_PER_SEC ? "met" : "NOT met");
	printf("2. read 8 GiB untouched private anon (the zero page):\n");
	printf("   simulated: %lu faults in %.3f s = %7.2f M faults/s (%6.1f ns/fault)\n", fr, s_r,
	       sim_r / 1e6, 1e9 / sim_r);
	printf("   real:      %ld faults in %.3f s = %7.2f M faults/s (%6.1f ns/fault)\n", rfr,
	       r_r, real_r / 1e6, 1e9 / real_r);
	printf("   ratio simulated/real: %.1fx\n", sim_r / real_r);

	/* 3. fork with 4 GiB resident */
	double ffault[MAX_TRIALS], ffork[MAX_TRIALS], fexit[MAX_TRIALS], pexit[MAX_TRIALS];
	double rfault[MAX_TRIALS], rfork[MAX_TRIALS], rexit[MAX_TRIALS];
	unsigned long rss = 0, child_rss = 0;

	for (int i = 0; i < trials; i++) {
		struct task_struct *p = spawn(m, "parent"), *c = NULL;
		unsigned long addr = sim_mmap(m, p, SIM_FORK_BYTES);
		double t0 = now_sec();
		int err = access_process_range(m, p, addr, SIM_FORK_BYTES, true);

		ffault[i] = now_sec() - t0;
		if (err)
			die("access_process_range (fork)", err);
		rss = get_mm_rss(p->mm);
		t0 = now_sec();
		err = sys_fork(m, p, NULL, 0, &c);
		ffork[i] = now_sec() - t0;
		if (err < 0 || !c)
			die("sys_fork", err);
		child_rss = get_mm_rss(c->mm);
		t0 = now_sec();
		err = sys_exit(m, c);
		fexit[i] = now_sec() - t0;
		if (err)
			die("sys_exit (child)", err);
		t0 = now_sec();
		err = sys_exit(m, p);
		pexit[i] = now_sec() - t0;
		if (err)
			die("sys_exit (parent)", err);
		real_fork(&rfork[i], &rexit[i], &rfault[i]);
	}
	double f_fault = median(ffault, trials), f_fork = median(ffork, trials);
	double f_exit = median(fexit, trials), p_exit = median(pexit, trials);
	double r_fault = median(rfault, trials), r_fork = median(rfork, trials);
	double r_exit = median(rexit, trials);
	double gib = (double)SIM_FORK_BYTES / GiB;

	printf("3. fork of a process with 4 GiB resident (RSS %lu pages; child's RSS after fork "
	       "%lu pages):\n",
	       rss, child_rss);
	printf("   fault the 4 GiB in:  %8.2f ms\n", f_fault * 1e3);
	printf("   sys_fork:            %8.2f ms   ratio fork/fault-in %.3f\n", f_fork * 1e3,
	       f_fork / f_fault);
	printf("   child's sys_exit:    %8.2f ms   ratio exit/fault-in %.3f\n", f_exit * 1e3,
	       f_exit / f_fault);
	printf("   parent's sys_exit:   %8.2f ms   (frees the 4 GiB)\n", p_exit * 1e3);
	printf("   per GiB: simulated fault-in %.2f ms, fork %.2f ms, child exit %.2f ms; "
	       "real kernel (this process, 1 GiB resident): fault-in %.2f ms, fork %.2f ms "
	       "(ratio fork/fault-in %.3f), child exit %.2f ms\n",
	       f_fault * 1e3 / gib, f_fork * 1e3 / gib, f_exit * 1e3 / gib, r_fault * 1e3,
	       r_fork * 1e3, r_fork / r_fault, r_exit * 1e3);
	printf("   ratio simulated/real per GiB: fork %.2fx, child exit %.2fx (>1: the model is "
	       "slower)\n",
	       f_fork / gib / r_fork, f_exit / gib / r_exit);

	machine_destroy(m);
	machine_config_clear(&cfg);
	return 0;
}
