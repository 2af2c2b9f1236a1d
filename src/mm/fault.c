/*
 * arch/x86/mm/fault.c: loads and stores from a simulated program, page by
 * page, through the fault handler.
 *
 * Models:
 * - do_user_addr_fault: the VMA lookup, the access check against the
 *   VMA's protection, then handle_mm_fault (mm/memory.c).
 * - the signals a fault ends in: SIGSEGV with the kernel's segfault line
 *   (show_signal_msg, with the x86 error code), SIGBUS past the end of a
 *   mapped file.
 * - VM_FAULT_OOM: pagefault_out_of_memory when the allocator's OOM killer
 *   did not help.
 * Simplifies:
 * - the stack does not grow beyond its VMA;
 * - the ip of the segfault line is the start of the program's text.
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"

static unsigned long fault_error_code(bool present, bool write)
{
	/* X86_PF_PROT 1, X86_PF_WRITE 2, X86_PF_USER 4 */
	return (present ? 1 : 0) | (write ? 2 : 0) | 4;
}

/* A store leaves its data in an anon or shmem page (a file's data is its
 * own: page_content.c) */
static void store_content(struct machine *m, struct mm_struct *mm, unsigned long addr, const struct page_fill *fill)
{
	pte_t *ptep = pte_lookup(mm, addr);
	struct page *page;

	if (!ptep || !pte_present(*ptep) || pte_special(*ptep))
		return;
	page = pfn_to_page(m, pte_pfn(*ptep));
	if (page_test(page, PG_swapbacked))
		set_page_content(m, pte_pfn(*ptep), fill_content(m, fill));
}

int access_process_range(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
			 bool write)
{
	return access_process_range_fill(m, t, addr, len, write, NULL);
}

int access_process_range_fill(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
			      bool write, const struct page_fill *fill)
{
	struct mm_struct *mm = t->mm;
	unsigned long end = addr + len, a;
	struct vm_area_struct *vma = NULL;
	struct task_struct *prev;
	int err = 0;

	if (!mm)
		return -EINVAL;
	if (!len || end < addr)
		return -EINVAL;
	prev = syscall_enter(m, t);
	for (a = addr & PAGE_MASK; a < end; a += PAGE_SIZE) {
		/* killed by the OOM killer meanwhile: stop, die on return */
		if (fatal_signal_pending(t)) {
			err = -EINTR;
			break;
		}
		if (!vma || a >= vma->vm_end) {
			vma = find_vma(mm, a);
			if (!vma || vma->vm_start > a) {
				if (vma && (vma->vm_flags & VM_GROWSDOWN) && vma->vm_start - a <= STACK_GUARD_GAP) {
					/* the stack would grow: not modelled beyond its VMA */
				}
				m->current = prev;
				force_sig_segv(m, t, a < addr ? addr : a, 0, write);
				return -EFAULT;
			}
			if ((write && !(vma->vm_flags & VM_WRITE)) ||
			    (!write && !(vma->vm_flags & (VM_READ | VM_EXEC)))) {
				/* X86_PF_PROT only when a page is there */
				pte_t *ptep = pte_lookup(mm, a);

				m->current = prev;
				force_sig_segv(m, t, a < addr ? addr : a, ptep && pte_present(*ptep), write);
				return -EFAULT;
			}
		}
		err = handle_mm_fault(m, t, vma, a, write);
		if (!err && write)
			store_content(m, mm, a, fill);
		cond_resched(m);
		if (err == -EFAULT) {
			/* VM_FAULT_SIGBUS: a file page past the end of the file,
			 * or no huge page for a hugetlb mapping */
			m->current = prev;
			force_sig_bus(m, t, a < addr ? addr : a, vma->vm_flags & VM_HUGETLB);
			return -EFAULT;
		}
		if (err) {
			/* VM_FAULT_OOM: the allocator's OOM killer did not help */
			if (err == -ENOMEM && !m->panicked)
				pagefault_out_of_memory(m, t);
			break;
		}
	}
	update_hiwater_rss(mm);
	return (int)syscall_exit_oom(m, t->pid, prev, err);
}

/* SIGBUS: the kernel logs nothing; the process dies */
void force_sig_bus(struct machine *m, struct task_struct *t, unsigned long addr, bool hugetlb)
{
	printk(m, "%s[%d]: SIGBUS (BUS_ADRERR) at %lx: %s", t->comm, t->pid, addr,
	       hugetlb ? "no huge page in the pool" : "beyond the end of the mapped file");
	sys_exit(m, t);
}

/* The kernel's show_signal_msg line, then the process dies */
void force_sig_segv(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long prot,
		    bool write)
{
	struct vm_area_struct *text = NULL, *vma;
	unsigned long sp = t->mm ? t->mm->start_stack : 0;

	if (t->mm) {
		for_each_vma(t->mm, it, vma) {
			if (vma->kind == VMA_FILE && (vma->vm_flags & VM_EXEC)) {
				text = vma;
				break;
			}
		}
	}
	if (text)
		printk(m, "%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx in %s[%lx+%lx] likely on CPU %d (core %d, socket %d)",
		       t->comm, t->pid, addr, text->vm_start, sp, fault_error_code(prot, write),
		       strrchr(text->file, '/') ? strrchr(text->file, '/') + 1 : text->file, text->vm_start,
		       text->vm_end - text->vm_start, t->cpu, t->cpu, cpu_to_node(m, t->cpu));
	else
		printk(m, "%s[%d]: segfault at %lx ip 0000000000000000 sp %016lx error %lx", t->comm, t->pid, addr,
		       sp, fault_error_code(prot, write));
	sys_exit(m, t);
}
