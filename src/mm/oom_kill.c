/*
 * mm/oom_kill.c: how the OOM killer ranks processes (oom_badness) and the
 * 0..2000 score of /proc/PID/oom_score.
 *
 * Models: badness = RSS + swap entries + page-table pages, plus
 * oom_score_adj * totalpages / 1000; oom_score = 1000 + badness * 1000 /
 * totalpages (proc_oom_score).  Simplifies: the killer itself comes with
 * the memory-pressure issue.
 */
#include "mm_internal_proc.h"

#define OOM_SCORE_ADJ_MIN (-1000)

static long oom_badness(struct task_struct *t, unsigned long totalpages)
{
	long points, adj;

	if (!t->mm || (t->flags & PF_KTHREAD) || t->pid == 1)
		return LONG_MIN;
	adj = t->oom_score_adj;
	if (adj == OOM_SCORE_ADJ_MIN)
		return LONG_MIN;
	points = (long)(get_mm_rss(t->mm) + get_mm_counter(t->mm, MM_SWAPENTS) +
			t->mm->pgtables_bytes / PAGE_SIZE);
	adj *= (long)totalpages / 1000;
	return points + adj;
}

long oom_score(struct machine *m, struct task_struct *t)
{
	unsigned long totalpages = m->totalram_pages; /* + total_swap_pages */
	long badness = oom_badness(t, totalpages);

	if (badness == LONG_MIN)
		return 0;
	return (1000 + badness * 1000 / (long)totalpages) * 2 / 3;
}
