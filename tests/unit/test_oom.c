/*
 * Unit tests of the OOM killer (mm/oom_kill.c) and the allocator's slow
 * path that calls it: which allocations may kill, who is chosen, a victim
 * that is not running dies at once, a victim in the middle of its own
 * fault, populate, malloc or fork dies when the call returns (ESRCH) with
 * nothing left half-done, panic_on_oom and the deadlock panic.  Memory is
 * exhausted with kernel pages that may not retry, so only the allocation
 * under test can invoke the killer.  Invariants are checked throughout.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/swap.h"
#include "unit_util.h"

static struct machine *new_machine(void)
{
	return unit_machine(512 * MiB, 0, false);
}

/* Take every page an allocation that may not retry can get */
static GArray *fill(struct machine *m)
{
	GArray *pfns = g_array_new(FALSE, FALSE, sizeof(long));
	guint before;
	long pfn;

	/* until draining the per-cpu lists gives nothing more either */
	do {
		before = pfns->len;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			while ((pfn = __alloc_pages(m, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0, -1, cpu)) >= 0)
				g_array_append_val(pfns, pfn);
		drain_all_pages(m, NULL);
	} while (pfns->len != before);
	return pfns;
}

static void unfill(struct machine *m, GArray *pfns)
{
	for (guint i = 0; i < pfns->len; i++)
		__free_pages(m, (unsigned long)g_array_index(pfns, long, i), 0, 0);
	g_array_free(pfns, TRUE);
}

static struct task_struct *spawn_touched(struct machine *m, const char *name, unsigned long bytes)
{
	struct task_struct *t;
	long a;

	g_assert_cmpint(sys_spawn(m, name, 0, NULL, &t), >, 0);
	if (bytes) {
		a = sys_mmap(m, t, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
		g_assert_cmpint(a, >, 0);
		g_assert_cmpint(access_process_range(m, t, (unsigned long)a, bytes, true), ==, 0);
	}
	return t;
}

static bool logged(struct machine *m, const char *s)
{
	return strstr(m->log->str, s) != NULL;
}

/* Which allocations may invoke the killer */
static void test_who_may_oom(void)
{
	struct machine *m = new_machine();
	struct task_struct *t = spawn_touched(m, "victim", 16 * MiB);
	int pid = t->pid;
	GArray *pfns = fill(m);
	long pfn;

	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL | __GFP_NORETRY, 0, -1, 0), ==, -ENOMEM);
	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL | __GFP_RETRY_MAYFAIL, 0, -1, 0), ==, -ENOMEM);
	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL, 4, -1, 0), ==, -ENOMEM);     /* costly */
	/* no direct reclaim, no kill (it may get a reserve page) */
	if ((pfn = __alloc_pages(m, GFP_ATOMIC, 0, -1, 0)) >= 0)
		__free_pages(m, (unsigned long)pfn, 0, 0);
	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL | __GFP_THISNODE, 0, 0, 0), ==, -ENOMEM);
	g_assert_cmpuint(m->vm_events[OOM_KILL], ==, 0);
	g_assert_nonnull(find_task_by_pid(m, pid));
	/* a GFP_KERNEL page may: the only candidate dies, the page comes */
	pfn = __alloc_pages(m, GFP_KERNEL, 0, -1, 0);
	g_assert_cmpint(pfn, >=, 0);
	g_array_append_val(pfns, pfn);
	g_assert_cmpuint(m->vm_events[OOM_KILL], ==, 1);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_true(logged(m, "kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"));
	g_assert_true(logged(m, "oom_reaper: reaped process"));
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

/* A spawn that runs out kills the largest other process and succeeds; the
 * half-built child is never a candidate */
static void test_kill_other_during_spawn(void)
{
	struct machine *m = new_machine();
	struct task_struct *big = spawn_touched(m, "big", 64 * MiB), *t;
	int pid = big->pid;
	GArray *pfns = fill(m);

	g_assert_cmpint(sys_spawn(m, "small", 0, NULL, &t), >, 0);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_true(logged(m, "Killed process"));
	g_assert_false(t->in_copy_process);
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

/* The faulting task: first the larger other one dies, then itself */
static void test_kill_current_in_fault(void)
{
	struct machine *m = new_machine();
	struct task_struct *a = spawn_touched(m, "a", 16 * MiB);
	struct task_struct *b = spawn_touched(m, "b", 0);
	int apid = a->pid, bpid = b->pid;
	GArray *pfns = fill(m);
	long addr = sys_mmap(m, b, 0, 64 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);

	g_assert_cmpint(addr, >, 0);
	g_assert_cmpint(access_process_range(m, b, (unsigned long)addr, 64 * MiB, true), ==, -ESRCH);
	g_assert_null(find_task_by_pid(m, apid));
	g_assert_null(find_task_by_pid(m, bpid));
	g_assert_null(m->current);
	g_assert_cmpuint(m->vm_events[OOM_KILL], ==, 2);
	g_assert_true(logged(m, "b invoked oom-killer"));
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

/* fork of the largest process: the parent dies, the child is undone */
static void test_kill_parent_during_fork(void)
{
	struct machine *m = new_machine();
	struct task_struct *p = spawn_touched(m, "parent", 32 * MiB), *child = NULL;
	int pid = p->pid, threads;
	GArray *pfns = fill(m);

	threads = m->nr_threads;
	g_assert_cmpint(sys_fork(m, p, NULL, 0, &child), ==, -ESRCH);
	g_assert_null(child);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_cmpint(m->nr_threads, ==, threads - 1);
	g_assert_null(m->current);
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

static void test_kill_during_populate_and_malloc(void)
{
	struct machine *m = new_machine();
	struct task_struct *p = spawn_touched(m, "pop", 0), *q;
	int pid = p->pid;
	GArray *pfns = fill(m);

	g_assert_cmpint(sys_mmap(m, p, 0, 64 * MiB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, NULL), ==, -ESRCH);
	g_assert_null(find_task_by_pid(m, pid));
	check(m);
	unfill(m, pfns);
	q = spawn_touched(m, "mal", 0);
	pid = q->pid;
	pfns = fill(m);
	g_assert_cmpint(glibc_malloc(m, q, 1 * MiB), ==, -ESRCH);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_null(m->current);
	check(m);
	unfill(m, pfns);
	/* mlock's populate */
	q = spawn_touched(m, "lock", 0);
	pid = q->pid;
	{
		long a = sys_mmap(m, q, 0, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);

		pfns = fill(m);
		g_assert_cmpint(sys_mlock(m, q, (unsigned long)a, 4 * MiB), ==, -ESRCH);
	}
	g_assert_null(find_task_by_pid(m, pid));
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

/* A victim with pages on swap: its slots go with it */
static void test_victim_with_swap(void)
{
	struct machine *m = new_machine();
	struct task_struct *t;
	GArray *pfns;
	long a, pfn;
	int pid;

	g_assert_cmpint(sys_swapon(m, "/swapfile", 64 * MiB, -1), ==, 0);
	t = spawn_touched(m, "s", 0);
	pid = t->pid;
	a = sys_mmap(m, t, 0, 32 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, NULL);
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 16 * MiB, MADV_PAGEOUT), ==, 0);
	g_assert_cmpint(get_nr_swap_pages(m), <, get_total_swap_pages(m));
	pfns = fill(m);
	/* reclaim swaps what still fits (kswapd runs while the allocations
	 * wait), then the OOM killer picks the one process */
	for (int guard = 0; find_task_by_pid(m, pid) && guard < 1 << 20; guard++) {
		pfn = __alloc_pages(m, GFP_KERNEL, 0, -1, 0);
		g_assert_cmpint(pfn, >=, 0);
		g_array_append_val(pfns, pfn);
	}
	g_assert_null(find_task_by_pid(m, pid));
	/* its slots go once the writes in flight end; what stays used is what
	 * reclaim swapped of the other processes meanwhile */
	machine_advance(m, NSEC_PER_SEC);
	{
		GArray *pids = task_pids(m);
		long used = m->node_data[0]->vm_stat[NR_SWAPCACHE];

		for (guint i = 0; i < pids->len; i++) {
			struct task_struct *o = find_task_by_pid(m, g_array_index(pids, int, i));

			if (o->mm)
				used += o->mm->rss_stat[MM_SWAPENTS];
		}
		g_array_free(pids, TRUE);
		g_assert_cmpint(get_nr_swap_pages(m), ==, get_total_swap_pages(m) - used);
	}
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

static void test_badness_order_and_spared(void)
{
	struct machine *m = new_machine();
	struct task_struct *a = spawn_touched(m, "a", 8 * MiB);
	struct task_struct *b = spawn_touched(m, "b", 32 * MiB);
	struct task_struct *c = spawn_touched(m, "c", 64 * MiB);
	int apid = a->pid, bpid = b->pid, cpid = c->pid;
	GArray *pfns;
	long pfn;

	c->oom_score_adj = -1000;
	b->oom_score_adj = -900;   /* 32 MiB less 90% of RAM: below a */
	g_assert_cmpint(oom_score(m, c), ==, 0);
	g_assert_cmpint(oom_score(m, a), >, oom_score(m, b));
	pfns = fill(m);
	pfn = __alloc_pages(m, GFP_KERNEL, 0, -1, 0);
	g_assert_cmpint(pfn, >=, 0);
	g_array_append_val(pfns, pfn);
	g_assert_null(find_task_by_pid(m, apid));
	g_assert_nonnull(find_task_by_pid(m, bpid));
	g_assert_nonnull(find_task_by_pid(m, cpid));
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

static void test_panics(void)
{
	struct machine *m = new_machine();
	struct task_struct *t = spawn_touched(m, "p", 8 * MiB);
	long a = sys_mmap(m, t, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	GArray *pfns = fill(m);

	m->sysctl.panic_on_oom = 1;
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 4096, true), ==, -ENOMEM);
	g_assert_true(m->panicked);
	g_assert_true(logged(m, "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled"));
	g_assert_cmpuint(m->vm_events[OOM_KILL], ==, 0);
	g_assert_false(logged(m, "Huh VM_FAULT_OOM"));
	check(m);
	unfill(m, pfns);
	machine_destroy(m);

	/* nothing killable: the kernel's deadlock panic */
	m = new_machine();
	pfns = fill(m);
	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL, 0, -1, 0), ==, -ENOMEM);
	g_assert_true(logged(m, "Out of memory and no killable processes..."));
	g_assert_true(logged(m, "Kernel panic - not syncing: System is deadlocked on memory"));
	g_assert_true(m->panicked);
	check(m);
	unfill(m, pfns);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/oom/who_may_oom", test_who_may_oom);
	g_test_add_func("/oom/kill_other_during_spawn", test_kill_other_during_spawn);
	g_test_add_func("/oom/kill_current_in_fault", test_kill_current_in_fault);
	g_test_add_func("/oom/kill_parent_during_fork", test_kill_parent_during_fork);
	g_test_add_func("/oom/kill_during_populate_and_malloc", test_kill_during_populate_and_malloc);
	g_test_add_func("/oom/badness_order_and_spared", test_badness_order_and_spared);
	g_test_add_func("/oom/victim_with_swap", test_victim_with_swap);
	g_test_add_func("/oom/panics", test_panics);
	return g_test_run();
}
