/*
 * mm/ksm.c's own structures: rmap_items, stable nodes and chains
 * (ksm.c, ksm_scan.c).
 */
#ifndef MMSIM_KSM_INTERNAL_H
#define MMSIM_KSM_INTERNAL_H

#include "mmsim/ksm.h"
#include "mmsim/mm_types.h"

struct ksm_stable_chain;

/* No fingerprint has this value (page_content.h): a new rmap_item's
 * checksum, so that a page is compared only from its second scan */
#define KSM_NO_CHECKSUM 1ULL
/* ksmd's CPU time per page it looks at */
#define KSM_SCAN_COST_NS 250
/* what one page table maps */
#define KSM_PTE_TABLE_SPAN ((unsigned long)PTRS_PER_TABLE * PAGE_SIZE)

/* A KSM page: its PFN and the rmap_items that map it */
struct ksm_stable_node {
	unsigned long kpfn;
	GPtrArray *hlist;               /* struct ksm_rmap_item * */
	struct ksm_stable_chain *chain; /* the tree entry it is a dup of */
};

/* A stable tree entry: a content (and node) and its KSM pages; more than
 * one makes it a chain of dups (max_page_sharing) */
struct ksm_stable_chain {
	uint64_t content;
	int nid;
	GPtrArray *dups;                /* struct ksm_stable_node * */
};

/* One scanned address of a process */
struct ksm_rmap_item {
	struct ksm_mm_slot *slot;
	unsigned long address;
	uint64_t oldchecksum;
	struct ksm_stable_node *head;   /* merged: the KSM page's node */
	unsigned long unstable_seq;     /* in the unstable tree of scan seqnr + 1, or 0 */
	uint64_t content;               /* its key in the unstable tree */
	int nid;
	uint8_t age;                    /* smart_scan: scans without merging */
	uint8_t remaining_skips;
};

void remove_rmap_item_from_tree(struct machine *m, struct ksm_rmap_item *item);
unsigned long ksm_item_pfn(struct ksm_rmap_item *item, pte_t **ptepp);
void cmp_and_merge_page(struct machine *m, unsigned long pfn, struct ksm_rmap_item *item);
void ksm_free_rmap_item(struct machine *m, struct ksm_rmap_item *item);
/* break_ksm over [start, end) of a VMA: a write fault on every pte of a
 * KSM page or KSM zero page */
int unmerge_ksm_pages(struct machine *m, struct vm_area_struct *vma, unsigned long start, unsigned long end);
bool vma_ksm_mergeable(const struct vm_area_struct *vma);
void ksm_do_scan(struct machine *m, unsigned int nr);
bool should_skip_rmap_item(struct machine *m, unsigned long pfn, struct ksm_rmap_item *item);
void ksm_arm(struct machine *m);

#endif
