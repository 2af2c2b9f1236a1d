/*
 * Engine-internal declarations shared by the files of src/mm (the
 * counterpart of the kernel's mm/internal.h).
 */
#ifndef MMSIM_MM_INTERNAL_H
#define MMSIM_MM_INTERNAL_H

#include "mmsim/machine.h"
#include "mmsim/ksm.h"
#include "mmsim/memcontrol.h"
#include "mmsim/page_content.h"
#include "ksm_mm.h"

/* The physical holes of the simulated PC below 1 MiB: pfn 0 (firmware) and
 * the legacy video/BIOS area 0x9f000-0xfffff.  The PCI hole at 3-4 GiB is
 * whole sections and so is SECTION_ABSENT. */
#define LOW_HOLE_START_PFN 0x9fUL
#define LOW_HOLE_END_PFN 0x100UL

static inline bool pfn_in_hole(const struct machine *m, unsigned long pfn)
{
	(void)m;
	return pfn == 0 || (pfn >= LOW_HOLE_START_PFN && pfn < LOW_HOLE_END_PFN);
}

/* sparse.c */
void sparse_init_memmap_arena(struct machine *m);
void sparse_free_memmaps(struct machine *m);

/* page_alloc.c */
void buddy_adopt_pristine_section(struct machine *m, unsigned long secnr, unsigned long start_pfn);
void buddy_add_pristine_section(struct machine *m, struct zone *zone, unsigned long secnr);
void __free_one_page(struct machine *m, struct zone *zone, unsigned long pfn, unsigned int order, int mt);
void build_all_zonelists(struct machine *m);

/* show_mem.c */
void format_gfp(GString *s, unsigned int gfp);  /* %pGg */
void warn_alloc(struct machine *m, unsigned int gfp, unsigned int order, int cpu);

/* oom_kill.c */
bool out_of_memory(struct machine *m, unsigned int gfp_mask, int order, int cpu);
void pagefault_out_of_memory(struct machine *m, struct task_struct *t);
void setup_zone_pagesets(struct machine *m);

/* swap.c: the LRU lists */
void pfn_list_add(struct machine *m, uint32_t *head, uint32_t *tail_pfn, unsigned long pfn, bool tail);
void lruvec_init(struct machine *m, struct lruvec *lv);
void lruvec_add_folio(struct machine *m, unsigned long pfn);
void lruvec_add_folio_tail(struct machine *m, unsigned long pfn);
void lruvec_del_folio(struct machine *m, unsigned long pfn);
void folio_add_lru(struct machine *m, unsigned long pfn);
void folio_activate(struct machine *m, unsigned long pfn);
void folio_mark_accessed(struct machine *m, unsigned long pfn);
void lru_mlock_folio(struct machine *m, unsigned long pfn);
void lru_munlock_folio(struct machine *m, unsigned long pfn);
void workingset_activation(struct machine *m, unsigned long pfn);

#include "mmsim/trace_events.h"

/* include/linux/mm.h add_mm_counter / inc_mm_counter / dec_mm_counter:
 * every change of an mm's RSS counters, traced as kmem:rss_stat */
static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	mm->rss_stat[member] += value;
	trace_rss_stat(mm->machine, mm, member);
}
static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, 1);
}
static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, -1);
}

/* include/linux/swap.h: the batch reclaim works in */
#define SWAP_CLUSTER_MAX 32UL

/* mm/internal.h: rounds of reclaim without progress before giving up */
#define MAX_RECLAIM_RETRIES 16

/* kswapd.c */
bool kswapd_is_running(pg_data_t *pgdat);

/* timer.c */
void timers_init(struct machine *m);
void timers_destroy(struct machine *m);

/* periodic kernel work */
void vmstat_update(struct machine *m, void *arg);
void calc_global_load(struct machine *m, void *arg);
void psi_avgs_work(struct machine *m, void *arg);
void psi_memstall_account(struct machine *m, uint64_t start, uint64_t end, bool full);

#endif
