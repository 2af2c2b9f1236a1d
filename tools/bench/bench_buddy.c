/*
 * bench_buddy: the speed of the buddy allocator, against a bare free list.
 *
 * Builds one machine (1 node, 8 GiB, 4 CPUs, manual clock) and times
 *   1. order-0 alloc+free pairs on one CPU, the page freed at once: the
 *      per-cpu list fast path (rmqueue_pcplist / free_unref_page);
 *   2. order-0 in batches of 4096 allocations then 4096 frees: the pcp
 *      lists overflow their high mark, so rmqueue_bulk and
 *      free_pcppages_bulk move pages to and from the buddy lists;
 *   3. order-9 alloc+free pairs on a fresh machine;
 *   4. order-9 alloc+free pairs on a fragmented machine: first 75% of the
 *      free memory is taken page by page (one unmovable allocation in four,
 *      the rest movable) and every other page is given back, so the
 *      fragmented part has no free block above order 0.  Then rounds of
 *      up to 512 order-9 allocations, all unmovable in one round and all
 *      reclaimable in the next: each round finds its own free lists empty
 *      at order 9 and must take blocks from another migratetype
 *      (__rmqueue_fallback), stealing their pageblocks.  The pageblocks
 *      that changed type are counted (outside the timing).
 * Each figure has a baseline measured in the same run with the same access
 * pattern: a plain array stack of PFNs (pop = alloc, push = free).  The
 * ratio says how many times more a pair costs in the model than on that
 * stack; it is a yardstick, not a target.
 *
 * Usage: bench_buddy [SCALE]   (SCALE multiplies the iteration counts; 1)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

#define BATCH 4096
#define ORDER9_CAP 512

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the baseline: a stack of PFNs ---- */

struct pfn_stack {
	unsigned long *pfn;
	size_t nr, cap;
};

/* noinline, so that the compiler cannot fold the pairs away */
static __attribute__((noinline)) long stack_pop(struct pfn_stack *s)
{
	if (s->nr == 0)
		return -ENOMEM;
	return (long)s->pfn[--s->nr];
}

static __attribute__((noinline)) void stack_push(struct pfn_stack *s, unsigned long pfn)
{
	s->pfn[s->nr++] = pfn;
}

static void stack_init(struct pfn_stack *s, size_t n, unsigned long stride)
{
	s->pfn = g_new(unsigned long, n);
	s->nr = s->cap = n;
	for (size_t i = 0; i < n; i++)
		s->pfn[i] = i * stride;
}

static volatile unsigned long sink;

/* ---- timed patterns, one for the engine and one for the stack ---- */

static double engine_pairs(struct machine *m, gfp_t gfp, unsigned int order, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		long pfn = __alloc_pages(m, gfp, order, -1, 0);

		if (pfn < 0) {
			fprintf(stderr, "bench_buddy: order-%u allocation failed: %s\n", order,
				strerror((int)-pfn));
			exit(1);
		}
		__free_pages(m, (unsigned long)pfn, order, 0);
	}
	return now_sec() - t0;
}

static double stack_pairs(struct pfn_stack *s, long n)
{
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		long pfn = stack_pop(s);

		sink += (unsigned long)pfn;
		stack_push(s, (unsigned long)pfn);
	}
	return now_sec() - t0;
}

static double engine_batches(struct machine *m, gfp_t gfp, unsigned int order, long nbatches,
			     unsigned long *pfns)
{
	double t0 = now_sec();

	for (long b = 0; b < nbatches; b++) {
		for (int i = 0; i < BATCH; i++) {
			long pfn = __alloc_pages(m, gfp, order, -1, 0);

			if (pfn < 0) {
				fprintf(stderr, "bench_buddy: batch allocation failed: %s\n",
					strerror((int)-pfn));
				exit(1);
			}
			pfns[i] = (unsigned long)pfn;
		}
		for (int i = BATCH - 1; i >= 0; i--)
			__free_pages(m, pfns[i], order, 0);
	}
	return now_sec() - t0;
}

static double stack_batches(struct pfn_stack *s, long nbatches, long batch, unsigned long *pfns)
{
	double t0 = now_sec();

	for (long b = 0; b < nbatches; b++) {
		for (long i = 0; i < batch; i++) {
			long pfn = stack_pop(s);

			if (pfn < 0) {
				fprintf(stderr, "bench_buddy: baseline stack ran dry\n");
				exit(1);
			}
			pfns[i] = (unsigned long)pfn;
		}
		for (long i = batch - 1; i >= 0; i--)
			stack_push(s, pfns[i]);
	}
	return now_sec() - t0;
}

static void report(const char *what, long pairs, double engine_s, double base_s)
{
	double e = pairs / engine_s, b = pairs / base_s;

	printf("%-44s %10.2f M pairs/s (%7.1f ns/pair)   baseline %8.2f M pairs/s (%5.1f ns)   "
	       "engine/baseline cost %.1fx\n",
	       what, e / 1e6, 1e9 / e, b / 1e6, 1e9 / b, engine_s / base_s);
}

/* ---- fragmentation ---- */

static unsigned long free_pages(struct machine *m)
{
	return (unsigned long)global_zone_page_state(m, NR_FREE_PAGES);
}

/*
 * Take `target` order-0 pages (every fourth unmovable, the others movable),
 * then free every other one and drain the pcp lists, so that the pages
 * left free in that range are isolated single pages.  Returns the number of
 * pages still held (they stay allocated for the rest of the run).
 */
static unsigned long fragment(struct machine *m, unsigned long target)
{
	unsigned long *pfns = g_new(unsigned long, target);
	unsigned long n = 0, kept = 0;

	for (; n < target; n++) {
		gfp_t gfp = (n % 4 == 0) ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE;
		long pfn = __alloc_pages(m, gfp, 0, -1, (int)(n % (unsigned long)m->nr_cpus));

		if (pfn < 0)
			break;
		pfns[n] = (unsigned long)pfn;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (i % 2)
			__free_pages(m, pfns[i], 0, (int)(i % (unsigned long)m->nr_cpus));
		else
			kept++;
	}
	drain_all_pages(m, NULL);
	g_free(pfns);
	return kept;
}

/* Free blocks of at least order 9, over all zones and migratetypes. */
static unsigned long free_order9_blocks(struct machine *m)
{
	unsigned long n = 0;

	for_each_online_node(m, nid) {
		for_each_zone_in_node(NODE_DATA(m, nid), z) {
			for (int o = pageblock_order; o <= MAX_PAGE_ORDER; o++)
				n += z->free_area[o].nr_free << (o - pageblock_order);
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;
	long scale = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	unsigned long *pfns = g_new(unsigned long, BATCH);
	struct pfn_stack st;
	double te, tb;
	long n;

	if (scale <= 0)
		scale = 1;
	machine_config_init(&cfg);
	cfg.mem_bytes = 8ULL << 30;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 4;
	cfg.manual_clock = true;
	cfg.debug_vm = false;
	double tc = now_sec();
	m = machine_create(&cfg, &error);
	tc = now_sec() - tc;
	if (!m) {
		fprintf(stderr, "bench_buddy: machine_create: %s\n", error ? error->message : "?");
		return 1;
	}
	printf("bench_buddy: 1 node, 8 GiB, 4 CPUs: %lu pages managed, %lu free; machine_create "
	       "%.1f ms\n",
	       m->totalram_pages, free_pages(m), tc * 1e3);
	printf("baseline: a plain array stack of PFNs (pop = alloc, push = free), same pattern\n\n");

	/* 1. order-0, the pcp fast path */
	n = 4000000 * scale;
	engine_pairs(m, GFP_KERNEL, 0, 10000);  /* warm: the pcp list fills */
	stack_init(&st, BATCH * 4, 1);
	te = engine_pairs(m, GFP_KERNEL, 0, n);
	tb = stack_pairs(&st, n);
	report("order-0 alloc+free, one page (pcp hot)", n, te, tb);
	te = engine_pairs(m, GFP_HIGHUSER_MOVABLE, 0, n);
	tb = stack_pairs(&st, n);
	report("order-0 alloc+free, movable (pcp hot)", n, te, tb);

	/* 2. order-0 in batches: rmqueue_bulk / free_pcppages_bulk */
	long nb = 250 * scale;
	te = engine_batches(m, GFP_KERNEL, 0, nb, pfns);
	tb = stack_batches(&st, nb, BATCH, pfns);
	report("order-0, batches of 4096 (pcp <-> buddy)", nb * BATCH, te, tb);
	g_free(st.pfn);

	/* 3. order-9 on the fresh machine */
	n = 200000 * scale;
	stack_init(&st, ORDER9_CAP, pageblock_nr_pages);
	te = engine_pairs(m, GFP_HIGHUSER_MOVABLE, pageblock_order, n);
	tb = stack_pairs(&st, n);
	report("order-9 alloc+free, fresh machine", n, te, tb);

	/* 4. order-9 on a fragmented machine, with fallback */
	unsigned long before = free_pages(m);
	double tf = now_sec();
	unsigned long held = fragment(m, before / 4 * 3);
	tf = now_sec() - tf;
	unsigned long avail9 = free_order9_blocks(m);
	unsigned long cap = MIN(ORDER9_CAP, avail9 * 3 / 4);

	printf("\nfragmented: %lu pages taken (1 in 4 unmovable), every other one freed, %lu "
	       "held, in %.2f s; free %lu -> %lu pages, free blocks >= order 9: %lu\n",
	       held * 2, held, tf, before, free_pages(m), avail9);
	if (cap == 0) {
		fprintf(stderr, "bench_buddy: no order-9 block left after fragmenting\n");
		return 1;
	}

	unsigned long nr_pb = m->max_pfn >> pageblock_order;
	uint8_t *mt = g_new(uint8_t, nr_pb);
	unsigned long *blocks = g_new(unsigned long, cap);
	long rounds = 200 * scale, pairs = 0, stolen = 0, failed = 0;

	te = 0;
	for (long r = 0; r < rounds; r++) {
		gfp_t gfp = (r & 1) ? (GFP_KERNEL | __GFP_RECLAIMABLE) : GFP_KERNEL;
		unsigned long got = 0;
		double t0;

		for (unsigned long pb = 0; pb < nr_pb; pb++) {
			unsigned long pfn = pb << pageblock_order;

			mt[pb] = pfn_valid(m, pfn) ? (uint8_t)get_pageblock_migratetype(m, pfn) : 0xff;
		}
		t0 = now_sec();
		for (; got < cap; got++) {
			long pfn = __alloc_pages(m, gfp | __GFP_NOWARN, pageblock_order, -1, 0);

			if (pfn < 0) {
				failed++;
				break;
			}
			blocks[got] = (unsigned long)pfn;
		}
		te += now_sec() - t0;
		for (unsigned long i = 0; i < got; i++) {
			unsigned long pb = blocks[i] >> pageblock_order;

			if (get_pageblock_migratetype(m, blocks[i]) != mt[pb])
				stolen++;
		}
		t0 = now_sec();
		for (unsigned long i = 0; i < got; i++)
			__free_pages(m, blocks[i], pageblock_order, 0);
		te += now_sec() - t0;
		pairs += (long)got;
	}
	g_free(st.pfn);
	stack_init(&st, cap, pageblock_nr_pages);
	tb = stack_batches(&st, pairs / (long)cap, (long)cap, blocks);
	tb *= (double)pairs / (double)(pairs / (long)cap * (long)cap);
	report("order-9 alloc+free, fragmented (fallback)", pairs, te, tb);
	printf("  %ld rounds of up to %lu blocks, unmovable and reclaimable in turn: %ld pairs, "
	       "%ld allocations (%.0f%%) stole their pageblock, %ld rounds ended early on "
	       "-ENOMEM\n",
	       rounds, cap, pairs, stolen, pairs ? 100.0 * stolen / pairs : 0.0, failed);

	g_free(st.pfn);
	g_free(mt);
	g_free(blocks);
	g_free(pfns);
	machine_destroy(m);
	machine_config_clear(&cfg);
	return 0;
}
