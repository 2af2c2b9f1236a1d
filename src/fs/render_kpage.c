/*
 * The binary files of page-level state: proc/PID/pagemap, proc/kpageflags,
 * proc/kpagecount (fs/proc/task_mmu.c pagemap_read, fs/proc/page.c), read
 * at any offset, 8 bytes per entry; and proc/PID/clear_refs.
 *
 * A read at an offset or of a size that is not a multiple of 8 is EINVAL,
 * as in Linux; past the end it gives 0 bytes, near it fewer.
 */
#include <errno.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "mmsim/proc_page.h"

/* The entries one pagemap read produces at most (PAGEMAP_WALK_SIZE's
 * batch, the buffer a read fills before copying out) */
#define PAGEMAP_BATCH 512

/* pagemap_read after the checks: the entries of [start, end) into buf */
static ssize_t pagemap_copy(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
			    bool show_pfn, char *buf)
{
	uint64_t batch[PAGEMAP_BATCH];
	size_t copied = 0;

	while (start < end) {
		unsigned long stop = MIN(end, start + (PAGEMAP_BATCH << PAGE_SHIFT));
		size_t n = (stop - start) >> PAGE_SHIFT;

		pagemap_entries(m, mm, start, stop, show_pfn, batch);
		memcpy(buf + copied, batch, n * PM_ENTRY_BYTES);
		copied += n * PM_ENTRY_BYTES;
		start = stop;
	}
	return (ssize_t)copied;
}

ssize_t read_bin_pagemap(struct machine *m, const struct fs_ctx *ctx, char *buf, size_t count, off_t off)
{
	struct task_struct *t = get_proc_task(m, ctx);
	struct mm_struct *mm = t ? t->mm : NULL;
	unsigned long svpfn, start_vaddr, end_vaddr;

	if (!mm)
		return 0;
	if (off < 0 || (off % PM_ENTRY_BYTES) || (count % PM_ENTRY_BYTES))
		return -EINVAL;
	if (!count)
		return 0;
	svpfn = (unsigned long)off / PM_ENTRY_BYTES;
	end_vaddr = mm->task_size;
	start_vaddr = end_vaddr;
	/* watch out for wraparound */
	if (svpfn <= (ULONG_MAX >> PAGE_SHIFT)) {
		unsigned long end;

		start_vaddr = svpfn << PAGE_SHIFT;
		end = start_vaddr + ((count / PM_ENTRY_BYTES) << PAGE_SHIFT);
		if (end >= start_vaddr && end < mm->task_size)
			end_vaddr = end;
	}
	/* ensure the address is inside the task */
	if (start_vaddr > mm->task_size)
		start_vaddr = end_vaddr;
	if (start_vaddr >= end_vaddr)
		return 0;
	return pagemap_copy(m, mm, start_vaddr, end_vaddr, ctx->cap_sys_admin, buf);
}

typedef uint64_t (*kpage_fn)(struct machine *m, unsigned long pfn);

/* kpageflags_read and kpagecount_read: one u64 per PFN up to
 * get_max_dump_pfn */
static ssize_t kpage_read(struct machine *m, char *buf, size_t count, off_t off, kpage_fn fn)
{
	unsigned long max = get_max_dump_pfn(m), pfn;
	size_t done = 0;

	if (off < 0 || (off & KPMMASK) || (count & KPMMASK))
		return -EINVAL;
	if ((unsigned long)off >= max * KPMSIZE)
		return 0;
	count = MIN(count, max * KPMSIZE - (unsigned long)off);
	for (pfn = (unsigned long)off / KPMSIZE; done < count; pfn++, done += KPMSIZE) {
		uint64_t v = fn(m, pfn);

		memcpy(buf + done, &v, KPMSIZE);
	}
	return (ssize_t)done;
}

ssize_t read_bin_kpageflags(struct machine *m, const struct fs_ctx *ctx, char *buf, size_t count, off_t off)
{
	(void)ctx;
	return kpage_read(m, buf, count, off, stable_page_flags);
}

ssize_t read_bin_kpagecount(struct machine *m, const struct fs_ctx *ctx, char *buf, size_t count, off_t off)
{
	(void)ctx;
	return kpage_read(m, buf, count, off, kpagecount);
}

/* clear_refs is write-only (0200): a read is refused at open */
void render_pid_clear_refs(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

/* clear_refs_write: kstrtoint(strstrip(at most 12 bytes), 10), 1..5 */
int write_pid_clear_refs(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct task_struct *t = get_proc_task(m, ctx);
	char buffer[13] = { 0 };
	int type, err;

	(void)reply;
	if (!t)
		return -ESRCH;
	memcpy(buffer, buf, MIN(len, sizeof(buffer) - 1));
	err = kstrtoint(g_strstrip(buffer), 10, &type);
	if (err) {
		printk(m, "proc/%d/clear_refs: write refused: %s", t->pid,
		       err == -ERANGE ? "number out of range" : "not a number");
		return err;
	}
	err = clear_refs(m, t, type);
	if (err)
		printk(m, "proc/%d/clear_refs: write refused: type %d outside 1..5", t->pid, type);
	return err;
}
