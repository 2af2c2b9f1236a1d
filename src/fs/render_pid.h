/*
 * What the renderers of proc/PID/ (and proc/PID/task/TID/) share, as the
 * kernel's fs/proc/internal.h: render_array.c (stat, statm, status),
 * render_task_mmu.c (maps, smaps, smaps_rollup, numa_maps and the address
 * space's figures) and render_pid_base.c (cmdline, comm, environ, cgroup,
 * the oom files).
 */
#ifndef MMSIM_FS_RENDER_PID_H
#define MMSIM_FS_RENDER_PID_H

#include <glib.h>

#include "render.h"

/* The thread for task/TID files, the process otherwise; NULL once gone */
struct task_struct *get_proc_task(struct machine *m, const struct fs_ctx *ctx);

/* task_statm: the pages of statm's columns; returns the size (total_vm) */
unsigned long task_statm(const struct mm_struct *mm, unsigned long *shared, unsigned long *text,
			 unsigned long *data, unsigned long *resident);
/* task_mem: status's Vm and Rss lines and the mm-only lines after them */
void task_mem(GString *out, const struct mm_struct *mm);

/* fs/proc/task_mmu.c: PSS is summed in bytes << PSS_SHIFT */
#define PSS_SHIFT 12

/* One term of a VMA's Pss: its pages mapped mapcount times, each adding
 * (PAGE_SIZE << PSS_SHIFT) / mapcount */
struct pss_term {
	int mapcount;
	unsigned long pages;
	uint64_t pss;      /* their sum, bytes << PSS_SHIFT */
};
/* smaps's Pss of one VMA in bytes << PSS_SHIFT, from the same walk and
 * accounting; terms (struct pss_term, may be NULL) gets its terms */
uint64_t smaps_vma_pss(struct machine *m, struct vm_area_struct *vma, GArray *terms);
/* The VMA's line of maps */
void show_map_vma(GString *out, const struct vm_area_struct *vma);

#endif
