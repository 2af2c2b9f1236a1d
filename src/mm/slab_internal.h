/*
 * What mm/slub.c, mm/vmalloc.c, mm/shrinker.c and mm/dcache.c share
 * (the counterpart of the kernel's mm/slab.h).
 */
#ifndef MMSIM_SLAB_INTERNAL_H
#define MMSIM_SLAB_INTERNAL_H

#include <stdint.h>

#include "mmsim/slab.h"
#include "mmsim/log2.h"

/* Where a slab is (the kernel tells these apart by frozen, the
 * PG_workingset-based node-partial bit, and being on no list) */
enum slab_where {
	SLAB_CPU,          /* a CPU's slab (frozen) */
	SLAB_CPU_PARTIAL,  /* on a CPU's partial list */
	SLAB_NODE_PARTIAL, /* on its node's partial list */
	SLAB_FULL,         /* no free object: on no list */
};

/* struct slab (mm/slab.h): the pages of one slab and its free objects */
struct slab {
	struct kmem_cache *cache;
	struct slab *next, *prev;    /* partial list links */
	unsigned long pfn;
	unsigned long base;          /* virtual address of object 0 */
	uint16_t objects, nfree;
	uint16_t slabs;              /* head of a cpu partial list: slabs on it */
	uint8_t order;
	uint8_t state;               /* enum slab_where */
	int nid;
	uint16_t free[];             /* stack of free object indices */
};

struct slab_state {
	GPtrArray *caches;           /* slab_caches, creation order */
	GHashTable *by_name;         /* name or alias -> struct kmem_cache * */
	struct kmem_cache *kmalloc[NR_KMALLOC_TYPES][NR_KMALLOC_INDEX];
	struct kmem_cache *model[NR_MODEL_CACHES];
	struct kmem_cache *kmem_cache, *kmem_cache_node;
	bool booted;                 /* kmem_cache_init done: new caches get descriptors */
	long large_pages[MAX_NUMNODES]; /* kmalloc_large pages, in NR_SLAB_UNRECLAIMABLE_B */
};


/* The CPU an allocation runs on: the current task's, or the boot CPU */
static inline int slab_cpu(struct machine *m)
{
	return m->current ? m->current->cpu : 0;
}

/* mm/slub.c: a new cache (no merging); the slow paths of the two below */
struct kmem_cache *create_cache(struct machine *m, const char *name, unsigned int size, unsigned int align,
				unsigned int flags);
struct slab *___slab_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid, int cpu);
void __slab_free(struct machine *m, struct kmem_cache *s, struct slab *slab, bool was_full);

/* slab_alloc_node's fast path: the cpu slab's next free object (nid -1:
 * any node); 0 when no slab can be had */
static inline unsigned long slab_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid)
{
	int cpu = slab_cpu(m);
	struct slab *slab = s->cpu_slab[cpu].slab;

	if (G_UNLIKELY(!slab || !slab->nfree || (nid >= 0 && slab->nid != nid))) {
		slab = ___slab_alloc(m, s, gfp, nid, cpu);
		if (!slab)
			return 0;
	}
	return slab->base + (unsigned long)slab->free[--slab->nfree] * s->size;
}

static inline unsigned int obj_to_index(const struct kmem_cache *s, const struct slab *slab, unsigned long obj)
{
	return (unsigned int)(((unsigned __int128)(obj - slab->base) * s->reciprocal_size) >> 64);
}

/* do_slab_free: the object goes back on its slab; a slab that is not a
 * cpu slab may move lists (__slab_free) */
static inline void do_slab_free(struct machine *m, struct kmem_cache *s, struct slab *slab, unsigned long obj)
{
	bool was_full = slab->nfree == 0;

	slab->free[slab->nfree++] = (uint16_t)obj_to_index(s, slab, obj);
	if (G_UNLIKELY(slab->state != SLAB_CPU))
		__slab_free(m, s, slab, was_full);
}

/* mm/slab_common.c: kmalloc-{8..8k}, 96, 192 and their -rcl-, -cg- twins */
void create_kmalloc_caches(struct machine *m);
void slab_cache_descriptors(struct machine *m, struct kmem_cache *s);
void slab_cache_descriptors_free(struct machine *m, struct kmem_cache *s);
char *vmalloc_check_invariants(struct machine *m);
void vmalloc_destroy(struct machine *m);
void dcache_destroy(struct machine *m);
void shrinkers_destroy(struct machine *m);

#endif
