/*
 * mm/util.c: overcommit accounting (Committed_AS, CommitLimit) and the
 * admin/user reserves of mm/util.c and mm/mmap.c.
 *
 * Models: __vm_enough_memory for overcommit_memory 0 (refuse only what is
 * larger than RAM plus swap), 1 (always) and 2 (CommitLimit, less the admin
 * reserve for non-root and min(total_vm/32, user_reserve) for the caller);
 * vm_commit_limit from overcommit_ratio or overcommit_kbytes; the kernel's
 * warning line on refusal.
 */
#include <errno.h>

#include "mmsim/explain.h"
#include "mmsim/swap.h"
#include "mmsim/hugetlb.h"
#include "mm_internal_proc.h"

static unsigned long total_swap_pages(const struct machine *m)
{
	return (unsigned long)get_total_swap_pages(m);
}

/* vm_commit_limit: overcommit_kbytes, or overcommit_ratio percent of the
 * RAM hugetlb does not hold, plus the swap space */
unsigned long vm_commit_limit_ops(const struct machine *m, struct commit_limit_ops *ops)
{
	ops->overcommit_kbytes = (unsigned long)m->sysctl.overcommit_kbytes;
	ops->overcommit_ratio = m->sysctl.overcommit_ratio;
	ops->totalram = m->totalram_pages;
	ops->hugetlb = hugetlb_total_pages(m);
	ops->ram_less_hugetlb = ops->totalram - ops->hugetlb;
	if (ops->overcommit_kbytes)
		ops->ram_part = ops->overcommit_kbytes >> (PAGE_SHIFT - 10);
	else
		ops->ram_part = ops->ram_less_hugetlb * (unsigned long)ops->overcommit_ratio / 100;
	ops->swap = total_swap_pages(m);
	ops->limit = ops->ram_part + ops->swap;
	return ops->limit;
}

unsigned long vm_commit_limit(const struct machine *m)
{
	struct commit_limit_ops ops;

	return vm_commit_limit_ops(m, &ops);
}

long vm_memory_committed(const struct machine *m)
{
	return m->vm_committed_as;
}

void vm_unacct_memory(struct machine *m, long pages)
{
	m->vm_committed_as -= pages;
}

int __vm_enough_memory(struct machine *m, struct task_struct *t, long pages)
{
	long allowed;

	m->vm_committed_as += pages;
	if (m->sysctl.overcommit_memory == 1)
		return 0;
	if (m->sysctl.overcommit_memory == 0) {
		if ((unsigned long)pages > m->totalram_pages + total_swap_pages(m))
			goto error;
		return 0;
	}
	allowed = (long)vm_commit_limit(m);
	/* Reserve some for root */
	if (!t || t->uid != 0)
		allowed -= (long)(m->sysctl.admin_reserve_kbytes >> (PAGE_SHIFT - 10));
	/* Don't let a single process grow so big a user can't recover */
	if (t && t->mm) {
		long reserve = (long)(m->sysctl.user_reserve_kbytes >> (PAGE_SHIFT - 10));

		allowed -= MIN((long)(t->mm->total_vm / 32), reserve);
	}
	if (m->vm_committed_as < allowed)
		return 0;
error:
	printk(m, "__vm_enough_memory: pid: %d, comm: %s, bytes: %lu not enough memory for the allocation",
	       t ? t->pid : 0, t ? t->comm : "kernel", (unsigned long)pages << PAGE_SHIFT);
	m->vm_committed_as -= pages;
	return -ENOMEM;
}

/* init_user_reserve / init_admin_reserve: 3% of free memory, capped at
 * 128 MiB and 8 MiB */
void init_user_reserve(struct machine *m)
{
	unsigned long free_kbytes = (unsigned long)global_zone_page_state(m, NR_FREE_PAGES) << (PAGE_SHIFT - 10);

	m->sysctl.user_reserve_kbytes = (int)MIN(free_kbytes / 32, 1UL << 17);
	m->sysctl.admin_reserve_kbytes = (int)MIN(free_kbytes / 32, 1UL << 13);
}
