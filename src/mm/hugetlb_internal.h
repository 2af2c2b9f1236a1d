/*
 * The engine's hooks into mm/hugetlb.c: boot, MAP_HUGETLB mappings (their
 * vm_operations: open, close, may_split), faults, --debug-vm.
 */
#ifndef MMSIM_HUGETLB_INTERNAL_H
#define MMSIM_HUGETLB_INTERNAL_H

#include "mmsim/hugetlb.h"

void hugetlb_init(struct machine *m);
void hugetlb_destroy(struct machine *m);
/* MAP_HUGETLB: the hstate the flags name and the length aligned to it */
int hugetlb_mmap_prepare(struct machine *m, int flags, unsigned long *len, struct hstate **h);
/* The new VMA's mapping and its reservation; -ENOMEM when it cannot reserve */
int hugetlb_vma_setup(struct machine *m, struct vm_area_struct *vma, struct hstate *h);
void hugetlb_vm_op_open(struct vm_area_struct *vma);
void hugetlb_vm_op_fork(struct vm_area_struct *child);
void hugetlb_vm_op_close(struct machine *m, struct vm_area_struct *vma);
int hugetlb_vm_op_split(const struct vm_area_struct *vma, unsigned long addr);
/* 0, or -EFAULT for SIGBUS */
int hugetlb_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr);
/* --debug-vm: the pools' counts against their pages */
char *hugetlb_check(struct machine *m);

#endif
