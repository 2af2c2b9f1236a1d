/*
 * The kernel's own allocators (include/linux/slab.h, slub_def.h,
 * vmalloc.h, shrinker.h): SLUB caches with per-CPU slabs and per-node
 * partial lists, the kmalloc caches, vmalloc/vrealloc/kvmalloc over the
 * vmalloc address range, shrinkers, and a small dcache/icache.
 *
 * Objects are named by kernel virtual addresses, as the kernel's pointers
 * are: a slab object lives in the direct map (PAGE_OFFSET + pfn * 4096 +
 * offset), so kfree finds its slab through virt_to_page; a vmalloc area
 * lives in [VMALLOC_START, VMALLOC_END).  0 is the NULL pointer.
 */
#ifndef MMSIM_SLAB_H
#define MMSIM_SLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

/* kmem_cache_create flags (include/linux/slab.h) */
#define SLAB_HWCACHE_ALIGN 0x00002000U
#define SLAB_CACHE_DMA 0x00004000U
#define SLAB_CACHE_DMA32 0x00008000U
#define SLAB_RECLAIM_ACCOUNT 0x00020000U
#define SLAB_PANIC 0x00040000U
#define SLAB_TYPESAFE_BY_RCU 0x00080000U
#define SLAB_NO_MERGE 0x01000000U
#define SLAB_ACCOUNT 0x04000000U
/* model-only flags, outside the kernel's flag space in use here */
#define SLAB_MODEL_CTOR 0x80000000U    /* the cache has a constructor: never merged,
					  free pointer outside the object */
#define SLAB_MODEL_FREEPTR_OUT 0x40000000U /* RCU cache without freeptr_offset */
#define SLAB_MODEL_USERCOPY 0x20000000U /* kmem_cache_create_usercopy: never merged */

#ifndef __GFP_ACCOUNT
#define __GFP_ACCOUNT 0x400000u
#endif
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)

#define PAGE_OFFSET 0xffff888000000000UL      /* x86-64 direct map, 4-level */
#define VMALLOC_START 0xffffc90000000000UL
#define VMALLOC_SIZE (32UL << 40)              /* VMALLOC_SIZE_TB = 32 */
#define VMALLOC_END (VMALLOC_START + VMALLOC_SIZE - 1)

#define KMALLOC_MIN_SIZE 8
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)    /* kmalloc-8k is the largest cache */
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE (1UL << (MAX_PAGE_ORDER + PAGE_SHIFT))  /* 4 MiB */
#define NR_KMALLOC_INDEX 14                    /* 0 unused, 1 = 96, 2 = 192, 3..13 = 8..8k */
enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_RECLAIM, KMALLOC_CGROUP, NR_KMALLOC_TYPES };

static inline unsigned long slab_virt(unsigned long pfn) { return PAGE_OFFSET + (pfn << PAGE_SHIFT); }
static inline unsigned long virt_to_pfn(unsigned long addr) { return (addr - PAGE_OFFSET) >> PAGE_SHIFT; }

struct kmem_cache;
struct slab;

/* A node's view of a cache (mm/slub.c struct kmem_cache_node) */
struct kmem_cache_node {
	struct slab *partial_head, *partial_tail;  /* node partial list */
	unsigned long nr_partial;
	unsigned long nr_slabs;        /* every slab of the node: cpu, partial, full */
	unsigned long total_objects;
};

/* A CPU's view (struct kmem_cache_cpu): its slab, its partial slabs */
struct kmem_cache_cpu {
	struct slab *slab;
	struct slab *partial;          /* singly linked; partial->slabs counts them */
};

struct kmem_cache {
	char *name;
	unsigned int object_size;      /* what the creator asked for (largest alias) */
	unsigned int size;             /* object plus free pointer and padding */
	unsigned int align;
	unsigned int inuse;
	unsigned int flags;
	unsigned int order, objects;   /* oo: the preferred slab layout */
	unsigned int min_order, min_objects; /* s->min: the fallback when order fails */
	unsigned long min_partial;
	unsigned int cpu_partial, cpu_partial_slabs;
	uint64_t reciprocal_size;      /* obj_to_index without a division */
	int refcount;                  /* 1 + aliases; -1: a boot cache, never merged */
	struct kmem_cache_cpu *cpu_slab;   /* [nr_cpus] */
	struct kmem_cache_node node[MAX_NUMNODES];
	GPtrArray *aliases;            /* names merged into this cache (char *) */
	unsigned long self_obj;        /* its struct kmem_cache, in the kmem_cache cache */
	unsigned long node_obj[MAX_NUMNODES]; /* its kmem_cache_node objects */
};

/* ---- SLUB (mm/slub.c, mm/slab_common.c) ---- */
struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, unsigned int size, unsigned int align,
				     unsigned int flags);  /* NULL on failure (name clash, bad size) */
/* The cache a name means: its own or an alias merged into it; NULL if none */
struct kmem_cache *kmem_cache_find(struct machine *m, const char *name);
/* kmem_cache_destroy: drop one reference (an alias, or the cache itself);
 * -EBUSY and nothing changed when the last reference goes while objects
 * remain.  `name` says which alias goes. */
int kmem_cache_destroy(struct machine *m, struct kmem_cache *s, const char *name);
unsigned long kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp);
unsigned long kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid);
void kmem_cache_free(struct machine *m, struct kmem_cache *s, unsigned long objp);
unsigned long kmalloc(struct machine *m, size_t size, gfp_t gfp);
unsigned long kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid);
void kfree(struct machine *m, unsigned long objp);
/* The kmalloc cache a size is served from (kmalloc_slab), NULL above 8k */
struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t gfp);
/* The cache of a live object (virt_to_cache), NULL for large kmalloc or junk */
struct kmem_cache *virt_to_cache(struct machine *m, unsigned long objp);
/* ksize: the usable size of a live kmalloc/slab object */
size_t ksize(struct machine *m, unsigned long objp);
/* kmem_cache_shrink: flush the per-cpu slabs, free every empty slab */
void kmem_cache_shrink(struct machine *m, struct kmem_cache *s);

/* The layout calculate_sizes/calculate_order choose (exposed for tests) */
unsigned int slub_min_objects(const struct machine *m);
unsigned int calculate_order(const struct machine *m, unsigned int size);
unsigned int calculate_alignment(unsigned int flags, unsigned int align, unsigned int size);
unsigned long slub_min_partial(unsigned int size);

/* What slabinfo and sysfs show (get_slabinfo, show_slab_objects) */
struct slabinfo {
	unsigned long active_objs, num_objs, active_slabs, num_slabs;
	unsigned long partial_slabs, partial_objs;  /* node partial lists: slabs, objects in use */
	unsigned long cpu_slabs;                    /* cpu slabs + cpu partial slabs */
	unsigned long cpu_partial_slabs_now;        /* slabs on cpu partial lists */
};
void get_slabinfo(const struct machine *m, const struct kmem_cache *s, struct slabinfo *si);
/* Per node: nr[node] of the same items (for the N0=.. columns) */
void get_slabinfo_node(const struct machine *m, const struct kmem_cache *s, int nid, struct slabinfo *si);
/* sysfs (sysfs_slab_add): a cache that may be merged lives in a directory
 * named by create_unique_id (":A-0000064": flags d D a A, then the size)
 * and each of its names is a symbolic link to it; one that may not has a
 * directory of its own name.  slab_sysfs_find: the cache a name under
 * sys/kernel/slab/ means, *is_link for a link name; NULL if none. */
bool kmem_cache_mergeable(const struct kmem_cache *s);
void slab_sysfs_dirname(const struct kmem_cache *s, char *buf, size_t len);
struct kmem_cache *slab_sysfs_find(struct machine *m, const char *name, bool *is_link);
/* Slabs on a CPU's partial list */
unsigned int slab_cpu_partial_slabs(const struct kmem_cache *s, int cpu);
/* Caches in slab_caches order (newest first, as /proc/slabinfo lists them) */
GPtrArray *slab_caches(struct machine *m);

/* ---- vmalloc (mm/vmalloc.c) ---- */
#define VM_IOREMAP 0x00000001
#define VM_ALLOC 0x00000002
#define VM_MAP 0x00000004
#define VM_USERMAP 0x00000008
#define VM_VPAGES 0x00000010     /* model: its page array was itself vmalloc'ed */

struct vm_struct {
	unsigned long addr;          /* va_start */
	unsigned long size;          /* bytes of the area, the guard page included */
	unsigned long requested_size;
	unsigned int flags;
	unsigned int nr_pages;       /* pages backing it now */
	unsigned long *pages;        /* their PFNs (area->pages) */
	const char *caller;          /* "func+0xoff/0xlen" as %pS prints it */
	unsigned long va_obj;        /* the vmap_area slab object */
	unsigned long vm_obj;        /* the vm_struct kmalloc object */
	unsigned long pages_obj;     /* the page array: kmalloc or vmalloc address */
};

unsigned long vmalloc(struct machine *m, unsigned long size, const char *caller);
unsigned long vmalloc_node(struct machine *m, unsigned long size, int nid, const char *caller);
unsigned long __vmalloc_node_aligned(struct machine *m, unsigned long size, unsigned long align, int nid,
				     const char *caller);
void vfree(struct machine *m, unsigned long addr);
/* vrealloc (6.12+): in place when the area holds size, else a new area,
 * copied, and the old one freed.  0 when out of memory (old one kept). */
unsigned long vrealloc(struct machine *m, unsigned long addr, unsigned long size);
/* kvmalloc: kmalloc without retrying for sizes it may fail, then vmalloc */
unsigned long kvmalloc(struct machine *m, size_t size, gfp_t gfp, const char *caller);
void kvfree(struct machine *m, unsigned long addr);
struct vm_struct *find_vm_area(struct machine *m, unsigned long addr);
bool is_vmalloc_addr(unsigned long addr);
/* VmallocUsed in pages (vmalloc_nr_pages) */
unsigned long vmalloc_nr_pages(const struct machine *m);
/* Every vm_struct, ascending address (vmallocinfo) */
GPtrArray *vmalloc_areas(struct machine *m);

/* ---- shrinkers (mm/shrinker.c) ---- */
struct shrinker {
	const char *name;
	unsigned long (*count_objects)(struct machine *m, struct shrinker *s, int nid);
	unsigned long (*scan_objects)(struct machine *m, struct shrinker *s, int nid, unsigned long nr_to_scan);
	int seeks;
	long nr_deferred;
	void *private_data;
};
#define DEFAULT_SEEKS 2
#define SHRINK_STOP (~0UL)
#define SHRINK_EMPTY (~0UL - 1)
#define SHRINK_BATCH 128
void register_shrinker(struct machine *m, struct shrinker *s);
void unregister_shrinker(struct machine *m, struct shrinker *s);
/* do_shrink_slab over every shrinker: delta = (freeable >> priority) * 4 / seeks */
unsigned long shrink_slab(struct machine *m, gfp_t gfp, int nid, int priority);
/* mm/vmscan.c drop_slab: shrink_slab at priority 0 on every node while
 * (freed >> shift++) > 1 */
void drop_slab(struct machine *m);

/* vfs_pressure_ratio: mult_frac(n, sysctl_vfs_cache_pressure, 100) */
unsigned long vfs_pressure_ratio(const struct machine *m, unsigned long n);

/* ---- the dcache and icache of the model's own path lookups (fs/dcache.c,
 * fs/inode.c in outline) ----
 * d_lookup_path looks up every component of an absolute path, creating a
 * dentry (dentry cache) and an inode (inode_cache) for each one not cached;
 * it returns a reference on the last component's dentry (an opaque
 * handle, the dentry's address) and leaves the directories unused (on the
 * LRU).  dput drops a reference: at 0 the dentry stays cached, on the LRU,
 * until the superblock shrinker (super_cache_scan) prunes it; a pruned
 * dentry's inode goes to the inode LRU, pruned in turn.
 * The page-cache model allocates its own dentry/inode_cache objects with
 * kmem_cache_alloc and registers its own shrinker. */
unsigned long d_lookup_path(struct machine *m, const char *path);
void dget(struct machine *m, unsigned long dentry);
void dput(struct machine *m, unsigned long dentry);
unsigned long dcache_nr_dentry(const struct machine *m);        /* dentries cached */
unsigned long dcache_nr_dentry_unused(const struct machine *m); /* on the LRU */
unsigned long icache_nr_inodes(const struct machine *m);
unsigned long icache_nr_unused(const struct machine *m);

/* ---- boot and teardown (mm_init.c) ---- */
void kmem_cache_init(struct machine *m);   /* boot caches, kmalloc caches, named caches */
void vmalloc_init(struct machine *m);
void dcache_init(struct machine *m);       /* the root and boot lookups, before tasks_init */
void slab_destroy_all(struct machine *m);  /* everything, at machine_destroy */

/* The model's named caches (kmem_cache_find works too) */
enum model_cache {
	MC_TASK_STRUCT, MC_MM_STRUCT, MC_VM_AREA_STRUCT, MC_ANON_VMA, MC_ANON_VMA_CHAIN,
	MC_FILES_CACHE, MC_FS_CACHE, MC_SIGNAL_CACHE, MC_SIGHAND_CACHE, MC_PID, MC_FILP,
	MC_DENTRY, MC_INODE_CACHE, MC_RADIX_TREE_NODE, MC_BUFFER_HEAD, MC_VMAP_AREA, MC_MAPLE_NODE,
	NR_MODEL_CACHES
};
struct kmem_cache *model_cache(struct machine *m, enum model_cache c);

#endif
