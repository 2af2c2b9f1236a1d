/*
 * glibc's malloc as a simulated program sees it (malloc/malloc.c, the main
 * arena only).
 *
 * Models: requests below the mmap threshold (128 KiB) are carved from the
 * brk heap with a 16-byte chunk header, first fit from freed chunks, else
 * from the top, growing the heap with brk in steps of at least M_TOP_PAD
 * (128 KiB); free coalesces with the top and trims the heap with brk when
 * more than M_TRIM_THRESHOLD (128 KiB) is free at the top; larger requests
 * are mmapped on their own and munmapped by free.  The dynamic threshold:
 * a free of an mmapped chunk larger than the mmap threshold (and at most
 * DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB) raises the threshold to its size and
 * the trim threshold to twice that, so such sizes come from the heap next.
 * Simplifies: no bins, no fastbins or tcache, no coalescing of non-top
 * chunks; no mallopt (the thresholds are always dynamic).
 */
#include <errno.h>

#include "mm_internal_proc.h"

#define MALLOC_ALIGN 16UL
#define SIZE_SZ 16UL           /* chunk header */
#define MMAP_THRESHOLD (128UL << 10)
#define M_TOP_PAD (128UL << 10)
#define M_TRIM_THRESHOLD (128UL << 10)
/* 4 MiB x sizeof(long) on a 64-bit system */
#define DEFAULT_MMAP_THRESHOLD_MAX (32UL << 20)

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer d)
{
	unsigned long x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)d;
	return x < y ? -1 : x > y;
}

void malloc_state_init(struct malloc_state *ms)
{
	ms->chunks = ms->mmapped = ms->free_chunks = NULL;
	ms->top = 0;
	ms->mmap_threshold = MMAP_THRESHOLD;
	ms->trim_threshold = M_TRIM_THRESHOLD;
}

/* The chunk trees, made at the first malloc: most processes never call it */
static void malloc_state_prepare(struct malloc_state *ms)
{
	if (ms->chunks)
		return;
	ms->chunks = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
	ms->mmapped = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
	ms->free_chunks = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
}

void malloc_state_destroy(struct malloc_state *ms)
{
	if (!ms->chunks)
		return;
	g_tree_destroy(ms->chunks);
	g_tree_destroy(ms->mmapped);
	g_tree_destroy(ms->free_chunks);
}

static gboolean copy_one(gpointer k, gpointer v, gpointer data)
{
	g_tree_insert(data, k, v);
	return FALSE;
}

void malloc_state_copy(struct malloc_state *dst, const struct malloc_state *src)
{
	dst->top = src->top;
	dst->mmap_threshold = src->mmap_threshold;
	dst->trim_threshold = src->trim_threshold;
	if (!src->chunks)
		return;
	malloc_state_prepare(dst);
	g_tree_foreach(src->chunks, copy_one, dst->chunks);
	g_tree_foreach(src->mmapped, copy_one, dst->mmapped);
	g_tree_foreach(src->free_chunks, copy_one, dst->free_chunks);
}

struct fit { unsigned long want, addr, size; };

static gboolean first_fit(gpointer k, gpointer v, gpointer data)
{
	struct fit *f = data;

	if (GPOINTER_TO_SIZE(v) >= f->want) {
		f->addr = GPOINTER_TO_SIZE(k);
		f->size = GPOINTER_TO_SIZE(v);
		return TRUE;
	}
	return FALSE;
}

static long do_glibc_malloc(struct machine *m, struct task_struct *t, unsigned long size)
{
	struct mm_struct *mm = t->mm;
	struct malloc_state *ms;
	unsigned long chunk, addr;
	struct fit f;

	if (!mm)
		return -EINVAL;
	ms = &mm->malloc;
	malloc_state_prepare(ms);
	/* malloc(0) returns a unique minimum-size chunk, as glibc does */
	if (size > (1UL << 46))
		return -ENOMEM;
	chunk = (size + SIZE_SZ + MALLOC_ALIGN - 1) & ~(MALLOC_ALIGN - 1);
	if (chunk >= ms->mmap_threshold) {
		long a = sys_mmap(m, t, 0, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL);

		if (a < 0)
			return a;
		/* the chunk header is written: the first page is touched */
		if (access_process_range(m, t, (unsigned long)a, SIZE_SZ, true) == -EFAULT)
			return -EFAULT; /* SIGSEGV: the process and its mm are gone */
		g_tree_insert(ms->mmapped, GSIZE_TO_POINTER((gsize)a + SIZE_SZ), GSIZE_TO_POINTER(chunk));
		return a + (long)SIZE_SZ;
	}
	f = (struct fit){ chunk, 0, 0 };
	g_tree_foreach(ms->free_chunks, first_fit, &f);
	if (f.addr) {
		g_tree_remove(ms->free_chunks, GSIZE_TO_POINTER(f.addr));
		if (f.size - chunk >= 2 * MALLOC_ALIGN)
			g_tree_insert(ms->free_chunks, GSIZE_TO_POINTER(f.addr + chunk), GSIZE_TO_POINTER(f.size - chunk));
		else
			chunk = f.size;
		addr = f.addr;
	} else {
		if (!ms->top)
			ms->top = mm->start_brk;
		if (ms->top + chunk > mm->brk) {
			unsigned long want = ms->top + chunk + M_TOP_PAD;

			if (sys_brk(m, t, PAGE_ALIGN(want)) != PAGE_ALIGN(want))
				return -ENOMEM;
		}
		addr = ms->top;
		ms->top += chunk;
	}
	/* writing the header touches the chunk's first page */
	if (access_process_range(m, t, addr, SIZE_SZ, true) == -EFAULT)
		return -EFAULT; /* SIGSEGV: the process and its mm are gone */
	g_tree_insert(ms->chunks, GSIZE_TO_POINTER(addr + SIZE_SZ), GSIZE_TO_POINTER(chunk));
	return (long)(addr + SIZE_SZ);
}

struct ending { unsigned long end, addr; };

static gboolean ends_at(gpointer k, gpointer v, gpointer data)
{
	struct ending *e = data;

	if (GPOINTER_TO_SIZE(k) + GPOINTER_TO_SIZE(v) == e->end) {
		e->addr = GPOINTER_TO_SIZE(k);
		return TRUE;
	}
	return FALSE;
}

/* The free chunk whose end is `end`, or 0 */
static unsigned long chunk_ending_at(GTree *free_chunks, unsigned long end)
{
	struct ending e = { end, 0 };

	g_tree_foreach(free_chunks, ends_at, &e);
	return e.addr;
}

/* The faults of malloc may OOM-kill the task: it dies on return */
long glibc_malloc(struct machine *m, struct task_struct *t, unsigned long size)
{
	struct task_struct *prev = syscall_enter(m, t);
	int pid = t->pid;
	long ret = do_glibc_malloc(m, t, size);

	return syscall_exit_oom(m, pid, prev, ret);
}

int glibc_free(struct machine *m, struct task_struct *t, unsigned long addr)
{
	struct mm_struct *mm = t->mm;
	struct malloc_state *ms;
	gpointer v;

	if (!mm)
		return -EINVAL;
	ms = &mm->malloc;
	malloc_state_prepare(ms);
	if ((v = g_tree_lookup(ms->mmapped, GSIZE_TO_POINTER(addr)))) {
		/* an mmapped chunk's size is whole pages */
		unsigned long size = PAGE_ALIGN(GPOINTER_TO_SIZE(v));

		g_tree_remove(ms->mmapped, GSIZE_TO_POINTER(addr));
		if (size > ms->mmap_threshold && size <= DEFAULT_MMAP_THRESHOLD_MAX) {
			ms->mmap_threshold = size;
			ms->trim_threshold = 2 * size;
		}
		return sys_munmap(m, t, addr - SIZE_SZ, GPOINTER_TO_SIZE(v));
	}
	if (!(v = g_tree_lookup(ms->chunks, GSIZE_TO_POINTER(addr))))
		return -EINVAL; /* glibc: "free(): invalid pointer" and abort */
	g_tree_remove(ms->chunks, GSIZE_TO_POINTER(addr));
	addr -= SIZE_SZ;
	if (addr + GPOINTER_TO_SIZE(v) == ms->top) {
		unsigned long below;

		ms->top = addr;
		/* free chunks right below the top merge into it */
		while ((below = chunk_ending_at(ms->free_chunks, ms->top))) {
			g_tree_remove(ms->free_chunks, GSIZE_TO_POINTER(below));
			ms->top = below;
		}
		/* systrim: give back what is beyond the trim threshold */
		if (mm->brk - ms->top > ms->trim_threshold + M_TOP_PAD) {
			unsigned long newbrk = PAGE_ALIGN(ms->top + M_TOP_PAD);

			sys_brk(m, t, newbrk);
		}
	} else {
		g_tree_insert(ms->free_chunks, GSIZE_TO_POINTER(addr), v);
	}
	return 0;
}
