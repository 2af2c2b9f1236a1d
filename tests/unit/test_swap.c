/*
 * Unit tests of swap devices (mm/swapfile.c): the entry and pte encodings,
 * swapon/swapoff with priorities and their refusals, slot allocation by
 * clusters (header slot, nonfull/free/frag/full lists, per-cpu cluster,
 * rotation among equal priorities), swap_map counts.  Every step checks
 * the machine's invariants.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/swap.h"
#include "unit_util.h"

static struct machine *new_machine(uint64_t swap)
{
	return unit_machine_cfg((struct unit_config){ .mem = 1UL << 30, .swap = swap, .bare = true });
}

static void test_entry_encoding(void)
{
	unsigned long offsets[] = { 1, 2, 511, 512, 0x12345, (1UL << 40) - 1 };

	for (unsigned int type = 0; type < MAX_SWAPFILES; type += 7) {
		for (size_t i = 0; i < G_N_ELEMENTS(offsets); i++) {
			swp_entry_t e = swp_entry(type, offsets[i]);
			pte_t pte = swp_entry_to_pte(e);

			g_assert_cmpuint(swp_type(e), ==, type);
			g_assert_cmpuint(swp_offset(e), ==, offsets[i]);
			g_assert_true(is_swap_pte(pte));
			g_assert_false(pte_present(pte));
			g_assert_false(pte_none(pte));
			g_assert_cmpuint(pte_to_swp_entry(pte).val, ==, e.val);
		}
	}
	/* the x86-64 layout: type in the top 5 bits, the offset inverted from bit 9 */
	g_assert_cmphex(swp_entry_to_pte(swp_entry(1, 1)) >> 59, ==, 1);
	g_assert_cmphex((~swp_entry_to_pte(swp_entry(1, 1)) >> 9) & 0x1f, ==, 1);
	g_assert_false(is_swap_pte(0));
}

static void test_swapon_swapoff(void)
{
	struct machine *m = new_machine(0);
	struct swap_info_struct *a, *b, *c;

	g_assert_cmpint(get_total_swap_pages(m), ==, 0);
	g_assert_cmpint(sys_swapon(m, "/a", 64 * MiB, -1), ==, 0);
	g_assert_cmpint(sys_swapon(m, "/b", 64 * MiB, 10), ==, 0);
	g_assert_cmpint(sys_swapon(m, "/c", 64 * MiB + 4096, -1), ==, 0);
	a = swap_info_by_path(m, "/a");
	b = swap_info_by_path(m, "/b");
	c = swap_info_by_path(m, "/c");
	g_assert_cmpint(a->prio, ==, -2);
	g_assert_cmpint(b->prio, ==, 10);
	g_assert_cmpint(c->prio, ==, -3);
	g_assert_cmpuint(a->pages, ==, 16383);
	g_assert_cmpuint(c->pages, ==, 16384);
	g_assert_cmpuint(c->nr_clusters, ==, 33);
	/* the active list by priority */
	g_assert_true(m->swap->swap_active_head->data == b);
	g_assert_true(m->swap->swap_active_head->next->data == a);
	g_assert_cmpint(get_total_swap_pages(m), ==, 16383 * 2 + 16384);
	check(m);
	/* refusals change nothing */
	g_assert_cmpint(sys_swapon(m, "/a", 64 * MiB, -1), ==, -EBUSY);
	g_assert_cmpint(sys_swapon(m, "/d", 36 * 1024, -1), ==, -EINVAL);
	g_assert_cmpint(sys_swapoff(m, "/nope"), ==, -EINVAL);
	g_assert_cmpint(m->swap->least_priority, ==, -3);
	/* swapoff of /a: /c moves up to -2 */
	g_assert_cmpint(sys_swapoff(m, "/a"), ==, 0);
	g_assert_cmpint(c->prio, ==, -2);
	g_assert_cmpint(m->swap->least_priority, ==, -2);
	g_assert_cmpint(get_total_swap_pages(m), ==, 16383 + 16384);
	/* its swap_info slot is reused */
	g_assert_cmpint(sys_swapon(m, "/e", 1 * MiB, -1), ==, 0);
	g_assert_cmpint(swap_info_by_path(m, "/e")->type, ==, 0);
	g_assert_cmpint(swap_info_by_path(m, "/e")->prio, ==, -3);
	check(m);
	machine_destroy(m);
}

static void test_max_swapfiles(void)
{
	struct machine *m = new_machine(0);
	char path[32];
	int i;

	for (i = 0; i < MAX_SWAPFILES; i++) {
		g_snprintf(path, sizeof(path), "/s%d", i);
		g_assert_cmpint(sys_swapon(m, path, 64 * 1024, -1), ==, 0);
	}
	g_assert_cmpint(sys_swapon(m, "/one-more", 64 * 1024, -1), ==, -EPERM);
	g_assert_cmpuint(m->swap->nr_swapfiles, ==, MAX_SWAPFILES);
	check(m);
	machine_destroy(m);
}

static void test_slots_and_clusters(void)
{
	struct machine *m = new_machine(0);
	struct swap_info_struct *si;
	GArray *got = g_array_new(FALSE, FALSE, sizeof(swp_entry_t));
	swp_entry_t e;

	/* 3 clusters less 10 pages: the tail cluster is partly past the end */
	g_assert_cmpint(sys_swapon(m, "/s", (3 * SWAPFILE_CLUSTER - 10) * 4096UL, -1), ==, 0);
	si = swap_info_by_path(m, "/s");
	g_assert_cmpuint(si->pages, ==, 3 * SWAPFILE_CLUSTER - 11);
	/* setup_clusters: the header's and the tail's clusters are nonfull */
	g_assert_cmpuint(si->nonfull_clusters.nr, ==, 2);
	g_assert_cmpuint(si->free_clusters.nr, ==, 1);
	/* the first slot is 1: the header is never handed out; the nonfull
	 * cluster goes to the per-cpu cluster (frag list) */
	e = get_swap_page(m, 0);
	g_assert_cmpuint(swp_type(e), ==, si->type);
	g_assert_cmpuint(swp_offset(e), ==, 1);
	g_assert_cmpuint(swap_count(m, e), ==, SWAP_HAS_CACHE);
	g_assert_cmpuint(si->frag_clusters.nr, ==, 1);
	/* the per-cpu cluster hands out consecutive slots */
	g_assert_cmpuint(swp_offset(get_swap_page(m, 0)), ==, 2);
	/* another CPU takes another cluster: the tail one, still nonfull */
	g_assert_cmpuint(swp_offset(get_swap_page(m, 1)), ==, 2 * SWAPFILE_CLUSTER);
	g_assert_cmpuint(si->inuse_pages, ==, 3);
	check(m);
	/* fill the device */
	while ((e = get_swap_page(m, 0)).val)
		g_array_append_val(got, e);
	g_assert_cmpuint(si->inuse_pages, ==, si->pages);
	g_assert_cmpuint(si->full_clusters.nr, ==, 3);
	g_assert_cmpint(get_nr_swap_pages(m), ==, 0);
	g_assert_null(m->swap->swap_avail_heads[0]);
	check(m);
	/* counts: one more pte, then the cache and the pte let go */
	e = g_array_index(got, swp_entry_t, 0);
	g_assert_cmpint(swap_duplicate(m, e), ==, 0);
	g_assert_cmpuint(swap_count(m, e), ==, SWAP_HAS_CACHE | 1);
	put_swap_folio(m, e);
	g_assert_cmpuint(swap_count(m, e), ==, 1);
	g_assert_cmpuint(si->inuse_pages, ==, si->pages);
	swap_free(m, e);
	g_assert_cmpuint(swap_count(m, e), ==, 0);
	/* a full cluster with a free slot is nonfull again; the device is back
	 * on the avail list */
	g_assert_cmpuint(si->nonfull_clusters.nr, ==, 1);
	g_assert_nonnull(m->swap->swap_avail_heads[0]);
	check(m);
	/* swapoff runs try_to_unuse; slots held without a page anywhere (taken
	 * by hand above) cannot be brought back: ENOMEM, the device stays */
	g_assert_cmpint(sys_swapoff(m, "/s"), ==, -ENOMEM);
	g_assert_nonnull(swap_info_by_path(m, "/s"));
	for (guint i = 1; i < got->len; i++)
		put_swap_folio(m, g_array_index(got, swp_entry_t, i));
	g_assert_cmpuint(si->inuse_pages, ==, 3);
	check(m);
	g_array_free(got, TRUE);
	machine_destroy(m);
}

/* Equal priorities rotate when a cluster runs out; a higher one is used first */
static void test_priority_rotation(void)
{
	struct machine *m = new_machine(0);
	struct swap_info_struct *a, *b, *c;
	unsigned long from_a = 0, from_b = 0;

	g_assert_cmpint(sys_swapon(m, "/a", 4 * SWAPFILE_CLUSTER * 4096UL, 5), ==, 0);
	g_assert_cmpint(sys_swapon(m, "/b", 4 * SWAPFILE_CLUSTER * 4096UL, 5), ==, 0);
	g_assert_cmpint(sys_swapon(m, "/c", 4 * SWAPFILE_CLUSTER * 4096UL, -1), ==, 0);
	a = swap_info_by_path(m, "/a");
	b = swap_info_by_path(m, "/b");
	c = swap_info_by_path(m, "/c");
	for (unsigned long i = 0; i < 4 * SWAPFILE_CLUSTER; i++) {
		swp_entry_t e = get_swap_page(m, 0);

		g_assert_cmpuint(swp_type(e), !=, (unsigned)c->type);
		if (swp_type(e) == (unsigned)a->type)
			from_a++;
		else
			from_b++;
	}
	/* both equal devices served, a cluster at a time */
	g_assert_cmpuint(from_a, >=, SWAPFILE_CLUSTER - 1);
	g_assert_cmpuint(from_b, >=, SWAPFILE_CLUSTER);
	g_assert_cmpuint(a->inuse_pages + b->inuse_pages, ==, 4 * SWAPFILE_CLUSTER);
	g_assert_cmpuint(c->inuse_pages, ==, 0);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/swap/entry_encoding", test_entry_encoding);
	g_test_add_func("/swap/swapon_swapoff", test_swapon_swapoff);
	g_test_add_func("/swap/max_swapfiles", test_max_swapfiles);
	g_test_add_func("/swap/slots_and_clusters", test_slots_and_clusters);
	g_test_add_func("/swap/priority_rotation", test_priority_rotation);
	return g_test_run();
}
