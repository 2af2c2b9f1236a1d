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

#endif
