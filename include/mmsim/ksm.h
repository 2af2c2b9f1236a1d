/*
 * Kernel samepage merging (include/linux/ksm.h, mm/ksm.c): the state of
 * ksmd, its trees and its sysfs knobs; and the machine's page-content
 * bookkeeping (page_content.h) that KSM compares.
 */
#ifndef MMSIM_KSM_H
#define MMSIM_KSM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct mm_struct;
struct task_struct;
struct vm_area_struct;

/* sys/kernel/mm/ksm/run */
#define KSM_RUN_STOP 0
#define KSM_RUN_MERGE 1
#define KSM_RUN_UNMERGE 2

enum ksm_advisor_type { KSM_ADVISOR_NONE, KSM_ADVISOR_SCAN_TIME };

/* Per process (the kernel's ksm_mm_slot and the mm's ksm counters) */
struct ksm_mm_slot {
	struct mm_struct *mm;
	GTree *rmap_items;           /* address -> struct ksm_rmap_item */
	bool merge_any;              /* MMF_VM_MERGE_ANY: prctl memory_merge 1 */
	long ksm_merging_pages;      /* its ptes that map a KSM page */
	long ksm_zero_pages;         /* its ptes that map the zero page by KSM */
	long ksm_rmap_items;
};

struct ksm_state {
	/* page contents */
	uint64_t content_seq;        /* the last unique fingerprint */
	GHashTable *swap_contents;   /* swap entry -> fingerprint (not zero) */

	/* the knobs (sys/kernel/mm/ksm) */
	unsigned int run;
	unsigned int sleep_millisecs;
	unsigned int pages_to_scan;
	bool merge_across_nodes;
	unsigned int max_page_sharing;
	unsigned int stable_node_chains_prune_millisecs;
	bool use_zero_pages;
	bool smart_scan;
	enum ksm_advisor_type advisor;
	unsigned int advisor_max_cpu;
	unsigned long advisor_min_pages_to_scan, advisor_max_pages_to_scan;
	unsigned int advisor_target_scan_time;

	/* the counters */
	unsigned long pages_scanned;
	unsigned long pages_shared, pages_sharing, pages_unshared;
	unsigned long pages_skipped;
	unsigned long rmap_items;
	long zero_pages;
	unsigned long full_scans;
	unsigned long stable_node_chains, stable_node_dups;

	/* ksmd's scan */
	GPtrArray *mm_slots;         /* struct ksm_mm_slot *, in registration order */
	guint scan_slot;             /* the slot being scanned */
	unsigned long scan_address;  /* where in it */
	unsigned long seqnr;         /* full scans begun: the unstable tree's age */
	GTree *stable_tree;          /* fingerprint -> struct ksm_stable_chain */
	GTree *unstable_tree;        /* fingerprint -> struct ksm_rmap_item */
	bool timer_armed;
	struct task_struct *ksmd;
	uint64_t last_scan_start_ns; /* the advisor: when this full scan began */
};

void ksm_init(struct machine *m);
void ksm_destroy(struct machine *m);

/* madvise MADV_MERGEABLE / MADV_UNMERGEABLE (ksm_madvise), prctl
 * PR_SET_MEMORY_MERGE; 0 or -errno */
int ksm_madvise(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end,
		int advice);
int ksm_set_memory_merge(struct machine *m, struct task_struct *t, bool on);
int ksm_get_memory_merge(struct task_struct *t);
/* The mm goes (exit) or is copied (fork) */
void ksm_exit(struct machine *m, struct mm_struct *mm);
void ksm_fork(struct machine *m, struct mm_struct *child, struct mm_struct *parent);

/* The knobs: 0 or -EINVAL/-EBUSY/-ENOMEM with nothing changed */
int ksm_set_run(struct machine *m, unsigned int run);
int ksm_set_merge_across_nodes(struct machine *m, unsigned int v);
int ksm_set_max_page_sharing(struct machine *m, unsigned int v);
void ksm_set_sleep_millisecs(struct machine *m, unsigned int v);
void ksm_set_advisor(struct machine *m, enum ksm_advisor_type mode);

/* Derived values (mm/ksm.c's show functions) */
long ksm_pages_volatile(const struct ksm_state *k);
long ksm_general_profit(const struct ksm_state *k);
long ksm_process_profit(const struct ksm_mm_slot *slot);
const struct ksm_mm_slot *ksm_mm_slot_of(const struct machine *m, const struct mm_struct *mm);
/* ptes of [start, end) of the VMA mapping KSM pages (smaps KSM:) */
unsigned long ksm_vma_pages(struct machine *m, struct vm_area_struct *vma);

/* --debug-vm */
char *ksm_check_invariants(struct machine *m);

#endif
