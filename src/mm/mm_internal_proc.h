/*
 * Engine-internal declarations of the process side (tasks, mm, page tables).
 */
#ifndef MMSIM_MM_INTERNAL_PROC_H
#define MMSIM_MM_INTERNAL_PROC_H

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

/* The simulated cost of kernel work charged to a task's stime: about what
 * the kernel's own paths take on a current x86 core */
#define FAULT_COST_NS 250
#define PAGE_COPY_COST_NS 400

#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define TASK_SIZE 0x7ffffffff000UL
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)
#define THREAD_SIZE_ORDER 2  /* 16 KiB kernel stacks */

/* memory.c */
void account_system_time(struct machine *m, struct task_struct *t, uint64_t ns);
struct pt_page *pt_alloc(struct machine *m, struct mm_struct *mm, int nid);
void free_pgd(struct machine *m, struct mm_struct *mm);
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr);
int handle_mm_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
		    unsigned long addr, bool write);
void zap_page_range(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long start, unsigned long end);
void free_empty_pgtables(struct machine *m, struct mm_struct *mm);
int copy_page_range(struct machine *m, struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *vma);
void change_pte_range_wrprotect(struct mm_struct *mm, unsigned long start, unsigned long end);
void update_hiwater_rss(struct mm_struct *mm);
void shmem_put(struct machine *m, struct shmem_object *shm);
void update_hiwater_vm(struct mm_struct *mm);

/* mmap.c */
struct mm_struct *mm_alloc(struct machine *m);
void mmput(struct machine *m, struct mm_struct *mm);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *vma);
void vma_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);
int do_mmap_fixed(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
		  unsigned long vm_flags, enum vma_kind kind, const char *file, unsigned long pgoff);
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long len);
struct anon_vma *anon_vma_get(struct vm_area_struct *vma);
void anon_vma_put(struct anon_vma *av);
void munlock_page_pte(struct machine *m, pte_t pte);
void mlock_page_pte(struct machine *m, pte_t pte);
int do_munmap(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long len);

/* util.c */
int __vm_enough_memory(struct machine *m, struct task_struct *t, long pages);
void vm_unacct_memory(struct machine *m, long pages);
void init_user_reserve(struct machine *m);

/* fork.c */
void tasks_init(struct machine *m);
void tasks_destroy(struct machine *m);

/* malloc.c */
void malloc_state_init(struct malloc_state *ms);
void malloc_state_destroy(struct malloc_state *ms);
void malloc_state_copy(struct malloc_state *dst, const struct malloc_state *src);

#endif
