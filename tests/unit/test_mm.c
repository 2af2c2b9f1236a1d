/*
 * Unit tests of processes and address spaces: spawn, mmap, demand paging,
 * the zero page, fork with COW, exit, mprotect/munmap splitting, madvise,
 * mlock, brk/malloc, overcommit and SIGSEGV.  Every test checks the
 * machine's invariants (debug_vm) as it goes.
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/slab.h"
#include "unit_util.h"

/* the built-in machine's 2 GiB of swap, no --debug-vm: tests call check() */
static struct machine *new_machine(unsigned long mem)
{
	return unit_machine(mem, 2UL << 30, false);
}

/* pages the kernel keeps after frees: slabs and vmalloc areas */
static long kernel_kept_pages(struct machine *m)
{
	return global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) + global_node_page_state(m, NR_SLAB_UNRECLAIMABLE_B) +
	       (long)vmalloc_nr_pages(m);
}

static long free_pages_drained(struct machine *m)
{
	drain_all_pages(m, NULL);
	return global_zone_page_state(m, NR_FREE_PAGES);
}

static void test_boot_tasks(void)
{
	struct machine *m = new_machine(GiB);
	GArray *pids = task_pids(m);
	struct task_struct *init = find_task_by_pid(m, 1), *k2 = find_task_by_pid(m, 2);

	g_assert_nonnull(init);
	g_assert_nonnull(init->mm);
	g_assert_cmpstr(k2->comm, ==, "kthreadd");
	g_assert_true(k2->flags & PF_KTHREAD);
	g_assert_null(k2->mm);
	/* init, kthreadd, kswapd0, kcompactd0, khugepaged, ksmd, oom_reaper */
	g_assert_cmpuint(pids->len, ==, 7);
	for (guint i = 1; i < pids->len; i++)
		g_assert_cmpint(g_array_index(pids, int, i - 1), <, g_array_index(pids, int, i));
	/* every task has a 16 KiB kernel stack */
	g_assert_cmpint(global_node_page_state(m, NR_KERNEL_STACK_KB), ==, 7 * 16);
	g_array_free(pids, TRUE);
	check(m);
	machine_destroy(m);
}

/* The contract's example: mmap 1G, write 256M, fork, Pss halves */
static void test_mmap_touch_fork(void)
{
	struct machine *m = new_machine(2 * GiB);
	struct task_struct *t, *c;
	unsigned long vm0, rss0, faults0, pt0;
	long anon0, addr, free0, kept0;

	g_assert_cmpint(sys_spawn(m, "web", 1000, NULL, &t), ==, 1000);
	check(m);
	g_assert_cmpint(sys_spawn(m, "web", 1000, NULL, NULL), ==, -EEXIST);
	vm0 = t->mm->total_vm;
	rss0 = get_mm_rss(t->mm);
	addr = sys_mmap(m, t, 0, GiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, "heap");
	g_assert_cmpint(addr, >, 0);
	g_assert_cmpuint(t->mm->total_vm - vm0, ==, GiB >> PAGE_SHIFT);
	g_assert_cmpuint(get_mm_rss(t->mm), ==, rss0);
	g_assert_true(find_vma_by_name(t->mm, "heap") == find_vma(t->mm, (unsigned long)addr));

	/* reading untouched memory maps the zero page: no RSS */
	g_assert_cmpint(access_process_range(m, t, (unsigned long)addr, 16 * MiB, false), ==, 0);
	g_assert_cmpuint(get_mm_rss(t->mm), ==, rss0);
	check(m);

	anon0 = global_node_page_state(m, NR_ANON_MAPPED);
	faults0 = global_vm_event(m, PGFAULT);
	pt0 = t->mm->pgtables_bytes;
	g_assert_cmpint(access_process_range(m, t, (unsigned long)addr, 256 * MiB, true), ==, 0);
	g_assert_cmpuint(get_mm_rss(t->mm) - rss0, ==, 256 * MiB >> PAGE_SHIFT);
	g_assert_cmpint(global_node_page_state(m, NR_ANON_MAPPED) - anon0, ==, (long)(256 * MiB >> PAGE_SHIFT));
	g_assert_cmpuint(global_vm_event(m, PGFAULT) - faults0, ==, 256 * MiB >> PAGE_SHIFT);
	/* 256 MiB needs 128 PTE tables (2 MiB each) beyond what existed */
	g_assert_cmpuint(t->mm->pgtables_bytes - pt0, >=, 120 * PAGE_SIZE);
	check(m);

	free0 = free_pages_drained(m);
	kept0 = kernel_kept_pages(m);
	g_assert_cmpint(sys_fork(m, t, NULL, 1001, &c), ==, 1001);
	g_assert_cmpuint(get_mm_rss(c->mm), ==, get_mm_rss(t->mm));
	check(m);
	/* the child writes 1 MiB: only those pages are copied */
	{
		unsigned long before = (unsigned long)free_pages_drained(m);

		g_assert_cmpint(access_process_range(m, c, (unsigned long)addr, MiB, true), ==, 0);
		g_assert_cmpuint(before - (unsigned long)free_pages_drained(m), ==, MiB >> PAGE_SHIFT);
		g_assert_cmpuint(global_vm_event(m, PGREUSE), ==, 0);
		/* the parent's copy of those pages is now exclusive: reused */
		g_assert_cmpint(access_process_range(m, t, (unsigned long)addr, MiB, true), ==, 0);
		g_assert_cmpuint(global_vm_event(m, PGREUSE), ==, MiB >> PAGE_SHIFT);
		g_assert_cmpuint(before - (unsigned long)free_pages_drained(m), ==, MiB >> PAGE_SHIFT);
	}
	check(m);
	g_assert_cmpint(sys_exit(m, c), ==, 0);
	check(m);
	/* everything comes back but what the kernel keeps: slabs of the
	 * child's objects (empty slabs stay below min_partial) and its stack
	 * in the CPU's stack cache (still a vmalloc area) */
	g_assert_cmpint(free_pages_drained(m) + kernel_kept_pages(m), ==, free0 + kept0);
	g_assert_null(find_task_by_pid(m, 1001));
	machine_destroy(m);
}

static void test_exit_returns_everything(void)
{
	struct machine *m = new_machine(GiB);
	long free0 = free_pages_drained(m), committed0 = m->vm_committed_as;
	long stack0 = global_node_page_state(m, NR_KERNEL_STACK_KB), kept0 = kernel_kept_pages(m);
	struct task_struct *t;
	long a;

	g_assert_cmpint(sys_spawn(m, "worker", 0, NULL, &t), >, 0);
	a = sys_mmap(m, t, 0, 64 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, NULL);
	g_assert_cmpint(a, >, 0);
	g_assert_cmpint(sys_mmap(m, t, 0, 8 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, "shm"), >, 0);
	g_assert_cmpint(global_node_page_state(m, NR_SHMEM), ==, (long)(8 * MiB >> PAGE_SHIFT));
	check(m);
	g_assert_cmpint(sys_exit(m, t), ==, 0);
	check(m);
	/* what is not free is held by slabs and the cached stack */
	g_assert_cmpint(free_pages_drained(m) + kernel_kept_pages(m), ==, free0 + kept0);
	g_assert_cmpint(m->vm_committed_as, ==, committed0);
	g_assert_cmpint(global_node_page_state(m, NR_KERNEL_STACK_KB), ==, stack0);
	g_assert_cmpint(global_node_page_state(m, NR_PAGETABLE), >, 0); /* init's */
	g_assert_cmpint(global_node_page_state(m, NR_SHMEM), ==, 0);
	machine_destroy(m);
}

static void test_split_merge(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t;
	long a;
	int maps0, pid;

	pid = sys_spawn(m, "p", 0, NULL, &t);
	maps0 = t->mm->map_count;
	a = sys_mmap(m, t, 0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(t->mm->map_count, ==, maps0 + 1);
	/* mprotect of the middle splits in three, restoring merges back */
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a + 4 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_READ), ==, 0);
	g_assert_cmpint(t->mm->map_count, ==, maps0 + 3);
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a + 4 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE), ==, 0);
	g_assert_cmpint(t->mm->map_count, ==, maps0 + 1);
	/* munmap of a middle page splits the VMA */
	g_assert_cmpint(sys_munmap(m, t, (unsigned long)a + 8 * PAGE_SIZE, PAGE_SIZE), ==, 0);
	g_assert_cmpint(t->mm->map_count, ==, maps0 + 2);
	check(m);
	/* a store to read-only memory kills the process with a segfault line */
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a, PAGE_SIZE, PROT_READ), ==, 0);
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 8, true), ==, -EFAULT);
	g_assert_null(find_task_by_pid(m, pid));
	g_assert_nonnull(strstr(m->log->str, "segfault at"));
	check(m);
	machine_destroy(m);
}

static void test_madvise_mlock(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t;
	unsigned long rss0;
	long a;

	sys_spawn(m, "p", 0, NULL, &t);
	rss0 = get_mm_rss(t->mm);
	a = sys_mmap(m, t, 0, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, "buf");
	g_assert_cmpuint(get_mm_rss(t->mm) - rss0, ==, 1024);
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 2 * MiB, MADV_DONTNEED), ==, 0);
	g_assert_cmpuint(get_mm_rss(t->mm) - rss0, ==, 512);
	/* MADV_HUGEPAGE: the first half gets a VMA of its own with VM_HUGEPAGE */
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 2 * MiB, MADV_HUGEPAGE), ==, 0);
	g_assert_true(find_vma(t->mm, (unsigned long)a)->vm_flags & VM_HUGEPAGE);
	g_assert_false(find_vma(t->mm, (unsigned long)a + 2 * MiB)->vm_flags & VM_HUGEPAGE);
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 2 * MiB, MADV_COLLAPSE), ==, -EINVAL);
	check(m);
	g_assert_cmpint(sys_mlock(m, t, (unsigned long)a, 4 * MiB), ==, 0);
	g_assert_cmpuint(t->mm->locked_vm, ==, 1024);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 1024);
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, MiB, MADV_DONTNEED), ==, -EINVAL);
	/* RLIMIT_MEMLOCK is 8 MiB for an unprivileged user */
	g_assert_cmpint(sys_mmap(m, t, 0, 8 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, "big"), >, 0);
	g_assert_cmpint(sys_mlock(m, t, (unsigned long)find_vma_by_name(t->mm, "big")->vm_start, 8 * MiB), ==, -ENOMEM);
	check(m);
	g_assert_cmpint(sys_munlock(m, t, (unsigned long)a, 4 * MiB), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 0);
	check(m);
	machine_destroy(m);
}

static void test_brk_malloc(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t;
	unsigned long brk0, vm0;
	long small, big;

	sys_spawn(m, "p", 0, NULL, &t);
	brk0 = t->mm->brk;
	g_assert_cmpuint(sys_brk(m, t, brk0 + MiB), ==, brk0 + MiB);
	g_assert_cmpuint(sys_brk(m, t, brk0), ==, brk0);
	g_assert_cmpuint(sys_brk(m, t, t->mm->start_brk - 1), ==, brk0);
	vm0 = t->mm->total_vm;
	small = glibc_malloc(m, t, 1000);
	g_assert_cmpint(small, >=, (long)t->mm->start_brk);
	g_assert_cmpint(small, <, (long)t->mm->brk);
	big = glibc_malloc(m, t, 1 * MiB);
	g_assert_cmpint(big, >, (long)t->mm->brk);
	g_assert_cmpuint(t->mm->total_vm - vm0, >=, 256);
	g_assert_cmpint(glibc_free(m, t, (unsigned long)big), ==, 0);
	g_assert_cmpuint(t->mm->total_vm, ==, vm0);
	g_assert_cmpint(glibc_free(m, t, (unsigned long)small), ==, 0);
	g_assert_cmpint(glibc_free(m, t, (unsigned long)small), ==, -EINVAL);
	check(m);
	machine_destroy(m);
}

static void test_overcommit(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t;

	sys_spawn(m, "p", 0, NULL, &t);
	/* mode 0: one mapping larger than RAM + swap is refused */
	g_assert_cmpint(sys_mmap(m, t, 0, 4 * GiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL), ==, -ENOMEM);
	/* mode 1: anything goes */
	m->sysctl.overcommit_memory = 1;
	g_assert_cmpint(sys_mmap(m, t, 0, 2 * GiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, "x"), >, 0);
	g_assert_cmpint(sys_munmap(m, t, find_vma_by_name(t->mm, "x")->vm_start, 2 * GiB), ==, 0);
	/* mode 2: CommitLimit = RAM * 50% + swap */
	m->sysctl.overcommit_memory = 2;
	g_assert_cmpint(sys_mmap(m, t, 0, (vm_commit_limit(m) << PAGE_SHIFT), PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, NULL), ==, -ENOMEM);
	g_assert_cmpint(sys_mmap(m, t, 0, 64 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL), >, 0);
	/* read-only private memory is not charged */
	g_assert_cmpint(sys_mmap(m, t, 0, 4 * GiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, NULL), >, 0);
	g_assert_nonnull(strstr(m->log->str, "not enough memory for the allocation"));
	check(m);
	machine_destroy(m);
}

/* max_map_count (do_mmap refuses above it, split_vma at it), the mmap hint,
 * malloc(0), and the fault error code of a protection fault on a page
 * never touched */
static void test_limits_and_hints(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t;
	long a, b;
	int pid = sys_spawn(m, "p", 0, NULL, &t);

	a = sys_mmap(m, t, 0x10000000, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(a, ==, 0x10000000);
	/* a hint that overlaps is ignored */
	b = sys_mmap(m, t, 0x10000000, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(b, !=, 0x10000000);
	g_assert_cmpint(glibc_malloc(m, t, 0), >, 0);

	m->sysctl.max_map_count = t->mm->map_count;
	/* do_mmap refuses only above the limit; split_vma at it */
	b = sys_mmap(m, t, 0x20000000, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(b, ==, 0x20000000);
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)b + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ), ==, -ENOMEM);
	g_assert_cmpint(sys_munmap(m, t, (unsigned long)b + 4 * PAGE_SIZE, PAGE_SIZE), ==, -ENOMEM);
	g_assert_cmpint(sys_munmap(m, t, (unsigned long)b, PAGE_SIZE), ==, 0);
	check(m);
	m->sysctl.max_map_count = 65530;

	/* a store to read-only memory never touched: error 6 (no page) */
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 1, true), ==, -EFAULT);
	g_assert_nonnull(strstr(m->log->str, "error 6"));
	g_assert_null(find_task_by_pid(m, pid));
	check(m);
	machine_destroy(m);
}

/* Found by tools/fuzz: mlock counts per page, madvise does not split,
 * malloc stops when its own header write kills the process */
/* Scenarios the fuzzer found (tools/fuzz), one test each */

static long mmap_anon(struct machine *m, struct task_struct *t, unsigned long len, int prot, int flags,
		      const char *name)
{
	long a = sys_mmap(m, t, 0, len, prot, flags | MAP_ANONYMOUS, name);

	g_assert_cmpint(a, >, 0);
	return a;
}

static struct task_struct *fork_of(struct machine *m, struct task_struct *t)
{
	struct task_struct *c = NULL;

	g_assert_cmpint(sys_fork(m, t, NULL, 0, &c), >, 0);
	g_assert_nonnull(c);
	return c;
}

/* two processes lock one shared page; one munlock leaves it locked */
static void test_fuzz_mlock_shared_two_lockers(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0), *c;
	long a = mmap_anon(m, t, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, "s");

	c = fork_of(m, t);
	g_assert_cmpint(sys_mlock(m, t, (unsigned long)a, 16 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(sys_mlock(m, c, (unsigned long)a, 16 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 16);
	g_assert_cmpint(sys_munlock(m, t, (unsigned long)a, 16 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 16);
	g_assert_cmpint(sys_exit(m, c), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 0);
	check(m);
	machine_destroy(m);
}

/* a parent's locked private page stays locked when its COW child exits;
 * a child locking it too counts its own copy-on-write share once more */
static void test_fuzz_mlock_cow_child(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0), *c;
	long a = mmap_anon(m, t, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, "l");

	g_assert_cmpint(sys_mlock(m, t, (unsigned long)a, 16 * PAGE_SIZE), ==, 0);
	c = fork_of(m, t);
	g_assert_cmpint(sys_exit(m, c), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 16);
	check(m);
	c = fork_of(m, t);
	g_assert_cmpint(sys_mlock(m, c, (unsigned long)a, 16 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 32);
	g_assert_cmpint(sys_exit(m, c), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 16);
	check(m);
	machine_destroy(m);
}

/* mlock over zero-page ptes counts each new page once */
static void test_fuzz_mlock_zero_page_ptes(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0);
	long a = mmap_anon(m, t, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, "z");

	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 4 * PAGE_SIZE, false), ==, 0);
	g_assert_cmpint(sys_mlock(m, t, (unsigned long)a, 4 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 4);
	g_assert_cmpint(sys_munlock(m, t, (unsigned long)a, 4 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 0);
	check(m);
	machine_destroy(m);
}

/* pages faulted later into a locked VMA are locked */
static void test_fuzz_mlock_late_faults(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0);
	long a = mmap_anon(m, t, 2 * PAGE_SIZE, PROT_NONE, MAP_PRIVATE, "late");

	g_assert_cmpint(sys_mlock(m, t, (unsigned long)a, 2 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), ==, 0);
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 2 * PAGE_SIZE, true), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 2);
	g_assert_cmpint(sys_munmap(m, t, (unsigned long)a, 2 * PAGE_SIZE), ==, 0);
	g_assert_cmpint(global_zone_page_state(m, NR_MLOCK), ==, 0);
	check(m);
	machine_destroy(m);
}

/* madvise dontneed or free on part of a VMA does not split it */
static void test_fuzz_madvise_no_split(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0);
	long a = mmap_anon(m, t, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, "x");
	int maps = t->mm->map_count;

	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), ==, 0);
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a + 2 * PAGE_SIZE, PAGE_SIZE, MADV_FREE), ==, 0);
	g_assert_cmpint(t->mm->map_count, ==, maps);
	check(m);
	machine_destroy(m);
}

/* mprotect to rw refused by the commit charge leaves the VMA whole
 * (tools/fuzz/repro/mprotect-commit-split: the charge comes first) */
static void test_fuzz_mprotect_commit_split(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0);
	long a = mmap_anon(m, t, 8 * GiB, PROT_READ, MAP_PRIVATE, "ro");
	int maps = t->mm->map_count;

	m->sysctl.overcommit_memory = 2;
	m->sysctl.overcommit_ratio = 0;
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a, 6 * GiB, PROT_READ | PROT_WRITE), ==, -ENOMEM);
	g_assert_cmpint(t->mm->map_count, ==, maps);
	m->sysctl.overcommit_memory = 0;
	m->sysctl.overcommit_ratio = 50;
	g_assert_cmpint(sys_mprotect(m, t, (unsigned long)a, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), ==, 0);
	g_assert_cmpint(t->mm->map_count, ==, maps + 1);
	check(m);
	machine_destroy(m);
}

/* malloc whose header write faults: the process is gone, no use after free */
static void test_fuzz_malloc_header_fault(void)
{
	struct machine *m = new_machine(GiB);
	struct task_struct *t = spawn(m, 0);
	int pid = t->pid;

	g_assert_cmpint(glibc_malloc(m, t, 100), >, 0);
	g_assert_cmpint(sys_mprotect(m, t, t->mm->start_brk, t->mm->brk - t->mm->start_brk, PROT_READ), ==, 0);
	g_assert_cmpint(glibc_malloc(m, t, 100), ==, -EFAULT);
	g_assert_null(find_task_by_pid(m, pid));
	check(m);
	machine_destroy(m);
}

/* The host memory a freshly spawned process costs the engine: at most
 * 8 KiB (its page tables kept sparse, its program images' paths shared),
 * not counting the page metadata (mem_map) of the simulated memory it
 * uses, which comes in whole sections.  Measured with glibc's mallinfo2;
 * skipped where the allocator does not count (sanitizers). */
#define SPAWN_HOST_BYTES_MAX 8192
#define SPAWN_PROCS 2000

static void test_spawn_host_memory(void)
{
	struct machine *m = new_machine(4 * GiB);
	struct mallinfo2 before, after;
	size_t meta0, meta1;
	long per_proc;
	char name[16];

	g_assert_cmpint(sys_spawn(m, "warm", 0, NULL, NULL), >, 0); /* libraries' dentries, first slabs */
	meta0 = machine_metadata_bytes(m);
	before = mallinfo2();
	for (int i = 0; i < SPAWN_PROCS; i++) {
		g_snprintf(name, sizeof(name), "p%d", i);
		g_assert_cmpint(sys_spawn(m, name, 0, NULL, NULL), >, 0);
	}
	after = mallinfo2();
	meta1 = machine_metadata_bytes(m);
	if (after.uordblks + after.hblkhd == before.uordblks + before.hblkhd) {
		g_test_skip("mallinfo2 does not count this allocator's memory");
		machine_destroy(m);
		return;
	}
	per_proc = ((long)(after.uordblks + after.hblkhd) - (long)(before.uordblks + before.hblkhd) -
		    (long)(meta1 - meta0)) / SPAWN_PROCS;
	g_test_message("host bytes per spawned process: %ld", per_proc);
	g_assert_cmpint(per_proc, <=, SPAWN_HOST_BYTES_MAX);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mm/boot_tasks", test_boot_tasks);
	g_test_add_func("/mm/mmap_touch_fork", test_mmap_touch_fork);
	g_test_add_func("/mm/exit_returns_everything", test_exit_returns_everything);
	g_test_add_func("/mm/split_merge", test_split_merge);
	g_test_add_func("/mm/madvise_mlock", test_madvise_mlock);
	g_test_add_func("/mm/brk_malloc", test_brk_malloc);
	g_test_add_func("/mm/overcommit", test_overcommit);
	g_test_add_func("/mm/limits_and_hints", test_limits_and_hints);
	g_test_add_func("/mm/fuzz/mlock_shared_two_lockers", test_fuzz_mlock_shared_two_lockers);
	g_test_add_func("/mm/fuzz/mlock_cow_child", test_fuzz_mlock_cow_child);
	g_test_add_func("/mm/fuzz/mlock_zero_page_ptes", test_fuzz_mlock_zero_page_ptes);
	g_test_add_func("/mm/fuzz/mlock_late_faults", test_fuzz_mlock_late_faults);
	g_test_add_func("/mm/fuzz/madvise_no_split", test_fuzz_madvise_no_split);
	g_test_add_func("/mm/fuzz/mprotect_commit_split", test_fuzz_mprotect_commit_split);
	g_test_add_func("/mm/fuzz/malloc_header_fault", test_fuzz_malloc_header_fault);
	g_test_add_func("/mm/spawn_host_memory", test_spawn_host_memory);
	return g_test_run();
}
