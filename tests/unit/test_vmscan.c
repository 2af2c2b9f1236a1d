/*
 * Unit tests of reclaim: kswapd balancing the node at the high watermark,
 * swap-out and swap-in under pressure, swappiness moving reclaim between
 * file and anon, workingset refaults, madvise cold/pageout, swapoff
 * bringing pages back, and PSI memory pressure rising and decaying.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "unit_util.h"
#include "mmsim/pagemap.h"
#include "mmsim/swap.h"

static long anon_map(struct machine *m, struct task_struct *t, unsigned long len)
{
	long a = sys_mmap(m, t, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);

	g_assert_cmpint(a, >, 0);
	return a;
}

/* Filling memory with page cache wakes kswapd (free below the low
 * watermark), which reclaims until the node is balanced at high; the reads
 * after its last run take free memory down again, never below low, where
 * kswapd would wake */
static void test_kswapd_balances(void)
{
	struct machine *m = unit_machine(GiB, 0, false);
	struct task_struct *t = spawn(m, 100);

	g_assert_cmpint(sim_file_create(m, "/data/f", 2 * GiB), ==, 0);
	g_assert_cmpint(sys_pread(m, t, "/data/f", 0, 2 * GiB), ==, 2 * GiB);
	g_assert_cmpuint(m->vm_events[PAGEOUTRUN], >, 0);
	g_assert_cmpuint(m->vm_events[PGSTEAL_KSWAPD], >, 0);
	g_assert_cmpuint(m->vm_events[PGSCAN_FILE], >=, m->vm_events[PGSTEAL_FILE]);
	/* DMA is left out: lowmem_reserve keeps these allocations out of it */
	for_each_zone_in_node(m->node_data[0], zone) {
		if (!populated_zone(zone) || zone->zone_idx == 0)
			continue;
		g_assert_cmpint(zone->vm_stat[NR_FREE_PAGES], >=, (long)low_wmark_pages(zone));
	}
	/* the file read twice has the second half cached, and the stealing
	 * left shadows behind */
	g_assert_cmpuint(sim_file_lookup(m, "/data/f")->i_data.nrshadows, >, 0);
	check(m);
	machine_destroy(m);
}

/* kswapd runs in simulated time: woken by allocations that take none
 * (no task), it has not run yet; a second later it has balanced the node
 * on its own CPU, charged its time to its task and gone to sleep */
static void test_kswapd_runs_in_time(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, false);
	struct task_struct *t = spawn(m, 100);
	long a = anon_map(m, t, 700 * MiB);
	GArray *pfns = g_array_new(FALSE, FALSE, sizeof(long));
	pg_data_t *pgdat = m->node_data[0];
	struct zone *dma32 = &pgdat->node_zones[ZONE_DMA32];
	long pfn;

	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 700 * MiB, true), ==, 0);
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpuint(m->vm_events[PAGEOUTRUN], ==, 0);
	while ((pfn = __alloc_pages(m, GFP_NOWAIT | __GFP_NOWARN, 0, -1, 0)) >= 0)
		g_array_append_val(pfns, pfn);
	g_assert_cmpint(dma32->vm_stat[NR_FREE_PAGES], <, (long)low_wmark_pages(dma32));
	g_assert_cmpuint(m->vm_events[PAGEOUTRUN], ==, 0);
	g_assert_cmpint(pgdat->kswapd->state, ==, 'R');
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpuint(m->vm_events[PAGEOUTRUN], >=, 1);
	g_assert_cmpuint(m->vm_events[PGSCAN_KSWAPD], >, 0);
	g_assert_cmpuint(m->vm_events[PGSCAN_DIRECT], ==, 0);
	g_assert_cmpint(dma32->vm_stat[NR_FREE_PAGES], >=, (long)high_wmark_pages(dma32));
	g_assert_cmpint(pgdat->kswapd->state, ==, 'S');
	g_assert_cmpuint(pgdat->kswapd->stime_ns, >, 0);
	for (guint i = 0; i < pfns->len; i++)
		__free_pages(m, (unsigned long)g_array_index(pfns, long, i), 0, 0);
	g_array_free(pfns, TRUE);
	check(m);
	machine_destroy(m);
}

/* 1 GiB of RAM, 2 GiB of swap: a process writing 1.5 GiB survives */
static void test_swap_out_and_in(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, false);
	struct task_struct *t = spawn(m, 100);
	long a = anon_map(m, t, 1536 * MiB);
	unsigned long maj;

	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 1536 * MiB, true), ==, 0);
	g_assert_nonnull(find_task_by_pid(m, 100));
	g_assert_cmpuint(m->vm_events[PSWPOUT], >=, 512 * MiB / PAGE_SIZE);
	g_assert_cmpint(t->mm->rss_stat[MM_SWAPENTS], >, 0);
	g_assert_cmpuint(m->vm_events[PGSCAN_ANON], >, 0);
	g_assert_cmpuint(m->vm_events[OOM_KILL], ==, 0);
	g_assert_cmpint(get_nr_swap_pages(m), <, get_total_swap_pages(m));
	check(m);
	/* reading it back swaps in with major faults */
	maj = t->maj_flt;
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 1536 * MiB, false), ==, 0);
	g_assert_cmpuint(m->vm_events[PSWPIN], >, 0);
	g_assert_cmpuint(t->maj_flt, >, maj);
	g_assert_cmpuint(m->vm_events[PSWPIN], >, t->maj_flt - maj); /* page-cluster readahead */
	check(m);
	g_assert_cmpint(sys_exit(m, t), ==, 0);
	/* slots of pages still being written go when their write ends; what
	 * stays in use is what the other processes (init) have swapped */
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpint(get_nr_swap_pages(m), ==,
			get_total_swap_pages(m) - find_task_by_pid(m, 1)->mm->rss_stat[MM_SWAPENTS] -
				node_stat(m, NR_SWAPCACHE));
	check(m);
	machine_destroy(m);
}

/* The same pressure on a mix of page cache and anon memory, with
 * swappiness 0 and 200.  (With plenty of inactive page cache the kernel
 * takes file pages whatever swappiness says: cache_trim_mode.) */
static void pressure_mix(int swappiness, unsigned long *anon, unsigned long *file)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, false);
	struct task_struct *a = spawn(m, 100), *b = spawn(m, 101);
	long p;

	m->sysctl.swappiness = swappiness;
	g_assert_cmpint(sim_file_create(m, "/data/f", 300 * MiB), ==, 0);
	/* read twice: the cache is active, so no cache_trim_mode: the
	 * balance is get_scan_count's fraction */
	g_assert_cmpint(sys_pread(m, a, "/data/f", 0, 300 * MiB), ==, 300 * MiB);
	g_assert_cmpint(sys_pread(m, a, "/data/f", 0, 300 * MiB), ==, 300 * MiB);
	p = anon_map(m, a, 300 * MiB);
	g_assert_cmpint(access_process_range(m, a, (unsigned long)p, 300 * MiB, true), ==, 0);
	p = anon_map(m, b, 600 * MiB);
	g_assert_cmpint(access_process_range(m, b, (unsigned long)p, 600 * MiB, true), ==, 0);
	*anon = m->vm_events[PGSTEAL_ANON];
	*file = m->vm_events[PGSTEAL_FILE];
	check(m);
	machine_destroy(m);
}

static void test_swappiness(void)
{
	unsigned long anon0, file0, anon200, file200;

	pressure_mix(0, &anon0, &file0);
	pressure_mix(200, &anon200, &file200);
	g_test_message("swappiness 0: anon %lu file %lu; 200: anon %lu file %lu", anon0, file0, anon200, file200);
	/* 0 takes the page cache first, 200 the anonymous memory */
	g_assert_cmpuint(file0, >, file200);
	g_assert_cmpuint(anon200, >, anon0);
	g_assert_cmpuint(anon0 * 4, <, file0);
}

/* A file evicted by a bigger one and read again refaults; refaults whose
 * distance is within the workingset (here the active cache of c) are
 * activated at once */
static void test_workingset_refault(void)
{
	struct machine *m = unit_machine(GiB, 0, false);
	struct task_struct *t = spawn(m, 100);
	unsigned long room, high = 0, b_pages;

	g_assert_cmpint(sim_file_create(m, "/data/a", 100 * MiB), ==, 0);
	g_assert_cmpint(sim_file_create(m, "/data/c", 300 * MiB), ==, 0);
	/* c twice: active, and protected while there is inactive cache */
	sys_pread(m, t, "/data/c", 0, 300 * MiB);
	sys_pread(m, t, "/data/c", 0, 300 * MiB);
	g_assert_cmpint(node_stat(m, NR_ACTIVE_FILE), >=, 300 * MiB / PAGE_SIZE);
	sys_pread(m, t, "/data/a", 0, 100 * MiB);
	/* b just big enough to push all of a out */
	for_each_zone_in_node(m->node_data[0], zone)
		high += high_wmark_pages(zone);
	room = (unsigned long)global_zone_page_state(m, NR_FREE_PAGES) - high;
	b_pages = room + 100 * MiB / PAGE_SIZE + 2048;
	g_assert_cmpint(sim_file_create(m, "/data/b", b_pages * PAGE_SIZE), ==, 0);
	sys_pread(m, t, "/data/b", 0, b_pages * PAGE_SIZE);
	g_assert_cmpuint(sim_file_lookup(m, "/data/a")->i_data.nrshadows, >, 0);
	sys_pread(m, t, "/data/a", 0, 100 * MiB);
	g_test_message("refault %ld activate %ld", node_stat(m, WORKINGSET_REFAULT_FILE),
		       node_stat(m, WORKINGSET_ACTIVATE_FILE));
	g_assert_cmpint(node_stat(m, WORKINGSET_REFAULT_FILE), >, 0);
	g_assert_cmpint(node_stat(m, WORKINGSET_ACTIVATE_FILE), >, 0);
	g_assert_cmpint(node_stat(m, WORKINGSET_ACTIVATE_FILE), <=, node_stat(m, WORKINGSET_REFAULT_FILE));
	check(m);
	machine_destroy(m);
}

static void test_madvise_cold_pageout(void)
{
	struct machine *m = unit_machine(GiB, GiB, true);
	struct task_struct *t = spawn(m, 100);
	long a = anon_map(m, t, 8 * MiB);
	long rss;

	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 8 * MiB, true), ==, 0);
	rss = t->mm->rss_stat[MM_ANONPAGES];
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 8 * MiB, MADV_PAGEOUT), ==, 0);
	g_assert_cmpint(t->mm->rss_stat[MM_ANONPAGES], ==, rss - 2048);
	g_assert_cmpint(t->mm->rss_stat[MM_SWAPENTS], ==, 2048);
	g_assert_cmpuint(m->vm_events[PSWPOUT], ==, 2048);
	/* the writes end; the pages stay in the swap cache until reclaimed */
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpint(node_stat(m, NR_WRITEBACK), ==, 0);
	check(m);
	/* touching them again: swap-cache hits, no disk read */
	g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 8 * MiB, false), ==, 0);
	g_assert_cmpuint(m->vm_events[PSWPIN], ==, 0);
	g_assert_cmpint(t->mm->rss_stat[MM_SWAPENTS], ==, 0);
	/* cold: deactivated (they were inactive: still inactive, unreferenced) */
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 8 * MiB, MADV_COLD), ==, 0);
	check(m);
	/* swapoff with everything resident frees the slots */
	g_assert_cmpint(sys_madvise(m, t, (unsigned long)a, 8 * MiB, MADV_PAGEOUT), ==, 0);
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpint(sys_swapoff(m, "/dev/sda5"), ==, 0);
	g_assert_cmpint(t->mm->rss_stat[MM_SWAPENTS], ==, 0);
	g_assert_cmpint(t->mm->rss_stat[MM_ANONPAGES], ==, rss);
	check(m);
	machine_destroy(m);
}

/* A thrashing workload stalls on memory; a quiet machine decays to 0 */
static void test_psi_memory(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, false);
	struct task_struct *t = spawn(m, 100);
	long a = anon_map(m, t, 1300 * MiB);

	for (int i = 0; i < 2; i++)
		g_assert_cmpint(access_process_range(m, t, (unsigned long)a, 1300 * MiB, true), ==, 0);
	machine_advance(m, 3 * NSEC_PER_SEC);
	g_assert_cmpuint(m->psi[PSI_MEM].total_us[0], >, 0);
	g_assert_cmpfloat(m->psi[PSI_MEM].avg[0][0], >, 1.0);
	g_assert_cmpuint(m->psi[PSI_IO].total_us[0], >, 0);
	machine_advance(m, 600 * NSEC_PER_SEC);
	g_assert_cmpfloat(m->psi[PSI_MEM].avg[0][0], <, 0.01);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vmscan/kswapd_balances", test_kswapd_balances);
	g_test_add_func("/vmscan/kswapd_runs_in_time", test_kswapd_runs_in_time);
	g_test_add_func("/vmscan/swap_out_and_in", test_swap_out_and_in);
	g_test_add_func("/vmscan/swappiness", test_swappiness);
	g_test_add_func("/vmscan/workingset_refault", test_workingset_refault);
	g_test_add_func("/vmscan/madvise_cold_pageout", test_madvise_cold_pageout);
	g_test_add_func("/vmscan/psi_memory", test_psi_memory);
	return g_test_run();
}
