/*
 * mm/shrinker.c and mm/vmscan.c's drop_slab: asking the caches that can
 * give memory back to do so.
 *
 * Models: register_shrinker/unregister_shrinker; shrink_slab calling
 * do_shrink_slab on every shrinker with the kernel's arithmetic (delta =
 * (freeable >> priority) * 4 / seeks, or freeable / 2 for seeks 0; the
 * deferred work carried in nr_deferred, capped at 2 * freeable; scanning
 * in batches of SHRINK_BATCH while total_scan >= batch or >= freeable;
 * slabs_scanned counted); drop_slab repeating shrink_slab at priority 0 on
 * every node while (freed >> shift++) > 1.
 * Simplifies: no memcg-aware shrinkers and one nr_deferred per shrinker
 * rather than per node; shrinkers that are not NUMA aware are asked with
 * nid 0, as the kernel does, and every shrinker here is asked with the
 * node being shrunk (the model's dcache answers only for node 0).
 */
#include "mm_internal.h"
#include "mmsim/slab.h"
#include "slab_internal.h"

void register_shrinker(struct machine *m, struct shrinker *s)
{
	if (!m->shrinkers)
		m->shrinkers = g_ptr_array_new();
	s->nr_deferred = 0;
	g_ptr_array_add(m->shrinkers, s);
}

void unregister_shrinker(struct machine *m, struct shrinker *s)
{
	if (m->shrinkers)
		g_ptr_array_remove(m->shrinkers, s);
}

static unsigned long do_shrink_slab(struct machine *m, struct shrinker *s, int nid, int priority)
{
	unsigned long freed = 0, scanned = 0, freeable, delta, total_scan, batch = SHRINK_BATCH;
	long nr, next_deferred;

	freeable = s->count_objects(m, s, nid);
	if (freeable == 0 || freeable == SHRINK_EMPTY)
		return freeable;
	nr = s->nr_deferred;
	s->nr_deferred = 0;
	if (s->seeks) {
		delta = freeable >> priority;
		delta *= 4;
		delta /= (unsigned long)s->seeks;
	} else {
		delta = freeable / 2;
	}
	total_scan = ((unsigned long)nr >> priority) + delta;
	total_scan = MIN(total_scan, 2 * freeable);
	while (total_scan >= batch || total_scan >= freeable) {
		unsigned long nr_to_scan = MIN(batch, total_scan);
		unsigned long ret = s->scan_objects(m, s, nid, nr_to_scan);

		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		count_vm_events(m, SLABS_SCANNED, nr_to_scan);
		total_scan -= nr_to_scan;
		scanned += nr_to_scan;
	}
	next_deferred = MAX((long)(nr + (long)delta - (long)scanned), 0L);
	next_deferred = MIN(next_deferred, (long)(2 * freeable));
	s->nr_deferred += next_deferred;
	return freed;
}

unsigned long shrink_slab(struct machine *m, gfp_t gfp, int nid, int priority)
{
	unsigned long freed = 0;

	(void)gfp;
	if (!m->shrinkers)
		return 0;
	for (guint i = 0; i < m->shrinkers->len; i++) {
		unsigned long ret = do_shrink_slab(m, g_ptr_array_index(m->shrinkers, i), nid, priority);

		if (ret == SHRINK_EMPTY)
			ret = 0;
		freed += ret;
	}
	return freed;
}

void drop_slab(struct machine *m)
{
	unsigned long freed;
	int shift = 0;

	do {
		freed = 0;
		for_each_online_node(m, nid)
			freed += shrink_slab(m, GFP_KERNEL, nid, 0);
	} while ((freed >> shift++) > 1);
}

unsigned long vfs_pressure_ratio(const struct machine *m, unsigned long n)
{
	/* mult_frac(n, sysctl_vfs_cache_pressure, 100) */
	unsigned long p = (unsigned long)m->sysctl.vfs_cache_pressure;

	return (n / 100) * p + (n % 100) * p / 100;
}

void shrinkers_destroy(struct machine *m)
{
	if (m->shrinkers)
		g_ptr_array_free(m->shrinkers, TRUE);
	m->shrinkers = NULL;
}
