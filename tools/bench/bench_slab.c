/*
 * bench_slab: the speed of the kernel allocators, against bare free lists.
 *
 * Builds one machine (1 node, 8 GiB, 4 CPUs, manual clock, no --debug-vm)
 * and times
 *   1. kmalloc(64)/kfree pairs, the object freed at once: the per-CPU slab
 *      fast path (slab_alloc / do_slab_free) with kmalloc_index and
 *      virt_to_slab;
 *   2. kmalloc(64) in batches of 4096 then 4096 kfrees: slabs fill, go
 *      full, come back through the CPU partial list and the node partial
 *      list, empty ones are discarded to the buddy allocator;
 *   3. vmalloc(1 MiB)/vfree pairs: vmap_area search, 256 order-0 pages from
 *      the buddy allocator, the page array and the vmap_area/vm_struct
 *      objects from slabs.
 * The baselines, measured in the same run with the same pattern: for 1 and
 * 2 a free list of 64-byte objects in one array (pop = alloc, push =
 * free); for 3 the same 256-page allocation as 256 pops from a PFN stack
 * plus one malloc/free of the page array.  The ratio is a yardstick, not a
 * target; the target is 50 M kmalloc/kfree pairs/s.
 *
 * Usage: bench_slab [SCALE]   (SCALE multiplies the iteration counts; 1)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/slab.h"

#define BATCH 4096

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;

/* ---- the baseline: a free list of objects in one array ---- */

struct freelist {
	unsigned long *obj;
	size_t nr;
};

static __attribute__((noinline)) unsigned long fl_pop(struct freelist *f)
{
	return f->nr ? f->obj[--f->nr] : 0;
}

static __attribute__((noinline)) void fl_push(struct freelist *f, unsigned long o)
{
	f->obj[f->nr++] = o;
}

static void fl_init(struct freelist *f, size_t n, unsigned long size)
{
	f->obj = g_new(unsigned long, n);
	f->nr = n;
	for (size_t i = 0; i < n; i++)
		f->obj[i] = PAGE_OFFSET + i * size;
}

static double kmalloc_pairs(struct machine *m, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		unsigned long p = kmalloc(m, 64, GFP_KERNEL);

		sink += p;
		kfree(m, p);
	}
	return now_sec() - t0;
}

static double fl_pairs(struct freelist *f, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		unsigned long p = fl_pop(f);

		sink += p;
		fl_push(f, p);
	}
	return now_sec() - t0;
}

static double kmalloc_batches(struct machine *m, long rounds)
{
	unsigned long *objs = g_new(unsigned long, BATCH);
	double t0 = now_sec();

	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < BATCH; i++)
			objs[i] = kmalloc(m, 64, GFP_KERNEL);
		for (int i = 0; i < BATCH; i++)
			kfree(m, objs[i]);
	}
	t0 = now_sec() - t0;
	g_free(objs);
	return t0;
}

static double fl_batches(struct freelist *f, long rounds)
{
	unsigned long *objs = g_new(unsigned long, BATCH);
	double t0 = now_sec();

	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < BATCH; i++)
			objs[i] = fl_pop(f);
		for (int i = 0; i < BATCH; i++)
			fl_push(f, objs[i]);
	}
	t0 = now_sec() - t0;
	g_free(objs);
	return t0;
}

static double vmalloc_pairs(struct machine *m, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		unsigned long a = vmalloc(m, 1UL << 20, "bench+0x0/0x10");

		if (!a) {
			fprintf(stderr, "bench_slab: vmalloc failed\n");
			exit(1);
		}
		vfree(m, a);
	}
	return now_sec() - t0;
}

static double pages_baseline(struct freelist *pfns, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		unsigned long *arr = malloc(256 * sizeof(unsigned long));

		for (int p = 0; p < 256; p++)
			arr[p] = fl_pop(pfns);
		for (int p = 256; p-- > 0;)
			fl_push(pfns, arr[p]);
		sink += arr[0];
		free(arr);
	}
	return now_sec() - t0;
}

static void report(const char *what, long n, double t, double tb, const char *unit)
{
	printf("%-40s %9.2f M %s/s (%7.1f ns)   baseline %9.2f M/s (%6.1f ns)   ratio %.1fx\n", what, n / t / 1e6,
	       unit, t / n * 1e9, n / tb / 1e6, tb / n * 1e9, t / tb);
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	struct machine_config cfg;
	struct freelist f, pfns;
	struct machine *m;
	GError *error = NULL;
	long n;
	double t, tb;

	if (scale < 1)
		scale = 1;
	machine_config_init(&cfg);
	cfg.mem_bytes = 8ULL << 30;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 4;
	cfg.manual_clock = true;
	cfg.debug_vm = false;
	m = machine_create(&cfg, &error);
	if (!m) {
		fprintf(stderr, "bench_slab: machine_create: %s\n", error ? error->message : "?");
		return 1;
	}
	printf("bench_slab: 1 node, 8 GiB, 4 CPUs; target: 50 M kmalloc/kfree pairs/s\n");
	printf("baseline: a free list of 64-byte objects in an array (pop = alloc, push = free)\n\n");
	fl_init(&f, BATCH, 64);
	fl_init(&pfns, 4096, 4096);

	n = 50000000L * scale;
	kmalloc_pairs(m, n / 10);   /* warm: the CPU slab exists */
	t = kmalloc_pairs(m, n);
	tb = fl_pairs(&f, n);
	report("kmalloc(64)+kfree pairs", n, t, tb, "pairs");

	n = 2000L * scale;
	kmalloc_batches(m, n / 10);
	t = kmalloc_batches(m, n);
	tb = fl_batches(&f, n);
	report("kmalloc(64) x4096 then kfree x4096", n * BATCH, t, tb, "pairs");

	n = 20000L * scale;
	vmalloc_pairs(m, n / 10);
	t = vmalloc_pairs(m, n);
	tb = pages_baseline(&pfns, n);
	printf("%-40s %9.0f   %s/s (%7.1f us)   baseline %9.0f /s (%6.2f us)   ratio %.1fx\n", "vmalloc(1 MiB)+vfree pairs",
	       n / t, "pairs", t / n * 1e6, n / tb, tb / n * 1e6, t / tb);
	g_free(f.obj);
	g_free(pfns.obj);
	machine_destroy(m);
	return 0;
}
