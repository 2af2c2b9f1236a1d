/*
 * Unit tests of the background workloads (mm/workload.c) and of the load
 * average's fixed-point step (kernel/sched/loadavg.c calc_load) they feed.
 */
#include <errno.h>

#include "mmsim/loadavg.h"
#include "mmsim/machine.h"
#include "mmsim/workload.h"
#include "unit_util.h"

/* The kernel's own step: a0 * e + a * (1 - e) in 11-bit fixed point,
 * rounded up while the load rises, truncated while it falls */
static void test_calc_load(void)
{
	unsigned long load = 0;

	g_assert_cmpuint(calc_load(0, EXP_1, 0), ==, 0);
	g_assert_cmpuint(calc_load(0, EXP_1, FIXED_1), ==, 164);
	g_assert_cmpuint(calc_load(164, EXP_1, FIXED_1), ==, 315);
	g_assert_cmpuint(calc_load(0, EXP_5, FIXED_1), ==, 34);
	g_assert_cmpuint(calc_load(0, EXP_15, FIXED_1), ==, 11);
	g_assert_cmpuint(calc_load(FIXED_1, EXP_1, 0), ==, 1884);
	g_assert_cmpuint(calc_load(1, EXP_1, 0), ==, 0);
	/* one task for long enough: exactly 1.00, not 0.99 */
	for (int i = 0; i < 1000; i++)
		load = calc_load(load, EXP_1, FIXED_1);
	g_assert_cmpuint(load, ==, FIXED_1);
	g_assert_cmpuint(LOAD_INT(load), ==, 1);
	g_assert_cmpuint(LOAD_FRAC(load), ==, 0);
	/* and back to 0 with none */
	for (int i = 0; i < 1000; i++)
		load = calc_load(load, EXP_1, 0);
	g_assert_cmpuint(load, ==, 0);
}

static struct task_struct *spawn_region(struct machine *m, unsigned long bytes, unsigned long *addr)
{
	struct task_struct *t;
	long a;

	g_assert_cmpint(sys_spawn(m, "app", 0, NULL, &t), >, 0);
	a = sys_mmap(m, t, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(a, >, 0);
	*addr = (unsigned long)a;
	return t;
}

static void test_workload_runs_and_stops(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	unsigned long addr;
	struct task_struct *t = spawn_region(m, 8 * MiB, &addr);
	struct workload_args a = { .len = 8 * MiB, .write = true, .rate = 2 * MiB };
	uint64_t touched, cpu0;
	long rss0 = (long)get_mm_rss(t->mm);

	a.start = addr;
	g_assert_cmpint(workload_start(m, t, &a), ==, 0);
	g_assert_cmpint(workload_start(m, t, &a), ==, -EBUSY);
	g_assert_cmpint(t->state, ==, 'R');
	g_assert_cmpint(m->nr_running, ==, 1);
	cpu0 = t->utime_ns + t->stime_ns;
	machine_advance(m, NSEC_PER_SEC);
	check(m);
	g_assert_true(workload_info(m, t, NULL, &touched));
	/* the rate's bytes up to the last tick: within a jiffy of 2 MiB */
	g_assert_cmpuint(touched, <=, 2 * MiB);
	g_assert_cmpuint(touched, >=, 2 * MiB - 2 * (2 * MiB / 250));
	g_assert_cmpint((long)get_mm_rss(t->mm) - rss0, ==, (long)(touched >> PAGE_SHIFT));
	/* busy the whole second but the jiffy before its first tick */
	g_assert_cmpuint(t->utime_ns + t->stime_ns - cpu0, >=, NSEC_PER_SEC - 2 * NSEC_PER_JIFFY);
	g_assert_cmpuint(t->utime_ns + t->stime_ns - cpu0, <=, NSEC_PER_SEC);
	g_assert_cmpuint(t->stime_ns, >, 0);
	g_assert_cmpint(workload_stop(m, t), ==, 0);
	g_assert_cmpint(workload_stop(m, t), ==, -EINVAL);
	g_assert_cmpint(t->state, ==, 'S');
	g_assert_cmpint(m->nr_running, ==, 0);
	g_assert_false(workload_info(m, t, NULL, NULL));
	cpu0 = t->utime_ns + t->stime_ns;
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpuint(t->utime_ns + t->stime_ns, ==, cpu0);
	check(m);
	machine_destroy(m);
}

/* for= ends it exactly then; an exit ends it too; bad arguments change
 * nothing */
static void test_workload_ends(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	unsigned long addr;
	struct task_struct *t = spawn_region(m, 4 * MiB, &addr);
	struct workload_args a = { .start = addr, .len = 4 * MiB, .rate = 4 * MiB,
				   .duration_ns = NSEC_PER_SEC / 4 };
	struct workload_args bad = a;
	uint64_t touched = 0;
	int pid;

	bad.rate = 0;
	g_assert_cmpint(workload_start(m, t, &bad), ==, -EINVAL);
	bad.rate = WORKLOAD_MAX_RATE + 1;
	g_assert_cmpint(workload_start(m, t, &bad), ==, -EINVAL);
	g_assert_cmpint(m->nr_running, ==, 0);
	g_assert_cmpint(workload_start(m, t, &a), ==, 0);
	machine_advance(m, NSEC_PER_SEC / 4 - 1);
	g_assert_true(workload_info(m, t, NULL, &touched));
	machine_advance(m, 1);
	g_assert_false(workload_info(m, t, NULL, NULL));
	g_assert_cmpint(t->state, ==, 'S');
	g_assert_cmpint(m->nr_running, ==, 0);
	check(m);
	a.duration_ns = 0;
	g_assert_cmpint(workload_start(m, t, &a), ==, 0);
	machine_advance(m, NSEC_PER_SEC / 10);
	pid = t->pid;
	g_assert_cmpint(sys_exit(m, t), ==, 0);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_cmpint(m->nr_running, ==, 0);
	machine_advance(m, NSEC_PER_SEC);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/loadavg/calc_load", test_calc_load);
	g_test_add_func("/workload/runs_and_stops", test_workload_runs_and_stops);
	g_test_add_func("/workload/ends", test_workload_ends);
	return g_test_run();
}
