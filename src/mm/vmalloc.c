/*
 * mm/vmalloc.c: virtually contiguous kernel memory.
 *
 * Models: the x86-64 vmalloc range [VMALLOC_START, VMALLOC_START + 32 TiB)
 * (VmallocTotal 34359738367 kB); alloc_vmap_area's lowest-address first
 * fit, aligned, found in a tree of the free ranges that knows each
 * subtree's largest (free_vmap_area_root, ranges merged again on free),
 * each area one guard page larger than asked (the area's size includes
 * it, as vmallocinfo shows); a vmap_area object from the
 * vmap_area cache and a vm_struct from kmalloc per area; the page array
 * from kmalloc, or from vmalloc itself when it is larger than a page
 * (vmallocinfo's "vpages"); backing pages from the buddy allocator one by
 * one (order 0, the vmalloc caller's node); vfree; vrealloc (6.12+):
 * shrinking frees the pages past the new size, growing stays in place while
 * the area holds the new size, otherwise a new area is allocated, the data
 * "copied" and the old area freed; kvmalloc: kmalloc first (without
 * retrying for more than a page), vmalloc when that fails or the size is
 * beyond kmalloc.  VmallocUsed is vmalloc_nr_pages(); VmallocChunk is 0 as
 * on every kernel since 5.3.
 * Simplifies: vfree is immediate (no lazy purge, so no "unpurged vm_area"
 * lines); the kernel page tables that map the areas are not counted; no
 * huge vmap, vmap(), vm_map_ram or ioremap areas.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/slab.h"
#include "slab_internal.h"

#define VM_STRUCT_SIZE 72   /* sizeof(struct vm_struct) on x86-64 6.18 */

/*
 * A free range of the vmalloc space (free_vmap_area_root): a treap ordered
 * by address, each node knowing the largest free range under it
 * (subtree_max_size), so that the lowest fit is found without visiting
 * every area.  Priorities are a hash of the address: the shape, like
 * everything else, follows from the commands alone.
 */
struct free_va {
	unsigned long start, end;    /* [start, end) */
	unsigned long subtree_max;   /* the largest end - start below and here */
	struct free_va *left, *right;
	uint32_t prio;
};

struct vmalloc_state {
	GTree *areas;           /* va_start -> struct vm_struct * (the busy tree) */
	struct free_va *free;   /* the free ranges */
	unsigned long nr_pages; /* vmalloc_nr_pages */
};

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	unsigned long x = (unsigned long)a, y = (unsigned long)b;

	(void)data;
	return x < y ? -1 : x > y;
}

static unsigned long va_size(const struct free_va *v) { return v->end - v->start; }
static unsigned long subtree_max(const struct free_va *v) { return v ? v->subtree_max : 0; }

static void va_update(struct free_va *v)
{
	v->subtree_max = MAX(va_size(v), MAX(subtree_max(v->left), subtree_max(v->right)));
}

static struct free_va *va_new(unsigned long start, unsigned long end)
{
	struct free_va *v = g_new0(struct free_va, 1);
	uint64_t h = start * 0x9e3779b97f4a7c15ULL;

	v->start = start;
	v->end = end;
	v->subtree_max = end - start;
	v->prio = (uint32_t)(h >> 32) ^ (uint32_t)h;
	return v;
}

/* l's ranges all lie below r's */
static struct free_va *va_merge(struct free_va *l, struct free_va *r)
{
	if (!l || !r)
		return l ? l : r;
	if (l->prio >= r->prio) {
		l->right = va_merge(l->right, r);
		va_update(l);
		return l;
	}
	r->left = va_merge(l, r->left);
	va_update(r);
	return r;
}

/* Ranges starting below addr to *l, the others to *r */
static void va_split(struct free_va *t, unsigned long addr, struct free_va **l, struct free_va **r)
{
	if (!t) {
		*l = *r = NULL;
	} else if (t->start < addr) {
		va_split(t->right, addr, &t->right, r);
		va_update(t);
		*l = t;
	} else {
		va_split(t->left, addr, l, &t->left);
		va_update(t);
		*r = t;
	}
}

static struct free_va *va_insert(struct free_va *t, struct free_va *v)
{
	struct free_va *l, *r;

	va_split(t, v->start, &l, &r);
	return va_merge(va_merge(l, v), r);
}

/* Take the range that starts at addr out of the tree */
static struct free_va *va_erase(struct free_va *t, unsigned long addr)
{
	struct free_va *l, *mid, *r;

	va_split(t, addr, &l, &mid);
	va_split(mid, addr + 1, &mid, &r);
	g_free(mid);
	return va_merge(l, r);
}

static unsigned long align_up(unsigned long addr, unsigned long align)
{
	return (addr + align - 1) & ~(align - 1);
}

/* The lowest free range holding `size` bytes at `align` */
static struct free_va *va_lowest_fit(struct free_va *t, unsigned long size, unsigned long align)
{
	struct free_va *v;

	if (!t || t->subtree_max < size)
		return NULL;
	if ((v = va_lowest_fit(t->left, size, align)))
		return v;
	if (align_up(t->start, align) + size <= t->end)
		return t;
	return va_lowest_fit(t->right, size, align);
}

/* The range containing addr - 1 or starting at addr, if any */
static struct free_va *va_find(struct free_va *t, unsigned long addr, bool ending_at)
{
	while (t) {
		if (ending_at ? t->end == addr : t->start == addr)
			return t;
		t = (ending_at ? addr <= t->start : addr < t->start) ? t->left : t->right;
	}
	return NULL;
}

/* An area's range becomes free, merged with the free ranges it touches
 * (merge_or_add_vmap_area) */
static void va_release(struct vmalloc_state *vs, unsigned long start, unsigned long end)
{
	struct free_va *prev = va_find(vs->free, start, true), *next = va_find(vs->free, end, false);

	if (prev) {
		start = prev->start;
		vs->free = va_erase(vs->free, start);
	}
	if (next) {
		end = next->end;
		vs->free = va_erase(vs->free, next->start);
	}
	vs->free = va_insert(vs->free, va_new(start, end));
}

static void va_destroy(struct free_va *t)
{
	if (!t)
		return;
	va_destroy(t->left);
	va_destroy(t->right);
	g_free(t);
}

void vmalloc_init(struct machine *m)
{
	m->vmalloc = g_new0(struct vmalloc_state, 1);
	m->vmalloc->areas = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
	m->vmalloc->free = va_new(VMALLOC_START, VMALLOC_START + VMALLOC_SIZE);
}

bool is_vmalloc_addr(unsigned long addr)
{
	return addr >= VMALLOC_START && addr < VMALLOC_END;
}

unsigned long vmalloc_nr_pages(const struct machine *m)
{
	return m->vmalloc ? m->vmalloc->nr_pages : 0;
}

struct vm_struct *find_vm_area(struct machine *m, unsigned long addr)
{
	return m->vmalloc ? g_tree_lookup(m->vmalloc->areas, (gpointer)addr) : NULL;
}

static gboolean collect(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	g_ptr_array_add(data, v);
	return FALSE;
}

GPtrArray *vmalloc_areas(struct machine *m)
{
	GPtrArray *a = g_ptr_array_new();

	g_tree_foreach(m->vmalloc->areas, collect, a);
	return a;
}

/* alloc_vmap_area: the lowest address with `size` bytes free at `align`,
 * taken out of the free ranges; 0 when none */
static unsigned long find_vmap_lowest_match(struct machine *m, unsigned long size, unsigned long align)
{
	struct vmalloc_state *vs = m->vmalloc;
	struct free_va *v = va_lowest_fit(vs->free, size, align);
	unsigned long start, end, addr;

	if (!v)
		return 0;
	start = v->start;
	end = v->end;
	addr = align_up(start, align);
	vs->free = va_erase(vs->free, start);
	if (addr > start)
		vs->free = va_insert(vs->free, va_new(start, addr));
	if (addr + size < end)
		vs->free = va_insert(vs->free, va_new(addr + size, end));
	return addr;
}

static int cpu_of_node(struct machine *m, int nid)
{
	if (m->current)
		return m->current->cpu;
	for (int cpu = 0; nid >= 0 && cpu < m->nr_cpus; cpu++)
		if (cpu_to_node(m, cpu) == nid)
			return cpu;
	return 0;
}

static void free_area_pages(struct machine *m, struct vm_struct *vm, unsigned int from)
{
	int cpu = cpu_of_node(m, -1);

	for (unsigned int i = from; i < vm->nr_pages; i++)
		__free_pages(m, vm->pages[i], 0, cpu);
	m->vmalloc->nr_pages -= vm->nr_pages - from;
	vm->nr_pages = from;
}

/* vm_area_alloc_pages: order-0 pages one by one; false when one fails */
static bool alloc_area_pages(struct machine *m, struct vm_struct *vm, unsigned int upto, int nid)
{
	int cpu = cpu_of_node(m, nid);

	while (vm->nr_pages < upto) {
		long pfn = __alloc_pages(m, GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN, 0, nid, cpu);

		if (pfn < 0)
			return false;
		vm->pages[vm->nr_pages++] = (unsigned long)pfn;
		m->vmalloc->nr_pages++;
	}
	return true;
}

static void free_vm_struct(struct machine *m, struct vm_struct *vm)
{
	g_tree_remove(m->vmalloc->areas, (gpointer)vm->addr);
	va_release(m->vmalloc, vm->addr, vm->addr + vm->size);
	if (vm->flags & VM_VPAGES)
		vfree(m, vm->pages_obj);
	else
		kfree(m, vm->pages_obj);
	kfree(m, vm->vm_obj);
	kmem_cache_free(m, model_cache(m, MC_VMAP_AREA), vm->va_obj);
	g_free(vm->pages);
	g_free(vm);
}

/* __vmalloc_node_range */
static unsigned long __vmalloc_node(struct machine *m, unsigned long size, unsigned long align, int nid,
				    const char *caller)
{
	unsigned long real = PAGE_ALIGN(size), addr, array_size;
	unsigned int nr;
	struct vm_struct *vm;

	if (!size || (real >> PAGE_SHIFT) > m->totalram_pages) {
		if (size)
			printk(m, "vmalloc error: size %lu, exceeds total pages", real);
		return 0;
	}
	nr = (unsigned int)(real >> PAGE_SHIFT);
	addr = find_vmap_lowest_match(m, real + PAGE_SIZE, MAX(align, PAGE_SIZE));
	if (!addr) {
		printk(m, "vmalloc_node_range for size %lu failed: Address range restricted to %#lx - %#lx", real,
		       VMALLOC_START, VMALLOC_END);
		return 0;
	}
	vm = g_new0(struct vm_struct, 1);
	vm->addr = addr;
	vm->size = real + PAGE_SIZE;
	vm->requested_size = size;
	vm->flags = VM_ALLOC;
	vm->caller = caller;
	vm->pages = g_new(unsigned long, nr);
	vm->va_obj = kmem_cache_alloc_node(m, model_cache(m, MC_VMAP_AREA), GFP_KERNEL, nid);
	vm->vm_obj = kmalloc_node(m, VM_STRUCT_SIZE, GFP_KERNEL, nid);
	g_tree_insert(m->vmalloc->areas, (gpointer)addr, vm);
	/* the page array: kmalloc, or vmalloc when beyond a page */
	array_size = (unsigned long)nr * sizeof(void *);
	if (array_size > PAGE_SIZE) {
		vm->pages_obj = __vmalloc_node(m, array_size, 1, nid, caller);
		vm->flags |= VM_VPAGES;
	} else {
		vm->pages_obj = kmalloc_node(m, array_size, GFP_KERNEL | __GFP_ZERO, nid);
	}
	if (!vm->va_obj || !vm->vm_obj || !vm->pages_obj || !alloc_area_pages(m, vm, nr, nid)) {
		printk(m, "vmalloc error: size %lu, page order 0, failed to allocate pages, mode:%#x(GFP_KERNEL)",
		       real, GFP_KERNEL);
		free_area_pages(m, vm, 0);
		if (!vm->va_obj || !vm->vm_obj) {
			g_tree_remove(m->vmalloc->areas, (gpointer)vm->addr);
			va_release(m->vmalloc, vm->addr, vm->addr + vm->size);
			if (vm->pages_obj)
				kvfree(m, vm->pages_obj);
			kfree(m, vm->vm_obj);
			if (vm->va_obj)
				kmem_cache_free(m, model_cache(m, MC_VMAP_AREA), vm->va_obj);
			g_free(vm->pages);
			g_free(vm);
			return 0;
		}
		free_vm_struct(m, vm);
		return 0;
	}
	return addr;
}

unsigned long vmalloc_node(struct machine *m, unsigned long size, int nid, const char *caller)
{
	return __vmalloc_node(m, size, 1, nid, caller);
}

unsigned long vmalloc(struct machine *m, unsigned long size, const char *caller)
{
	return __vmalloc_node(m, size, 1, -1, caller);
}

unsigned long __vmalloc_node_aligned(struct machine *m, unsigned long size, unsigned long align, int nid,
				     const char *caller)
{
	return __vmalloc_node(m, size, align, nid, caller);
}

void vfree(struct machine *m, unsigned long addr)
{
	struct vm_struct *vm;

	if (!addr)
		return;
	vm = find_vm_area(m, addr);
	if (!vm) {
		printk(m, "Trying to vfree() nonexistent vm area (%#lx)", addr);
		return;
	}
	free_area_pages(m, vm, 0);
	free_vm_struct(m, vm);
}

unsigned long vrealloc(struct machine *m, unsigned long addr, unsigned long size)
{
	struct vm_struct *vm;
	unsigned long alloced_size, n;

	if (!addr)
		return vmalloc(m, size, "vrealloc_node_align_noprof+0x8c/0x1f0");
	if (!size) {
		vfree(m, addr);
		return 0;
	}
	vm = find_vm_area(m, addr);
	if (!vm) {
		printk(m, "Trying to vrealloc() nonexistent vm area (%#lx)", addr);
		return 0;
	}
	alloced_size = vm->size - PAGE_SIZE;
	if (size <= vm->requested_size) {
		/* shrink: the pages past the new end go back */
		free_area_pages(m, vm, (unsigned int)(PAGE_ALIGN(size) >> PAGE_SHIFT));
		vm->requested_size = size;
		return addr;
	}
	if (size <= alloced_size) {
		/* grow in place: the area already spans it */
		if (!alloc_area_pages(m, vm, (unsigned int)(PAGE_ALIGN(size) >> PAGE_SHIFT), -1))
			return 0;
		vm->requested_size = size;
		return addr;
	}
	n = vmalloc(m, size, vm->caller);
	if (!n)
		return 0;
	vfree(m, addr);
	return n;
}

unsigned long kvmalloc(struct machine *m, size_t size, gfp_t gfp, const char *caller)
{
	unsigned long p = 0;

	if (!size)
		return 0;
	/* kmalloc_gfp_adjust: beyond a page, no warning and no retrying */
	if (size <= KMALLOC_MAX_SIZE)
		p = kmalloc(m, size, size > PAGE_SIZE ? gfp | __GFP_NOWARN : gfp);
	if (p || size <= PAGE_SIZE)
		return p;
	if (size > INT32_MAX)
		return 0;
	return vmalloc(m, size, caller);
}

void kvfree(struct machine *m, unsigned long addr)
{
	if (is_vmalloc_addr(addr))
		vfree(m, addr);
	else
		kfree(m, addr);
}

static gboolean check_area(gpointer k, gpointer v, gpointer data)
{
	struct vm_struct *vm = v;
	unsigned long *acc = data;

	(void)k;
	if (acc[1] > vm->addr) {
		acc[2] = vm->addr;
		return TRUE;
	}
	acc[0] += vm->nr_pages;
	acc[1] = vm->addr + vm->size;
	return FALSE;
}

struct free_check {
	unsigned long bytes, last_end;
	const struct free_va *bad;
};

/* In address order: ranges apart (touching ones are merged), each node's
 * subtree_max right */
static void check_free(const struct free_va *v, struct free_check *c)
{
	if (!v || c->bad)
		return;
	check_free(v->left, c);
	if (v->start >= v->end || (c->last_end && v->start <= c->last_end) ||
	    v->subtree_max != MAX(va_size(v), MAX(subtree_max(v->left), subtree_max(v->right))))
		c->bad = v;
	c->bytes += va_size(v);
	c->last_end = v->end;
	check_free(v->right, c);
}

static gboolean sum_area(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	*(unsigned long *)data += ((struct vm_struct *)v)->size;
	return FALSE;
}

char *vmalloc_check_invariants(struct machine *m)
{
	unsigned long acc[3] = { 0, 0, 0 }, busy = 0;
	struct free_check fc = { 0, 0, NULL };

	if (!m->vmalloc)
		return NULL;
	g_tree_foreach(m->vmalloc->areas, check_area, acc);
	if (acc[2])
		return g_strdup_printf("vmalloc: area at %#lx overlaps the one before", acc[2]);
	check_free(m->vmalloc->free, &fc);
	if (fc.bad)
		return g_strdup_printf("vmalloc: free range %#lx-%#lx out of order, touching the one before "
				       "or with a wrong subtree size", fc.bad->start, fc.bad->end);
	g_tree_foreach(m->vmalloc->areas, sum_area, &busy);
	if (busy + fc.bytes != VMALLOC_SIZE)
		return g_strdup_printf("vmalloc: %lu bytes in areas and %lu free do not make the %lu of the space",
				       busy, fc.bytes, VMALLOC_SIZE);
	if (acc[0] != m->vmalloc->nr_pages)
		return g_strdup_printf("vmalloc: areas hold %lu pages, VmallocUsed counts %lu", acc[0],
				       m->vmalloc->nr_pages);
	return NULL;
}

static gboolean free_one(gpointer k, gpointer v, gpointer data)
{
	struct vm_struct *vm = v;

	(void)k;
	(void)data;
	g_free(vm->pages);
	g_free(vm);
	return FALSE;
}

void vmalloc_destroy(struct machine *m)
{
	if (!m->vmalloc)
		return;
	g_tree_foreach(m->vmalloc->areas, free_one, NULL);
	g_tree_destroy(m->vmalloc->areas);
	va_destroy(m->vmalloc->free);
	g_free(m->vmalloc);
	m->vmalloc = NULL;
}
