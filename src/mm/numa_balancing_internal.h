/*
 * The engine's hooks into NUMA balancing (numa_balancing.c, numa_fault.c):
 * the per-page last_cpupid, the hinting fault, the per-task state.
 */
#ifndef MMSIM_NUMA_BALANCING_INTERNAL_H
#define MMSIM_NUMA_BALANCING_INTERNAL_H

#include "mm_internal.h"
#include "mmsim/gfp.h"
#include "mmsim/numa_balancing.h"

#define NUMA_NO_NODE (-1)

/* include/linux/mm.h's cpupid, for NR_CPUS 256: cpu (8 bits) above the
 * low 8 bits of the pid; all ones: never accessed since allocation */
#define LAST__PID_SHIFT 8
#define LAST__PID_MASK ((1 << LAST__PID_SHIFT) - 1)
#define LAST__CPU_SHIFT 8
#define LAST__CPU_MASK ((1 << LAST__CPU_SHIFT) - 1)
#define LAST_CPUPID_SHIFT (LAST__PID_SHIFT + LAST__CPU_SHIFT)
#define LAST_CPUPID_MASK ((1 << LAST_CPUPID_SHIFT) - 1)

/* task_numa_fault's flags (TNF_*) */
#define TNF_MIGRATED 0x01
#define TNF_NO_GROUP 0x02
#define TNF_SHARED 0x04
#define TNF_FAULT_LOCAL 0x08
#define TNF_MIGRATE_FAIL 0x10

/* numa_faults' buckets: the decayed counts and this scan's new ones */
enum numa_faults_stats { NUMA_MEM, NUMA_MEMBUF, NR_NUMA_HINT_FAULT_STATS };
#define NR_NUMA_HINT_FAULT_TYPES 2 /* shared, private */

/* The task_struct fields of CONFIG_NUMA_BALANCING the model keeps */
struct numa_task {
	uint64_t runtime_base;          /* the task's age when its scan clock started */
	uint64_t node_stamp;            /* runtime (ns) of the last scan tick */
	uint64_t numa_migrate_retry;    /* ns: next placement retry */
	unsigned int numa_scan_period;  /* ms */
	unsigned int numa_scan_period_max;
	int numa_scan_seq;
	int numa_preferred_nid;
	unsigned long numa_faults_locality[3]; /* remote, local, failed migrations */
	unsigned long total_numa_faults;
	unsigned long numa_pages_migrated;
	unsigned long *numa_faults;     /* [stats][node][type], NULL until the first fault */
};

/* numa_balancing.c */
void numa_balancing_init(struct machine *m);
void numa_balancing_destroy(struct machine *m);
void task_numa_free(struct task_struct *t);
struct numa_task *task_numa(struct machine *m, struct task_struct *t);
unsigned int task_scan_min(struct machine *m, struct task_struct *t);
unsigned int task_scan_max(struct machine *m, struct task_struct *t);
char *numa_balancing_check_invariants(struct machine *m);
static inline int numab_mode(const struct machine *m) { return m->numab ? m->numab->mode : 0; }
/* mm/memory-tiers.c: a node of the top tier (all of them without tiers) */
bool node_is_toptier(struct machine *m, int nid);

/* The page's last_cpupid (folio_last_cpupid and its exchange) */
int folio_last_cpupid(struct machine *m, unsigned long pfn);
int folio_xchg_last_cpupid(struct machine *m, unsigned long pfn, int cpupid);
/* page_cpupid_reset_last over an allocated block */
void page_cpupid_reset_last(struct machine *m, unsigned long pfn, unsigned int order);
/* folio_migrate_flags' part: the new page takes the old one's */
void folio_migrate_last_cpupid(struct machine *m, unsigned long src, unsigned long dst);
/* mm/sparse.c: the array of a section, with its mem_map */
uint16_t *sparse_alloc_last_cpupid(void);

/* node_reclaim.c: get_page_from_freelist's node_reclaim for a zone below
 * mark; true when the zone now passes it */
bool node_reclaim_zone(struct machine *m, struct zone *preferred, struct zone *zone, gfp_t gfp, unsigned int order,
		       unsigned long mark, int highest_zoneidx, unsigned int alloc_flags, int cpu);

/* numa_fault.c: the hinting fault on a PROT_NONE pte (do_numa_page);
 * the pte is an ordinary one again afterwards, maybe of a new page */
void do_numa_page(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		  pte_t *ptep);

static inline int cpu_pid_to_cpupid(int cpu, int pid)
{
	return ((cpu & LAST__CPU_MASK) << LAST__PID_SHIFT) | (pid & LAST__PID_MASK);
}
static inline int cpupid_to_pid(int cpupid) { return cpupid & LAST__PID_MASK; }
static inline int cpupid_to_cpu(int cpupid) { return (cpupid >> LAST__PID_SHIFT) & LAST__CPU_MASK; }
static inline bool cpupid_pid_unset(int cpupid) { return cpupid_to_pid(cpupid) == (-1 & LAST__PID_MASK); }
static inline bool cpupid_match_pid(const struct task_struct *t, int cpupid)
{
	return (t->pid & LAST__PID_MASK) == cpupid_to_pid(cpupid);
}
static inline bool cpupid_valid(const struct machine *m, int cpupid) { return cpupid_to_cpu(cpupid) < m->nr_cpus; }
static inline int cpupid_to_nid(const struct machine *m, int cpupid)
{
	return cpupid_valid(m, cpupid) ? cpu_to_node(m, cpupid_to_cpu(cpupid)) : NUMA_NO_NODE;
}

#endif
