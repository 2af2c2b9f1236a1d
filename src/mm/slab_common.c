/*
 * mm/slab_common.c's kmalloc: the kmalloc caches and the size classes
 * that pick one, kmalloc/kmalloc_node, kfree and ksize.
 *
 * Models:
 *  - kmalloc-{8..8k} with 96 and 192, made in create_kmalloc_caches' order
 *    (96 and 192 first), each aligned to its size's largest power-of-two
 *    divisor and SLAB_NO_MERGE, as on 6.18.
 *  - Their -rcl- (__GFP_RECLAIMABLE: SLAB_RECLAIM_ACCOUNT) and -cg-
 *    (__GFP_ACCOUNT: SLAB_ACCOUNT) twins, chosen by kmalloc_type.
 *  - kmalloc_index: size_index[] up to 192 bytes in 8-byte steps, then the
 *    next power of two.
 *  - Above 8 KiB, straight from the page allocator as a compound block,
 *    counted as unreclaimable slab (___kmalloc_large_node); kfree tells
 *    the two apart by the page's slab.
 *  - ksize: the object size of the cache, or the large block's size.
 * Simplifies:
 *  - No dma-kmalloc-* caches (KMALLOC_DMA).
 *  - kmalloc(0) and sizes above KMALLOC_MAX_SIZE return 0 (NULL), not
 *    ZERO_SIZE_PTR.
 *  - The kmalloc family lives here whole; the kernel keeps
 *    __kmalloc_node, kfree and ___kmalloc_large_node in mm/slub.c.
 */
#include "mm_internal.h"
#include "mmsim/slab.h"
#include "mmsim/trace_events.h"
#include "slab_internal.h"

static const struct { const char *name; unsigned int size; } kmalloc_info[NR_KMALLOC_INDEX] = {
	{ NULL, 0 }, { "96", 96 }, { "192", 192 }, { "8", 8 }, { "16", 16 }, { "32", 32 }, { "64", 64 },
	{ "128", 128 }, { "256", 256 }, { "512", 512 }, { "1k", 1024 }, { "2k", 2048 }, { "4k", 4096 },
	{ "8k", 8192 },
};

/* size_index[]: sizes up to 192 in 8-byte steps (setup_kmalloc_cache_index_table) */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2,
};

static inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)fls_long(size - 1);
}

static inline enum kmalloc_cache_type kmalloc_type(gfp_t gfp)
{
	if (G_LIKELY(!(gfp & (__GFP_RECLAIMABLE | __GFP_ACCOUNT))))
		return KMALLOC_NORMAL;
	return (gfp & __GFP_RECLAIMABLE) ? KMALLOC_RECLAIM : KMALLOC_CGROUP;
}

struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t gfp)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	return m->slab->kmalloc[kmalloc_type(gfp)][kmalloc_index(size ? size : 1)];
}

/* ___kmalloc_large_node: a compound page block, counted as slab */
static unsigned long kmalloc_large(struct machine *m, size_t size, gfp_t gfp, int nid)
{
	unsigned int order = get_order(size);
	long pfn = __alloc_pages(m, (gfp & ~__GFP_ACCOUNT) | __GFP_COMP, order, nid, slab_cpu(m));

	if (pfn < 0)
		return 0;
	pfn_to_page(m, (unsigned long)pfn)->private = 0;
	__mod_node_page_state(m->node_data[__pfn_to_section(m, (unsigned long)pfn)->nid], NR_SLAB_UNRECLAIMABLE_B,
			      1L << order);
	m->slab->large_pages[__pfn_to_section(m, (unsigned long)pfn)->nid] += 1L << order;
	return slab_virt((unsigned long)pfn);
}

unsigned long kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid)
{
	struct kmem_cache *s;
	unsigned long p;

	if (G_UNLIKELY(!size || size > KMALLOC_MAX_CACHE_SIZE)) {
		if (!size || size > KMALLOC_MAX_SIZE)
			return 0;  /* ZERO_SIZE_PTR / too large: NULL in the model */
		p = kmalloc_large(m, size, gfp, nid);
		trace_kmalloc(m, (unsigned long)(uintptr_t)"__kmalloc_large_node_noprof", p, size, PAGE_SIZE << get_order(size), gfp, nid);
		return p;
	}
	s = m->slab->kmalloc[kmalloc_type(gfp)][kmalloc_index(size)];
	p = slab_alloc(m, s, gfp, nid);
	trace_kmalloc(m, (unsigned long)(uintptr_t)"__kmalloc_node_noprof", p, size, s->size, gfp, nid);
	return p;
}

unsigned long kmalloc(struct machine *m, size_t size, gfp_t gfp)
{
	return kmalloc_node(m, size, gfp, -1);
}

void kfree(struct machine *m, unsigned long objp)
{
	unsigned long pfn;
	struct page *page;
	struct slab *slab;

	if (!objp)
		return;
	trace_kfree(m, (unsigned long)(uintptr_t)"kfree", objp);
	pfn = virt_to_pfn(objp);
	page = pfn_to_page(m, pfn);
	/* a slab page points at its slab; a large kmalloc's page at nothing */
	slab = (struct slab *)(uintptr_t)page->private;
	if (G_LIKELY(slab)) {
		do_slab_free(m, slab->cache, slab, objp);
		return;
	}
	/* free_large_kmalloc */
	__mod_node_page_state(m->node_data[__pfn_to_section(m, pfn)->nid], NR_SLAB_UNRECLAIMABLE_B,
			      -(1L << page->order));
	m->slab->large_pages[__pfn_to_section(m, pfn)->nid] -= 1L << page->order;
	__free_pages(m, pfn, page->order, slab_cpu(m));
}

size_t ksize(struct machine *m, unsigned long objp)
{
	struct kmem_cache *s = virt_to_cache(m, objp);

	if (s)
		return s->object_size;
	return PAGE_SIZE << pfn_to_page(m, virt_to_pfn(objp))->order;
}

/* ---------------- boot ---------------- */

void create_kmalloc_caches(struct machine *m)
{
	static const char *const prefix[NR_KMALLOC_TYPES] = { "kmalloc-", "kmalloc-rcl-", "kmalloc-cg-" };
	static const unsigned int tflags[NR_KMALLOC_TYPES] = { 0, SLAB_RECLAIM_ACCOUNT, SLAB_ACCOUNT };

	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		/* 96 and 192 first, then 8 .. 8k (create_kmalloc_caches) */
		for (int i = 1; i < NR_KMALLOC_INDEX; i++) {
			g_autofree char *name = g_strconcat(prefix[type], kmalloc_info[i].name, NULL);
			unsigned int size = kmalloc_info[i].size;
			/* kmalloc caches align to the size's largest power-of-two divisor */
			unsigned int align = 1u << __builtin_ctz(size);
			struct kmem_cache *s = create_cache(m, name, size, align, tflags[type] | SLAB_NO_MERGE);

			m->slab->kmalloc[type][i] = s;
		}
	}
}
