/*
 * sim/explain/PID/: one process's derived values, their formula filled in
 * with today's operands (see render_explain.c): oom_score from
 * oom_score_ops (the function proc/PID/oom_score uses), each VMA's Pss
 * from smaps's own walk and accounting (smaps_vma_pss), and the
 * readahead window of each file the process has open or mapped with the
 * last decision on-demand readahead took for it.
 */
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_explain.h"
#include "render_pid.h"
#include "render_util.h"
#include "mmsim/explain.h"
#include "mmsim/pagemap.h"

/* The real file's path for a result line: proc/PID/NAME */
static char *proc_path(const struct fs_ctx *ctx, const char *name)
{
	return g_strdup_printf("proc/%d/%s", ctx->pid, name);
}

/* ------------------------------------------------------------------ */
/* oom_score                                                           */
/* ------------------------------------------------------------------ */

static void explain_oom_badness(GString *out, const struct oom_score_ops *o)
{
	g_string_append_printf(out,
			       "  points   = rss + swap entries + page-table pages\n"
			       "           = %lu + %lu + %lu = %ld\n",
			       o->rss, o->swapents, o->pgtables, o->points);
	g_string_append_printf(out,
			       "  adj      = oom_score_adj * (totalpages / 1000)\n"
			       "           = %ld * (%lu / 1000) = %ld\n"
			       "  badness  = points + adj = %ld + %ld = %ld\n",
			       o->adj, o->totalpages, o->adj_pages, o->points, o->adj_pages, o->badness);
	g_string_append_printf(out,
			       "proc_oom_score (fs/proc/base.c) scales it to 0..2000:\n"
			       "  score    = (1000 + badness * 1000 / totalpages) * 2 / 3\n"
			       "           = (1000 + %ld * 1000 / %lu) * 2 / 3 = %ld * 2 / 3 = %ld\n",
			       o->badness, o->totalpages, o->scaled, o->score);
}

void render_explain_pid_oom_score(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	g_autofree char *path = proc_path(ctx, "oom_score");
	struct oom_score_ops o;

	if (!t)
		return;
	oom_score_ops(m, t, &o);
	g_string_append_printf(out,
			       "oom_score of %d (%s): how the OOM killer ranks it now; it kills the\n"
			       "highest badness (oom_badness, mm/oom_kill.c). Pages of 4 KiB;\n"
			       "totalpages = RAM + swap = %lu.\n\n",
			       t->pid, t->comm, o.totalpages);
	if (o.unkillable)
		g_string_append(out, "  never killed (init, a kernel thread, or no memory of its own): 0\n");
	else if (o.adj_min)
		g_string_append(out, "  oom_score_adj is -1000 (OOM_SCORE_ADJ_MIN): never killed, 0\n");
	else
		explain_oom_badness(out, &o);
	g_string_append_c(out, '\n');
	explain_result(out, path, "%ld", o.score);
}

/* ------------------------------------------------------------------ */
/* Pss                                                                 */
/* ------------------------------------------------------------------ */

static void explain_vma_pss(struct machine *m, GString *out, struct vm_area_struct *vma, const char *smaps)
{
	g_autoptr(GArray) terms = g_array_new(FALSE, FALSE, sizeof(struct pss_term));
	uint64_t pss = smaps_vma_pss(m, vma, terms);
	uint64_t bytes = pss >> PSS_SHIFT;

	show_map_vma(out, vma);
	for (guint i = 0; i < terms->len; i++) {
		const struct pss_term *term = &g_array_index(terms, struct pss_term, i);

		g_string_append_printf(out, "  %lu page%s mapped %d time%s: %lu * 4096 / %d = %llu bytes\n", term->pages,
				       term->pages == 1 ? "" : "s", term->mapcount, term->mapcount == 1 ? "" : "s",
				       term->pages, term->mapcount, (unsigned long long)(term->pss >> PSS_SHIFT));
	}
	if (!terms->len)
		g_string_append(out, "  no page of it is in memory\n");
	g_string_append_printf(out, "  Pss = %llu bytes = %llu kB\n", (unsigned long long)bytes,
			       (unsigned long long)(bytes >> 10));
	explain_result(out, smaps, "%08lx-%08lx Pss: %llu kB", vma->vm_start, vma->vm_end,
		       (unsigned long long)(bytes >> 10));
	g_string_append_c(out, '\n');
}

void render_explain_pid_pss(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	g_autofree char *smaps = proc_path(ctx, "smaps");
	struct vm_area_struct *vma;

	if (!t || !t->mm)
		return;
	g_string_append_printf(out,
			       "Pss of each mapping of %d (%s): its proportional share of memory\n"
			       "(smaps_account, fs/proc/task_mmu.c). Each page in memory adds\n"
			       "PAGE_SIZE / mapcount, mapcount being how many page tables map it: a page\n"
			       "shared by 3 processes counts a third in each, so the Pss of all processes\n"
			       "sums to the memory in use. Summed exactly (bytes << 12), shown in kB.\n\n",
			       t->pid, t->comm);
	for_each_vma(t->mm, it, vma)
		explain_vma_pss(m, out, vma, smaps);
}

/* ------------------------------------------------------------------ */
/* readahead                                                           */
/* ------------------------------------------------------------------ */

static void explain_ra_decision(GString *out, const struct file_ra_state *ra)
{
	const struct ra_decision *d = &ra->last;

	g_string_append_printf(out, "  last decision, a read of %lu page%s at page %lu: ", d->req_count,
			       d->req_count == 1 ? "" : "s", d->index);
	switch (d->reason) {
	case RA_NONE:
		g_string_append(out, "none yet\n");
		break;
	case RA_OFF:
		g_string_append(out, "ra_pages is 0 (read_ahead_kb 0): the page asked for only\n");
		break;
	case RA_INITIAL:
		g_string_append_printf(out,
				       "page_cache_sync_ra, start of file or sequential (previous page %lu):\n"
				       "    a new window, size = get_init_ra_size(%lu, max %lu) = %u,"
				       " async_size = %u\n",
				       d->prev_index, d->req_count, d->max_pages, ra->size, ra->async_size);
		break;
	case RA_RANDOM:
		g_string_append_printf(out,
				       "page_cache_sync_ra, random: only %lu page%s cached just before it\n"
				       "    (not more than the read): read as is, no window\n",
				       d->contig, d->contig == 1 ? "" : "s");
		break;
	case RA_CONTEXT:
		g_string_append_printf(out,
				       "page_cache_sync_ra, a stream found in the page cache: %lu cached\n"
				       "    pages before it, size = min(history + read, max %lu) = %u\n",
				       d->contig, d->max_pages, ra->size);
		break;
	case RA_ASYNC:
		g_string_append_printf(out,
				       "page_cache_async_ra, the PG_readahead mark of the window was hit:\n"
				       "    start += size, size = get_next_ra_size(%u, max %lu) = %u"
				       " (x4 below max/16, x2 up to max/2)\n",
				       d->old_size, d->max_pages, ra->size);
		break;
	case RA_ASYNC_CACHED:
		g_string_append_printf(out,
				       "page_cache_async_ra, a mark out of order: the window restarts at\n"
				       "    the next page not cached (%lu), size = get_next_ra_size = %u\n",
				       d->contig, ra->size);
		break;
	case RA_MMAP_AROUND:
		g_string_append_printf(out,
				       "do_sync_mmap_readahead, a fault on a mapping: read-around,\n"
				       "    ra_pages (%lu) centred on the fault\n",
				       d->max_pages);
		break;
	}
}

static void explain_file_ra(GString *out, const struct file *f)
{
	const struct file_ra_state *ra = &f->f_ra;

	g_string_append_printf(out, "%s (inode %lu)\n", f->f_inode->path, f->f_inode->i_ino);
	g_string_append_printf(out, "  ra_pages %u (read_ahead_kb / 4), previous read ended at byte %lld\n",
			       ra->ra_pages, (long long)ra->prev_pos);
	g_string_append_printf(out,
			       "  window: start %lu, size %u, async_size %u: pages %lu..%lu read,"
			       " the PG_readahead mark on page %lu\n",
			       ra->start, ra->size, ra->async_size, ra->start, ra->start + ra->size - (ra->size ? 1 : 0),
			       ra->start + ra->size - ra->async_size);
	explain_ra_decision(out, ra);
	g_string_append_c(out, '\n');
}

static gint file_by_path(gconstpointer a, gconstpointer b)
{
	const struct file *fa = *(struct file *const *)a, *fb = *(struct file *const *)b;

	return strcmp(fa->f_inode->path, fb->f_inode->path);
}

/* The task's open files and the files its VMAs map, once each, by path */
static GPtrArray *task_ra_files(struct task_struct *t)
{
	GPtrArray *files = g_ptr_array_new();
	struct vm_area_struct *vma;

	if (t->files) {
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, t->files);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_ptr_array_add(files, v);
	}
	if (t->mm)
		for_each_vma(t->mm, it, vma)
			if (vma->vm_file && vma->kind == VMA_FILE && !g_ptr_array_find(files, vma->vm_file, NULL))
				g_ptr_array_add(files, vma->vm_file);
	g_ptr_array_sort(files, file_by_path);
	return files;
}

void render_explain_pid_readahead(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	g_autoptr(GPtrArray) files = NULL;

	if (!t)
		return;
	files = task_ra_files(t);
	g_string_append_printf(out,
			       "Readahead of %d (%s): on-demand readahead (mm/readahead.c) keeps a window\n"
			       "per open file (struct file_ra_state): pages start..start+size-1 were read\n"
			       "ahead, and a hit on the mark async_size pages before the end reads the\n"
			       "next, larger window in the background. Pages of 4 KiB.\n\n",
			       t->pid, t->comm);
	if (!files->len)
		g_string_append(out, "no open file\n");
	for (guint i = 0; i < files->len; i++)
		explain_file_ra(out, g_ptr_array_index(files, i));
}
