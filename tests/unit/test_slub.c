/*
 * Unit tests of SLUB, vmalloc, the shrinkers and the dcache against values
 * worked out by hand from the kernel's formulas (mm/slub.c, mm/vmalloc.c,
 * mm/shrinker.c).
 *
 * calculate_order on 2 CPUs: slub_min_objects = 4 * (fls(2) + 1) = 12,
 * slub_max_order = 3 (PAGE_ALLOC_COSTLY_ORDER):
 *   size 8:    get_order(12 * 8 = 96) = 0; 4096 % 8 = 0        -> order 0, 512
 *   size 104:  get_order(1248) = 0; 4096 % 104 = 40 <= 256     -> order 0, 39
 *   size 624:  get_order(7488) = 1; 8192 % 624 = 80 <= 512     -> order 1, 13
 *   size 1152: get_order(13824) = 2; 16384 % 1152 = 256 <= 1024 -> order 2, 14
 *   size 2112: 32768 / 2112 = 15 >= 12; get_order(25344) = 3;
 *              32768 % 2112 = 1088 <= 2048                     -> order 3, 15
 *   size 5824: only 5 fit at order 3, min_objects 5; get_order(29120) = 3;
 *              rem 3648 > 32768/16 = 2048 fails 1/16, <= 4096 passes 1/8
 *                                                              -> order 3, 5
 *   size 8192: 4 fit at order 3; get_order(32768) = 3           -> order 3, 4
 * on 4 CPUs (min_objects 16): size 304: get_order(4864) = 1     -> order 1, 26
 * on 64 CPUs (min_objects 32): size 256: get_order(8192) = 1    -> order 1, 32
 * min_partial = ilog2(size) / 2 clamped to 5..10: 8 -> 5, 5824 -> 6,
 *   8192 -> 6, 1 MiB -> 10, 4 MiB -> 10.
 * cpu_partial_slabs of kmalloc-256: cpu_partial 52 (size >= 256),
 *   DIV_ROUND_UP(52 * 2, 16) = 7.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/slab.h"
#include "unit_util.h"

static struct machine *machine_with(int cpus, bool bare)
{
	return unit_machine_cfg((struct unit_config){ .mem = 1ULL << 30, .swap = 2ULL << 30, .cpus = cpus,
						       .kernel_reserved = 24ULL << 20, .debug = true, .bare = bare });
}

static void test_calculate_order(void)
{
	static const struct { unsigned int size, order, objects; } two_cpus[] = {
		{ 8, 0, 512 }, { 104, 0, 39 }, { 624, 1, 13 }, { 1152, 2, 14 },
		{ 2112, 3, 15 }, { 5824, 3, 5 }, { 8192, 3, 4 },
	};
	struct machine *m = machine_with(2, true);
	struct machine *m4 = machine_with(4, true);
	struct machine *m64 = machine_with(64, true);

	g_assert_cmpuint(slub_min_objects(m), ==, 12);
	g_assert_cmpuint(slub_min_objects(m4), ==, 16);
	g_assert_cmpuint(slub_min_objects(m64), ==, 32);
	for (size_t i = 0; i < G_N_ELEMENTS(two_cpus); i++) {
		unsigned int order = calculate_order(m, two_cpus[i].size);

		g_assert_cmpuint(order, ==, two_cpus[i].order);
		g_assert_cmpuint((4096u << order) / two_cpus[i].size, ==, two_cpus[i].objects);
	}
	g_assert_cmpuint(calculate_order(m4, 304), ==, 1);
	g_assert_cmpuint(calculate_order(m64, 256), ==, 1);
	/* the caches themselves */
	g_assert_cmpuint(kmem_cache_find(m, "task_struct")->objects, ==, 5);
	g_assert_cmpuint(kmem_cache_find(m, "inode_cache")->order, ==, 1);
	g_assert_cmpuint(kmem_cache_find(m, "inode_cache")->size, ==, 624);  /* ctor: free pointer outside */
	g_assert_cmpuint(kmem_cache_find(m, "mm_struct")->size, ==, 1600);   /* 1568 at 64 */
	g_assert_cmpuint(kmem_cache_find(m4, "signal_cache")->objects, ==, 28);
	machine_destroy(m);
	machine_destroy(m4);
	machine_destroy(m64);
}

static void test_min_partial_and_alignment(void)
{
	g_assert_cmpuint(slub_min_partial(8), ==, 5);
	g_assert_cmpuint(slub_min_partial(5824), ==, 6);
	g_assert_cmpuint(slub_min_partial(8192), ==, 6);
	g_assert_cmpuint(slub_min_partial(1u << 20), ==, 10);
	g_assert_cmpuint(slub_min_partial(1u << 22), ==, 10);
	/* SLAB_HWCACHE_ALIGN: the cache line, halved while the object fits twice */
	g_assert_cmpuint(calculate_alignment(SLAB_HWCACHE_ALIGN, 0, 1568), ==, 64);
	g_assert_cmpuint(calculate_alignment(SLAB_HWCACHE_ALIGN, 0, 24), ==, 32);
	g_assert_cmpuint(calculate_alignment(SLAB_HWCACHE_ALIGN, 0, 8), ==, 8);
	g_assert_cmpuint(calculate_alignment(0, 0, 100), ==, 8);
	g_assert_cmpuint(calculate_alignment(0, 256, 256), ==, 256);
}

static void test_merging(void)
{
	struct machine *m = machine_with(2, true);
	struct kmem_cache *vmap = kmem_cache_find(m, "vmap_area");
	struct kmem_cache *avc = kmem_cache_find(m, "anon_vma_chain");
	struct kmem_cache *bh = kmem_cache_find(m, "buffer_head");
	struct kmem_cache *s;

	/* 72 and 70 (rounded to 72) bytes without flags: vmap_area */
	g_assert_true(kmem_cache_create(m, "a", 72, 0, 0) == vmap);
	g_assert_true(kmem_cache_create(m, "b", 70, 0, 0) == vmap);
	g_assert_cmpint(vmap->refcount, ==, 3);
	g_assert_true(kmem_cache_find(m, "b") == vmap);
	/* the flags that must agree: SLAB_ACCOUNT, SLAB_RECLAIM_ACCOUNT */
	g_assert_true(kmem_cache_create(m, "c", 64, 0, SLAB_ACCOUNT) == avc);
	g_assert_true(kmem_cache_find(m, "fs_cache") == avc);
	g_assert_true(kmem_cache_create(m, "d", 100, 0, SLAB_RECLAIM_ACCOUNT) == bh);
	/* 104 - 72 >= 8: no merge with vmap_area; a new cache */
	s = kmem_cache_create(m, "e", 60, 0, 0);
	g_assert_true(s != vmap && !strcmp(s->name, "e"));
	g_assert_cmpuint(s->size, ==, 64);
	/* never merged: a constructor, RCU, SLAB_NO_MERGE (every kmalloc cache) */
	g_assert_cmpint(kmem_cache_find(m, "kmalloc-64")->refcount, ==, 1);
	s = kmem_cache_create(m, "f", 72, 0, SLAB_TYPESAFE_BY_RCU);
	g_assert_true(s != vmap);
	/* a name clash */
	g_assert_null(kmem_cache_create(m, "dentry", 8, 0, 0));
	g_assert_null(kmem_cache_create(m, "zero", 0, 0, 0));
	/* an alias goes, the cache stays */
	g_assert_cmpint(kmem_cache_destroy(m, vmap, "a"), ==, 0);
	g_assert_cmpint(vmap->refcount, ==, 2);
	g_assert_null(kmem_cache_find(m, "a"));
	/* a cache outlives its first name while an alias uses it; the last
	 * reference goes only without objects, and then the cache goes */
	s = kmem_cache_create(m, "x", 300, 0, 0);
	g_assert_true(kmem_cache_create(m, "y", 300, 0, 0) == s);
	g_assert_cmpint(kmem_cache_destroy(m, s, "x"), ==, 0);
	g_assert_true(kmem_cache_find(m, "y") == s);
	{
		unsigned long obj = kmem_cache_alloc(m, s, GFP_KERNEL);

		g_assert_cmpint(kmem_cache_destroy(m, s, "y"), ==, -EBUSY);
		g_assert_true(kmem_cache_find(m, "y") == s);
		kmem_cache_free(m, s, obj);
	}
	g_assert_cmpint(kmem_cache_destroy(m, s, "y"), ==, 0);
	g_assert_null(kmem_cache_find(m, "y"));
	g_assert_null(kmem_cache_find(m, "x"));
	check(m);
	machine_destroy(m);
}

static long slab_pages(struct machine *m)
{
	return global_node_page_state(m, NR_SLAB_UNRECLAIMABLE_B);
}

static void test_kmalloc_1000_then_free(void)
{
	struct machine *m = machine_with(2, true);
	struct kmem_cache *s = kmem_cache_find(m, "kmalloc-256");
	unsigned long *objs = g_new(unsigned long, 1000);
	struct slabinfo si;

	g_assert_cmpuint(s->cpu_partial_slabs, ==, 7);
	g_assert_cmpuint(s->min_partial, ==, 5);
	for (int i = 0; i < 1000; i++) {
		objs[i] = kmalloc(m, 200, GFP_KERNEL);
		g_assert_cmpuint(objs[i], >=, PAGE_OFFSET);
		g_assert_true(virt_to_cache(m, objs[i]) == s);
	}
	check(m);
	/* 62 full slabs and the CPU slab with 8 of 16 used */
	get_slabinfo(m, s, &si);
	g_assert_cmpuint(si.num_slabs, ==, 63);
	g_assert_cmpuint(si.num_objs, ==, 1008);
	g_assert_cmpuint(si.active_objs, ==, 1008);  /* the CPU slab's free ones count as active */
	g_assert_cmpuint(si.partial_slabs, ==, 0);
	g_assert_cmpint(slab_pages(m), ==, 63);
	/* freed in order: each full slab's first free puts it on the CPU
	 * partial list; every 8th slab finds 7 there and drains them: the
	 * first drain keeps 5 on the node (min_partial) and discards 2, the
	 * next ones discard all 7; at the end 6 slabs wait on the CPU list */
	for (int i = 0; i < 1000; i++)
		kfree(m, objs[i]);
	check(m);
	get_slabinfo(m, s, &si);
	g_assert_cmpuint(si.partial_slabs, ==, 5);
	g_assert_cmpuint(si.cpu_partial_slabs_now, ==, 6);
	g_assert_cmpuint(si.num_slabs, ==, 12);
	g_assert_cmpint(slab_pages(m), ==, 12);
	kmem_cache_shrink(m, s);
	get_slabinfo(m, s, &si);
	g_assert_cmpuint(si.num_slabs, ==, 0);
	g_assert_cmpint(slab_pages(m), ==, 0);
	check(m);
	g_free(objs);
	machine_destroy(m);
}

static void test_kmalloc_sizes_and_large(void)
{
	struct machine *m = machine_with(2, true);
	static const struct { size_t size; const char *cache; } cases[] = {
		{ 1, "kmalloc-8" }, { 8, "kmalloc-8" }, { 9, "kmalloc-16" }, { 33, "kmalloc-64" },
		{ 65, "kmalloc-96" }, { 96, "kmalloc-96" }, { 97, "kmalloc-128" }, { 129, "kmalloc-192" },
		{ 193, "kmalloc-256" }, { 257, "kmalloc-512" }, { 8192, "kmalloc-8k" },
	};
	unsigned long p;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpstr(kmalloc_slab(m, cases[i].size, GFP_KERNEL)->name, ==, cases[i].cache);
	g_assert_cmpstr(kmalloc_slab(m, 100, GFP_KERNEL | __GFP_RECLAIMABLE)->name, ==, "kmalloc-rcl-128");
	g_assert_cmpstr(kmalloc_slab(m, 100, GFP_KERNEL_ACCOUNT)->name, ==, "kmalloc-cg-128");
	g_assert_null(kmalloc_slab(m, 8193, GFP_KERNEL));
	/* above 8 KiB: an order-2 block for 9000 bytes, counted as slab */
	p = kmalloc(m, 9000, GFP_KERNEL);
	g_assert_cmpuint(p, !=, 0);
	g_assert_null(virt_to_cache(m, p));
	g_assert_cmpint(slab_pages(m), ==, 4);
	g_assert_cmpuint(ksize(m, p), ==, 16384);
	check(m);
	kfree(m, p);
	g_assert_cmpint(slab_pages(m), ==, 0);
	g_assert_cmpuint(kmalloc(m, 0, GFP_KERNEL), ==, 0);
	g_assert_cmpuint(kmalloc(m, KMALLOC_MAX_SIZE + 1, GFP_KERNEL), ==, 0);
	check(m);
	machine_destroy(m);
}

/* Aligned fits leave holes; freed neighbours merge with the holes into
 * one range that a larger area fits in again */
static void test_vmalloc_aligned_merge(void)
{
	struct machine *m = machine_with(2, true);
	unsigned long a, b, c, d, e;

	/* kernel stacks: 16 KiB at 16 KiB, 20 KiB with the guard page */
	a = __vmalloc_node_aligned(m, 16384, 16384, -1, "t+0x0/0x10");
	b = __vmalloc_node_aligned(m, 16384, 16384, -1, "t+0x0/0x10");
	c = __vmalloc_node_aligned(m, 16384, 16384, -1, "t+0x0/0x10");
	g_assert_cmpuint(a, ==, VMALLOC_START);
	g_assert_cmpuint(b, ==, VMALLOC_START + 32768);
	g_assert_cmpuint(c, ==, VMALLOC_START + 65536);
	/* a page fits in the 12 KiB hole after a (8 KiB with its guard) */
	d = vmalloc(m, 4096, "t+0x0/0x10");
	g_assert_cmpuint(d, ==, VMALLOC_START + 20480);
	check(m);
	vfree(m, d);
	vfree(m, b);
	vfree(m, a);
	check(m);
	/* [START, START + 64 KiB) is one free range again: 40 KiB + guard fit */
	e = vmalloc(m, 40960, "t+0x0/0x10");
	g_assert_cmpuint(e, ==, VMALLOC_START);
	/* too big for what is left before c: after it */
	a = vmalloc(m, 20480, "t+0x0/0x10");
	g_assert_cmpuint(a, ==, c + 20480);
	check(m);
	vfree(m, a);
	vfree(m, c);
	vfree(m, e);
	g_assert_cmpuint(vmalloc_nr_pages(m), ==, 0);
	check(m);
	machine_destroy(m);
}

static void test_vmalloc(void)
{
	struct machine *m = machine_with(2, true);
	unsigned long a, b, c, n;
	struct vm_struct *vm;

	a = vmalloc(m, 1 << 20, "t+0x0/0x10");
	g_assert_cmpuint(a, ==, VMALLOC_START);
	vm = find_vm_area(m, a);
	g_assert_cmpuint(vm->size, ==, (1 << 20) + 4096);   /* with its guard page */
	g_assert_cmpuint(vm->nr_pages, ==, 256);
	g_assert_cmpuint(vmalloc_nr_pages(m), ==, 256);
	/* the page array (2 KiB) from kmalloc-2k, the vmap_area and vm_struct objects */
	g_assert_cmpuint(kmem_cache_find(m, "kmalloc-2k")->node[0].nr_slabs, ==, 1);
	b = vmalloc(m, 4096, "t+0x0/0x10");
	g_assert_cmpuint(b, ==, a + (1 << 20) + 4096);
	vfree(m, a);
	/* the lowest fit is the freed range */
	c = vmalloc(m, 8192, "t+0x0/0x10");
	g_assert_cmpuint(c, ==, VMALLOC_START);
	check(m);
	/* vrealloc: shrink in place, grow in place within the area, move beyond */
	n = vrealloc(m, c, 4096);
	g_assert_cmpuint(n, ==, c);
	g_assert_cmpuint(find_vm_area(m, c)->nr_pages, ==, 1);
	n = vrealloc(m, c, 8192);
	g_assert_cmpuint(n, ==, c);
	g_assert_cmpuint(find_vm_area(m, c)->nr_pages, ==, 2);
	n = vrealloc(m, c, 4 << 20);
	g_assert_cmpuint(n, !=, c);
	g_assert_null(find_vm_area(m, c));
	vm = find_vm_area(m, n);
	g_assert_cmpuint(vm->nr_pages, ==, 1024);
	g_assert_true(vm->flags & VM_VPAGES);        /* 8 KiB page array: vmalloc'ed */
	g_assert_cmpuint(vmalloc_nr_pages(m), ==, 1 + 1024 + 2);
	check(m);
	vfree(m, n);
	vfree(m, b);
	g_assert_cmpuint(vmalloc_nr_pages(m), ==, 0);
	/* kvmalloc: kmalloc first */
	a = kvmalloc(m, 100, GFP_KERNEL, "t+0x0/0x10");
	g_assert_false(is_vmalloc_addr(a));
	b = kvmalloc(m, 5 << 20, GFP_KERNEL, "t+0x0/0x10");
	g_assert_true(is_vmalloc_addr(b));
	kvfree(m, a);
	kvfree(m, b);
	g_assert_cmpuint(vmalloc_nr_pages(m), ==, 0);
	g_assert_cmpuint(vmalloc(m, 0, "t"), ==, 0);
	check(m);
	machine_destroy(m);
}

/* a shrinker over `pool` objects */
struct fake {
	struct shrinker s;
	unsigned long pool, calls, scanned;
};

static unsigned long fake_count(struct machine *m, struct shrinker *s, int nid)
{
	(void)m;
	(void)nid;
	return ((struct fake *)s)->pool;
}

static unsigned long fake_scan(struct machine *m, struct shrinker *s, int nid, unsigned long nr)
{
	struct fake *f = (struct fake *)s;
	unsigned long n = MIN(nr, f->pool);

	(void)m;
	(void)nid;
	f->calls++;
	f->scanned += nr;
	f->pool -= n;
	return n;
}

static void test_shrink_slab_arithmetic(void)
{
	struct machine *m = machine_with(2, true);
	struct fake f = { .s = { .name = "fake", .count_objects = fake_count, .scan_objects = fake_scan,
				 .seeks = DEFAULT_SEEKS }, .pool = 1000 };
	unsigned long scanned0 = m->vm_events[SLABS_SCANNED];

	register_shrinker(m, &f.s);
	/* priority 12: delta = (1000 >> 12) * 4 / 2 = 0: nothing scanned */
	g_assert_cmpuint(shrink_slab(m, GFP_KERNEL, 0, 12), ==, 0);
	g_assert_cmpuint(f.calls, ==, 0);
	g_assert_cmpint(f.s.nr_deferred, ==, 0);
	/* priority 0: delta = 1000 * 4 / 2 = 2000 = total_scan (capped at 2 *
	 * freeable); batches of 128 while total_scan >= 128: 15 of them,
	 * 1920 scanned, 80 deferred */
	g_assert_cmpuint(shrink_slab(m, GFP_KERNEL, 0, 0), ==, 1000);
	g_assert_cmpuint(f.calls, ==, 15);
	g_assert_cmpuint(f.scanned, ==, 1920);
	g_assert_cmpint(f.s.nr_deferred, ==, 80);
	g_assert_cmpuint(m->vm_events[SLABS_SCANNED] - scanned0, ==, 1920);
	/* empty: nothing to do */
	g_assert_cmpuint(shrink_slab(m, GFP_KERNEL, 0, 0), ==, 0);
	unregister_shrinker(m, &f.s);
	machine_destroy(m);
}

static void test_dcache_and_drop_slab(void)
{
	struct machine *m = machine_with(2, false);
	unsigned long d0 = dcache_nr_dentry(m), i0 = icache_nr_inodes(m), d;
	struct kmem_cache *dentry = kmem_cache_find(m, "dentry");

	/* new components: /opt, /opt/x, /opt/x/prog; in use while held */
	d = d_lookup_path(m, "/opt/x/prog");
	g_assert_cmpuint(d, !=, 0);
	g_assert_true(virt_to_cache(m, d) == dentry);
	g_assert_cmpuint(dcache_nr_dentry(m), ==, d0 + 3);
	g_assert_cmpuint(icache_nr_inodes(m), ==, i0 + 3);
	/* the same path again: no new dentry */
	dput(m, d_lookup_path(m, "/opt/x/prog"));
	g_assert_cmpuint(dcache_nr_dentry(m), ==, d0 + 3);
	/* vfs_cache_pressure 0: the dcache is never shrunk */
	dput(m, d);
	g_assert_cmpuint(dcache_nr_dentry_unused(m), >=, 1);
	m->sysctl.vfs_cache_pressure = 0;
	drop_slab(m);
	g_assert_cmpuint(dcache_nr_dentry(m), ==, d0 + 3);
	/* drop_slab: every unused dentry goes, then the parents it held, and
	 * the inodes they leave on the inode LRU */
	m->sysctl.vfs_cache_pressure = 100;
	drop_slab(m);
	g_assert_cmpuint(dcache_nr_dentry_unused(m), ==, 0);
	g_assert_cmpuint(icache_nr_unused(m), ==, 0);
	g_assert_cmpuint(dcache_nr_dentry(m), <, d0);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slub/calculate_order", test_calculate_order);
	g_test_add_func("/slub/min_partial_alignment", test_min_partial_and_alignment);
	g_test_add_func("/slub/merging", test_merging);
	g_test_add_func("/slub/kmalloc_1000_then_free", test_kmalloc_1000_then_free);
	g_test_add_func("/slub/kmalloc_sizes_large", test_kmalloc_sizes_and_large);
	g_test_add_func("/vmalloc/vmalloc_vrealloc_kvmalloc", test_vmalloc);
	g_test_add_func("/vmalloc/aligned_fit_merge", test_vmalloc_aligned_merge);
	g_test_add_func("/shrinker/shrink_slab", test_shrink_slab_arithmetic);
	g_test_add_func("/shrinker/dcache_drop_slab", test_dcache_and_drop_slab);
	return g_test_run();
}
