/*
 * Unit tests of the page cache: the xarray's node count, the kernel's
 * readahead window sizes worked by hand from mm/readahead.c, the window
 * ramp of a sequential reader seen in pgpgin, dirty limits from
 * domain_dirty_limits, writeback by the flusher and by fsync, file
 * mappings with fault-around, truncate and drop_caches.  Every test
 * checks the machine's invariants as it goes.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "unit_util.h"
#include "mmsim/pagemap.h"

/* readahead.c's window functions (engine-internal) */
unsigned long get_init_ra_size(unsigned long size, unsigned long max);

static unsigned long pgpgin_pages(struct machine *m)
{
	return m->vm_events[PGPGIN] / (PAGE_SIZE / 512);
}

static void test_xarray_nodes(void)
{
	struct xarray xa = { 0 };

	/* 4096 entries: 64 leaves under one root */
	for (unsigned long i = 0; i < 4096; i++)
		xa_store(&xa, i, xa_mk_page(i + 1));
	g_assert_cmpuint(xa.nr_nodes, ==, 65);
	g_assert_cmpuint(xa_to_pfn(xa_load(&xa, 4095)), ==, 4096);
	/* one more entry far out: the tree grows two levels */
	xa_store(&xa, 1UL << 20, xa_mk_page(7));
	g_assert_cmpuint(xa_load(&xa, 1UL << 20), ==, xa_mk_page(7));
	{
		unsigned long i = 4096;

		g_assert_cmpuint(xa_find(&xa, &i, ULONG_MAX), ==, xa_mk_page(7));
		g_assert_cmpuint(i, ==, 1UL << 20);
	}
	for (unsigned long i = 0; i < 4096; i++)
		xa_erase(&xa, i);
	xa_erase(&xa, 1UL << 20);
	g_assert_null(xa.head);
	g_assert_cmpuint(xa.nr_nodes, ==, 0);
}

static void test_ra_sizes(void)
{
	/* read_ahead_kb 128: max 32 pages */
	g_assert_cmpuint(get_init_ra_size(1, 32), ==, 4);    /* 1 <= 32/32: x4 */
	g_assert_cmpuint(get_init_ra_size(3, 32), ==, 8);    /* 4 <= 32/4: x2 */
	g_assert_cmpuint(get_init_ra_size(8, 32), ==, 16);
	g_assert_cmpuint(get_init_ra_size(9, 32), ==, 32);   /* 16 > 8: max */
	g_assert_cmpuint(get_init_ra_size(256, 320), ==, 320);
}

/* 4 KiB reads front to back: the window ramps 4, 8, 16, 32, 32 pages,
 * each read by the read that hits the previous window's mark */
static void test_sequential_ramp(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *t = spawn(m, 100);
	static const unsigned long expect[] = { 4, 8, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 32 };
	unsigned long before;

	g_assert_cmpint(sim_file_create(m, "/data/f", 64 * MiB), ==, 0);
	for (unsigned long i = 0; i < G_N_ELEMENTS(expect); i++) {
		before = pgpgin_pages(m);
		g_assert_cmpint(sys_pread(m, t, "/data/f", i * PAGE_SIZE, PAGE_SIZE), ==, PAGE_SIZE);
		g_assert_cmpuint(pgpgin_pages(m) - before, ==, expect[i]);
	}
	/* read 28 hits the mark of 28..59: 32 more */
	for (unsigned long i = 13; i < 28; i++)
		sys_pread(m, t, "/data/f", i * PAGE_SIZE, PAGE_SIZE);
	before = pgpgin_pages(m);
	sys_pread(m, t, "/data/f", 28 * PAGE_SIZE, PAGE_SIZE);
	g_assert_cmpuint(pgpgin_pages(m) - before, ==, 32);
	/* a re-read costs no I/O and activates */
	before = pgpgin_pages(m);
	g_assert_cmpint(sys_pread(m, t, "/data/f", 0, 8 * PAGE_SIZE), ==, 8 * PAGE_SIZE);
	g_assert_cmpuint(pgpgin_pages(m), ==, before);
	g_assert_cmpint(node_stat(m, NR_ACTIVE_FILE), ==, 8);
	check(m);
	machine_destroy(m);
}

static void test_read_past_eof_and_errors(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *t = spawn(m, 100);

	g_assert_cmpint(sim_file_create(m, "/data/f", 10000), ==, 0);
	g_assert_cmpint(sys_pread(m, t, "/data/f", 20000, 100), ==, 0);
	g_assert_cmpint(sys_pread(m, t, "/data/f", 8192, 100000), ==, 10000 - 8192);
	g_assert_cmpint(sys_pread(m, t, "/data/none", 0, 1), ==, -ENOENT);
	g_assert_cmpint(sys_pread(m, t, "/data", 0, 1), ==, -EISDIR);
	g_assert_cmpint(sys_pread(m, t, "/data/f/x", 0, 1), ==, -ENOTDIR);
	g_assert_cmpint(sim_file_create(m, "/data", 1), ==, -EISDIR);
	g_assert_cmpint(sim_file_create(m, "/data/f/x", 1), ==, -ENOTDIR);
	g_assert_cmpint(sim_file_create(m, "rel", 1), ==, -EINVAL);
	g_assert_cmpint(sim_file_create(m, "/a/../b", 1), ==, -EINVAL);
	g_assert_cmpint(sim_file_create(m, "/big", SIM_MAX_FILE_SIZE + 1), ==, -EFBIG);
	g_assert_cmpint(sim_file_remove(m, "/data/none"), ==, -ENOENT);
	g_assert_cmpint(sim_file_remove(m, "/data"), ==, -EISDIR);
	check(m);
	machine_destroy(m);
}

/* domain_dirty_limits: ratio * dirtyable / 100, background halved when
 * not below; the _bytes knobs take over */
static void test_dirty_limits(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	unsigned long bg, thresh, avail = global_dirtyable_memory(m);

	global_dirty_limits(m, &bg, &thresh);
	g_assert_cmpuint(thresh, ==, (20 * PAGE_SIZE / 100) * avail / PAGE_SIZE);
	g_assert_cmpuint(bg, ==, (10 * PAGE_SIZE / 100) * avail / PAGE_SIZE);
	m->sysctl.dirty_bytes = 8 * MiB;
	m->sysctl.dirty_background_bytes = 16 * MiB;
	global_dirty_limits(m, &bg, &thresh);
	g_assert_cmpuint(thresh, ==, 2048);
	g_assert_cmpuint(bg, ==, 1024);
	machine_destroy(m);
}

static void test_writeback(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *t = spawn(m, 100);
	uint64_t t0;

	g_assert_cmpint(sim_file_create(m, "/data/w", 0), ==, 0);
	g_assert_cmpint(sys_pwrite(m, t, "/data/w", 0, 4 * MiB), ==, 4 * MiB);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY), ==, 1024);
	g_assert_cmpint(node_stat(m, NR_DIRTIED), ==, 1024);
	g_assert_cmpuint(sim_file_lookup(m, "/data/w")->i_size, ==, 4 * MiB);
	/* not yet expired at 29 s; the flusher's 5 s pass after 30 s cleans */
	machine_advance(m, 29 * NSEC_PER_SEC);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY), ==, 1024);
	machine_advance(m, 6 * NSEC_PER_SEC);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY), ==, 0);
	machine_advance(m, NSEC_PER_SEC);
	g_assert_cmpint(node_stat(m, NR_WRITEBACK), ==, 0);
	g_assert_cmpint(node_stat(m, NR_WRITTEN), ==, 1024);
	/* fsync writes and waits: the disk's time passes */
	sys_pwrite(m, t, "/data/w", 0, 2 * MiB);
	t0 = m->now_ns;
	g_assert_cmpint(sys_fsync(m, t, "/data/w"), ==, 2 * MiB);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY) + node_stat(m, NR_WRITEBACK), ==, 0);
	g_assert_cmpuint(m->now_ns - t0, >=, 2 * MiB * NSEC_PER_SEC / m->cfg.disk_bandwidth);
	check(m);
	machine_destroy(m);
}

/* Writers above dirty_bytes are throttled: time passes, dirty stays near */
static void test_throttle(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *t = spawn(m, 100);
	uint64_t t0 = m->now_ns;

	m->sysctl.dirty_bytes = 16 * MiB;
	m->sysctl.dirty_background_bytes = 4 * MiB;
	g_assert_cmpint(sim_file_create(m, "/data/w", 0), ==, 0);
	g_assert_cmpint(sys_pwrite(m, t, "/data/w", 0, 128 * MiB), ==, 128 * MiB);
	/* most of it had to reach the disk first */
	g_assert_cmpuint(m->now_ns - t0, >=, 96 * MiB * NSEC_PER_SEC / m->cfg.disk_bandwidth);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY) + node_stat(m, NR_WRITEBACK), <=, 4096 + 256);
	g_assert_cmpuint(t->delayacct_blkio_ns, >, 0);
	check(m);
	machine_destroy(m);
}

static void test_mmap_faults(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *a = spawn(m, 100), *b = spawn(m, 101);
	unsigned long before = m->vm_events[PGMAJFAULT];
	long addr;

	g_assert_cmpint(sim_file_create(m, "/data/m", 16 * MiB), ==, 0);
	addr = sys_mmap_file(m, a, 0, 16 * MiB, PROT_READ, MAP_PRIVATE, "/data/m", 0, NULL);
	g_assert_cmpint(addr, >, 0);
	g_assert_cmpint(access_process_range(m, a, (unsigned long)addr, 16 * MiB, false), ==, 0);
	g_assert_cmpuint(m->vm_events[PGMAJFAULT] - before, <, 16);
	g_assert_cmpint(a->mm->rss_stat[MM_FILEPAGES], ==, 4096);
	g_assert_cmpint(node_stat(m, NR_FILE_MAPPED), ==, 4096);
	/* another process maps the cached file: no major fault */
	before = m->vm_events[PGMAJFAULT];
	addr = sys_mmap_file(m, b, 0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, "/data/m", 0, NULL);
	g_assert_cmpint(access_process_range(m, b, (unsigned long)addr, 16 * MiB, false), ==, 0);
	g_assert_cmpuint(m->vm_events[PGMAJFAULT], ==, before);
	/* a store through the shared mapping dirties the cache */
	g_assert_cmpint(access_process_range(m, b, (unsigned long)addr, MiB, true), ==, 0);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY), ==, 256);
	/* drop_caches leaves mapped and dirty pages */
	g_assert_cmpint(drop_caches(m, 1), ==, 0);
	g_assert_cmpint(node_stat(m, NR_FILE_PAGES), ==, 4096);
	/* past the end of the file: SIGBUS kills */
	addr = sys_mmap_file(m, b, 0, 32 * MiB, PROT_READ, MAP_PRIVATE, "/data/m", 0, NULL);
	g_assert_cmpint(access_process_range(m, b, (unsigned long)addr + 16 * MiB, PAGE_SIZE, false), ==, -EFAULT);
	g_assert_null(find_task_by_pid(m, 101));
	/* truncation unmaps: a's ptes past 1 MiB go */
	g_assert_cmpint(sim_file_create(m, "/data/m", MiB), ==, 0);
	g_assert_cmpint(a->mm->rss_stat[MM_FILEPAGES], ==, 256);
	check(m);
	/* rmfile while mapped: the inode lives until the mapping goes */
	g_assert_cmpint(sim_file_remove(m, "/data/m"), ==, 0);
	g_assert_cmpint(node_stat(m, NR_FILE_PAGES), ==, 256);
	g_assert_cmpint(sys_exit(m, a), ==, 0);
	g_assert_cmpint(node_stat(m, NR_FILE_PAGES), ==, 0);
	check(m);
	machine_destroy(m);
}

static void test_drop_caches(void)
{
	struct machine *m = unit_machine(GiB, 2 * GiB, true);
	struct task_struct *t = spawn(m, 100);
	long free0, file0;

	g_assert_cmpint(sim_file_create(m, "/data/r", 64 * MiB), ==, 0);
	g_assert_cmpint(sim_file_create(m, "/data/d", 0), ==, 0);
	g_assert_cmpint(sim_file_create(m, "/dev/shm/s", 0), ==, 0);
	file0 = node_stat(m, NR_FILE_PAGES);
	g_assert_cmpint(sys_pread(m, t, "/data/r", 0, 64 * MiB), ==, 64 * MiB);
	g_assert_cmpint(sys_pwrite(m, t, "/data/d", 0, MiB), ==, MiB);
	g_assert_cmpint(sys_pwrite(m, t, "/dev/shm/s", 0, MiB), ==, MiB);
	g_assert_cmpint(node_stat(m, NR_FILE_PAGES) - file0, ==, 16384 + 512);
	g_assert_cmpint(node_stat(m, NR_SHMEM), ==, 256);
	g_assert_cmpint(node_stat(m, NR_FILE_DIRTY), ==, 256);  /* shmem is never dirty */
	free0 = node_stat(m, NR_FILE_PAGES);
	g_assert_cmpint(drop_caches(m, 1), ==, 0);
	g_assert_cmpint(free0 - node_stat(m, NR_FILE_PAGES), ==, 16384);
	g_assert_cmpint(drop_caches(m, 0), ==, -EINVAL);
	g_assert_cmpint(drop_caches(m, 5), ==, -EINVAL);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/filemap/xarray_nodes", test_xarray_nodes);
	g_test_add_func("/filemap/ra_sizes", test_ra_sizes);
	g_test_add_func("/filemap/sequential_ramp", test_sequential_ramp);
	g_test_add_func("/filemap/read_errors", test_read_past_eof_and_errors);
	g_test_add_func("/filemap/dirty_limits", test_dirty_limits);
	g_test_add_func("/filemap/writeback", test_writeback);
	g_test_add_func("/filemap/throttle", test_throttle);
	g_test_add_func("/filemap/mmap_faults", test_mmap_faults);
	g_test_add_func("/filemap/drop_caches", test_drop_caches);
	return g_test_run();
}
