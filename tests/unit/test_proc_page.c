/*
 * The engine behind pagemap, kpageflags, kpagecount and clear_refs:
 * entries for present, zero-page and unpopulated pages; soft-dirty
 * cleared by clear_refs 4 and set again by the store that faults on the
 * write-protected pte; the flags of free, anon and zero pages.
 */
#include <errno.h>

#include "mmsim/mm_types.h"
#include "mmsim/proc_page.h"
#include "unit_util.h"

#define NPAGES 64

static void test_pagemap_soft_dirty(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, true);
	struct task_struct *t;
	uint64_t e[NPAGES];
	unsigned long faults;
	long addr;

	g_assert_cmpint(sys_spawn(m, "p", 0, NULL, &t), >, 0);
	addr = sys_mmap(m, t, 0, NPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	g_assert_cmpint(addr, >, 0);
	g_assert_cmpint(access_process_range(m, t, (unsigned long)addr, 16 * PAGE_SIZE, true), ==, 0);
	g_assert_cmpint(access_process_range(m, t, (unsigned long)addr + 16 * PAGE_SIZE, 16 * PAGE_SIZE, false), ==, 0);
	pagemap_entries(m, t->mm, (unsigned long)addr, (unsigned long)addr + NPAGES * PAGE_SIZE, true, e);
	for (int i = 0; i < 16; i++) {
		g_assert_true((e[i] & (PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY)) ==
			      (PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY));
		g_assert_cmpuint(stable_page_flags(m, e[i] & PM_PFRAME_MASK) & (1ULL << KPF_ANON), !=, 0);
		g_assert_cmpuint(kpagecount(m, e[i] & PM_PFRAME_MASK), ==, 1);
	}
	/* the zero page: present, neither exclusive nor file */
	g_assert_cmpuint(e[16] & PM_PFRAME_MASK, ==, m->zero_pfn);
	g_assert_cmpuint(e[16] & (PM_MMAP_EXCLUSIVE | PM_FILE), ==, 0);
	g_assert_cmpuint(stable_page_flags(m, m->zero_pfn) & (1ULL << KPF_ZERO_PAGE), !=, 0);
	/* not faulted in: soft-dirty only, from the VMA */
	g_assert_cmpuint(e[40], ==, PM_SOFT_DIRTY);

	g_assert_cmpint(clear_refs(m, t, CLEAR_REFS_SOFT_DIRTY), ==, 0);
	check(m);
	pagemap_entries(m, t->mm, (unsigned long)addr, (unsigned long)addr + NPAGES * PAGE_SIZE, false, e);
	for (int i = 0; i < NPAGES; i++)
		g_assert_cmpuint(e[i] & (PM_SOFT_DIRTY | PM_PFRAME_MASK), ==, 0);
	faults = t->min_flt;
	g_assert_cmpint(access_process_range(m, t, (unsigned long)addr, 4 * PAGE_SIZE, true), ==, 0);
	g_assert_cmpuint(t->min_flt - faults, ==, 4);   /* write-protect faults */
	pagemap_entries(m, t->mm, (unsigned long)addr, (unsigned long)addr + NPAGES * PAGE_SIZE, false, e);
	for (int i = 0; i < NPAGES; i++)
		g_assert_cmpint(!!(e[i] & PM_SOFT_DIRTY), ==, i < 4);
	check(m);
	g_assert_cmpint(clear_refs(m, t, 0), ==, -EINVAL);
	g_assert_cmpint(clear_refs(m, t, CLEAR_REFS_LAST), ==, -EINVAL);
	machine_destroy(m);
}

static void test_kpageflags_free_and_holes(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, false);
	unsigned long buddy = 0;

	g_assert_cmpuint(get_max_dump_pfn(m) % PAGES_PER_SECTION, ==, 0);
	for (unsigned long pfn = 0; pfn < get_max_dump_pfn(m); pfn++)
		if (stable_page_flags(m, pfn) & (1ULL << KPF_BUDDY))
			buddy++;
	g_assert_cmpuint(buddy, ==, global_zone_page_state(m, NR_FREE_PAGES));
	g_assert_cmpuint(stable_page_flags(m, get_max_dump_pfn(m) + 1), ==, 1ULL << KPF_NOPAGE);
	g_assert_cmpuint(stable_page_flags(m, 0), ==, 1ULL << KPF_RESERVED);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/proc_page/pagemap_soft_dirty", test_pagemap_soft_dirty);
	g_test_add_func("/proc_page/kpageflags_free_and_holes", test_kpageflags_free_and_holes);
	return g_test_run();
}
