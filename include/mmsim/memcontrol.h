/*
 * The memory controller (mm/memcontrol.c, mm/page_counter.c): a
 * struct mem_cgroup per cgroup, the page counters its limits live in,
 * the charge of every user page to one memcg, and memcg reclaim and OOM.
 */
#ifndef MMSIM_MEMCONTROL_H
#define MMSIM_MEMCONTROL_H

#include <glib.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/gfp.h"
#include "mmsim/mm_types.h"
#include "mmsim/mmzone.h"

struct machine;
struct cgroup;

/* include/linux/memcontrol.h */
#define MEMCG_CHARGE_BATCH 64U
#define MEM_CGROUP_ID_MAX 0xffff
/* PAGE_COUNTER_MAX: "max" of the tunables, in pages */
#define PAGE_COUNTER_MAX (LONG_MAX / (long)PAGE_SIZE)
/* try_to_free_mem_cgroup_pages's reclaim_options */
#define MEMCG_RECLAIM_MAY_SWAP 1u
#define MEMCG_RECLAIM_PROACTIVE 2u

/* mm/page_counter.c: a counter and its limits, in pages; hierarchical
 * through parent */
struct page_counter {
	long usage;
	long max, high, min, low;
	long watermark;              /* memory.peak */
	long local_watermark;        /* the peak since the last per-file reset */
	unsigned long failcnt;
	/* effective protection (propagate_protected_usage) */
	long emin, elow;
	long min_usage, low_usage;   /* min(usage, min), min(usage, low) */
	long children_min_usage, children_low_usage;
	struct page_counter *parent;
};

/* memory.events (enum memcg_memory_event) */
enum memcg_memory_event {
	MEMCG_LOW,
	MEMCG_HIGH,
	MEMCG_MAX,
	MEMCG_OOM,
	MEMCG_OOM_KILL,
	MEMCG_OOM_GROUP_KILL,
	MEMCG_SWAP_HIGH,
	MEMCG_SWAP_MAX,
	MEMCG_SWAP_FAIL,
	MEMCG_NR_MEMORY_EVENTS,
};

/* What memory.stat reports for the events the memcg's own paths count */
enum memcg_event_item {
	MEMCG_PGSCAN,
	MEMCG_PGSTEAL,
	MEMCG_PGSCAN_DIRECT,
	MEMCG_PGSTEAL_DIRECT,
	MEMCG_PGSCAN_PROACTIVE,
	MEMCG_PGSTEAL_PROACTIVE,
	MEMCG_NR_EVENT_ITEMS,
};

struct mem_cgroup {
	struct cgroup *css;          /* its cgroup */
	unsigned short id;           /* mem_cgroup_id: the per-page label */
	bool online;                 /* the parent enables memory (or the root) */
	struct page_counter memory, swap;
	unsigned long events[MEMCG_NR_MEMORY_EVENTS];        /* memory.events */
	unsigned long events_local[MEMCG_NR_MEMORY_EVENTS];  /* memory.events.local */
	unsigned long vm_events[MEMCG_NR_EVENT_ITEMS];       /* hierarchical */
	bool oom_group;              /* memory.oom.group */
	long nr_pages;               /* pages labelled with this memcg */
	long nr_swap;                /* swap slots labelled with it */
	uint64_t psi_some_us, psi_full_us; /* memory.pressure totals */
};

/* Engine state (m->memcg) */
struct memcg_stock_pcp {
	struct mem_cgroup *cached;
	unsigned int nr_pages;
};

struct memcg_state {
	struct mem_cgroup *idr[MEM_CGROUP_ID_MAX + 1];
	struct memcg_stock_pcp *stock;   /* [nr_cpus] */
	GHashTable *swap_cgroup;         /* swp_entry.val -> memcg id */
};

/* cgroup.c's hooks: a cgroup's memcg from birth to rmdir */
void mem_cgroup_css_alloc(struct machine *m, struct cgroup *cg);
void mem_cgroup_css_free(struct machine *m, struct cgroup *cg);
/* The parent's subtree_control gave (online) or took (offline) memory:
 * offlining moves the charges to the parent (no zombie memcgs) */
void mem_cgroup_css_online(struct machine *m, struct cgroup *cg, bool online);
/* cg's subtree_control changed: its children's memcgs go on or offline */
void mem_cgroup_subtree_control_changed(struct machine *m, struct cgroup *cg);
void mem_cgroup_destroy_all(struct machine *m);

/* The memcg a cgroup's tasks charge: its own, or the nearest ancestor's
 * with the controller */
struct mem_cgroup *mem_cgroup_from_cgroup(struct machine *m, struct cgroup *cg);
struct mem_cgroup *mem_cgroup_from_task(struct machine *m, const struct task_struct *t);
struct mem_cgroup *root_mem_cgroup(struct machine *m);
static inline bool mem_cgroup_is_root(const struct mem_cgroup *memcg) { return memcg && memcg->id == 1; }
struct mem_cgroup *parent_mem_cgroup(struct mem_cgroup *memcg);
/* The memcg a page is charged to, or NULL */
struct mem_cgroup *folio_memcg(struct machine *m, unsigned long pfn);
bool mem_cgroup_is_descendant(struct mem_cgroup *memcg, struct mem_cgroup *root);

/* ---- charging (one-line hooks at the places pages enter and leave use) ---- */
/* A page (block of 2^order) just allocated for memcg: charged, or freed
 * when the charge fails.  pfn < 0 passes through; returns pfn or -ENOMEM */
long mem_cgroup_charge_new(struct machine *m, long pfn, unsigned int order, struct mem_cgroup *memcg, gfp_t gfp);
/* The memcg a swapped-in page charges: the swap entry's if it lives, else
 * the faulting task's (mem_cgroup_swapin_charge_folio) */
struct mem_cgroup *mem_cgroup_swapin_memcg(struct machine *m, swp_entry_t entry, struct task_struct *t);
/* __free_pages: the page's charge goes (mem_cgroup_uncharge) */
void mem_cgroup_uncharge(struct machine *m, unsigned long pfn, unsigned int order);
/* Migration: the new page takes the old one's charge (mem_cgroup_migrate) */
void mem_cgroup_migrate(struct machine *m, unsigned long src, unsigned long dst);
/* A swap slot for the page: charged to its memcg's swap counter, or
 * refused past memory.swap.max (-ENOMEM) */
int mem_cgroup_try_charge_swap(struct machine *m, unsigned long pfn, swp_entry_t entry);
void mem_cgroup_uncharge_swap(struct machine *m, swp_entry_t entry);
/* Return to user space: memory.high's reclaim and throttle */
void mem_cgroup_handle_over_high(struct machine *m, struct task_struct *t);
/* memory.high's penalty: the task sleeps ns of simulated time */
void mem_cgroup_throttle(struct machine *m, struct task_struct *t, struct mem_cgroup *memcg, uint64_t ns);

/* ---- page_counter.c ---- */
void page_counter_init(struct page_counter *c, struct page_counter *parent);
void page_counter_charge(struct page_counter *c, long nr);
bool page_counter_try_charge(struct page_counter *c, long nr, struct page_counter **fail);
void page_counter_uncharge(struct page_counter *c, long nr);
void page_counter_set_min(struct page_counter *c, long nr);
void page_counter_set_low(struct page_counter *c, long nr);
void page_counter_calculate_protection(struct page_counter *root, struct page_counter *c, bool recursive);

/* ---- the tunables (memory.* writes) ---- */
unsigned long mem_cgroup_usage(struct mem_cgroup *memcg, bool swap);
unsigned long mem_cgroup_margin(struct mem_cgroup *memcg);
/* memory.max: set, then reclaim (and OOM-kill) down to it */
void memory_max_write(struct machine *m, struct mem_cgroup *memcg, long max);
void memory_high_write(struct machine *m, struct mem_cgroup *memcg, long high);
void memory_swap_max_write(struct machine *m, struct mem_cgroup *memcg, long max);
/* memory.reclaim: 0 or -EAGAIN */
int memory_reclaim(struct machine *m, struct mem_cgroup *memcg, unsigned long nr_pages, int swappiness);
void memcg_memory_event(struct mem_cgroup *memcg, enum memcg_memory_event event);
void drain_all_stock(struct machine *m, struct mem_cgroup *root);

/* ---- memcg reclaim (memcontrol_reclaim.c) ---- */
unsigned long try_to_free_mem_cgroup_pages(struct machine *m, struct mem_cgroup *memcg, unsigned long nr_pages,
					   gfp_t gfp, unsigned int reclaim_options, int swappiness);
/* mem_cgroup_protected for reclaim: the memcg's pages are off limits
 * (memory.min), or off limits until a retry (memory.low) */
bool mem_cgroup_below_min(struct mem_cgroup *target, struct mem_cgroup *memcg);
bool mem_cgroup_below_low(struct mem_cgroup *target, struct mem_cgroup *memcg);

/* ---- memcg OOM (oom_kill.c) ---- */
/* mem_cgroup_out_of_memory: true when a task was killed (or current is
 * dying) and the charge may be retried */
bool out_of_memory_memcg(struct machine *m, struct mem_cgroup *memcg, gfp_t gfp, int order);
struct mem_cgroup *mem_cgroup_get_oom_group(struct machine *m, struct task_struct *victim,
					    struct mem_cgroup *oom_domain);
void oom_kill_memcg_member_all(struct machine *m, struct mem_cgroup *group, struct task_struct *victim,
			       const char *message);
/* The memcg OOM report's usage, limit and memory.stat lines */
void mem_cgroup_print_oom_meminfo(struct machine *m, struct mem_cgroup *memcg);
/* memory.stat's text (memory_stat_format) */
void memory_stat_format(struct machine *m, struct mem_cgroup *memcg, GString *out);

/* ---- memory.stat (a walk of the charged pages) ---- */
enum memcg_page_stat {
	MS_ANON, MS_FILE, MS_SHMEM, MS_FILE_MAPPED, MS_FILE_DIRTY, MS_FILE_WRITEBACK, MS_SWAPCACHED,
	MS_INACTIVE_ANON, MS_ACTIVE_ANON, MS_INACTIVE_FILE, MS_ACTIVE_FILE, MS_UNEVICTABLE,
	MS_KERNEL, NR_MEMCG_PAGE_STAT,
};
/* The list memory.stat counts a page on (MGLRU: the two youngest
 * generations are active) */
enum lru_list folio_lru_list_gen(struct machine *m, unsigned long pfn);
/* Pages of the memcg and its descendants, per stat and per node
 * (stat[nid][item]) */
void mem_cgroup_page_stats(struct machine *m, struct mem_cgroup *memcg, unsigned long (*stat)[NR_MEMCG_PAGE_STAT]);

/* --debug-vm: every charged page in a live memcg, counters = own pages +
 * stock + children; NULL or what is wrong (g_free) */
char *mem_cgroup_check_invariants(struct machine *m);

#endif
