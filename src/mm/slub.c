/*
 * mm/slub.c and the cache side of mm/slab_common.c: the SLUB allocator
 * (kmalloc is in slab_common.c).
 *
 * Models:
 *  - kmem_cache: object size, alignment (calculate_alignment), the free
 *    pointer outside the object for caches with a constructor or RCU
 *    without freeptr_offset.
 *  - Slab order and objects per slab by calculate_order/calc_slab_order,
 *    with slub_min_objects = 4 * (fls(nr_cpus) + 1), and the fallback
 *    order s->min when the preferred one fails.
 *  - min_partial (ilog2(size) / 2 in 5..10) and cpu_partial /
 *    cpu_partial_slabs (set_cpu_partial).
 *  - Slabs from the buddy allocator, counted in NR_SLAB_RECLAIMABLE_B /
 *    NR_SLAB_UNRECLAIMABLE_B (in pages, as this code base keeps them).
 *  - A per-CPU slab and per-CPU partial list, per-node partial lists,
 *    full slabs on no list.
 *  - ___slab_alloc's order: cpu slab, cpu partial, node partial (moving up
 *    to cpu_partial_slabs / 2 more to the cpu partial list), a new slab.
 *  - __slab_free's: a full slab's first free puts it on the cpu partial
 *    list, draining that list to the node when it holds cpu_partial_slabs;
 *    an empty node-partial slab is discarded once the node has min_partial.
 *  - deactivate_slab, kmem_cache_shrink.
 *  - Cache merging (find_mergeable, aliases) and the sysfs names of merged
 *    caches (create_unique_id).
 *  - The named caches the kernel creates at boot, with the sizes of the
 *    reference kernel.
 * Simplifies:
 *  - One free-object stack per slab stands for the cpu freelist and the
 *    slab freelist (their union is what the counters see).
 *  - No debugging, red zones, freelist randomisation, memcg objcg vectors
 *    or sheaves (6.18's opt-in per-cpu object arrays).
 *  - No get_any_partial remote node search: an allocation without a node
 *    uses its CPU's node.
 *  - Objects are not backed by bytes, only by addresses.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mmsim/log2.h"
#include "mm_internal_proc.h"
#include "mmsim/slab.h"
#include "mmsim/trace_events.h"
#include "slab_internal.h"

#define MAX_OBJS_PER_PAGE 32767
#define PAGE_ALLOC_COSTLY_ORDER 3
#define SLUB_MAX_ORDER PAGE_ALLOC_COSTLY_ORDER
#define MIN_PARTIAL 5
#define MAX_PARTIAL 10
#define CACHE_LINE_SIZE 64
#define ARCH_SLAB_MINALIGN 8



static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}

unsigned int slub_min_objects(const struct machine *m)
{
	return 4 * (unsigned int)(fls_long((unsigned long)m->nr_cpus) + 1);
}

/* calc_slab_order: the smallest order from min_order whose leftover is at
 * most 1/fract_leftover of the slab */
static unsigned int calc_slab_order(unsigned int size, unsigned int min_order, unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned int slab_size = (unsigned int)PAGE_SIZE << order;
		unsigned int rem = slab_size % size;

		if (rem <= slab_size / fract_leftover)
			break;
	}
	return order;
}

unsigned int calculate_order(const struct machine *m, unsigned int size)
{
	unsigned int min_objects = slub_min_objects(m), max_objects, min_order, order;

	max_objects = MAX(order_objects(SLUB_MAX_ORDER, size), 1U);
	min_objects = MIN(min_objects, max_objects);
	min_order = get_order((unsigned long)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return get_order((unsigned long)size * MAX_OBJS_PER_PAGE) - 1;
	for (unsigned int fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(size, min_order, SLUB_MAX_ORDER, fraction);
		if (order <= SLUB_MAX_ORDER)
			return order;
	}
	return get_order(size);  /* fits MAX_PAGE_ORDER: sizes are capped at 4 MiB */
}

unsigned int calculate_alignment(unsigned int flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE_SIZE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = MAX(align, ralign);
	}
	align = MAX(align, (unsigned int)ARCH_SLAB_MINALIGN);
	return ALIGN_UP(align, (unsigned int)sizeof(void *));
}

unsigned long slub_min_partial(unsigned int size)
{
	unsigned long min = (unsigned long)ilog2(size) / 2;

	return CLAMP(min, (unsigned long)MIN_PARTIAL, (unsigned long)MAX_PARTIAL);
}

/* set_cpu_partial */
static void set_cpu_partial(struct kmem_cache *s)
{
	unsigned int nr_objects;

	if (s->size >= PAGE_SIZE)
		nr_objects = 6;
	else if (s->size >= 1024)
		nr_objects = 24;
	else if (s->size >= 256)
		nr_objects = 52;
	else
		nr_objects = 120;
	s->cpu_partial = nr_objects;
	s->cpu_partial_slabs = (nr_objects * 2 + s->objects - 1) / s->objects;
}

/* calculate_sizes: where the free pointer goes, the object's stride, and
 * the slab layout */
static void calculate_sizes(struct machine *m, struct kmem_cache *s)
{
	unsigned int size = ALIGN_UP(s->object_size, (unsigned int)sizeof(void *));

	s->inuse = size;
	if (s->flags & (SLAB_MODEL_CTOR | SLAB_MODEL_FREEPTR_OUT))
		size += sizeof(void *);
	size = ALIGN_UP(size, s->align);
	s->size = size;
	s->order = calculate_order(m, size);
	s->objects = order_objects(s->order, size);
	s->min_order = get_order(size);
	s->min_objects = order_objects(s->min_order, size);
	s->reciprocal_size = UINT64_MAX / size + 1;
	if (s->objects > MAX_OBJS_PER_PAGE)
		s->objects = MAX_OBJS_PER_PAGE;
}

/* ---------------- the state over the machine ---------------- */

GPtrArray *slab_caches(struct machine *m)
{
	GPtrArray *a = g_ptr_array_sized_new(m->slab->caches->len);

	for (guint i = m->slab->caches->len; i-- > 0;)
		g_ptr_array_add(a, g_ptr_array_index(m->slab->caches, i));
	return a;
}

struct kmem_cache *kmem_cache_find(struct machine *m, const char *name)
{
	return m->slab ? g_hash_table_lookup(m->slab->by_name, name) : NULL;
}

struct kmem_cache *model_cache(struct machine *m, enum model_cache c)
{
	return m->slab ? m->slab->model[c] : NULL;
}

/* ---------------- slabs and the page allocator ---------------- */

static inline struct kmem_cache_node *get_node(struct kmem_cache *s, int nid) { return &s->node[nid]; }

static void add_partial(struct kmem_cache_node *n, struct slab *slab, bool tail)
{
	slab->state = SLAB_NODE_PARTIAL;
	if (tail) {
		slab->prev = n->partial_tail;
		slab->next = NULL;
		if (n->partial_tail)
			n->partial_tail->next = slab;
		else
			n->partial_head = slab;
		n->partial_tail = slab;
	} else {
		slab->next = n->partial_head;
		slab->prev = NULL;
		if (n->partial_head)
			n->partial_head->prev = slab;
		else
			n->partial_tail = slab;
		n->partial_head = slab;
	}
	n->nr_partial++;
}

static void remove_partial(struct kmem_cache_node *n, struct slab *slab)
{
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		n->partial_head = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	else
		n->partial_tail = slab->prev;
	slab->next = slab->prev = NULL;
	n->nr_partial--;
}

static void account_slab(struct machine *m, struct kmem_cache *s, struct slab *slab, int sign)
{
	long pages = (long)(1L << slab->order) * sign;

	__mod_node_page_state(m->node_data[slab->nid],
			      (s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B,
			      pages);
}

/* allocate_slab: the preferred order, then s->min when that fails */
static struct slab *new_slab(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid, int cpu)
{
	gfp_t alloc_gfp = (gfp & ~(__GFP_ZERO | __GFP_ACCOUNT | __GFP_RECLAIMABLE | __GFP_MOVABLE)) | __GFP_COMP;
	unsigned int order = s->order, objects = s->objects;
	struct slab *slab;
	struct page *page;
	long pfn;

	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		alloc_gfp |= __GFP_RECLAIMABLE;
	if (s->flags & SLAB_CACHE_DMA)
		alloc_gfp |= __GFP_DMA;
	pfn = __alloc_pages(m, order > s->min_order ? alloc_gfp | __GFP_NOWARN : alloc_gfp, order, nid, cpu);
	if (pfn < 0 && order > s->min_order) {
		order = s->min_order;
		objects = s->min_objects;
		pfn = __alloc_pages(m, alloc_gfp, order, nid, cpu);
	}
	if (pfn < 0)
		return NULL;
	slab = g_malloc(sizeof(*slab) + objects * sizeof(uint16_t));
	slab->cache = s;
	slab->next = slab->prev = NULL;
	slab->pfn = (unsigned long)pfn;
	slab->base = slab_virt((unsigned long)pfn);
	slab->order = (uint8_t)order;
	slab->objects = (uint16_t)objects;
	slab->nfree = (uint16_t)objects;
	slab->slabs = 0;
	slab->state = SLAB_CPU;
	slab->nid = __pfn_to_section(m, (unsigned long)pfn)->nid;
	/* the freelist in address order: the first pop is object 0 */
	for (unsigned int i = 0; i < objects; i++)
		slab->free[i] = (uint16_t)(objects - 1 - i);
	page = pfn_to_page(m, (unsigned long)pfn);
	page_set(page, PG_slab);
	for (unsigned long i = 0; i < (1UL << order); i++)
		page[i].private = (uint64_t)(uintptr_t)slab;
	account_slab(m, s, slab, 1);
	get_node(s, slab->nid)->nr_slabs++;
	get_node(s, slab->nid)->total_objects += objects;
	return slab;
}

/* discard_slab: every object free; the pages go back to the buddy allocator */
static void discard_slab(struct machine *m, struct kmem_cache *s, struct slab *slab)
{
	struct page *page = pfn_to_page(m, slab->pfn);
	struct kmem_cache_node *n = get_node(s, slab->nid);

	g_assert(slab->nfree == slab->objects);
	n->nr_slabs--;
	n->total_objects -= slab->objects;
	account_slab(m, s, slab, -1);
	page_clear(page, PG_slab);
	for (unsigned long i = 0; i < (1UL << slab->order); i++)
		page[i].private = 0;
	__free_pages(m, slab->pfn, slab->order, slab_cpu(m));
	g_free(slab);
}

/* deactivate_slab: a cpu slab leaves its CPU */
static void deactivate_slab(struct machine *m, struct kmem_cache *s, struct slab *slab)
{
	struct kmem_cache_node *n = get_node(s, slab->nid);

	if (slab->nfree == slab->objects && n->nr_partial >= s->min_partial)
		discard_slab(m, s, slab);
	else if (slab->nfree)
		add_partial(n, slab, true);
	else
		slab->state = SLAB_FULL;
}

/* __put_partials: a cpu partial list goes to the nodes; empty slabs beyond
 * min_partial are discarded */
static void put_partials(struct machine *m, struct kmem_cache *s, struct slab *list)
{
	while (list) {
		struct slab *slab = list;
		struct kmem_cache_node *n = get_node(s, slab->nid);

		list = slab->next;
		if (slab->nfree == slab->objects && n->nr_partial >= s->min_partial) {
			discard_slab(m, s, slab);
		} else {
			add_partial(n, slab, true);
		}
	}
}

/* put_cpu_partial: push a slab; with drain, a full list goes first */
static void put_cpu_partial(struct machine *m, struct kmem_cache *s, struct slab *slab, int cpu, bool drain)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	struct slab *old = c->partial, *to_put = NULL;
	unsigned int slabs = 0;

	if (old) {
		if (drain && old->slabs >= s->cpu_partial_slabs) {
			to_put = old;
			old = NULL;
		} else {
			slabs = old->slabs;
		}
	}
	slab->slabs = (uint16_t)(slabs + 1);
	slab->next = old;
	slab->prev = NULL;
	slab->state = SLAB_CPU_PARTIAL;
	c->partial = slab;
	if (to_put)
		put_partials(m, s, to_put);
}

/* get_partial_node: the first partial slab becomes the cpu slab, more go
 * to the cpu partial list (up to cpu_partial_slabs / 2) */
static struct slab *get_partial_node(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n, int cpu)
{
	struct slab *partial = NULL;
	unsigned int partial_slabs = 0;

	while (n->partial_head) {
		struct slab *slab = n->partial_head;

		remove_partial(n, slab);
		if (!partial) {
			partial = slab;
			if (!s->cpu_partial)
				break;
		} else {
			put_cpu_partial(m, s, slab, cpu, false);
			if (++partial_slabs > s->cpu_partial_slabs / 2)
				break;
		}
	}
	return partial;
}

/* ___slab_alloc: the slow path */
struct slab *___slab_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid, int cpu)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	int node = nid < 0 ? cpu_to_node(m, cpu) : nid;
	struct slab *slab = c->slab;

	if (slab) {
		c->slab = NULL;
		deactivate_slab(m, s, slab);
	}
	/* the cpu partial list */
	while (c->partial) {
		slab = c->partial;
		c->partial = slab->next;
		slab->next = NULL;
		if (nid < 0 || slab->nid == nid)
			goto found;
		put_partials(m, s, slab);  /* node mismatch: to its node */
	}
	slab = get_partial_node(m, s, get_node(s, node), cpu);
	if (slab)
		goto found;
	slab = new_slab(m, s, gfp, nid, cpu);
	if (!slab)
		return NULL;
found:
	slab->state = SLAB_CPU;
	c->slab = slab;
	return slab;
}

unsigned long kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc_node(m, s, gfp, -1);
}

unsigned long kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid)
{
	unsigned long p = slab_alloc(m, s, gfp, nid);

	trace_kmem_cache_alloc(m, (unsigned long)(uintptr_t)"kmem_cache_alloc_node_noprof", p, s->object_size, s->size, gfp, nid, gfp & __GFP_ACCOUNT);
	return p;
}

/* __slab_free after the free object is back on its slab */
void __slab_free(struct machine *m, struct kmem_cache *s, struct slab *slab, bool was_full)
{
	struct kmem_cache_node *n = get_node(s, slab->nid);

	switch (slab->state) {
	case SLAB_CPU:
	case SLAB_CPU_PARTIAL:
		return;
	case SLAB_FULL:
		g_assert(was_full);
		put_cpu_partial(m, s, slab, slab_cpu(m), true);
		return;
	case SLAB_NODE_PARTIAL:
		if (slab->nfree == slab->objects && n->nr_partial >= s->min_partial) {
			remove_partial(n, slab);
			discard_slab(m, s, slab);
		}
		return;
	}
}

static inline struct slab *virt_to_slab(struct machine *m, unsigned long obj)
{
	struct page *page = pfn_to_page(m, virt_to_pfn(obj));

	return (struct slab *)(uintptr_t)page->private;
}

void kmem_cache_free(struct machine *m, struct kmem_cache *s, unsigned long objp)
{
	struct slab *slab;

	if (!objp)
		return;
	slab = virt_to_slab(m, objp);
	g_assert(slab && slab->cache == s);
	trace_kmem_cache_free(m, (unsigned long)(uintptr_t)"kmem_cache_free", objp, s->name);
	do_slab_free(m, s, slab, objp);
}

struct kmem_cache *virt_to_cache(struct machine *m, unsigned long objp)
{
	unsigned long pfn;
	struct page *page;
	struct slab *slab;

	if (objp < PAGE_OFFSET || objp >= PAGE_OFFSET + (m->max_pfn << PAGE_SHIFT))
		return NULL;
	pfn = virt_to_pfn(objp);
	if (!pfn_valid(m, pfn) || !(page = pfn_to_page_noalloc(m, pfn)))
		return NULL;
	slab = (struct slab *)(uintptr_t)page->private;
	if (!slab || page_test(page, PG_anon) || !page_test(pfn_to_page(m, slab->pfn), PG_slab))
		return NULL;
	return slab->cache;
}

/* ---------------- caches ---------------- */

struct kmem_cache *create_cache(struct machine *m, const char *name, unsigned int size, unsigned int align,
				 unsigned int flags)
{
	struct kmem_cache *s = g_new0(struct kmem_cache, 1);

	s->name = g_strdup(name);
	s->object_size = size;
	s->flags = flags;
	s->align = calculate_alignment(flags, align, size);
	calculate_sizes(m, s);
	s->min_partial = slub_min_partial(s->size);
	set_cpu_partial(s);
	s->refcount = 1;
	s->cpu_slab = g_new0(struct kmem_cache_cpu, (gsize)m->nr_cpus);
	s->aliases = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(m->slab->caches, s);
	g_hash_table_insert(m->slab->by_name, s->name, s);
	return s;
}

#define SLAB_NEVER_MERGE (SLAB_TYPESAFE_BY_RCU | SLAB_NO_MERGE | SLAB_MODEL_CTOR | SLAB_MODEL_USERCOPY)
#define SLAB_MERGE_SAME (SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_ACCOUNT)

static bool slab_unmergeable(const struct kmem_cache *s)
{
	return (s->flags & SLAB_NEVER_MERGE) || s->refcount < 0;
}

/* find_mergeable: the newest cache an object of this size and flags fits */
static struct kmem_cache *find_mergeable(struct machine *m, unsigned int size, unsigned int align,
					 unsigned int flags)
{
	if (flags & SLAB_NEVER_MERGE)
		return NULL;
	size = ALIGN_UP(size, (unsigned int)sizeof(void *));
	align = calculate_alignment(flags, align, size);
	size = ALIGN_UP(size, align);
	for (guint i = m->slab->caches->len; i-- > 0;) {
		struct kmem_cache *s = g_ptr_array_index(m->slab->caches, i);

		if (slab_unmergeable(s))
			continue;
		if (size > s->size)
			continue;
		if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME))
			continue;
		if ((s->size & ~(align - 1)) != s->size)
			continue;
		if (s->size - size >= sizeof(void *))
			continue;
		return s;
	}
	return NULL;
}

struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, unsigned int size, unsigned int align,
				     unsigned int flags)
{
	struct kmem_cache *s;

	if (!name || !*name || !size || size > KMALLOC_MAX_SIZE || (align & (align - 1)) ||
	    g_hash_table_contains(m->slab->by_name, name))
		return NULL;
	s = find_mergeable(m, size, align, flags);
	if (s) {
		/* __kmem_cache_alias */
		s->refcount++;
		s->object_size = MAX(s->object_size, size);
		s->inuse = MAX(s->inuse, ALIGN_UP(size, (unsigned int)sizeof(void *)));
		g_ptr_array_add(s->aliases, g_strdup(name));
		g_hash_table_insert(m->slab->by_name, g_ptr_array_index(s->aliases, s->aliases->len - 1), s);
		return s;
	}
	s = create_cache(m, name, size, align, flags);
	if (m->slab->booted && !m->cfg.bare)
		slab_cache_descriptors(m, s);
	return s;
}

/* flush_cpu_slab on every CPU */
static void flush_all(struct machine *m, struct kmem_cache *s)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		struct slab *slab = c->slab, *partial = c->partial;

		c->slab = NULL;
		c->partial = NULL;
		if (slab)
			deactivate_slab(m, s, slab);
		if (partial)
			put_partials(m, s, partial);
	}
}

void kmem_cache_shrink(struct machine *m, struct kmem_cache *s)
{
	flush_all(m, s);
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = get_node(s, nid);
		struct slab *slab = n->partial_head;

		/* __kmem_cache_do_shrink: empty slabs go, the rest are kept
		 * fullest first */
		while (slab) {
			struct slab *next = slab->next;

			if (slab->nfree == slab->objects) {
				remove_partial(n, slab);
				discard_slab(m, s, slab);
			}
			slab = next;
		}
	}
}

static unsigned long cache_nr_objects(struct machine *m, struct kmem_cache *s)
{
	unsigned long total = 0, free = 0;

	for_each_online_node(m, nid) {
		total += s->node[nid].total_objects;
		for (struct slab *slab = s->node[nid].partial_head; slab; slab = slab->next)
			free += slab->nfree;
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (s->cpu_slab[cpu].slab)
			free += s->cpu_slab[cpu].slab->nfree;
		for (struct slab *slab = s->cpu_slab[cpu].partial; slab; slab = slab->next)
			free += slab->nfree;
	}
	return total - free;
}

static void free_cache(struct machine *m, struct kmem_cache *s)
{
	slab_cache_descriptors_free(m, s);
	g_ptr_array_remove(m->slab->caches, s);
	g_hash_table_remove(m->slab->by_name, s->name);
	g_free(s->cpu_slab);
	g_ptr_array_free(s->aliases, TRUE);
	g_free(s->name);
	g_free(s);
}

int kmem_cache_destroy(struct machine *m, struct kmem_cache *s, const char *name)
{
	bool alias = strcmp(name, s->name) != 0;

	/* the last reference goes only when no object is left */
	if (s->refcount == 1 && cache_nr_objects(m, s))
		return -EBUSY;
	if (alias) {
		for (guint i = 0; i < s->aliases->len; i++)
			if (!strcmp(g_ptr_array_index(s->aliases, i), name)) {
				g_hash_table_remove(m->slab->by_name, name);
				g_ptr_array_remove_index(s->aliases, i);
				break;
			}
	}
	/* while other names use it, the cache lives on under its first name */
	if (--s->refcount > 0)
		return 0;
	kmem_cache_shrink(m, s);
	free_cache(m, s);
	return 0;
}

/* ---------------- what slabinfo and sysfs show ---------------- */

void get_slabinfo_node(const struct machine *m, const struct kmem_cache *s, int nid, struct slabinfo *si)
{
	const struct kmem_cache_node *n = &s->node[nid];
	unsigned long free = 0;

	memset(si, 0, sizeof(*si));
	for (const struct slab *slab = n->partial_head; slab; slab = slab->next) {
		free += slab->nfree;
		si->partial_objs += slab->objects - slab->nfree;
	}
	si->partial_slabs = n->nr_partial;
	si->num_slabs = si->active_slabs = n->nr_slabs;
	si->num_objs = n->total_objects;
	si->active_objs = n->total_objects - free;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		if (c->slab && c->slab->nid == nid)
			si->cpu_slabs++;
		if (c->partial && cpu_to_node(m, cpu) == nid) {
			si->cpu_slabs += c->partial->slabs;
			si->cpu_partial_slabs_now += c->partial->slabs;
		}
	}
}

bool kmem_cache_mergeable(const struct kmem_cache *s)
{
	return !slab_unmergeable(s);
}

/* create_unique_id */
void slab_sysfs_dirname(const struct kmem_cache *s, char *buf, size_t len)
{
	char flags[8];
	int n = 0;

	if (!kmem_cache_mergeable(s)) {
		g_strlcpy(buf, s->name, len);
		return;
	}
	if (s->flags & SLAB_CACHE_DMA)
		flags[n++] = 'd';
	if (s->flags & SLAB_CACHE_DMA32)
		flags[n++] = 'D';
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		flags[n++] = 'a';
	if (s->flags & SLAB_ACCOUNT)
		flags[n++] = 'A';
	if (n)
		flags[n++] = '-';
	flags[n] = '\0';
	g_snprintf(buf, len, ":%s%07u", flags, s->size);
}

struct kmem_cache *slab_sysfs_find(struct machine *m, const char *name, bool *is_link)
{
	struct kmem_cache *s;
	char dir[48];

	*is_link = false;
	if (!m->slab)
		return NULL;
	if (name[0] == ':') {
		for (guint i = 0; i < m->slab->caches->len; i++) {
			s = g_ptr_array_index(m->slab->caches, i);
			slab_sysfs_dirname(s, dir, sizeof(dir));
			if (kmem_cache_mergeable(s) && !strcmp(dir, name))
				return s;
		}
		return NULL;
	}
	s = kmem_cache_find(m, name);
	if (s)
		*is_link = kmem_cache_mergeable(s);
	return s;
}

unsigned int slab_cpu_partial_slabs(const struct kmem_cache *s, int cpu)
{
	return s->cpu_slab[cpu].partial ? s->cpu_slab[cpu].partial->slabs : 0;
}

void get_slabinfo(const struct machine *m, const struct kmem_cache *s, struct slabinfo *si)
{
	struct slabinfo n;

	memset(si, 0, sizeof(*si));
	for (int nid = 0; nid < m->nr_nodes; nid++) {
		get_slabinfo_node(m, s, nid, &n);
		si->active_objs += n.active_objs;
		si->num_objs += n.num_objs;
		si->active_slabs += n.active_slabs;
		si->num_slabs += n.num_slabs;
		si->partial_slabs += n.partial_slabs;
		si->partial_objs += n.partial_objs;
		si->cpu_slabs += n.cpu_slabs;
		si->cpu_partial_slabs_now += n.cpu_partial_slabs_now;
	}
}

/* ---------------- boot ---------------- */

/* The caches the reference kernel creates at boot that the model uses or
 * shows, in creation order, with its sizes and flags (this host's
 * /sys/kernel/slab/{object_size,align,ctor,destroy_by_rcu}) */
static const struct boot_cache {
	int id;                /* enum model_cache, or -1 */
	const char *name;
	unsigned int size, align, flags;
} boot_caches[] = {
	{ MC_VMAP_AREA, "vmap_area", 72, 0, SLAB_PANIC },
	/* 6.18 gives maple_node per-CPU sheaves, which make a cache unmergeable */
	{ MC_MAPLE_NODE, "maple_node", 256, 256, SLAB_PANIC | SLAB_NO_MERGE },
	{ MC_RADIX_TREE_NODE, "radix_tree_node", 576, 0, SLAB_PANIC | SLAB_RECLAIM_ACCOUNT | SLAB_MODEL_CTOR },
	{ MC_ANON_VMA, "anon_vma", 96, 0, SLAB_PANIC | SLAB_ACCOUNT | SLAB_TYPESAFE_BY_RCU | SLAB_MODEL_CTOR },
	{ MC_ANON_VMA_CHAIN, "anon_vma_chain", 64, 0, SLAB_PANIC | SLAB_ACCOUNT },
	{ MC_PID, "pid", 184, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT },
	{ MC_TASK_STRUCT, "task_struct", 5824, 64, SLAB_PANIC | SLAB_ACCOUNT | SLAB_MODEL_USERCOPY },
	{ MC_SIGHAND_CACHE, "sighand_cache", 2080, 0,
	  SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT | SLAB_MODEL_CTOR },
	{ MC_SIGNAL_CACHE, "signal_cache", 1152, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT },
	{ MC_FILES_CACHE, "files_cache", 704, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT },
	{ MC_FS_CACHE, "fs_cache", 64, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT },
	{ MC_MM_STRUCT, "mm_struct", 1568, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT | SLAB_MODEL_USERCOPY },
	{ MC_VM_AREA_STRUCT, "vm_area_struct", 192, 0,
	  SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT },
	{ -1, "names_cache", 4096, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_MODEL_USERCOPY },
	{ MC_DENTRY, "dentry", 192, 0, SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_ACCOUNT | SLAB_MODEL_USERCOPY },
	{ MC_INODE_CACHE, "inode_cache", 616, 0, SLAB_PANIC | SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT | SLAB_MODEL_CTOR },
	{ MC_FILP, "filp", 184, 0, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT },
	{ MC_BUFFER_HEAD, "buffer_head", 104, 0, SLAB_PANIC | SLAB_RECLAIM_ACCOUNT },
};

void kmem_cache_init(struct machine *m)
{
	struct kmem_cache *s;

	m->slab = g_new0(struct slab_state, 1);
	m->slab->caches = g_ptr_array_new();
	m->slab->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	/* create_boot_cache: kmem_cache and kmem_cache_node, never merged;
	 * bootstrap() lists kmem_cache first */
	s = create_cache(m, "kmem_cache", 232, 0, SLAB_HWCACHE_ALIGN);
	s->refcount = -1;
	m->slab->kmem_cache = s;
	s = create_cache(m, "kmem_cache_node", 72, 0, SLAB_HWCACHE_ALIGN);
	s->refcount = -1;
	m->slab->kmem_cache_node = s;
	create_kmalloc_caches(m);
	for (size_t i = 0; i < G_N_ELEMENTS(boot_caches); i++) {
		const struct boot_cache *b = &boot_caches[i];

		s = kmem_cache_create(m, b->name, b->size, b->align, b->flags);
		g_assert(s);
		if (b->id >= 0)
			m->slab->model[b->id] = s;
	}
	/* the cache descriptors themselves: one kmem_cache object per cache
	 * and one kmem_cache_node per cache and node (bootstrap); a bare
	 * machine (unit tests) starts with every slab empty */
	for (guint i = 0; !m->cfg.bare && i < m->slab->caches->len; i++) {
		s = g_ptr_array_index(m->slab->caches, i);
		s->self_obj = kmem_cache_alloc(m, m->slab->kmem_cache, GFP_KERNEL);
		for_each_online_node(m, nid)
			s->node_obj[nid] = kmem_cache_alloc_node(m, m->slab->kmem_cache_node, GFP_KERNEL, nid);
	}
	m->slab->booted = true;
}

/* A cache made after boot gets its descriptors too */
void slab_cache_descriptors(struct machine *m, struct kmem_cache *s)
{
	s->self_obj = kmem_cache_alloc(m, m->slab->kmem_cache, GFP_KERNEL);
	for_each_online_node(m, nid)
		s->node_obj[nid] = kmem_cache_alloc_node(m, m->slab->kmem_cache_node, GFP_KERNEL, nid);
}

void slab_cache_descriptors_free(struct machine *m, struct kmem_cache *s)
{
	if (!s->self_obj)
		return;
	kmem_cache_free(m, m->slab->kmem_cache, s->self_obj);
	for_each_online_node(m, nid)
		kmem_cache_free(m, m->slab->kmem_cache_node, s->node_obj[nid]);
	s->self_obj = 0;
}

/* machine_destroy: the pages go with the machine; only the model's own
 * memory is freed here */
void slab_destroy_all(struct machine *m)
{
	if (!m->slab)
		return;
	/* every slab has a head page with PG_slab: find them all through the
	 * mem_map (full slabs are on no list) */
	for (unsigned long sec = 0; sec < m->nr_sections; sec++) {
		struct page *map = m->sections[sec].mem_map;

		if (!map)
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i++)
			if (page_test(&map[i], PG_slab)) {
				struct slab *sl = (struct slab *)(uintptr_t)map[i].private;

				g_free(sl);
			}
	}
	for (guint i = 0; i < m->slab->caches->len; i++) {
		struct kmem_cache *s = g_ptr_array_index(m->slab->caches, i);

		g_free(s->cpu_slab);
		g_ptr_array_free(s->aliases, TRUE);
		g_free(s->name);
		g_free(s);
	}
	g_ptr_array_free(m->slab->caches, TRUE);
	g_hash_table_destroy(m->slab->by_name);
	g_free(m->slab);
	m->slab = NULL;
}
