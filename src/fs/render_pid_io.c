/*
 * proc/PID/io, limits, wchan and the exe, cwd and root links: the rest of
 * fs/proc/base.c that tools read (pidstat -d, htop's I/O columns, psutil's
 * io_counters and exe, ps -o wchan), in Linux 6.18's formats.
 *
 * Simplifies:
 *  - every process runs in / with / as its root;
 *  - wchan names the function a task of the model sleeps in by its kind
 *    (a kernel thread's main loop, poll for a user process);
 *  - the rlimits are the kernel's defaults for init's children.
 */
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "mmsim/task_info.h"

/* do_io_accounting: the thread's counters (one thread per process) */
void render_pid_io(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (!t)
		return;
	g_string_append_printf(out,
			       "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\nread_bytes: %llu\n"
			       "write_bytes: %llu\ncancelled_write_bytes: %llu\n",
			       (unsigned long long)t->ioac_rchar, (unsigned long long)t->ioac_wchar,
			       (unsigned long long)t->ioac_syscr, (unsigned long long)t->ioac_syscw,
			       (unsigned long long)t->ioac_read_bytes, (unsigned long long)t->ioac_write_bytes,
			       (unsigned long long)t->ioac_cancelled_write_bytes);
}

/* proc_pid_limits: "%-25s %-20s %-20s %-10s" with "unlimited" for
 * RLIM_INFINITY; a limit without a unit ends after the hard limit */
void render_pid_limits(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct rlimit rlim[RLIM_NLIMITS];

	if (!get_proc_task(m, ctx))
		return;
	task_rlimits(m, rlim);
	g_string_append_printf(out, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		const char *unit = rlimit_unit(i);

		if (rlim[i].rlim_cur == RLIM_INFINITY)
			g_string_append_printf(out, "%-25s %-20s ", rlimit_name(i), "unlimited");
		else
			g_string_append_printf(out, "%-25s %-20lu ", rlimit_name(i), rlim[i].rlim_cur);
		if (rlim[i].rlim_max == RLIM_INFINITY)
			g_string_append_printf(out, "%-20s ", "unlimited");
		else
			g_string_append_printf(out, "%-20lu ", rlim[i].rlim_max);
		if (unit)
			g_string_append_printf(out, "%-10s", unit);
		g_string_append_c(out, '\n');
	}
}

/* proc_pid_wchan: "0" for a running task, else where it sleeps */
void render_pid_wchan(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t)
		g_string_append(out, task_wchan(t));
}

/* exe: the program's file (the mapping holding start_code); none for a
 * kernel thread */
void render_pid_exe(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	struct vm_area_struct *vma;

	if (!t || !t->mm)
		return;
	vma = find_vma(t->mm, t->mm->start_code);
	if (vma && vma->vm_start <= t->mm->start_code && vma->file)
		g_string_append(out, vma->file);
}

/* cwd and root: "/", for kernel threads too */
void render_pid_fs_root(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	if (get_proc_task(m, ctx))
		g_string_append(out, "/");
}
