/*
 * What the rest of mm calls of mm/ksm.c (include/linux/ksm.h's hooks)
 * and of page_remove_rmap.
 */
#ifndef MMSIM_KSM_MM_H
#define MMSIM_KSM_MM_H

#include "mmsim/mm_types.h"

/* memory.c: a mapping of the page goes; the last one frees an anon page */
void page_remove_rmap(struct machine *m, unsigned long pfn);

bool is_ksm_zero_pte(struct machine *m, pte_t pte);
void ksm_might_unmap_zero_page(struct machine *m, struct mm_struct *mm, pte_t pte);
void ksm_fork_zero_pte(struct machine *m, struct mm_struct *child, pte_t pte);
/* The last mapping of a KSM page went (before the page is freed) */
void ksm_page_free(struct machine *m, unsigned long pfn);
void ksm_migrate_folio(struct machine *m, unsigned long dst, unsigned long src);
long ksm_might_need_to_copy(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
			    unsigned long addr, unsigned long pfn);

#endif
