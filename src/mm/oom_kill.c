/*
 * mm/oom_kill.c (with mm/show_mem.c's report and kernel/panic.c's halt):
 * the OOM killer, its report, the OOM reaper, and the 0..2000 score of
 * /proc/PID/oom_score.
 *
 * Models: oom_badness (RSS + swap entries + page-table pages, plus
 * oom_score_adj * totalpages / 1000, totalpages = RAM + swap);
 * out_of_memory as the page allocator's __alloc_pages_may_oom calls it
 * (check_panic_on_oom, oom_kill_allocating_task, select_bad_process over
 * the tasks with an mm in PID order: kernel threads, init and
 * oom_score_adj -1000 spared, ties to the later task, a victim still dying
 * aborting the scan); the report in the kernel's words and layout
 * (dump_header: the "invoked oom-killer" line, show_mem's Mem-Info block,
 * per-node and per-zone lines, free lists per order with their
 * migratetypes, page cache and swap lines, the dump_tasks table; then the
 * oom-kill context line and "Out of memory: Killed process"); the OOM
 * reaper unmapping the victim's private memory ("oom_reaper: reaped
 * process"); the oom_kill vm event; panic_on_oom halting the machine;
 * "Out of memory and no killable processes" followed by the panic "System
 * is deadlocked on memory".
 *
 * SIGKILL and the running task: a victim that is not in a system call dies
 * at once.  A victim that is (m->current: its own fault, populate, malloc
 * or fork ran the allocator out of memory) is marked, may use the
 * ALLOC_OOM reserves to finish the allocation at hand, stops at its next
 * fatal_signal_pending check, and dies when the system call returns
 * (syscall_exit_oom): the command then fails with ESRCH, as any later
 * command to that PID does.  Inside, the calls give up with -EINTR as the
 * kernel's paths do for a fatal signal (__get_user_pages, __mm_populate,
 * copy_process), but a real program never sees that errno because it is
 * dead, and EINTR would make the writer's libc or Python retry the write
 * (which then finds no such process anyway).
 *
 * The memcg OOM (out_of_memory_memcg, as mem_cgroup_out_of_memory calls
 * it): the tasks of the memcg only, totalpages its memory.max plus swap,
 * the memcg's counters and memory.stat instead of show_mem,
 * CONSTRAINT_MEMCG with oom_memcg=, and memory.oom.group killing the rest
 * of the group.
 *
 * Simplifies: no cpuset or mempolicy constraints; no dump_stack (the CPU line, Hardware name
 * and call trace are left out) and no unreclaimable-slab dump; the OOM
 * reaper runs at once, within the allocation that invoked the killer (the
 * kernel waits OOM_REAPER_DELAY, 2 s, for the victim to exit by itself);
 * no ratelimit on the report; processes have one thread and share no mm.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/explain.h"
#include "mmsim/gfp.h"
#include "mmsim/hugetlb.h"
#include "mmsim/swap.h"
#include "mmsim/trace_events.h"
#include "mm_internal.h"
#include "mmsim/cgroup.h"
#include "mm_internal_proc.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

struct oom_control {
	gfp_t gfp_mask;
	int order;
	int cpu;
	unsigned long totalpages;
	struct task_struct *chosen;  /* the victim, or OOM_ABORT */
	long chosen_points;
	struct mem_cgroup *memcg;    /* a memcg OOM: the cgroup over its limit */
};

#define OOM_ABORT ((struct task_struct *)-1L)

/* oom_unkillable_task: kernel threads and the global init */
static bool oom_unkillable_task(const struct task_struct *t)
{
	return t->pid == 1 || (t->flags & PF_KTHREAD);
}

/* oom_badness: the pages the task would free, plus its oom_score_adj in
 * thousandths of the memory; LONG_MIN for a task never to kill */
static long oom_badness_ops(struct task_struct *t, unsigned long totalpages, struct oom_score_ops *ops)
{
	*ops = (struct oom_score_ops){ .totalpages = totalpages, .adj = t->oom_score_adj };
	ops->unkillable = oom_unkillable_task(t) || !t->mm;
	if (ops->unkillable)
		return LONG_MIN;
	ops->adj_min = ops->adj == OOM_SCORE_ADJ_MIN;
	if (ops->adj_min)
		return LONG_MIN;
	ops->rss = get_mm_rss(t->mm);
	ops->swapents = get_mm_counter(t->mm, MM_SWAPENTS);
	ops->pgtables = t->mm->pgtables_bytes / PAGE_SIZE;
	ops->points = (long)(ops->rss + ops->swapents + ops->pgtables);
	ops->adj_pages = ops->adj * ((long)totalpages / 1000);
	ops->badness = ops->points + ops->adj_pages;
	return ops->badness;
}

static long oom_badness(struct task_struct *t, unsigned long totalpages)
{
	struct oom_score_ops ops;

	return oom_badness_ops(t, totalpages, &ops);
}

static unsigned long oom_totalpages(struct machine *m)
{
	return m->totalram_pages + (unsigned long)get_total_swap_pages(m);
}

long oom_score_ops(struct machine *m, struct task_struct *t, struct oom_score_ops *ops)
{
	unsigned long totalpages = oom_totalpages(m);
	long badness = oom_badness_ops(t, totalpages, ops);

	ops->score = 0;
	/* proc_oom_score: 1000 + points * 1000 / totalpages, shown as 2/3 of it */
	if (badness != LONG_MIN) {
		ops->scaled = 1000 + badness * 1000 / (long)totalpages;
		ops->score = ops->scaled * 2 / 3;
	}
	return ops->score;
}

long oom_score(struct machine *m, struct task_struct *t)
{
	struct oom_score_ops ops;

	return oom_score_ops(m, t, &ops);
}

/* ---- the report ---- */

/* A printk record with continuation lines: dmesg shows them under the
 * first line's text, without a timestamp of their own */
static void printk_lines(struct machine *m, const char *text)
{
	gsize before = m->log->len, pad;
	const char *nl = strchr(text, '\n');

	if (!nl) {
		printk(m, "%s", text);
		return;
	}
	printk(m, "%.*s", (int)(nl - text), text);
	/* the prefix "[seconds.micros] " of the line just written */
	pad = (gsize)(strchr(m->log->str + before, ']') - (m->log->str + before)) + 2;
	for (const char *p = nl + 1; *p;) {
		const char *e = strchr(p, '\n');
		gsize n = e ? (gsize)(e - p) : strlen(p);

		for (gsize i = 0; i < pad; i++)
			g_string_append_c(m->log, ' ');
		g_string_append_len(m->log, p, (gssize)n);
		g_string_append_c(m->log, '\n');
		p += n + (e ? 1 : 0);
	}
}

static const char *current_comm(struct machine *m, int cpu, char *buf, size_t len)
{
	if (m->current)
		return m->current->comm;
	g_snprintf(buf, len, "kworker/%d:1", cpu);
	return buf;
}

static unsigned long zone_free_pcp(struct machine *m, const struct zone *zone)
{
	unsigned long n = 0;

	for (int cpu = 0; zone->per_cpu_pageset && cpu < m->nr_cpus; cpu++)
		n += (unsigned long)zone->per_cpu_pageset[cpu].count;
	return n;
}

/* free pages on the HighAtomic lists (no reserve is ever made: 0) */
static unsigned long free_highatomic(const struct zone *zone)
{
	unsigned long n = 0;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		n += free_area_count(zone, o, MIGRATE_HIGHATOMIC) << o;
	return n;
}

/* show_free_areas for the zones an allocation of max_zone_idx may use */
/* show_free_areas' first lines: the machine's page counts */
static void show_free_areas_global(struct machine *m)
{
	unsigned long free_pcp = 0;
	g_autoptr(GString) s = g_string_new(NULL);

	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			if (populated_zone(zone))
				free_pcp += zone_free_pcp(m, zone);
	g_string_printf(s,
			"active_anon:%ld inactive_anon:%ld isolated_anon:%ld\n"
			" active_file:%ld inactive_file:%ld isolated_file:%ld\n"
			" unevictable:%ld dirty:%ld writeback:%ld\n"
			" slab_reclaimable:%ld slab_unreclaimable:%ld\n"
			" mapped:%ld shmem:%ld pagetables:%ld\n"
			" sec_pagetables:%ld\n"
			" kernel_misc_reclaimable:%ld\n"
			" free:%ld free_pcp:%lu free_cma:%ld",
			global_node_page_state(m, NR_ACTIVE_ANON), global_node_page_state(m, NR_INACTIVE_ANON),
			global_node_page_state(m, NR_ISOLATED_ANON), global_node_page_state(m, NR_ACTIVE_FILE),
			global_node_page_state(m, NR_INACTIVE_FILE), global_node_page_state(m, NR_ISOLATED_FILE),
			global_node_page_state(m, NR_UNEVICTABLE), global_node_page_state(m, NR_FILE_DIRTY),
			global_node_page_state(m, NR_WRITEBACK),
			global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) >> PAGE_SHIFT,
			global_node_page_state(m, NR_SLAB_UNRECLAIMABLE_B) >> PAGE_SHIFT,
			global_node_page_state(m, NR_FILE_MAPPED), global_node_page_state(m, NR_SHMEM),
			global_node_page_state(m, NR_PAGETABLE), global_node_page_state(m, NR_SECONDARY_PAGETABLE),
			global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE),
			global_zone_page_state(m, NR_FREE_PAGES), free_pcp,
			global_zone_page_state(m, NR_FREE_CMA_PAGES));
	printk_lines(m, s->str);
}

/* show_free_areas' line per node */
static void show_free_areas_nodes(struct machine *m)
{
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		printk(m, "Node %d active_anon:%lukB inactive_anon:%lukB active_file:%lukB inactive_file:%lukB "
		       "unevictable:%lukB isolated(anon):%lukB isolated(file):%lukB mapped:%lukB dirty:%lukB "
		       "writeback:%lukB shmem:%lukB shmem_thp:%lukB shmem_pmdmapped:%lukB anon_thp:%lukB "
		       "kernel_stack:%ldkB pagetables:%lukB sec_pagetables:%lukB all_unreclaimable? %s "
		       "Balloon:%lukB",
		       nid, K(node_page_state(pgdat, NR_ACTIVE_ANON)), K(node_page_state(pgdat, NR_INACTIVE_ANON)),
		       K(node_page_state(pgdat, NR_ACTIVE_FILE)), K(node_page_state(pgdat, NR_INACTIVE_FILE)),
		       K(node_page_state(pgdat, NR_UNEVICTABLE)), K(node_page_state(pgdat, NR_ISOLATED_ANON)),
		       K(node_page_state(pgdat, NR_ISOLATED_FILE)), K(node_page_state(pgdat, NR_FILE_MAPPED)),
		       K(node_page_state(pgdat, NR_FILE_DIRTY)), K(node_page_state(pgdat, NR_WRITEBACK)),
		       K(node_page_state(pgdat, NR_SHMEM)), K(node_page_state(pgdat, NR_SHMEM_THPS)),
		       K(node_page_state(pgdat, NR_SHMEM_PMDMAPPED)), K(node_page_state(pgdat, NR_ANON_THPS)),
		       node_page_state(pgdat, NR_KERNEL_STACK_KB), K(node_page_state(pgdat, NR_PAGETABLE)),
		       K(node_page_state(pgdat, NR_SECONDARY_PAGETABLE)), "no",
		       K(node_page_state(pgdat, NR_BALLOON_PAGES)));
	}
}

/* show_free_areas' lines per zone: counters, watermarks, lowmem_reserve */
static void show_free_areas_zones(struct machine *m, int max_zone_idx, int cpu)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			if (zone->zone_idx > max_zone_idx || !populated_zone(zone))
				continue;
			printk(m, "Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
			       "reserved_highatomic:%luKB free_highatomic:%luKB active_anon:%lukB inactive_anon:%lukB "
			       "active_file:%lukB inactive_file:%lukB unevictable:%lukB writepending:%lukB "
			       "zspages:%lukB present:%lukB managed:%lukB mlocked:%lukB free_pcp:%lukB "
			       "local_pcp:%lukB free_cma:%lukB",
			       nid, zone->name, K(zone_page_state(zone, NR_FREE_PAGES)), K(zone->watermark_boost),
			       K(min_wmark_pages(zone)), K(low_wmark_pages(zone)), K(high_wmark_pages(zone)),
			       0UL, K(free_highatomic(zone)),
			       K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)), K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
			       K(zone_page_state(zone, NR_ZONE_ACTIVE_FILE)), K(zone_page_state(zone, NR_ZONE_INACTIVE_FILE)),
			       K(zone_page_state(zone, NR_ZONE_UNEVICTABLE)), K(zone_page_state(zone, NR_ZONE_WRITE_PENDING)),
			       K(zone_page_state(zone, NR_ZSPAGES)), K(zone->present_pages), K(zone->managed_pages),
			       K(zone_page_state(zone, NR_MLOCK)), K(zone_free_pcp(m, zone)),
			       K(zone->per_cpu_pageset ? zone->per_cpu_pageset[cpu].count : 0),
			       K(zone_page_state(zone, NR_FREE_CMA_PAGES)));
			g_string_assign(s, "lowmem_reserve[]:");
			for (int i = 0; i < MAX_NR_ZONES; i++)
				g_string_append_printf(s, " %ld", zone->lowmem_reserve[i]);
			printk(m, "%s", s->str);
		}
	}
}

/* show_free_areas' buddy line per zone: blocks per order, their types */
static void show_free_areas_buddy(struct machine *m, int max_zone_idx)
{
	static const char types_char[MIGRATE_TYPES] = { 'U', 'M', 'E', 'H', 'I' };
	g_autoptr(GString) s = g_string_new(NULL);

	for_each_online_node(m, nid) {
		for_each_zone_in_node(m->node_data[nid], zone) {
			unsigned long total = 0;

			if (zone->zone_idx > max_zone_idx || !populated_zone(zone))
				continue;
			g_string_printf(s, "Node %d %s: ", nid, zone->name);
			for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
				unsigned long nr = 0;
				char types[MIGRATE_TYPES + 1];
				int nt = 0;

				for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
					unsigned long n = free_area_count(zone, o, mt);

					nr += n;
					if (n)
						types[nt++] = types_char[mt];
				}
				types[nt] = '\0';
				total += nr << o;
				g_string_append_printf(s, "%lu*%lukB ", nr, K(1UL) << o);
				if (nr)
					g_string_append_printf(s, "(%s) ", types);
			}
			g_string_append_printf(s, "= %lukB", K(total));
			printk(m, "%s", s->str);
		}
	}
}

static void show_free_areas(struct machine *m, int max_zone_idx, int cpu)
{
	show_free_areas_global(m);
	show_free_areas_nodes(m);
	show_free_areas_zones(m, max_zone_idx, cpu);
	show_free_areas_buddy(m, max_zone_idx);
	for_each_online_node(m, nid) {
		/* hugetlb_show_meminfo_node */
		for (int i = 0; hstate_at(m, i); i++) {
			const struct hstate *h = hstate_at(m, i);

			printk(m, "Node %d hugepages_total=%lu hugepages_free=%lu hugepages_surp=%lu hugepages_size=%lukB",
			       nid, h->nr_huge_pages_node[nid], h->free_huge_pages_node[nid],
			       h->surplus_huge_pages_node[nid], huge_page_size(h) >> 10);
		}
	}
	printk(m, "%ld total pagecache pages", global_node_page_state(m, NR_FILE_PAGES));
	/* show_swap_cache_info */
	printk(m, "%ld pages in swap cache", global_node_page_state(m, NR_SWAPCACHE));
	printk(m, "Free swap  = %lukB", K(get_nr_swap_pages(m)));
	printk(m, "Total swap = %lukB", K(get_total_swap_pages(m)));
}

/* __show_mem */
static void show_mem(struct machine *m, int max_zone_idx, int cpu)
{
	unsigned long total = 0, reserved = 0;

	printk(m, "Mem-Info:");
	show_free_areas(m, max_zone_idx, cpu);
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone) {
			total += zone->present_pages;
			reserved += zone->present_pages - zone->managed_pages;
		}
	printk(m, "%lu pages RAM", total);
	printk(m, "0 pages HighMem/MovableOnly");
	printk(m, "%lu pages reserved", reserved);
	printk(m, "0 pages cma reserved");
	printk(m, "0 pages hwpoisoned");
}

/* dump_tasks: every task the killer could consider, in PID order */
static bool oom_task_in_scope(struct machine *m, struct oom_control *oc, struct task_struct *t);

static void dump_tasks(struct machine *m, struct oom_control *oc)
{
	g_autoptr(GArray) pids = task_pids(m);

	printk(m, "Tasks state (memory values in pages):");
	printk(m, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name");
	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));
		struct mm_struct *mm = t->mm;

		if (oom_unkillable_task(t) || !mm || t->in_copy_process || !oom_task_in_scope(m, oc, t))
			continue;
		printk(m, "[%7d] %5u %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5hd %s", t->pid, t->uid,
		       t->tgid, mm->total_vm, get_mm_rss(mm), get_mm_counter(mm, MM_ANONPAGES),
		       get_mm_counter(mm, MM_FILEPAGES), get_mm_counter(mm, MM_SHMEMPAGES), mm->pgtables_bytes,
		       get_mm_counter(mm, MM_SWAPENTS), t->oom_score_adj, t->comm);
	}
}

static bool oom_task_in_scope(struct machine *m, struct oom_control *oc, struct task_struct *t)
{
	return !oc->memcg || mem_cgroup_is_descendant(mem_cgroup_from_task(m, t), oc->memcg);
}

static void dump_header(struct machine *m, struct oom_control *oc)
{
	g_autoptr(GString) flags = g_string_new(NULL);
	char buf[TASK_COMM_LEN + 8];

	format_gfp(flags, oc->gfp_mask);
	printk(m, "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%hd",
	       current_comm(m, oc->cpu, buf, sizeof(buf)), oc->gfp_mask, flags->str, oc->order,
	       (short)(m->current ? m->current->oom_score_adj : 0));
	if (oc->memcg)
		mem_cgroup_print_oom_meminfo(m, oc->memcg);
	else
		show_mem(m, gfp_zone(oc->gfp_mask), oc->cpu);
	if (m->sysctl.oom_dump_tasks)
		dump_tasks(m, oc);
}

static void dump_oom_victim(struct machine *m, struct oom_control *oc, struct task_struct *victim)
{
	g_autofree char *mems = m->nr_nodes > 1 ? g_strdup_printf("0-%d", m->nr_nodes - 1) : g_strdup("0");
	g_autofree char *memcg = cgroup_path_dup(mem_cgroup_from_task(m, victim)->css);
	g_autofree char *oom_memcg = oc->memcg ? cgroup_path_dup(oc->memcg->css) : NULL;

	if (oc->memcg)
		printk(m, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=%s,"
		       "oom_memcg=%s,task_memcg=%s,task=%s,pid=%d,uid=%u",
		       mems, oom_memcg, memcg, victim->comm, victim->pid, victim->uid);
	else
		printk(m, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=%s,global_oom,"
		       "task_memcg=%s,task=%s,pid=%d,uid=%u",
		       mems, memcg, victim->comm, victim->pid, victim->uid);
}

/* kernel/panic.c: the machine stops; sim/ctl refuses from now on */
static void panic(struct machine *m, const char *msg)
{
	printk(m, "Kernel panic - not syncing: %s", msg);
	printk(m, "---[ end Kernel panic - not syncing: %s ]---", msg);
	m->panicked = true;
}

/* ---- killing and reaping ---- */

/* __oom_reap_task_mm: unmap the private memory (anonymous and private file
 * mappings; shared ones and PFN maps stay) */
static void oom_reap_task(struct machine *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma) {
		if (vma->vm_flags & (VM_HUGETLB | VM_PFNMAP))
			continue;
		if (!(vma->vm_flags & VM_SHARED))
			zap_page_range(m, mm, vma, vma->vm_start, vma->vm_end);
	}
	printk(m, "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB", t->pid,
	       t->comm, K(get_mm_counter(mm, MM_ANONPAGES)), K(get_mm_counter(mm, MM_FILEPAGES)),
	       K(get_mm_counter(mm, MM_SHMEMPAGES)));
}

/* The SIGKILL takes effect: the reaper frees what it can, the task exits */
static void oom_victim_exit(struct machine *m, struct task_struct *t)
{
	trace_wake_reaper(m, t->pid);
	trace_start_task_reaping(m, NULL, t->pid);
	oom_reap_task(m, t);
	trace_finish_task_reaping(m, NULL, t->pid);
	sys_exit(m, t);
}

static void __oom_kill_process(struct machine *m, struct task_struct *victim, const char *message)
{
	struct mm_struct *mm = victim->mm;

	count_vm_event(m, OOM_KILL);
	memcg_memory_event(mem_cgroup_from_task(m, victim), MEMCG_OOM_KILL);
	victim->oom_victim = true; /* SIGKILL + mark_oom_victim */
	trace_mark_victim(m, victim, K(mm->total_vm), K(get_mm_counter(mm, MM_ANONPAGES)), K(get_mm_counter(mm, MM_FILEPAGES)), K(get_mm_counter(mm, MM_SHMEMPAGES)), mm->pgtables_bytes >> 10);
	printk(m, "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, "
	       "UID:%u pgtables:%lukB oom_score_adj:%hd",
	       message, victim->pid, victim->comm, K(mm->total_vm), K(get_mm_counter(mm, MM_ANONPAGES)),
	       K(get_mm_counter(mm, MM_FILEPAGES)), K(get_mm_counter(mm, MM_SHMEMPAGES)), victim->uid,
	       mm->pgtables_bytes >> 10, victim->oom_score_adj);
	/* a task outside the kernel dies now; the one in a system call (the
	 * allocating task, or the one kswapd's step interrupted) when it
	 * returns (syscall_exit_oom) */
	if (victim != m->current && victim != m->preempted)
		oom_victim_exit(m, victim);
}

static void oom_kill_process(struct machine *m, struct oom_control *oc, const char *message)
{
	struct task_struct *victim = oc->chosen;
	struct mem_cgroup *group;

	dump_header(m, oc);
	dump_oom_victim(m, oc, victim);
	/* mem_cgroup_get_oom_group before the victim's cgroup can change */
	group = oc->memcg ? mem_cgroup_get_oom_group(m, victim, oc->memcg) : NULL;
	__oom_kill_process(m, victim, message);
	if (group)
		oom_kill_memcg_member_all(m, group, victim, message);
}

/* oom_evaluate_task over every process (for_each_process: PID order) */
static void select_bad_process(struct machine *m, struct oom_control *oc)
{
	g_autoptr(GArray) pids = task_pids(m);

	oc->chosen_points = LONG_MIN;
	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));
		long points;

		if (oom_unkillable_task(t) || t->in_copy_process || !oom_task_in_scope(m, oc, t))
			continue;
		/* a victim still on its way out: wait for it, kill no other */
		if (t->oom_victim) {
			oc->chosen = OOM_ABORT;
			return;
		}
		points = oom_badness(t, oc->totalpages);
		if (points == LONG_MIN || points < oc->chosen_points)
			continue;
		oc->chosen = t;
		oc->chosen_points = points;
	}
}

/*
 * out_of_memory: kill something (or panic).  True when the caller may
 * retry: a task was killed, or the current task is the one dying.
 */
bool out_of_memory(struct machine *m, gfp_t gfp_mask, int order, int cpu)
{
	struct oom_control oc = { gfp_mask, order, cpu, oom_totalpages(m), NULL, 0, NULL };
	struct task_struct *cur = m->current;

	if (m->panicked)
		return false;
	/* task_will_free_mem(current): it is dying already */
	if (fatal_signal_pending(cur))
		return true;
	/* The OOM killer does not compensate for IO-less reclaim */
	if (!(gfp_mask & __GFP_FS))
		return false;
	/* check_panic_on_oom: 2 panics whatever the constraint, 1 for a
	 * CONSTRAINT_NONE OOM, which is every OOM here */
	if (m->sysctl.panic_on_oom) {
		dump_header(m, &oc);
		panic(m, m->sysctl.panic_on_oom == 2 ? "Out of memory: compulsory panic_on_oom is enabled"
						     : "Out of memory: system-wide panic_on_oom is enabled");
		return false;
	}
	if (m->sysctl.oom_kill_allocating_task && cur && cur->mm && !oom_unkillable_task(cur) &&
	    !cur->in_copy_process && cur->oom_score_adj != OOM_SCORE_ADJ_MIN) {
		oc.chosen = cur;
		oom_kill_process(m, &oc, "Out of memory (oom_kill_allocating_task)");
		return true;
	}
	select_bad_process(m, &oc);
	if (!oc.chosen) {
		dump_header(m, &oc);
		printk(m, "Out of memory and no killable processes...");
		panic(m, "System is deadlocked on memory");
		return false;
	}
	if (oc.chosen != OOM_ABORT)
		oom_kill_process(m, &oc, "Out of memory");
	return true;
}

/* pagefault_out_of_memory: a user fault failed with VM_FAULT_OOM outside
 * the allocator's own OOM handling.  The kernel only warns when the task
 * is not dying ("Huh VM_FAULT_OOM leaked out to the #PF handler"); the
 * model's faults report the allocator's -ENOMEM the same way. */
void pagefault_out_of_memory(struct machine *m, struct task_struct *t)
{
	if (fatal_signal_pending(t))
		return;
	printk(m, "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF");
}

/* ---- system calls and the pending SIGKILL ---- */

struct task_struct *syscall_enter(struct machine *m, struct task_struct *t)
{
	struct task_struct *prev = m->current;

	m->current = t;
	return prev;
}

long syscall_exit_oom(struct machine *m, int pid, struct task_struct *prev, long ret)
{
	struct task_struct *t = find_task_by_pid(m, pid);

	/* resume_user_mode_work: memory.high's reclaim and throttle */
	if (t && !prev && t->memcg_nr_pages_over_high && !t->oom_victim)
		mem_cgroup_handle_over_high(m, t);
	m->current = prev;
	if (prev || !t || !t->oom_victim)
		return ret;
	/* back to user mode with SIGKILL pending: the task dies */
	oom_victim_exit(m, t);
	return -ESRCH;
}

/* ---- memcg OOM (mm/memcontrol.c mem_cgroup_out_of_memory) ---- */

/* mem_cgroup_get_oom_group: the highest memcg with memory.oom.group from
 * the victim's up to the OOM domain */
struct mem_cgroup *mem_cgroup_get_oom_group(struct machine *m, struct task_struct *victim,
					    struct mem_cgroup *oom_domain)
{
	struct mem_cgroup *group = NULL;

	for (struct mem_cgroup *memcg = mem_cgroup_from_task(m, victim); memcg; memcg = parent_mem_cgroup(memcg)) {
		if (memcg->oom_group)
			group = memcg;
		if (memcg == oom_domain)
			break;
	}
	return group;
}

/* mem_cgroup_scan_tasks(oom_kill_memcg_member): the rest of the group */
void oom_kill_memcg_member_all(struct machine *m, struct mem_cgroup *group, struct task_struct *victim,
			       const char *message)
{
	g_autoptr(GArray) pids = task_pids(m);
	g_autofree char *path = cgroup_path_dup(group->css);

	printk(m, "Tasks in %s are going to be killed due to memory.oom.group set", path);
	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));

		if (!t || t == victim || t->oom_victim || oom_unkillable_task(t) || !t->mm ||
		    t->oom_score_adj == OOM_SCORE_ADJ_MIN || !mem_cgroup_is_descendant(mem_cgroup_from_task(m, t), group))
			continue;
		__oom_kill_process(m, t, message);
		memcg_memory_event(group, MEMCG_OOM_GROUP_KILL);
	}
}

/* mem_cgroup_out_of_memory: out_of_memory constrained to the memcg's
 * tasks, totalpages its memory.max plus what it may swap */
bool out_of_memory_memcg(struct machine *m, struct mem_cgroup *memcg, gfp_t gfp_mask, int order)
{
	struct oom_control oc = { gfp_mask, order, m->current ? m->current->cpu : 0, 0, NULL, 0, memcg };
	long swap = MIN(memcg->swap.max, get_total_swap_pages(m));

	if (m->panicked)
		return false;
	if (fatal_signal_pending(m->current))
		return true;
	oc.totalpages = (unsigned long)MAX(MIN(memcg->memory.max, (long)m->totalram_pages) + MAX(swap, 0L), 1L);
	if (m->sysctl.panic_on_oom == 2) {
		dump_header(m, &oc);
		panic(m, "Out of memory: compulsory panic_on_oom is enabled");
		return false;
	}
	select_bad_process(m, &oc);
	if (!oc.chosen)
		return false;
	if (oc.chosen != OOM_ABORT)
		oom_kill_process(m, &oc, "Memory cgroup out of memory");
	return true;
}
