/* The extfrag formulas (mm/vmstat.c) against numbers worked by hand. */
#include <glib.h>
#include <string.h>

#include "mmsim/compaction.h"

/* free lists: 8 order-0 blocks, 4 order-1, 2 order-3: 32 pages in 14 blocks */
static void zone_with_free_lists(struct zone *z)
{
	memset(z, 0, sizeof(*z));
	z->free_area[0].nr_free = 8;
	z->free_area[1].nr_free = 4;
	z->free_area[3].nr_free = 2;
}

static void test_contig_page_info(void)
{
	struct zone z;
	struct contig_page_info info;

	zone_with_free_lists(&z);
	fill_contig_page_info(&z, 2, &info);
	g_assert_cmpuint(info.free_pages, ==, 32);
	g_assert_cmpuint(info.free_blocks_total, ==, 14);
	/* the two order-3 blocks make four order-2 ones */
	g_assert_cmpuint(info.free_blocks_suitable, ==, 4);
}

static void test_fragmentation_index(void)
{
	struct zone z;

	zone_with_free_lists(&z);
	/* order 4: none suitable; 1000 - (1000 + 32 * 1000 / 16) / 14 = 1000 - 214 */
	g_assert_cmpint(fragmentation_index(&z, 4), ==, 786);
	/* order 10: 1000 - (1000 + 32000 / 1024) / 14 = 1000 - 1031 / 14 = 1000 - 73 */
	g_assert_cmpint(fragmentation_index(&z, 10), ==, 927);
	/* a suitable block exists: -1000 (shown as -1.000) */
	g_assert_cmpint(fragmentation_index(&z, 2), ==, -1000);
	g_assert_cmpint(fragmentation_index(&z, 0), ==, -1000);
	/* nothing free: 0 */
	memset(&z, 0, sizeof(z));
	g_assert_cmpint(fragmentation_index(&z, 4), ==, 0);
}

static void test_unusable_index(void)
{
	struct zone z;
	struct contig_page_info info;

	zone_with_free_lists(&z);
	fill_contig_page_info(&z, 0, &info);
	g_assert_cmpint(unusable_free_index(0, &info), ==, 0);
	/* order 2: (32 - 4 << 2) * 1000 / 32 = 500 */
	fill_contig_page_info(&z, 2, &info);
	g_assert_cmpint(unusable_free_index(2, &info), ==, 500);
	/* order 1: suitable 4 + 2 * 4 = 12 blocks of 2: (32 - 24) * 1000 / 32 = 250 */
	fill_contig_page_info(&z, 1, &info);
	g_assert_cmpint(unusable_free_index(1, &info), ==, 250);
	fill_contig_page_info(&z, 4, &info);
	g_assert_cmpint(unusable_free_index(4, &info), ==, 1000);
	/* extfrag_for_order: the same in percent */
	g_assert_cmpuint(extfrag_for_order(&z, 2), ==, 50);
	g_assert_cmpuint(extfrag_for_order(&z, 1), ==, 25);
	memset(&z, 0, sizeof(z));
	fill_contig_page_info(&z, 3, &info);
	g_assert_cmpint(unusable_free_index(3, &info), ==, 1000);
	g_assert_cmpuint(extfrag_for_order(&z, 3), ==, 0);
}

static void test_compact_gap(void)
{
	g_assert_cmpuint(compact_gap(9), ==, 1024);
	g_assert_cmpuint(compact_gap(0), ==, 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/compaction/contig_page_info", test_contig_page_info);
	g_test_add_func("/compaction/fragmentation_index", test_fragmentation_index);
	g_test_add_func("/compaction/unusable_index", test_unusable_index);
	g_test_add_func("/compaction/compact_gap", test_compact_gap);
	return g_test_run();
}
