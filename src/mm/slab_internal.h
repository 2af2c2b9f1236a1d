/*
 * What mm/slub.c, mm/vmalloc.c, mm/shrinker.c and mm/dcache.c share
 * (the counterpart of the kernel's mm/slab.h).
 */
#ifndef MMSIM_SLAB_INTERNAL_H
#define MMSIM_SLAB_INTERNAL_H

#include <stdint.h>

#include "mmsim/slab.h"

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

void slab_cache_descriptors(struct machine *m, struct kmem_cache *s);
void slab_cache_descriptors_free(struct machine *m, struct kmem_cache *s);
char *vmalloc_check_invariants(struct machine *m);
void vmalloc_destroy(struct machine *m);
void dcache_destroy(struct machine *m);
void shrinkers_destroy(struct machine *m);

#endif
