/*
 * The operands of the derived values (include/mmsim/explain.h): each
 * *_ops function returns what the kernel-format file's function returns,
 * its operands add up to it, and --debug-vm notices watermarks or lowmem
 * reserves that no longer follow their formula.
 */
#include <string.h>

#include "mmsim/explain.h"
#include "mmsim/pagemap.h"
#include "unit_util.h"

static void test_mem_available_ops(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, true);
	struct mem_available_ops a;

	g_assert_cmpint(si_mem_available_ops(m, &a), ==, si_mem_available(m));
	g_assert_cmpint(a.base, ==, a.free - (long)a.totalreserve);
	g_assert_cmpint(a.pagecache + a.file_kept, ==, a.file_lru);
	g_assert_cmpint(a.reclaimable + a.reclaimable_kept, ==, a.slab_reclaimable + a.misc_reclaimable);
	g_assert_cmpint(a.sum, ==, a.base + a.pagecache + a.reclaimable);
	machine_destroy(m);
}

static void test_dirty_limits_ops(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, true);
	struct dirty_limits_ops d;
	unsigned long bg, thresh;

	global_dirty_limits(m, &bg, &thresh);
	global_dirty_limits_ops(m, &d);
	g_assert_cmpuint(d.thresh, ==, thresh);
	g_assert_cmpuint(d.bg_thresh, ==, bg);
	g_assert_cmpuint(d.avail, ==, global_dirtyable_memory(m));
	/* the reserve comes off the free pages only */
	m->totalreserve_pages = d.free + 1000;
	global_dirty_limits_ops(m, &d);
	g_assert_cmpuint(d.avail, ==, d.file_lru + 1);
	machine_destroy(m);
}

static void test_oom_score_ops(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, true);
	struct task_struct *t = spawn(m, 100);
	struct oom_score_ops o;

	g_assert_cmpint(oom_score_ops(m, t, &o), ==, oom_score(m, t));
	g_assert_cmpint(o.points, ==, (long)(o.rss + o.swapents + o.pgtables));
	g_assert_cmpint(o.score, ==, o.scaled * 2 / 3);
	machine_destroy(m);
}

static void test_wmark_invariant_catches_drift(void)
{
	struct machine *m = unit_machine(512 * MiB, 0, false);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	char *err;

	g_assert_null(wmark_check_invariants(m));
	z->_watermark[WMARK_LOW]++;
	err = wmark_check_invariants(m);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err, "DMA32"));
	g_free(err);
	z->_watermark[WMARK_LOW]--;
	m->node_data[0]->node_zones[ZONE_DMA].lowmem_reserve[ZONE_DMA32] += 1;
	err = wmark_check_invariants(m);
	g_assert_nonnull(err);
	g_free(err);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/explain/mem_available_ops", test_mem_available_ops);
	g_test_add_func("/explain/dirty_limits_ops", test_dirty_limits_ops);
	g_test_add_func("/explain/oom_score_ops", test_oom_score_ops);
	g_test_add_func("/explain/wmark_invariant_catches_drift", test_wmark_invariant_catches_drift);
	return g_test_run();
}
